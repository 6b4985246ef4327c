import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';

const reason = (error: unknown): string => (error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : String(error));

/**
 * Makes `dir` and the directories above it, one at a time, and checks that it is a writable
 * directory. Returns why it cannot be used, or undefined. Node's `mkdirSync(dir, { recursive:
 * true })` never returns for a path under /proc (Node 20), which hung a daemon given one.
 */
export function prepareDirectory(dir: string): string | undefined {
  const absolute = resolve(dir);
  const parts = absolute.split(sep).filter((p) => p !== '');
  let path = '';
  for (const part of parts) {
    path += `${sep}${part}`;
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      if (reason(error) !== 'ENOENT') return `cannot read '${path}' (${reason(error)})`;
    }
    if (isDirectory === false) return `'${path}' is not a directory`;
    if (isDirectory === true) continue;
    try {
      mkdirSync(path);
    } catch (error) {
      if (reason(error) !== 'EEXIST') return `cannot create '${path}' (${reason(error)})`;
    }
  }
  try {
    accessSync(absolute, constants.W_OK);
  } catch (error) {
    return `'${absolute}' is not writable (${reason(error)})`;
  }
  return undefined;
}
