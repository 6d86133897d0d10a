/**
 * The simulation loop: one step per simulated second (traffic through the pod model, Prometheus
 * scrapes, metrics-server samples), the KEDA operator every pollingInterval, and one HPA reconcile
 * (hpaReconcile, the exact controller arithmetic) every 15 s with a case built from the simulated
 * state: the pods with their start/ready times, one observation per metric, and the controller's
 * memory of recommendations and scale events.
 *
 * Per-second work touches only typed arrays and preallocated objects; cases are built on the 15 s
 * ticks only. Deterministic: no randomness, no clock.
 */
import type { HpaCase, MetricObservation, PodObservation, HpaHistory } from "./hpa/types.js";
import { ageHistory, hpaReconcile, recordReconcile } from "./hpa/step.js";
import { quantityToNumber } from "./hpa/quantity.js";
import type { EnvConfig } from "../stacks/config.js";
import type { AutoscalerModel, SimMetric } from "./autoscaler.js";
import { CronActivity } from "./cron.js";
import { MetricsServerModel, PrometheusModel, type QueryResult } from "./metrics-pipeline.js";
import { arrivalRates, prometheusDown, type Scenario } from "./scenarios.js";
import { podProfile, ServiceTable, type PodProfile } from "./service-model.js";
import { PodGroups } from "./pod-groups.js";

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

export interface ScaleEvent {
  readonly t: number;
  readonly from: number;
  readonly to: number;
  /** `hpa`: a reconcile; `keda-activation` / `keda-cooldown`: the KEDA operator's 0 ↔ 1. */
  readonly by: "hpa" | "keda-activation" | "keda-cooldown";
  readonly reason: string;
}

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

const toMilli = (v: number): string => `${Math.round(v * 1000)}m`;

/** KEDA v2.18.3 pkg/scalers/scaler.go GenerateMetricInMili: int64(value × 1000), truncated. */
const kedaMilli = (v: number): number => Math.trunc(v * 1000);

/** Bucket bounds of the latency histogram the service exports, +Inf appended. */
function latencyBuckets(config: EnvConfig): number[] {
  const h = config.service.metrics.metrics.find((m) => m.name === "http_request_duration_seconds");
  if (!h?.buckets?.length) throw new Error(`env "${config.name}": service.metrics has no http_request_duration_seconds histogram to simulate`);
  return [...h.buckets, Infinity];
}

interface Pod {
  readonly id: number;
  readonly created: number;
  readonly readyAt: number;
}

export function simulate(input: SimulationInput): SimulationResult {
  const { config, model, scenario } = input;
  const opts = input.options ?? {};
  const warmup = opts.warmupSeconds ?? 900;
  const sync = opts.hpaSyncSeconds ?? 15;
  const msRes = opts.metricsServerResolutionSeconds ?? 15;
  const memShare = opts.memoryUtilization ?? 0.5;
  const q = opts.quantile ?? 0.95;
  const timeout = opts.requestTimeoutSeconds ?? 60;
  const pod = podProfile(config);
  const threshold = config.slo.latency.thresholdSeconds;
  const bounds = latencyBuckets(config);
  const finiteBounds = bounds.slice(0, -1);
  const table = ServiceTable.shared(pod.queue, q, [...finiteBounds, threshold], timeout);
  const thresholdIdx = finiteBounds.length;
  const rates = arrivalRates(scenario, pod.requestsPerUserPerSecond, pod.capacityRps);
  const D = rates.length;
  const scrape = config.monitoring.scrapeIntervalSeconds;
  const scrapeOffset = Math.floor(scrape / 2);
  const metrics = model.metrics;
  const maxWindow = Math.max(
    0,
    ...metrics.map((m) => ("windowSeconds" in m.signal ? m.signal.windowSeconds : 0)),
  );
  const prom = new PrometheusModel(bounds, scrape, maxWindow);
  const ms = new MetricsServerModel(msRes);
  const msOffset = 5 % msRes;
  const cpuReq = pod.cpuRequestCores;
  const cpuReqQ = config.service.resources.requests.cpu;
  const memReqQ = config.service.resources.requests.memory;
  const memUsageQ = `${Math.round(pod.memoryRequestBytes * memShare)}`;
  const keda = model.keda;

  // ---- timeline
  const tl: Timeline = {
    length: D,
    users: new Float64Array(D),
    rps: new Float64Array(D),
    desired: new Int32Array(D),
    ready: new Int32Array(D),
    cpuPct: new Float64Array(D),
    latency: new Float64Array(D),
    inFlight: new Float64Array(D),
    queue: new Float64Array(D),
    backlog: new Float64Array(D),
    slow: new Float64Array(D),
    failed: new Float64Array(D),
    metricValues: metrics.map(() => new Float64Array(D).fill(NaN)),
    fallback: new Uint8Array(D),
    prometheusUp: new Uint8Array(D),
  };

  // ---- pods
  let pods: Pod[] = [];
  let nextId = 0;
  const initialReplicas = Math.max(1, model.hpa.minReplicas ?? 1);
  for (let i = 0; i < initialReplicas; i++) pods.push({ id: nextId++, created: -warmup - 3600, readyAt: -warmup - 3600 + pod.startupSeconds });
  let readyCount = initialReplicas;
  let nextReadyAt = Infinity;
  const recountReady = (t: number) => {
    readyCount = 0;
    nextReadyAt = Infinity;
    for (const p of pods) {
      if (p.readyAt <= t) readyCount++;
      else if (p.readyAt < nextReadyAt) nextReadyAt = p.readyAt;
    }
  };
  const events: ScaleEvent[] = [];
  const setReplicas = (n: number, t: number, by: ScaleEvent["by"], reason: string) => {
    const from = pods.length;
    if (n === from) return;
    if (n > from) {
      for (let i = from; i < n; i++) pods.push({ id: nextId++, created: t, readyAt: t + pod.startupSeconds });
    } else {
      // the ReplicaSet deletes not-ready pods first, then the most recently ready
      const order = pods.slice().sort((a, b) => {
        const ar = a.readyAt <= t ? 1 : 0;
        const br = b.readyAt <= t ? 1 : 0;
        return ar !== br ? ar - br : b.readyAt - a.readyAt || b.id - a.id;
      });
      const gone = new Set(order.slice(0, from - n).map((p) => p.id));
      pods = pods.filter((p) => !gone.has(p.id));
    }
    recountReady(t);
    if (t >= 0) events.push({ t, from, to: n, by, reason });
  };

  // ---- HPA controller memory: stored and overwritten as horizontal.go does (recordReconcile)
  let history: HpaHistory | null = null;
  let lastSync = 0;

  // ---- KEDA state
  const crons = metrics.map((m) =>
    m.signal.kind === "cron" ? new CronActivity(m.signal.start, m.signal.end, -warmup, D, scenario.clockOffsetSeconds ?? 0) : null,
  );
  const failures = new Int32Array(metrics.length);
  const cached: QueryResult[] = metrics.map(() => ({ ok: false, reason: "empty" }));
  let lastActive = -Infinity;
  const kedaCreated = -warmup;

  // ---- traffic state: the ready pods' queues, and the requests still to complete (the histogram
  // observes a request when it completes, not when it arrives)
  const groups = new PodGroups(table, finiteBounds.length, timeout);
  const cumBuckets = new Float64Array(bounds.length);
  let requestsTotal = 0;
  let backlog = 0;
  let queueTotal = 0;
  let inFlightTotal = 0;
  let utilTotal = 0;
  const sample = {
    cumulativeBuckets: cumBuckets,
    requestsTotal: 0,
    queueTotal: 0,
    inFlightTotal: 0,
    workerUtilizationTotal: 0,
    pods: 0,
  };
  const lastSeen = new Float64Array(metrics.length).fill(NaN);
  let fallbackActive = 0;

  // ---------------------------------------------------------------- observations for one sync
  const resourcePods = (m: SimMetric, t: number): PodObservation[] => {
    const isCpu = m.signal.kind === "cpu";
    const sampleAge = t - ms.sampleTime;
    const usage = Math.min(ms.sampleCores, pod.cpuLimitCores ?? Infinity);
    return pods.map((p) => {
      const ready = p.readyAt <= t;
      const hasSample = p.created <= ms.sampleTime - msRes;
      return {
        name: `pod-${p.id}`,
        value: hasSample ? (isCpu ? toMilli(ready ? usage : 0) : memUsageQ) : null,
        request: isCpu ? cpuReqQ : memReqQ,
        ready,
        phase: "Running",
        startedSecondsAgo: t - p.created,
        readyChangedSecondsAgo: ready ? t - p.readyAt : t - p.created,
        sampleSecondsAgo: sampleAge,
        sampleWindowSeconds: msRes,
      };
    });
  };

  // A query guarded for scale to zero answers 0 when no target of the service exists (stacks/scaling-signals.ts).
  const promQuery = (m: SimMetric, t: number, up: boolean): QueryResult => {
    const r = prom.query(m.signal, t, up);
    return !r.ok && r.reason === "empty" && m.trigger?.zeroWithoutTargets && !prom.hasTargets(t) ? { ok: true, value: 0 } : r;
  };

  const prometheusValue = (m: SimMetric, t: number, up: boolean): QueryResult => {
    if (m.trigger?.useCachedMetrics) return up ? cached[m.index]! : { ok: false, reason: "down" };
    return promQuery(m, t, up);
  };

  const observe = (m: SimMetric, t: number, up: boolean): MetricObservation => {
    if (m.source === "metrics-server") {
      const v = m.signal.kind === "cpu" ? (Math.min(ms.sampleCores, pod.cpuLimitCores ?? Infinity) / cpuReq) * 100 : memShare * 100;
      lastSeen[m.index] = v;
      return { pods: resourcePods(m, t) };
    }
    if (m.signal.kind === "cron") {
      // KEDA v2.18.3 pkg/scalers/cron_scaler.go GetMetricsAndActivity: desiredReplicas inside the
      // window, 0 outside (GenerateMetricInMili); reads the clock, never fails
      const v = crons[m.index]!.at(t) ? m.signal.desiredReplicas : 0;
      lastSeen[m.index] = v;
      return { value: String(v), readyPods: readyCount };
    }
    let r = prometheusValue(m, t, up);
    if (m.servedBy === "prometheus-adapter") {
      if (!r.ok) {
        lastSeen[m.index] = NaN;
        return { error: r.reason === "down" ? "prometheus-adapter: Prometheus is unreachable" : "prometheus-adapter: the query returned no series" };
      }
      lastSeen[m.index] = r.value;
      if (m.scope === "service") return { value: toMilli(r.value), readyPods: readyCount };
      // a pod's series has a rate once it has been scraped twice since it became ready
      const value = toMilli(r.value);
      return {
        pods: pods.map((p) => {
          const ready = p.readyAt <= t;
          return {
            name: `pod-${p.id}`,
            value: ready && t - p.readyAt >= 2 * scrape ? value : null,
            ready,
            phase: "Running",
            startedSecondsAgo: t - p.created,
            readyChangedSecondsAgo: ready ? t - p.readyAt : t - p.created,
          };
        }),
      };
    }
    // KEDA metrics server: ignoreNullValues turns an empty result into 0; errors count towards the fallback
    const trig = m.trigger!;
    if (!r.ok && r.reason === "empty" && trig.ignoreNullValues) r = { ok: true, value: 0 };
    if (r.ok) {
      failures[m.index] = 0;
      const milli = kedaMilli(r.value);
      lastSeen[m.index] = milli / 1000;
      return { value: `${milli}m`, readyPods: readyCount };
    }
    failures[m.index]!++;
    const fb = keda?.fallback;
    if (fb && failures[m.index]! > fb.failureThreshold) {
      // KEDA v2.18.3 pkg/fallback/fallback.go doFallback: the replicas by behavior, divided by the
      // ready replicas for a Value target, times the target, as int64(target × 1000 × replicas)
      // milli-units (truncated); no ready replica with a Value target: the fallback fails
      const current = pods.length;
      const replicas =
        fb.behavior === "currentReplicas"
          ? current
          : fb.behavior === "currentReplicasIfHigher"
            ? Math.max(current, fb.replicas)
            : fb.behavior === "currentReplicasIfLower"
              ? Math.min(current, fb.replicas)
              : fb.replicas;
      const target = m.spec.type === "External" ? m.spec.external.target : null;
      const isValue = target?.type === "Value";
      if (isValue && readyCount === 0) {
        lastSeen[m.index] = NaN;
        return { error: "keda: error performing fallback (readyReplicas is zero, cannot do fallback for a Value metric)" };
      }
      const normalisation = quantityToNumber((isValue ? target?.value : target?.averageValue) ?? 0);
      const milli = Math.trunc(normalisation * 1000 * (isValue ? replicas / readyCount : replicas));
      fallbackActive = 1;
      lastSeen[m.index] = milli / 1000;
      return { value: `${milli}m`, readyPods: readyCount };
    }
    lastSeen[m.index] = NaN;
    return { error: r.reason === "down" ? "keda: prometheus scaler error (Prometheus unreachable)" : "keda: prometheus query returned no value (ignoreNullValues false)" };
  };

  const reconcile = (t: number, up: boolean) => {
    fallbackActive = 0;
    const observations = metrics.map((m) => observe(m, t, up));
    if (history !== null) history = ageHistory(history, t - lastSync);
    lastSync = t;
    const c: HpaCase = {
      spec: model.hpa,
      currentReplicas: pods.length,
      statusReplicas: pods.length,
      observations,
      history,
    };
    const r = hpaReconcile(c);
    history = recordReconcile(history, r, c);
    if (r.desiredReplicas !== pods.length) setReplicas(r.desiredReplicas, t, "hpa", r.reason);
  };

  // KEDA operator, every pollingInterval: the cache for useCachedMetrics triggers, then activation
  // and deactivation as KEDA v2.18.3 decides them (pkg/scaling/scale_handler.go getScaledObjectState,
  // pkg/scaling/executor/scale_scaledobjects.go RequestScale).
  const onlyCpuMemory = metrics.every((m) => m.source === "metrics-server");
  const poll = (t: number, up: boolean) => {
    if (!keda) return;
    let active = false;
    let error = false;
    for (const m of metrics) {
      if (m.signal.kind === "cron") {
        if (crons[m.index]!.at(t)) active = true;
        continue;
      }
      // cpu/memory triggers are Resource metrics: getScalerState skips them (no activity, no error)
      if (!m.trigger || m.source !== "prometheus") continue;
      let r = promQuery(m, t, up);
      if (!r.ok && r.reason === "empty" && m.trigger.ignoreNullValues) r = { ok: true, value: 0 };
      cached[m.index] = r;
      if (!r.ok) error = true;
      else if (r.value > m.trigger.activationThreshold) active = true;
    }
    // only cpu/memory triggers: always active unless a scaler errors
    if (onlyCpuMemory && !error) active = true;
    const current = pods.length;
    const min = keda.minReplicaCount;
    const idle = keda.idleReplicaCount;
    if (active) {
      if ((idle !== undefined && current < min) || current === 0) {
        // scaleFromZeroOrIdle: to minReplicaCount (at least 1), whether or not another trigger errors
        const to = min > 0 ? min : 1;
        setReplicas(to, t, "keda-activation", `a trigger is active: scale from ${current === 0 ? "zero" : `idle ${current}`} to ${to}`);
        lastActive = t;
      } else if (!error) {
        lastActive = t; // updateLastActiveTime (not while some trigger errors)
      }
      return;
    }
    // a scaler errors: hold (the HPA's fallback takes over); with fallback.replicas 0 it falls through
    if (error && (keda.fallback === null || keda.fallback.replicas !== 0)) return;
    if ((idle !== undefined && current > idle) || (current > 0 && min === 0)) {
      // scaleToZeroOrIdle after the cooldown (initialCooldownPeriod while lastActiveTime is unset)
      const since = lastActive === -Infinity ? kedaCreated + keda.initialCooldownPeriodSeconds : lastActive + keda.cooldownPeriodSeconds;
      const to = idle ?? min;
      if (since < t) setReplicas(to, t, "keda-cooldown", `no trigger active for cooldownPeriod ${keda.cooldownPeriodSeconds}s: scale to ${idle !== undefined ? `idleReplicaCount ${to}` : to}`);
    } else if (current < min && idle === undefined) {
      setReplicas(min, t, "keda-activation", `below minReplicaCount: scale to ${min}`);
    }
  };

  // ---------------------------------------------------------------- the loop
  const down = new Uint8Array(D);
  for (let t = 0; t < D; t++) down[t] = prometheusDown(scenario, t) ? 1 : 0;
  // tick phases (ticks where t ≡ 0 mod period; scrapes offset), advanced per second without a modulo
  const phase = (t: number, period: number) => ((t % period) + period) % period;
  let syncPhase = phase(-warmup, sync);
  let scrapePhase = phase(-warmup - scrapeOffset, scrape);
  let pollPhase = keda ? phase(-warmup, keda.pollingIntervalSeconds) : 1;
  for (let t = -warmup; t < D; t++) {
    const lambda = rates[t < 0 ? 0 : t]!;
    const up = t < 0 || down[t] === 0;
    if (t >= nextReadyAt) recountReady(t);
    const n = readyCount;
    let latency: number;
    let slow: number;
    let failed = 0;
    let coresPerPod = 0;
    if (n === 0) {
      // a Service without ready endpoints refuses connections; whatever was queued is lost
      latency = lambda > 0 ? Infinity : NaN;
      failed = lambda;
      slow = lambda;
      backlog = 0;
      queueTotal = 0;
      inFlightTotal = 0;
      utilTotal = 0;
      groups.clear();
      groups.idle(t);
    } else {
      groups.resize(n);
      const o = groups.advance(t, lambda);
      failed = o.failed;
      const accepted = lambda - failed;
      latency = lambda > 0 ? Math.min(o.quantile, timeout) : NaN;
      backlog = o.backlog;
      queueTotal = o.queue;
      inFlightTotal = o.inFlight;
      utilTotal = o.busySlots / pod.queue.servers;
      coresPerPod = (o.served * pod.cpuSecondsPerRequest) / n;
      slow = accepted * (1 - o.cdf[thresholdIdx]!) + failed;
    }
    requestsTotal += lambda;
    ms.observe(t, coresPerPod, msOffset);
    if (up && scrapePhase === 0) {
      // the histogram observes the requests completed by now
      groups.histogram(t, cumBuckets);
      sample.requestsTotal = requestsTotal;
      sample.queueTotal = queueTotal;
      sample.inFlightTotal = inFlightTotal;
      sample.workerUtilizationTotal = utilTotal;
      sample.pods = n;
      prom.record(t, sample);
    }
    if (keda && pollPhase === 0) poll(t, up);
    if (syncPhase === 0) reconcile(t, up);
    if (++syncPhase === sync) syncPhase = 0;
    if (++scrapePhase === scrape) scrapePhase = 0;
    if (keda && ++pollPhase === keda.pollingIntervalSeconds) pollPhase = 0;
    if (t >= 0) {
      tl.users[t] = scenario.unit === "users" ? scenario.load[t]! : NaN;
      tl.rps[t] = lambda;
      tl.desired[t] = pods.length;
      tl.ready[t] = readyCount;
      tl.cpuPct[t] = (Math.min(ms.sampleCores, pod.cpuLimitCores ?? Infinity) / cpuReq) * 100;
      tl.latency[t] = latency;
      tl.inFlight[t] = inFlightTotal;
      tl.queue[t] = queueTotal;
      tl.backlog[t] = backlog;
      tl.slow[t] = slow;
      tl.failed[t] = failed;
      for (let i = 0; i < metrics.length; i++) tl.metricValues[i]![t] = lastSeen[i]!;
      tl.fallback[t] = fallbackActive;
      tl.prometheusUp[t] = up ? 1 : 0;
    }
  }

  return {
    label: input.label,
    env: config.name,
    scenario,
    model,
    pod,
    quantile: q,
    sloThresholdSeconds: threshold,
    pricePerPodHour: config.cost.pricePerPodHour,
    timeline: tl,
    events,
    initialReplicas: tl.desired[0] ?? initialReplicas,
    settings: {
      scrapeIntervalSeconds: scrape,
      queryWindow: config.monitoring.queryWindow,
      hpaSyncSeconds: sync,
      metricsServerResolutionSeconds: msRes,
      warmupSeconds: warmup,
      memoryUtilization: memShare,
      requestTimeoutSeconds: timeout,
    },
  };
}

