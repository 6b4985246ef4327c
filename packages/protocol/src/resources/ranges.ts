/**
 * Ranges (`ports:[31000-32000,33000-33010]`) as a flat, sorted array of inclusive bounds:
 * `[begin0, end0, begin1, end1, ...]`, with overlapping and adjacent ranges merged (Mesos
 * coalesces `[1-2,3-4]` into `[1-4]`). Every function returns a new normalized array.
 */
export type RangeBounds = readonly number[];

/** Appends [begin, end] to sorted bounds, merging it into the last range when they overlap or touch. */
function appendMerged(out: number[], begin: number, end: number): void {
  const last = out.length - 1;
  if (last > 0 && begin <= out[last]! + 1) {
    if (end > out[last]!) out[last] = end;
  } else {
    out.push(begin, end);
  }
}

/** Sorts and merges any list of [begin, end] pairs (begin <= end). */
export function normalizeRanges(pairs: readonly (readonly [number, number])[]): number[] {
  const sorted = [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: number[] = [];
  for (const [begin, end] of sorted) {
    appendMerged(out, begin, end);
  }
  return out;
}

export function unionRanges(a: RangeBounds, b: RangeBounds): number[] {
  if (a.length === 0) return [...b];
  if (b.length === 0) return [...a];
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let begin: number;
    let end: number;
    if (j >= b.length || (i < a.length && a[i]! <= b[j]!)) {
      begin = a[i]!;
      end = a[i + 1]!;
      i += 2;
    } else {
      begin = b[j]!;
      end = b[j + 1]!;
      j += 2;
    }
    appendMerged(out, begin, end);
  }
  return out;
}

/** `a` without `b`. */
export function subtractRanges(a: RangeBounds, b: RangeBounds): number[] {
  if (b.length === 0 || a.length === 0) return [...a];
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let begin = a[i]!;
    const end = a[i + 1]!;
    while (j < b.length && b[j + 1]! < begin) j += 2;
    let k = j;
    while (k < b.length && b[k]! <= end && begin <= end) {
      if (b[k]! > begin) out.push(begin, b[k]! - 1);
      begin = Math.max(begin, b[k + 1]! + 1);
      k += 2;
    }
    if (begin <= end) out.push(begin, end);
  }
  return out;
}

/** Whether every value in `b` is in `a`. */
export function containsRanges(a: RangeBounds, b: RangeBounds): boolean {
  let i = 0;
  for (let j = 0; j < b.length; j += 2) {
    while (i < a.length && a[i + 1]! < b[j]!) i += 2;
    if (i >= a.length || a[i]! > b[j]! || a[i + 1]! < b[j + 1]!) return false;
  }
  return true;
}

/** How many values the ranges hold. */
export function rangesSize(a: RangeBounds): number {
  let size = 0;
  for (let i = 0; i < a.length; i += 2) size += a[i + 1]! - a[i]! + 1;
  return size;
}

export function rangesEqual(a: RangeBounds, b: RangeBounds): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function formatRanges(a: RangeBounds): string {
  const parts: string[] = [];
  for (let i = 0; i < a.length; i += 2) parts.push(`${a[i]}-${a[i + 1]}`);
  return `[${parts.join(',')}]`;
}
