export { Executor, ExecutorCallError, type ExecutorEnvironment, executorEnvironment } from './executor.js';
