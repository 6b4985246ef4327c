#!/usr/bin/env -S node --max-semi-space-size=64 --no-allocation-site-pretenuring
// Runs the TypeScript sources directly (no build step): see @ts-mesos/cli/run-source.
// A 64 MB young generation: the master allocates fast and briefly (messages, offers,
// resource arithmetic); with Node's default a scavenge came every few milliseconds under load
// and the scale benchmark launched ~2.5 x fewer tasks/s (tools/bench reads this line).
import { runSource } from '@ts-mesos/cli/run-source';

await runSource('../src/main.ts', import.meta.url);
