import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { decodeFrame, encodeFrame } from './frame.js';
import { HttpServer, MAX_UNANSWERED_PER_CONNECTION, type RequestHead } from './http-server.js';
import { Queue } from './queue.js';
import { silentLogger, type Logger } from './logger.js';
import type { Address, Transport, TransportSink } from './transport.js';
import { addressKey } from './upid.js';

/** The path on which runtimes open WebSockets to each other. */
export const WS_PATH = '/__libprocess__';
/** The header in which a connecting runtime names its own listening address (`host:port`). */
export const PEER_HEADER = 'x-libprocess-peer';

export interface WebSocketTransportOptions {
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Port to listen on (default 0: any free port). */
  readonly port?: number;
  /** The host peers should use to reach this runtime (default: `host`). */
  readonly advertiseHost?: string;
  /** Largest frame accepted from a peer; a larger one closes that connection (default 16 MiB). */
  readonly maxFrameBytes?: number;
  /** Largest HTTP request body accepted; larger ones get 413 (default 16 MiB). */
  readonly maxBodyBytes?: number;
  /** Messages queued for one peer before `send` refuses (default 100,000). */
  readonly maxQueuedMessages?: number;
  /** Bytes handed to one socket and not yet written before sending pauses (default 4 MiB). */
  readonly highWaterBytes?: number;
  /**
   * A peer's next frame leaves at least this long after its last one (default 5 ms); what is
   * sent meanwhile joins it. A frame after a quiet spell leaves at the end of the turn, as
   * before. Busy, a master wrote a frame of one or two messages to each agent process per turn,
   * ~2,000 writes a second; 0 turns this off.
   */
  readonly coalesceMs?: number;
  readonly logger?: Logger;
}

/** Messages per frame at most: big enough to amortise framing, small enough to keep latency. */
const MAX_BATCH = 2048;
/** Items per queued message in a peer's flat queue (see frame.ts). */
const ITEMS = 4;

class Peer {
  /** The socket packets to this peer are written to. */
  socket: WebSocket | undefined;
  dialing = false;
  /** Every open socket with this peer (ours and theirs). */
  readonly sockets = new Set<WebSocket>();
  /**
   * Messages waiting to be written, flat (four items each), in chunks of at most one frame.
   * Small chunks keep allocation in the young generation, and each chunk is packed as is.
   */
  chunks = new Queue<unknown[]>();
  private tail: unknown[] | undefined;
  queued = 0;
  flushScheduled = false;
  /** When the last frame was handed to the socket (`performance.now()`). */
  lastFlushAt = -Infinity;
  inflightBytes = 0;
  refusals = 0;
  waiters: (() => void)[] = [];

  push(fromId: string, toId: string, name: string, body: unknown): void {
    let tail = this.tail;
    if (tail === undefined || tail.length >= MAX_BATCH * ITEMS) {
      tail = [];
      this.tail = tail;
      this.chunks.push(tail);
    }
    tail.push(fromId, toId, name, body);
    this.queued += 1;
  }

  /** The oldest chunk, removed from the queue. */
  take(): unknown[] | undefined {
    const chunk = this.chunks.shift();
    if (chunk === undefined) return undefined;
    if (chunk === this.tail) this.tail = undefined;
    this.queued -= chunk.length / ITEMS;
    return chunk;
  }

  /** Puts chunks back in front of the queue, in the given order. */
  putBack(front: unknown[][]): void {
    const rest = [...this.chunks];
    this.chunks = new Queue<unknown[]>();
    for (const chunk of front) {
      this.chunks.push(chunk);
      this.queued += chunk.length / ITEMS;
    }
    for (const chunk of rest) this.chunks.push(chunk);
  }

  clearQueue(): number {
    const dropped = this.queued;
    this.chunks = new Queue<unknown[]>();
    this.tail = undefined;
    this.queued = 0;
    return dropped;
  }

  constructor(
    readonly key: string,
    readonly address: Address,
  ) {}
}

/**
 * The real transport: one HTTP server per runtime serves both endpoints and WebSockets from
 * peer runtimes. Between two runtimes there is one WebSocket (whichever side dials first;
 * the other side adopts the inbound one); packets queued in the same turn go out as one
 * msgpack frame. Sending is bounded: a queue per peer and a cap on bytes handed to the
 * socket. Receiving can be paused by the runtime when its mailboxes fill up.
 */
export class WebSocketTransport implements Transport {
  private readonly options: Required<Omit<WebSocketTransportOptions, 'advertiseHost' | 'logger'>>;
  private readonly advertiseHost: string | undefined;
  private readonly logger: Logger;
  private readonly peers = new Map<string, Peer>();
  /** Peers by the Address object callers pass (Upids keep theirs stable), to skip building keys. */
  /** The last peer sent to: bursts to one peer skip even the cache lookup. */
  private lastAddress: Address | undefined;
  private lastPeer: Peer | undefined;
  private server: HttpServer | undefined;
  private wss: WebSocketServer | undefined;
  private sink: TransportSink | undefined;
  private selfKey = '';
  private paused = false;
  private closing = false;

  constructor(options: WebSocketTransportOptions = {}) {
    this.options = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      maxFrameBytes: options.maxFrameBytes ?? 16 * 1024 * 1024,
      maxBodyBytes: options.maxBodyBytes ?? 16 * 1024 * 1024,
      maxQueuedMessages: options.maxQueuedMessages ?? 100_000,
      highWaterBytes: options.highWaterBytes ?? 4 * 1024 * 1024,
      coalesceMs: options.coalesceMs ?? 5,
    };
    this.advertiseHost = options.advertiseHost;
    this.logger = options.logger ?? silentLogger();
  }

  async listen(sink: TransportSink): Promise<Address> {
    this.sink = sink;
    const wss = new WebSocketServer({ noServer: true, maxPayload: this.options.maxFrameBytes, perMessageDeflate: false });
    const server = new HttpServer({
      maxBodyBytes: this.options.maxBodyBytes,
      maxUnanswered: MAX_UNANSWERED_PER_CONNECTION,
      logger: this.logger,
      request: (request) => {
        const target = this.sink;
        return target === undefined ? Promise.resolve({ status: 503, body: 'Not serving yet' }) : target.request(request);
      },
      upgrade: (head, socket, rest) => this.upgrade(wss, head, socket, rest),
    });
    this.server = server;
    this.wss = wss;
    const port = await server.listen(this.options.port, this.options.host);
    const host = this.advertiseHost ?? (this.options.host === '0.0.0.0' ? '127.0.0.1' : this.options.host);
    const address = { host, port };
    this.selfKey = addressKey(address);
    return address;
  }

  send(to: Address, fromId: string, toId: string, name: string, body: unknown): boolean {
    let peer = this.lastPeer;
    const last = this.lastAddress;
    // Addresses are often parsed afresh per message (a PID string), so compare by value: no
    // per-object cache (a WeakMap keyed by every short-lived address made each scavenge slow).
    if (peer === undefined || last === undefined || (to !== last && (to.port !== last.port || to.host !== last.host))) {
      peer = this.peer(to);
      this.lastAddress = to;
      this.lastPeer = peer;
    }
    if (peer.queued >= this.options.maxQueuedMessages) {
      if (peer.refusals++ % 10_000 === 0) {
        this.logger.warn(
          { peer: peer.key, queued: peer.queued, refused: peer.refusals },
          `Send queue to '${peer.key}' is full; refusing messages until it drains`,
        );
      }
      return false;
    }
    peer.push(fromId, toId, name, body);
    if (peer.socket === undefined) this.dial(peer);
    else this.scheduleFlush(peer);
    return true;
  }

  /** How many peers this transport holds a connection or a queue for (each is forgotten once it has neither). */
  peerCount(): number {
    return this.peers.size;
  }

  writable(to: Address): Promise<void> {
    const peer = this.peer(to);
    if (peer.queued < this.options.maxQueuedMessages) return Promise.resolve();
    return new Promise((resolve) => peer.waiters.push(resolve));
  }

  connect(to: Address): void {
    const peer = this.peer(to);
    if (peer.socket === undefined) this.dial(peer);
  }

  pause(): void {
    this.paused = true;
    for (const peer of this.peers.values()) for (const socket of peer.sockets) socket.pause();
  }

  resume(): void {
    this.paused = false;
    for (const peer of this.peers.values()) for (const socket of peer.sockets) socket.resume();
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const peer of this.peers.values()) {
      peer.clearQueue();
      for (const socket of peer.sockets) socket.terminate();
      for (const resolve of peer.waiters) resolve();
    }
    this.peers.clear();
    this.lastPeer = undefined;
    this.wss?.close();
    const server = this.server;
    if (server !== undefined) {
      await server.close();
    }
  }

  // ---- peers and sockets -------------------------------------------------------------------

  private peer(address: Address): Peer {
    const key = addressKey(address);
    let peer = this.peers.get(key);
    if (peer === undefined) {
      peer = new Peer(key, { host: address.host, port: address.port });
      this.peers.set(key, peer);
    }
    return peer;
  }

  private dial(peer: Peer): void {
    if (peer.dialing || this.closing) return;
    peer.dialing = true;
    const host = peer.address.host.includes(':') ? `[${peer.address.host}]` : peer.address.host;
    const socket = new WebSocket(`ws://${host}:${peer.address.port}${WS_PATH}`, {
      headers: { [PEER_HEADER]: this.selfKey },
      maxPayload: this.options.maxFrameBytes,
      perMessageDeflate: false,
    });
    let opened = false;
    socket.on('open', () => {
      opened = true;
      peer.dialing = false;
      this.adopt(peer, socket);
    });
    socket.on('error', (error) => {
      if (!opened) {
        peer.dialing = false;
        this.connectFailed(peer, error.message);
      } else {
        this.logger.warn({ peer: peer.key, error: error.message }, `Connection to '${peer.key}' failed`);
      }
    });
  }

  private connectFailed(peer: Peer, reason: string): void {
    const dropped = peer.clearQueue();
    this.releaseWaiters(peer);
    this.forget(peer);
    if (dropped > 0) {
      this.logger.warn({ peer: peer.key, dropped, reason }, `Dropped ${dropped} messages: cannot connect to '${peer.key}'`);
    }
    this.sink?.disconnected(peer.address, `cannot connect to '${peer.key}': ${reason}`);
  }

  private upgrade(wss: WebSocketServer, head: RequestHead, socket: Socket, rest: Buffer): void {
    const path = head.url.split('?', 1)[0];
    const claimed = head.headers[PEER_HEADER];
    const address = typeof claimed === 'string' ? parseAddress(claimed) : undefined;
    if (path !== WS_PATH || address === undefined || this.closing) {
      const reason = path !== WS_PATH ? `no WebSocket endpoint at '${path}'` : `missing or invalid '${PEER_HEADER}' header`;
      socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${reason}`);
      return;
    }
    // ws reads the method, the headers and the socket of what it takes for node's request.
    const req = { method: head.method, url: head.url, headers: head.headers, socket } as unknown as IncomingMessage;
    wss.handleUpgrade(req, socket, rest, (ws) => this.adopt(this.peer(address), ws));
  }

  /** A socket with this peer is open: read from it, and write to it if we have none yet. */
  private adopt(peer: Peer, socket: WebSocket): void {
    if (this.closing) {
      socket.terminate();
      return;
    }
    peer.sockets.add(socket);
    if (this.paused) socket.pause();
    peer.socket ??= socket;
    socket.on('message', (data, isBinary) => this.receive(peer, socket, data, isBinary));
    socket.on('close', (code, reason) => this.socketClosed(peer, socket, code, reason.toString()));
    socket.on('error', (error) => {
      this.logger.warn({ peer: peer.key, error: error.message }, `Closing connection with '${peer.key}': ${error.message}`);
    });
    this.scheduleFlush(peer);
  }

  private socketClosed(peer: Peer, socket: WebSocket, code: number, reason: string): void {
    peer.sockets.delete(socket);
    if (peer.socket === socket) {
      const [next] = peer.sockets;
      peer.socket = next;
      peer.inflightBytes = 0;
    }
    if (peer.sockets.size > 0) {
      this.scheduleFlush(peer);
      return;
    }
    const dropped = peer.clearQueue();
    this.releaseWaiters(peer);
    this.forget(peer);
    if (this.closing) return;
    const why = `connection closed (code ${code}${reason === '' ? '' : `: ${reason}`})`;
    if (dropped > 0) this.logger.warn({ peer: peer.key, dropped }, `Dropped ${dropped} messages to '${peer.key}': ${why}`);
    this.sink?.disconnected(peer.address, why);
  }

  /**
   * A peer with no socket, no dial under way and nothing queued is forgotten: every address
   * that ever connected (a peer names itself in a header) had stayed in the map for good.
   * A later send or connection makes a new one.
   */
  private forget(peer: Peer): void {
    if (peer.sockets.size > 0 || peer.dialing || peer.queued > 0) return;
    if (this.peers.get(peer.key) === peer) this.peers.delete(peer.key);
    if (this.lastPeer === peer) {
      this.lastPeer = undefined;
      this.lastAddress = undefined;
    }
  }

  private receive(peer: Peer, socket: WebSocket, data: RawData, isBinary: boolean): void {
    if (!isBinary || !(data instanceof Buffer)) {
      this.logger.warn({ peer: peer.key }, `Closing connection with '${peer.key}': received a non-binary frame`);
      socket.close(1003, 'binary frames only');
      return;
    }
    const frame = decodeFrame(data);
    if (!frame.ok) {
      this.logger.warn({ peer: peer.key, error: frame.error }, `Closing connection with '${peer.key}': malformed frame: ${frame.error}`);
      socket.close(1007, 'malformed frame');
      return;
    }
    const sink = this.sink;
    if (sink === undefined) return;
    const flat = frame.flat;
    const from = peer.address;
    for (let i = 0; i < flat.length; i += ITEMS) {
      sink.received(from, flat[i] as string, flat[i + 1] as string, flat[i + 2] as string, flat[i + 3]);
    }
  }

  // ---- sending -----------------------------------------------------------------------------

  private scheduleFlush(peer: Peer): void {
    if (peer.flushScheduled || peer.socket === undefined || peer.queued === 0) return;
    peer.flushScheduled = true;
    // After this turn of the event loop: what every I/O callback of the turn sent to this
    // peer (a burst of acknowledgements arriving as separate HTTP requests, say) goes out as
    // one frame in one socket write. Writes cost more than the wait on a busy machine. Within
    // `coalesceMs` of the last frame, it waits out the rest of that time.
    const wait = peer.lastFlushAt + this.options.coalesceMs - performance.now();
    if (wait > 0) setTimeout(() => this.flush(peer), wait);
    else setImmediate(() => this.flush(peer));
  }

  private flush(peer: Peer): void {
    peer.flushScheduled = false;
    peer.lastFlushAt = performance.now();
    const socket = peer.socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) return;
    while (peer.queued > 0 && peer.inflightBytes < this.options.highWaterBytes) {
      const flat = peer.take();
      if (flat === undefined) break;
      const frame = encodeFrame(flat);
      if (frame.length > this.options.maxFrameBytes) {
        const count = flat.length / ITEMS;
        if (count === 1) {
          const [fromId, toId, name] = flat as [string, string, string];
          this.logger.error(
            { peer: peer.key, from: fromId, to: toId, name, bytes: frame.length },
            `Dropped message '${name}' to '${toId}@${peer.key}': ${frame.length} bytes exceeds the ${this.options.maxFrameBytes}-byte frame limit`,
          );
          continue;
        }
        // Too big for one frame: split the chunk in two, in order, and go again.
        const half = Math.floor(count / 2) * ITEMS;
        peer.putBack([flat.slice(0, half), flat.slice(half)]);
        continue;
      }
      const size = frame.length;
      peer.inflightBytes += size;
      socket.send(frame, { binary: true }, () => {
        peer.inflightBytes -= size;
        if (peer.inflightBytes < this.options.highWaterBytes) this.scheduleFlush(peer);
      });
    }
    if (peer.queued < this.options.maxQueuedMessages / 2) this.releaseWaiters(peer);
  }

  private releaseWaiters(peer: Peer): void {
    if (peer.waiters.length === 0) return;
    const waiters = peer.waiters;
    peer.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

function parseAddress(text: string): Address | undefined {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return undefined;
  let host = text.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(text.slice(colon + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535 || host === '') return undefined;
  return { host, port };
}
