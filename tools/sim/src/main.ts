/**
 * `npm run sim -- --seed N --steps K`: runs the deterministic cluster simulator. Progress and
 * reports go to stderr; the last line on stdout is one JSON object with the figures.
 * `--soak --seeds M` runs M seeds from `--seed` on. A broken invariant prints the seed, the
 * step and the last trace lines, and exits 1.
 */
import { parseArgs } from 'node:util';
import { type SimResult, Simulation } from './simulation.js';

const USAGE = `usage: npm run sim -- [--seed N] [--steps K] [--agents A] [--frameworks F] [--no-faults] [--chaos] [--trace]
       npm run sim -- --soak [--seed FIRST] [--seeds M] [--steps K]`;

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    steps: { type: 'string', default: '2000' },
    agents: { type: 'string' },
    frameworks: { type: 'string' },
    'no-faults': { type: 'boolean', default: false },
    chaos: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    soak: { type: 'boolean', default: false },
    seeds: { type: 'string', default: '100' },
    sabotage: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

function whole(name: string, text: string | undefined, fallback?: number): number {
  const value = text === undefined ? fallback : Number(text);
  if (value === undefined || !Number.isInteger(value) || value < 0) {
    process.stderr.write(`--${name} needs a whole number, got '${text}'\n${USAGE}\n`);
    process.exit(2);
  }
  return value;
}

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (values.sabotage !== undefined && values.sabotage !== 'double-offer') {
  process.stderr.write(`--sabotage takes 'double-offer', got '${values.sabotage}'\n`);
  process.exit(2);
}

const seed = whole('seed', values.seed);
const steps = whole('steps', values.steps);
const agents = values.agents === undefined ? undefined : whole('agents', values.agents);
const frameworks = values.frameworks === undefined ? undefined : whole('frameworks', values.frameworks);

async function runOne(runSeed: number, echoProgress: boolean): Promise<SimResult> {
  const started = performance.now();
  const simulation = new Simulation({
    seed: runSeed,
    steps,
    ...(agents === undefined ? {} : { agents }),
    ...(frameworks === undefined ? {} : { frameworks }),
    faults: !values['no-faults'],
    chaos: values.chaos,
    ...(values.sabotage === 'double-offer' ? { sabotage: 'double-offer' as const } : {}),
    ...(values.trace ? { echo: (line: string) => process.stderr.write(`${line}\n`) } : {}),
    ...(echoProgress
      ? {
          progressEvery: 500,
          progress: (p) => {
            const rate = Math.round(p.step / Math.max((performance.now() - started) / 1000, 1e-3));
            process.stderr.write(`seed ${runSeed}: step ${p.step}/${p.steps}, ${p.virtualS} s virtual, ${p.tasksFinished} tasks finished, ${p.faultsInjected} faults, ${rate} steps/s\n`);
          },
        }
      : {}),
  });
  return simulation.run();
}

function report(result: SimResult): void {
  const v = result.violation;
  if (v === undefined) return;
  process.stderr.write(`\nINVARIANT BROKEN: seed ${v.seed}, step ${v.step} (${v.virtualS} s virtual)\n`);
  for (const problem of v.problems) process.stderr.write(`  - ${problem}\n`);
  process.stderr.write(`\nLast ${v.recent.length} trace lines:\n${v.recent.join('\n')}\n`);
  process.stderr.write(`\nReplay: npm run sim -- --seed ${v.seed} --steps ${steps}${values.chaos ? ' --chaos' : ''} --trace\n`);
}

if (!values.soak) {
  const result = await runOne(seed, true);
  report(result);
  process.stdout.write(`${JSON.stringify(result.figures)}\n`);
  process.exit(result.violation === undefined ? 0 : 1);
}

const count = whole('seeds', values.seeds);
const started = performance.now();
const failed: number[] = [];
let tasksFinished = 0;
let faultsInjected = 0;
let totalSteps = 0;
for (let s = seed; s < seed + count; s++) {
  const result = await runOne(s, false);
  const f = result.figures;
  tasksFinished += Number(f['tasks_finished']);
  faultsInjected += Number(f['faults_injected']);
  totalSteps += Number(f['steps']);
  process.stderr.write(`seed ${s}: ${result.violation === undefined ? 'ok' : 'INVARIANT BROKEN'}, ${String(f['tasks_finished'])} tasks finished, ${String(f['faults_injected'])} faults, ${String(f['wall_ms'])} ms\n`);
  if (result.violation !== undefined) {
    failed.push(s);
    report(result);
  }
}
const wallMs = Math.round(performance.now() - started);
process.stdout.write(
  `${JSON.stringify({ soak: true, first_seed: seed, seeds: count, steps_per_seed: steps, failed_seeds: failed, steps: totalSteps, tasks_finished: tasksFinished, faults_injected: faultsInjected, wall_ms: wallMs, steps_per_s: Math.round(totalSteps / Math.max(wallMs / 1000, 1e-3)) })}\n`,
);
process.exit(failed.length === 0 ? 0 : 1);
