import type { HttpRequest, HttpResponse } from './http.js';

/** Where a runtime listens: one port serves both messages and HTTP. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/**
 * What crosses the wire for one message: sender id, receiver id, message name, body.
 * The sender's host and port are those of the connection it came on. A receiver id of ''
 * is for the runtime itself (link and exit notices).
 */
export type Packet = readonly [fromId: string, toId: string, name: string, body: unknown];

/**
 * Moves packets between runtimes and HTTP requests into a runtime. The WebSocket transport
 * is the real one; the memory transport serves deterministic tests and the simulator.
 *
 * Ordering: packets sent from one runtime to one peer arrive in the order they were sent,
 * as long as the connection between them stays up.
 */
export interface Transport {
  /** Starts accepting connections and requests; resolves with the bound address. */
  listen(sink: TransportSink): Promise<Address>;
  /**
   * Queues a packet for a peer, connecting on demand. Returns false, and drops the packet,
   * when the peer's send queue is full (backpressure): the caller may wait on `writable`.
   */
  send(to: Address, packet: Packet): boolean;
  /** Resolves once `send` to this peer would accept again. */
  writable(to: Address): Promise<void>;
  /** Opens a connection now if none is open; a failure is reported through `disconnected`. */
  connect(to: Address): void;
  /** Stops reading inbound packets until `resume` (inbound flow control). */
  pause(): void;
  resume(): void;
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

export interface TransportSink {
  /** A packet from `from` (the peer runtime's listening address). */
  received(from: Address, packet: Packet): void;
  /** The connection to a peer is gone, or could not be made. */
  disconnected(peer: Address, reason: string): void;
  /** An HTTP request for this runtime. */
  request(request: HttpRequest): Promise<HttpResponse>;
}
