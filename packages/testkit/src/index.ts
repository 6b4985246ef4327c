export { cgroupVersion, type CgroupsProbe, probeCgroups } from './cgroups-probe.js';
export { decide, describeWithService, type ServiceDecision } from './describe-with-service.js';
export { demuxLogs, DOCKER_SOCKET, dockerRequest, type DockerResponse, dockerSocket, TEST_IMAGE } from './docker-api.js';
export { probeDocker } from './docker-probe.js';
export type { ServiceProbe } from './service-probe.js';
export {
  fourLetterWord,
  parseMode,
  probeZooKeeper,
  probeZooKeeperEnsemble,
  splitHostPort,
  ZOOKEEPER_ENSEMBLE,
  ZOOKEEPER_STANDALONE,
  type ZooKeeperProbe,
} from './zookeeper-probe.js';
