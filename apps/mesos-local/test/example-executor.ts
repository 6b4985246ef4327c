import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Daemon, TestFramework } from './daemon.js';

/** The example executor (apps/example-executor) as an ExecutorInfo command. */
export const EXAMPLE_EXECUTOR = `${process.execPath} ${join(resolve(import.meta.dirname, '../../..'), 'apps', 'example-executor', 'bin', 'example-executor.js')}`;

export type Offer = { id: { value: string }; agent_id: { value: string } };
export type AgentState = { id?: string; frameworks: { executors: { id: string; type: string; directory: string; tasks: { id: string; state: string }[] }[] }[] };

const cpusMem = [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
];

/** Launches `tasks` (each with its data: `wait`, `sleep N`, ...) on the example executor `executorId`, with the next offer from `agentId` (any agent if undefined). */
export async function launchOnExecutor(framework: TestFramework, agentId: string | undefined, executorId: string, tasks: { id: string; data: string }[]): Promise<Offer> {
  const offer = await framework.freshOffer((o) => agentId === undefined || o.agent_id.value === agentId);
  const executor = { executor_id: { value: executorId }, command: { value: EXAMPLE_EXECUTOR }, resources: cpusMem };
  await framework.scheduler.launch(
    [offer.id.value],
    tasks.map((t) => ({ name: t.id, task_id: { value: t.id }, agent_id: offer.agent_id, resources: cpusMem, executor, data: Buffer.from(t.data).toString('base64') })),
    { refuse_seconds: 0 },
  );
  return offer;
}

export async function agentState(agent: Daemon): Promise<AgentState> {
  return (await (await fetch(`${agent.url}/slave(1)/state`)).json()) as AgentState;
}

/** The sandbox of a running executor, as the agent's `/state` shows it. */
export async function sandboxOf(agent: Daemon, executorId: string): Promise<string> {
  return (await agentState(agent)).frameworks.flatMap((f) => f.executors).find((e) => e.id === executorId)!.directory;
}

/** The processes whose working directory is `dir` (an executor runs in its sandbox). */
export function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`) === dir) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** A sandbox file's text ('' while it does not exist). */
export function sandboxFile(sandbox: string, name: 'stdout' | 'stderr'): string {
  try {
    return readFileSync(join(sandbox, name), 'utf8');
  } catch {
    return '';
  }
}

/**
 * Tears the framework down and waits until the agent has no custom executor left (each got
 * SHUTDOWN and exited) before the caller stops the agent: executors outlive an agent that
 * stops first, retrying for --recovery_timeout (15 min by default), as Mesos's do.
 */
export async function tearDown(framework: TestFramework, agent: Daemon | undefined): Promise<void> {
  await framework.scheduler.teardown().catch(() => framework.scheduler.stop());
  if (agent === undefined) return;
  for (const end = Date.now() + 10_000; Date.now() < end; ) {
    const state = await agentState(agent).catch(() => undefined);
    if (state === undefined || !state.frameworks.some((f) => f.executors.some((e) => e.type === 'CUSTOM'))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
