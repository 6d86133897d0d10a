/**
 * The simulation loop: one step per simulated second (traffic through the pod model, Prometheus
 * scrapes, metrics-server samples), the KEDA operator every pollingInterval, and one HPA reconcile
 * (hpaReconcile, the exact controller arithmetic) every 15 s with a case built from the simulated
 * state: the pods with their start/ready times, one observation per metric, and the controller's
 * memory of recommendations and scale events.
 *
 * Per-second work touches only typed arrays and preallocated objects; cases are built on the 15 s
 * ticks only. Deterministic: no randomness, no clock.
 *
 * The steps: {@link SimulationRun} holds the world and steps it (serve, scrape, poll, sync,
 * record); replica-set.ts keeps the pods, metrics-apis.ts answers the HPA's metric requests
 * (metrics-server, prometheus-adapter, KEDA's metrics server and fallback), keda-operator.ts polls
 * the triggers and scales 0 ↔ 1, pod-groups.ts and metrics-pipeline.ts model the traffic and
 * Prometheus.
 */
import type { HpaCase, HpaHistory } from "./hpa/types.js";
import { ageHistory, hpaReconcile, recordReconcile } from "./hpa/step.js";
import type { EnvConfig } from "../stacks/config.js";
import type { AutoscalerModel, SimMetric } from "./autoscaler.js";
import { CronActivity } from "./cron.js";
import { KedaOperator } from "./keda-operator.js";
import { cpuPercent, MetricsApis, type MetricSources, type PodResources } from "./metrics-apis.js";
import { MetricsServerModel, PrometheusModel, type QueryResult, type ScrapeSample } from "./metrics-pipeline.js";
import { arrivalRates, prometheusDown, type Scenario } from "./scenarios.js";
import { podProfile, ServiceTable, type PodProfile } from "./service-model.js";
import { PodGroups } from "./pod-groups.js";
import { ReplicaSetModel, type ScaleEvent } from "./replica-set.js";

export interface SimulationOptions {
  /** Seconds simulated at the scenario's initial load before t = 0, so the run starts settled. @default 900 */
  readonly warmupSeconds?: number;
  /** --horizontal-pod-autoscaler-sync-period. @default 15 */
  readonly hpaSyncSeconds?: number;
  /** metrics-server --metric-resolution. @default 15 */
  readonly metricsServerResolutionSeconds?: number;
  /** Memory usage as a share of the request (not load-dependent: the model is loaded once). @default 0.5 */
  readonly memoryUtilization?: number;
  /** The latency quantile reported and compared with the SLO threshold. @default 0.95 */
  readonly quantile?: number;
  /**
   * Clients give up after this long (ingress-nginx's default proxy-read-timeout): requests that
   * would wait longer fail and leave the queue. @default 60
   */
  readonly requestTimeoutSeconds?: number;
}

export interface SimulationInput {
  readonly config: EnvConfig;
  readonly model: AutoscalerModel;
  readonly scenario: Scenario;
  /** Name of the run in reports, e.g. the scaling mode. */
  readonly label: string;
  readonly options?: SimulationOptions;
}

/** Second-by-second state, t = 0 … length − 1. */
export interface Timeline {
  readonly length: number;
  /** Users (NaN when the scenario is given in requests/s). */
  readonly users: Float64Array;
  readonly rps: Float64Array;
  /** scale.spec.replicas: pods that exist (starting or ready). */
  readonly desired: Int32Array;
  readonly ready: Int32Array;
  /** CPU utilization of a ready pod against its request, % (metrics-server's windowed value). */
  readonly cpuPct: Float64Array;
  /** Latency quantile of the requests arriving this second, seconds, at most the request timeout (Infinity: no ready pod). */
  readonly latency: Float64Array;
  /** Requests in flight over all pods (in service + waiting + backlog). */
  readonly inFlight: Float64Array;
  /** Requests waiting for a slot over all pods, backlog included. */
  readonly queue: Float64Array;
  /** Fluid backlog beyond the pods' capacity. */
  readonly backlog: Float64Array;
  /** Requests arriving this second whose latency exceeds the SLO threshold (or that fail). */
  readonly slow: Float64Array;
  /** Requests arriving this second that fail: no ready pod (connection refused) or the client's timeout. */
  readonly failed: Float64Array;
  /** Per metric: the value the HPA saw at its last sync (NaN: error or no sample). */
  readonly metricValues: readonly Float64Array[];
  /** 1 while KEDA answers a metric with its fallback value. */
  readonly fallback: Uint8Array;
  readonly prometheusUp: Uint8Array;
}

export type { ScaleEvent } from "./replica-set.js";

export interface SimulationResult {
  readonly label: string;
  readonly env: string;
  readonly scenario: Scenario;
  readonly model: AutoscalerModel;
  readonly pod: PodProfile;
  readonly quantile: number;
  readonly sloThresholdSeconds: number;
  readonly pricePerPodHour: number;
  readonly timeline: Timeline;
  /** Scale changes at t ≥ 0. */
  readonly events: readonly ScaleEvent[];
  /** Replica count at t = 0 (after the warm-up). */
  readonly initialReplicas: number;
  readonly settings: SimulationSettings;
}

/** The pipeline parameters a run used (for the report). */
export interface SimulationSettings {
  readonly scrapeIntervalSeconds: number;
  /** monitoring.queryWindow */
  readonly queryWindow: string;
  readonly hpaSyncSeconds: number;
  readonly metricsServerResolutionSeconds: number;
  readonly warmupSeconds: number;
  readonly memoryUtilization: number;
  readonly requestTimeoutSeconds: number;
}

/** Bucket bounds of the latency histogram the service exports, +Inf appended. */
function latencyBuckets(config: EnvConfig): number[] {
  const h = config.service.metrics.metrics.find((m) => m.name === "http_request_duration_seconds");
  if (!h?.buckets?.length)
    throw new Error(`env "${config.name}": service.metrics has no http_request_duration_seconds histogram to simulate`);
  return [...h.buckets, Infinity];
}

/** Everything fixed for one run, resolved once from the input. */
interface RunSetup {
  readonly input: SimulationInput;
  readonly settings: SimulationSettings;
  readonly quantile: number;
  readonly pod: PodProfile;
  readonly resources: PodResources;
  readonly sloThresholdSeconds: number;
  /** Latency bucket bounds, +Inf last; the SLO threshold's point in the service table. */
  readonly bounds: readonly number[];
  readonly table: ServiceTable;
  readonly thresholdIdx: number;
  /** Arrivals per second, t = 0 … length − 1 (the warm-up runs at rates[0]). */
  readonly rates: Float64Array;
  /** The longest rate window any metric reads, seconds. */
  readonly maxWindowSeconds: number;
}

function resolveSetup(input: SimulationInput): RunSetup {
  const { config, model, scenario } = input;
  const opts = input.options ?? {};
  const settings: SimulationSettings = {
    scrapeIntervalSeconds: config.monitoring.scrapeIntervalSeconds,
    queryWindow: config.monitoring.queryWindow,
    hpaSyncSeconds: opts.hpaSyncSeconds ?? 15,
    metricsServerResolutionSeconds: opts.metricsServerResolutionSeconds ?? 15,
    warmupSeconds: opts.warmupSeconds ?? 900,
    memoryUtilization: opts.memoryUtilization ?? 0.5,
    requestTimeoutSeconds: opts.requestTimeoutSeconds ?? 60,
  };
  const quantile = opts.quantile ?? 0.95;
  const pod = podProfile(config);
  const sloThresholdSeconds = config.slo.latency.thresholdSeconds;
  const bounds = latencyBuckets(config);
  const finiteBounds = bounds.slice(0, -1);
  return {
    input,
    settings,
    quantile,
    pod,
    resources: {
      cpuRequestCores: pod.cpuRequestCores,
      cpuLimitCores: pod.cpuLimitCores,
      cpuRequest: config.service.resources.requests.cpu,
      memoryRequest: config.service.resources.requests.memory,
      memoryShare: settings.memoryUtilization,
      memoryUsage: `${Math.round(pod.memoryRequestBytes * settings.memoryUtilization)}`,
    },
    sloThresholdSeconds,
    bounds,
    table: ServiceTable.shared(pod.queue, quantile, [...finiteBounds, sloThresholdSeconds], settings.requestTimeoutSeconds),
    thresholdIdx: finiteBounds.length,
    rates: arrivalRates(scenario, pod.requestsPerUserPerSecond, pod.capacityRps),
    maxWindowSeconds: Math.max(0, ...model.metrics.map((m) => ("windowSeconds" in m.signal ? m.signal.windowSeconds : 0))),
  };
}

function newTimeline(length: number, metricCount: number): Timeline {
  return {
    length,
    users: new Float64Array(length),
    rps: new Float64Array(length),
    desired: new Int32Array(length),
    ready: new Int32Array(length),
    cpuPct: new Float64Array(length),
    latency: new Float64Array(length),
    inFlight: new Float64Array(length),
    queue: new Float64Array(length),
    backlog: new Float64Array(length),
    slow: new Float64Array(length),
    failed: new Float64Array(length),
    metricValues: Array.from({ length: metricCount }, () => new Float64Array(length).fill(NaN)),
    fallback: new Uint8Array(length),
    prometheusUp: new Uint8Array(length),
  };
}

/** A tick every `period` seconds, on the seconds t ≡ `start` (mod period) — advanced per second without a modulo. */
class Ticker {
  private phase: number;

  constructor(
    start: number,
    private readonly period: number,
  ) {
    this.phase = ((start % period) + period) % period;
  }

  get due(): boolean {
    return this.phase === 0;
  }

  advance(): void {
    if (++this.phase === this.period) this.phase = 0;
  }
}

/** The HPA controller, every sync period; its memory stored and overwritten as horizontal.go does (recordReconcile). */
class HpaController {
  private history: HpaHistory | null = null;
  private lastSync = 0;

  constructor(
    private readonly model: AutoscalerModel,
    private readonly apis: MetricsApis,
    private readonly replicas: ReplicaSetModel,
  ) {}

  reconcile(t: number, up: boolean): void {
    this.apis.fallbackActive = 0;
    const observations = this.model.metrics.map((m) => this.apis.observe(m, t, up));
    if (this.history !== null) this.history = ageHistory(this.history, t - this.lastSync);
    this.lastSync = t;
    const replicas = this.replicas.replicas;
    const c: HpaCase = { spec: this.model.hpa, currentReplicas: replicas, statusReplicas: replicas, observations, history: this.history };
    const r = hpaReconcile(c);
    this.history = recordReconcile(this.history, r, c);
    if (r.desiredReplicas !== replicas) this.replicas.scaleTo(r.desiredReplicas, t, "hpa", r.reason);
  }
}

/** What the ready pods did in one second (one object, overwritten each second). */
interface Second {
  /** Latency quantile of this second's arrivals (Infinity: no ready pod; NaN: no arrival). */
  latency: number;
  slow: number;
  failed: number;
  coresPerPod: number;
  backlog: number;
  queueTotal: number;
  inFlightTotal: number;
  utilTotal: number;
}

/** The simulated world for one run: pods, traffic, metric pipelines, controllers; stepped one second at a time. */
class SimulationRun {
  readonly timeline: Timeline;
  readonly replicas: ReplicaSetModel;
  private readonly metrics: readonly SimMetric[];
  private readonly sources: MetricSources;
  private readonly apis: MetricsApis;
  private readonly hpa: HpaController;
  private readonly kedaOperator: KedaOperator | null;
  /** The ready pods' queues, and the requests still to complete (the histogram observes a request when it completes). */
  private readonly groups: PodGroups;
  private readonly cumBuckets: Float64Array;
  private readonly sample: { -readonly [K in keyof ScrapeSample]: ScrapeSample[K] };
  private readonly second: Second = {
    latency: NaN,
    slow: 0,
    failed: 0,
    coresPerPod: 0,
    backlog: 0,
    queueTotal: 0,
    inFlightTotal: 0,
    utilTotal: 0,
  };
  private requestsTotal = 0;
  private readonly syncTicks: Ticker;
  private readonly scrapeTicks: Ticker;
  private readonly pollTicks: Ticker | null;
  /** metrics-server samples on the seconds t ≡ this (mod its resolution). */
  private readonly msOffset: number;

  constructor(private readonly setup: RunSetup) {
    const { input, settings, pod } = setup;
    const { model, scenario } = input;
    const warmup = settings.warmupSeconds;
    const scrape = settings.scrapeIntervalSeconds;
    const length = setup.rates.length;
    this.metrics = model.metrics;
    this.timeline = newTimeline(length, this.metrics.length);
    this.replicas = new ReplicaSetModel(pod.startupSeconds, Math.max(1, model.hpa.minReplicas ?? 1), -warmup - 3600);
    this.sources = {
      prom: new PrometheusModel(setup.bounds, scrape, setup.maxWindowSeconds),
      ms: new MetricsServerModel(settings.metricsServerResolutionSeconds),
      msResolutionSeconds: settings.metricsServerResolutionSeconds,
      scrapeIntervalSeconds: scrape,
      crons: this.metrics.map((m) =>
        m.signal.kind === "cron" ? new CronActivity(m.signal.start, m.signal.end, -warmup, length, scenario.clockOffsetSeconds ?? 0) : null,
      ),
      cached: this.metrics.map((): QueryResult => ({ ok: false, reason: "empty" })),
    };
    this.msOffset = 5 % settings.metricsServerResolutionSeconds;
    this.apis = new MetricsApis(this.sources, setup.resources, model.keda, this.replicas, this.metrics.length);
    this.hpa = new HpaController(model, this.apis, this.replicas);
    this.kedaOperator = model.keda ? new KedaOperator(model.keda, this.metrics, this.sources, this.replicas, -warmup) : null;
    this.groups = new PodGroups(setup.table, setup.bounds.length - 1, settings.requestTimeoutSeconds);
    this.cumBuckets = new Float64Array(setup.bounds.length);
    this.sample = {
      cumulativeBuckets: this.cumBuckets,
      requestsTotal: 0,
      queueTotal: 0,
      inFlightTotal: 0,
      workerUtilizationTotal: 0,
      pods: 0,
    };
    this.syncTicks = new Ticker(-warmup, settings.hpaSyncSeconds);
    this.scrapeTicks = new Ticker(-warmup - Math.floor(scrape / 2), scrape);
    this.pollTicks = model.keda ? new Ticker(-warmup, model.keda.pollingIntervalSeconds) : null;
  }

  /** Runs the warm-up and the scenario, filling the timeline. */
  run(): void {
    const { rates } = this.setup;
    const length = rates.length;
    const down = new Uint8Array(length);
    for (let t = 0; t < length; t++) down[t] = prometheusDown(this.setup.input.scenario, t) ? 1 : 0;
    for (let t = -this.setup.settings.warmupSeconds; t < length; t++) this.step(t, rates[t < 0 ? 0 : t]!, t < 0 || down[t] === 0);
  }

  /** One second: traffic through the ready pods, then scrapes, the KEDA poll, the HPA sync; recorded from t = 0. */
  private step(t: number, lambda: number, up: boolean): void {
    const replicas = this.replicas;
    if (t >= replicas.nextReadyAt) replicas.recountReady(t);
    const n = replicas.readyCount;
    this.serve(t, lambda, n);
    this.requestsTotal += lambda;
    this.sources.ms.observe(t, this.second.coresPerPod, this.msOffset);
    if (up && this.scrapeTicks.due) this.scrape(t, n);
    if (this.pollTicks?.due) this.kedaOperator!.poll(t, up);
    if (this.syncTicks.due) this.hpa.reconcile(t, up);
    this.syncTicks.advance();
    this.scrapeTicks.advance();
    this.pollTicks?.advance();
    if (t >= 0) this.record(t, lambda, up);
  }

  /** The second's arrivals `lambda` through the `n` ready pods. */
  private serve(t: number, lambda: number, n: number): void {
    const s = this.second;
    if (n === 0) {
      // a Service without ready endpoints refuses connections; whatever was queued is lost
      s.latency = lambda > 0 ? Infinity : NaN;
      s.failed = lambda;
      s.slow = lambda;
      s.backlog = 0;
      s.queueTotal = 0;
      s.inFlightTotal = 0;
      s.utilTotal = 0;
      s.coresPerPod = 0;
      this.groups.clear();
      this.groups.idle(t);
      return;
    }
    const { pod, thresholdIdx } = this.setup;
    this.groups.resize(n);
    const o = this.groups.advance(t, lambda);
    s.failed = o.failed;
    const accepted = lambda - s.failed;
    s.latency = lambda > 0 ? Math.min(o.quantile, this.setup.settings.requestTimeoutSeconds) : NaN;
    s.backlog = o.backlog;
    s.queueTotal = o.queue;
    s.inFlightTotal = o.inFlight;
    s.utilTotal = o.busySlots / pod.queue.servers;
    s.coresPerPod = (o.served * pod.cpuSecondsPerRequest) / n;
    s.slow = accepted * (1 - o.cdf[thresholdIdx]!) + s.failed;
  }

  /** A Prometheus scrape of the `n` ready pods: the histogram observes the requests completed by now. */
  private scrape(t: number, n: number): void {
    const s = this.second;
    this.groups.histogram(t, this.cumBuckets);
    this.sample.requestsTotal = this.requestsTotal;
    this.sample.queueTotal = s.queueTotal;
    this.sample.inFlightTotal = s.inFlightTotal;
    this.sample.workerUtilizationTotal = s.utilTotal;
    this.sample.pods = n;
    this.sources.prom.record(t, this.sample);
  }

  private record(t: number, lambda: number, up: boolean): void {
    const tl = this.timeline;
    const s = this.second;
    const scenario = this.setup.input.scenario;
    tl.users[t] = scenario.unit === "users" ? scenario.load[t]! : NaN;
    tl.rps[t] = lambda;
    tl.desired[t] = this.replicas.replicas;
    tl.ready[t] = this.replicas.readyCount;
    tl.cpuPct[t] = cpuPercent(this.sources.ms, this.setup.resources);
    tl.latency[t] = s.latency;
    tl.inFlight[t] = s.inFlightTotal;
    tl.queue[t] = s.queueTotal;
    tl.backlog[t] = s.backlog;
    tl.slow[t] = s.slow;
    tl.failed[t] = s.failed;
    for (let i = 0; i < this.metrics.length; i++) tl.metricValues[i]![t] = this.apis.lastSeen[i]!;
    tl.fallback[t] = this.apis.fallbackActive;
    tl.prometheusUp[t] = up ? 1 : 0;
  }
}

export function simulate(input: SimulationInput): SimulationResult {
  const setup = resolveSetup(input);
  const run = new SimulationRun(setup);
  const initialReplicas = run.replicas.replicas;
  run.run();
  const { config, model, scenario } = input;
  return {
    label: input.label,
    env: config.name,
    scenario,
    model,
    pod: setup.pod,
    quantile: setup.quantile,
    sloThresholdSeconds: setup.sloThresholdSeconds,
    pricePerPodHour: config.cost.pricePerPodHour,
    timeline: run.timeline,
    events: run.replicas.events,
    initialReplicas: run.timeline.desired[0] ?? initialReplicas,
    settings: setup.settings,
  };
}
