/**
 * Mesos durations as flags and the executor environment (`MESOS_RECOVERY_TIMEOUT`) spell them
 * (stout's Duration): a number and a unit, `15secs`, `100ms`, `1mins`, `2hrs`, `7days`,
 * `1weeks`, `500us`, `10ns`. A bare number is seconds.
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  ms: 1,
  secs: 1000,
  sec: 1000,
  s: 1000,
  mins: 60_000,
  min: 60_000,
  hrs: 3_600_000,
  hr: 3_600_000,
  days: 86_400_000,
  day: 86_400_000,
  weeks: 604_800_000,
  week: 604_800_000,
};

/** Milliseconds in `text`, or an error message saying why it is not a duration. */
export function parseDurationMs(text: string): number | string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/.exec(text);
  if (m === null) return `'${text}' is not a duration (expected e.g. 15secs, 100ms, 1mins)`;
  const unit = m[2] === '' ? 'secs' : m[2]!;
  const scale = UNIT_MS[unit];
  if (scale === undefined) return `'${text}' has an unknown unit '${unit}' (use ns, us, ms, secs, mins, hrs, days or weeks)`;
  return Number(m[1]) * scale;
}

/** How a flag's default is shown in `--help`: the largest unit that divides it. */
export function formatDurationMs(ms: number): string {
  for (const [unit, scale] of [['weeks', 604_800_000], ['days', 86_400_000], ['hrs', 3_600_000], ['mins', 60_000], ['secs', 1000]] as const) {
    if (ms >= scale && ms % scale === 0) return `${ms / scale}${unit}`;
  }
  return `${ms}ms`;
}
