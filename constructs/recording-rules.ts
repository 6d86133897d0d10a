/**
 * Recording rules for the inference service: per-pod p95 latency and in-flight requests of the
 * scaling endpoint, and the service's p95, error ratio and request rate. Each is built through
 * the PromQL builder from the metric contract and records the labels it keeps, so alerts select
 * the recorded series through the builder too ({@link InferenceRecordings.promql}).
 *
 * Naming follows the Prometheus convention `level:metric:operations`, e.g.
 * `pod:http_request_duration_seconds:p95_rate2m` (per pod, p95 over a 2m rate window).
 */
import { ContractError, durationSeconds, type PromQL } from "./metrics.js";
import { recordedPromQL, type RecordingRule, type RuleGroup } from "./prometheus-rule.js";

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

/** The service's recording rules (one group). */
export function inferenceRecordingRules(props: InferenceRecordingsProps): InferenceRecordings {
  const { promql, endpoint, window } = props;
  const q = props.quantile ?? 0.95;
  durationSeconds(window);
  if (!(q > 0 && q < 1)) throw new ContractError(`latency quantile ${q} must be between 0 and 1`);
  const ep = { endpoint };
  const qn = quantileName(q);
  const lat = SERVICE_METRIC.latency;

  const podLatency: RecordingRule = {
    record: `pod:${lat}:${qn}_rate${window}`,
    expr: promql.histogramQuantile(q, lat, ep, window, [...SCOPE, "pod"]),
    seriesLabels: [...SCOPE, "pod"],
  };
  const serviceLatency: RecordingRule = {
    record: `job:${lat}:${qn}_rate${window}`,
    expr: promql.histogramQuantile(q, lat, ep, window, [...SCOPE]),
    seriesLabels: [...SCOPE],
  };
  const podInFlight: RecordingRule = {
    record: `pod:${SERVICE_METRIC.inFlight}:sum`,
    expr: promql.sumGauge(SERVICE_METRIC.inFlight, ep, [...SCOPE, "pod"]),
    seriesLabels: [...SCOPE, "pod"],
  };
  const errorRatio: RecordingRule = {
    record: `job:http_request_errors:ratio_rate${window}`,
    expr: `${promql.sumRate(SERVICE_METRIC.errors, "", ep, window, [...SCOPE])}\n/\n${promql.sumRate(SERVICE_METRIC.requests, "", ep, window, [...SCOPE])}`,
    seriesLabels: [...SCOPE],
  };
  const requestRate: RecordingRule = {
    record: `job:${SERVICE_METRIC.requests}:rate${window}`,
    expr: promql.sumRate(SERVICE_METRIC.requests, "", ep, window, [...SCOPE]),
    seriesLabels: [...SCOPE],
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
