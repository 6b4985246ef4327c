import { describe, it } from 'vitest';
import type { ServiceProbe } from './service-probe.js';

/** What `describeWithService` does with a probe, decided apart from vitest so it can be tested. */
export type ServiceDecision =
  | { readonly kind: 'run' }
  | { readonly kind: 'fail'; readonly message: string }
  | { readonly kind: 'skip'; readonly message: string };

export function decide(probes: readonly ServiceProbe[], title: string, env: NodeJS.ProcessEnv): ServiceDecision {
  const absent = probes.filter((probe) => !probe.available);
  if (absent.length === 0) return { kind: 'run' };
  const reasons = absent.map((probe) => probe.reason).join('; ');
  if (env['CI'] === 'true') {
    return { kind: 'fail', message: `'${title}' needs ${absent.map((p) => p.name).join(' and ')}: ${reasons} (start them with tools/services --zk-ensemble)` };
  }
  return { kind: 'skip', message: `skipped '${title}': ${reasons} (start them with tools/services --zk-ensemble)` };
}

/**
 * `describe(title, body)` when every probed service is available. When one is missing: under
 * `CI=true`, a single failing test that says which and why; elsewhere the block is skipped
 * with a line on stderr saying why.
 */
export function describeWithService(
  probes: ServiceProbe | readonly ServiceProbe[],
  title: string,
  body: () => void,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const decision = decide(Array.isArray(probes) ? probes : [probes as ServiceProbe], title, env);
  switch (decision.kind) {
    case 'run':
      describe(title, body);
      return;
    case 'fail':
      describe(title, () => {
        it('has the services it needs', () => {
          throw new Error(decision.message);
        });
      });
      return;
    case 'skip':
      process.stderr.write(`${decision.message}\n`);
      describe.skip(title, body);
      return;
  }
}
