import { Packr, Unpackr } from 'msgpackr';
import type { Packet } from './transport.js';

/**
 * The wire form of a batch of packets: one msgpack array holding, flat, four items per
 * packet: `[fromId, toId, name, body, fromId, toId, name, body, ...]`. Flat keeps the
 * per-message cost to the items themselves.
 */
const packr = new Packr({ useRecords: false, structuredClone: false });
const unpackr = new Unpackr({ useRecords: false, structuredClone: false, mapsAsObjects: true });

export function encodeFrame(packets: readonly Packet[]): Uint8Array {
  const flat: unknown[] = new Array<unknown>(packets.length * 4);
  let i = 0;
  for (const [fromId, toId, name, body] of packets) {
    flat[i++] = fromId;
    flat[i++] = toId;
    flat[i++] = name;
    flat[i++] = body;
  }
  return packr.pack(flat);
}

export type DecodedFrame = { readonly ok: true; readonly packets: Packet[] } | { readonly ok: false; readonly error: string };

/** Decodes a frame from an untrusted peer; never throws. */
export function decodeFrame(bytes: Uint8Array): DecodedFrame {
  let value: unknown;
  try {
    value = unpackr.unpack(bytes);
  } catch (error) {
    return { ok: false, error: `not msgpack (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!Array.isArray(value)) return { ok: false, error: `expected an array of packets, got ${typeof value}` };
  if (value.length === 0 || value.length % 4 !== 0) {
    return { ok: false, error: `expected 4 items per packet, got ${value.length} items` };
  }
  const packets: Packet[] = new Array<Packet>(value.length / 4);
  for (let i = 0, p = 0; i < value.length; i += 4, p++) {
    const fromId: unknown = value[i];
    const toId: unknown = value[i + 1];
    const name: unknown = value[i + 2];
    if (typeof fromId !== 'string' || typeof toId !== 'string' || typeof name !== 'string') {
      return { ok: false, error: `packet ${p}: sender, receiver and name must be strings` };
    }
    packets[p] = [fromId, toId, name, value[i + 3]];
  }
  return { ok: true, packets };
}
