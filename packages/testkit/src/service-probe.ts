/** What a probe found out about one real service a test needs. */
export interface ServiceProbe {
  /** A short name for messages: `ZooKeeper`, `Docker`, `cgroups`. */
  readonly name: string;
  readonly available: boolean;
  /** Where it was found, or precisely why it is not usable. */
  readonly reason: string;
}

export function found(name: string, reason: string): ServiceProbe {
  return { name, available: true, reason };
}

export function missing(name: string, reason: string): ServiceProbe {
  return { name, available: false, reason };
}
