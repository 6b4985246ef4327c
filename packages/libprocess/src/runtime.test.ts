import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../test/capture-logger.js';
import {
  type Decoder,
  Http,
  MemoryNetwork,
  Process,
  ProcessNotFoundError,
  ProcessTerminatedError,
  Runtime,
  Upid,
  VirtualClock,
} from './index.js';

/** Records every message it gets; replies `pong` to `ping`. */
class Recorder extends Process {
  readonly got: { from: string; name: string; body: unknown }[] = [];
  readonly exits: string[] = [];
  initialized = false;
  finalized = false;

  constructor(id: string) {
    super(id);
    for (const name of ['note', 'work']) {
      this.install(name, (from, body: unknown) => {
        this.got.push({ from: from.toString(), name, body });
      });
    }
    this.install('ping', (from, body: unknown) => {
      this.got.push({ from: from.toString(), name: 'ping', body });
      this.send(from, 'pong', body);
    });
    this.install('pong', (from, body: unknown) => {
      this.got.push({ from: from.toString(), name: 'pong', body });
    });
    const isNumber: Decoder<number> = (body) =>
      typeof body === 'number' ? { ok: true, value: body } : { ok: false, error: `expected a number, got ${typeof body}` };
    this.install('number', (from, body: number) => {
      this.got.push({ from: from.toString(), name: 'number', body: body + 1 });
    }, isNumber);
  }

  tell(to: Upid, name: string, body?: unknown): void {
    this.send(to, name, body);
  }

  watch(to: Upid): void {
    this.link(to);
  }

  later(ms: number, note: string): void {
    this.delay(ms, () => {
      this.got.push({ from: 'timer', name: 'timer', body: note });
    });
  }

  protected override initialize(): void {
    this.initialized = true;
  }

  protected override finalize(): void {
    this.finalized = true;
  }

  protected override exited(pid: Upid): void {
    this.exits.push(pid.toString());
  }
}

const runtimes: Runtime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.stop()));
});

async function world(count = 1, network = new MemoryNetwork()) {
  const clock = new VirtualClock(0);
  const log = captureLogger();
  const made: Runtime[] = [];
  for (let i = 0; i < count; i++) {
    const runtime = new Runtime({ transport: network.transport('127.0.0.1', 5050 + i), clock, logger: log.logger });
    await runtime.start();
    made.push(runtime);
    runtimes.push(runtime);
  }
  return { clock, network, log, runtimes: made, settle: () => Promise.all(made.map((r) => r.settle())) };
}

describe('Runtime on the memory transport', () => {
  it('initializes a spawned process before anything else and names it id@host:port', async () => {
    const { runtimes: [rt] } = await world();
    const p = new Recorder('p');
    const pid = rt!.spawn(p);
    expect(pid.toString()).toBe('p@127.0.0.1:5050');
    await rt!.settle();
    expect(p.initialized).toBe(true);
    expect(() => rt!.spawn(new Recorder('p'))).toThrow(/already runs here/);
  });

  it('keeps per-sender order under load with many senders interleaved', async () => {
    const { runtimes: [rt] } = await world();
    const sink = new Recorder('sink');
    const sinkPid = rt!.spawn(sink);
    const senders = Array.from({ length: 10 }, (_, i) => new Recorder(`s${i}`));
    for (const s of senders) rt!.spawn(s);
    await rt!.settle();
    for (let n = 0; n < 2000; n++) for (const s of senders) await rt!.dispatch(s.self(), (p) => p.tell(sinkPid, 'work', n));
    await rt!.settle();
    expect(sink.got).toHaveLength(20_000);
    for (const s of senders) {
      const seen = sink.got.filter((g) => g.from === s.self().toString()).map((g) => g.body);
      expect(seen).toEqual(Array.from({ length: 2000 }, (_, n) => n));
    }
  });

  it('dispatch runs inside the process and returns its result; async handlers hold the mailbox', async () => {
    const { runtimes: [rt] } = await world();
    const p = new Recorder('p');
    const pid = rt!.spawn(p);
    const order: string[] = [];
    const slow = rt!.dispatch(pid, async () => {
      order.push('slow start');
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('slow end');
      return 1;
    });
    const fast = rt!.dispatch(pid, () => {
      order.push('fast');
      return 2;
    });
    expect(await Promise.all([slow, fast])).toEqual([1, 2]);
    expect(order).toEqual(['slow start', 'slow end', 'fast']);
    await expect(rt!.dispatch(Upid.parse('nobody@127.0.0.1:5050'), () => 0)).rejects.toBeInstanceOf(ProcessNotFoundError);
  });

  it('counts what waits in a mailbox by kind while an async handler holds it', async () => {
    const { runtimes: [rt] } = await world();
    const p = new Recorder('p');
    const pid = rt!.spawn(p);
    await rt!.settle();
    let release: () => void = () => undefined;
    const held = rt!.dispatch(pid, () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setImmediate(resolve));
    rt!.send(undefined, pid, 'note', 1);
    rt!.send(undefined, pid, 'note', 2);
    const later = rt!.dispatch(pid, () => 'done');
    expect(rt!.mailboxCounts(pid)).toEqual({ messages: 2, dispatches: 1, httpRequests: 0 });
    expect(rt!.mailboxCounts(Upid.parse('nobody@127.0.0.1:5050'))).toEqual({ messages: 0, dispatches: 0, httpRequests: 0 });
    release();
    await held;
    expect(await later).toBe('done');
    expect(rt!.mailboxCounts(pid)).toEqual({ messages: 0, dispatches: 0, httpRequests: 0 });
    expect(p.got.map((g) => g.body)).toEqual([1, 2]);
  });

  it('fires delays on the virtual clock without sleeping, and cancels them at termination', async () => {
    const { runtimes: [rt], clock } = await world();
    const p = new Recorder('p');
    const pid = rt!.spawn(p);
    await rt!.dispatch(pid, (r) => {
      r.later(60_000, 'a minute');
      r.later(3_600_000, 'an hour');
    });
    await rt!.advance(59_999);
    expect(p.got).toEqual([]);
    await rt!.advance(1);
    expect(p.got.map((g) => g.body)).toEqual(['a minute']);
    rt!.terminate(pid);
    await rt!.wait(pid);
    expect(clock.pending()).toBe(0);
  });

  it('defer runs a callback from outside (a promise, a socket event) inside the process', async () => {
    const { runtimes: [rt] } = await world();
    class Deferring extends Process {
      readonly entries: string[] = [];
      constructor() {
        super('deferring');
        this.install('note', (_from, body: unknown) => {
          this.entries.push(String(body));
        });
      }
      later(): (value: string) => void {
        return this.defer((value: string) => {
          this.entries.push(`deferred ${value}`);
        });
      }
    }
    const p = new Deferring();
    const pid = rt!.spawn(p);
    const callback = await rt!.dispatch(pid, (d) => d.later());
    rt!.send(undefined, pid, 'note', 'first');
    callback('second');
    rt!.send(undefined, pid, 'note', 'third');
    await rt!.settle();
    expect(p.entries).toEqual(['first', 'deferred second', 'third']);
  });

  it('yields to timers and I/O between slices of a burst, however long the burst', async () => {
    const log = captureLogger();
    // The real clock: the slice is measured in real time (the virtual clock is for timers only).
    const rt = new Runtime({ transport: new MemoryNetwork().transport('127.0.0.1', 5050), logger: log.logger, sliceMs: 10 });
    await rt.start();
    runtimes.push(rt);
    let handled = 0;
    let fired: (handledThen: number) => void = () => undefined;
    const timerFired = new Promise<number>((resolve) => (fired = resolve));
    class Slow extends Process {
      constructor() {
        super('slow');
        this.install('work', () => {
          // Set while the burst runs (a timer set before it may fire before its first slice:
          // Node orders a 0 ms timer and an immediate set outside I/O either way).
          if (handled === 0) setTimeout(() => fired(handled), 0);
          const until = performance.now() + 1;
          while (performance.now() < until); // 1 ms of CPU per event
          handled++;
        });
      }
    }
    const pid = rt.spawn(new Slow());
    await rt.settle();
    for (let i = 0; i < 200; i++) rt.send(undefined, pid, 'work', i);
    // A timer due at once fires after the first slice, not after the 200 ms burst.
    const atTimer = await timerFired;
    expect(atTimer).toBeGreaterThan(0);
    expect(atTimer).toBeLessThan(60);
    await rt.settle();
    expect(handled).toBe(200);
  });

  it('generates ids the way libprocess does, and unlink stops exit notices', async () => {
    const { runtimes: [rt] } = await world();
    expect([rt!.generateId('slave'), rt!.generateId('slave'), rt!.generateId('executor')]).toEqual([
      'slave(1)',
      'slave(2)',
      'executor(1)',
    ]);
    const a = new Recorder('a');
    const b = new Recorder('b');
    rt!.spawn(a);
    const bPid = rt!.spawn(b);
    await rt!.dispatch(a.self(), (p) => p.watch(bPid));
    rt!.unlink(a.self(), bPid);
    rt!.terminate(bPid);
    await rt!.settle();
    expect(a.exits).toEqual([]);
  });

  it('terminate with inject discards queued events and rejects pending dispatches', async () => {
    const { runtimes: [rt] } = await world();
    const p = new Recorder('p');
    const pid = rt!.spawn(p);
    await rt!.settle();
    rt!.send(undefined, pid, 'note', 1);
    const pending = rt!.dispatch(pid, () => 'never');
    rt!.terminate(pid);
    await expect(pending).rejects.toBeInstanceOf(ProcessTerminatedError);
    await rt!.wait(pid);
    expect(p.got).toEqual([]);
    expect(p.finalized).toBe(true);
    expect(rt!.hosts(pid)).toBe(false);
  });

  it('terminate without inject lets queued events run first', async () => {
    const { runtimes: [rt] } = await world();
    const p = new Recorder('p');
    const pid = rt!.spawn(p);
    rt!.send(undefined, pid, 'note', 1);
    rt!.send(undefined, pid, 'note', 2);
    rt!.terminate(pid, false);
    rt!.send(undefined, pid, 'note', 3);
    await rt!.wait(pid);
    expect(p.got.map((g) => g.body)).toEqual([1, 2]);
  });

  it('delivers exited to a local linker when the linked process terminates, and at once for a dead one', async () => {
    const { runtimes: [rt] } = await world();
    const a = new Recorder('a');
    const b = new Recorder('b');
    rt!.spawn(a);
    const bPid = rt!.spawn(b);
    await rt!.dispatch(a.self(), (p) => p.watch(bPid));
    rt!.terminate(bPid);
    await rt!.settle();
    expect(a.exits).toEqual([bPid.toString()]);
    await rt!.dispatch(a.self(), (p) => p.watch(Upid.parse('ghost@127.0.0.1:5050')));
    await rt!.settle();
    expect(a.exits).toEqual([bPid.toString(), 'ghost@127.0.0.1:5050']);
  });

  it('delivers between runtimes and reports exited when a remote linked process terminates or its runtime crashes', async () => {
    const { runtimes: [one, two, three], settle } = await world(3);
    const a = new Recorder('a');
    const b = new Recorder('b');
    const c = new Recorder('c');
    one!.spawn(a);
    const bPid = two!.spawn(b);
    const cPid = three!.spawn(c);
    await settle();
    await one!.dispatch(a.self(), (p) => {
      p.tell(bPid, 'ping', 'hello');
      p.watch(bPid);
      p.watch(cPid);
    });
    await settle();
    await settle();
    expect(a.got).toEqual([{ from: bPid.toString(), name: 'pong', body: 'hello' }]);
    two!.terminate(bPid);
    await settle();
    await settle();
    expect(a.exits).toEqual([bPid.toString()]);
    await three!.stop();
    await settle();
    expect(a.exits).toEqual([bPid.toString(), cPid.toString()]);
  });

  it('reports exited when a partition cuts the link, and drops traffic until healed', async () => {
    const { runtimes: [one, two], network, settle } = await world(2);
    const a = new Recorder('a');
    const b = new Recorder('b');
    one!.spawn(a);
    const bPid = two!.spawn(b);
    await one!.dispatch(a.self(), (p) => p.watch(bPid));
    await settle();
    network.partition(one!.address, two!.address);
    await settle();
    expect(a.exits).toEqual([bPid.toString()]);
    await one!.dispatch(a.self(), (p) => p.tell(bPid, 'note', 'lost'));
    await settle();
    expect(b.got).toEqual([]);
    network.heal(one!.address, two!.address);
    await one!.dispatch(a.self(), (p) => p.tell(bPid, 'note', 'found'));
    await settle();
    expect(b.got.map((g) => g.body)).toEqual(['found']);
  });

  it('drops and logs bad input: unknown process, unknown message, body failing its schema', async () => {
    const { runtimes: [one, two], log, settle } = await world(2);
    const a = new Recorder('a');
    const b = new Recorder('b');
    one!.spawn(a);
    const bPid = two!.spawn(b);
    await settle();
    await one!.dispatch(a.self(), (p) => {
      p.tell(Upid.parse('nobody@127.0.0.1:5051'), 'note', 1);
      p.tell(bPid, 'no-such-message', 2);
      p.tell(bPid, 'number', 'not a number');
      p.tell(bPid, 'number', 41);
    });
    await settle();
    expect(b.got).toEqual([{ from: a.self().toString(), name: 'number', body: 42 }]);
    const warnings = log.records.filter((r) => r.level === 40).map((r) => r.msg);
    expect(warnings).toContain("Dropped message 'note' from 'a@127.0.0.1:5050': no process 'nobody' here");
    expect(warnings).toContain("Dropped message 'no-such-message' from 'a@127.0.0.1:5050': 'b' has no handler for it");
    expect(warnings).toContain("Dropped message 'number' from 'a@127.0.0.1:5050': expected a number, got string");
  });

  it('keeps a process serving when a handler throws', async () => {
    const { runtimes: [rt], log } = await world();
    class Fragile extends Process {
      ok = 0;
      constructor() {
        super('fragile');
        this.install('boom', () => {
          throw new Error('kaboom');
        });
        this.install('ok', () => {
          this.ok += 1;
        });
      }
    }
    const f = new Fragile();
    const pid = rt!.spawn(f);
    rt!.send(undefined, pid, 'boom', null);
    rt!.send(undefined, pid, 'ok', null);
    await rt!.settle();
    expect(f.ok).toBe(1);
    expect(log.messages()).toContain("Handler for 'boom' failed in 'fragile'");
  });

  it('test filters await, drop and delay chosen messages', async () => {
    const { runtimes: [rt] } = await world();
    const p = new Recorder('p');
    const pid = rt!.spawn(p);
    const seen = rt!.filters.await({ name: 'note', to: 'p' });
    const dropped = rt!.filters.drop({ name: 'work' }, 1);
    const delayed = rt!.filters.delay({ name: 'ping' }, 1000);
    rt!.send(undefined, pid, 'work', 'dropped');
    rt!.send(undefined, pid, 'work', 'kept');
    rt!.send(undefined, pid, 'note', 'n');
    rt!.send(undefined, pid, 'ping', 'late');
    expect((await seen).body).toBe('n');
    expect((await dropped.first).body).toBe('dropped');
    await rt!.settle();
    expect(p.got.map((g) => g.body)).toEqual(['kept', 'n']);
    await rt!.advance(1000);
    expect(p.got.map((g) => g.body)).toEqual(['kept', 'n', 'late']);
    expect(delayed.caught).toBe(1);
    delayed.remove();
  });

  it('serves HTTP routes inside the process, with help, delegate, 404 and 500', async () => {
    const network = new MemoryNetwork();
    const clock = new VirtualClock();
    const rt = new Runtime({ transport: network.transport('127.0.0.1', 5050), clock, logger: captureLogger().logger, delegate: 'master' });
    runtimes.push(rt);
    await rt.start();
    class Master extends Process {
      hits = 0;
      constructor() {
        super('master');
        this.route('/state', 'Shows the state.\nAll of it, as JSON.', () => {
          this.hits += 1;
          return Http.json({ hits: this.hits });
        });
        this.route('/files', 'Files below a path.', (req) => Http.text(req.path));
        this.route('/broken', 'Always fails.', () => {
          throw new Error('no luck');
        });
      }
    }
    rt.spawn(new Master());
    const get = (path: string) =>
      network.request(rt.address, { method: 'GET', path, query: new URLSearchParams(), headers: {}, body: new Uint8Array() });
    expect(await get('/master/state')).toMatchObject({ status: 200, body: '{"hits":1}' });
    expect(await get('/state')).toMatchObject({ status: 200, body: '{"hits":2}' });
    expect(await get('/master/files/a/b')).toMatchObject({ status: 200, body: '/master/files/a/b' });
    expect(await get('/master/nothing')).toMatchObject({ status: 404 });
    const broken = await get('/master/broken');
    expect(broken.status).toBe(500);
    expect(broken.body).toContain('no luck');
    const help = await get('/help');
    expect(help.body).toContain('/master/state  Shows the state.');
    expect((await get('/help/master/state')).body).toContain('All of it, as JSON.');
    expect((await get('/help/nobody')).status).toBe(404);
  });
});
