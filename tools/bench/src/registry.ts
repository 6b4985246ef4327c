/** A benchmark: prints readable figures while it runs and returns them for the JSON line. */
export interface Benchmark {
  run(args: readonly string[]): Promise<Record<string, number | string | boolean>>;
}

/** Every benchmark `npm run bench -- NAME` knows, loaded lazily so one never pays for another. */
export const benchmarks: Record<string, () => Promise<Benchmark>> = {
  allocator: () => import('./allocator.js'),
  containers: () => import('./containers.js'),
  failover: () => import('./failover.js'),
  launch: () => import('./launch.js'),
  libprocess: () => import('./libprocess.js'),
  recovery: () => import('./recovery.js'),
  resources: () => import('./resources.js'),
  scale: () => import('./scale.js'),
  state: () => import('./state.js'),
  'zk-registry': () => import('./zk-registry.js'),
};
