/**
 * What the autoscaler sees instead of the truth: Prometheus scrapes the service every
 * scrapeIntervalSeconds and answers rate()/histogram_quantile() over a window of those samples
 * (so the p95 it reports lags the p95 requests experience), gauges from the latest sample within
 * the 5-minute lookback; while Prometheus is down nothing is scraped and every query fails.
 * metrics-server reports each pod's CPU averaged over its resolution window.
 *
 * Fixed-size typed-array ring buffers: no allocation per simulated second.
 */
import type { Aggregation, GaugeName, Signal } from "./autoscaler.js";

/** Prometheus' instant-vector lookback delta. */
export const LOOKBACK_SECONDS = 300;

/**
 * Prometheus' histogram_quantile over cumulative bucket counts (`cumulative[i]` = count ≤
 * `bounds[i]`, the last bound +Inf): linear interpolation inside the bucket holding the rank, the
 * first bucket starting at 0, the +Inf bucket answered with the last finite bound. NaN without
 * observations.
 */
export function histogramQuantile(q: number, bounds: ArrayLike<number>, cumulative: ArrayLike<number>): number {
  const n = bounds.length;
  if (n < 2) return NaN;
  const total = cumulative[n - 1]!;
  if (!(total > 0)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const rank = q * total;
  let b = 0;
  while (b < n - 1 && cumulative[b]! < rank) b++;
  if (b === n - 1) return bounds[n - 2]!;
  if (b === 0 && bounds[0]! <= 0) return bounds[0]!;
  const start = b === 0 ? 0 : bounds[b - 1]!;
  const below = b === 0 ? 0 : cumulative[b - 1]!;
  const count = cumulative[b]! - below;
  if (count <= 0) return bounds[b]!;
  return start + (bounds[b]! - start) * ((rank - below) / count);
}

/** A query answer: a number, or why there is none. */
export type QueryResult = { ok: true; value: number } | { ok: false; reason: "down" | "empty" };

const DOWN: QueryResult = { ok: false, reason: "down" };
const EMPTY: QueryResult = { ok: false, reason: "empty" };

/** The simulated service's state at one scrape. */
export interface ScrapeSample {
  /** Cumulative latency histogram: count ≤ bound for each bound (last +Inf). */
  readonly cumulativeBuckets: Float64Array;
  /** Cumulative requests. */
  readonly requestsTotal: number;
  /** Sum over ready pods of requests waiting for a slot. */
  readonly queueTotal: number;
  /** Sum over ready pods of requests in flight. */
  readonly inFlightTotal: number;
  /** Sum over ready pods of busy-slot share (0–1). */
  readonly workerUtilizationTotal: number;
  /** Pods scraped (ready pods). */
  readonly pods: number;
}

/** Prometheus holding the service's series over the longest window any query reads. */
export class PrometheusModel {
  private readonly size: number;
  private readonly times: Float64Array;
  private readonly buckets: Float64Array;
  private readonly requests: Float64Array;
  private readonly queue: Float64Array;
  private readonly inFlight: Float64Array;
  private readonly util: Float64Array;
  private readonly pods: Float64Array;
  private readonly scratch: Float64Array;
  private head = 0;
  private count = 0;

  constructor(
    /** Histogram bucket upper bounds, +Inf last. */
    readonly bounds: readonly number[],
    readonly scrapeIntervalSeconds: number,
    /** Longest range any query reads, seconds. */
    maxWindowSeconds: number,
  ) {
    this.size = Math.ceil(Math.max(maxWindowSeconds, LOOKBACK_SECONDS) / scrapeIntervalSeconds) + 3;
    this.times = new Float64Array(this.size);
    this.buckets = new Float64Array(this.size * bounds.length);
    this.requests = new Float64Array(this.size);
    this.queue = new Float64Array(this.size);
    this.inFlight = new Float64Array(this.size);
    this.util = new Float64Array(this.size);
    this.pods = new Float64Array(this.size);
    this.scratch = new Float64Array(bounds.length);
  }

  /** True when Prometheus scrapes at second t (every scrapeIntervalSeconds). */
  scrapesAt(t: number): boolean {
    return ((t % this.scrapeIntervalSeconds) + this.scrapeIntervalSeconds) % this.scrapeIntervalSeconds === 0;
  }

  record(t: number, s: ScrapeSample): void {
    const i = this.head;
    this.times[i] = t;
    const m = this.bounds.length;
    for (let j = 0; j < m; j++) this.buckets[i * m + j] = s.cumulativeBuckets[j]!;
    this.requests[i] = s.requestsTotal;
    this.queue[i] = s.queueTotal;
    this.inFlight[i] = s.inFlightTotal;
    this.util[i] = s.workerUtilizationTotal;
    this.pods[i] = s.pods;
    this.head = (i + 1) % this.size;
    if (this.count < this.size) this.count++;
  }

  /** Ring index of the k-th newest sample (0 = newest). */
  private idx(k: number): number {
    return (this.head - 1 - k + 2 * this.size) % this.size;
  }

  /** Oldest and newest sample indexes within (t − window, t]; null with fewer than two. */
  private range(t: number, windowSeconds: number): [number, number] | null {
    let newest = -1;
    let oldest = -1;
    for (let k = 0; k < this.count; k++) {
      const i = this.idx(k);
      const ts = this.times[i]!;
      if (ts > t) continue;
      if (ts <= t - windowSeconds) break;
      if (newest < 0) newest = i;
      oldest = i;
    }
    if (newest < 0 || oldest === newest) return null;
    return [oldest, newest];
  }

  /** The newest sample within the lookback, or −1. */
  private latest(t: number): number {
    for (let k = 0; k < this.count; k++) {
      const i = this.idx(k);
      const ts = this.times[i]!;
      if (ts > t) continue;
      return ts > t - LOOKBACK_SECONDS ? i : -1;
    }
    return -1;
  }

  /** histogram_quantile(q, sum by (le) (rate(bucket[window]))) at time t. */
  latencyQuantile(t: number, q: number, windowSeconds: number): QueryResult {
    const r = this.range(t, windowSeconds);
    if (!r) return EMPTY;
    const m = this.bounds.length;
    for (let j = 0; j < m; j++) this.scratch[j] = this.buckets[r[1] * m + j]! - this.buckets[r[0] * m + j]!;
    const v = histogramQuantile(q, this.bounds, this.scratch);
    // no request in the window: Prometheus returns NaN, which KEDA's prometheus scaler reads as 0
    return { ok: true, value: Number.isNaN(v) ? 0 : v };
  }

  /** rate(http_requests_total[window]) summed over pods (or × window for increase()). */
  requestRate(t: number, windowSeconds: number, increase: boolean): QueryResult {
    const r = this.range(t, windowSeconds);
    if (!r) return EMPTY;
    const dt = this.times[r[1]]! - this.times[r[0]]!;
    const perSecond = (this.requests[r[1]]! - this.requests[r[0]]!) / dt;
    return { ok: true, value: increase ? perSecond * windowSeconds : perSecond };
  }

  /** A gauge aggregated over the scraped pods (pods are identical: avg = max = min = total / pods). */
  gauge(t: number, gauge: GaugeName, aggregation: Aggregation): QueryResult {
    const i = this.latest(t);
    if (i < 0) return EMPTY;
    const pods = this.pods[i]!;
    if (pods === 0) return EMPTY;
    const total = gauge === "queue" ? this.queue[i]! : gauge === "in-flight" ? this.inFlight[i]! : this.util[i]!;
    return { ok: true, value: aggregation === "sum" ? total : total / pods };
  }

  /** sum(max_over_time(gauge[window])): the largest scraped total within (t − window, t]. */
  gaugePeak(t: number, gauge: GaugeName, windowSeconds: number, perPod = false): QueryResult {
    let peak = -Infinity;
    for (let k = 0; k < this.count; k++) {
      const i = this.idx(k);
      const ts = this.times[i]!;
      if (ts > t) continue;
      if (ts <= t - windowSeconds) break;
      if (this.pods[i]! === 0) continue;
      const total = gauge === "queue" ? this.queue[i]! : gauge === "in-flight" ? this.inFlight[i]! : this.util[i]!;
      const v = perPod ? total / this.pods[i]! : total;
      if (v > peak) peak = v;
    }
    return peak === -Infinity ? EMPTY : { ok: true, value: peak };
  }

  /** Whether the newest sample within the lookback saw any scrape target of the service. */
  hasTargets(t: number): boolean {
    const i = this.latest(t);
    return i >= 0 && this.pods[i]! > 0;
  }

  /** Evaluates the query behind a Prometheus-backed signal; `up` false = Prometheus unreachable. */
  query(signal: Signal, t: number, up: boolean): QueryResult {
    if (!up) return DOWN;
    switch (signal.kind) {
      case "latency-quantile":
        return this.latencyQuantile(t, signal.quantile, signal.windowSeconds);
      case "gauge":
        return this.gauge(t, signal.gauge, signal.aggregation);
      case "request-rate": {
        const r = this.requestRate(t, signal.windowSeconds, signal.increase);
        return r.ok && signal.aggregation !== "sum" ? this.perPod(t, r.value) : r;
      }
      case "gauge-peak":
        return this.gaugePeak(t, signal.gauge, signal.windowSeconds, signal.aggregation === "avg");
      case "offered-rate":
        // the gateway counts every request it receives, also while no pod is ready (it answers 503)
        return this.requestRate(t, signal.windowSeconds, false);
      case "cpu":
      case "memory":
      case "cron":
        throw new Error(`${signal.kind} is not a Prometheus signal`);
    }
  }

  private perPod(t: number, total: number): QueryResult {
    const i = this.latest(t);
    const pods = i < 0 ? 0 : this.pods[i]!;
    return pods > 0 ? { ok: true, value: total / pods } : EMPTY;
  }
}

/**
 * metrics-server: each pod's CPU usage averaged over the last `resolutionSeconds` (the kubelet's
 * rate window), sampled every resolutionSeconds. Pods are identical, so one value per second.
 */
export class MetricsServerModel {
  private readonly ring: Float64Array;
  private pos = 0;
  private filled = 0;
  /** Per-pod CPU cores of the last sample. */
  sampleCores = 0;
  /** Time of the last sample. */
  sampleTime = -Infinity;

  constructor(readonly resolutionSeconds: number) {
    this.ring = new Float64Array(resolutionSeconds);
  }

  /** Records one second of per-ready-pod CPU usage; takes a sample when t is on the resolution grid. */
  observe(t: number, coresPerPod: number, sampleOffsetSeconds: number): void {
    this.ring[this.pos] = coresPerPod;
    this.pos = (this.pos + 1) % this.ring.length;
    if (this.filled < this.ring.length) this.filled++;
    if ((((t - sampleOffsetSeconds) % this.resolutionSeconds) + this.resolutionSeconds) % this.resolutionSeconds === 0) {
      let s = 0;
      for (let i = 0; i < this.filled; i++) s += this.ring[i]!;
      this.sampleCores = s / this.filled;
      this.sampleTime = t;
    }
  }
}
