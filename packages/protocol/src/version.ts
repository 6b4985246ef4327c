/** The Apache Mesos release whose APIs the daemons speak; clients compare against it to pick features. */
export const MESOS_API_VERSION = '1.11.0';
/** This implementation's own version. */
export const TS_MESOS_VERSION = '0.1.0';

/** `/version`, with Mesos's fields plus our own. */
export function versionModel(): Record<string, string | number> {
  return { version: MESOS_API_VERSION, build_date: '', build_time: 0, build_user: '', git_sha: '', ts_mesos_version: TS_MESOS_VERSION };
}
