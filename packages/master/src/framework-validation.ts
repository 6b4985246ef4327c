import { type FrameworkInfo, idError, roleError } from '@ts-mesos/protocol';
import { hasCapability } from './records.js';

/** The longest `failover_timeout` Mesos takes: its Duration counts nanoseconds in 64 bits. */
const MAX_FAILOVER_TIMEOUT_S = 9_223_372_036;

/**
 * Why a SUBSCRIBE's FrameworkInfo is refused, as Mesos's master checks it
 * (src/master/validation.cpp, `framework::validate`): a framework ID that could not name a
 * directory; `role` and `roles` used as the MULTI_ROLE capability says, each role valid, none
 * twice; a `failover_timeout` that is a duration.
 */
export function frameworkInfoError(info: FrameworkInfo): string | undefined {
  if (info.id !== undefined && info.id.value !== '') {
    const why = idError(info.id.value);
    if (why !== undefined) return `Invalid 'FrameworkInfo.id': ${why}`;
  }
  if (hasCapability(info, 'MULTI_ROLE')) {
    if (info.role !== undefined) return "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable";
    const seen = new Set<string>();
    const twice = new Set<string>();
    for (const role of info.roles ?? []) (seen.has(role) ? twice : seen).add(role);
    if (twice.size > 0) return `'FrameworkInfo.roles' contains duplicate items: ${[...twice].join(', ')}`;
    for (const role of seen) {
      const why = roleError(role);
      if (why !== undefined) return `'FrameworkInfo.roles' contains invalid role: ${why}`;
    }
  } else {
    if (info.roles !== undefined && info.roles.length > 0) return "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable";
    const why = roleError(info.role ?? '*');
    if (why !== undefined) return `'FrameworkInfo.role' is not a valid role: ${why}`;
  }
  const timeout = info.failover_timeout ?? 0;
  if (!Number.isFinite(timeout) || Math.abs(timeout) > MAX_FAILOVER_TIMEOUT_S) return `The framework failover_timeout (${timeout}) is invalid`;
  return undefined;
}
