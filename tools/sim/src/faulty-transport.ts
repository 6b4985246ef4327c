import type { Address, Clock, HttpRequest, HttpResponse, MemoryNetwork, MemoryTransport, Timer, Transport, TransportSink } from '@ts-mesos/libprocess';
import type { NetworkFaults } from './network-faults.js';

interface Held {
  readonly toId: string;
  readonly fromId: string;
  readonly name: string;
  readonly body: unknown;
}

/** Messages to one peer held back behind a delayed one, in the order they were sent. */
interface PeerQueue {
  readonly held: Held[];
  timer: Timer | undefined;
}

function key(address: Address): string {
  return `${address.host}:${address.port}`;
}

/** Sees every message a runtime sends to another, before any fault applies to it. */
export type SendObserver = (to: Address, fromId: string, toId: string, name: string, body: unknown) => void;

/**
 * One runtime's end of the simulated network: a `MemoryTransport` with seeded faults on the
 * way out. Delays keep the order of a connection (everything sent after a delayed message
 * waits behind it); a reorder holds back a single message. Whatever is held when the
 * connection breaks is lost with it, as with a real socket.
 */
export class FaultyTransport implements Transport {
  private readonly queues = new Map<string, PeerQueue>();
  /** Bumped each time the connection to a peer breaks: held messages from before are lost. */
  private readonly epochs = new Map<string, number>();

  constructor(
    private readonly inner: MemoryTransport,
    private readonly network: MemoryNetwork,
    private readonly faults: NetworkFaults,
    private readonly clock: Clock,
    private readonly observe: SendObserver = () => undefined,
  ) {}

  get address(): Address {
    return this.inner.address;
  }

  listen(sink: TransportSink): Promise<Address> {
    const wrapped: TransportSink = {
      received: (from, fromId, toId, name, body) => sink.received(from, fromId, toId, name, body),
      disconnected: (peer, reason) => {
        this.lost(peer);
        sink.disconnected(peer, reason);
      },
      request: (request: HttpRequest): Promise<HttpResponse> => sink.request(request),
    };
    return this.inner.listen(wrapped);
  }

  send(to: Address, fromId: string, toId: string, name: string, body: unknown): boolean {
    // Link and exit notices belong to the connection itself, not to a process: never faulted.
    if (toId === '') return this.inner.send(to, fromId, toId, name, body);
    this.observe(to, fromId, toId, name, body);
    const peer = key(to);
    const queue = this.queues.get(peer);
    const verdict = this.faults.decide(name);
    const message: Held = { fromId, toId, name, body };
    switch (verdict.kind) {
      case 'drop':
        if (this.faults.dropBreaksConnection) {
          this.network.partition(this.inner.address, to);
          this.network.heal(this.inner.address, to);
        }
        return true;
      case 'duplicate':
        this.enqueue(peer, to, queue, message);
        this.enqueue(peer, to, this.queues.get(peer), message);
        return true;
      case 'reorder': {
        const epoch = this.epochs.get(peer) ?? 0;
        this.clock.setTimer(verdict.ms, () => {
          if ((this.epochs.get(peer) ?? 0) === epoch) this.inner.send(to, fromId, toId, name, body);
        });
        return true;
      }
      case 'delay': {
        const held = queue ?? { held: [], timer: undefined };
        this.queues.set(peer, held);
        held.held.push(message);
        // The connection stalls: this message and all behind it wait until the stall ends.
        held.timer?.cancel();
        held.timer = this.clock.setTimer(verdict.ms, () => this.release(peer, to));
        return true;
      }
      case 'deliver':
        this.enqueue(peer, to, queue, message);
        return true;
    }
  }

  private enqueue(peer: string, to: Address, queue: PeerQueue | undefined, message: Held): void {
    if (queue === undefined) this.inner.send(to, message.fromId, message.toId, message.name, message.body);
    else queue.held.push(message);
  }

  private release(peer: string, to: Address): void {
    const queue = this.queues.get(peer);
    if (queue === undefined) return;
    this.queues.delete(peer);
    for (const m of queue.held) this.inner.send(to, m.fromId, m.toId, m.name, m.body);
  }

  /** The connection to `peer` broke: what was held for it is lost. */
  private lost(peer: Address): void {
    const k = key(peer);
    this.epochs.set(k, (this.epochs.get(k) ?? 0) + 1);
    const queue = this.queues.get(k);
    if (queue === undefined) return;
    queue.timer?.cancel();
    this.queues.delete(k);
  }

  writable(): Promise<void> {
    return Promise.resolve();
  }

  connect(to: Address): void {
    this.inner.connect(to);
  }

  pause(): void {}

  resume(): void {}

  close(): Promise<void> {
    for (const queue of this.queues.values()) queue.timer?.cancel();
    this.queues.clear();
    return this.inner.close();
  }
}
