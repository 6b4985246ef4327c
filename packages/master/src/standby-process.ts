import { Http, type HttpRequest, type HttpResponse, type MetricsRegistry, Process, systemMetrics } from '@ts-mesos/libprocess';
import type { LeadingMaster } from '@ts-mesos/zk-election';
import { versionModel } from './version.js';

export interface StandbyOptions {
  /** Every flag as text, for `/master/flags`. */
  readonly flags: Readonly<Record<string, string>>;
  /** This master's own pid (`master@ip:port`): once it leads but is still recovering, it answers 503. */
  readonly self: string;
  readonly metrics?: MetricsRegistry;
  readonly startTimeMs: number;
}

/**
 * The `master` process of a master that does not lead (yet): it serves `/health`, `/version`,
 * `/flags` and `/redirect` itself and answers every other master endpoint (the scheduler and
 * operator APIs, `/state`, ...) with 307 to the leader, or 503 while no leader is known, like
 * Mesos. Messages from agents are not handled here: they follow the leader through ZooKeeper.
 * When this master is elected, the runtime replaces this process with a `MasterProcess`.
 */
export class StandbyProcess extends Process {
  leader: LeadingMaster | undefined;

  constructor(private readonly options: StandbyOptions) {
    super('master');
    this.route('/health', 'Answers 200 while the master runs (leading or not).', () => Http.ok());
    this.route('/version', 'The Mesos API version this master speaks, and its own version.', (r) => Http.jsonp(r, versionModel()));
    this.route('/flags', 'The flags this master runs with.', (r) => Http.jsonp(r, { flags: this.options.flags }));
    this.route('/redirect', 'Redirects to the leading master (503 while none is known).', () => this.toLeader('/master/redirect'));
    this.route('/', 'Every other master endpoint: 307 to the leading master, 503 while none is known.', (r) => this.forward(r));
  }

  protected override initialize(): void {
    const metrics = this.options.metrics;
    if (metrics === undefined) return;
    metrics.source('master', () => ({ 'master/elected': 0, 'master/uptime_secs': (Date.now() - this.options.startTimeMs) / 1000 }));
    metrics.source('system', systemMetrics);
  }

  private forward(request: HttpRequest): HttpResponse {
    const query = request.query.toString();
    return this.toLeader(`${request.path}${query === '' ? '' : `?${query}`}`);
  }

  private toLeader(path: string): HttpResponse {
    const leader = this.leader;
    if (leader === undefined) return Http.serviceUnavailable('No master is currently leading; try again shortly');
    if (leader.pid === this.options.self) return Http.serviceUnavailable('This master was elected and is recovering its registry; try again shortly');
    if (path === '/master/redirect') return Http.temporaryRedirect(`//${leader.host}:${leader.port}`);
    return Http.temporaryRedirect(`//${leader.host}:${leader.port}${path}`);
  }
}
