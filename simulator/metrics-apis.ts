/**
 * What the HPA controller's metric requests return at one sync, per metric: metrics-server's pod
 * samples (Resource metrics), prometheus-adapter's values (Pods/External), KEDA's metrics server
 * (External: the trigger's query, its cron window, or its fallback after repeated errors).
 */
import { quantityToNumber } from "./hpa/quantity.js";
import type { MetricObservation, PodObservation } from "./hpa/types.js";
import type { FallbackBehavior, KedaSettings, SimMetric } from "./autoscaler.js";
import type { CronActivity } from "./cron.js";
import type { MetricsServerModel, PrometheusModel, QueryResult } from "./metrics-pipeline.js";
import type { ReplicaSetModel } from "./replica-set.js";

/** Quantity text of a value in milli-units, rounded (prometheus-adapter, metrics-server). */
const toMilli = (v: number): string => `${Math.round(v * 1000)}m`;

/** KEDA v2.18.3 pkg/scalers/scaler.go GenerateMetricInMili: int64(value × 1000), truncated. */
const kedaMilli = (v: number): number => Math.trunc(v * 1000);

/** Where metric values come from, shared with the KEDA operator. */
export interface MetricSources {
  readonly prom: PrometheusModel;
  readonly ms: MetricsServerModel;
  /** metrics-server --metric-resolution, seconds. */
  readonly msResolutionSeconds: number;
  /** Prometheus' scrape interval, seconds. */
  readonly scrapeIntervalSeconds: number;
  /** Per metric: the window of a KEDA cron trigger (null for other metrics). */
  readonly crons: readonly (CronActivity | null)[];
  /** Per metric: the result the KEDA operator cached at its last poll (useCachedMetrics triggers). */
  readonly cached: QueryResult[];
}

/** One pod's resources as the HPA reads them. */
export interface PodResources {
  readonly cpuRequestCores: number;
  readonly cpuLimitCores: number | undefined;
  /** requests.cpu and requests.memory as written in the config. */
  readonly cpuRequest: string;
  readonly memoryRequest: string;
  /** Memory usage as a share of the request, and as a quantity (bytes). */
  readonly memoryShare: number;
  readonly memoryUsage: string;
}

/** CPU utilization of a ready pod against its request, % (metrics-server's last sample, capped at the limit). */
export function cpuPercent(ms: MetricsServerModel, pod: PodResources): number {
  return (Math.min(ms.sampleCores, pod.cpuLimitCores ?? Infinity) / pod.cpuRequestCores) * 100;
}

/** A query guarded for scale to zero answers 0 when no target of the service exists (stacks/scaling-signals.ts). */
export function promQuery(prom: PrometheusModel, m: SimMetric, t: number, up: boolean): QueryResult {
  const r = prom.query(m.signal, t, up);
  return !r.ok && r.reason === "empty" && m.trigger?.zeroWithoutTargets && !prom.hasTargets(t) ? { ok: true, value: 0 } : r;
}

/** KEDA v2.18.3 pkg/fallback/fallback.go doFallback: the replicas the fallback behavior asks for. */
export function fallbackReplicas(behavior: FallbackBehavior, replicas: number, current: number): number {
  switch (behavior) {
    case "currentReplicas":
      return current;
    case "currentReplicasIfHigher":
      return Math.max(current, replicas);
    case "currentReplicasIfLower":
      return Math.min(current, replicas);
    case "static":
      return replicas;
    default: {
      const never: never = behavior;
      throw new Error(`unknown fallback behavior ${String(never)}`);
    }
  }
}

export class MetricsApis {
  /** Per metric: the value the HPA saw at its last sync (NaN: error or no sample). */
  readonly lastSeen: Float64Array;
  /** 1 when KEDA answered a metric with its fallback value at the last sync. */
  fallbackActive = 0;
  /** Per KEDA metric: consecutive errors (the fallback's failure count). */
  private readonly failures: Int32Array;

  constructor(
    private readonly sources: MetricSources,
    private readonly pod: PodResources,
    private readonly keda: KedaSettings | null,
    private readonly replicas: ReplicaSetModel,
    metricCount: number,
  ) {
    this.lastSeen = new Float64Array(metricCount).fill(NaN);
    this.failures = new Int32Array(metricCount);
  }

  /** The observation the HPA controller makes of metric `m` at `t` (`up`: Prometheus answers). */
  observe(m: SimMetric, t: number, up: boolean): MetricObservation {
    if (m.source === "metrics-server") return this.resourceMetric(m, t);
    if (m.signal.kind === "cron") return this.cronMetric(m, m.signal.desiredReplicas, t);
    const r = this.prometheusValue(m, t, up);
    if (m.servedBy === "prometheus-adapter") return this.adapterMetric(m, r, t);
    return this.kedaMetric(m, r);
  }

  private resourceMetric(m: SimMetric, t: number): MetricObservation {
    this.lastSeen[m.index] = m.signal.kind === "cpu" ? cpuPercent(this.sources.ms, this.pod) : this.pod.memoryShare * 100;
    return { pods: this.resourcePods(m, t) };
  }

  private resourcePods(m: SimMetric, t: number): PodObservation[] {
    const { ms, msResolutionSeconds: msRes } = this.sources;
    const isCpu = m.signal.kind === "cpu";
    const sampleAge = t - ms.sampleTime;
    const usage = Math.min(ms.sampleCores, this.pod.cpuLimitCores ?? Infinity);
    return this.replicas.pods.map((p) => {
      const ready = p.readyAt <= t;
      const hasSample = p.created <= ms.sampleTime - msRes;
      return {
        name: `pod-${p.id}`,
        value: hasSample ? (isCpu ? toMilli(ready ? usage : 0) : this.pod.memoryUsage) : null,
        request: isCpu ? this.pod.cpuRequest : this.pod.memoryRequest,
        ready,
        phase: "Running",
        startedSecondsAgo: t - p.created,
        readyChangedSecondsAgo: ready ? t - p.readyAt : t - p.created,
        sampleSecondsAgo: sampleAge,
        sampleWindowSeconds: msRes,
      };
    });
  }

  /**
   * KEDA v2.18.3 pkg/scalers/cron_scaler.go GetMetricsAndActivity: desiredReplicas inside the
   * window, 0 outside (GenerateMetricInMili); reads the clock, never fails.
   */
  private cronMetric(m: SimMetric, desiredReplicas: number, t: number): MetricObservation {
    const v = this.sources.crons[m.index]!.at(t) ? desiredReplicas : 0;
    this.lastSeen[m.index] = v;
    return { value: String(v), readyPods: this.replicas.readyCount };
  }

  private prometheusValue(m: SimMetric, t: number, up: boolean): QueryResult {
    if (m.trigger?.useCachedMetrics) return up ? this.sources.cached[m.index]! : { ok: false, reason: "down" };
    return promQuery(this.sources.prom, m, t, up);
  }

  private adapterMetric(m: SimMetric, r: QueryResult, t: number): MetricObservation {
    if (!r.ok) {
      this.lastSeen[m.index] = NaN;
      return {
        error: r.reason === "down" ? "prometheus-adapter: Prometheus is unreachable" : "prometheus-adapter: the query returned no series",
      };
    }
    this.lastSeen[m.index] = r.value;
    if (m.scope === "service") return { value: toMilli(r.value), readyPods: this.replicas.readyCount };
    // a pod's series has a rate once it has been scraped twice since it became ready
    const value = toMilli(r.value);
    const scrape = this.sources.scrapeIntervalSeconds;
    return {
      pods: this.replicas.pods.map((p) => {
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

  /** KEDA metrics server: ignoreNullValues turns an empty result into 0; errors count towards the fallback. */
  private kedaMetric(m: SimMetric, result: QueryResult): MetricObservation {
    let r = result;
    if (!r.ok && r.reason === "empty" && m.trigger!.ignoreNullValues) r = { ok: true, value: 0 };
    if (r.ok) {
      this.failures[m.index] = 0;
      const milli = kedaMilli(r.value);
      this.lastSeen[m.index] = milli / 1000;
      return { value: `${milli}m`, readyPods: this.replicas.readyCount };
    }
    this.failures[m.index]!++;
    const fb = this.keda?.fallback;
    if (fb && this.failures[m.index]! > fb.failureThreshold) return this.kedaFallback(m, fb);
    this.lastSeen[m.index] = NaN;
    return {
      error:
        r.reason === "down"
          ? "keda: prometheus scaler error (Prometheus unreachable)"
          : "keda: prometheus query returned no value (ignoreNullValues false)",
    };
  }

  /**
   * KEDA v2.18.3 pkg/fallback/fallback.go doFallback: the replicas by behavior, divided by the
   * ready replicas for a Value target, times the target, as int64(target × 1000 × replicas)
   * milli-units (truncated); no ready replica with a Value target: the fallback fails.
   */
  private kedaFallback(m: SimMetric, fb: NonNullable<KedaSettings["fallback"]>): MetricObservation {
    const replicas = fallbackReplicas(fb.behavior, fb.replicas, this.replicas.replicas);
    const readyCount = this.replicas.readyCount;
    const target = m.spec.type === "External" ? m.spec.external.target : null;
    const isValue = target?.type === "Value";
    if (isValue && readyCount === 0) {
      this.lastSeen[m.index] = NaN;
      return { error: "keda: error performing fallback (readyReplicas is zero, cannot do fallback for a Value metric)" };
    }
    const normalisation = quantityToNumber((isValue ? target?.value : target?.averageValue) ?? 0);
    const milli = Math.trunc(normalisation * 1000 * (isValue ? replicas / readyCount : replicas));
    this.fallbackActive = 1;
    this.lastSeen[m.index] = milli / 1000;
    return { value: `${milli}m`, readyPods: readyCount };
  }
}
