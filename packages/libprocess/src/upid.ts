import type { Address } from './transport.js';

/**
 * The address of a process: `id@host:port`, as libprocess writes it (`master@10.0.0.1:5050`,
 * `slave(1)@10.0.0.2:5051`). A Upid is a plain immutable value; two Upids are the same process
 * when their strings are equal.
 */
export class Upid {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  private text: string | undefined;
  private where: Address | undefined;

  constructor(id: string, host: string, port: number) {
    this.id = id;
    this.host = host;
    this.port = port;
  }

  static at(id: string, address: Address): Upid {
    return new Upid(id, address.host, address.port);
  }

  /** Parses `id@host:port` (IPv6 hosts in brackets: `id@[::1]:5050`); throws on anything else. */
  static parse(text: string): Upid {
    const parsed = Upid.tryParse(text);
    if (parsed === undefined) {
      throw new InvalidUpidError(text);
    }
    return parsed;
  }

  static tryParse(text: string): Upid | undefined {
    const at = text.indexOf('@');
    const colon = text.lastIndexOf(':');
    if (at <= 0 || colon <= at + 1 || colon === text.length - 1) return undefined;
    const id = text.slice(0, at);
    let host = text.slice(at + 1, colon);
    if (host.startsWith('[')) {
      if (!host.endsWith(']') || host.length < 3) return undefined;
      host = host.slice(1, -1);
    } else if (host.includes(':')) {
      return undefined;
    }
    const portText = text.slice(colon + 1);
    if (!/^\d{1,5}$/.test(portText)) return undefined;
    const port = Number(portText);
    if (port > 65535) return undefined;
    return new Upid(id, host, port);
  }

  /** The runtime's address; the same object every time (a burst of sends to one process compares nothing more). */
  get address(): Address {
    return (this.where ??= { host: this.host, port: this.port });
  }

  equals(other: Upid): boolean {
    return this.id === other.id && this.port === other.port && this.host === other.host;
  }

  toString(): string {
    if (this.text === undefined) {
      const host = this.host.includes(':') ? `[${this.host}]` : this.host;
      this.text = `${this.id}@${host}:${this.port}`;
    }
    return this.text;
  }

  toJSON(): string {
    return this.toString();
  }
}

/**
 * A Upid that remembers, in the type only, which kind of process it names, so that
 * `runtime.dispatch(pid, (p) => p.method())` is checked against that process's methods.
 */
export type Pid<P> = Upid & { readonly __process?: P };

export class InvalidUpidError extends Error {
  readonly _tag = 'InvalidUpid';
  constructor(readonly text: string) {
    super(`Invalid process address '${text}': expected 'id@host:port'`);
  }
}

/** `host:port`, the key a transport uses for a peer runtime. */
export function addressKey(address: Address): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
