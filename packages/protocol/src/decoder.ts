import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/**
 * The decoder shape every boundary uses (libprocess message handlers take exactly this):
 * an untrusted value in, a typed value or an error naming the failing path out.
 */
export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };
export type Decoder<T> = (body: unknown) => Decoded<T>;

/**
 * Compiles a schema once into a fast validator and wraps it as a Decoder. The value is
 * returned as is (validated, not copied), so decoding costs one compiled check.
 */
export function compileDecoder<S extends TSchema>(schema: S): Decoder<Static<S>> {
  const check = TypeCompiler.Compile(schema);
  return (body: unknown) => {
    if (check.Check(body)) return { ok: true, value: body };
    const first = check.Errors(body).First();
    const path = first?.path === undefined || first.path === '' ? '/' : first.path;
    return { ok: false, error: `${path}: ${first?.message ?? 'invalid'}` };
  };
}

/** Parses JSON text and decodes it; malformed JSON is an error like any other. */
export function decodeJson<T>(decoder: Decoder<T>, text: string): Decoded<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `Malformed JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  return decoder(value);
}
