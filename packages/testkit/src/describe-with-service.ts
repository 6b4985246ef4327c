import { describe, it } from 'vitest';
import { SERVICES_COMMAND } from './service-addresses.js';
import type { ServiceProbe } from './service-probe.js';

/** What `describeWithService` does with a block, decided apart from vitest so it can be tested. */
export type ServiceDecision =
  | { readonly kind: 'run' }
  /** CI: the block becomes one failing test with this message. */
  | { readonly kind: 'fail'; readonly message: string }
  /** Elsewhere: the block is skipped, and this line goes to stderr. */
  | { readonly kind: 'skip'; readonly message: string };

/**
 * Run when every probed service is available. When one is missing, fail under `CI=true` (a
 * CI job that quietly skips its integration tests proves nothing) and skip elsewhere, so a
 * developer without Docker can still run the rest.
 */
export function serviceDecision(probes: readonly ServiceProbe[], title: string, env: NodeJS.ProcessEnv): ServiceDecision {
  const missing = probes.filter((probe) => !probe.available);
  if (missing.length === 0) return { kind: 'run' };
  const names = missing.map((probe) => probe.name).join(', ');
  const reasons = missing.map((probe) => probe.reason).join('; ');
  if (env['CI'] === 'true') {
    return {
      kind: 'fail',
      message: `'${title}' needs ${names}, which is not available under CI=true: ${reasons} (start it with '${SERVICES_COMMAND}' as root before the tests)`,
    };
  }
  return { kind: 'skip', message: `testkit: skipped '${title}': ${reasons} (run '${SERVICES_COMMAND}' as root to include it)` };
}

/** The slice of vitest's API that `describeWithService` registers blocks with. */
export interface SuiteRegistrar {
  describe(title: string, body: () => void): void;
  skip(title: string, body: () => void): void;
  it(title: string, body: () => void): void;
}

export interface DescribeWithServiceOptions {
  /** Where `CI` is read; `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** Where blocks are registered; vitest's `describe`, `describe.skip` and `it` by default. */
  readonly suite?: SuiteRegistrar;
  /** Where the skip line goes; stderr by default. */
  readonly log?: (line: string) => void;
}

const vitestSuite: SuiteRegistrar = {
  describe: (title, body) => describe(title, body),
  skip: (title, body) => describe.skip(title, body),
  it: (title, body) => it(title, body),
};

/**
 * `describe(title, body)` when every probed service is available. When one is missing: under
 * `CI=true`, a single test that fails with the probes' reasons; elsewhere `describe.skip` and
 * one line on stderr saying what was skipped and why.
 */
export function describeWithService(
  probes: ServiceProbe | readonly ServiceProbe[],
  title: string,
  body: () => void,
  options: DescribeWithServiceOptions = {},
): void {
  const list: readonly ServiceProbe[] = isProbeList(probes) ? probes : [probes];
  const decision = serviceDecision(list, title, options.env ?? process.env);
  const suite = options.suite ?? vitestSuite;
  switch (decision.kind) {
    case 'run':
      suite.describe(title, body);
      return;
    case 'fail':
      suite.describe(title, () => {
        suite.it(`needs ${list.filter((probe) => !probe.available).map((probe) => probe.name).join(', ')}`, () => {
          throw new Error(decision.message);
        });
      });
      return;
    case 'skip':
      (options.log ?? ((line: string) => process.stderr.write(`${line}\n`)))(decision.message);
      suite.skip(title, body);
      return;
  }
}

function isProbeList(probes: ServiceProbe | readonly ServiceProbe[]): probes is readonly ServiceProbe[] {
  return Array.isArray(probes);
}
