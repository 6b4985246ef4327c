import { randomUUID } from 'node:crypto';
import { ZkRegistry } from '@ts-mesos/master';
import { ZkSession } from '@ts-mesos/zk-election';
import { flag } from './daemons.js';

/**
 * `npm run bench -- zk-registry [--agents=50000]`: the HA registry in the ZooKeeper ensemble
 * (TS_MESOS_ZK_ENSEMBLE, default tools/services' one). Admits N agents (typical AgentInfo:
 * four resources and two attributes), pipelined as the master issues them, then has a second
 * registry load them all, as a newly elected master does. The same-run baseline is N bare
 * `exists` calls: the ensemble's own round-trip rate on this machine.
 */
export async function run(args: readonly string[]): Promise<Record<string, number>> {
  const agents = flag(args, 'agents', 50_000);
  const servers = process.env.TS_MESOS_ZK_ENSEMBLE ?? '127.0.0.1:2182,127.0.0.1:2183,127.0.0.1:2184';
  const root = `/ts-mesos-bench-registry-${randomUUID()}`;
  const session = await ZkSession.connect(servers, { sessionTimeoutMs: 30_000 });
  try {
    await session.mkdirp(root);
    const fence = await session.create(`${root}/json.info_`, Buffer.from('{}'), 'ephemeral-sequential');
    const writer = new ZkRegistry(session, `${root}/registry`, fence);
    await writer.load();
    const id = randomUUID();
    let started = performance.now();
    const window: Promise<void>[] = [];
    for (let i = 0; i < agents; i++) {
      window.push(
        writer.apply({
          op: 'admit',
          agent: {
            id: { value: `${id}-S${i}` },
            hostname: `agent-${i}.example.com`,
            port: 5051,
            resources: [
              { name: 'cpus', type: 'SCALAR', scalar: { value: 16 } },
              { name: 'mem', type: 'SCALAR', scalar: { value: 65_536 } },
              { name: 'disk', type: 'SCALAR', scalar: { value: 1_000_000 } },
              { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31_000, end: 32_000 }] } },
            ],
            attributes: [
              { name: 'rack', type: 'TEXT', text: { value: `r${i % 40}` } },
              { name: 'zone', type: 'TEXT', text: { value: `z${i % 3}` } },
            ],
          },
        }),
      );
      if (window.length >= 1000) await Promise.all(window.splice(0));
    }
    await Promise.all(window);
    const writeMs = performance.now() - started;
    process.stdout.write(`admitted ${agents} agents in ${(writeMs / 1000).toFixed(1)} s (${Math.round(agents / (writeMs / 1000))}/s)\n`);

    started = performance.now();
    const reader = new ZkRegistry(session, `${root}/registry`, fence);
    await reader.load();
    const loadMs = performance.now() - started;
    const loaded = reader.recover().admitted.size;
    if (loaded !== agents) throw new Error(`loaded ${loaded} agents, wrote ${agents}`);
    process.stdout.write(`a new leader loads them in ${(loadMs / 1000).toFixed(2)} s\n`);

    started = performance.now();
    const probes: Promise<unknown>[] = [];
    for (let i = 0; i < agents; i++) {
      probes.push(session.exists(`${root}/json.info_`));
      if (probes.length >= 1000) await Promise.all(probes.splice(0));
    }
    await Promise.all(probes);
    const baselineMs = performance.now() - started;
    process.stdout.write(`baseline: ${agents} bare exists calls in ${(baselineMs / 1000).toFixed(2)} s; load ratio ${(loadMs / baselineMs).toFixed(2)}\n`);
    return {
      agents,
      admit_per_s: Math.round(agents / (writeMs / 1000)),
      load_ms: Math.round(loadMs),
      baseline_exists_ms: Math.round(baselineMs),
      load_ratio_vs_exists: Number((loadMs / baselineMs).toFixed(2)),
    };
  } finally {
    // Leave nothing behind in the ensemble: remove the agents' znodes bucket by bucket.
    const buckets = await session.getChildren(`${root}/registry/agents`).catch(() => []);
    for (const bucket of buckets) {
      const children = await session.getChildren(`${root}/registry/agents/${bucket}`);
      await Promise.all(children.map((c) => session.remove(`${root}/registry/agents/${bucket}/${c}`)));
      await session.remove(`${root}/registry/agents/${bucket}`);
    }
    const members = await session.getChildren(root).catch(() => []);
    for (const member of members.filter((m) => m.startsWith('json.info_'))) await session.remove(`${root}/${member}`).catch(() => undefined);
    for (const path of [`${root}/registry/agents`, `${root}/registry/weights`, `${root}/registry/quotas`, `${root}/registry`, root]) await session.remove(path).catch(() => undefined);
    session.close();
  }
}
