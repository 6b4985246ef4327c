import { Packr, Unpackr } from 'msgpackr';

/**
 * The wire form of a batch of messages: one msgpack array holding, flat, four items per
 * message: `[fromId, toId, name, body, fromId, toId, name, body, ...]`. Flat keeps the
 * per-message cost to the items themselves; the sender queues messages in this form too.
 */
const packr = new Packr({ useRecords: false, structuredClone: false });
const unpackr = new Unpackr({ useRecords: false, structuredClone: false, mapsAsObjects: true });

export function encodeFrame(flat: readonly unknown[]): Uint8Array {
  return packr.pack(flat);
}

export type DecodedFrame = { readonly ok: true; readonly flat: readonly unknown[] } | { readonly ok: false; readonly error: string };

/**
 * Decodes a frame from an untrusted peer; never throws. On success every message's first
 * three items are strings.
 */
export function decodeFrame(bytes: Uint8Array): DecodedFrame {
  let value: unknown;
  try {
    value = unpackr.unpack(bytes);
  } catch (error) {
    return { ok: false, error: `not msgpack (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!Array.isArray(value)) return { ok: false, error: `expected an array of messages, got ${typeof value}` };
  const flat = value as unknown[];
  if (flat.length === 0 || flat.length % 4 !== 0) {
    return { ok: false, error: `expected 4 items per message, got ${flat.length} items` };
  }
  for (let i = 0; i < flat.length; i += 4) {
    if (typeof flat[i] !== 'string' || typeof flat[i + 1] !== 'string' || typeof flat[i + 2] !== 'string') {
      return { ok: false, error: `message ${i / 4}: sender, receiver and name must be strings` };
    }
  }
  return { ok: true, flat };
}
