export { type ContenderOptions, type DetectedLeader, LeaderContender, LeaderDetector, leaderOf, MEMBER_PREFIX, waitForMembers } from './election.js';
export {
  detectMaster,
  DetectorConfigError,
  type DetectorEvents,
  ipFromMesosInteger,
  type LeadingMaster,
  leadingMasterOf,
  type MasterDetector,
  StandaloneMasterDetector,
  type ZkDetectorOptions,
  ZkMasterDetector,
} from './master-detector.js';
export { isZkUrl, parseZkUrl, type ZkUrl, type ZkUrlResult } from './zk-url.js';
export { ZkError, type ZkOp, ZkSession, type ZkSessionOptions, type ZkSessionState } from './zk-session.js';
