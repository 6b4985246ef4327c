import { Http, Process } from '@ts-mesos/libprocess';

/**
 * The `monitor` process: `/monitor/statistics` lists every running executor with its
 * resource usage (Mesos's `ResourceStatistics` field names), as the agent reports it.
 */
export class MonitorProcess extends Process {
  constructor(statistics: () => Promise<Record<string, unknown>[]>) {
    super('monitor');
    this.route('/statistics', 'Resource usage of every running executor: [{executor_id, executor_name, framework_id, source, statistics}]. `?jsonp=CALLBACK` wraps it.', async (r) => Http.jsonp(r, await statistics()));
  }
}
