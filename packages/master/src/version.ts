export { MESOS_API_VERSION, TS_MESOS_VERSION, versionModel } from '@ts-mesos/protocol';
