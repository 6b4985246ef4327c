import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { Http, type HttpRequest, type HttpResponse } from './http.js';
import { Process } from './process.js';

/** A value read when a snapshot is taken (`master/cpus_total`). */
export type Gauge = () => number;

/** A count that only goes up (`master/messages_received`). */
export interface Counter {
  inc(by?: number): void;
  readonly value: number;
}

/**
 * Named numbers, as libprocess's metrics library keeps them: gauges (read at snapshot time)
 * and counters. Names are slash-separated paths (`master/tasks_running`). Providers add many
 * at once with `source`, a function returning a record of them (the allocator's metrics).
 */
export class MetricsRegistry {
  private readonly gauges = new Map<string, Gauge>();
  private readonly counters = new Map<string, { value: number }>();
  private readonly sources = new Map<string, () => Readonly<Record<string, number>>>();

  gauge(name: string, read: Gauge): void {
    this.gauges.set(name, read);
  }

  counter(name: string): Counter {
    let cell = this.counters.get(name);
    if (cell === undefined) {
      cell = { value: 0 };
      this.counters.set(name, cell);
    }
    const c = cell;
    return {
      inc: (by = 1) => {
        c.value += by;
      },
      get value() {
        return c.value;
      },
    };
  }

  /** A provider of several metrics at once, registered under `key` (replacing an earlier one). */
  source(key: string, read: () => Readonly<Record<string, number>>): void {
    this.sources.set(key, read);
  }

  remove(name: string): void {
    this.gauges.delete(name);
    this.counters.delete(name);
    this.sources.delete(name);
  }

  /** Every metric now, sorted by name. A gauge that throws or is not finite is left out. */
  snapshot(): Record<string, number> {
    const values: [string, number][] = [];
    for (const [name, read] of this.gauges) {
      let value: number;
      try {
        value = read();
      } catch {
        continue;
      }
      if (Number.isFinite(value)) values.push([name, value]);
    }
    for (const [name, cell] of this.counters) values.push([name, cell.value]);
    for (const read of this.sources.values()) {
      let record: Readonly<Record<string, number>>;
      try {
        record = read();
      } catch {
        continue;
      }
      for (const [name, value] of Object.entries(record)) if (Number.isFinite(value)) values.push([name, value]);
    }
    values.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return Object.fromEntries(values);
  }
}

/** A metric name as Prometheus allows: `master/cpus_total` -> `master_cpus_total`. */
export function prometheusName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[a-zA-Z_:]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/** A snapshot in the Prometheus text exposition format (every metric untyped: gauges and counters alike). */
export function prometheusText(snapshot: Readonly<Record<string, number>>): string {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(snapshot)) {
    const metric = prometheusName(name);
    lines.push(`# HELP ${metric} Mesos metric ${name}`, `# TYPE ${metric} untyped`, `${metric} ${value}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * The `metrics` process: `/metrics/snapshot` (a JSON object of every metric, as libprocess
 * serves it) and `/metrics/prometheus` (the same in Prometheus's text format).
 */
export class MetricsProcess extends Process {
  constructor(readonly registry: MetricsRegistry) {
    super('metrics');
    this.route('/snapshot', 'Every metric of this process, as one JSON object: {"master/uptime_secs": 12.5, ...}. `?jsonp=CALLBACK` wraps it.', (r) => this.snapshot(r));
    this.route('/prometheus', 'Every metric in the Prometheus text exposition format; names have `/` replaced by `_`.', () => ({
      status: 200,
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      body: prometheusText(this.registry.snapshot()),
    }));
  }

  private snapshot(request: HttpRequest): HttpResponse {
    // libprocess's `timeout` bounds how long it waits for metrics; ours are all at hand, but a
    // value that is not a duration is refused as libprocess refuses it.
    const timeout = request.query.get('timeout');
    if (timeout !== null && !DURATION.test(timeout)) return Http.badRequest(`Invalid timeout '${timeout.slice(0, 100)}': expected a duration such as '5secs'`);
    return Http.jsonp(request, this.registry.snapshot());
  }
}

/** A libprocess Duration: a number and its unit. */
const DURATION = /^\d+(\.\d+)?(ns|us|ms|secs|mins|hrs|days|weeks)$/;

/** How long the event loop was late, per 10 s window: how responsive this daemon is. */
const LAG_WINDOW_MS = 10_000;
let lag: { histogram: IntervalHistogram; last: { p50: number; p99: number; max: number } } | undefined;

function eventLoopLag(): { p50: number; p99: number; max: number } {
  if (lag === undefined) {
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const state = { histogram, last: { p50: 0, p99: 0, max: 0 } };
    lag = state;
    setInterval(() => {
      const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
      state.last = { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
      histogram.reset();
    }, LAG_WINDOW_MS).unref();
  }
  return lag.last;
}

/**
 * `system/*` metrics as libprocess reports them: cpus, load averages, memory of the machine;
 * and, ours, the process's resident memory and its event loop's lateness (p50/p99/max in ms
 * over the last complete 10 s window, measured from the first snapshot on).
 */
export function systemMetrics(): Record<string, number> {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  const delay = eventLoopLag();
  return {
    'system/cpus_total': cpus().length,
    'system/load_1min': one,
    'system/load_5min': five,
    'system/load_15min': fifteen,
    'system/mem_total_bytes': totalmem(),
    'system/mem_free_bytes': freemem(),
    'system/process_rss_bytes': process.memoryUsage.rss(),
    'system/event_loop_delay_p50_ms': delay.p50,
    'system/event_loop_delay_p99_ms': delay.p99,
    'system/event_loop_delay_max_ms': delay.max,
  };
}
