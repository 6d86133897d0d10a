/**
 * stacks/checks/settings.ts: the cross-field rules of the service's own settings, each at its
 * boundary (the value that must pass next to the one that must be refused) and with the line the
 * user reads (code, field, message naming both values, fix).
 */
import { describe, expect, it } from "vitest";
import { checkConfig, config } from "./fixtures.js";

/** The config-phase errors of the fixture env with `patch`, as `CODE path: message | fix`. */
function errors(patch: Record<string, unknown>): string[] {
  return checkConfig(config(patch)).errors.map((e) => `${e.code} ${e.path}: ${e.message} | ${e.fix}`);
}

/** The errors at one field path. */
function errorsAt(path: string, patch: Record<string, unknown>): string[] {
  return checkConfig(config(patch))
    .errors.filter((e) => e.path === path)
    .map((e) => `${e.code}: ${e.message} | ${e.fix}`);
}

describe("checkConfigReplicas: replica bounds and the autoscaler the mode needs", () => {
  it("refuses minReplicas above maxReplicas and accepts them equal", () => {
    expect(errors({ scaling: { minReplicas: 5, maxReplicas: 4 } })).toEqual([
      "CONFIG_CONFLICT scaling.minReplicas: minReplicas 5 is greater than maxReplicas 4 | lower minReplicas or raise maxReplicas",
    ]);
    expect(errors({ scaling: { minReplicas: 4, maxReplicas: 4 } })).toEqual([]);
  });

  it("refuses an HPA mode at 0 replicas and accepts 1; KEDA may scale to 0", () => {
    for (const mode of ["cpu-hpa", "slo-hpa"]) {
      expect(errorsAt("scaling.minReplicas", { scaling: { mode, minReplicas: 0 } }), mode).toEqual([
        "CONFIG_CONFLICT: an HPA cannot scale to 0 (minReplicas 0) | set minReplicas ≥ 1 or use mode keda",
      ]);
      expect(errorsAt("scaling.minReplicas", { scaling: { mode, minReplicas: 1 } }), mode).toEqual([]);
    }
    // (KEDA at 0 without a wake-up signal is ZERO_WITHOUT_WAKEUP, a later check: test/stacks/checks/wake-up.test.ts)
    expect(
      errorsAt("scaling.minReplicas", { scaling: { mode: "keda", minReplicas: 0 } }).filter((e) => e.startsWith("CONFIG_CONFLICT")),
    ).toEqual([]);
  });

  it("refuses idleReplicaCount at minReplicas (KEDA requires it below) and accepts one below", () => {
    // The schema takes only idleReplicaCount 0 (stacks/config.ts): at minReplicas 0 it is not below.
    expect(errors({ scaling: { minReplicas: 0, keda: { idleReplicaCount: 0 } } })).toEqual([
      "CONFIG_CONFLICT scaling.keda.idleReplicaCount: idleReplicaCount 0 must be below minReplicas 0 (KEDA rule) | lower it or remove it",
    ]);
    // (idle at 0 without a wake-up signal is ZERO_WITHOUT_WAKEUP, a later check)
    expect(
      errorsAt("scaling.keda.idleReplicaCount", { scaling: { minReplicas: 1, keda: { idleReplicaCount: 0 } } }).filter((e) =>
        e.startsWith("CONFIG_CONFLICT"),
      ),
    ).toEqual([]);
  });

  it("holds the fallback replicas within the bounds, both bounds included", () => {
    const at = (replicas: number) => errorsAt("scaling.keda.fallback.replicas", { scaling: { keda: { fallback: { replicas } } } });
    expect(at(2)).toEqual([]);
    expect(at(10)).toEqual([]);
    expect(at(1)).toEqual([
      "CONFIG_CONFLICT: fallback replicas 1 is outside minReplicas 2 … maxReplicas 10 (the HPA would clamp it) | hold a count between the bounds",
    ]);
    expect(at(11)).toEqual([
      "CONFIG_CONFLICT: fallback replicas 11 is outside minReplicas 2 … maxReplicas 10 (the HPA would clamp it) | hold a count between the bounds",
    ]);
  });

  it("with minReplicas equal to maxReplicas the fallback must be that count", () => {
    const at = (replicas: number) =>
      errorsAt("scaling.keda.fallback.replicas", { scaling: { minReplicas: 4, maxReplicas: 4, keda: { fallback: { replicas } } } });
    expect(at(4)).toEqual([]);
    expect(at(5)).toEqual([
      "CONFIG_CONFLICT: fallback replicas 5 is outside minReplicas 4 … maxReplicas 4 (the HPA would clamp it) | hold a count between the bounds",
    ]);
  });

  it("reports only min > max when the bounds themselves contradict (no fallback line against them)", () => {
    expect(errors({ scaling: { minReplicas: 6, maxReplicas: 5, keda: { fallback: { replicas: 7 } } } })).toEqual([
      "CONFIG_CONFLICT scaling.minReplicas: minReplicas 6 is greater than maxReplicas 5 | lower minReplicas or raise maxReplicas",
    ]);
  });

  it("refuses mode keda without KEDA in the cluster; an HPA mode needs none", () => {
    expect(errorsAt("scaling.mode", { cluster: { keda: false } })).toEqual([
      'CONFIG_CONFLICT: mode "keda" needs KEDA in the cluster, but cluster.keda is false | set cluster.keda true or pick an HPA mode',
    ]);
    expect(errorsAt("scaling.mode", { cluster: { keda: false }, scaling: { mode: "slo-hpa" } })).toEqual([]);
  });
});

describe("checkConfigKedaTriggers: cooldown against polling, activation below threshold", () => {
  it("refuses a cooldown shorter than the polling interval and accepts it equal", () => {
    expect(errors({ scaling: { keda: { pollingInterval: 30, cooldownPeriod: 29 } } })).toEqual([
      "CONFIG_CONFLICT scaling.keda.cooldownPeriod: cooldownPeriod 29 s is shorter than pollingInterval 30 s: KEDA sees activity only once per poll, so it would deactivate (scale to zero) between two polls that both saw load | set cooldownPeriod ≥ 30 (default 300)",
    ]);
    expect(errors({ scaling: { keda: { pollingInterval: 30, cooldownPeriod: 30 } } })).toEqual([]);
  });

  it("leaves the KEDA cooldown alone in an HPA mode, which renders no ScaledObject", () => {
    expect(
      errorsAt("scaling.keda.cooldownPeriod", { scaling: { mode: "slo-hpa", keda: { pollingInterval: 30, cooldownPeriod: 0 } } }),
    ).toEqual([]);
  });

  for (const key of ["p95Latency", "queueLength"] as const) {
    it(`refuses ${key}.activation at its threshold and accepts one below`, () => {
      expect(errors({ scaling: { keda: { [key]: { threshold: 0.8, activation: 0.8 } } } })).toEqual([
        `CONFIG_CONFLICT scaling.keda.${key}.activation: activation 0.8 must be below threshold 0.8 | lower the activation value`,
      ]);
      expect(errorsAt(`scaling.keda.${key}.activation`, { scaling: { keda: { [key]: { threshold: 0.8, activation: 0.79 } } } })).toEqual(
        [],
      );
    });
  }
});

describe("checkConfigServicePod: requests within limits, ports, drain time", () => {
  for (const [r, request, limit] of [
    ["cpu", "2001m", "2"],
    ["memory", "3Gi", "2Gi"],
  ] as const) {
    it(`refuses a ${r} request above its limit, compared as quantities`, () => {
      const requests = { cpu: "1", memory: "2Gi", [r]: request };
      expect(errors({ service: { resources: { requests, limits: { cpu: "2", memory: "2Gi", [r]: limit } } } })).toEqual([
        `CONFIG_CONFLICT service.resources.requests.${r}: request ${request} is above the limit ${limit} | lower the request or raise the limit`,
      ]);
    });
  }

  it("accepts a request equal to its limit written in another unit, and a request without a limit", () => {
    const requests = { cpu: "1000m", memory: "2048Mi" };
    expect(errors({ service: { resources: { requests, limits: { cpu: "1", memory: "2Gi" } } } })).toEqual([]);
    expect(errorsAt("service.resources.requests.cpu", { service: { resources: { requests, limits: { memory: "2Gi" } } } })).toEqual([]);
  });

  it("a container without any limits has no request above them", () => {
    expect(
      errorsAt("service.resources.requests.cpu", { service: { resources: { requests: { cpu: "8", memory: "2Gi" }, limits: undefined } } }),
    ).toEqual([]);
  });

  it("refuses the metrics port on the API port", () => {
    expect(errors({ service: { port: 9090 } })).toContain(
      "CONFIG_CONFLICT service.metrics.port: metrics port 9090 equals the API port | use a separate port (default 9090)",
    );
    expect(errorsAt("service.metrics.port", { service: { port: 9091 } })).toEqual([]);
  });

  it("refuses a preStop sleep as long as the grace period and accepts one a second shorter", () => {
    expect(errors({ service: { preStopSleepSeconds: 20, terminationGracePeriodSeconds: 20 } })).toEqual([
      "CONFIG_CONFLICT service.preStopSleepSeconds: preStop sleep 20s leaves no time to drain within terminationGracePeriodSeconds 20 | make the sleep shorter than the grace period",
    ]);
    expect(errors({ service: { preStopSleepSeconds: 19, terminationGracePeriodSeconds: 20 } })).toEqual([]);
  });
});

describe("checkConfigMetricContract: each metric once, histograms with ascending buckets", () => {
  const declared = () => structuredClone(config().service.metrics.metrics) as { name: string; type: string; buckets?: number[] }[];
  const withMetrics = (metrics: unknown[]) => ({ service: { metrics: { metrics } } });
  const histogramIndex = () => declared().findIndex((m) => m.type === "histogram");

  it("the fixture declares a histogram with buckets and passes", () => {
    expect(histogramIndex()).toBeGreaterThanOrEqual(0);
    expect(errors(withMetrics(declared()))).toEqual([]);
  });

  it("refuses a metric declared twice", () => {
    const metrics = declared();
    const gauge = metrics.find((m) => m.type !== "histogram")!;
    expect(errorsAt("service.metrics.metrics", withMetrics([...metrics, structuredClone(gauge)]))).toEqual([
      `CONFIG_CONFLICT: metric "${gauge.name}" is declared twice | keep one declaration`,
    ]);
  });

  it("refuses a histogram without buckets or with none", () => {
    const i = histogramIndex();
    for (const buckets of [undefined, []]) {
      const metrics = declared();
      const name = metrics[i]!.name;
      if (buckets === undefined) delete metrics[i]!.buckets;
      else metrics[i]!.buckets = buckets;
      expect(errorsAt(`service.metrics.metrics[${i}].buckets`, withMetrics(metrics)), JSON.stringify(buckets)).toEqual([
        `CONFIG_CONFLICT: histogram "${name}" needs buckets | list its bucket boundaries`,
      ]);
    }
  });

  it("refuses buckets that repeat or fall anywhere in the list, and accepts strictly ascending ones", () => {
    const i = histogramIndex();
    const at = (buckets: number[]) => {
      const metrics = declared();
      metrics[i]!.buckets = buckets;
      return errorsAt(`service.metrics.metrics[${i}].buckets`, withMetrics(metrics));
    };
    const name = declared()[i]!.name;
    const refused = [`CONFIG_CONFLICT: buckets of "${name}" must be strictly ascending | list each bucket boundary once, smallest first`];
    expect(at([0.1, 0.25, 0.5, 0.5, 1, 2.5])).toEqual(refused);
    expect(at([0.25, 0.1, 0.5, 1, 2.5])).toEqual(refused);
    expect(at([0.1, 0.25, 0.5, 2.5, 1])).toEqual(refused);
    expect(at([0.1, 0.25, 0.5, 1, 2.5])).toEqual([]);
  });
});

describe("checkConfigScrapeMode: a ServiceMonitor needs the Prometheus Operator", () => {
  it("refuses a ServiceMonitor scrape without the operator as METRIC_NOT_SCRAPED", () => {
    expect(errorsAt("monitoring.scrape", { cluster: { prometheusOperator: false } })).toEqual([
      'METRIC_NOT_SCRAPED: scrape "service-monitor" needs the Prometheus Operator, but cluster.prometheusOperator is false | use "pod-annotations" or enable the operator',
    ]);
  });

  it("accepts pod annotations without the operator", () => {
    expect(errorsAt("monitoring.scrape", { cluster: { prometheusOperator: false }, monitoring: { scrape: "pod-annotations" } })).toEqual(
      [],
    );
  });
});
