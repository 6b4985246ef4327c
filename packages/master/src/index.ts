export { MasterCore, type CallOutcome, type MasterCoreOptions } from './master-core.js';
export type { MasterEffect, MasterTimer } from './master-effect.js';
export { FileRegistry, MemoryRegistry, type Registry, type RegistryChange, type RegistryState } from './registry.js';
export { MasterProcess, type MasterProcessOptions } from './master-process.js';
export { ipToMesosInteger, masterInfo } from './master-info.js';
export { EventStream } from './event-stream.js';
export { MASTER_FLAGS } from './master-flags.js';
export { MasterConfigError, type MasterFlags, type RunningMaster, startMaster } from './start-master.js';
export { MESOS_API_VERSION, TS_MESOS_VERSION, versionModel } from './version.js';
