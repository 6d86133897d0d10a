/**
 * Recording rules for the inference service: per-pod p95 latency and in-flight requests of the
 * scaling endpoint, and the service's p95, error ratio and request rate. Each is built through
 * the PromQL builder from the metric contract and records the labels it keeps, so alerts select
 * the recorded series through the builder too ({@link InferenceRecordings.promql}).
 *
 * Naming follows the Prometheus convention `level:metric:operations`, e.g.
 * `pod:http_request_duration_seconds:p95_rate2m` (per pod, p95 over a 2m rate window).
 */
import { ContractError, durationSeconds, type PromQL } from "../promql/metrics.js";
import { recordedPromQL, type RecordingRule, type RuleGroup } from "../constructs/prometheus-rule.js";
import { upSelector, whileScraped } from "../promql/scrape-guard.js";

/** The service metrics (contract names) the monitoring rules read. */
export const SERVICE_METRIC = {
  latency: "http_request_duration_seconds",
  inFlight: "http_requests_in_flight",
  requests: "http_requests_total",
  errors: "http_request_errors_total",
  queue: "inference_queue_len",
} as const;

/** Labels every recorded series of the service keeps: the scrape scope. */
const SCOPE = ["namespace", "job"] as const;

export interface InferenceRecordingsProps {
  /** Builder bound to the service's contract and scrape scope. */
  readonly promql: PromQL;
  /** Endpoint (the service's `endpoint` label) the latency, in-flight and error series are read for. */
  readonly endpoint: string;
  /** rate() window, e.g. "2m". */
  readonly window: string;
  /** Quantile of the latency recordings. @default 0.95 */
  readonly quantile?: number;
  /** Name of the rule group (and of its rule file). */
  readonly groupName: string;
}

export interface InferenceRecordings {
  readonly group: RuleGroup;
  readonly podLatency: RecordingRule;
  readonly serviceLatency: RecordingRule;
  readonly podInFlight: RecordingRule;
  readonly errorRatio: RecordingRule;
  readonly requestRate: RecordingRule;
  /** Selects the recorded series, scoped like the service's queries. */
  readonly promql: PromQL;
}

/** `0.95` → `p95`; quantiles that are no whole percentile → `q0999`. */
function quantileName(q: number): string {
  const pct = Math.round(q * 100_000) / 1000;
  return Number.isInteger(pct) ? `p${pct}` : `q${String(q).replace(".", "")}`;
}

/** What the recordings answer without traffic, written above each rule in the rule files. */
export const IDLE = {
  latency: "Idle (no request in the window): records nothing, never NaN; there is no latency to describe.",
  load: "Targets up but nothing served (cold pod, idle): records 0. Scrape lost (no up series or up == 0): records nothing.",
  errorRatio: "Requests but no error series yet (it appears with the first 5xx): records 0. No requests: records nothing, never NaN.",
} as const;

/**
 * `(<errors> or on(by) (<requests> * 0)) / on(by) (<requests> > 0)`: the error share of the
 * requests; 0 when requests were served and the error counter does not exist yet (it appears only
 * with the first 5xx), nothing without requests (never 0 / 0 = NaN). `errors` and `requests` are
 * aggregated by `by`.
 */
export function errorRatioExpr(errors: string, requests: string, by: readonly string[] = []): string {
  const on = `on(${by.join(", ")})`;
  return `(${errors} or ${on} (${requests} * 0))\n/ ${on}\n(${requests} > 0)`;
}

/** The service's recording rules (one group). */
export function inferenceRecordingRules(props: InferenceRecordingsProps): InferenceRecordings {
  const { promql, endpoint, window } = props;
  const q = props.quantile ?? 0.95;
  durationSeconds(window);
  if (!(q > 0 && q < 1)) throw new ContractError(`latency quantile ${q} must be between 0 and 1`);
  const ep = { endpoint };
  const qn = quantileName(q);
  const lat = SERVICE_METRIC.latency;

  // What each rule records when its series are missing (the service is idle, a pod is cold, or a
  // labelled series prometheus_client creates lazily does not exist yet) — never NaN:
  // - latency quantiles: nothing. Without requests in the window there is no latency to describe
  //   (histogram_quantile would answer NaN); 0 would read as "fast" on dashboards.
  // - in-flight and request rate: 0 while the targets are up (nothing is being served), nothing when
  //   the scrape is lost (see whileScraped).
  // - error ratio: 0 while requests exist and the error counter does not (no 5xx yet), nothing
  //   without requests (0 / 0).
  const up = upSelector(promql.scope);
  const podLatency: RecordingRule = {
    record: `pod:${lat}:${qn}_rate${window}`,
    expr: promql.servedQuantile(q, lat, ep, window, [...SCOPE, "pod"]),
    seriesLabels: [...SCOPE, "pod"],
    comment: IDLE.latency,
  };
  const serviceLatency: RecordingRule = {
    record: `job:${lat}:${qn}_rate${window}`,
    expr: promql.servedQuantile(q, lat, ep, window, [...SCOPE]),
    seriesLabels: [...SCOPE],
    comment: IDLE.latency,
  };
  const podInFlight: RecordingRule = {
    record: `pod:${SERVICE_METRIC.inFlight}:sum`,
    expr: whileScraped(promql.sumGauge(SERVICE_METRIC.inFlight, ep, [...SCOPE, "pod"]), up, [...SCOPE, "pod"]),
    seriesLabels: [...SCOPE, "pod"],
    comment: IDLE.load,
  };
  const requests = promql.sumRate(SERVICE_METRIC.requests, "", ep, window, [...SCOPE]);
  const errorRatio: RecordingRule = {
    record: `job:http_request_errors:ratio_rate${window}`,
    expr: errorRatioExpr(promql.sumRate(SERVICE_METRIC.errors, "", ep, window, [...SCOPE]), requests, SCOPE),
    seriesLabels: [...SCOPE],
    comment: IDLE.errorRatio,
  };
  const requestRate: RecordingRule = {
    record: `job:${SERVICE_METRIC.requests}:rate${window}`,
    expr: whileScraped(requests, up, [...SCOPE]),
    seriesLabels: [...SCOPE],
    comment: IDLE.load,
  };
  const rules = [podLatency, serviceLatency, podInFlight, errorRatio, requestRate];
  return {
    group: { name: props.groupName, rules },
    podLatency,
    serviceLatency,
    podInFlight,
    errorRatio,
    requestRate,
    promql: recordedPromQL(rules, promql.scope),
  };
}
