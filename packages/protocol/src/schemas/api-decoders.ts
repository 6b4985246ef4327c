import { compileDecoder } from '../decoder.js';
import { ExecutorCall } from './executor.js';
import { OperatorCall } from './operator.js';
import { SchedulerCall } from './scheduler.js';

/** Compiled once at load: the v1 API calls as they arrive at the master and agent. */
export const decodeSchedulerCall = compileDecoder(SchedulerCall);
export const decodeExecutorCall = compileDecoder(ExecutorCall);
export const decodeOperatorCall = compileDecoder(OperatorCall);
