import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatDurationMs, parseDurationMs } from '@ts-mesos/protocol';

/**
 * One command-line flag, as Mesos's stout flags work: `--name=value` (or `--name value`),
 * booleans as `--name` / `--no-name` / `--name=false`, an environment twin `MESOS_NAME`,
 * and a value of `file:///path` read from that file.
 */
export interface Flag<T> {
  readonly help: string;
  /** The value, or a string saying why the text is not one. */
  parse(text: string): { value: T } | string;
  readonly fallback: T;
  readonly boolean: boolean;
  /** How the value reads in `--help` and `/flags`. */
  format(value: T): string | undefined;
}

export type FlagSpec = Readonly<Record<string, Flag<unknown>>>;
export type FlagValues<S extends FlagSpec> = { -readonly [K in keyof S]: S[K] extends Flag<infer T> ? T : never };

function flag<T>(help: string, fallback: T, parse: Flag<T>['parse'], format: Flag<T>['format'], boolean = false): Flag<T> {
  return { help, fallback, parse, format, boolean };
}

const asText = (value: unknown): string | undefined => (value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value));

function parseInteger(min: number, max: number) {
  return (text: string): { value: number } | string => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n)) return `'${text}' is not an integer`;
    if (n < min || n > max) return `${n} is outside ${min}..${max}`;
    return { value: n };
  };
}

function stringFlag(help: string): Flag<string | undefined>;
function stringFlag(help: string, fallback: string): Flag<string>;
function stringFlag(help: string, fallback?: string): Flag<string | undefined> {
  return flag<string | undefined>(help, fallback, (text) => ({ value: text }), asText);
}

function integerFlag(help: string, fallback?: undefined, bounds?: { min?: number; max?: number }): Flag<number | undefined>;
function integerFlag(help: string, fallback: number, bounds?: { min?: number; max?: number }): Flag<number>;
function integerFlag(help: string, fallback?: number, bounds: { min?: number; max?: number } = {}): Flag<number | undefined> {
  return flag<number | undefined>(help, fallback, parseInteger(bounds.min ?? Number.MIN_SAFE_INTEGER, bounds.max ?? Number.MAX_SAFE_INTEGER), asText);
}

/** Flag constructors. Without a default a flag's value may be undefined. */
export const Flags = {
  string: stringFlag,
  integer: integerFlag,
  number(help: string, fallback: number): Flag<number> {
    return flag<number>(help, fallback, (text) => (text.trim() !== '' && Number.isFinite(Number(text)) ? { value: Number(text) } : `'${text}' is not a number`), asText);
  },
  boolean(help: string, fallback: boolean): Flag<boolean> {
    const parse = (text: string): { value: boolean } | string =>
      text === 'true' || text === '1' ? { value: true } : text === 'false' || text === '0' ? { value: false } : `'${text}' is not true or false`;
    return flag<boolean>(help, fallback, parse, asText, true);
  },
  /**
   * A Mesos duration (`15secs`, `100ms`); the value is in milliseconds. `positive`: zero is
   * refused too (an interval of 0 would spin the daemon's loop).
   */
  duration(help: string, fallbackMs: number, bounds: { positive?: boolean } = {}): Flag<number> {
    return flag<number>(
      help,
      fallbackMs,
      (text) => {
        const ms = parseDurationMs(text);
        if (typeof ms === 'string') return ms;
        if (bounds.positive === true && ms <= 0) return `'${text}' must be longer than 0`;
        return { value: ms };
      },
      formatDurationMs,
    );
  },
  choice<C extends string>(help: string, choices: readonly C[], fallback: C): Flag<C> {
    const parse = (text: string): { value: C } | string =>
      (choices as readonly string[]).includes(text) ? { value: text as C } : `'${text}' is not one of ${choices.join(', ')}`;
    return flag<C>(help, fallback, parse, asText);
  },
} as const;

export interface ParsedFlags<S extends FlagSpec> {
  readonly values: FlagValues<S>;
  /** `--help` was given: print `usage()` and exit 0. */
  readonly help: boolean;
  /** Arguments that are not flags. */
  readonly positional: string[];
}

export type FlagsResult<S extends FlagSpec> = { readonly ok: true; readonly flags: ParsedFlags<S> } | { readonly ok: false; readonly error: string };

/** The environment twin of a flag: `work_dir` -> `MESOS_WORK_DIR`. */
export function environmentName(name: string, prefix = 'MESOS_'): string {
  return `${prefix}${name.toUpperCase()}`;
}

function resolveFileValue(text: string): { value: string } | string {
  if (!text.startsWith('file://')) return { value: text };
  try {
    return { value: readFileSync(fileURLToPath(text), 'utf8').replace(/\n$/, '') };
  } catch (error) {
    return `cannot read ${text}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Parses `argv` (without node and script) and the environment against `spec`. The command
 * line wins over the environment; an unknown `--flag` is an error, as in Mesos; unknown
 * `MESOS_*` variables are ignored (they may belong to another program).
 */
export function parseFlags<S extends FlagSpec>(spec: S, argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): FlagsResult<S> {
  const values: Record<string, unknown> = {};
  const positional: string[] = [];
  let help = false;
  const set = (name: string, text: string, origin: string): string | undefined => {
    const f = spec[name];
    if (f === undefined) return `Failed to load unknown flag '${name}'`;
    const resolved = resolveFileValue(text);
    if (typeof resolved === 'string') return `Failed to load flag '${name}' from ${origin}: ${resolved}`;
    const parsed = f.parse(resolved.value);
    if (typeof parsed === 'string') return `Failed to load flag '${name}' from ${origin}: ${parsed}`;
    values[name] = parsed.value;
    return undefined;
  };
  for (const name of Object.keys(spec)) {
    const text = env[environmentName(name)];
    if (text === undefined) continue;
    const error = set(name, text, `environment variable ${environmentName(name)}`);
    if (error !== undefined) return { ok: false, error };
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(...(arg === '--' ? argv.slice(i + 1) : [arg]));
      if (arg === '--') break;
      continue;
    }
    const eq = arg.indexOf('=');
    let name = (eq < 0 ? arg.slice(2) : arg.slice(2, eq)).replaceAll('-', '_');
    if (name === 'help' || name === 'h') {
      help = true;
      continue;
    }
    let text: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    if (text === undefined) {
      const negated = name.startsWith('no_') && spec[name.slice(3)]?.boolean === true;
      if (negated) name = name.slice(3);
      const f = spec[name];
      if (f === undefined) return { ok: false, error: `Failed to load unknown flag '${name}'` };
      if (f.boolean) text = negated ? 'false' : 'true';
      else if (i + 1 < argv.length) text = argv[++i]!;
      else return { ok: false, error: `Failed to load flag '${name}': missing value` };
    }
    const error = set(name, text, 'the command line');
    if (error !== undefined) return { ok: false, error };
  }
  for (const [name, f] of Object.entries(spec)) if (!(name in values)) values[name] = f.fallback;
  return { ok: true, flags: { values: values as FlagValues<S>, help, positional } };
}

/** The `--help` text: one line per flag, its default, and its environment twin. */
export function usage(program: string, summary: string, spec: FlagSpec): string {
  const lines = [`Usage: ${program} [options]`, '', summary, ''];
  const names = Object.keys(spec).sort();
  const width = Math.min(34, Math.max(...names.map((n) => n.length + 10)));
  for (const name of names) {
    const f = spec[name]!;
    const left = f.boolean ? `  --[no-]${name}` : `  --${name}=VALUE`;
    const shown = f.format(f.fallback);
    const fallback = shown === undefined ? '' : ` (default: ${shown})`;
    lines.push(`${left.padEnd(width)} ${f.help}${fallback} [${environmentName(name)}]`);
  }
  lines.push('', 'Each flag may also be set by its MESOS_ environment variable; a value of file:///path is read from that file.');
  return lines.join('\n') + '\n';
}

/** Every flag's value as text, as `/flags` shows them. */
export function formatFlags(spec: FlagSpec, values: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, f] of Object.entries(spec)) {
    const shown = f.format(values[name]);
    if (shown !== undefined) out[name] = shown;
  }
  return out;
}
