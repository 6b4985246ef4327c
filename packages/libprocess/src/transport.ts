import type { HttpRequest, HttpResponse } from './http.js';

/** Where a runtime listens: one port serves both messages and HTTP. */
export interface Address {
  readonly host: string;
  readonly port: number;
}

/**
 * Moves messages between runtimes and HTTP requests into a runtime. The WebSocket transport
 * is the real one; the memory transport serves deterministic tests and the simulator.
 *
 * What crosses the wire for one message is four items: sender id, receiver id, message
 * name, body. The sender's host and port are those of the connection it came on. A
 * receiver id of '' is for the runtime itself (link and exit notices).
 *
 * Ordering: messages sent from one runtime to one peer arrive in the order they were sent,
 * as long as the connection between them stays up.
 */
export interface Transport {
  /** Starts accepting connections and requests; resolves with the bound address. */
  listen(sink: TransportSink): Promise<Address>;
  /**
   * Queues a message for a peer, connecting on demand. Returns false, and drops the message,
   * when the peer's send queue is full (backpressure): the caller may wait on `writable`.
   */
  send(to: Address, fromId: string, toId: string, name: string, body: unknown): boolean;
  /** Resolves once `send` to this peer would accept again. */
  writable(to: Address): Promise<void>;
  /** Opens a connection now if none is open; a failure is reported through `disconnected`. */
  connect(to: Address): void;
  /** Stops reading inbound messages until `resume` (inbound flow control). */
  pause(): void;
  resume(): void;
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

export interface TransportSink {
  /**
   * A message from the runtime listening at `from`. The transport passes the same `from`
   * object for every message from one peer, so the runtime may cache by it.
   */
  received(from: Address, fromId: string, toId: string, name: string, body: unknown): void;
  /** The connection to a peer is gone, or could not be made. */
  disconnected(peer: Address, reason: string): void;
  /** An HTTP request for this runtime. */
  request(request: HttpRequest): Promise<HttpResponse>;
}
