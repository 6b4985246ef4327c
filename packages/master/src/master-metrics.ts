import { isTerminalState, Resources, TASK_STATES } from '@ts-mesos/protocol';
import type { MasterCore } from './master-core.js';

/** What the metrics add about the process itself. */
export interface MetricsContext {
  readonly startTimeMs: number;
  readonly now: number;
  readonly elected: boolean;
  /** Event-stream counts the shell keeps. */
  readonly eventStreams: number;
  /** What waits in the master's mailbox (`master/event_queue_*`), when the shell knows. */
  readonly eventQueue?: { readonly messages: number; readonly dispatches: number; readonly httpRequests: number };
}

const RESOURCE_NAMES = ['cpus', 'mem', 'disk', 'gpus'] as const;

/** `tasks_running` from `TASK_RUNNING`. */
const metricState = (state: string): string => state.replace(/^TASK_/, '').toLowerCase();

/**
 * The `master/*` metrics with Apache Mesos's names (docs/monitoring.md): gauges read from the
 * state now, counters from `core.stats`. Task metrics: non-terminal states count the tasks in
 * that state now; terminal states count every task that ever ended that way.
 */
export function masterMetrics(core: MasterCore, context: MetricsContext): Record<string, number> {
  const m: Record<string, number> = {};
  m['master/uptime_secs'] = (context.now - context.startTimeMs) / 1000;
  m['master/elected'] = context.elected ? 1 : 0;
  if (context.eventQueue !== undefined) {
    m['master/event_queue_messages'] = context.eventQueue.messages;
    m['master/event_queue_dispatches'] = context.eventQueue.dispatches;
    m['master/event_queue_http_requests'] = context.eventQueue.httpRequests;
  }

  let active = 0;
  const totals: Resources[] = [];
  const holding: Resources[] = [];
  for (const agent of core.agents.values()) {
    if (agent.active) active++;
    totals.push(agent.total);
    for (const task of agent.tasks.values()) if (!isTerminalState(task.task.state)) holding.push(task.resources);
  }
  const total = Resources.sum(totals);
  const used = Resources.sum(holding);
  const offered = Resources.sum([...core.offers.values()].map((o) => o.resources));
  m['master/slaves_active'] = active;
  m['master/slaves_inactive'] = core.agents.size - active;
  m['master/slaves_connected'] = active;
  m['master/slaves_disconnected'] = core.agents.size - active;
  m['master/slaves_unreachable'] = core.options.registry.unreachable.size;
  m['master/slave_registrations'] = core.stats.agentRegistrations;
  m['master/slave_reregistrations'] = core.stats.agentReregistrations;
  m['master/slave_removals'] = core.stats.agentRemovals;

  let frameworksActive = 0;
  let frameworksConnected = 0;
  const current = new Map<string, number>();
  for (const framework of core.frameworks.values()) {
    if (framework.active) frameworksActive++;
    if (framework.connected) frameworksConnected++;
    for (const task of framework.tasks.values()) {
      if (!isTerminalState(task.task.state)) current.set(task.task.state, (current.get(task.task.state) ?? 0) + 1);
    }
  }
  m['master/frameworks_active'] = frameworksActive;
  m['master/frameworks_inactive'] = core.frameworks.size - frameworksActive;
  m['master/frameworks_connected'] = frameworksConnected;
  m['master/frameworks_disconnected'] = core.frameworks.size - frameworksConnected;
  m['master/framework_subscriptions'] = core.stats.frameworkSubscriptions;
  m['master/outstanding_offers'] = core.offers.size;
  m['master/offers_made'] = core.stats.offersMade;
  m['master/event_streams'] = context.eventStreams;

  for (const state of TASK_STATES) {
    const value = isTerminalState(state) ? (core.stats.terminalTasks[state] ?? 0) : (current.get(state) ?? 0);
    m[`master/tasks_${metricState(state)}`] = value;
  }
  m['master/valid_status_updates'] = core.stats.validStatusUpdates;
  m['master/invalid_status_updates'] = core.stats.invalidStatusUpdates;

  for (const name of RESOURCE_NAMES) {
    for (const [suffix, pool] of [['', (r: Resources) => r.nonRevocable()], ['_revocable', (r: Resources) => r.revocable()]] as const) {
      const t = pool(total).scalar(name);
      const u = pool(used).scalar(name);
      m[`master/${name}${suffix}_total`] = t;
      m[`master/${name}${suffix}_used`] = u;
      m[`master/${name}${suffix}_percent`] = t > 0 ? u / t : 0;
    }
    m[`master/${name}_offered`] = offered.scalar(name);
  }
  return m;
}
