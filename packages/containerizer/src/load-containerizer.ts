import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Containerizer } from './containerizer.js';

/** What a containerizer module is given: where the agent keeps its state, and its flags as text. */
export interface ContainerizerModuleOptions {
  readonly workDir: string;
  readonly flags: Readonly<Record<string, string>>;
}

export class ContainerizerLoadError extends Error {
  readonly _tag = 'ContainerizerLoadError';
}

const REQUIRED: readonly (keyof Containerizer)[] = ['supports', 'launch', 'wait', 'destroy', 'usage', 'recover', 'containers'];

/**
 * A third-party containerizer named in `--containerizers` by module: a package name or a file
 * path (`./x.js`, `/abs/x.js`) whose module exports `createContainerizer(options)` returning
 * an object with every `Containerizer` method and a `name`.
 */
export async function loadContainerizer(spec: string, options: ContainerizerModuleOptions): Promise<Containerizer> {
  const target = spec.startsWith('.') || isAbsolute(spec) ? pathToFileURL(resolve(spec)).href : spec;
  let module: { createContainerizer?: unknown };
  try {
    module = (await import(target)) as { createContainerizer?: unknown };
  } catch (error) {
    throw new ContainerizerLoadError(`Cannot load containerizer '${spec}': ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof module.createContainerizer !== 'function') throw new ContainerizerLoadError(`Containerizer module '${spec}' does not export a createContainerizer(options) function`);
  const made = (await (module.createContainerizer as (o: ContainerizerModuleOptions) => unknown)(options)) as Partial<Containerizer> | undefined;
  const missing = REQUIRED.filter((method) => typeof made?.[method] !== 'function');
  if (made === undefined || typeof made.name !== 'string' || missing.length > 0) {
    throw new ContainerizerLoadError(`Containerizer module '${spec}' made an object without ${typeof made?.name !== 'string' ? 'a name' : ''}${missing.length > 0 ? ` ${missing.join(', ')}` : ''}`.trim());
  }
  return made as Containerizer;
}
