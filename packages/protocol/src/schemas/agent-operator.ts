import { type Static, Type } from '@sinclair/typebox';
import { DurationInfo } from './common.js';
import { StringEnum } from './enum.js';

/** The v1 Operator API calls to an agent (include/mesos/v1/agent/agent.proto) this project knows by name. */
export const AGENT_CALL_TYPES = [
  'GET_HEALTH',
  'GET_FLAGS',
  'GET_VERSION',
  'GET_METRICS',
  'GET_LOGGING_LEVEL',
  'SET_LOGGING_LEVEL',
  'LIST_FILES',
  'READ_FILE',
  'GET_STATE',
  'GET_CONTAINERS',
  'GET_FRAMEWORKS',
  'GET_EXECUTORS',
  'GET_OPERATIONS',
  'GET_TASKS',
  'GET_AGENT',
  'GET_RESOURCE_PROVIDERS',
  'LAUNCH_NESTED_CONTAINER',
  'WAIT_NESTED_CONTAINER',
  'KILL_NESTED_CONTAINER',
  'REMOVE_NESTED_CONTAINER',
  'LAUNCH_NESTED_CONTAINER_SESSION',
  'ATTACH_CONTAINER_INPUT',
  'ATTACH_CONTAINER_OUTPUT',
  'LAUNCH_CONTAINER',
  'WAIT_CONTAINER',
  'KILL_CONTAINER',
  'REMOVE_CONTAINER',
  'ADD_RESOURCE_PROVIDER_CONFIG',
  'UPDATE_RESOURCE_PROVIDER_CONFIG',
  'REMOVE_RESOURCE_PROVIDER_CONFIG',
  'MARK_RESOURCE_PROVIDER_GONE',
  'PRUNE_IMAGES',
] as const;

export const AgentCall = Type.Object({
  type: StringEnum(AGENT_CALL_TYPES),
  get_metrics: Type.Optional(Type.Object({ timeout: Type.Optional(DurationInfo) })),
  get_containers: Type.Optional(Type.Object({ show_nested: Type.Optional(Type.Boolean()), show_standalone: Type.Optional(Type.Boolean()) })),
});
export type AgentCall = Static<typeof AgentCall>;
