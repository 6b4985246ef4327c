import { randomUUID } from 'node:crypto';
import { type Allocator, AllocatorProcess } from '@ts-mesos/allocator';
import { Http, type HttpRequest, type HttpResponse, type MetricsRegistry, type Pid, Process, systemMetrics, type Timer, Upid } from '@ts-mesos/libprocess';
import { decodeJson, decodeOperatorCall, decodeSchedulerCall, internalDecoder, type InternalMessage, type InternalName, messageName, Resources } from '@ts-mesos/protocol';
import { EventStream } from './event-stream.js';
import { webuiHandler } from './static-files.js';
import type { OperationKind } from './operations.js';
import { type CallOutcome, MasterCore, type MasterCoreOptions } from './master-core.js';
import type { MasterEffect } from './master-effect.js';
import type { Registry } from './registry.js';
import { masterMetrics } from './master-metrics.js';
import { getAgentsJson, getStateJsonChunks, getTasksJson, operatorResponse } from './operator-api.js';
import { TextChunks } from './text-chunks.js';
import { agentsModel, frameworksModel, parseTaskQuery, rolesModel, stateJsonChunks, stateSummaryJsonChunks, tasksModel } from './state-json.js';
import { versionModel } from './version.js';

export interface MasterProcessOptions extends Omit<MasterCoreOptions, 'registry'> {
  readonly registry: Registry;
  readonly allocator: Allocator;
  /** `--allocation_interval` (1 s). */
  readonly allocationIntervalMs: number;
  /** Every flag as text, for `/master/flags` and `/master/state`. */
  readonly flags: Readonly<Record<string, string>>;
  readonly version: string;
  /** Where the master registers its metrics (`/metrics/snapshot` serves them); none: not served. */
  readonly metrics?: MetricsRegistry;
  /** The master can no longer act safely (its registry write failed): stop it (Mesos's master exits). */
  readonly onFatal?: (message: string) => void;
  /** `--webui_dir`: the web UI's build, served at `/`; none: no UI. */
  readonly webuiDir?: string;
  /** When the master daemon started (ms since the epoch; default: when this process starts). */
  readonly startTimeMs?: number;
  /** Makes stream IDs (default: random UUIDs); the simulator passes a seeded one so a run replays exactly. */
  readonly uuid?: () => string;
}

/**
 * The master's actor shell: decodes messages from agents and calls from schedulers, feeds
 * them to `MasterCore`, and performs the effects it returns in order (persist, send, arm
 * timers). It owns the I/O the core must not: event streams, timers, the registry, and the
 * allocator process.
 */
export class MasterProcess extends Process {
  readonly core: MasterCore;
  /** Open event streams by stream ID; a framework's current one is `core.frameworks.get(id).streamId`. */
  private readonly streams = new Map<string, EventStream>();
  private readonly parsedPids = new Map<string, Upid>();
  private readonly timers = new Map<string, Timer>();
  private allocatorPid: Pid<AllocatorProcess> | undefined;
  private startTimeMs = 0;
  /** This process exists only while its master leads: it was elected when it started (read on the runtime's clock). */
  private electedTimeMs = 0;
  private readonly uuid: () => string;
  /** Operator API SUBSCRIBE streams. */
  private readonly operatorStreams = new Set<EventStream>();
  /** Effects waiting for registry writes, in order; see `perform`. */
  private readonly waiting: { written: boolean; effects: MasterEffect[] }[] = [];

  constructor(private readonly options: MasterProcessOptions) {
    super('master');
    this.core = new MasterCore({ ...options, registry: options.registry.recover() });
    this.uuid = options.uuid ?? randomUUID;
    this.handle('RegisterAgent', (from, body) => this.core.registerAgent(from, body, this.now()));
    this.handle('ReregisterAgent', (from, body) => this.core.reregisterAgent(from, body, this.now()));
    this.handle('Pong', (from) => this.core.pong(from));
    this.handle('StatusUpdate', (from, body) => this.core.statusUpdate(from, body));
    this.handle('ExecutorToFramework', (from, body) => this.core.executorMessage(from, body));
    this.handle('ExitedExecutor', (from, body) => this.core.exitedExecutor(from, body));

    this.route('/api/v1/scheduler', 'The v1 Scheduler HTTP API: POST a JSON Call; SUBSCRIBE answers with a RecordIO event stream.', (r) => this.schedulerApi(r));
    this.route('/state', 'Agents, frameworks, tasks and offers, with Apache Mesos field names.', (r) => Http.jsonpChunks(r, () => this.state()));
    this.route('/version', 'The Mesos API version this master speaks, and its own version.', (r) => Http.jsonp(r, versionModel()));
    this.route('/health', 'Answers 200 while the master runs.', () => Http.ok());
    this.route('/flags', 'The flags this master runs with.', (r) => Http.jsonp(r, { flags: this.options.flags }));
    this.route('/api/v1', 'The v1 Operator API: POST a JSON Call (GET_STATE, GET_AGENTS, GET_TASKS, ...); SUBSCRIBE answers with a RecordIO event stream.', (r) => this.operatorApi(r));
    this.route('/state-summary', 'Agents and frameworks with task counts by state, without the tasks themselves.', (r) => Http.jsonpChunks(r, () => stateSummaryJsonChunks(this.core)));
    this.route('/tasks', 'Tasks, active and completed, newest first. Query: limit (100), offset (0), order (asc|des), framework_id, task_id.', (r) => {
      const query = parseTaskQuery(r.query);
      return query.ok ? Http.jsonp(r, tasksModel(this.core, query.value)) : Http.badRequest(query.error);
    });
    this.route('/frameworks', 'Frameworks, active and completed. Query: framework_id.', (r) => Http.jsonp(r, frameworksModel(this.core, r.query.get('framework_id'))));
    this.route('/slaves', 'Registered agents. Query: slave_id.', (r) => Http.jsonp(r, agentsModel(this.core, r.query.get('slave_id'))));
    this.route('/roles', 'Roles with their weight, frameworks, and allocated, offered and reserved resources.', (r) => Http.jsonp(r, rolesModel(this.core, this.core.weights)));
    this.route('/reserve', 'POST slaveId=ID&resources=JSON (form-encoded): reserves unused resources on an agent dynamically; each resource names its reservation.', (r) => this.operation(r, 'RESERVE', 'resources'));
    this.route('/unreserve', 'POST slaveId=ID&resources=JSON: releases dynamic reservations on an agent.', (r) => this.operation(r, 'UNRESERVE', 'resources'));
    this.route('/create-volumes', 'POST slaveId=ID&volumes=JSON: creates persistent volumes on reserved disk of an agent.', (r) => this.operation(r, 'CREATE', 'volumes'));
    this.route('/destroy-volumes', 'POST slaveId=ID&volumes=JSON: destroys persistent volumes (and their data) on an agent.', (r) => this.operation(r, 'DESTROY', 'volumes'));
    this.route('/teardown', 'POST frameworkId=ID: removes a framework and kills its tasks.', (r) => {
      if (r.method !== 'POST') return Http.methodNotAllowed(['POST'], r.method);
      const frameworkId = formBody(r).get('frameworkId');
      if (frameworkId === null || frameworkId === '') return Http.badRequest("Expecting 'frameworkId' in the form body");
      return this.outcome(this.core.teardown(frameworkId, this.now()), 200);
    });
    this.route('/quota', 'GET: quotas ({infos, configs}); POST {"role", "guarantee": [resources], "force"} sets guarantee and limit; DELETE /master/quota/ROLE removes one.', (r) => this.quota(r));
    this.route('/weights', 'GET: role weights as [{role, weight}]; PUT a JSON array of {role, weight} to set them.', (r) => this.weights(r));
    if (options.webuiDir !== undefined) {
      const webui = webuiHandler(options.webuiDir);
      this.route('/', 'The web UI (GET / and /master/), live from the Operator API; its files under /assets/.', webui);
      this.route('/assets', 'The web UI\'s scripts and styles.', webui);
    }
    this.route('/redirect', 'Redirects to the leading master (this one).', () => Http.temporaryRedirect(`//${this.self().address.host}:${this.self().address.port}`));
  }

  private now(): number {
    return this.runtime.clock.now();
  }

  private handle<N extends InternalName>(name: N, apply: (from: string, body: InternalMessage<N>) => void): void {
    this.install(
      messageName(name),
      (from, body: InternalMessage<N>) => {
        apply(from.toString(), body);
        this.perform(this.core.drain());
      },
      internalDecoder(name),
    );
  }

  protected override initialize(): void {
    this.electedTimeMs = this.now();
    this.startTimeMs = this.options.startTimeMs ?? this.electedTimeMs;
    // Weights and quotas recovered from the registry, before the allocator starts deciding.
    if (this.core.weights.size > 0) this.options.allocator.updateWeights(new Map(this.core.weights));
    for (const [role, quota] of this.core.quotas) this.options.allocator.updateQuota(role, quota);
    const allocator = new AllocatorProcess(this.options.allocator, {
      intervalMs: this.options.allocationIntervalMs,
      onOffers: (decisions) => {
        this.runtime
          .dispatch(this.self(), (master) => {
            master.core.makeOffers(decisions, master.now());
            master.perform(master.core.drain());
          })
          .catch(() => undefined);
      },
    });
    this.allocatorPid = this.runtime.spawn(allocator);
    const metrics = this.options.metrics;
    if (metrics !== undefined) {
      metrics.source('master', () =>
        masterMetrics(this.core, { startTimeMs: this.startTimeMs, now: this.now(), elected: true, eventStreams: this.streams.size, eventQueue: this.runtime.mailboxCounts(this.self()) }),
      );
      metrics.source('allocator', () => allocator.metrics());
      metrics.source('system', systemMetrics);
    }
    // A ping round every --agent_ping_timeout, in slices about a second apart (see pingAgents).
    const slices = Math.max(1, Math.round(this.options.agentPingTimeoutMs / 1000));
    let slice = 0;
    const ping = (): void => {
      this.core.pingAgents(this.now(), slice, slices);
      this.perform(this.core.drain());
      slice = (slice + 1) % slices;
      this.delay(this.options.agentPingTimeoutMs / slices, ping);
    };
    this.delay(this.options.agentPingTimeoutMs / slices, ping);
    const heartbeat = (): void => {
      for (const stream of this.streams.values()) stream.push({ type: 'HEARTBEAT' });
      for (const stream of this.operatorStreams) stream.push({ type: 'HEARTBEAT' });
      this.delay(this.options.heartbeatIntervalSeconds * 1000, heartbeat);
    };
    this.delay(this.options.heartbeatIntervalSeconds * 1000, heartbeat);
    this.core.recovered();
    this.perform(this.core.drain());
  }

  protected override finalize(): void {
    for (const stream of this.streams.values()) stream.close();
    for (const stream of this.operatorStreams) stream.close();
    if (this.allocatorPid !== undefined) this.runtime.terminate(this.allocatorPid);
  }

  protected override exited(pid: Upid): void {
    this.core.agentExited(pid.toString());
    this.perform(this.core.drain());
  }

  /**
   * Performs the core's effects in the order it emitted them. A registry change is written
   * before anything after it is acted on: with an asynchronous registry (ZooKeeper) the effects
   * that follow a write wait for it, and so does everything performed later, to keep the order.
   * Writes themselves go out at once, so many can be in flight (ZooKeeper answers in order).
   */
  perform(effects: readonly MasterEffect[]): void {
    let now: MasterEffect[] = [];
    for (const effect of effects) {
      if (effect.kind === 'persist') {
        const written = this.options.registry.apply(effect.change);
        if (written === undefined) continue;
        this.execute(now);
        now = [];
        const segment: { written: boolean; effects: MasterEffect[] } = { written: false, effects: [] };
        this.waiting.push(segment);
        written.then(
          () => {
            segment.written = true;
            this.runtime.dispatch(this.self(), (master) => master.release()).catch(() => undefined);
          },
          (error: unknown) => this.options.onFatal?.(`Registry write failed: ${error instanceof Error ? error.message : String(error)}`),
        );
        continue;
      }
      (this.waiting.at(-1)?.effects ?? now).push(effect);
    }
    this.execute(now);
  }

  /** Runs the effects whose registry writes are now durable, oldest first. */
  private release(): void {
    while (this.waiting[0]?.written === true) this.execute(this.waiting.shift()!.effects);
  }

  /**
   * The core names processes by their PID text; parsing it for every message made a new
   * address per message, each one garbage. Kept per text (agents and schedulers keep theirs).
   */
  private pidOf(text: string): Upid {
    let pid = this.parsedPids.get(text);
    if (pid === undefined) {
      if (this.parsedPids.size >= 200_000) this.parsedPids.clear();
      pid = Upid.parse(text);
      this.parsedPids.set(text, pid);
    }
    return pid;
  }

  /** Performs effects that need no write; allocator updates go as one dispatch. */
  private execute(effects: readonly MasterEffect[]): void {
    if (effects.length === 0) return;
    const allocatorUpdates: ((a: Allocator) => void)[] = [];
    for (const effect of effects) {
      switch (effect.kind) {
        case 'persist':
          break;
        case 'send':
          this.send(this.pidOf(effect.to), messageName(effect.name), effect.body);
          break;
        case 'event': {
          const streamId = effect.streamId ?? this.core.frameworks.get(effect.frameworkId)?.streamId;
          if (streamId !== undefined) this.streams.get(streamId)?.push(effect.event);
          break;
        }
        case 'close-stream':
          this.streams.get(effect.streamId)?.close();
          this.streams.delete(effect.streamId);
          break;
        case 'allocator':
          allocatorUpdates.push(effect.apply);
          break;
        case 'link':
          this.link(this.pidOf(effect.pid));
          break;
        case 'timer': {
          this.timers.get(effect.key)?.cancel();
          const { key, input } = effect;
          this.timers.set(
            key,
            this.delay(effect.delayMs, () => {
              this.timers.delete(key);
              this.core.timer(input, this.now());
              this.perform(this.core.drain());
            }),
          );
          break;
        }
        case 'cancel-timer':
          this.timers.get(effect.key)?.cancel();
          this.timers.delete(effect.key);
          break;
        case 'log':
          this.log[effect.level](effect.fields, effect.message);
          break;
        case 'operator-event':
          if (this.operatorStreams.size > 0) {
            const event = effect.build();
            for (const stream of this.operatorStreams) if (!stream.push(event)) this.operatorStreams.delete(stream);
          }
          break;
      }
    }
    if (allocatorUpdates.length > 0 && this.allocatorPid !== undefined) {
      this.runtime
        .dispatch(this.allocatorPid, (allocator) => {
          allocator.update((core) => {
            for (const update of allocatorUpdates) update(core);
          });
        })
        // A bug, not an input the core let through: said, so that master and allocator out of step is seen.
        .catch((error: unknown) => this.log.error({ err: error instanceof Error ? error.message : String(error) }, 'An allocator update failed'));
    }
  }

  private async schedulerApi(request: HttpRequest): Promise<HttpResponse> {
    const refused = Http.refuseUnlessJsonPost(request);
    if (refused !== undefined) return refused;
    const decoded = decodeJson(decodeSchedulerCall, new TextDecoder().decode(request.body));
    if (!decoded.ok) return Http.badRequest(`Failed to validate scheduler::Call: ${decoded.error}`);
    const call = decoded.value;
    if (call.type !== 'SUBSCRIBE') {
      const outcome = this.core.call(call, request.headers['mesos-stream-id'], this.now());
      this.perform(this.core.drain());
      return outcome.status === 202 ? Http.accepted() : Http.text(outcome.message, outcome.status);
    }
    if (request.headers['mesos-stream-id'] !== undefined) return Http.badRequest("Subscribe calls should not include the 'Mesos-Stream-Id' header");
    const streamId = this.uuid();
    const subscribed = this.core.subscribe(call, streamId, this.now());
    if (!subscribed.ok) {
      this.perform(this.core.drain());
      return Http.text(subscribed.message, subscribed.status);
    }
    const { frameworkId } = subscribed;
    const stream = new EventStream(streamId);
    this.streams.set(streamId, stream);
    this.perform(this.core.drain());
    const closed = this.defer(() => {
      stream.close();
      this.streams.delete(streamId);
      this.core.streamClosed(frameworkId, streamId);
      this.perform(this.core.drain());
    });
    request.signal.addEventListener('abort', () => closed(), { once: true });
    return Promise.resolve({ status: 200, headers: { 'content-type': 'application/json', 'mesos-stream-id': streamId }, body: stream });
  }

  /** Performs the core's effects and answers with its outcome (`okStatus` for success: Mesos answers 202 or 200 per endpoint). */
  private outcome(outcome: CallOutcome, okStatus = 202): HttpResponse {
    this.perform(this.core.drain());
    if (outcome.status === 202) return okStatus === 202 ? Http.accepted() : Http.ok();
    return Http.text(outcome.message, outcome.status);
  }

  /** `/master/reserve`, `/master/unreserve`, `/master/create-volumes`, `/master/destroy-volumes`. */
  private operation(request: HttpRequest, kind: OperationKind, field: 'resources' | 'volumes'): HttpResponse {
    if (request.method !== 'POST') return Http.methodNotAllowed(['POST'], request.method);
    const form = formBody(request);
    const agentId = form.get('slaveId');
    if (agentId === null || agentId === '') return Http.badRequest("Expecting 'slaveId' in the form body");
    const text = form.get(field);
    if (text === null) return Http.badRequest(`Expecting '${field}' in the form body`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return Http.badRequest(`'${field}' is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    return this.outcome(this.core.operatorOperation(agentId, kind, json, undefined, this.now()));
  }

  private quotaStatus(): { infos: unknown[]; configs: unknown[] } {
    const scalars = (values: Readonly<Record<string, number>>) => Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { value }]));
    return {
      infos: [...this.core.quotas].map(([role, q]) => ({ role, guarantee: Object.entries(q.guarantees).map(([name, value]) => ({ name, type: 'SCALAR', scalar: { value } })) })),
      configs: [...this.core.quotas].map(([role, q]) => ({ role, guarantees: scalars(q.guarantees), limits: scalars(q.limits) })),
    };
  }

  private quota(request: HttpRequest): HttpResponse {
    if (request.method === 'GET') return Http.jsonp(request, this.quotaStatus());
    if (request.method === 'DELETE') {
      const role = Http.decodeComponent(request.path.replace(/^.*\/quota\/?/, ''));
      if (role === undefined) return Http.badRequest(`Malformed percent-encoding in '${request.path}'`);
      if (role === '') return Http.badRequest('DELETE /master/quota/ROLE names the role');
      if (!this.core.quotas.has(role)) return Http.badRequest(`Role '${role}' has no quota`);
      return this.outcome(this.core.updateQuotas([{ role, quota: null }], true), 200);
    }
    if (request.method !== 'POST') return Http.methodNotAllowed(['GET', 'POST', 'DELETE'], request.method);
    const json = Http.jsonBody(request);
    if (!json.ok) return json.response;
    const body = json.value as { role?: unknown; guarantee?: unknown; force?: unknown } | null;
    if (typeof body !== 'object' || body === null || typeof body.role !== 'string') return Http.badRequest('Expecting {"role": string, "guarantee": [resources], "force"?: boolean}');
    const parsed = Resources.fromJson(body.guarantee ?? [], 'guarantee');
    if (!parsed.ok) return Http.badRequest(parsed.error);
    const amounts: Record<string, number> = {};
    for (const r of parsed.value) {
      if (r.type !== 'SCALAR') return Http.badRequest(`Quota is for scalar resources; '${r.name}' is ${r.type}`);
      if (r.reservations.length > 0 || r.disk !== undefined || r.revocable) return Http.badRequest(`Quota resources are plain: '${r.name}' has reservations, disk info or revocability`);
      amounts[r.name] = parsed.value.scalar(r.name);
    }
    return this.outcome(this.core.updateQuotas([{ role: body.role, quota: { guarantees: amounts, limits: amounts } }], body.force === true), 200);
  }

  private weights(request: HttpRequest): HttpResponse {
    if (request.method === 'GET') return Http.jsonp(request, [...this.core.weights].map(([role, weight]) => ({ role, weight })));
    if (request.method !== 'PUT' && request.method !== 'POST') return Http.methodNotAllowed(['GET', 'PUT'], request.method);
    const parsed = Http.jsonBody(request);
    if (!parsed.ok) return parsed.response;
    const json = parsed.value;
    if (!Array.isArray(json) || !json.every((w): w is { role: string; weight: number } => typeof w === 'object' && w !== null && typeof (w as { role?: unknown }).role === 'string' && typeof (w as { weight?: unknown }).weight === 'number')) {
      return Http.badRequest('Expecting a JSON array of {"role": string, "weight": number}');
    }
    return this.outcome(this.core.updateWeights(json), 200);
  }

  /** `POST /api/v1`: the v1 Operator API, JSON in and out (docs/operator-http-api.md). */
  private operatorApi(request: HttpRequest): HttpResponse {
    const refused = Http.refuseUnlessJsonPost(request);
    if (refused !== undefined) return refused;
    const decoded = decodeJson(decodeOperatorCall, new TextDecoder().decode(request.body));
    if (!decoded.ok) return Http.badRequest(`Failed to validate master::Call: ${decoded.error}`);
    const call = decoded.value;
    if (call.type === 'SUBSCRIBE') return this.operatorSubscribe(request);
    switch (call.type) {
      case 'RESERVE_RESOURCES':
        return this.outcome(this.core.operatorOperation(call.reserve_resources!.agent_id.value, 'RESERVE', call.reserve_resources!.resources, undefined, this.now()));
      case 'UNRESERVE_RESOURCES':
        return this.outcome(this.core.operatorOperation(call.unreserve_resources!.agent_id.value, 'UNRESERVE', call.unreserve_resources!.resources, undefined, this.now()));
      case 'CREATE_VOLUMES':
        return this.outcome(this.core.operatorOperation(call.create_volumes!.agent_id.value, 'CREATE', call.create_volumes!.volumes, undefined, this.now()));
      case 'DESTROY_VOLUMES':
        return this.outcome(this.core.operatorOperation(call.destroy_volumes!.agent_id.value, 'DESTROY', call.destroy_volumes!.volumes, undefined, this.now()));
      case 'TEARDOWN':
        return this.outcome(this.core.teardown(call.teardown!.framework_id.value, this.now()), 200);
      case 'MARK_AGENT_GONE':
        return this.outcome(this.core.markAgentGone(call.mark_agent_gone!.agent_id.value, this.now()), 200);
      case 'UPDATE_WEIGHTS':
        return this.outcome(this.core.updateWeights(call.update_weights!.weight_infos), 200);
      case 'GET_QUOTA':
        return Http.json({ type: 'GET_QUOTA', get_quota: { status: this.quotaStatus() } });
      case 'UPDATE_QUOTA': {
        const values = (m: Readonly<Record<string, { value: number }>> | undefined) => Object.fromEntries(Object.entries(m ?? {}).map(([name, v]) => [name, v.value]));
        const configs = call.update_quota!.quota_configs.map((c) => ({ role: c.role, quota: { guarantees: values(c.guarantees), limits: values(c.limits) } }));
        return this.outcome(this.core.updateQuotas(configs, call.update_quota!.force === true), 200);
      }
      case 'GET_STATE': {
        // In chunks joined as the socket takes them (see getStateJsonChunks), sent chunked.
        const out = new TextChunks();
        out.add('{"type":"GET_STATE","get_state":');
        getStateJsonChunks(this.core, out).add('}');
        return Http.jsonpChunks(NO_QUERY, () => out.end());
      }
      case 'GET_AGENTS':
        return { status: 200, headers: { 'content-type': 'application/json' }, body: `{"type":"GET_AGENTS","get_agents":${getAgentsJson(this.core)}}` };
      case 'GET_TASKS':
        return { status: 200, headers: { 'content-type': 'application/json' }, body: `{"type":"GET_TASKS","get_tasks":${getTasksJson(this.core)}}` };
      case 'GET_WEIGHTS':
        return Http.json({ type: 'GET_WEIGHTS', get_weights: { weight_infos: [...this.core.weights].map(([role, weight]) => ({ role, weight })) } });
      default:
        break;
    }
    const response = operatorResponse(this.core, call.type, {
      startTimeMs: this.startTimeMs,
      electedTimeMs: this.electedTimeMs,
      flags: this.options.flags,
      metrics: () => this.options.metrics?.snapshot() ?? {},
      version: versionModel(),
    });
    if (response === undefined) return Http.text(`Operator call '${call.type}' is not implemented by this master yet`, 501);
    return Http.json(response);
  }

  private operatorSubscribe(request: HttpRequest): HttpResponse {
    const stream = new EventStream(this.uuid());
    const out = new TextChunks();
    out.add('{"type":"SUBSCRIBED","subscribed":{"get_state":');
    getStateJsonChunks(this.core, out).add(`,"heartbeat_interval_seconds":${this.options.heartbeatIntervalSeconds}}}`);
    stream.pushChunks(out.end(), out.byteLength());
    this.operatorStreams.add(stream);
    const closed = this.defer(() => {
      stream.close();
      this.operatorStreams.delete(stream);
    });
    request.signal.addEventListener('abort', () => closed(), { once: true });
    return { status: 200, headers: { 'content-type': 'application/json' }, body: stream };
  }

  private state(): Iterable<string> {
    return stateJsonChunks(this.core, { version: this.options.version, startTimeMs: this.startTimeMs, electedTimeMs: this.electedTimeMs, flags: this.options.flags });
  }

}

/** No query: the Operator API's answers take no `jsonp`. */
const NO_QUERY = { query: new URLSearchParams() };

/** A form-encoded body (`application/x-www-form-urlencoded`), as Mesos's operator endpoints take. */
function formBody(request: HttpRequest): URLSearchParams {
  return new URLSearchParams(new TextDecoder().decode(request.body));
}
