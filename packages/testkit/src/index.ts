// @ts-mesos/testkit: find the real services integration tests need, and turn a missing one
// into a failure under CI and a skip with a reason elsewhere.
export { cgroupLayout, parseCgroupMounts, type CgroupLayout, type CgroupMount } from './cgroup-mounts.js';
export { cgroupControlFile, probeCgroups, type CgroupsProbe, type CgroupsProbeOptions } from './cgroups-probe.js';
export {
  describeWithService,
  serviceDecision,
  type DescribeWithServiceOptions,
  type ServiceDecision,
  type SuiteRegistrar,
} from './describe-with-service.js';
export { dockerEndpoint, formatDockerEndpoint, type DockerEndpoint } from './docker-endpoint.js';
export { demuxDockerLogs, type ContainerOutput } from './docker-log-stream.js';
export { probeDocker, type DockerProbe, type DockerProbeOptions } from './docker-probe.js';
export { dockerJson, dockerRequest, type DockerRequestOptions, type DockerResponse } from './docker-request.js';
export { fourLetterWord, isNotWhitelisted, parseServerMode, type FourLetterWord, type ServerMode } from './four-letter-word.js';
export { parseConnectString, parseHostPort, type HostPort } from './host-port.js';
export {
  CGROUP_ROOT,
  DOCKER_SOCKET,
  SERVICES_COMMAND,
  TEST_IMAGE,
  ZOOKEEPER_ENSEMBLE,
  ZOOKEEPER_STANDALONE,
} from './service-addresses.js';
export { probeNetworkNamespaces } from './network-namespaces-probe.js';
export { describeError, type ServiceProbe } from './service-probe.js';
export { probeZooKeeper, probeZooKeeperEnsemble, type ZooKeeperMember, type ZooKeeperProbe, type ZooKeeperProbeOptions } from './zookeeper-probe.js';
