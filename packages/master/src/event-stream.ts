/** A subscriber's RecordIO event stream; the class lives in protocol, shared with the agent's Executor API. */
export { RecordIoStream as EventStream } from '@ts-mesos/protocol';
