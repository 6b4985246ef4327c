/** An expected outcome that may fail: the value, or an error message saying what and why. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err<T = never>(error: string): Result<T> {
  return { ok: false, error };
}

/** Unwraps a result, throwing an Error with its message when it failed (for callers that must not fail). */
export function orThrow<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(result.error);
  return result.value;
}
