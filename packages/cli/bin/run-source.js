/* global URL */
// Runs a program's TypeScript entry point straight from the workspace sources, so the
// installed binaries (`npx mesos-local`) need no build step: adds the `@ts-mesos/source`
// resolution condition and tsx's loader, then imports the entry.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

let registered = false;

/** Imports `entry` (a URL or path relative to `base`) with TypeScript sources resolvable. */
export async function runSource(entry, base) {
  if (!registered) {
    register('./source-condition.js', import.meta.url);
    registerTsx();
    registered = true;
  }
  return import(new URL(entry, base).href);
}
