import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Fields of `/proc/<pid>/stat` (proc(5)), counted from 1 after the command name. */
interface Stat {
  readonly state: string;
  readonly session: number;
  readonly utime: number;
  readonly stime: number;
  readonly threads: number;
  readonly startTime: string;
  readonly rssPages: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name may hold spaces and parentheses: the fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    state: fields[0] ?? '',
    session: Number(fields[3]),
    utime: Number(fields[11]),
    stime: Number(fields[12]),
    threads: Number(fields[17]),
    startTime: fields[19] ?? '',
    rssPages: Number(fields[21]),
  };
}

/** The process's start time (clock ticks after boot), or undefined when it is gone or a zombie. */
export function processStartTime(pid: number): string | undefined {
  const stat = readStat(pid);
  return stat === undefined || stat.state === 'Z' || stat.state === 'X' ? undefined : stat.startTime;
}

let ticksPerSecond: number | undefined;
let pageBytes: number | undefined;

function systemConfig(name: string, fallback: number): number {
  try {
    const value = Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}

/** CPU time, memory and process counts of every process in the session `sessionId` leads. */
export function sessionUsage(sessionId: number): {
  cpus_user_time_secs: number;
  cpus_system_time_secs: number;
  mem_rss_bytes: number;
  processes: number;
  threads: number;
} {
  ticksPerSecond ??= systemConfig('CLK_TCK', 100);
  pageBytes ??= systemConfig('PAGESIZE', 4096);
  let utime = 0;
  let stime = 0;
  let rss = 0;
  let processes = 0;
  let threads = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat === undefined || stat.session !== sessionId || stat.state === 'Z') continue;
    processes++;
    threads += stat.threads;
    utime += stat.utime;
    stime += stat.stime;
    rss += stat.rssPages;
  }
  return {
    cpus_user_time_secs: utime / ticksPerSecond,
    cpus_system_time_secs: stime / ticksPerSecond,
    mem_rss_bytes: rss * pageBytes,
    processes,
    threads,
  };
}
