/**
 * promtool input series for one environment, carrying exactly the labels its scrape stores: two
 * pods of the service are run through the environment's scrape model (ServiceMonitor or
 * kubernetes_sd job: target labels, honor_labels merge, metric relabeling), platform series
 * through the declared platform scrapes. Distractors sit beside them (the /health endpoint on the
 * same pods, another service's pod in the same namespace, another HPA and ScaledObject) so a
 * query that forgets a matcher returns a different value.
 *
 * Numbers are chosen so Prometheus' float results are exact: request rates are powers of two and
 * every window is a whole number of scrape intervals, so `rate()` needs no extrapolation.
 */
import { stringify } from "yaml";
import { formatNumber } from "../../promql/metrics.js";
import { PLATFORM_SCRAPES, type PrometheusFlavor } from "../../promql/platform-metrics.js";
import { SERVICE_METRIC } from "../../rules/recording-rules.js";
import { storedSeriesLabels, upSeriesLabels, type Labels, type PodTarget, type ScrapeModel } from "../../scrape/relabeling.js";
import { autoscalerName } from "../../stacks/naming.js";
import type { EnvironmentStack } from "../../stacks/stack.js";

/** Samples in every input series (25 minutes at a 15 s interval; tests evaluate up to 20m). */
export const STEPS = 100;

export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

/** Observations per second per pod that fall into one bucket (index into the buckets, or +Inf). */
export interface Observations {
  readonly bucket: number | "inf";
  readonly rate: number;
}

export interface ScenarioSpec {
  /** /predict requests per second per pod (all observed in `latency`). */
  readonly rps: number;
  /** /predict errors (5xx) per second per pod, part of `rps`. */
  readonly eps: number;
  readonly latency: readonly Observations[];
  readonly inFlight: readonly [number, number];
  readonly queue: readonly [number, number];
  /** `up` of the two pods, or no `up` series at all. */
  readonly up: readonly [0 | 1, 0 | 1] | "absent";
  readonly hpa: { readonly current: number; readonly max: number };
  /** KEDA errors per second of the service's ScaledObject. */
  readonly kedaErrorsPerSecond: number;
  /**
   * Labelled series the pods do not export (yet), as prometheus_client creates them on first use:
   * `predict` — a fresh pod that has served no /predict request (only probes; no queue gauge either);
   * `errors` — no 5xx yet (no status="500" request series, no error counter). @default none
   */
  readonly absent?: readonly ("predict" | "errors")[];
}

/** `le` as Python's prometheus_client prints it (`1.0`, `0.35`, `+Inf`): the services are Python. */
export function pythonLe(b: number | "inf"): string {
  if (b === "inf") return "+Inf";
  return Number.isInteger(b) ? `${b}.0` : formatNumber(b);
}

function escape(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
}

/** `name{a="1",b="2"}` with sorted labels. */
export function seriesString(name: string, labels: Labels): string {
  const body = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escape(labels[k]!)}"`)
    .join(",");
  return `${name}{${body}}`;
}

export function counter(perSecond: number, intervalSeconds: number): string {
  return `0+${formatNumber(perSecond * intervalSeconds)}x${STEPS}`;
}

export function gauge(v: number): string {
  return `${formatNumber(v)}+0x${STEPS}`;
}

/** The environment's two inference pods as kubernetes_sd / the operator see them. */
export function podsOf(stack: EnvironmentStack): [PodTarget, PodTarget] {
  const svc = stack.service;
  const deployment = stack
    .objects()
    .find((o: any) => o.kind === "Deployment" && o.metadata.name === svc.name && o.metadata.namespace === svc.namespace) as any;
  if (!deployment) throw new Error(`no Deployment ${svc.namespace}/${svc.name}`);
  const annotations: Labels = deployment.spec.template.metadata.annotations ?? {};
  const labels: Labels = deployment.spec.template.metadata.labels;
  const pod = (suffix: string, ip: string): PodTarget => ({
    name: `${svc.name}-6f7d8b9c5-${suffix}`,
    namespace: svc.namespace,
    ip,
    labels,
    annotations,
    containerName: svc.containerName,
    port: { name: svc.contract.portName, number: svc.contract.port },
  });
  return [pod("abcde", "10.1.0.11"), pod("fghij", "10.1.0.12")];
}

export interface Scenario {
  readonly stack: EnvironmentStack;
  readonly scrape: ScrapeModel;
  readonly flavor: PrometheusFlavor;
  readonly pods: readonly [PodTarget, PodTarget];
  /** Target labels of each pod (what `up` carries). */
  readonly targets: readonly [Record<string, string>, Record<string, string>];
  readonly intervalSeconds: number;
  /** Latency bucket boundaries of the contract. */
  readonly buckets: readonly number[];
  /** Labels a sample the service exposes with `exposed` is stored with, for pod `i`. */
  stored(i: 0 | 1, exposed: Labels): Record<string, string>;
  /** Input series for `spec`. */
  series(spec: ScenarioSpec): InputSeries[];
}

/** The scenario of `stack`, scraped by its own scrape model unless `scrapeOverride` is given. */
export function scenarioFor(stack: EnvironmentStack, scrapeOverride?: ScrapeModel): Scenario {
  const { config } = stack;
  const scrape = scrapeOverride ?? stack.monitoring.scrape;
  const flavor: PrometheusFlavor = config.cluster.prometheusOperator ? "operator" : "plain";
  const pods = podsOf(stack);
  const t0 = scrape.targetLabels(pods[0]);
  const t1 = scrape.targetLabels(pods[1]);
  if (!t0 || !t1) throw new Error(`env ${config.name}: the scrape (job ${scrape.job}) does not reach the service's pods`);
  const intervalSeconds = config.monitoring.scrapeIntervalSeconds;
  const buckets = stack.promql.buckets(SERVICE_METRIC.latency);
  const endpoint = config.scaling.endpoint;
  const ns = config.namespace;

  const storedFor = (target: Labels, exposed: Labels): Record<string, string> => {
    const s = storedSeriesLabels(target, exposed, scrape.behavior);
    if (!s) throw new Error(`env ${config.name}: metric relabeling drops ${JSON.stringify(exposed)}`);
    return s;
  };
  const stored = (i: 0 | 1, exposed: Labels) => storedFor(i === 0 ? t0 : t1, exposed);

  // Another service's pod in the same namespace, scraped the same way under its own job.
  const otherJob = scrape.job.replace(new RegExp(`${stack.service.name}$`), "other");
  const otherTarget: Labels = { ...t0, job: otherJob, service: "other", pod: "other-7c8d9f6b4-zzzzz", instance: "10.1.0.99:9090" };

  const series = (spec: ScenarioSpec): InputSeries[] => {
    const out: InputSeries[] = [];
    const add = (name: string, labels: Labels, values: string) => out.push({ series: seriesString(name, labels), values });
    const lat = SERVICE_METRIC.latency;
    const obsTotal = spec.latency.reduce((s, o) => s + o.rate, 0);
    if (obsTotal !== spec.rps) throw new Error(`latency observations (${obsTotal}/s) must add up to rps (${spec.rps}/s)`);
    const cumulative = (obs: readonly Observations[], le: number | "inf") =>
      obs.filter((o) => le === "inf" || (o.bucket !== "inf" && o.bucket <= le)).reduce((s, o) => s + o.rate, 0);
    const histogram = (target: Labels, exposed: Labels, obs: readonly Observations[], meanSeconds: number) => {
      [...buckets.map((_, i) => i), "inf" as const].forEach((le) => {
        const leLabel = pythonLe(le === "inf" ? "inf" : buckets[le]!);
        add(`${lat}_bucket`, storedFor(target, { ...exposed, le: leLabel }), counter(cumulative(obs, le), intervalSeconds));
      });
      const total = obs.reduce((s, o) => s + o.rate, 0);
      add(`${lat}_count`, storedFor(target, exposed), counter(total, intervalSeconds));
      add(`${lat}_sum`, storedFor(target, exposed), counter(total * meanSeconds, intervalSeconds));
    };
    const predict = { method: "POST", endpoint };
    const health = { method: "GET", endpoint: "/health" };

    const fresh = spec.absent?.includes("predict") ?? false;
    const noErrors = fresh || (spec.absent?.includes("errors") ?? false);
    if (noErrors && spec.eps !== 0) throw new Error("a scenario without error series has eps 0");
    [t0, t1].forEach((target, i) => {
      if (!fresh) histogram(target, { ...predict, status: "200" }, spec.latency, 0.25);
      // Probes: fast, frequent, never failing — they must not dilute or shift /predict numbers.
      histogram(target, { ...health, status: "200" }, [{ bucket: buckets.length - 1, rate: 8 }], 1);
      if (!fresh)
        add(SERVICE_METRIC.requests, storedFor(target, { ...predict, status: "200" }), counter(spec.rps - spec.eps, intervalSeconds));
      if (!noErrors) {
        add(SERVICE_METRIC.requests, storedFor(target, { ...predict, status: "500" }), counter(spec.eps, intervalSeconds));
        add(SERVICE_METRIC.errors, storedFor(target, { ...predict, status: "500" }), counter(spec.eps, intervalSeconds));
      }
      add(SERVICE_METRIC.requests, storedFor(target, { ...health, status: "200" }), counter(8, intervalSeconds));
      if (!fresh) add(SERVICE_METRIC.inFlight, storedFor(target, predict), gauge(spec.inFlight[i]!));
      add(SERVICE_METRIC.inFlight, storedFor(target, health), gauge(1));
      if (!fresh) add(SERVICE_METRIC.queue, storedFor(target, { model: "default" }), gauge(spec.queue[i]!));
      if (spec.up !== "absent") add("up", upSeriesLabels(target), gauge(spec.up[i]!));
    });

    // The other service: slow, failing, queued, down.
    histogram(otherTarget, { ...predict, status: "500" }, [{ bucket: "inf", rate: 64 }], 60);
    add(SERVICE_METRIC.requests, storedFor(otherTarget, { ...predict, status: "500" }), counter(64, intervalSeconds));
    add(SERVICE_METRIC.errors, storedFor(otherTarget, { ...predict, status: "500" }), counter(64, intervalSeconds));
    add(SERVICE_METRIC.inFlight, storedFor(otherTarget, predict), gauge(1000));
    add(SERVICE_METRIC.queue, storedFor(otherTarget, { model: "default" }), gauge(1000));
    add("up", upSeriesLabels(otherTarget), gauge(0));

    // kube-state-metrics: the service's HPA and another one pinned at its maximum.
    const ksm = PLATFORM_SCRAPES[flavor].kubeStateMetrics;
    const hpa = (name: string) => {
      const s = storedSeriesLabels(ksm.target, { namespace: ns, horizontalpodautoscaler: name }, ksm.behavior)!;
      return s;
    };
    add("kube_horizontalpodautoscaler_status_current_replicas", hpa(stack.autoscaler.hpaName), gauge(spec.hpa.current));
    add("kube_horizontalpodautoscaler_spec_max_replicas", hpa(stack.autoscaler.hpaName), gauge(spec.hpa.max));
    add("kube_horizontalpodautoscaler_status_current_replicas", hpa("other"), gauge(5));
    add("kube_horizontalpodautoscaler_spec_max_replicas", hpa("other"), gauge(5));

    // KEDA operator: the service's ScaledObject and another one that keeps failing.
    const keda = PLATFORM_SCRAPES[flavor].keda;
    const so = (name: string) => storedSeriesLabels(keda.target, { namespace: ns, scaledObject: name }, keda.behavior)!;
    add("keda_scaled_object_errors_total", so(autoscalerName(config)), counter(spec.kedaErrorsPerSecond, intervalSeconds));
    add("keda_scaled_object_errors_total", so("other"), counter(1, intervalSeconds));
    return out;
  };

  return { stack, scrape, flavor, pods, targets: [t0, t1], intervalSeconds, buckets, stored, series };
}

/**
 * histogram_quantile as Prometheus computes it (promql/quantile.go, classic buckets) over the
 * cumulative rates of `pods` identical pods: linear interpolation inside the bucket holding the
 * rank; the highest finite bound when the rank falls into +Inf.
 */
export function expectedQuantile(q: number, buckets: readonly number[], obs: readonly Observations[], pods = 1): number {
  const cum = buckets.map((b, i) => pods * obs.filter((o) => o.bucket !== "inf" && o.bucket <= i).reduce((s, o) => s + o.rate, 0));
  const total = pods * obs.reduce((s, o) => s + o.rate, 0);
  const rank = q * total;
  const i = cum.findIndex((c) => c >= rank);
  if (i === -1) return buckets[buckets.length - 1]!;
  const start = i === 0 ? 0 : buckets[i - 1]!;
  const before = i === 0 ? 0 : cum[i - 1]!;
  return start + (buckets[i]! - start) * ((rank - before) / (cum[i]! - before));
}

/** A promtool test file for `ruleFiles`. */
export function promtoolTestYaml(ruleFiles: readonly string[], evaluationInterval: string, tests: readonly unknown[]): string {
  return stringify(
    { rule_files: [...ruleFiles], evaluation_interval: evaluationInterval, tests },
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
}

/** promtool's label-set notation for exp_samples. */
export function labelSet(name: string | undefined, labels: Labels): string {
  return name ? seriesString(name, labels) : seriesString("", labels);
}
