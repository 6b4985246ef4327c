/**
 * Scalars are exact to three decimals, as in Mesos (`Value::Scalar` is rounded to the
 * nearest 0.001, include/mesos/v1/mesos.proto): we store integer thousandths, so
 * `0.1 + 0.2` cpus is exactly `0.3`.
 */
export const SCALE = 1000;

/** The largest scalar we accept: its thousandths must stay a safe integer. */
export const MAX_SCALAR = Math.floor(Number.MAX_SAFE_INTEGER / SCALE);

/** The largest quantity in thousandths; sums beyond it are rejected, never rounded. */
export const MAX_FIXED = MAX_SCALAR * SCALE;

/** Thousandths for a decimal value; undefined for negative, non-finite or too large values. */
export function toFixed(value: number): number | undefined {
  if (!Number.isFinite(value) || value < 0 || value > MAX_SCALAR) return undefined;
  return Math.round(value * SCALE);
}

export function fromFixed(thousandths: number): number {
  return thousandths / SCALE;
}
