import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type ValueError } from '@sinclair/typebox/compiler';

/**
 * The decoder shape every boundary uses (libprocess message handlers take exactly this):
 * an untrusted value in, a typed value or an error naming the failing path out.
 */
export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };
export type Decoder<T> = (body: unknown) => Decoded<T>;

/** How many enum values an error lists before it stops. */
const LISTED_VALUES = 8;

function enumValues(schema: TSchema): string[] | undefined {
  const anyOf: unknown = schema['anyOf'];
  if (!Array.isArray(anyOf)) return undefined;
  const values: string[] = [];
  for (const member of anyOf as unknown[]) {
    const value = typeof member === 'object' && member !== null ? (member as { const?: unknown }).const : undefined;
    if (typeof value !== 'string') return undefined;
    values.push(value);
  }
  return values;
}

/** `path: what was expected`, with enums spelled out (`expected one of 'SUBSCRIBE', ... , got "LAUNCH"`). */
export function describeError(error: ValueError | undefined): string {
  if (error === undefined) return '/: invalid';
  const path = error.path === '' ? '/' : error.path;
  const values = enumValues(error.schema);
  if (values !== undefined) {
    const listed = values.slice(0, LISTED_VALUES).map((v) => `'${v}'`);
    const more = values.length > LISTED_VALUES ? `, ... (${values.length} in all)` : '';
    return `${path}: expected one of ${listed.join(', ')}${more}, got ${JSON.stringify(error.value) ?? 'nothing'}`;
  }
  return `${path}: ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}`;
}

/**
 * Compiles a schema once into a fast validator and wraps it as a Decoder. The value is
 * returned as is (validated, not copied), so decoding costs one compiled check; fields the
 * schema does not know pass through untouched (a newer minor version may add them).
 */
export function compileDecoder<S extends TSchema>(schema: S): Decoder<Static<S>> {
  const check = TypeCompiler.Compile(schema);
  return (body: unknown) => (check.Check(body) ? { ok: true, value: body } : { ok: false, error: describeError(check.Errors(body).First()) });
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
