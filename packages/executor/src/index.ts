export { Executor, ExecutorCallError, ExecutorDisconnectedError, type ExecutorEnvironment, executorEnvironment, type RecoveryPolicy } from './executor.js';
