export {
  type ContainerCheckpoint,
  type ContainerConfig,
  type Containerizer,
  ContainerLaunchError,
  type ResourceStatistics,
  type Termination,
  UnknownContainerError,
} from './containerizer.js';
export { type Isolator, PosixContainerizer, type PosixContainerizerOptions, type Prepared } from './posix-containerizer.js';
export { type CgroupLimits, type Cgroups, CgroupsV1, CgroupsV2, type CgroupUsage, detectCgroups } from './cgroups.js';
export { findUnshare, IsolationConfigError, LINUX_ISOLATION, LinuxIsolator, type LinuxIsolatorOptions } from './linux-isolator.js';
export { ComposingContainerizer } from './composing-containerizer.js';
export { DOCKER_SANDBOX, DockerContainerizer, type DockerContainerizerOptions } from './docker-containerizer.js';
export { DockerClient, DockerError } from './docker-client.js';
export { type ContainerizerModuleOptions, ContainerizerLoadError, loadContainerizer } from './load-containerizer.js';
