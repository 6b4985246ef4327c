#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step): see @ts-mesos/cli/run-source.
import { runSource } from '@ts-mesos/cli/run-source';

await runSource('../src/main.ts', import.meta.url);
