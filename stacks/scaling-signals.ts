/**
 * The concurrency, burst and wake-up signals (scaling.concurrency, scaling.burst, scaling.wakeUp), kept apart from the latency/queue
 * queries of stacks/autoscaling.ts so each can change without the other.
 *
 * Knative's KPA is the reference: pods carry `target concurrency × utilisation` requests in
 * flight (70 % by default) averaged over a 60 s stable window, and a 6 s panic window takes over
 * when short-window demand reaches 2× what the current pods can take. Here:
 * - `concurrency`: in-flight requests of the scaling endpoint summed over the pods, AverageValue
 *   against `predictMaxConcurrency × uvicornWorkers × utilization` per pod (the HPA divides by
 *   the pods, as KPA does);
 * - `concurrency-burst`: the same gauge's per-pod maximum over a short window (≥ 2 scrapes),
 *   against `factor ×` that target: the HPA's max-over-metrics follows it within one scrape and
 *   one sync, the stable triggers and the scale-down window keep the count from flapping;
 * - `wake-up`: a series counted outside the scaled pods (gateway requests, an upstream backlog)
 *   that exists while no pod runs, with `activationThreshold`.
 *
 * Every query answers 0 when the service's targets are up and nothing is served (a
 * prometheus_client gauge with labels has no series before its first request), and nothing —
 * a scaler error the fallback and the alerts see — when the scrape is lost: the one guard of
 * every autoscaler query, {@link whileScraped} (promql/scrape-guard.ts).
 */
import { CUSTOM_METRICS } from "../promql/custom-metrics.js";
import type { PodsMetric } from "../constructs/hpa.js";
import type { KedaTrigger, PrometheusTrigger } from "../constructs/keda-scaled-object.js";
import { PromQL, type MetricContract } from "../promql/metrics.js";
import { assertParses } from "../promql/parse.js";
import { upSelector, whileScraped } from "../promql/scrape-guard.js";
import { burstWindowSeconds, podConcurrencyCapacity, type EnvConfig } from "./config.js";

/** The gauge of requests being served (and queued inside the pod). */
export const IN_FLIGHT_GAUGE = "http_requests_in_flight";

/** Names of the triggers this module adds to the inference ScaledObject. */
export const SIGNAL_TRIGGER_NAMES = { concurrency: "concurrency", burst: "concurrency-burst", wakeUp: "wake-up" } as const;

function contractOf(metrics: MetricContract["metrics"]): MetricContract {
  return { port: 0, portName: "external", path: "", metrics };
}

/** `expr`, 0 while some target of `promql`'s scope is up and `expr` has no value, nothing otherwise. */
function guarded(expr: string, promql: PromQL): string {
  return assertParses(whileScraped(expr, upSelector(promql.scope)));
}

/** Per-pod in-flight target: `capacity × utilization` (KPA's target × target utilisation). */
export function concurrencyTarget(config: EnvConfig): number {
  return Number(((podConcurrencyCapacity(config.service) * config.scaling.concurrency.utilization) / 100).toPrecision(6));
}

/** slo-hpa's in-flight Pods target: the configured one, else the concurrency target. */
export function sloInFlightTarget(config: EnvConfig): number {
  return config.scaling.sloHpa.inFlightPerPod ?? concurrencyTarget(config);
}

/** Burst threshold per pod: `factor ×` the stable target. */
export function burstTarget(config: EnvConfig): number {
  return Number((concurrencyTarget(config) * config.scaling.burst.factor).toPrecision(6));
}

function inFlightSelector(promql: PromQL, config: EnvConfig): string {
  return promql.selector(IN_FLIGHT_GAUGE, "", { endpoint: config.scaling.endpoint });
}

/** `sum(in_flight{endpoint})`, guarded ({@link whileScraped}): additive, one series. */
export function concurrencyQuery(promql: PromQL, config: EnvConfig): string {
  return guarded(`sum(${inFlightSelector(promql, config)})`, promql);
}

/**
 * `sum(max_over_time(in_flight{endpoint}[w]))`, guarded ({@link whileScraped}): each pod's peak of
 * the last `w` (≥ 2 scrapes), summed. The sum of per-pod peaks is at least the peak of the sum,
 * so it errs on the side of reacting.
 */
export function burstQuery(promql: PromQL, config: EnvConfig): string {
  return guarded(`sum(max_over_time(${inFlightSelector(promql, config)}[${burstWindowSeconds(config)}s]))`, promql);
}

/** The PromQL builder of the declared external wake-up signal (its own contract and scrape scope). */
export function wakeUpPromQL(wakeUp: NonNullable<EnvConfig["scaling"]["wakeUp"]>): PromQL {
  const m = wakeUp.metric;
  return new PromQL(contractOf([{ name: m.name, type: m.type, labels: m.labels, ...(m.buckets ? { buckets: m.buckets } : {}) }]), {
    namespace: wakeUp.source.namespace,
    job: wakeUp.source.job,
  });
}

/**
 * The wake-up signal, one series, answered from outside the scaled pods: a counter's request
 * rate (`sum(rate(x[w]))`) or a gauge's backlog (`sum(x)`), 0 while the source's targets are up
 * and nothing matches (no request since the gateway started), nothing when the source's scrape
 * is lost. A counter series created by the very first request has one sample in the window, which
 * rate() ignores: that request is answered by the gateway (503), the next one wakes the service.
 */
export function wakeUpQuery(config: EnvConfig): string | undefined {
  const w = config.scaling.wakeUp;
  if (!w) return undefined;
  const promql = wakeUpPromQL(w);
  const signal =
    w.metric.type === "counter"
      ? promql.sumRate(w.metric.name, "", w.matchers, config.monitoring.queryWindow)
      : promql.sumGauge(w.metric.name, w.matchers);
  return guarded(signal, promql);
}

/**
 * For a service that may sit at zero replicas: a query over the pods' own series answers 0 when
 * no target of the service exists at all. Otherwise it is empty at zero replicas, KEDA counts an
 * error, and with a fallback it scales the idle service up to the fallback count (KEDA applies
 * fallback.replicas when no trigger is active and one errors) — it would never stay at zero.
 * A lost scrape with targets still discovered keeps answering nothing.
 */
export function zeroWithoutTargets(query: string, promql: PromQL): string {
  return assertParses(`(${query}) or on() (vector(0) unless on() count(${upSelector(promql.scope)}))`);
}

/** The ScaledObject triggers this module adds (mode keda), in order: concurrency, burst, wake-up. */
export function signalTriggers(config: EnvConfig, promql: PromQL, serverAddress: string): PrometheusTrigger[] {
  const { scaling } = config;
  const out: PrometheusTrigger[] = [];
  const common = { type: "prometheus", serverAddress, ignoreNullValues: false, signal: "additive", metricType: "AverageValue" } as const;
  if (scaling.concurrency.enabled) {
    out.push({
      ...common,
      name: SIGNAL_TRIGGER_NAMES.concurrency,
      query: concurrencyQuery(promql, config),
      threshold: concurrencyTarget(config),
    });
    if (scaling.burst.enabled)
      out.push({ ...common, name: SIGNAL_TRIGGER_NAMES.burst, query: burstQuery(promql, config), threshold: burstTarget(config) });
  }
  const wake = wakeUpQuery(config);
  if (wake !== undefined && scaling.wakeUp) {
    out.push({
      ...common,
      name: SIGNAL_TRIGGER_NAMES.wakeUp,
      query: wake,
      threshold: scaling.wakeUp.threshold,
      activationThreshold: scaling.wakeUp.activation,
    });
  }
  return out;
}

/**
 * Where the service may sit at zero replicas (minReplicas 0 or an idleReplicaCount), the
 * Prometheus triggers over the pods' own series answer 0 without targets ({@link zeroWithoutTargets});
 * the wake-up trigger, read outside the pods, is left as it is.
 */
export function holdAtZero(config: EnvConfig, promql: PromQL, triggers: readonly KedaTrigger[]): KedaTrigger[] {
  const mayIdle = config.scaling.minReplicas === 0 || config.scaling.keda.idleReplicaCount !== undefined;
  if (!mayIdle) return [...triggers];
  return triggers.map((t) =>
    t.type !== "prometheus" || t.name === SIGNAL_TRIGGER_NAMES.wakeUp ? t : { ...t, query: zeroWithoutTargets(t.query, promql) },
  );
}

/** slo-hpa: the in-flight Pods metric against the concurrency target, and its burst peak (scaling.burst). */
export function sloConcurrencyMetrics(config: EnvConfig): PodsMetric[] {
  const { scaling } = config;
  if (!scaling.concurrency.enabled) return [];
  return [
    { type: "Pods", metric: CUSTOM_METRICS.podInFlight, averageValue: sloInFlightTarget(config) },
    // 2× the stable target this mode uses (an explicit sloHpa.inFlightPerPod included).
    ...(scaling.burst.enabled
      ? [
          {
            type: "Pods" as const,
            metric: CUSTOM_METRICS.podInFlightBurst,
            averageValue: Number((sloInFlightTarget(config) * scaling.burst.factor).toPrecision(6)),
          },
        ]
      : []),
  ];
}

/** The window the adapter's burst rule reads, where the slo-hpa HPA asks for it. */
export function adapterBurstWindow(config: EnvConfig): { burstWindow?: string } {
  const { scaling } = config;
  return scaling.mode === "slo-hpa" && scaling.concurrency.enabled && scaling.burst.enabled
    ? { burstWindow: `${burstWindowSeconds(config)}s` }
    : {};
}
