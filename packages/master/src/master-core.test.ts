import { describe, expect, it } from 'vitest';
import { HierarchicalAllocator } from '@ts-mesos/allocator';
import type { InternalMessage, SchedulerEvent } from '@ts-mesos/protocol';
import { MasterCore, type MasterCoreOptions } from './master-core.js';
import type { MasterEffect } from './master-effect.js';
import { masterInfo } from './master-info.js';
import { MemoryRegistry } from './registry.js';
import { getExecutors, getState, getStateJson } from './operator-api.js';
import { stateJson, stateJsonChunks, stateModel, stateSummaryJsonChunks, stateSummaryModel } from './state-json.js';

const AGENT = 'slave(1)@127.0.0.1:5051';

/** A master core with the usual options, on `registry`, named `id`. */
function masterCore(registry: MemoryRegistry, id = 'm', extra: Partial<MasterCoreOptions> = {}): MasterCore {
  return new MasterCore({
    info: masterInfo(id, '127.0.0.1', 5050, 'localhost', '1.11.0'),
    registry: registry.recover(),
    agentPingTimeoutMs: 15_000,
    maxAgentPingTimeouts: 5,
    maxCompletedTasksPerFramework: 1000,
    maxCompletedFrameworks: 50,
    heartbeatIntervalSeconds: 15,
    ...extra,
  });
}

/** A master core wired to a real allocator core, driven step by step; no I/O, no clock. */
function harness() {
  const registry = new MemoryRegistry();
  const core = masterCore(registry);
  const allocator = new HierarchicalAllocator({ seed: 1 });
  const out: MasterEffect[] = [];
  const step = (): MasterEffect[] => {
    const effects = core.drain();
    for (const e of effects) {
      if (e.kind === 'allocator') e.apply(allocator);
      if (e.kind === 'persist') registry.apply(e.change);
    }
    out.push(...effects);
    return effects;
  };
  const events = (effects: MasterEffect[]): SchedulerEvent[] => effects.flatMap((e) => (e.kind === 'event' ? [e.event] : []));
  const allocate = (now = 0): SchedulerEvent[] => {
    core.makeOffers(allocator.allocate(now), now);
    return events(step());
  };
  return { core, allocator, registry, step, events, allocate, out };
}

const resources = [
  { name: 'cpus', type: 'SCALAR' as const, scalar: { value: 4 } },
  { name: 'mem', type: 'SCALAR' as const, scalar: { value: 4096 } },
];

/** Agent AGENT registered and framework m-0000 subscribed on `stream`: the framework's first offer. */
function firstOffer(h: ReturnType<typeof harness>, stream = 'stream-1'): NonNullable<SchedulerEvent['offers']>['offers'][number] {
  h.core.registerAgent(AGENT, { version: '1.0', agent_info: { hostname: 'a1', resources } }, 0);
  h.core.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'f' } } }, stream, 0);
  h.step();
  return h.allocate()[0]!.offers!.offers[0]!;
}

/** Agent AGENT registered, framework m-0000 subscribed (stream-1), and tasks `ids` (1 cpu each) launched on its first offer; the agent's ID. */
function launchedOnOneAgent(h: ReturnType<typeof harness>, ids: readonly string[]): { value: string } {
  const offer = firstOffer(h);
  const task = (id: string) => ({ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: 1 } }], command: { value: 'true' } });
  h.core.call({ type: 'ACCEPT', framework_id: { value: 'm-0000' }, accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: ids.map(task) } }] } }, 'stream-1', 0);
  h.step();
  return offer.agent_id;
}

describe('MasterCore', () => {
  it("refuses a SUBSCRIBE whose FrameworkInfo Mesos refuses, and keeps offering to the others", () => {
    const h = harness();
    h.core.registerAgent(AGENT, { version: '1.0', agent_info: { hostname: 'a1', resources } }, 0);
    const multi = { capabilities: [{ type: 'MULTI_ROLE' as const }] };
    const refused: [Record<string, unknown>, string, { value: string }?][] = [
      [{ ...multi, roles: ['..'] }, "contains invalid role: role '..' cannot include '..'"],
      [{ ...multi, roles: ['a', 'b', 'a'] }, 'contains duplicate items: a'],
      [{ ...multi, roles: ['a'], role: 'a' }, "'FrameworkInfo.role' must not be set"],
      [{ roles: ['a'] }, "'FrameworkInfo.roles' must not be set"],
      [{ role: 'x y' }, "'FrameworkInfo.role' is not a valid role"],
      [{ id: { value: 'a/b' } }, "Invalid 'FrameworkInfo.id'", { value: 'a/b' }],
      [{ id: { value: '..' } }, "Invalid 'FrameworkInfo.id'", { value: '..' }],
      [{ failover_timeout: 1e308 }, 'failover_timeout (1e+308) is invalid'],
      [{ id: { value: 'F1' } }, "'framework_id' differs"],
      [{}, "'framework_id' differs", { value: 'F1' }],
    ];
    for (const [info, message, frameworkId] of refused) {
      const call = { type: 'SUBSCRIBE' as const, subscribe: { framework_info: { user: 'u', name: 'bad', ...info } }, ...(frameworkId === undefined ? {} : { framework_id: frameworkId }) };
      expect(h.core.subscribe(call as never, 'stream-x', 0)).toEqual({ ok: false, status: 400, message: expect.stringContaining(message) });
    }
    expect(h.core.frameworks.size).toBe(0);
    h.core.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'f', ...multi, roles: ['a', 'b'] } } }, 'stream-1', 0);
    h.step();
    expect(h.allocate()[0]).toMatchObject({ type: 'OFFERS' });
  });

  it('refuses a re-subscription that changes the principal, the user or checkpointing, and keeps the framework as it was', () => {
    const h = harness();
    const info = { user: 'root', name: 'f', principal: 'p', checkpoint: false };
    expect(h.core.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: info } }, 'stream-1', 0)).toMatchObject({ ok: true, frameworkId: 'm-0000' });
    const again = (changed: Record<string, unknown>) =>
      h.core.subscribe({ type: 'SUBSCRIBE', framework_id: { value: 'm-0000' }, subscribe: { framework_info: { ...info, ...changed, id: { value: 'm-0000' } } } } as never, 'stream-2', 0);
    expect(again({ user: 'nobody' })).toEqual({ ok: false, status: 400, message: "Updating 'FrameworkInfo.user' is unsupported; attempted to update from 'root' to 'nobody'" });
    expect(again({ checkpoint: true })).toEqual({ ok: false, status: 400, message: "Updating 'FrameworkInfo.checkpoint' is unsupported; attempted to update from 'false' to 'true'" });
    expect(again({ principal: 'mallory' })).toEqual({ ok: false, status: 400, message: "Changing framework's principal is not allowed." });
    expect(h.core.frameworks.get('m-0000')).toMatchObject({ streamId: 'stream-1', info: { user: 'root', checkpoint: false, principal: 'p' } });
    // The name (and the rest) may change; an unset checkpoint is false.
    expect(again({ name: 'renamed', checkpoint: undefined })).toMatchObject({ ok: true });
    expect(h.core.frameworks.get('m-0000')).toMatchObject({ streamId: 'stream-2', info: { name: 'renamed' } });
  });

  it("DECLINE and ACCEPT without filters refuse what they leave for Mesos's default 5 s; refuse_seconds 0 asks for it back at once", () => {
    const h = harness();
    h.core.registerAgent(AGENT, { version: '1.0', agent_info: { hostname: 'a1', resources } }, 0);
    h.core.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'f' } } }, 'stream-1', 0);
    h.step();
    const offerAt = (now: number) => h.allocate(now).find((e) => e.type === 'OFFERS')?.offers?.offers[0];
    const decline = (id: { value: string }, filters?: { refuse_seconds: number }) => {
      h.core.call({ type: 'DECLINE', framework_id: { value: 'm-0000' }, decline: { offer_ids: [id], ...(filters === undefined ? {} : { filters }) } }, 'stream-1', 0);
      h.step();
    };
    decline(offerAt(0)!.id);
    expect(offerAt(4_900)).toBeUndefined();
    const again = offerAt(5_000)!;
    expect(again).toBeDefined();
    decline(again.id, { refuse_seconds: 0 });
    const third = offerAt(5_000)!;
    expect(third).toBeDefined();

    // An ACCEPT leaving resources unused: the same default for what is left.
    const launch = { type: 'LAUNCH' as const, launch: { task_infos: [{ name: 't', task_id: { value: 't' }, agent_id: third.agent_id, resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: 1 } }], command: { value: 'sleep 9' } }] } };
    h.core.call({ type: 'ACCEPT', framework_id: { value: 'm-0000' }, accept: { offer_ids: [third.id], operations: [launch] } }, 'stream-1', 5_000);
    h.step();
    expect(offerAt(9_900)).toBeUndefined();
    expect(offerAt(10_000)?.resources).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'cpus', scalar: { value: 3 } })]));
  });

  it('admits an agent (persisting it first), offers it to a subscribed framework, launches a valid task and rejects an invalid one', () => {
    const h = harness();
    h.core.registerAgent(AGENT, { version: '1.0', agent_info: { hostname: 'a1', resources } }, 0);
    const admitted = h.step();
    expect(admitted[0]).toMatchObject({ kind: 'persist', change: { op: 'admit' } });
    expect(admitted.find((e) => e.kind === 'send')).toMatchObject({ to: AGENT, name: 'AgentRegistered', body: { agent_id: { value: 'm-S0' } } });
    expect(h.registry.recover().admitted.has('m-S0')).toBe(true);

    const subscribed = h.core.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'f' } } }, 'stream-1', 0);
    expect(subscribed).toEqual({ ok: true, frameworkId: 'm-0000' });
    expect(h.events(h.step())[0]).toMatchObject({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'm-0000' }, heartbeat_interval_seconds: 15 } });

    const [offers] = h.allocate();
    const offer = offers!.offers!.offers[0]!;
    expect(offer.allocation_info).toBeUndefined();
    const task = (id: string, cpus: number) => ({ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: cpus } }], command: { value: 'true' } });
    const outcome = h.core.call(
      { type: 'ACCEPT', framework_id: { value: 'm-0000' }, accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [task('ok', 1), task('big', 8)] } }] } },
      'stream-1',
      0,
    );
    expect(outcome).toEqual({ status: 202 });
    const effects = h.step();
    expect(effects.filter((e) => e.kind === 'send').map((e) => e.kind === 'send' && e.name)).toEqual(['RunTask']);
    expect(h.events(effects)).toEqual([
      expect.objectContaining({ type: 'UPDATE', update: { status: expect.objectContaining({ task_id: { value: 'big' }, state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID' }) } }),
    ]);
    expect(h.core.frameworks.get('m-0000')!.tasks.get('ok')!.task.state).toBe('TASK_STAGING');
  });

  it("refuses a custom or task group's executor Mesos refuses: one that does not fit, invalid resources, a bad ID or type", () => {
    const h = harness();
    const offer = firstOffer(h);
    const cpus = (value: number) => [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value } }];
    const executor = (id: string, r: unknown, extra: Record<string, unknown> = {}) => ({ executor_id: { value: id }, command: { value: 'run-executor' }, resources: r as never, ...extra });
    const task = (id: string, e?: ReturnType<typeof executor>) => ({ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: cpus(1), ...(e === undefined ? { command: { value: 'true' } } : { executor: e }) });
    const group = (id: string, e: ReturnType<typeof executor>) => ({ type: 'LAUNCH_GROUP' as const, launch_group: { executor: e, task_group: { tasks: [{ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: cpus(0.5) }] } } });
    // Entries that add up past the largest scalar: an invalid task, not an exception halfway through the ACCEPT.
    const overflowing = { ...task('overflow'), resources: [...cpus(9_007_199_254_740), ...cpus(9_007_199_254_740)] };
    const launch = { type: 'LAUNCH' as const, launch: { task_infos: [task('big-executor', executor('e1', cpus(100))), task('bad-executor', executor('e2', cpus(-1))), overflowing, task('fits', executor('e3', cpus(1)))] } };
    const operations = [launch, group('g-slash', executor('a/b', cpus(0.1))), group('g-custom', executor('g2', cpus(0.1), { type: 'CUSTOM' })), group('g-big', executor('g3', cpus(50))), group('g-ok', executor('g4', cpus(0.5)))];
    h.core.call({ type: 'ACCEPT', framework_id: { value: 'm-0000' }, accept: { offer_ids: [offer.id], operations } }, 'stream-1', 0);
    const effects = h.step();
    const errors = Object.fromEntries(h.events(effects).flatMap((e) => (e.type === 'UPDATE' ? [[e.update!.status.task_id.value, e.update!.status.message]] : [])));
    expect(errors).toEqual({
      'big-executor': expect.stringContaining('Task and its executor use more resources (cpus:101)'),
      'bad-executor': expect.stringContaining('Executor resources are invalid'),
      overflow: expect.stringContaining("Resource 'cpus' overflows"),
      'g-slash': expect.stringContaining('Executor ID is invalid'),
      'g-custom': expect.stringContaining("must be 'DEFAULT'"),
      'g-big': expect.stringContaining("The task group's executor uses more resources"),
    });
    expect(effects.flatMap((e) => (e.kind === 'send' ? [e.name] : []))).toEqual(['RunTask', 'RunTaskGroup']);
    expect([...h.core.frameworks.get('m-0000')!.tasks.keys()]).toEqual(['fits', 'g-ok']);
  });

  it('refuses an agent whose hostname is longer than a DNS name can be, registering or re-registering', () => {
    const h = harness();
    const hostname = 'h'.repeat(256);
    h.core.registerAgent(AGENT, { version: '1.0', agent_info: { hostname, resources } }, 0);
    h.core.reregisterAgent(AGENT, { version: '1.0', agent_info: { id: { value: 'm-S9' }, hostname, resources }, tasks: [], executor_infos: [], frameworks: [] }, 0);
    const rejected = h.step().flatMap((e) => (e.kind === 'send' && e.name === 'AgentRegistrationRejected' ? [e.body] : []));
    expect(rejected).toEqual([{ message: 'Agent hostname is longer than 255 characters' }, { message: 'Agent hostname is longer than 255 characters' }]);
    expect(h.core.agents.size).toBe(0);
    expect(h.registry.recover().admitted.size).toBe(0);
  });

  it("allocates a new custom executor's resources once, beside its tasks, until the agent says it exited", () => {
    const h = harness();
    const offer = firstOffer(h);
    const cpus = (value: number) => [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value } }];
    const executor = { executor_id: { value: 'e1' }, command: { value: 'run-executor' }, resources: cpus(1) };
    const task = (id: string) => ({ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: cpus(1), executor });
    const accept = (offerId: { value: string }, ids: string[]) => {
      h.core.call({ type: 'ACCEPT', framework_id: { value: 'm-0000' }, accept: { offer_ids: [offerId], operations: [{ type: 'LAUNCH', launch: { task_infos: ids.map(task) } }], filters: { refuse_seconds: 0 } } }, 'stream-1', 0);
      h.step();
    };
    const offeredCpus = () => h.allocate()[0]?.offers?.offers[0]?.resources.find((r) => r.name === 'cpus')?.scalar?.value;
    accept(offer.id, ['a', 'b']); // 4 cpus: the executor's 1, then 1 for each task
    const next = h.allocate()[0]!.offers!.offers[0]!;
    expect(next.resources.find((r) => r.name === 'cpus')?.scalar?.value).toBe(1);
    expect(getExecutors(h.core).executors.map((e) => e.executor_info.executor_id.value)).toEqual(['e1']);
    // /master/state counts what the executor holds as used, by the agent and by the framework.
    const context = { version: '1.11.0', startTimeMs: 0, electedTimeMs: 0, flags: {} };
    const state = JSON.parse(stateJson(h.core, context)) as { slaves: { used_resources: { cpus: number } }[]; frameworks: { used_resources: { cpus: number } }[] };
    expect([state.slaves[0]!.used_resources.cpus, state.frameworks[0]!.used_resources.cpus]).toEqual([3, 3]);
    expect(stateJson(h.core, context)).toBe(JSON.stringify(stateModel(h.core, context)));
    // A task for the executor already running needs only its own resources.
    accept(next.id, ['c']);
    expect(h.core.frameworks.get('m-0000')!.tasks.size).toBe(3);
    expect(offeredCpus()).toBeUndefined(); // all 4 held: e1 and three tasks
    h.core.exitedExecutor(AGENT, { agent_id: offer.agent_id, framework_id: { value: 'm-0000' }, executor_id: { value: 'e1' } });
    h.step();
    expect(offeredCpus()).toBe(1);
    expect(getExecutors(h.core).executors).toEqual([]);
  });

  it("allocates a task group's new executor's resources once, beside the group's tasks, until the agent says it exited", () => {
    const h = harness();
    const offer = firstOffer(h);
    const cpus = (value: number) => [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value } }];
    const executor = { executor_id: { value: 'g1' }, type: 'DEFAULT' as const, resources: cpus(1) };
    const group = (ids: string[]) => ({ type: 'LAUNCH_GROUP' as const, launch_group: { executor, task_group: { tasks: ids.map((id) => ({ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: cpus(1) })) } } });
    const accept = (offerId: { value: string }, ids: string[]) => {
      h.core.call({ type: 'ACCEPT', framework_id: { value: 'm-0000' }, accept: { offer_ids: [offerId], operations: [group(ids)], filters: { refuse_seconds: 0 } } }, 'stream-1', 0);
      h.step();
    };
    const offeredCpus = () => h.allocate()[0]?.offers?.offers[0]?.resources.find((r) => r.name === 'cpus')?.scalar?.value;
    accept(offer.id, ['a', 'b']); // 4 cpus: the executor's 1, then 1 for each task
    const next = h.allocate()[0]!.offers!.offers[0]!;
    expect(next.resources.find((r) => r.name === 'cpus')?.scalar?.value).toBe(1);
    expect(getExecutors(h.core).executors.map((e) => e.executor_info.executor_id.value)).toEqual(['g1']);
    // Another group for the executor already running needs only its tasks' resources.
    accept(next.id, ['c']);
    expect(h.core.frameworks.get('m-0000')!.tasks.size).toBe(3);
    expect(offeredCpus()).toBeUndefined(); // all 4 held: g1 and three tasks
    h.core.exitedExecutor(AGENT, { agent_id: offer.agent_id, framework_id: { value: 'm-0000' }, executor_id: { value: 'g1' } });
    h.step();
    expect(offeredCpus()).toBe(1);
    expect(getExecutors(h.core).executors).toEqual([]);
  });

  it('gives back the resources of an executor a re-registering agent no longer runs, and takes on those a re-admitted one runs', () => {
    const h = harness();
    const offer = firstOffer(h);
    const cpus = (value: number) => [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value } }];
    const executor = { executor_id: { value: 'e1' }, framework_id: { value: 'm-0000' }, command: { value: 'run-executor' }, resources: cpus(2) };
    h.core.call({ type: 'ACCEPT', framework_id: { value: 'm-0000' }, accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [{ name: 't', task_id: { value: 't' }, agent_id: offer.agent_id, resources: cpus(1), executor }] } }], filters: { refuse_seconds: 0 } } }, 'stream-1', 0);
    h.step();
    const offered = (allocate: () => SchedulerEvent[]) => allocate()[0]?.offers?.offers[0]?.resources.find((r) => r.name === 'cpus')?.scalar?.value ?? 0;
    expect(offered(() => h.allocate())).toBe(1);
    const task = { name: 't', task_id: { value: 't' }, framework_id: { value: 'm-0000' }, executor_id: { value: 'e1' }, agent_id: offer.agent_id, state: 'TASK_RUNNING' as const, resources: cpus(1) };
    const reregister = { version: '1.0', agent_info: { id: offer.agent_id, hostname: 'a1', resources }, tasks: [task], frameworks: [{ id: { value: 'm-0000' }, user: 'u', name: 'f' }] };

    // A master that restarted takes the executor on from the agent's report: its 2 cpus stay held.
    const restarted = harness();
    restarted.core.subscribe({ type: 'SUBSCRIBE', framework_id: { value: 'm-0000' }, subscribe: { framework_info: { id: { value: 'm-0000' }, user: 'u', name: 'f' } } }, 'stream-2', 0);
    restarted.step();
    restarted.core.reregisterAgent(AGENT, { ...reregister, executor_infos: [executor] }, 0);
    restarted.step();
    expect(getExecutors(restarted.core).executors.map((e) => e.executor_info.executor_id.value)).toEqual(['e1']);
    expect(offered(() => restarted.allocate())).toBe(1);

    // Here, the agent comes back without it (it ended meanwhile): its 2 cpus are offered again.
    h.core.reregisterAgent(AGENT, { ...reregister, executor_infos: [] }, 0);
    h.step();
    expect(getExecutors(h.core).executors).toEqual([]);
    expect(offered(() => h.allocate())).toBe(2);
  });

  it('relays status updates, frees resources at a terminal state, and forgets the task when the terminal update is acknowledged', () => {
    const h = harness();
    const offer = firstOffer(h, 's');
    h.core.call(
      { type: 'ACCEPT', framework_id: { value: 'm-0000' }, accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [{ name: 't', task_id: { value: 't' }, agent_id: offer.agent_id, resources, command: { value: 'true' } }] } }] } },
      's',
      0,
    );
    h.step();
    expect(h.allocate()).toEqual([]); // everything is in use
    h.core.statusUpdate(AGENT, { framework_id: { value: 'm-0000' }, status: { task_id: { value: 't' }, state: 'TASK_FINISHED', uuid: 'AQEBAQEBAQEBAQEBAQEBAQ==' }, timestamp: 1, uuid: 'AQEBAQEBAQEBAQEBAQEBAQ==' });
    const relayed = h.events(h.step());
    expect(relayed[0]).toMatchObject({ type: 'UPDATE', update: { status: { state: 'TASK_FINISHED', uuid: 'AQEBAQEBAQEBAQEBAQEBAQ==', agent_id: { value: 'm-S0' } } } });
    expect(h.allocate()).toHaveLength(1); // the task's resources are offered again
    // An acknowledgement whose uuid is not 16 bytes of base64 is refused, and nothing is sent.
    for (const uuid of ['', 'AAAA', '!!!notbase64', Buffer.alloc(17).toString('base64')]) {
      const ack = { type: 'ACKNOWLEDGE' as const, framework_id: { value: 'm-0000' }, acknowledge: { agent_id: { value: 'm-S0' }, task_id: { value: 't' }, uuid } };
      expect(h.core.call(ack, 's', 0)).toMatchObject({ status: 400, message: expect.stringContaining('expected 16 bytes in base64') });
    }
    expect(h.step().filter((e) => e.kind === 'send')).toEqual([]);
    h.core.call({ type: 'ACKNOWLEDGE', framework_id: { value: 'm-0000' }, acknowledge: { agent_id: { value: 'm-S0' }, task_id: { value: 't' }, uuid: 'AQEBAQEBAQEBAQEBAQEBAQ==' } }, 's', 0);
    expect(h.step().find((e) => e.kind === 'send')).toMatchObject({ name: 'StatusUpdateAcknowledgement', to: AGENT });
    const framework = h.core.frameworks.get('m-0000')!;
    expect(framework.tasks.size).toBe(0);
    expect(framework.completedTasks.map((t) => t.task.state)).toEqual(['TASK_FINISHED']);
  });

  it('removes an agent after max ping timeouts and reports its tasks lost', () => {
    const h = harness();
    h.core.registerAgent(AGENT, { version: '1.0', agent_info: { hostname: 'a1', resources } }, 0);
    h.core.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'f' } } }, 's', 0);
    h.step();
    const offer = h.allocate()[0]!.offers!.offers[0]!;
    h.core.call(
      { type: 'ACCEPT', framework_id: { value: 'm-0000' }, accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [{ name: 't', task_id: { value: 't' }, agent_id: offer.agent_id, resources, command: { value: 'sleep 9' } }] } }] } },
      's',
      0,
    );
    h.step();
    for (let i = 0; i < 5; i++) h.core.pingAgents(i);
    expect(h.core.agents.size).toBe(1);
    h.step();
    h.core.pingAgents(5);
    const effects = h.step();
    expect(h.core.agents.size).toBe(0);
    expect(effects[0]).toMatchObject({ kind: 'persist', change: { op: 'unreachable', agentId: 'm-S0' } });
    expect(h.events(effects)).toEqual([expect.objectContaining({ update: { status: expect.objectContaining({ state: 'TASK_LOST', reason: 'REASON_AGENT_REMOVED' }) } })]);
  });

  it('pings a round in slices, each agent in one slice, and counts a silent agent only at its own slice', () => {
    const h = harness();
    for (let i = 1; i <= 4; i++) h.core.registerAgent(`slave(1)@127.0.0.${i}:5051`, { version: '1.0', agent_info: { hostname: `a${i}`, resources } }, 0);
    h.step();
    const pinged = (slice: number): string[] => {
      h.core.pingAgents(0, slice, 3);
      return h.step().flatMap((e) => (e.kind === 'send' && e.name === 'Ping' ? [e.to] : []));
    };
    const rounds = [pinged(0), pinged(1), pinged(2)];
    expect(rounds.map((r) => r.length)).toEqual([2, 1, 1]);
    expect(new Set(rounds.flat()).size).toBe(4);
    // Nobody answered; slice 1's agent is counted silent at slice 1, the others are not.
    pinged(1);
    expect([...h.core.agents.values()].map((a) => a.missedPings)).toEqual([0, 1, 0, 0]);
  });

  it('serialises GET_STATE from cached task JSON exactly as JSON.stringify would, and sees tasks change', () => {
    const h = harness();
    launchedOnOneAgent(h, ['a', 'b']);
    expect(JSON.parse(getStateJson(h.core))).toEqual(JSON.parse(JSON.stringify(getState(h.core))));
    h.core.statusUpdate(AGENT, { framework_id: { value: 'm-0000' }, status: { task_id: { value: 'a' }, state: 'TASK_FINISHED', source: 'SOURCE_EXECUTOR', uuid: 'AQEBAQEBAQEBAQEBAQEBAQ==' }, timestamp: 1, uuid: 'AQEBAQEBAQEBAQEBAQEBAQ==' });
    h.step();
    const after = JSON.parse(getStateJson(h.core)) as { get_tasks: { tasks: { task_id: { value: string } }[]; completed_tasks: { task_id: { value: string }; state: string }[] } };
    expect(after).toEqual(JSON.parse(JSON.stringify(getState(h.core))));
    expect(after.get_tasks.completed_tasks.map((t) => [t.task_id.value, t.state])).toEqual([['a', 'TASK_FINISHED']]);
    expect(after.get_tasks.tasks.map((t) => t.task_id.value)).toEqual(['b']);
  });

  it('keeps a status an agent sends with an own __proto__ key as data, its prototype untouched', () => {
    const h = harness();
    const agentId = launchedOnOneAgent(h, ['a']);
    const status = JSON.parse('{"task_id":{"value":"a"},"state":"TASK_RUNNING","source":"SOURCE_EXECUTOR","__proto__":{"polluted":true}}') as InternalMessage<'StatusUpdate'>['status'];
    h.core.statusUpdate(AGENT, { framework_id: { value: 'm-0000' }, status, timestamp: 1, uuid: 'AQEBAQEBAQEBAQEBAQEBAQ==' });
    h.step();
    const kept = h.core.frameworks.get('m-0000')!.tasks.get('a')!.task.statuses!.at(-1)!;
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect(Object.hasOwn(kept, '__proto__')).toBe(true);
    expect(kept).toMatchObject({ state: 'TASK_RUNNING', agent_id: agentId, uuid: 'AQEBAQEBAQEBAQEBAQEBAQ==' });
    expect((kept as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('serialises /master/state and /master/state-summary from cached agent and task text exactly as JSON.stringify of their models, as agents, offers and tasks change', () => {
    const h = harness();
    const context = { version: '1.11.0', startTimeMs: 1_000, electedTimeMs: 2_000, flags: { port: '5050' } };
    const same = () => {
      expect(stateJson(h.core, context)).toBe(JSON.stringify(stateModel(h.core, context)));
      expect([...stateSummaryJsonChunks(h.core)].join('')).toBe(JSON.stringify(stateSummaryModel(h.core)));
    };
    h.core.registerAgent(AGENT, { version: '1.0', agent_info: { hostname: 'a1', port: 5051, resources, attributes: [{ name: 'rack', type: 'TEXT', text: { value: 'r1' } }] } }, 0);
    h.core.registerAgent('slave(1)@127.0.0.2:5051', { version: '1.0', agent_info: { hostname: 'a2', resources } }, 0);
    h.core.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'f' } } }, 'stream-1', 0);
    h.step();
    same();
    const [offers] = h.allocate();
    same(); // offered resources on both agents
    const offer = offers!.offers!.offers.find((o) => o.hostname === 'a1')!;
    const task = (id: string) => ({ name: id, task_id: { value: id }, agent_id: offer.agent_id, resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: 1 } }], command: { value: 'true' } });
    h.core.call({ type: 'ACCEPT', framework_id: { value: 'm-0000' }, accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [task('a'), task('b')] } }] } }, 'stream-1', 0);
    h.step();
    same(); // used resources on a1, its offer gone
    // The endpoint's chunks are joined as the socket reads them: read after an update, they are still the text from before it.
    const staging = JSON.stringify(stateModel(h.core, context));
    const unread = stateJsonChunks(h.core, context);
    h.core.statusUpdate(AGENT, { framework_id: { value: 'm-0000' }, status: { task_id: { value: 'b' }, state: 'TASK_RUNNING', source: 'SOURCE_EXECUTOR', uuid: 'AgICAgICAgICAgICAgICAg==' }, timestamp: 1, uuid: 'AgICAgICAgICAgICAgICAg==' });
    h.step();
    expect([...unread].join('')).toBe(staging);
    expect(stateJson(h.core, context)).not.toBe(staging);
    same(); // b's cached text is not reused
    expect((JSON.parse(stateJson(h.core, context)) as { frameworks: { tasks: { id: string; state: string }[] }[] }).frameworks[0]!.tasks.map((t) => [t.id, t.state])).toEqual([
      ['a', 'TASK_STAGING'],
      ['b', 'TASK_RUNNING'],
    ]);
    h.core.statusUpdate(AGENT, { framework_id: { value: 'm-0000' }, status: { task_id: { value: 'a' }, state: 'TASK_FINISHED', source: 'SOURCE_EXECUTOR', uuid: 'AQEBAQEBAQEBAQEBAQEBAQ==' }, timestamp: 1, uuid: 'AQEBAQEBAQEBAQEBAQEBAQ==' });
    h.step();
    same();
    h.core.call({ type: 'ACKNOWLEDGE', framework_id: { value: 'm-0000' }, acknowledge: { agent_id: offer.agent_id, task_id: { value: 'a' }, uuid: 'AQEBAQEBAQEBAQEBAQEBAQ==' } }, 'stream-1', 0);
    h.step();
    same(); // a among the completed tasks
    h.core.agentExited(AGENT); // a1 deactivated: its cached text must not be reused
    h.step();
    const state = JSON.parse(stateJson(h.core, context)) as { slaves: { hostname: string; active: boolean }[] };
    expect(state.slaves.map((a) => [a.hostname, a.active])).toEqual([['a1', false], ['a2', true]]);
    same();
  });

  it('after recovering its registry, marks agents that do not re-register within agent_reregister_timeout unreachable', () => {
    const registry = new MemoryRegistry();
    for (const id of ['old-S0', 'old-S1']) registry.apply({ op: 'admit', agent: { id: { value: id }, hostname: id, resources } });
    const core = masterCore(registry, 'new', { agentReregisterTimeoutMs: 60_000 });
    core.recovered();
    const timer = core.drain().find((e) => e.kind === 'timer');
    expect(timer).toMatchObject({ delayMs: 60_000, input: { kind: 'agent-reregister-timeout' } });
    // Agent IDs continue after the recovered ones.
    core.registerAgent('slave(1)@127.0.0.1:6000', { version: '1.0', agent_info: { hostname: 'fresh', resources } }, 0);
    expect(core.drain().find((e) => e.kind === 'send')).toMatchObject({ body: { agent_id: { value: 'new-S2' } } });

    core.reregisterAgent(AGENT, { version: '1.0', agent_info: { id: { value: 'old-S0' }, hostname: 'old-S0', resources }, tasks: [], executor_infos: [], frameworks: [] }, 1000);
    for (const e of core.drain()) if (e.kind === 'persist') registry.apply(e.change);
    core.timer({ kind: 'agent-reregister-timeout' }, 60_000);
    const persisted = core.drain().flatMap((e) => (e.kind === 'persist' ? [e.change] : []));
    expect(persisted).toEqual([{ op: 'unreachable', agentId: 'old-S1', timeMs: 60_000 }]);
  });

  it('MARK_AGENT_GONE records the agent gone before anything else, shuts it down, ends its tasks, and refuses it afterwards', () => {
    const h = harness();
    h.core.registerAgent(AGENT, { version: '1.0', agent_info: { hostname: 'a1', resources } }, 0);
    h.step();
    expect(h.core.markAgentGone('m-S9', 1)).toMatchObject({ status: 404 });
    const effects = (h.core.markAgentGone('m-S0', 1000), h.step());
    expect(effects[0]).toEqual({ kind: 'persist', change: { op: 'gone', agentId: 'm-S0' } });
    expect(effects.find((e) => e.kind === 'send')).toMatchObject({ to: AGENT, name: 'AgentShutdown', body: { reason: 'GONE' } });
    expect(h.core.agents.size).toBe(0);
    expect(h.registry.recover().gone.has('m-S0')).toBe(true);
    expect(h.core.markAgentGone('m-S0', 2000)).toEqual({ status: 202 });
    h.core.reregisterAgent(AGENT, { version: '1.0', agent_info: { id: { value: 'm-S0' }, hostname: 'a1', resources }, tasks: [], executor_infos: [], frameworks: [] }, 3000);
    expect(h.step().find((e) => e.kind === 'send')).toMatchObject({ name: 'AgentShutdown', body: { reason: 'GONE' } });
  });

  it('forgets unreachable agents past --registry_max_agent_age, and the oldest beyond --registry_max_agent_count', () => {
    const registry = new MemoryRegistry();
    for (const [id, timeMs] of [['u-S0', 1_000], ['u-S1', 5_000], ['u-S2', 9_000], ['u-S3', 9_500]] as const) registry.apply({ op: 'unreachable', agentId: id, timeMs });
    const core = masterCore(registry, 'm', { registryGc: { maxAgeMs: 6_000, maxCount: 2, intervalMs: 60_000 } });
    core.recovered();
    expect(core.drain().find((e) => e.kind === 'timer')).toMatchObject({ key: 'registry-gc', delayMs: 60_000 });
    core.timer({ kind: 'registry-gc' }, 10_000);
    const effects = core.drain();
    // u-S0 is too old (9 s > 6 s); u-S1 is within age but the oldest beyond the count of 2.
    expect(effects.flatMap((e) => (e.kind === 'persist' ? [e.change] : []))).toEqual([
      { op: 'remove', agentId: 'u-S0' },
      { op: 'remove', agentId: 'u-S1' },
    ]);
    expect(effects.find((e) => e.kind === 'timer')).toMatchObject({ key: 'registry-gc' });
  });

  describe('reconciling tasks with a re-registering agent (found by tools/sim)', () => {
    /** An agent, a framework (partition-aware or not), and task 't1' launched on the agent. */
    function launched(partitionAware: boolean) {
      const h = harness();
      h.core.registerAgent(AGENT, { version: '1.0', agent_info: { hostname: 'a1', resources } }, 0);
      h.step();
      const capabilities = partitionAware ? [{ type: 'PARTITION_AWARE' as const }] : [];
      h.core.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'f', capabilities } } }, 'stream-1', 0);
      h.step();
      const offer = h.allocate()[0]!.offers!.offers[0]!;
      const task = { name: 't1', task_id: { value: 't1' }, agent_id: offer.agent_id, resources: [{ name: 'cpus', type: 'SCALAR' as const, scalar: { value: 1 } }], command: { value: 'true' } };
      h.core.call({ type: 'ACCEPT', framework_id: { value: 'm-0000' }, accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }] } }, 'stream-1', 0);
      h.step();
      const reregister = (now: number): MasterEffect[] => {
        h.core.reregisterAgent(AGENT, { version: '1.0', agent_info: { id: { value: 'm-S0' }, hostname: 'a1', resources }, tasks: [], executor_infos: [], frameworks: [] }, now);
        return h.step();
      };
      const reconcile = (now: number): SchedulerEvent[] => {
        h.core.call({ type: 'RECONCILE', framework_id: { value: 'm-0000' }, reconcile: { tasks: [{ task_id: { value: 't1' }, agent_id: { value: 'm-S0' } }] } }, 'stream-1', now);
        return h.events(h.step());
      };
      return { ...h, reregister, reconcile };
    }

    it('asks an agent that re-registers without a task it was sent, instead of declaring the task lost: the RunTask may still be on its way', () => {
      const h = launched(false);
      h.core.agentExited(AGENT);
      h.step();
      const effects = h.reregister(1000);
      expect(effects.find((e) => e.kind === 'send' && e.name === 'ReconcileTasks')).toMatchObject({
        to: AGENT,
        body: { framework_id: { value: 'm-0000' }, statuses: [{ task_id: { value: 't1' }, state: 'TASK_STAGING', reason: 'REASON_RECONCILIATION' }] },
      });
      expect(h.events(effects).filter((e) => e.type === 'UPDATE')).toEqual([]);
      // The task still holds its resources until the agent answers.
      expect(h.core.frameworks.get('m-0000')!.tasks.get('t1')!.recovered).toBe(false);
      h.core.statusUpdate(AGENT, { framework_id: { value: 'm-0000' }, status: { task_id: { value: 't1' }, state: 'TASK_LOST', source: 'SOURCE_AGENT', reason: 'REASON_RECONCILIATION' }, timestamp: 1, uuid: 'dQ==' });
      expect(h.events(h.step())).toEqual([expect.objectContaining({ type: 'UPDATE', update: { status: expect.objectContaining({ state: 'TASK_LOST', uuid: 'dQ==' }) } })]);
      expect(h.core.frameworks.get('m-0000')!.tasks.get('t1')!.recovered).toBe(true);
    });

    it('answers TASK_UNREACHABLE for a task left on an unreachable agent, and TASK_GONE once the agent is back without it', () => {
      const h = launched(true);
      h.core.markAgentUnreachable(h.core.agents.get('m-S0')!, 1000);
      expect(h.events(h.step())).toEqual([expect.objectContaining({ update: { status: expect.objectContaining({ state: 'TASK_UNREACHABLE' }) } })]);
      expect(h.reconcile(2000)).toEqual([expect.objectContaining({ update: { status: expect.objectContaining({ state: 'TASK_UNREACHABLE', reason: 'REASON_RECONCILIATION' }) } })]);
      h.reregister(3000);
      expect(h.reconcile(4000)).toEqual([expect.objectContaining({ update: { status: expect.objectContaining({ state: 'TASK_GONE', reason: 'REASON_RECONCILIATION' }) } })]);
    });
  });
});
