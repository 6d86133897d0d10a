import { describe, expect, it } from "vitest";
import { CUSTOM_METRICS } from "../../constructs/custom-metrics.js";
import { DEFAULT_METRICS } from "../../constructs/metrics.js";
import {
  ADAPTER_P95_RULE,
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
  rule,
  service,
  serviceMonitor,
} from "./fixtures.js";

const SCOPE = `namespace="${NS}",job="inference"`;
const threshold = (index: number, v: string) => mutate(coherent(), (get) => (get("ScaledObject").spec.triggers[index].metadata.threshold = v));

describe("check 9: latency thresholds are histogram bucket boundaries (config)", () => {
  it("passes the defaults (0.5 SLO, 1 s alert, 0.5 s KEDA threshold)", () => {
    expect(checkConfig(config()).findings).toEqual([]);
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ["the SLO latency threshold", { slo: { latency: { thresholdSeconds: 0.4 } } }, "slo.latency.thresholdSeconds"],
    ["the HighLatency alert threshold", { monitoring: { alerts: { p95LatencySeconds: 0.8 } } }, "monitoring.alerts.p95LatencySeconds"],
    ["the KEDA latency threshold", { scaling: { keda: { p95Latency: { threshold: 0.45 } } } }, "scaling.keda.p95Latency.threshold"],
    ["the slo-hpa latency target", { scaling: { mode: "slo-hpa", sloHpa: { p95LatencySeconds: 0.3 } } }, "scaling.sloHpa.p95LatencySeconds"],
  ];
  for (const [what, patch, path] of cases) {
    it(`LATENCY_THRESHOLD_NOT_BUCKET: ${what}`, () => {
      const [f] = expectErrors(checkConfig(config(patch)), ["LATENCY_THRESHOLD_NOT_BUCKET"]);
      expect(f!.path).toBe(path);
      expect(f!.fix).toMatch(/use a boundary \(\d/);
    });
  }

  it("LATENCY_THRESHOLD_NOT_BUCKET: custom buckets that leave out the defaults", () => {
    const metrics = DEFAULT_METRICS.map((m) => (m.name === "http_request_duration_seconds" ? { ...m, labels: [...m.labels], buckets: [0.1, 0.25, 1, 2.5] } : { ...m, labels: [...m.labels], buckets: m.buckets ? [...m.buckets] : undefined }));
    const errors = expectErrors(checkConfig(config({ service: { metrics: { metrics } } })), ["LATENCY_THRESHOLD_NOT_BUCKET"]);
    expect(errors.map((e) => e.path)).toEqual(["slo.latency.thresholdSeconds", "scaling.keda.p95Latency.threshold"]);
  });
});

describe("check 9: latency thresholds are histogram bucket boundaries (rendered)", () => {
  it("LATENCY_THRESHOLD_NOT_BUCKET: a KEDA latency trigger threshold", () => {
    const [f] = expectErrors(check(threshold(0, "0.4")), ["LATENCY_THRESHOLD_NOT_BUCKET"]);
    expect(f!.path).toBe("spec.triggers[0].metadata.threshold");
    expect(f!.fix).toMatch(/0\.35 or 0\.5/);
  });

  it("LATENCY_THRESHOLD_NOT_BUCKET: an le matcher that selects no bucket; +Inf is fine", () => {
    const slo = (le: string) => [...coherent(), prometheusRule([rule(`sum(rate(http_request_duration_seconds_bucket{${SCOPE},le="${le}"}[5m]))`, undefined, { record: "slo:fast:rate5m" })], "slo")];
    expect(expectErrors(check(slo("0.4")), ["LATENCY_THRESHOLD_NOT_BUCKET"])[0]!.message).toMatch(/le="0\.4" is not a bucket boundary.*selects no series/);
    expect(check(slo("0.5")).findings).toEqual([]);
    expect(check(slo("+Inf")).findings).toEqual([]);
  });

  it("LATENCY_THRESHOLD_NOT_BUCKET: an alert threshold on a quantile, directly or through a recording", () => {
    const direct = [...coherent(), prometheusRule([rule(`histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${SCOPE}}[5m]))) > 1.5`, "P99")], "p99")];
    expectErrors(check(direct), ["LATENCY_THRESHOLD_NOT_BUCKET"]);
    const recorded = mutate(coherent(), (get) => (get("PrometheusRule").spec.groups[0].rules[1].expr = `job:http_request_duration_seconds:p95_rate2m{${SCOPE}} > 0.9`));
    expect(expectErrors(check(recorded), ["LATENCY_THRESHOLD_NOT_BUCKET"])[0]!.message).toMatch(/alert InferenceHighLatency threshold 0\.9/);
  });

  it("LATENCY_THRESHOLD_NOT_BUCKET: an slo-hpa target, through the adapter rule that serves the metric", () => {
    const target = (v: string) => [
      deployment(),
      service(),
      serviceMonitor(),
      adapterConfigMap({ rules: [ADAPTER_P95_RULE] }),
      hpa({ metrics: [{ type: "Pods", pods: { metric: { name: CUSTOM_METRICS.podP95Latency }, target: { type: "AverageValue", averageValue: v } } }] }),
    ];
    const c = config({ cluster: { keda: false }, scaling: { mode: "slo-hpa" } });
    expect(expectErrors(check(target("300m"), { config: c }), ["LATENCY_THRESHOLD_NOT_BUCKET"])[0]!.path).toBe("spec.metrics[0].pods.target.averageValue");
    expect(check(target("350m"), { config: c }).findings).toEqual([]);
  });
});

describe("check 10: scaling starts before the alert on the same signal", () => {
  it("SCALES_AFTER_ALERT (config): latency and queue thresholds above their alerts; equal is fine", () => {
    const latency = checkConfig(config({ scaling: { keda: { p95Latency: { threshold: 2 } } } }));
    expect(expectErrors(latency, ["SCALES_AFTER_ALERT"])[0]!.path).toBe("scaling.keda.p95Latency.threshold");
    const queue = checkConfig(config({ scaling: { keda: { queueLength: { threshold: 50, activation: 10 } } } }));
    expect(expectErrors(queue, ["SCALES_AFTER_ALERT"])[0]!.message).toMatch(/queue length threshold 50 is above the alert threshold 30 \(monitoring.alerts.queueBacklog\)/);
    const hpaMode = checkConfig(config({ scaling: { mode: "slo-hpa", sloHpa: { p95LatencySeconds: 2 } } }));
    expect(expectErrors(hpaMode, ["SCALES_AFTER_ALERT"])[0]!.path).toBe("scaling.sloHpa.p95LatencySeconds");
    expect(checkConfig(config({ scaling: { keda: { p95Latency: { threshold: 1 } } } })).findings).toEqual([]);
  });

  it("SCALES_AFTER_ALERT (rendered): a trigger threshold above the declared alert threshold", () => {
    expect(expectErrors(check(threshold(0, "2")), ["SCALES_AFTER_ALERT"])[0]!.path).toBe("spec.triggers[0].metadata.threshold");
    expect(expectErrors(check(threshold(1, "50")), ["SCALES_AFTER_ALERT"])[0]!.message).toMatch(/monitoring\.alerts\.queueBacklog/);
  });

  it("SCALES_AFTER_ALERT (rendered): a rendered alert lower than the config's, on an equal or higher quantile", () => {
    const c = config({ monitoring: { alerts: { p95LatencySeconds: 2 } } });
    const objects = (alertExpr: string) => [...threshold(0, "1"), prometheusRule([rule(alertExpr, "Tight")], "tight")];
    const p99 = (v: string) => `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${SCOPE}}[5m]))) > ${v}`;
    expect(expectErrors(check(objects(p99("0.75")), { config: c }), ["SCALES_AFTER_ALERT"])[0]!.message).toMatch(/alert Tight in PrometheusRule ml-t\/tight/);
    // p50 above 0.75 s does not follow from p95 above 1 s: a different signal
    const p50 = p99("0.75").replace("0.99", "0.5");
    expect(check(objects(p50), { config: c }).findings).toEqual([]);
  });
});
