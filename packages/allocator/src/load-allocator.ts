import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Allocator, AllocatorFactory, AllocatorOptions } from './allocator.js';
import { FirstFitAllocator } from './first-fit-allocator.js';
import { HierarchicalAllocator } from './hierarchical-allocator.js';

/** The allocators that ship with ts-mesos, by the names `--allocator` takes. */
export const BUILT_IN_ALLOCATORS: Readonly<Record<string, AllocatorFactory>> = {
  HierarchicalDRF: (options) => new HierarchicalAllocator(options),
  hierarchical: (options) => new HierarchicalAllocator(options),
  'first-fit': (options) => new FirstFitAllocator(options),
};

const REQUIRED: readonly (keyof Allocator)[] = [
  'addFramework',
  'updateFramework',
  'removeFramework',
  'activateFramework',
  'deactivateFramework',
  'addAgent',
  'updateAgent',
  'removeAgent',
  'activateAgent',
  'deactivateAgent',
  'recoverResources',
  'suppressOffers',
  'reviveOffers',
  'updateWeights',
  'updateQuota',
  'updateAllocation',
  'allocate',
  'explain',
  'metrics',
];

export class AllocatorLoadError extends Error {
  readonly _tag = 'AllocatorLoadError';
}

/**
 * Makes the allocator `--allocator=<spec>` names: a built-in (`HierarchicalDRF`, the default,
 * or `first-fit`), or a module — a package name or a file path — that exports
 * `createAllocator(options)` returning an object with every `Allocator` method.
 */
export async function loadAllocator(spec: string, options: AllocatorOptions = {}): Promise<Allocator> {
  const builtIn = BUILT_IN_ALLOCATORS[spec];
  if (builtIn !== undefined) return builtIn(options);
  const target = spec.startsWith('.') || isAbsolute(spec) ? pathToFileURL(resolve(spec)).href : spec;
  let module: { createAllocator?: unknown };
  try {
    module = (await import(target)) as { createAllocator?: unknown };
  } catch (error) {
    throw new AllocatorLoadError(`Cannot load allocator '${spec}': ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof module.createAllocator !== 'function') {
    throw new AllocatorLoadError(`Allocator module '${spec}' does not export a createAllocator(options) function`);
  }
  const allocator = (module.createAllocator as AllocatorFactory)(options) as Partial<Allocator> | undefined;
  const missing = REQUIRED.filter((method) => typeof allocator?.[method] !== 'function');
  if (missing.length > 0) {
    throw new AllocatorLoadError(`Allocator from '${spec}' is missing ${missing.join(', ')}`);
  }
  return allocator as Allocator;
}
