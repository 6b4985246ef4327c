import { writeFileSync } from 'node:fs';
import { getStateJsonChunks, MasterCore, masterInfo, MemoryRegistry, stateJsonChunks, stateModel, stateSummaryJsonChunks } from '@ts-mesos/master';
import { parseResources, PROTOCOL_VERSION } from '@ts-mesos/protocol';

function flag(args: readonly string[], name: string, fallback: number): number {
  const found = args.find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : Number(found.split('=')[1]);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * `npm run bench -- state [--agents=10000] [--tasks=100000] [--frameworks=100] [--rounds=5]`:
 * a master core holding that cluster answers `/master/state`, `/master/state-summary` and the
 * Operator API's GET_STATE. Building and serialising an answer runs on the master's event loop,
 * so its time is how long offers and status updates wait behind it. The same-run baseline is
 * `JSON.stringify` alone of the `/master/state` answer: the floor any implementation pays.
 */
export function run(args: readonly string[]): Promise<Record<string, number>> {
  const agents = flag(args, 'agents', 10_000);
  const tasks = flag(args, 'tasks', 100_000);
  const frameworks = flag(args, 'frameworks', 100);
  const rounds = flag(args, 'rounds', 5);
  const now = Date.now();
  const core = new MasterCore({
    info: masterInfo('bench', '127.0.0.1', 5050, 'localhost', '1.11.0'),
    registry: new MemoryRegistry().recover(),
    agentPingTimeoutMs: 15_000,
    maxAgentPingTimeouts: 5,
    maxCompletedTasksPerFramework: 1000,
    maxCompletedFrameworks: 50,
    heartbeatIntervalSeconds: 15,
  });
  const agentResources = parseResources('cpus:64;mem:262144;disk:1000000;ports:[31000-32000]');
  if (!agentResources.ok) throw new Error(agentResources.error);
  const started = performance.now();
  for (let i = 0; i < agents; i++) {
    const host = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    core.registerAgent(`slave(1)@${host}:5051`, { version: PROTOCOL_VERSION, agent_info: { hostname: host, port: 5051, resources: agentResources.value.toJson() as never, attributes: [{ name: 'rack', type: 'TEXT', text: { value: `r${i % 40}` } }] } }, now);
  }
  const frameworkIds: string[] = [];
  for (let i = 0; i < frameworks; i++) {
    const subscribed = core.subscribe({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'root', name: `fw${i}`, roles: [`role${i % 10}`], capabilities: [{ type: 'MULTI_ROLE' }] } } }, `stream${i}`, now);
    if (!subscribed.ok) throw new Error(subscribed.message);
    frameworkIds.push(subscribed.frameworkId);
  }
  const agentIds = [...core.agents.keys()];
  const taskResources = parseResources('cpus:0.5;mem:512;disk:100');
  if (!taskResources.ok) throw new Error(taskResources.error);
  for (let i = 0; i < tasks; i++) {
    const frameworkId = frameworkIds[i % frameworks]!;
    const agentId = agentIds[i % agents]!;
    const role = `role${(i % frameworks) % 10}`;
    core.addTask({
      task: {
        name: `task ${i}`,
        task_id: { value: `task-${i}` },
        framework_id: { value: frameworkId },
        agent_id: { value: agentId },
        state: 'TASK_RUNNING',
        resources: taskResources.value.toJson() as never,
        statuses: [{ task_id: { value: `task-${i}` }, state: 'TASK_RUNNING', timestamp: now / 1000 }],
      },
      frameworkId,
      agentId,
      resources: taskResources.value.allocate(role),
      role,
      recovered: false,
      views: undefined,
    });
  }
  core.drain();
  process.stdout.write(`cluster: ${agents} agents, ${frameworks} frameworks, ${tasks} running tasks (built in ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);

  const context = { version: '1.11.0', startTimeMs: now, electedTimeMs: now, flags: {} };
  // Chunks are read as they are counted: `/master/state`'s are joined only then, as the socket reads them.
  const time = (fn: () => string | Iterable<string>): { ms: number; bytes: number } => {
    const t = performance.now();
    const text = fn();
    let bytes = 0;
    if (typeof text === 'string') bytes = text.length;
    else for (const chunk of text) bytes += chunk.length;
    return { ms: performance.now() - t, bytes };
  };
  const results: Record<string, number[]> = { state: [], summary: [], get_state: [], stringify: [] };
  let stateBytes = 0;
  if (process.env['STATE_DUMP'] !== undefined) writeFileSync(process.env['STATE_DUMP'], JSON.stringify(stateModel(core, context), null, 1));
  for (let round = 0; round < rounds; round++) {
    const state = time(() => stateJsonChunks(core, context)); // as the endpoint sends it: in chunks, each made as it is read
    stateBytes = state.bytes;
    results['state']!.push(state.ms);
    results['summary']!.push(time(() => stateSummaryJsonChunks(core)).ms);
    results['get_state']!.push(time(() => getStateJsonChunks(core).end()).ms); // as the endpoint sends it, in chunks
    const model = stateModel(core, context);
    results['stringify']!.push(time(() => JSON.stringify(model)).ms);
  }
  const stateMs = median(results['state']!);
  const baselineMs = median(results['stringify']!);
  process.stdout.write(`/master/state: median ${stateMs.toFixed(0)} ms for ${(stateBytes / 1e6).toFixed(1)} MB (target < 500 ms; Apache Mesos ~3 s at this size); the first, before any agent's text is kept: ${(results['state']![0] ?? 0).toFixed(0)} ms\n`);
  process.stdout.write(`/master/state-summary: median ${median(results['summary']!).toFixed(0)} ms\n`);
  process.stdout.write(`GET_STATE: median ${median(results['get_state']!).toFixed(0)} ms\n`);
  process.stdout.write(`baseline (JSON.stringify of the answer alone): median ${baselineMs.toFixed(0)} ms; ratio ${(stateMs / baselineMs).toFixed(2)}\n`);
  return Promise.resolve({
    agents,
    tasks,
    frameworks,
    state_median_ms: Math.round(stateMs),
    state_first_ms: Math.round(results['state']![0] ?? 0),
    state_bytes: stateBytes,
    state_summary_median_ms: Math.round(median(results['summary']!)),
    get_state_median_ms: Math.round(median(results['get_state']!)),
    baseline_stringify_median_ms: Math.round(baselineMs),
    ratio_vs_baseline: Number((stateMs / baselineMs).toFixed(2)),
  });
}
