import { describe, expect, it } from "vitest";
import { runConfigChecks } from "../../../stacks/checks/index.js";
import { envConfig } from "../../helpers/env.js";
import { CUSTOM_METRICS } from "../../../promql/custom-metrics.js";
import { DEFAULT_METRICS, type MetricContract, type MetricSpec } from "../../../promql/metrics.js";
import type { Problem } from "../../../problems/problem.js";
import { requestLatencyHistogram } from "../../../stacks/checks/thresholds.js";
import {
  ADAPTER_P95_RULE,
  adapterConfigMap,
  check,
  checkConfig,
  coherent,
  config,
  deployment,
  expectErrors,
  expectWarnings,
  hpa,
  mutate,
  NS,
  P95,
  prometheusRule,
  QUEUE,
  ADAPTER_QUEUE_RULE,
  rule,
  service,
  serviceMonitor,
} from "./fixtures.js";

const SCOPE = `namespace="${NS}",job="inference"`;
const threshold = (index: number, v: string) =>
  mutate(coherent(), (get) => (get("ScaledObject").spec.triggers[index].metadata.threshold = v));

describe("LATENCY_THRESHOLD_NOT_BUCKET: latency thresholds are histogram bucket boundaries (config)", () => {
  it("passes the defaults (0.5 SLO, 1 s alert, 0.5 s KEDA threshold)", () => {
    expect(checkConfig(config()).findings).toEqual([]);
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ["the SLO latency threshold", { slo: { latency: { thresholdSeconds: 0.4 } } }, "slo.latency.thresholdSeconds"],
    ["the HighLatency alert threshold", { monitoring: { alerts: { p95LatencySeconds: 0.8 } } }, "monitoring.alerts.p95LatencySeconds"],
    ["the KEDA latency threshold", { scaling: { keda: { p95Latency: { threshold: 0.45 } } } }, "scaling.keda.p95Latency.threshold"],
    [
      "the slo-hpa latency target",
      { scaling: { mode: "slo-hpa", sloHpa: { p95LatencySeconds: 0.3 } } },
      "scaling.sloHpa.p95LatencySeconds",
    ],
  ];
  for (const [what, patch, path] of cases) {
    it(`LATENCY_THRESHOLD_NOT_BUCKET: ${what}`, () => {
      const [f] = expectErrors(checkConfig(config(patch)), ["LATENCY_THRESHOLD_NOT_BUCKET"]);
      expect(f!.path).toBe(path);
      expect(f!.fix).toMatch(/use a boundary \(\d/);
    });
  }

  it("LATENCY_THRESHOLD_NOT_BUCKET: custom buckets that leave out the defaults", () => {
    const metrics = DEFAULT_METRICS.map((m) =>
      m.name === "http_request_duration_seconds"
        ? { ...m, labels: [...m.labels], buckets: [0.1, 0.25, 1, 2.5] }
        : { ...m, labels: [...m.labels], buckets: m.buckets ? [...m.buckets] : undefined },
    );
    const errors = expectErrors(checkConfig(config({ service: { metrics: { metrics } } })), ["LATENCY_THRESHOLD_NOT_BUCKET"]);
    expect(errors.map((e) => e.path)).toEqual(["slo.latency.thresholdSeconds", "scaling.keda.p95Latency.threshold"]);
  });
});

/** The coherent objects plus an SLO recording rule that reads the latency bucket `le`. */
function sloReadingBucket(le: string, record: string) {
  return [
    ...coherent(),
    prometheusRule([rule(`sum(rate(http_request_duration_seconds_bucket{${SCOPE},le="${le}"}[5m]))`, undefined, { record })], "slo"),
  ];
}

describe("LATENCY_THRESHOLD_NOT_BUCKET: latency thresholds are histogram bucket boundaries (rendered)", () => {
  it("LATENCY_THRESHOLD_NOT_BUCKET: a KEDA latency trigger threshold", () => {
    const [f] = expectErrors(check(threshold(0, "0.4")), ["LATENCY_THRESHOLD_NOT_BUCKET"]);
    expect(f!.path).toBe("spec.triggers[0].metadata.threshold");
    expect(f!.fix).toMatch(/0\.35 s or 0\.5 s/);
  });

  it("LATENCY_THRESHOLD_NOT_BUCKET: an le matcher that selects no bucket; +Inf is fine", () => {
    const slo = (le: string) => sloReadingBucket(le, "slo:fast:rate5m");
    expect(expectErrors(check(slo("0.4")), ["LATENCY_THRESHOLD_NOT_BUCKET"])[0]!.message).toMatch(
      /le="0\.4" is not a bucket boundary.*selects no series/,
    );
    expect(check(slo("0.5")).findings).toEqual([]);
    expect(check(slo("+Inf")).findings).toEqual([]);
  });

  it("LATENCY_THRESHOLD_NOT_BUCKET: an alert threshold on a quantile, directly or through a recording", () => {
    const direct = [
      ...coherent(),
      prometheusRule(
        [rule(`histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{${SCOPE}}[5m]))) > 1.5`, "P99")],
        "p99",
      ),
    ];
    expectErrors(check(direct), ["LATENCY_THRESHOLD_NOT_BUCKET"]);
    const recorded = mutate(
      coherent(),
      (get) => (get("PrometheusRule").spec.groups[0].rules[1].expr = `job:http_request_duration_seconds:p95_rate2m{${SCOPE}} > 0.9`),
    );
    expect(expectErrors(check(recorded), ["LATENCY_THRESHOLD_NOT_BUCKET"])[0]!.message).toMatch(
      /alert InferenceHighLatency threshold 0\.9/,
    );
  });

  it("LATENCY_THRESHOLD_NOT_BUCKET: an slo-hpa target, through the adapter rule that serves the metric", () => {
    const target = (v: string) => [
      deployment(),
      service(),
      serviceMonitor(),
      adapterConfigMap({ rules: [ADAPTER_P95_RULE] }),
      hpa({
        metrics: [
          { type: "Pods", pods: { metric: { name: CUSTOM_METRICS.podP95Latency }, target: { type: "AverageValue", averageValue: v } } },
        ],
      }),
    ];
    const c = config({ cluster: { keda: false }, scaling: { mode: "slo-hpa" } });
    expect(expectErrors(check(target("300m"), { config: c }), ["LATENCY_THRESHOLD_NOT_BUCKET"])[0]!.path).toBe(
      "spec.metrics[0].pods.target.averageValue",
    );
    expect(check(target("350m"), { config: c }).findings).toEqual([]);
  });
});

describe("SCALES_AFTER_ALERT: scaling starts before the alert on the same signal", () => {
  it("SCALES_AFTER_ALERT (config): latency and queue thresholds above their alerts; equal is fine", () => {
    const latency = checkConfig(config({ scaling: { keda: { p95Latency: { threshold: 2 } } } }));
    expect(expectErrors(latency, ["SCALES_AFTER_ALERT"])[0]!.path).toBe("scaling.keda.p95Latency.threshold");
    const queue = checkConfig(config({ scaling: { keda: { queueLength: { threshold: 50, activation: 10 } } } }));
    expect(expectErrors(queue, ["SCALES_AFTER_ALERT"])[0]!.message).toMatch(
      /queue length threshold 50 is above the alert threshold 40 \(monitoring.alerts.queueBacklog\)/,
    );
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
    expect(expectErrors(check(objects(p99("0.75")), { config: c }), ["SCALES_AFTER_ALERT"])[0]!.message).toMatch(
      /alert Tight in PrometheusRule ml-t\/tight/,
    );
    // p50 above 0.75 s does not follow from p95 above 1 s: a different signal
    const p50 = p99("0.75").replace("0.99", "0.5");
    expect(check(objects(p50), { config: c }).findings).toEqual([]);
  });
});

describe("LATENCY_TARGET_UNREACHABLE: a p95 target an idle pod already exceeds", () => {
  it("refuses slo-hpa's old default 350 ms in prod (idle p95 0.125 s × ln 20 ≈ 0.374 s at CV 1), accepts the new default", () => {
    const prodSlo = (patch: Record<string, unknown>) =>
      runConfigChecks(envConfig("prod", { scaling: { mode: "slo-hpa", ...patch }, prescaling: [] }));
    const old = prodSlo({ sloHpa: { p95LatencySeconds: 0.35 } }).filter((f) => f.code === "LATENCY_TARGET_UNREACHABLE");
    expect(old).toHaveLength(1);
    expect(old[0]!.severity).toBe("error");
    expect(old[0]!.path).toBe("scaling.sloHpa.p95LatencySeconds");
    expect(old[0]!.message).toMatch(/0\.35 s is at or below the p95 an idle pod already has, 0\.374 s \(service time 0\.125 s at CV 1/);
    expect(old[0]!.message).toMatch(/climbs to maxReplicas under no load/);
    expect(prodSlo({}).filter((f) => f.code === "LATENCY_TARGET_UNREACHABLE")).toEqual([]);
  });

  it("follows the simulation parameters: a slower or more variable service time moves the bound", () => {
    // deterministic service (CV 0): idle p95 = the service time 0.12 s, so 0.2 s is reachable
    const sim = (over: Record<string, unknown>) => ({ simulation: { cpuSecondsPerRequest: 0, ...over } });
    expect(
      checkConfig(config({ scaling: { mode: "slo-hpa", sloHpa: { p95LatencySeconds: 0.2 } }, ...sim({ serviceTimeCv: 0 }) })).findings,
    ).toEqual([]);
    // service time 0.3 s at CV 1: idle p95 ≈ 0.9 s, above KEDA's 0.5 s threshold and at the 1 s alert's doorstep
    const slow = checkConfig(config(sim({ serviceTimeSeconds: 0.3 })));
    expect(expectErrors(slow, ["LATENCY_TARGET_UNREACHABLE"]).map((x) => x.path)).toEqual(["scaling.keda.p95Latency.threshold"]);
    const slower = checkConfig(config(sim({ serviceTimeSeconds: 0.4 })));
    expect(
      expectErrors(slower, ["LATENCY_TARGET_UNREACHABLE"])
        .map((x) => x.path)
        .sort(),
    ).toEqual(["monitoring.alerts.p95LatencySeconds", "scaling.keda.p95Latency.threshold"]);
  });
});

describe("SCALES_AFTER_ALERT for a per-pod queue target: QUEUE_ALERT_BEFORE_SCALE (warning)", () => {
  // coherent(): queue trigger 20 per pod (AverageValue), QueueBacklog at 40 in the config and the rendered rule.
  const atMin = (min: number, objects = coherent()) => mutate(objects, (get) => (get("ScaledObject").spec.minReplicaCount = min));
  const backlogAlert = (objects: ReturnType<typeof coherent>, v: number) =>
    mutate(objects, (get) => (get("PrometheusRule", "inference-alerts").spec.groups[0].rules[2].expr = `${QUEUE} > ${v}`));

  it("warns when minReplicas × the AverageValue threshold is above the total-queue alert, with the numbers", () => {
    const [w] = expectWarnings(check(atMin(3)), ["QUEUE_ALERT_BEFORE_SCALE"]);
    expect(w).toMatchObject({ severity: "warning", resource: `ScaledObject ${NS}/inference`, path: "spec.triggers[1].metadata.threshold" });
    expect(w!.message).toMatch(
      /threshold 20 is per pod .*: at minReplicas 3 KEDA scales up only above 60 queued requests; QueueBacklog \(monitoring\.alerts\.queueBacklog\) pages at 40 on the total queue/,
    );
    expect(w!.fix).toMatch(
      /raise the queue alert to at least 60 \(monitoring\.alerts\.queueBacklog\).* lower the per-pod threshold to at most 13\.33 \(scaling\.keda\.queueLength\.threshold/,
    );
  });

  it("passes at the boundary (2 × 20 = 40), and once the alert is raised above the scale-up point", () => {
    expect(check(atMin(2)).findings).toEqual([]);
    const raised = config({ monitoring: { alerts: { queueBacklog: 60 } } });
    expect(check(backlogAlert(atMin(3), 60), { config: raised }).findings).toEqual([]);
    // the rendered alert alone still at 40: it is the one that pages first
    expect(expectWarnings(check(atMin(3), { config: raised }), ["QUEUE_ALERT_BEFORE_SCALE"])[0]!.message).toMatch(
      /alert InferenceQueueBacklog in PrometheusRule ml-t\/inference-alerts pages at 40/,
    );
  });

  it("KEDA's default metric type is AverageValue; Value compares the total itself", () => {
    const noType = mutate(atMin(3), (get) => delete get("ScaledObject").spec.triggers[1].metricType);
    expectWarnings(check(noType), ["QUEUE_ALERT_BEFORE_SCALE"]);
    const value = mutate(atMin(3), (get) => (get("ScaledObject").spec.triggers[1].metricType = "Value"));
    expect(check(value).findings).toEqual([]);
  });

  it("compares with a lower rendered alert on the total queue, directly or through a recording rule", () => {
    const c = config({ monitoring: { alerts: { queueBacklog: 100 } } });
    const base = backlogAlert(coherent(), 100);
    expect(check(base, { config: c }).findings).toEqual([]);
    const direct = [...base, prometheusRule([rule(`${QUEUE} > 30`, "QueueTight")], "tight")];
    const [w] = expectWarnings(check(direct, { config: c }), ["QUEUE_ALERT_BEFORE_SCALE"]);
    expect(w!.message).toMatch(
      /at minReplicas 2 KEDA scales up only above 40 queued requests; alert QueueTight in PrometheusRule ml-t\/tight pages at 30/,
    );
    expect(w!.fix).not.toMatch(/monitoring\.alerts\.queueBacklog/);
    const recorded = [
      ...base,
      prometheusRule(
        [
          rule(`sum by (namespace, job) (inference_queue_len{${SCOPE}})`, undefined, { record: "job:inference_queue_len:sum" }),
          rule(`job:inference_queue_len:sum{${SCOPE}} > 30`, "QueueTight"),
        ],
        "tight",
      ),
    ];
    expect(expectWarnings(check(recorded, { config: c }), ["QUEUE_ALERT_BEFORE_SCALE"])[0]!.message).toMatch(
      /alert QueueTight .* pages at 30/,
    );
  });

  it("an alert on one pod's queue is not the total: compared per pod (SCALES_AFTER_ALERT proper), no warning", () => {
    const c = config({ monitoring: { alerts: { queueBacklog: 100 } } });
    const base = backlogAlert(atMin(3), 100);
    for (const expr of [`inference_queue_len{${SCOPE}} > 30`, `max by (pod) (inference_queue_len{${SCOPE}}) > 30`]) {
      expect(check([...base, prometheusRule([rule(expr, "PodQueue")], "pod-queue")], { config: c }).findings, expr).toEqual([]);
    }
  });

  it("an HPA averageValue on the queue (External metric served by the adapter) scales the same way; value does not", () => {
    const objects = (target: Record<string, string>) => [
      deployment(),
      service(),
      serviceMonitor(),
      mutate(
        [hpa({ metrics: [{ type: "External", external: { metric: { name: "inference_queue_length" }, target } }] })],
        (get) => (get("HorizontalPodAutoscaler").spec.minReplicas = 3),
      )[0]!,
      adapterConfigMap({ rules: [ADAPTER_P95_RULE], externalRules: [ADAPTER_QUEUE_RULE] }),
    ];
    const c = config({ cluster: { keda: false }, scaling: { mode: "slo-hpa" } });
    const [w] = expectWarnings(check(objects({ type: "AverageValue", averageValue: "20" }), { config: c }), ["QUEUE_ALERT_BEFORE_SCALE"]);
    expect(w).toMatchObject({ resource: `HorizontalPodAutoscaler ${NS}/inference`, path: "spec.metrics[0].external.target.averageValue" });
    expect(w!.message).toMatch(/at minReplicas 3 the HPA scales up only above 60 queued requests/);
    expect(w!.fix).not.toMatch(/scaling\.keda/);
    expect(check(objects({ type: "Value", value: "20" }), { config: c }).findings).toEqual([]);
  });

  it("a threshold above the alert is SCALES_AFTER_ALERT's error, not also this warning", () => {
    const run = check(mutate(atMin(3), (get) => (get("ScaledObject").spec.triggers[1].metadata.threshold = "50")));
    expectErrors(run, ["SCALES_AFTER_ALERT"]);
    expect(run.findings.filter((f) => f.severity === "warning")).toEqual([]);
  });
});

describe("the lines LATENCY_THRESHOLD_NOT_BUCKET and the alert-bucket rule print", () => {
  const BUCKETS = "0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 2, 5, 10, 30";
  const only = (patch: Record<string, unknown>) =>
    checkConfig(config(patch)).errors.map((e) => `${e.code} ${e.path}: ${e.message} | ${e.fix}`);

  it("names the histogram, its buckets, why and the boundaries either side", () => {
    expect(only({ slo: { latency: { thresholdSeconds: 0.4 } } })).toEqual([
      `LATENCY_THRESHOLD_NOT_BUCKET slo.latency.thresholdSeconds: the SLO latency threshold 0.4 is not a bucket boundary of http_request_duration_seconds (buckets: ${BUCKETS}): the histogram cannot tell whether requests were faster or slower than it (histogram_quantile only interpolates between boundaries, and an SLI counting requests under it has no bucket to count) | use a boundary (0.35 s or 0.5 s), or add 0.4 to the buckets the service exports`,
    ]);
  });

  it("below the smallest boundary names only the boundary above", () => {
    expect(only({ slo: { latency: { thresholdSeconds: 0.005 } } })[0]).toMatch(/\| use a boundary \(0\.01 s\), or add 0\.005 to/);
  });

  it("a value above the largest boundary that reads like milliseconds says so", () => {
    expect(only({ monitoring: { alerts: { p95LatencySeconds: 500 } } })).toEqual([
      expect.stringMatching(
        /^LATENCY_THRESHOLD_NOT_BUCKET monitoring\.alerts\.p95LatencySeconds: the HighLatency alert threshold 500 is not .*\| use a boundary \(0\.5 s; 500 reads like milliseconds, but the value is in seconds: 500 ms is 0\.5\), or add 500 to the buckets the service exports$/,
      ),
    ]);
    expect(only({ monitoring: { alerts: { p95LatencySeconds: 450 } } })[0]).toMatch(
      /use a boundary \(0\.35 s or 0\.5 s; 450 reads like milliseconds, but the value is in seconds: 450 ms is 0\.45\)/,
    );
  });

  it("refuses an alert at the largest boundary (histogram_quantile never exceeds it) and accepts one below", () => {
    expect(only({ monitoring: { alerts: { p95LatencySeconds: 30 } } })).toEqual([
      "CONFIG_CONFLICT monitoring.alerts.p95LatencySeconds: 30s is not below the largest latency bucket (30s): histogram_quantile never returns more than that, so the alert could never fire | use a threshold below 30 or add larger buckets",
    ]);
    expect(only({ monitoring: { alerts: { p95LatencySeconds: 10 } } })).toEqual([]);
  });

  it("an le matcher that is no number lists every boundary; an alert compared with < is held to the buckets too", () => {
    const slo = (le: string) => sloReadingBucket(le, "slo:x");
    const [e] = expectErrors(check(slo("fast")), ["LATENCY_THRESHOLD_NOT_BUCKET"]);
    expect(e!.message).toMatch(/^le="fast" is not a bucket boundary of http_request_duration_seconds .*: the matcher selects no series/);
    expect(e!.fix).toBe(`match an existing boundary (${BUCKETS})`);
    const below = [
      ...coherent(),
      prometheusRule(
        [rule(`histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${SCOPE}}[5m]))) < 0.3`, "TooFast")],
        "fast",
      ),
    ];
    expect(expectErrors(check(below), ["LATENCY_THRESHOLD_NOT_BUCKET"])[0]!.fix).toBe("use a boundary (0.2 s or 0.35 s)");
  });
});

describe("thresholds: the sites and signals behind the checks (issue 21's mutation survivors)", () => {
  const metric = (name: string, type: string, labels: string[] = [], buckets?: number[]) =>
    ({ name, type, labels, ...(buckets ? { buckets } : {}) }) as MetricSpec;
  const contract = (...metrics: MetricSpec[]) => ({ metrics }) as unknown as MetricContract;
  const withCode = (run: { findings: Problem[] }, code: string) => run.findings.filter((f) => f.code === code);
  const SLO_HPA = config({ cluster: { keda: false }, scaling: { mode: "slo-hpa" } });

  it("requestLatencyHistogram: http_request_duration_seconds, else one with an endpoint label, else the first; histograms with buckets only", () => {
    const plain = metric("a_seconds", "histogram", ["model"], [0.1, 1]);
    const endpoint = metric("b_seconds", "histogram", ["endpoint"], [0.1, 1]);
    const http = metric("http_request_duration_seconds", "histogram", ["method"], [0.5, 1]);
    const gauge = metric("queue_seconds", "gauge", ["endpoint"], [0.1]);
    const noBuckets = metric("http_request_duration_seconds", "histogram", ["endpoint"]);
    const emptyBuckets = metric("c_seconds", "histogram", ["endpoint"], []);
    expect(requestLatencyHistogram(contract(gauge, noBuckets, emptyBuckets, plain, endpoint, http))).toBe(http);
    expect(requestLatencyHistogram(contract(gauge, noBuckets, emptyBuckets, plain, endpoint))).toBe(endpoint);
    expect(requestLatencyHistogram(contract(gauge, noBuckets, emptyBuckets, plain))).toBe(plain);
    expect(requestLatencyHistogram(contract(gauge, noBuckets, emptyBuckets))).toBeUndefined();
  });

  it("the milliseconds hint: only from above the largest boundary up to 1000 times it", () => {
    const metrics = DEFAULT_METRICS.map((m) => (m.name === "http_request_duration_seconds" ? { ...m, buckets: [0.1, 0.5, 1] } : m));
    const fix = (p95: number) =>
      withCode(
        checkConfig(config({ service: { metrics: { metrics } }, monitoring: { alerts: { p95LatencySeconds: p95 } } })),
        "LATENCY_THRESHOLD_NOT_BUCKET",
      )[0]!.fix;
    expect(fix(1000)).toBe(
      "use a boundary (1 s; 1000 reads like milliseconds, but the value is in seconds: 1000 ms is 1), or add 1000 to the buckets the service exports",
    );
    expect(fix(1500)).toBe("use a boundary (1 s), or add 1500 to the buckets the service exports");
  });

  it("config phase: each mode's thresholds only, named in the messages", () => {
    // slo-hpa: the KEDA fields (still in the config) are neither held to the buckets nor to the alerts
    const hpaMode = checkConfig(
      config({
        scaling: {
          mode: "slo-hpa",
          sloHpa: { p95LatencySeconds: 2 },
          keda: { p95Latency: { threshold: 0.45 }, queueLength: { threshold: 50 } },
        },
      }),
    );
    expect(hpaMode.findings.filter((f) => f.path.startsWith("scaling.keda"))).toEqual([]);
    expect(withCode(hpaMode, "SCALES_AFTER_ALERT").map((f) => f.message)).toEqual([
      "the slo-hpa p95 latency target 2 is above the alert threshold 1 (monitoring.alerts.p95LatencySeconds): the service pages before it scales",
    ]);
    // keda: the slo-hpa field is ignored
    const kedaMode = checkConfig(config({ scaling: { sloHpa: { p95LatencySeconds: 0.3 }, keda: { p95Latency: { threshold: 2 } } } }));
    expect(kedaMode.findings.filter((f) => f.path.startsWith("scaling.sloHpa"))).toEqual([]);
    const kedaSloAbove = checkConfig(config({ scaling: { sloHpa: { p95LatencySeconds: 2 } } }));
    expect(kedaSloAbove.findings.filter((f) => f.path.startsWith("scaling.sloHpa"))).toEqual([]);
    expect(withCode(kedaMode, "SCALES_AFTER_ALERT").map((f) => f.message)).toEqual([
      "KEDA's p95 latency threshold 2 is above the alert threshold 1 (monitoring.alerts.p95LatencySeconds): the service pages before it scales",
    ]);
    const queue = checkConfig(config({ scaling: { keda: { queueLength: { threshold: 50, activation: 10 } } } }));
    expect(withCode(queue, "SCALES_AFTER_ALERT").map((f) => f.path)).toEqual(["scaling.keda.queueLength.threshold"]);
    // the not-a-boundary lines name the field
    expect(
      withCode(checkConfig(config({ scaling: { keda: { p95Latency: { threshold: 0.45 } } } })), "LATENCY_THRESHOLD_NOT_BUCKET")[0]!.message,
    ).toMatch(/^the KEDA latency trigger threshold 0\.45 is not a bucket boundary/);
    expect(
      withCode(
        checkConfig(config({ scaling: { mode: "slo-hpa", sloHpa: { p95LatencySeconds: 0.3 } } })),
        "LATENCY_THRESHOLD_NOT_BUCKET",
      )[0]!.message,
    ).toMatch(/^the slo-hpa latency target 0\.3 is not a bucket boundary/);
  });

  it("LATENCY_TARGET_UNREACHABLE: at the idle p95 itself, each mode's fields, and what each message says", () => {
    const sim = { simulation: { cpuSecondsPerRequest: 0, serviceTimeCv: 0, serviceTimeSeconds: 0.5 } };
    // CV 0: the idle p95 is the service time, 0.5 s = KEDA's threshold: "at or below"
    const atIt = withCode(checkConfig(config(sim)), "LATENCY_TARGET_UNREACHABLE");
    expect(atIt.map((f) => f.message)).toEqual([
      expect.stringMatching(
        /^KEDA's p95 latency threshold 0\.5 s is at or below the p95 an idle pod already has, 0\.5 s .*climbs to maxReplicas/,
      ),
    ]);
    const slow = { simulation: { cpuSecondsPerRequest: 0, serviceTimeCv: 0, serviceTimeSeconds: 1 } };
    const hpaMode = withCode(
      checkConfig(config({ ...slow, scaling: { mode: "slo-hpa", sloHpa: { p95LatencySeconds: 0.75 } } })),
      "LATENCY_TARGET_UNREACHABLE",
    );
    expect(hpaMode.map((f) => [f.path, f.message.replace(/ s is at or below.*?: /, " … ")])).toEqual([
      [
        "monitoring.alerts.p95LatencySeconds",
        "the HighLatency alert threshold 1 … no replica count brings the p95 under it, so the alert fires on an idle service",
      ],
      [
        "scaling.sloHpa.p95LatencySeconds",
        "the slo-hpa per-pod p95 latency target 0.75 … no replica count brings the p95 under it, so the autoscaler climbs to maxReplicas under no load",
      ],
    ]);
  });

  it("the alert-bucket rule reads the latency histogram wherever it is listed, and nothing without one", () => {
    const latencyLast = [
      ...DEFAULT_METRICS.filter((m) => m.name !== "http_request_duration_seconds"),
      DEFAULT_METRICS.find((m) => m.name === "http_request_duration_seconds")!,
    ];
    const at30 = checkConfig(config({ service: { metrics: { metrics: latencyLast } }, monitoring: { alerts: { p95LatencySeconds: 30 } } }));
    expect(withCode(at30, "CONFIG_CONFLICT").map((f) => f.path)).toEqual(["monitoring.alerts.p95LatencySeconds"]);
    // no histogram at all: no bucket rule applies (and none throws)
    const noHistogram = DEFAULT_METRICS.filter((m) => m.type !== "histogram");
    const none = checkConfig(config({ service: { metrics: { metrics: noHistogram } }, slo: { latency: { thresholdSeconds: 0.4 } } }));
    expect(withCode(none, "LATENCY_THRESHOLD_NOT_BUCKET")).toEqual([]);
    expect(withCode(none, "CONFIG_CONFLICT").filter((f) => f.path === "monitoring.alerts.p95LatencySeconds")).toEqual([]);
    // rendered: the declared latency alert is left out, the rest still runs
    expect(
      withCode(check(threshold(1, "50"), { config: config({ service: { metrics: { metrics: noHistogram } } }) }), "SCALES_AFTER_ALERT"),
    ).toHaveLength(1);
  });

  it("KEDA triggers: only prometheus triggers with a parsable query and a numeric threshold are sites; named or by index", () => {
    const so = (triggers: unknown[]) => mutate(coherent(), (get) => (get("ScaledObject").spec.triggers = triggers));
    const notBucket = (objects: ReturnType<typeof coherent>) => withCode(check(objects), "LATENCY_THRESHOLD_NOT_BUCKET");
    expect(
      notBucket(
        so([
          null,
          { type: "prometheus" },
          { type: "cpu", metadata: { query: P95, threshold: "0.4" } },
          { type: "prometheus", metadata: { query: "sum(", threshold: "0.4" } },
          { type: "prometheus", metadata: { threshold: "0.4" } },
          { type: "prometheus", metadata: { query: P95 } },
        ]),
      ),
    ).toEqual([]);
    expect(notBucket(mutate(coherent(), (get) => delete get("ScaledObject").spec))).toEqual([]);
    expect(notBucket(threshold(0, "0.4"))[0]!.message).toMatch(/^trigger p95-latency threshold 0\.4 is not a bucket boundary/);
    const unnamed = mutate(threshold(0, "0.4"), (get) => delete get("ScaledObject").spec.triggers[0].name);
    expect(notBucket(unnamed)[0]!.message).toMatch(/^trigger 0 threshold 0\.4 is not/);
  });

  it("HPA targets: Pods and Object metrics, value or averageValue, served by the adapter; unusable entries are skipped", () => {
    const latency = CUSTOM_METRICS.podP95Latency;
    const objects = (metrics: unknown[], spec = true) => [
      deployment(),
      service(),
      serviceMonitor(),
      adapterConfigMap({ rules: [ADAPTER_P95_RULE] }),
      spec ? hpa({ metrics: metrics as never }) : { ...hpa(), spec: undefined },
    ];
    const notBucket = (o: unknown[]) => withCode(check(o as never, { config: SLO_HPA }), "LATENCY_THRESHOLD_NOT_BUCKET");
    const found = notBucket(
      objects([
        null,
        { type: "Pods" },
        { type: "Pods", pods: {} },
        { type: "Pods", pods: { metric: { name: latency } } },
        { type: "Pods", pods: { metric: { name: latency }, target: { type: "AverageValue", averageValue: "fast" } } },
        { type: "Pods", pods: { metric: { name: latency }, target: { type: "Value", value: "300m" } } },
        { type: "Object", object: { metric: { name: latency }, target: { type: "Value", value: "400m" } } },
      ]),
    );
    expect(found.map((f) => [f.path, f.message.replace(/ is not a bucket.*/, "")])).toEqual([
      ["spec.metrics[5].pods.target.value", `${latency} target 0.3`],
      ["spec.metrics[6].object.target.value", `${latency} target 0.4`],
    ]);
    expect(notBucket(objects([], false))).toEqual([]);
  });

  it("HPA per-pod latency targets are not held to the queue warning", () => {
    const objects = [
      deployment(),
      service(),
      serviceMonitor(),
      adapterConfigMap({ rules: [ADAPTER_P95_RULE] }),
      hpa({
        metrics: [
          {
            type: "Pods",
            pods: { metric: { name: CUSTOM_METRICS.podP95Latency }, target: { type: "AverageValue", averageValue: "750m" } },
          },
        ],
      }),
    ];
    // 0.75 s × minReplicas 2 = 1.5 is above the 1 s alert, but a latency is no total to divide
    expect(check(objects, { config: SLO_HPA }).findings).toEqual([]);
  });

  it("alert sites: > and >= count, < does not, recording rules are no alerts; the declared alert counts without a rendered one", () => {
    const extra = (r: ReturnType<typeof rule>) => [...coherent(), prometheusRule([r], "extra")];
    const scalesAfter = (objects: ReturnType<typeof coherent>) => withCode(check(objects), "SCALES_AFTER_ALERT");
    expect(scalesAfter(extra(rule(`${QUEUE} >= 10`, "QueueGe")))[0]!.message).toMatch(/alert QueueGe in PrometheusRule ml-t\/extra/);
    expect(scalesAfter(extra(rule(`${QUEUE} < 10`, "QueueLow")))).toEqual([]);
    expect(scalesAfter(extra(rule(`${QUEUE} > 10`, undefined, { record: "job:queue_high:bool" })))).toEqual([]);
    // only the config's alert: the rendered HighLatency rule removed
    const noRendered = mutate(threshold(0, "2"), (get) => get("PrometheusRule").spec.groups[0].rules.splice(1, 1));
    expect(scalesAfter(noRendered).map((f) => f.message)).toEqual([
      expect.stringMatching(/above the alert threshold 1 \(monitoring\.alerts\.p95LatencySeconds\) for the same signal/),
    ]);
  });

  it("bucket checks on rendered queries: alerts compared with >= or <=, not ==; recordings' comparisons, regex and non-bucket le matchers are skipped", () => {
    const p95 = `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${SCOPE}}[5m])))`;
    const notBucket = (r: ReturnType<typeof rule>) =>
      withCode(check([...coherent(), prometheusRule([r], "extra")]), "LATENCY_THRESHOLD_NOT_BUCKET");
    expect(notBucket(rule(`${p95} >= 0.4`, "Ge"))).toHaveLength(1);
    expect(notBucket(rule(`${p95} <= 0.4`, "Le"))).toHaveLength(1);
    expect(notBucket(rule(`${p95} == 0.4`, "Eq"))).toEqual([]);
    expect(notBucket(rule(`${p95} > 0.4`, undefined, { record: "job:slow:bool" }))).toEqual([]);
    for (const sel of [
      `http_request_duration_seconds_bucket{${SCOPE},le=~"0.4"}`,
      `inference_queue_len{${SCOPE},le="0.4"}`,
      `inference_queue_len_bucket{${SCOPE},le="0.4"}`,
      `unknown_seconds_bucket{${SCOPE},le="0.4"}`,
    ]) {
      expect(notBucket(rule(`sum(${sel})`, undefined, { record: "job:x:sum" })), sel).toEqual([]);
    }
  });

  it("same signal: another histogram's or another queue's alert is not the scaling signal's", () => {
    const metrics = [
      ...DEFAULT_METRICS,
      metric("other_latency_seconds", "histogram", ["endpoint"], [0.1, 1]),
      metric("batch_queue_len", "gauge", ["model"]),
    ];
    const c = config({ service: { metrics: { metrics } }, monitoring: { alerts: { queueBacklog: 40 } } });
    const other = `histogram_quantile(0.95, sum by (le) (rate(other_latency_seconds_bucket{${SCOPE}}[5m]))) > 0.1`;
    const objects = [
      ...coherent(),
      prometheusRule([rule(other, "OtherSlow"), rule(`sum(batch_queue_len{${SCOPE}}) > 0.25`, "BatchQueue")], "extra"),
    ];
    expect(
      check(objects, { config: c }).findings.filter((f) => f.code === "SCALES_AFTER_ALERT" || f.code === "QUEUE_ALERT_BEFORE_SCALE"),
    ).toEqual([]);
  });

  it("QUEUE_ALERT_BEFORE_SCALE's fix: the declared alert's field and KEDA's threshold field only where they apply", () => {
    const hpaObjects = [
      deployment(),
      service(),
      serviceMonitor(),
      mutate(
        [
          hpa({
            metrics: [
              {
                type: "External",
                external: { metric: { name: "inference_queue_length" }, target: { type: "AverageValue", averageValue: "20" } },
              },
            ],
          }),
        ],
        (get) => (get("HorizontalPodAutoscaler").spec.minReplicas = 3),
      )[0]!,
      adapterConfigMap({ rules: [ADAPTER_P95_RULE], externalRules: [ADAPTER_QUEUE_RULE] }),
      prometheusRule([rule(`${QUEUE} > 30`, "QueueTight")], "tight"),
    ];
    const [w] = expectWarnings(
      check(hpaObjects, {
        config: config({ cluster: { keda: false }, scaling: { mode: "slo-hpa" }, monitoring: { alerts: { queueBacklog: 100 } } }),
      }),
      ["QUEUE_ALERT_BEFORE_SCALE"],
    );
    expect(w!.fix).toBe(
      "raise the queue alert to at least 60, with headroom for the HPA's 10% tolerance, or lower the per-pod threshold to at most 10",
    );
  });
});
