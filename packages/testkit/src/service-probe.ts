/**
 * What a probe found out about one real service that a test needs. Probes never throw: a
 * service that cannot be used is a value with `available: false` and a reason precise enough
 * to act on (address, what was asked, what came back).
 */
export interface ServiceProbe {
  /** A short name for messages: `ZooKeeper`, `ZooKeeper ensemble`, `Docker`, `cgroups`. */
  readonly name: string;
  readonly available: boolean;
  /** Where the service answered, or precisely why it cannot be used. */
  readonly reason: string;
}

/** The `code` of a Node system error (`ECONNREFUSED`, `ENOENT`), else its message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return typeof code === 'string' ? code : error.message;
  }
  return String(error);
}
