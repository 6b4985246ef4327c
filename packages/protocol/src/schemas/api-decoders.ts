import { compileDecoder } from '../decoder.js';
import { AgentCall } from './agent-operator.js';
import { requirePayload } from './call-payload.js';
import { ExecutorCall, ExecutorEvent } from './executor.js';
import { OperatorCall } from './operator.js';
import { OperatorEvent, OperatorResponse } from './operator-response.js';
import { SchedulerCall, SchedulerEvent } from './scheduler.js';

/**
 * Compiled once at load: the v1 API envelopes as they cross the master's and agent's HTTP
 * boundary (calls) and the client libraries' (events and responses). Each checks the
 * structure, then that the payload its type names is there.
 */
export const decodeSchedulerCall = requirePayload(compileDecoder(SchedulerCall), {
  payload: new Set([
    'SUBSCRIBE',
    'ACCEPT',
    'DECLINE',
    'ACCEPT_INVERSE_OFFERS',
    'DECLINE_INVERSE_OFFERS',
    'KILL',
    'SHUTDOWN',
    'ACKNOWLEDGE',
    'ACKNOWLEDGE_OPERATION_STATUS',
    'RECONCILE',
    'RECONCILE_OPERATIONS',
    'MESSAGE',
    'REQUEST',
    'UPDATE_FRAMEWORK',
  ]),
  frameworkId: (type) => type !== 'SUBSCRIBE',
});

export const decodeSchedulerEvent = requirePayload(compileDecoder(SchedulerEvent), {
  payload: new Set(['SUBSCRIBED', 'OFFERS', 'INVERSE_OFFERS', 'RESCIND', 'RESCIND_INVERSE_OFFER', 'UPDATE', 'UPDATE_OPERATION_STATUS', 'MESSAGE', 'FAILURE', 'ERROR']),
});

export const decodeExecutorCall = requirePayload(compileDecoder(ExecutorCall), { payload: new Set(['SUBSCRIBE', 'UPDATE', 'MESSAGE']) });

export const decodeExecutorEvent = requirePayload(compileDecoder(ExecutorEvent), {
  payload: new Set(['SUBSCRIBED', 'LAUNCH', 'LAUNCH_GROUP', 'KILL', 'ACKNOWLEDGED', 'MESSAGE', 'ERROR']),
});

export const decodeOperatorCall = requirePayload(compileDecoder(OperatorCall), {
  payload: new Set([
    'SET_LOGGING_LEVEL',
    'LIST_FILES',
    'READ_FILE',
    'UPDATE_WEIGHTS',
    'RESERVE_RESOURCES',
    'UNRESERVE_RESOURCES',
    'CREATE_VOLUMES',
    'DESTROY_VOLUMES',
    'UPDATE_MAINTENANCE_SCHEDULE',
    'START_MAINTENANCE',
    'STOP_MAINTENANCE',
    'UPDATE_QUOTA',
    'TEARDOWN',
    'MARK_AGENT_GONE',
    'GROW_VOLUME',
    'SHRINK_VOLUME',
    'DRAIN_AGENT',
    'DEACTIVATE_AGENT',
    'REACTIVATE_AGENT',
  ]),
});

/** Responses carry their payload for the GET_* calls; a payload-less response type is just `{"type": ...}`. */
export const decodeOperatorResponse = compileDecoder(OperatorResponse);

export const decodeOperatorEvent = requirePayload(compileDecoder(OperatorEvent), {
  payload: new Set(['SUBSCRIBED', 'TASK_ADDED', 'TASK_UPDATED', 'AGENT_ADDED', 'AGENT_REMOVED', 'FRAMEWORK_ADDED', 'FRAMEWORK_UPDATED', 'FRAMEWORK_REMOVED']),
});

/** Calls to the agent's Operator API; the ones it answers need no payload. */
export const decodeAgentCall = compileDecoder(AgentCall);
