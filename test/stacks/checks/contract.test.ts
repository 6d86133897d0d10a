import { describe, expect, it } from "vitest";
import { CUSTOM_METRICS } from "../../../promql/custom-metrics.js";
import {
  ADAPTER_P95_RULE,
  ADAPTER_QUEUE_RULE,
  adapterConfigMap,
  check,
  coherent,
  config,
  deployment,
  expectErrors,
  hpa,
  mutate,
  NS,
  prometheusRule,
  promTrigger,
  rule,
  service,
  serviceMonitor,
} from "./fixtures.js";

const SCOPE = `namespace="${NS}",job="inference"`;
const withAlert = (expr: string) => [...coherent(), prometheusRule([rule(expr, "Extra")], "extra")];

describe("METRIC_NOT_IN_CONTRACT: queries read only what the contract exports", () => {
  it("passes a coherent environment (contract, recorded and platform series)", () => {
    const objects = withAlert(
      `kube_horizontalpodautoscaler_status_current_replicas{namespace="${NS}"} >= on() job:http_request_duration_seconds:p95_rate2m{${SCOPE}} or rate(keda_scaler_detail_errors_total[5m]) > 0`,
    );
    expect(check(objects).findings).toEqual([]);
  });

  it("QUERY_SYNTAX: an expression that does not parse", () => {
    const [f] = expectErrors(check(withAlert(`sum(rate(http_requests_total{${SCOPE}}[2m])`)), ["QUERY_SYNTAX"]);
    expect(f!.resource).toBe(`PrometheusRule ${NS}/extra`);
    expect(f!.path).toBe("spec.groups[0].rules[0].expr");
  });

  it("METRIC_NOT_IN_CONTRACT: a misspelled metric in an alert", () => {
    const [f] = expectErrors(check(withAlert(`sum(rate(http_request_latency_seconds_count{${SCOPE}}[2m])) > 1`)), [
      "METRIC_NOT_IN_CONTRACT",
    ]);
    expect(f!.message).toMatch(/does not export "http_request_latency_seconds_count"/);
    expect(f!.message).toMatch(/exported series: .*inference_queue_len/);
  });

  it("METRIC_NOT_IN_CONTRACT: a histogram read without its _bucket/_sum/_count suffix", () => {
    const [f] = expectErrors(check(withAlert(`http_request_duration_seconds{${SCOPE}} > 1`)), ["METRIC_NOT_IN_CONTRACT"]);
    expect(f!.message).toMatch(/is a histogram: only its _bucket, _sum and _count series exist/);
  });

  it("METRIC_NOT_IN_CONTRACT: a KEDA trigger on the adapter's metric name instead of the gauge", () => {
    const objects = mutate(coherent(), (get) => {
      get("ScaledObject").spec.triggers[1] = promTrigger(`sum(inference_queue_length{${SCOPE}})`);
    });
    const [f] = expectErrors(check(objects), ["METRIC_NOT_IN_CONTRACT"]);
    expect(f!.path).toBe("spec.triggers[1].metadata.query");
  });

  it("passes once the env config's contract declares the metric", () => {
    const base = config();
    const c = config({
      service: {
        metrics: {
          metrics: [...base.service.metrics.metrics, { name: "http_request_latency_seconds_count", type: "counter", labels: [] }],
        },
      },
    });
    expect(check(withAlert(`sum(rate(http_request_latency_seconds_count{${SCOPE}}[2m])) > 1`), { config: c }).errors).toEqual([]);
  });

  it("reads a query scoped to another workload's job against that workload, not the inference contract", () => {
    expect(check(withAlert(`sum(vllm:num_requests_waiting{namespace="${NS}",job="llm"}) > 5`)).codes()).not.toContain(
      "METRIC_NOT_IN_CONTRACT",
    );
  });
});

describe("CUSTOM_METRIC_NOT_SERVED: an HPA's custom/external metrics are served by an adapter rule", () => {
  const sloHpa = (metrics: object[], externalRules: object[] = []) => [
    deployment(),
    service(),
    serviceMonitor(),
    hpa({ metrics }),
    adapterConfigMap({ rules: [ADAPTER_P95_RULE], externalRules }),
  ];
  const noKeda = config({ cluster: { keda: false }, scaling: { mode: "slo-hpa" } });
  const pods = (name: string) => ({ type: "Pods", pods: { metric: { name }, target: { type: "AverageValue", averageValue: "500m" } } });

  it("passes the name the adapter exposes (name.as)", () => {
    expect(check(sloHpa([pods(CUSTOM_METRICS.podP95Latency)]), { config: noKeda }).findings).toEqual([]);
  });

  it("CUSTOM_METRIC_NOT_SERVED: a Pods metric no rule exposes", () => {
    const [f] = expectErrors(check(sloHpa([pods("inference_request_latency_p99_seconds")]), { config: noKeda }), [
      "CUSTOM_METRIC_NOT_SERVED",
    ]);
    expect(f!.path).toBe("spec.metrics[0].pods.metric.name");
    expect(f!.message).toMatch(/served: inference_request_latency_p95_seconds/);
  });

  it("CUSTOM_METRIC_NOT_SERVED: an External metric without externalRules, passing once the rule exists", () => {
    const external = {
      type: "External",
      external: { metric: { name: CUSTOM_METRICS.queueLength }, target: { type: "AverageValue", averageValue: "20" } },
    };
    expectErrors(check(sloHpa([external]), { config: noKeda }), ["CUSTOM_METRIC_NOT_SERVED"]);
    expect(check(sloHpa([external], [ADAPTER_QUEUE_RULE]), { config: noKeda }).errors).toEqual([]);
  });
});
