import type { Logger } from 'pino';
import { type FlagSpec, type FlagValues, parseFlags, type ParsedFlags, usage } from './flags.js';
import { programLogger } from './program-logger.js';
import { prepareDirectory } from './work-dir.js';

export interface ProgramOptions<S extends FlagSpec> {
  /** `mesos-master` */
  readonly name: string;
  /** One sentence for `--help`. */
  readonly summary: string;
  readonly flags: S;
  /**
   * Starts the program; resolves with how to stop it (daemons), or with an exit code when
   * it has finished its work (`mesos-execute`).
   */
  readonly main: (flags: FlagValues<S>, logger: Logger, parsed: ParsedFlags<S>) => Promise<{ stop(): Promise<void> } | number>;
}

/**
 * The life of a command-line program: flags (exit 1 with the reason when they are wrong,
 * `--help` prints the usage), a logger at `--logging_level`, then `main`; SIGINT and SIGTERM
 * stop a daemon cleanly. A failure to start is printed as one line and exits 1.
 */
export async function runProgram<S extends FlagSpec>(options: ProgramOptions<S>, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const parsed = parseFlags(options.flags, argv);
  if (!parsed.ok) {
    process.stderr.write(`${options.name}: ${parsed.error}\nSee '${options.name} --help'.\n`);
    process.exit(1);
  }
  if (parsed.flags.help) {
    process.stdout.write(usage(options.name, options.summary, options.flags));
    process.exit(0);
  }
  const stray = parsed.flags.positional[0];
  if (stray !== undefined) {
    process.stderr.write(`${options.name}: Unexpected argument '${stray}': flags take the form --name=value\nSee '${options.name} --help'.\n`);
    process.exit(1);
  }
  const values = parsed.flags.values;
  // A --work_dir that cannot be a writable directory is refused up front, in one line.
  const workDir = (values as Record<string, unknown>)['work_dir'];
  const unusable = typeof workDir === 'string' ? prepareDirectory(workDir) : undefined;
  if (unusable !== undefined) {
    process.stderr.write(`${options.name}: Cannot use --work_dir '${String(workDir)}': ${unusable}\n`);
    process.exit(1);
  }
  const level = (values as Record<string, unknown>)['logging_level'];
  const logger = programLogger(options.name, typeof level === 'string' ? level : 'INFO');
  let running: { stop(): Promise<void> } | number;
  try {
    running = await options.main(values, logger, parsed.flags);
  } catch (error) {
    process.stderr.write(`${options.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    logger.flush();
    process.exit(1);
  }
  if (typeof running === 'number') {
    logger.flush();
    process.exitCode = running;
    return;
  }
  const daemon = running;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Stopping');
    daemon.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'Failed to stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
