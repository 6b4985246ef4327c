import { execFileSync } from 'node:child_process';

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * A test host: a network namespace joined to this machine by a veth pair on a /30 of its own
 * (10.213.N.0/30: this machine is .1, the test host .2). `cut` takes the link down at the
 * namespace's end (this machine keeps its route, so packets are dropped silently, as in a real
 * partition) and `heal` brings it back. A blackhole route for the /30 keeps the test host's
 * address from ever leaving through the default route.
 */
export class TestHost {
  readonly name: string;
  readonly localAddress: string;
  readonly hostAddress: string;
  private readonly subnet: string;
  private readonly inner: string;

  constructor(id = process.pid) {
    this.name = `tsm${id}`;
    this.inner = `${this.name}n`;
    const octet = id % 250;
    this.subnet = `10.213.${octet}.0/30`;
    this.localAddress = `10.213.${octet}.1`;
    this.hostAddress = `10.213.${octet}.2`;
  }

  create(): this {
    TestHost.removeStale();
    ip('route', 'replace', 'blackhole', this.subnet, 'metric', '4000');
    ip('netns', 'add', this.name);
    ip('link', 'add', `${this.name}h`, 'type', 'veth', 'peer', 'name', this.inner, 'netns', this.name);
    ip('addr', 'add', `${this.localAddress}/30`, 'dev', `${this.name}h`);
    ip('link', 'set', `${this.name}h`, 'up');
    this.inside('addr', 'add', `${this.hostAddress}/30`, 'dev', this.inner);
    this.inside('link', 'set', this.inner, 'up');
    this.inside('link', 'set', 'lo', 'up');
    return this;
  }

  /** The link goes down at the namespace's end: nothing passes either way. */
  cut(): void {
    this.inside('link', 'set', this.inner, 'down');
  }

  heal(): void {
    this.inside('link', 'set', this.inner, 'up');
  }

  /** Whether the namespace exists (create may have failed part-way). */
  get exists(): boolean {
    return ip('netns', 'list').split('\n').some((line) => line.split(' ')[0] === this.name);
  }

  /** Kills whatever still runs in the namespace, then removes it (with its veth pair) and the route. */
  remove(): void {
    TestHost.removeNamespace(this.name);
    try {
      ip('route', 'del', 'blackhole', this.subnet, 'metric', '4000');
    } catch {
      // never added, or gone already
    }
  }

  private inside(...args: string[]): string {
    return ip('netns', 'exec', this.name, 'ip', ...args);
  }

  private static removeNamespace(name: string): void {
    try {
      for (const pid of ip('netns', 'pids', name).split('\n').filter((l) => l !== '')) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      ip('netns', 'del', name);
    } catch {
      // never created, or gone already
    }
  }

  /** Namespaces a crashed earlier run left behind (their test process is gone). */
  private static removeStale(): void {
    for (const line of ip('netns', 'list').split('\n')) {
      const m = /^tsm(\d+)\b/.exec(line);
      if (m === null) continue;
      try {
        process.kill(Number(m[1]), 0);
      } catch {
        TestHost.removeNamespace(`tsm${m[1]}`);
        try {
          ip('route', 'del', 'blackhole', `10.213.${Number(m[1]) % 250}.0/30`, 'metric', '4000');
        } catch {
          // not there
        }
      }
    }
  }
}
