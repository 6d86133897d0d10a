import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CUSTOM_METRICS } from "../../promql/custom-metrics.js";
import { adapterLabelMatchers, fillTemplate, prometheusAdapterRules } from "../../constructs/prometheus-adapter.js";
import { assertParses, resultGrouping } from "../../promql/parse.js";
import { DEV_CPU_HPA, stackFor } from "../helpers/env.js";
import { builtStack } from "../helpers/rendered.js";

function adapterConfigMap(env: string, patch = {}) {
  const stack = stackFor(env, patch);
  const cm = stack.objects().find((o: any) => o.kind === "ConfigMap" && o.metadata.name === `inference-${env}-prometheus-adapter`) as any;
  return { stack, cm, config: parse(cm.data["config.yaml"]) };
}

describe("prometheus-adapter rules", () => {
  it("expose exactly the names the slo-hpa HPA consumes: two custom (Pods) metrics, the queue as external where KEDA is absent", () => {
    const dev = adapterConfigMap("dev", DEV_CPU_HPA); // cluster.keda false
    expect(dev.config.rules.map((r: any) => r.name.as)).toEqual([CUSTOM_METRICS.podP95Latency, CUSTOM_METRICS.podInFlight]);
    expect(dev.config.externalRules.map((r: any) => r.name.as)).toEqual([CUSTOM_METRICS.queueLength]);
    const prod = adapterConfigMap("prod"); // KEDA owns external.metrics.k8s.io
    expect(prod.config.rules.map((r: any) => r.name.as)).toEqual([CUSTOM_METRICS.podP95Latency, CUSTOM_METRICS.podInFlight]);
    expect(prod.config.externalRules).toBeUndefined();
    expect((prod.stack.helmValues["prometheus-adapter"] as any).rules.external).toEqual([]);
  });

  it("render the templates with <<.Series>>, <<.LabelMatchers>> and <<.GroupBy>> beside le", () => {
    const { config } = adapterConfigMap("prod");
    expect(config.rules[0]).toEqual({
      seriesQuery: 'http_request_duration_seconds_bucket{namespace="ml-serving-prod",job="inference",endpoint="/predict"}',
      resources: { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } },
      name: { matches: "^http_request_duration_seconds_bucket$", as: "inference_request_latency_p95_seconds" },
      // Per pod: 0 for a pod that is up but idle or cold (never NaN: the adapter converts int64(v*1000)), nothing for one whose scrape is lost.
      metricsQuery:
        '(histogram_quantile(0.95, sum by (le, <<.GroupBy>>) (rate(<<.Series>>{<<.LabelMatchers>>,job="inference",endpoint="/predict"}[2m]))) and on(<<.GroupBy>>) (sum by (<<.GroupBy>>) (rate(http_request_duration_seconds_count{<<.LabelMatchers>>,job="inference",endpoint="/predict"}[2m])) > 0)' +
        ' or on(<<.GroupBy>>) (sum by (<<.GroupBy>>) (up{<<.LabelMatchers>>,job="inference"}) * 0)) and on(<<.GroupBy>>) (sum by (<<.GroupBy>>) (up{<<.LabelMatchers>>,job="inference"}) > 0)',
    });
    expect(config.rules[1].metricsQuery).toBe(
      '(sum by (<<.GroupBy>>) (<<.Series>>{<<.LabelMatchers>>,job="inference",endpoint="/predict"}) or on(<<.GroupBy>>) (sum by (<<.GroupBy>>) (up{<<.LabelMatchers>>,job="inference"}) * 0)) and on(<<.GroupBy>>) (sum by (<<.GroupBy>>) (up{<<.LabelMatchers>>,job="inference"}) > 0)',
    );
    const dev = adapterConfigMap("dev", DEV_CPU_HPA).config;
    expect(dev.externalRules[0]).toEqual({
      seriesQuery: 'inference_queue_len{namespace="ml-serving-dev",job="ml-serving-dev/inference"}',
      resources: { overrides: { namespace: { resource: "namespace" } } },
      name: { matches: "^inference_queue_len$", as: "inference_queue_length" },
      metricsQuery:
        '(sum (<<.Series>>{<<.LabelMatchers>>,job="ml-serving-dev/inference"}) or on() (sum (up{<<.LabelMatchers>>,job="ml-serving-dev/inference"}) * 0)) and on() (sum (up{<<.LabelMatchers>>,job="ml-serving-dev/inference"}) > 0)',
    });
  });

  it("filled as the adapter fills them, custom queries return one series per pod and external ones a single series", () => {
    for (const env of ["dev", "prod"]) {
      const { custom, external } = builtStack(env).monitoring.adapterRules;
      for (const r of custom) {
        for (const pods of [["a"], ["a", "b"]]) {
          const q = fillTemplate(r.metricsQuery, { series: "s", labelMatchers: adapterLabelMatchers("ns", pods), groupBy: "pod" });
          assertParses(q);
          expect(resultGrouping(q), q).toEqual(["pod"]);
        }
      }
      for (const r of external) {
        const q = fillTemplate(r.metricsQuery, { series: "s", labelMatchers: adapterLabelMatchers("ns"), groupBy: "" });
        expect(resultGrouping(q), q).toEqual([]);
      }
    }
    expect(adapterLabelMatchers("ns", ["a"])).toBe('namespace="ns",pod="a"');
    expect(adapterLabelMatchers("ns", ["a", "b"])).toBe('namespace="ns",pod=~"a|b"');
    expect(adapterLabelMatchers("ns")).toBe('namespace="ns"');
  });

  it("are handed to the prometheus-adapter chart in its values shape (default rules off, the env's Prometheus)", () => {
    const { stack, config } = adapterConfigMap("prod");
    const values = stack.helmValues["prometheus-adapter"] as any;
    expect(values.rules.default).toBe(false);
    expect(values.rules.custom).toEqual(config.rules);
    expect(values.prometheus).toEqual({
      url: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local",
      port: 9090,
      path: "",
    });
    const dev = adapterConfigMap("dev", DEV_CPU_HPA);
    expect((dev.stack.helmValues["prometheus-adapter"] as any).rules.external).toEqual(dev.config.externalRules);
    expect((dev.stack.helmValues["prometheus-adapter"] as any).prometheus).toEqual({
      url: "http://prometheus-server.monitoring.svc.cluster.local",
      port: 80,
      path: "",
    });
    const ext = stackFor("prod", { monitoring: { prometheus: { externalUrl: "https://prom.example.com/prometheus" } } });
    expect((ext.helmValues["prometheus-adapter"] as any).prometheus).toEqual({
      url: "https://prom.example.com",
      port: 443,
      path: "/prometheus",
    });
  });

  it("live in the Prometheus namespace as the adapter's ConfigMap", () => {
    const { cm } = adapterConfigMap("staging");
    expect(cm.metadata.namespace).toBe("monitoring");
    expect(Object.keys(cm.data)).toEqual(["config.yaml"]);
  });

  it("the slo-hpa HPA asks for names the adapter exposes", () => {
    const stack = stackFor("staging", { scaling: { mode: "slo-hpa" }, cluster: { keda: false } });
    const hpa = stack.objects().find((o: any) => o.kind === "HorizontalPodAutoscaler") as any;
    const asked = hpa.spec.metrics
      .filter((m: any) => m.type === "Pods" || m.type === "External")
      .map((m: any) => (m.pods ?? m.external).metric.name);
    const { custom, external } = stack.monitoring.adapterRules;
    const served = [...custom, ...external].map((r) => r.name.as);
    expect(asked.length).toBeGreaterThan(0);
    for (const name of asked) expect(served).toContain(name);
  });

  it("refuse an invalid window", () => {
    const { promql } = builtStack("prod");
    expect(() => prometheusAdapterRules({ promql, endpoint: "/predict", window: "2 minutes", external: false })).toThrow(
      /invalid Prometheus duration/,
    );
  });
});
