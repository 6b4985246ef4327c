import { type AgentInfo, parseAttributes, parseResourcesFlag, type Resource, Resources, type Result, err, ok } from '@ts-mesos/protocol';
import { readFileSync } from 'node:fs';
import si from 'systeminformation';

export interface DetectedMachine {
  readonly cpus: number;
  readonly memMb: number;
  readonly diskMb: number;
}

/** The machine's cpus, memory and the disk holding `workDir`, as systeminformation reports them. */
export async function detectMachine(workDir: string): Promise<DetectedMachine> {
  const [cpu, mem, disks] = await Promise.all([si.cpu(), si.mem(), si.fsSize()]);
  // The filesystem whose mount point is the longest prefix of the work directory holds it.
  const holding = disks.filter((d) => workDir === d.mount || workDir.startsWith(d.mount.endsWith('/') ? d.mount : `${d.mount}/`)).sort((a, b) => b.mount.length - a.mount.length)[0];
  return { cpus: cpu.cores, memMb: Math.floor(mem.total / 1048576), diskMb: Math.floor((holding?.size ?? 0) / 1048576) };
}

/**
 * The agent's total resources: `--resources` as given, and for cpus, mem, disk and ports it
 * leaves out, what the machine has, keeping back what Mesos keeps back for the system
 * (mem: 1 GB, or half below 2 GB; disk: 5 GB, or half below 10 GB).
 */
export function agentResources(flag: string | undefined, machine: DetectedMachine): Result<Resources> {
  let given = Resources.EMPTY;
  if (flag !== undefined && flag !== '') {
    const parsed = parseResourcesFlag(flag, (path) => readFileSync(path, 'utf8'));
    if (!parsed.ok) return err(`Invalid --resources: ${parsed.error}`);
    given = parsed.value;
  }
  const names = new Set(given.names());
  const add: Resource[] = [];
  const defaults = Resources.fromJson([
    ...(names.has('cpus') ? [] : [{ name: 'cpus', type: 'SCALAR', scalar: { value: machine.cpus } }]),
    ...(names.has('mem') ? [] : [{ name: 'mem', type: 'SCALAR', scalar: { value: machine.memMb >= 2048 ? machine.memMb - 1024 : Math.floor(machine.memMb / 2) } }]),
    ...(names.has('disk') ? [] : [{ name: 'disk', type: 'SCALAR', scalar: { value: machine.diskMb >= 10240 ? machine.diskMb - 5120 : Math.floor(machine.diskMb / 2) } }]),
    ...(names.has('ports') ? [] : [{ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 32000 }] } }]),
  ]);
  if (!defaults.ok) return err(defaults.error);
  for (const r of defaults.value) add.push(r);
  return ok(given.add(Resources.of(...add)));
}

/** `--attributes` read, or why not, in the words the agent and mesos-local both use. */
export function agentAttributes(flag: string | undefined): Result<NonNullable<AgentInfo['attributes']>> {
  const parsed = parseAttributes(flag ?? '');
  return parsed.ok ? parsed : err(`Invalid --attributes: ${parsed.error}`);
}
