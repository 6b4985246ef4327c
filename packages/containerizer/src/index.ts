export {
  type ContainerCheckpoint,
  type ContainerConfig,
  type Containerizer,
  ContainerLaunchError,
  type ResourceStatistics,
  type Termination,
  UnknownContainerError,
} from './containerizer.js';
export { PosixContainerizer, type PosixContainerizerOptions } from './posix-containerizer.js';
