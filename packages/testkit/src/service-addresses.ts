// Where `tools/services` puts the services. Probes read the environment variables named
// here first, so a developer can point tests at services elsewhere.

/** The standalone ZooKeeper; `TS_MESOS_ZK` overrides. */
export const ZOOKEEPER_STANDALONE = '127.0.0.1:2181';

/** The 3-member ensemble (`tools/services --zk-ensemble`); `TS_MESOS_ZK_ENSEMBLE` overrides. */
export const ZOOKEEPER_ENSEMBLE = '127.0.0.1:2182,127.0.0.1:2183,127.0.0.1:2184';

/** The Docker engine's socket; `DOCKER_HOST` (`unix://...` or `tcp://host:port`) overrides. */
export const DOCKER_SOCKET = '/var/run/docker.sock';

/** The local test image imported from Debian's busybox-static; no registry is reachable. */
export const TEST_IMAGE = 'ts-mesos/busybox:latest';

/** The cgroup file system root. */
export const CGROUP_ROOT = '/sys/fs/cgroup';

/** The command that starts everything above, named in every "service missing" message. */
export const SERVICES_COMMAND = 'tools/services --zk-ensemble';
