export * from './common.js';
export * from './mesos.js';
export * from './scheduler.js';
export * from './executor.js';
export * from './operator.js';
export * from './operator-response.js';
