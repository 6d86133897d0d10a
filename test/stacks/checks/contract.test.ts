import { describe, expect, it } from "vitest";
import { CUSTOM_METRICS } from "../../../promql/custom-metrics.js";
import { contractSeries, isPlatformSeries } from "../../../stacks/checks/contract.js";
import {
  ADAPTER_P95_RULE,
  ADAPTER_QUEUE_RULE,
  adapterConfigMap,
  check,
  checkConfig,
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

describe("contractSeries, isPlatformSeries", () => {
  it("a histogram exports _bucket/_sum/_count only; gauges and counters by name", () => {
    const s = contractSeries(config().service.metrics);
    for (const n of [
      "http_request_duration_seconds_bucket",
      "http_request_duration_seconds_count",
      "http_request_duration_seconds_sum",
      "http_request_errors_total",
      "http_requests_in_flight",
      "http_requests_total",
      "inference_queue_len",
    ])
      expect(s.has(n), n).toBe(true);
    expect(s.has("http_request_duration_seconds")).toBe(false);
    expect(s.size).toBe(config().service.metrics.metrics.reduce((n, m) => n + (m.type === "histogram" ? 3 : 1), 0));
    expect(s.get("http_request_duration_seconds_sum")!.suffix).toBe("_sum");
    expect(s.get("http_requests_total")!.suffix).toBe("");
    expect(s.get("http_requests_total")!.metric.type).toBe("counter");
  });

  it("platform series: Prometheus', kube-state-metrics', KEDA's, cAdvisor's and the kubelet's, whole names only", () => {
    for (const n of [
      "up",
      "ALERTS",
      "ALERTS_FOR_STATE",
      "scrape_duration_seconds",
      "kube_pod_info",
      "keda_scaler_errors",
      "container_cpu_usage_seconds_total",
      "kubelet_running_pods",
      "node_load1",
      "prometheus_tsdb_head_series",
      "apiserver_request_total",
    ])
      expect(isPlatformSeries(n), n).toBe(true);
    for (const n of ["upstream", "my_up", "kube_", "scrape_", "ALERTS_x", "keda"]) expect(isPlatformSeries(n), n).toBe(false);
  });
});

describe("QUERY_SYNTAX, METRIC_NOT_IN_CONTRACT: the findings' wording", () => {
  const EXPORTED = [...contractSeries(config().service.metrics).keys()].sort().join(", ");

  it("QUERY_SYNTAX: the expression, the parser's message and offset, the fix; no contract finding on it", () => {
    const [f] = expectErrors(check(withAlert(`sum(nope_total{${SCOPE}}`)), ["QUERY_SYNTAX"]);
    expect(f!.message).toMatch(/^sum\(nope_total\{namespace="ml-t",job="inference"\} does not parse as PromQL: .+ at offset \d+$/);
    expect(f!.fix).toBe("correct the expression (it must parse with the official PromQL grammar)");
  });

  it("an unknown series: what the contract exports, and the fix", () => {
    const [f] = expectErrors(check(withAlert(`sum(rate(nope_total{${SCOPE}}[2m])) > 1`)), ["METRIC_NOT_IN_CONTRACT"]);
    expect(f!.message).toBe(
      `the service's metric contract does not export "nope_total" (exported series: ${EXPORTED}); the query would return nothing`,
    );
    expect(f!.fix).toBe("read an exported series, or add the metric to service.metrics.metrics if the service really exports it");
  });

  it("a histogram by its family name; a counter or gauge with a suffix", () => {
    const [h] = expectErrors(check(withAlert(`http_request_duration_seconds{${SCOPE}} > 1`)), ["METRIC_NOT_IN_CONTRACT"]);
    expect(h!.message).toBe(
      `"http_request_duration_seconds" is a histogram: only its _bucket, _sum and _count series exist (exported series: ${EXPORTED}); the query would return nothing`,
    );
    const [c] = expectErrors(check(withAlert(`rate(http_requests_total_count{${SCOPE}}[2m]) > 1`)), ["METRIC_NOT_IN_CONTRACT"]);
    expect(c!.message).toMatch(/^"http_requests_total_count" is not a series of the counter "http_requests_total" \(exported series:/);
    const [g] = expectErrors(check(withAlert(`inference_queue_len_max{${SCOPE}} > 1`)), ["METRIC_NOT_IN_CONTRACT"]);
    expect(g!.message).toMatch(/^"inference_queue_len_max" is not a series of the gauge "inference_queue_len"/);
    const [b] = expectErrors(check(withAlert(`http_request_duration_seconds_max{${SCOPE}} > 1`)), ["METRIC_NOT_IN_CONTRACT"]);
    expect(b!.message).toMatch(/^the service's metric contract does not export "http_request_duration_seconds_max"/);
  });

  it("one finding per unknown series of a query, one per query", () => {
    const errors = expectErrors(
      check([
        ...coherent(),
        prometheusRule([rule(`nope_a{${SCOPE}} > nope_a{${SCOPE}} or nope_b{${SCOPE}}`, "X"), rule(`nope_a{${SCOPE}} > 1`, "Y")], "extra"),
      ]),
      ["METRIC_NOT_IN_CONTRACT"],
    );
    expect(errors.map((e) => [e.path, /"(\w+)"/.exec(e.message)![1]])).toEqual([
      ["spec.groups[0].rules[0].expr", "nope_a"],
      ["spec.groups[0].rules[0].expr", "nope_b"],
      ["spec.groups[0].rules[1].expr", "nope_a"],
    ]);
  });

  it("a recorded series, a platform series and a nameless selector are fine", () => {
    expect(check(withAlert(`up{${SCOPE}} == 0 or {${SCOPE},__name__=~"http_.*"} > 1e9`)).errors).toEqual([]);
  });
});

describe("CUSTOM_METRIC_NOT_SERVED: the API each metric type asks, and the wording", () => {
  const noKeda = config({ cluster: { keda: false }, scaling: { mode: "slo-hpa" } });
  const objects = (metrics: object[], cfg: { rules?: object[]; externalRules?: object[] } = { rules: [ADAPTER_P95_RULE] }) => [
    deployment(),
    service(),
    serviceMonitor(),
    hpa({ metrics }),
    adapterConfigMap(cfg),
  ];
  const served = (metrics: object[], cfg?: { rules?: object[]; externalRules?: object[] }) =>
    check(objects(metrics, cfg), { config: noKeda }).errors.filter((e) => e.code === "CUSTOM_METRIC_NOT_SERVED");
  const target = { type: "AverageValue", averageValue: "1" };

  it("an Object metric asks custom.metrics.k8s.io; an External one external.metrics.k8s.io, never the custom rules", () => {
    const object = {
      type: "Object",
      object: { metric: { name: CUSTOM_METRICS.podP95Latency }, describedObject: { kind: "Service", name: "inference" }, target },
    };
    expect(served([object])).toEqual([]);
    const external = { type: "External", external: { metric: { name: CUSTOM_METRICS.podP95Latency }, target } };
    const [e] = served([external]);
    expect(e!.path).toBe("spec.metrics[0].external.metric.name");
    expect(e!.message).toBe(
      `asks external.metrics.k8s.io for "${CUSTOM_METRICS.podP95Latency}", but no prometheus-adapter externalRules entry exposes it (none rendered): the HPA reports FailedGetPodsMetric and never scales on it`,
    );
    expect(e!.fix).toBe("use a name an adapter rule exposes (promql/custom-metrics.ts), or add the rule");
    // A custom rule does not serve an External metric of its name, nor an external rule a Pods metric.
    const pods = { type: "Pods", pods: { metric: { name: CUSTOM_METRICS.queueLength }, target } };
    const [p] = served([pods], { externalRules: [ADAPTER_QUEUE_RULE] });
    expect(p!.path).toBe("spec.metrics[0].pods.metric.name");
    expect(p!.message).toMatch(
      /^asks custom\.metrics\.k8s\.io for "inference_queue_length", but no prometheus-adapter rules entry exposes it \(none rendered\)/,
    );
    const [o] = served([{ ...object, object: { ...object.object, metric: { name: "other" } } }]);
    expect(o!.path).toBe("spec.metrics[0].object.metric.name");
    expect(o!.message).toMatch(/\(served: inference_request_latency_p95_seconds\)/);
  });

  it("Resource metrics, unnamed metrics and other API groups are not asked of the adapter", () => {
    expect(
      served([
        { type: "Pods", pods: { target } },
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } },
      ]),
    ).toEqual([]);
    const foreign = { ...hpa({ metrics: [{ type: "Pods", pods: { metric: { name: "x" }, target } }] }), apiVersion: "example.com/v1" };
    expect(
      check([deployment(), service(), serviceMonitor(), foreign, adapterConfigMap({ rules: [ADAPTER_P95_RULE] })], {
        config: noKeda,
      }).errors.filter((e) => e.code === "CUSTOM_METRIC_NOT_SERVED"),
    ).toEqual([]);
  });
});

describe("CONFIG_MISSING: the contract declares every metric the monitoring reads", () => {
  it("names the missing metrics and where the defaults are", () => {
    const base = config();
    const c = config({
      service: {
        metrics: {
          metrics: base.service.metrics.metrics.filter((m) => m.name !== "inference_queue_len" && m.name !== "http_requests_in_flight"),
        },
      },
    });
    const [e] = checkConfig(c).errors.filter((x) => x.code === "CONFIG_MISSING");
    expect(e!.path).toBe("service.metrics.metrics");
    expect(e!.message).toBe("monitoring needs http_requests_in_flight, inference_queue_len, which the metric contract does not declare");
    expect(e!.fix).toBe("declare them (see DEFAULT_METRICS in promql/metrics.ts)");
    expect(checkConfig(base).findings).toEqual([]);
  });
});

describe("CUSTOM_METRIC_NOT_SERVED: the served list", () => {
  it("lists every served name, sorted", () => {
    const second = { ...ADAPTER_P95_RULE, name: { ...ADAPTER_P95_RULE.name, as: "aaa_first_metric" } };
    const objects = [
      deployment(),
      service(),
      serviceMonitor(),
      hpa({ metrics: [{ type: "Pods", pods: { metric: { name: "missing" }, target: { type: "AverageValue", averageValue: "1" } } }] }),
      adapterConfigMap({ rules: [ADAPTER_P95_RULE, second] }),
    ];
    const [e] = check(objects, { config: config({ cluster: { keda: false }, scaling: { mode: "slo-hpa" } }) }).errors.filter(
      (x) => x.code === "CUSTOM_METRIC_NOT_SERVED",
    );
    expect(e!.message).toMatch(/\(served: aaa_first_metric, inference_request_latency_p95_seconds\)/);
  });
});
