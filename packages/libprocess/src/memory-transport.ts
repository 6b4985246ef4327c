import type { Clock } from './clock.js';
import type { HttpRequest, HttpResponse } from './http.js';
import type { Random } from './random.js';
import type { Address, Transport, TransportSink } from './transport.js';
import { addressKey } from './upid.js';

export interface MemoryNetworkOptions {
  /** Delivers every packet this many ms late on `clock` (0: at once, in order). */
  readonly latencyMs?: number;
  readonly clock?: Clock;
  /** Drops each packet with this probability, drawn from `random`. */
  readonly dropProbability?: number;
  readonly random?: Random;
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/**
 * An in-memory network of runtimes for deterministic tests and the simulator. Delivery is
 * synchronous into the receiving runtime's mailboxes (which run on their own turn), or
 * delayed on a clock; per sender-receiver order is kept. Faults: partitions between chosen
 * runtimes, random drops, and crashes; all of them break "connections", so linked
 * processes get exited events as they would over real sockets.
 */
export class MemoryNetwork {
  private readonly nodes = new Map<string, MemoryTransport>();
  private readonly partitions = new Set<string>();
  /** Peers each runtime has exchanged packets with (both directions recorded). */
  private readonly connections = new Map<string, Set<string>>();
  private nextPort = 10_000;

  constructor(private readonly options: MemoryNetworkOptions = {}) {}

  /** A transport that will listen at `host:port` (port chosen when omitted). */
  transport(host = '127.0.0.1', port?: number): MemoryTransport {
    return new MemoryTransport(this, { host, port: port ?? this.nextPort++ });
  }

  /** Cuts the link between two runtimes: both sides see the connection drop; packets are lost. */
  partition(a: Address, b: Address): void {
    const ka = addressKey(a);
    const kb = addressKey(b);
    this.partitions.add(pairKey(ka, kb));
    this.breakConnection(ka, kb, 'network partition');
  }

  heal(a: Address, b: Address): void {
    this.partitions.delete(pairKey(addressKey(a), addressKey(b)));
  }

  /** Sends an HTTP request to the runtime at `to`. */
  request(to: Address, request: Omit<HttpRequest, 'signal'> & { readonly signal?: AbortSignal }): Promise<HttpResponse> {
    const node = this.nodes.get(addressKey(to));
    if (node?.sink === undefined) return Promise.reject(new Error(`Nothing listens at '${addressKey(to)}'`));
    return node.sink.request({ ...request, signal: request.signal ?? new AbortController().signal });
  }

  /** @internal */
  attach(node: MemoryTransport): void {
    const key = addressKey(node.address);
    if (this.nodes.has(key)) throw new Error(`Address '${key}' is already in use on this network`);
    this.nodes.set(key, node);
  }

  /** @internal Removes a runtime; its peers see their connections to it drop. */
  detach(node: MemoryTransport): void {
    const key = addressKey(node.address);
    if (this.nodes.get(key) !== node) return;
    this.nodes.delete(key);
    for (const peer of [...(this.connections.get(key) ?? [])]) this.breakConnection(key, peer, 'peer closed');
    this.connections.delete(key);
  }

  /** @internal */
  route(from: MemoryTransport, to: Address, fromId: string, toId: string, name: string, body: unknown): void {
    const fromKey = addressKey(from.address);
    const toKey = addressKey(to);
    const target = this.nodes.get(toKey);
    if (target?.sink === undefined || this.partitions.has(pairKey(fromKey, toKey))) {
      queueMicrotask(() => from.sink?.disconnected(to, `cannot reach '${toKey}'`));
      return;
    }
    this.connect(fromKey, toKey);
    const { dropProbability = 0, random, latencyMs = 0, clock } = this.options;
    if (dropProbability > 0 && random !== undefined && random.next() < dropProbability) return;
    const source = from.address;
    if (latencyMs > 0 && clock !== undefined) {
      clock.setTimer(latencyMs, () => {
        if (!this.partitions.has(pairKey(fromKey, toKey))) {
          this.nodes.get(toKey)?.sink?.received(source, fromId, toId, name, body);
        }
      });
    } else {
      target.sink.received(source, fromId, toId, name, body);
    }
  }

  /** @internal */
  open(from: MemoryTransport, to: Address): void {
    const fromKey = addressKey(from.address);
    const toKey = addressKey(to);
    if (this.nodes.get(toKey)?.sink === undefined || this.partitions.has(pairKey(fromKey, toKey))) {
      queueMicrotask(() => from.sink?.disconnected(to, `cannot reach '${toKey}'`));
    } else {
      this.connect(fromKey, toKey);
    }
  }

  private connect(a: string, b: string): void {
    let peers = this.connections.get(a);
    if (peers === undefined) this.connections.set(a, (peers = new Set()));
    if (peers.has(b)) return;
    peers.add(b);
    let back = this.connections.get(b);
    if (back === undefined) this.connections.set(b, (back = new Set()));
    back.add(a);
  }

  private breakConnection(a: string, b: string, reason: string): void {
    const had = this.connections.get(a)?.delete(b) === true;
    this.connections.get(b)?.delete(a);
    if (!had) return;
    const nodeA = this.nodes.get(a);
    const nodeB = this.nodes.get(b);
    if (nodeA !== undefined && nodeB !== undefined) {
      queueMicrotask(() => nodeA.sink?.disconnected(nodeB.address, reason));
      queueMicrotask(() => nodeB.sink?.disconnected(nodeA.address, reason));
    } else if (nodeA !== undefined) {
      const [host, port] = [b.slice(0, b.lastIndexOf(':')), Number(b.slice(b.lastIndexOf(':') + 1))];
      queueMicrotask(() => nodeA.sink?.disconnected({ host, port }, reason));
    }
  }
}

/** One runtime's end of a `MemoryNetwork`. Inbound pause/resume are no-ops: delivery is synchronous. */
export class MemoryTransport implements Transport {
  sink: TransportSink | undefined;

  constructor(
    private readonly network: MemoryNetwork,
    readonly address: Address,
  ) {}

  listen(sink: TransportSink): Promise<Address> {
    this.sink = sink;
    this.network.attach(this);
    return Promise.resolve(this.address);
  }

  send(to: Address, fromId: string, toId: string, name: string, body: unknown): boolean {
    this.network.route(this, to, fromId, toId, name, body);
    return true;
  }

  writable(): Promise<void> {
    return Promise.resolve();
  }

  connect(to: Address): void {
    this.network.open(this, to);
  }

  pause(): void {}

  resume(): void {}

  close(): Promise<void> {
    this.network.detach(this);
    this.sink = undefined;
    return Promise.resolve();
  }
}
