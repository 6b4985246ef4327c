import type { Decoder } from '../decoder.js';

/**
 * The v1 envelopes name their payload after their type: a `{"type": "ACCEPT"}` call carries
 * `accept`. The schema alone cannot say "required when type is X" without a union whose
 * errors no one can read, so this check runs after the compiled one, as Mesos's own call
 * validation does (src/master/validation.cpp): a type listed here without its payload, or
 * a call that needs `framework_id` without it, is rejected with the missing path.
 */
export interface PayloadRule {
  /** Types whose payload field (the type in lower case) must be present. */
  readonly payload: ReadonlySet<string>;
  /** Types that must carry `framework_id` (every scheduler call but SUBSCRIBE). */
  readonly frameworkId?: (type: string) => boolean;
}

export function requirePayload<T extends { readonly type: string }>(decode: Decoder<T>, rule: PayloadRule): Decoder<T> {
  return (body: unknown) => {
    const decoded = decode(body);
    if (!decoded.ok) return decoded;
    const value = decoded.value as T & Readonly<Record<string, unknown>>;
    const { type } = value;
    const field = type.toLowerCase();
    if (rule.payload.has(type) && value[field] === undefined) {
      return { ok: false, error: `/${field}: expected for type '${type}'` };
    }
    if (rule.frameworkId?.(type) === true && value['framework_id'] === undefined) {
      return { ok: false, error: `/framework_id: expected for type '${type}'` };
    }
    return decoded;
  };
}
