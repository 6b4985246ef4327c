export { formatDurationMs, parseDurationMs } from '@ts-mesos/protocol';
export { environmentName, type Flag, Flags, type FlagSpec, type FlagsResult, type FlagValues, formatFlags, parseFlags, type ParsedFlags, usage } from './flags.js';
export { programLogger } from './program-logger.js';
export { type ProgramOptions, runProgram } from './program.js';
export { prepareDirectory } from './work-dir.js';
