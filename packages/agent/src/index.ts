export { AGENT_FLAGS } from './agent-flags.js';
export { AgentJournal, type Journal, type JournalRecord, lastAgentInfo, lastCheckpointedResources } from './agent-journal.js';
export { AgentProcess, type AgentProcessOptions } from './agent-process.js';
export { agentAttributes, agentResources, detectMachine, type DetectedMachine } from './resource-detection.js';
export { AgentConfigError, type AgentFlags, masterPid, type RunningAgent, startAgent } from './start-agent.js';
export { RETRY_MAX_MS, RETRY_MIN_MS, type StatusUpdate, StatusUpdateManager } from './status-update-manager.js';
export { FilesProcess } from './files-process.js';
export { MonitorProcess } from './monitor-process.js';
