export { Backoff } from './backoff.js';
export { masterAddressError, Scheduler, SchedulerCallError, type SchedulerNotice, type SchedulerOptions, schedulerUrl } from './scheduler.js';
export { commandTask } from './tasks.js';
