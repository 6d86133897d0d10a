/**
 * The concurrency, burst and wake-up signals (stacks/scaling-signals.ts): how they render in the
 * keda and slo-hpa modes, and what the queries answer on real series (promtool): busy, idle
 * (targets up, no in-flight series yet), scrape lost, scaled to zero, a burst, and the gateway
 * counter that wakes dev.
 */
import { rmSync } from "node:fs";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { CUSTOM_METRICS } from "../../promql/custom-metrics.js";
import {
  burstQuery,
  burstTarget,
  concurrencyQuery,
  concurrencyTarget,
  holdAtZero,
  wakeUpQuery,
  zeroWithoutTargets,
} from "../../stacks/scaling-signals.js";
import { configProblems, envConfig, envInput, firstService, stackFor } from "../helpers/env.js";
import { promtool, writeTemp } from "../helpers/promtool.js";
import { runConfigChecks } from "../../stacks/checks/index.js";

const BURST = { scaling: { burst: { enabled: true }, behavior: { scaleUp: { stabilizationWindowSeconds: 0 } } } };

function autoscaler(stack: ReturnType<typeof stackFor>): any {
  return stack.charts.find((c) => c.node.id === "autoscaling")!.toJson()[0];
}

/** promtool test rules on `tests` (no rule files: expression tests only). */
function promtoolTests(tests: unknown[]): { code: number | null; out: string } {
  const dir = writeTemp(
    { "test.yaml": stringify({ rule_files: [], evaluation_interval: "15s", tests }, { lineWidth: 0 }) },
    "promtool-signals-",
  );
  const r = promtool(["test", "rules", "test.yaml"], dir);
  rmSync(dir, { recursive: true });
  return { code: r.code, out: r.output };
}

describe("concurrency and burst triggers (mode keda)", () => {
  it("staging tries the burst path: concurrency-burst at 2 × 2.8 over 30 s, scale-up window 0", () => {
    const so = autoscaler(stackFor("staging"));
    const burst = so.spec.triggers.find((t: any) => t.name === "concurrency-burst");
    expect(burst.metadata.threshold).toBe("5.6");
    expect(burst.metadata.query).toContain("[30s]");
    expect(so.spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
  });

  it("prod: in-flight per pod against predictMaxConcurrency × uvicornWorkers × 70 %, burst at 2× over two scrapes", () => {
    const stack = stackFor("prod", BURST);
    const byName = Object.fromEntries(autoscaler(stack).spec.triggers.map((t: any) => [t.name, t]));
    // 4 predictions × 2 workers × 0.7 = 5.6 per pod; the burst threshold is twice that.
    expect([concurrencyTarget(stack.config), burstTarget(stack.config)]).toEqual([5.6, 11.2]);
    const scope = 'namespace="ml-serving-prod",job="inference"';
    // The one guard of autoscaler queries (promql/scrape-guard.ts): 0 while a target is up, nothing otherwise.
    const guard = (x: string) => `(${x} or on() (sum (up{${scope}}) * 0)) and on() (sum (up{${scope}}) > 0)`;
    expect(byName.concurrency).toEqual({
      type: "prometheus",
      name: "concurrency",
      metricType: "AverageValue",
      metadata: {
        serverAddress: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
        query: guard(`sum(http_requests_in_flight{${scope},endpoint="/predict"})`),
        threshold: "5.6",
        ignoreNullValues: "false",
      },
    });
    expect(byName["concurrency-burst"].metricType).toBe("AverageValue");
    expect(byName["concurrency-burst"].metadata).toMatchObject({
      query: guard(`sum(max_over_time(http_requests_in_flight{${scope},endpoint="/predict"}[30s]))`),
      threshold: "11.2",
      ignoreNullValues: "false",
    });
    expect(autoscaler(stack).spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
  });

  it("utilization, factor and window come from config; concurrency can be turned off", () => {
    const c = envConfig("staging", {
      scaling: {
        concurrency: { utilization: 50 },
        burst: { enabled: true, windowSeconds: 45, factor: 3 },
        behavior: { scaleUp: { stabilizationWindowSeconds: 30 } },
      },
    });
    expect([concurrencyTarget(c), burstTarget(c)]).toEqual([2, 6]);
    expect(burstQuery(stackFor("staging").promql, c)).toContain("[45s]");
    const off = autoscaler(
      stackFor("staging", { scaling: { concurrency: { enabled: false }, burst: { enabled: false } } }),
    ).spec.triggers.map((t: any) => t.name);
    expect(off).not.toContain("concurrency");
  });

  it("slo-hpa: the in-flight target is the concurrency target; the burst peak is a Pods metric the adapter serves", () => {
    const patch = { ...BURST, scaling: { ...BURST.scaling, mode: "slo-hpa" } };
    const stack = stackFor("staging", patch);
    const metrics = autoscaler(stack).spec.metrics;
    expect(metrics.filter((m: any) => m.type === "Pods").map((m: any) => [m.pods.metric.name, m.pods.target.averageValue])).toEqual([
      [CUSTOM_METRICS.podP95Latency, "500m"],
      [CUSTOM_METRICS.podInFlight, "2800m"],
      [CUSTOM_METRICS.podInFlightBurst, "5600m"],
    ]);
    const rule = stack.monitoring.adapterRules.custom.find((r) => r.name.as === CUSTOM_METRICS.podInFlightBurst);
    expect(rule?.metricsQuery).toBe(
      'sum by (<<.GroupBy>>) (max_over_time(<<.Series>>{<<.LabelMatchers>>,job="inference",endpoint="/predict"}[30s]))',
    );
    // Without burst the adapter serves no peak metric.
    expect(
      stackFor("staging", { scaling: { mode: "slo-hpa", burst: { enabled: false } } }).monitoring.adapterRules.custom.map((r) => r.name.as),
    ).not.toContain(CUSTOM_METRICS.podInFlightBurst);
    // An explicit target still wins.
    expect(
      autoscaler(stackFor("staging", { scaling: { mode: "slo-hpa", sloHpa: { inFlightPerPod: 6 } } })).spec.metrics[1].pods.target
        .averageValue,
    ).toBe("6");
  });

  it("a burst needs 2 scrapes in its window, a short scale-up window and a concurrency signal", () => {
    const codes = (patch: object) => configProblems(envInput("staging", patch), "staging").map((p) => `${p.code} ${p.path}`);
    expect(codes({ scaling: { burst: { enabled: true }, behavior: { scaleUp: { stabilizationWindowSeconds: 60 } } } })).toEqual([
      "CONFIG_CONFLICT services[0].scaling.behavior.scaleUp.stabilizationWindowSeconds",
    ]);
    // The window against the scrape interval is a rate-window rule: the config checks own it (stacks/checks/windows.ts).
    const short = envConfig("staging", { ...BURST, scaling: { ...BURST.scaling, burst: { enabled: true, windowSeconds: 20 } } });
    expect(
      runConfigChecks(short)
        .filter((p) => p.severity === "error")
        .map((p) => `${p.code} ${p.path}`),
    ).toEqual(["RATE_WINDOW_TOO_SHORT scaling.burst.windowSeconds"]);
    expect(codes({ ...BURST, scaling: { ...BURST.scaling, concurrency: { enabled: false } } })).toEqual([
      "CONFIG_CONFLICT services[0].scaling.burst.enabled",
    ]);
  });
});

describe("scale to zero that wakes up (dev)", () => {
  it("dev: minReplicaCount 0, the gateway's request counter as wake-up trigger with activationThreshold", () => {
    const so = autoscaler(stackFor("dev"));
    expect(so.spec.minReplicaCount).toBe(0);
    const wake = so.spec.triggers.find((t: any) => t.name === "wake-up");
    expect(wake).toEqual({
      type: "prometheus",
      name: "wake-up",
      metricType: "AverageValue",
      metadata: {
        serverAddress: "http://prometheus-server.monitoring.svc.cluster.local:80",
        query:
          '(sum (rate(traefik_service_requests_total{namespace="kube-system",job="traefik",service="ml-serving-dev-inference-8000@kubernetes"}[2m])) or on() (sum (up{namespace="kube-system",job="traefik"}) * 0)) and on() (sum (up{namespace="kube-system",job="traefik"}) > 0)',
        threshold: "5",
        activationThreshold: "0",
        ignoreNullValues: "false",
      },
    });
    // Every other prometheus trigger answers 0 when no pod (no target) exists.
    for (const t of so.spec.triggers.filter((x: any) => x.type === "prometheus" && x.name !== "wake-up")) {
      expect(t.metadata.query).toMatch(
        / or on\(\) \(vector\(0\) unless on\(\) count\(up\{namespace="ml-serving-dev",job="ml-serving-dev\/inference"\}\)\)$/,
      );
    }
  });

  it("holdAtZero wraps the pods' own queries only where the service may idle", () => {
    const stack = stackFor("staging");
    const t = { type: "prometheus", name: "x", serverAddress: "http://p:9090", query: "sum(x)", signal: "additive", threshold: 1 } as const;
    expect(holdAtZero(stack.config, stack.promql, [t])[0]).toEqual(t);
    const idle = envConfig("staging", { scaling: { keda: { idleReplicaCount: 0 }, wakeUp: firstService("dev").scaling!.wakeUp } });
    expect((holdAtZero(idle, stack.promql, [t])[0] as any).query).toBe(zeroWithoutTargets("sum(x)", stack.promql));
    expect(holdAtZero(idle, stack.promql, [{ ...t, name: "wake-up" }])[0]).toEqual({ ...t, name: "wake-up" });
  });
});

describe("the signals evaluated by promtool", () => {
  const prod = envConfig("prod", BURST);
  const promql = stackFor("prod", BURST).promql;
  const scope = 'namespace="ml-serving-prod",job="inference"';
  const inFlight = (pod: string, values: string, endpoint = "/predict") => ({
    series: `http_requests_in_flight{${scope},pod="${pod}",method="POST",endpoint="${endpoint}"}`,
    values,
  });
  const up = (pod: string, values: string) => ({ series: `up{${scope},pod="${pod}"}`, values });
  const concurrency = concurrencyQuery(promql, prod);
  const burst = burstQuery(promql, prod);
  const zeroed = zeroWithoutTargets(concurrency, promql);

  it("concurrency: busy, idle (no series yet), scrape lost; burst: the peak of the last two scrapes; zero: 0 only without targets", () => {
    const r = promtoolTests([
      {
        // Two pods busy; /health and another namespace do not count.
        interval: "15s",
        input_series: [
          inFlight("a", "3+0x20"),
          inFlight("b", "5+0x20"),
          inFlight("a", "1+0x20", "/health"),
          up("a", "1+0x20"),
          up("b", "1+0x20"),
          { series: 'http_requests_in_flight{namespace="other",job="inference",pod="c",endpoint="/predict"}', values: "100+0x20" },
        ],
        promql_expr_test: [
          { expr: concurrency, eval_time: "4m", exp_samples: [{ labels: "{}", value: 8 }] },
          { expr: zeroed, eval_time: "4m", exp_samples: [{ labels: "{}", value: 8 }] },
        ],
      },
      {
        // Cold pods: targets up, the labelled gauge has no series before the first request.
        interval: "15s",
        input_series: [up("a", "1+0x20"), up("b", "1+0x20")],
        promql_expr_test: [
          { expr: concurrency, eval_time: "4m", exp_samples: [{ labels: "{}", value: 0 }] },
          { expr: burst, eval_time: "4m", exp_samples: [{ labels: "{}", value: 0 }] },
          { expr: zeroed, eval_time: "4m", exp_samples: [{ labels: "{}", value: 0 }] },
        ],
      },
      {
        // Scrape lost: the targets are down, their series gone. Nothing (a KEDA error), even wrapped for zero.
        interval: "15s",
        input_series: [up("a", "0+0x20"), up("b", "0+0x20")],
        promql_expr_test: [
          { expr: concurrency, eval_time: "4m", exp_samples: [] },
          { expr: burst, eval_time: "4m", exp_samples: [] },
          { expr: zeroed, eval_time: "4m", exp_samples: [] },
        ],
      },
      {
        // Scaled to zero: no target at all. The plain query is empty, the wrapped one answers 0.
        interval: "15s",
        input_series: [{ series: 'up{namespace="other",job="x"}', values: "1+0x20" }],
        promql_expr_test: [
          { expr: concurrency, eval_time: "4m", exp_samples: [] },
          { expr: zeroed, eval_time: "4m", exp_samples: [{ labels: "{}", value: 0 }] },
        ],
      },
      {
        // A burst on pod a for one scrape (t = 90 s): the 30 s window sees it at 90 s, forgets it by 135 s.
        interval: "15s",
        input_series: [inFlight("a", "2 2 2 2 2 2 20 2 2 2 2 2"), inFlight("b", "3+0x11"), up("a", "1+0x11"), up("b", "1+0x11")],
        promql_expr_test: [
          { expr: burst, eval_time: "90s", exp_samples: [{ labels: "{}", value: 23 }] },
          { expr: burst, eval_time: "105s", exp_samples: [{ labels: "{}", value: 23 }] },
          { expr: burst, eval_time: "135s", exp_samples: [{ labels: "{}", value: 5 }] },
          { expr: concurrency, eval_time: "105s", exp_samples: [{ labels: "{}", value: 5 }] },
        ],
      },
    ]);
    expect(r.code, r.out).toBe(0);
  });

  it("wake-up: the gateway's request rate, 0 with the gateway up and no request yet, nothing when the gateway is not scraped", () => {
    const dev = envConfig("dev");
    const wake = wakeUpQuery(dev)!;
    const gw = (values: string, service = "ml-serving-dev-inference-8000@kubernetes") => ({
      series: `traefik_service_requests_total{namespace="kube-system",job="traefik",service="${service}",code="503",method="POST",protocol="http"}`,
      values,
    });
    const gwUp = { series: 'up{namespace="kube-system",job="traefik",pod="traefik-abc"}', values: "1+0x20" };
    const r = promtoolTests([
      {
        // 3 requests per 15 s while no pod runs (the gateway answers 503): 0.2 req/s wakes the service; another service's traffic does not count.
        interval: "15s",
        input_series: [gw("0+3x20"), gw("0+100x20", "other-svc-80@kubernetes"), gwUp],
        promql_expr_test: [{ expr: `round(${wake}, 0.001)`, eval_time: "4m", exp_samples: [{ labels: "{}", value: 0.2 }] }],
      },
      {
        // Idle night: the counter stands still, or has no series since the gateway started: 0, not an error.
        interval: "15s",
        input_series: [gw("7+0x20"), gwUp],
        promql_expr_test: [{ expr: wake, eval_time: "4m", exp_samples: [{ labels: "{}", value: 0 }] }],
      },
      {
        interval: "15s",
        input_series: [gwUp],
        promql_expr_test: [{ expr: wake, eval_time: "4m", exp_samples: [{ labels: "{}", value: 0 }] }],
      },
      {
        // The gateway's scrape is lost: nothing, so KEDA reports an error instead of a silent 0.
        interval: "15s",
        input_series: [{ series: 'up{namespace="kube-system",job="traefik",pod="traefik-abc"}', values: "0+0x20" }],
        promql_expr_test: [{ expr: wake, eval_time: "4m", exp_samples: [] }],
      },
    ]);
    expect(r.code, r.out).toBe(0);
  });
});
