/**
 * The simulation loop: the fluid backlog and steady state against hand-computed values, pod
 * start-up, KEDA fallback during the outage scenario, activation/cooldown, Prometheus-backed vs
 * metrics-server metrics during an outage, and determinism.
 */
import { describe, expect, it } from "vitest";
import { autoscalerModel } from "../../simulator/autoscaler.js";
import { timelineCsv } from "../../simulator/report.js";
import { simulate } from "../../simulator/run.js";
import { loadScenario, parseScenarioJson } from "../../simulator/scenarios.js";
import { responseTimeQuantile, ServiceTable, SATURATION_UTILIZATION } from "../../simulator/service-model.js";
import { simulateEnv } from "../../simulator/simulate.js";
import { envConfig } from "../helpers/env.js";

const prod = envConfig("prod");
const target = { apiVersion: "apps/v1", kind: "Deployment", name: "inference" };

/** An HPA pinned to `n` replicas (min = max): the traffic model without scaling. */
function pinned(n: number) {
  return autoscalerModel(
    {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "inference", namespace: "ml-serving-prod" },
      spec: {
        scaleTargetRef: target,
        minReplicas: n,
        maxReplicas: n,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
      },
    },
    prod,
  );
}

describe("traffic through the pods", () => {
  it("steady load on fixed pods: latency is the M/G/c quantile at λ/N, queue and in-flight by Little's law", () => {
    const r = simulate({
      config: prod,
      model: pinned(4),
      scenario: parseScenarioJson('{"unit":"rps","points":[[0,100]],"durationSeconds":120}', "flat"),
      label: "pinned",
    });
    const tl = r.timeline;
    // prod pod: 5 slots of 0.125 s (CPU-bound at 40 req/s); 25 req/s each
    const exact = responseTimeQuantile({ servers: 5, serviceTimeSeconds: 0.125, serviceTimeCv: 1 }, 25, 0.95);
    for (const t of [0, 60, 119]) {
      expect(Math.abs(tl.latency[t]! - exact) / exact).toBeLessThan(0.005);
      expect(tl.desired[t]).toBe(4);
      expect(tl.ready[t]).toBe(4);
      expect(tl.backlog[t]).toBe(0);
      expect(tl.inFlight[t]! - tl.queue[t]!).toBeCloseTo(100 * 0.125, 9); // busy slots = λS
    }
    // CPU: 25 req/s × 0.1 CPU-s = 2.5 cores of a 2-core request
    expect(tl.cpuPct[60]).toBeCloseTo(125, 9);
    expect(r.events).toEqual([]);
  });

  it("overload builds the queue up over time (no jump), then a fluid backlog grows at λ − capacity and drains at capacity", () => {
    // one pod (40 req/s) offered 80 req/s for 30 s, then nothing
    const scenario = parseScenarioJson('{"unit":"rps","points":[[0,80],[30,0]],"interpolation":"step","durationSeconds":120}', "burst");
    const r = simulate({ config: prod, model: pinned(1), scenario, label: "pinned", options: { warmupSeconds: 0 } });
    const tl = r.timeline;
    // an empty pod: the queue starts at 0 and rises by about arrivals − service (80 − 40) per second
    expect(tl.queue[0]).toBe(0);
    for (const t of [1, 2]) {
      expect(tl.queue[t + 1]! - tl.queue[t]!).toBeGreaterThan(35);
      expect(tl.queue[t + 1]! - tl.queue[t]!).toBeLessThan(45);
    }
    // the old model jumped to the long-run saturated state at once (queue ≈ 136 at t = 0)
    expect(tl.queue[1]).toBeLessThan(45);
    // once every slot is busy, the backlog beyond the saturated queue grows at exactly λ − capacity …
    expect(tl.backlog[2]).toBe(0);
    expect(tl.backlog[20]! - tl.backlog[10]!).toBeCloseTo(400, 9);
    // … and drains at capacity when the load stops
    expect(tl.backlog[31]! - tl.backlog[40]!).toBeCloseTo(360, 9);
    expect(tl.backlog[70]).toBe(0);
    expect(tl.queue[70]).toBeLessThan(1e-9);
    // latency = the saturated pool's p95 + the mid-second backlog / capacity
    const sat = new ServiceTable({ servers: 5, serviceTimeSeconds: 0.125, serviceTimeCv: 1 }, 0.95, [1]).saturatedQuantile;
    expect(tl.latency[20]).toBeCloseTo(sat + (tl.backlog[20]! + 20) / 40, 6);
    expect(tl.latency[100]).toBeNaN(); // no traffic
    expect(tl.slow[20]).toBeCloseTo(80, 6); // every request of the burst took over 0.5 s
    expect(tl.failed.every((f) => f === 0)).toBe(true);
    expect(SATURATION_UTILIZATION).toBe(0.99);
  });

  it("clients give up after the request timeout: the backlog stops at timeout × capacity, the excess fails", () => {
    const scenario = parseScenarioJson('{"unit":"rps","points":[[0,80]],"durationSeconds":120}', "flood");
    const r = simulate({
      config: prod,
      model: pinned(1),
      scenario,
      label: "pinned",
      options: { warmupSeconds: 0, requestTimeoutSeconds: 20 },
    });
    const tl = r.timeline;
    expect(tl.failed[18]).toBe(0);
    expect(tl.backlog[30]).toBe(800); // 20 s × 40 req/s
    expect(tl.backlog[60]).toBe(800);
    expect(tl.failed[60]).toBeCloseTo(40, 9); // 80 arrive, 40 are served from the queue's head
    expect(tl.latency[60]).toBe(20); // a client sees at most the timeout
    expect(tl.slow[60]).toBeCloseTo(80, 6);
  });

  it("a new pod serves podStartupSeconds after it is created", () => {
    const [run] = simulateEnv("prod", loadScenario("spike"), ["keda"]);
    const { timeline: tl, events, pod } = run!.result;
    const up = events.find((e) => e.to > e.from)!;
    expect(pod.startupSeconds).toBe(90);
    expect(tl.desired[up.t]).toBe(up.to);
    expect(tl.ready[up.t + 89]).toBe(up.from);
    expect(tl.ready[up.t + 90]).toBe(up.to);
  });
});

describe("Prometheus outage", () => {
  const [keda] = simulateEnv("prod", loadScenario("prometheus-outage"), ["keda"]);
  const k = keda!.result;

  it("KEDA answers with the fallback after failureThreshold (3) consecutive failures: from the 4th sync of the outage", () => {
    const tl = k.timeline;
    // Prometheus is down from 420 s; syncs at 420, 435, 450 fail (1–3); 465 is failure 4 > 3
    expect(tl.prometheusUp[419]).toBe(1);
    expect(tl.prometheusUp[420]).toBe(0);
    expect(tl.fallback[464]).toBe(0);
    expect(Number.isNaN(tl.metricValues[1]![450]!)).toBe(true); // an error reaches the HPA
    expect(tl.fallback[465]).toBe(1);
    // queue trigger (AverageValue 20): fallback value = 20 × fallback replicas 10
    expect(tl.metricValues[1]![465]).toBe(200);
    // latency trigger (Value 0.5): 0.5 × 10 / ready replicas (5 at 465)
    expect(tl.ready[465]).toBe(5);
    expect(tl.metricValues[0]![465]).toBeCloseTo(1, 12);
    // cpu and memory come from metrics-server and never fail
    for (let t = 420; t < 720; t += 15) {
      expect(Number.isFinite(tl.metricValues[2]![t]!)).toBe(true);
      expect(Number.isFinite(tl.metricValues[3]![t]!)).toBe(true);
    }
  });

  it("the fallback holds until the queries answer again (two scrapes for a rate after the outage)", () => {
    const tl = k.timeline;
    expect(tl.prometheusUp[720]).toBe(1);
    expect(tl.fallback[749]).toBe(1); // first scrape at 727, a rate needs a second (742)
    expect(tl.fallback[750]).toBe(0);
    let fallbackSeconds = 0;
    for (let t = 0; t < tl.length; t++) fallbackSeconds += tl.fallback[t]!;
    expect(fallbackSeconds).toBe(750 - 465);
    // the fallback asks for at least fallback.replicas
    expect(Math.max(...tl.desired.subarray(465, 750))).toBeGreaterThanOrEqual(10);
  });

  it("slo-hpa: the adapter's Pods metrics are missing while CPU keeps working", () => {
    const [slo] = simulateEnv("prod", loadScenario("prometheus-outage"), ["slo-hpa"]);
    const tl = slo!.result.timeline;
    expect(Number.isNaN(tl.metricValues[0]![500]!)).toBe(true);
    expect(Number.isNaN(tl.metricValues[1]![500]!)).toBe(true);
    expect(tl.metricValues[2]![500]).toBeGreaterThan(0);
    expect(tl.fallback.every((f) => f === 0)).toBe(true);
  });

  it("without a fallback and without metrics-server triggers, KEDA's HPA freezes during the outage", () => {
    const model = autoscalerModel(
      {
        apiVersion: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata: { name: "inference", namespace: "ml-serving-prod" },
        spec: {
          scaleTargetRef: target,
          minReplicaCount: 3,
          maxReplicaCount: 20,
          triggers: [
            {
              type: "prometheus",
              metadata: { query: 'sum (inference_queue_len{namespace="ml-serving-prod"})', threshold: "20", ignoreNullValues: "false" },
            },
          ],
        },
      },
      prod,
    );
    const r = simulate({ config: prod, model, scenario: loadScenario("prometheus-outage"), label: "no-fallback" });
    const tl = r.timeline;
    expect(tl.fallback.every((f) => f === 0)).toBe(true);
    for (let t = 421; t < 720; t++) expect(tl.desired[t]).toBe(tl.desired[420]);
    expect(r.events.filter((e) => e.t > 420 && e.t < 720)).toEqual([]);
  });
});

describe("KEDA activation and cooldown (minReplicaCount 0)", () => {
  const model = autoscalerModel(
    {
      apiVersion: "keda.sh/v1alpha1",
      kind: "ScaledObject",
      metadata: { name: "inference", namespace: "ml-serving-prod" },
      spec: {
        scaleTargetRef: target,
        minReplicaCount: 0,
        maxReplicaCount: 10,
        pollingInterval: 15,
        cooldownPeriod: 300,
        triggers: [
          { type: "prometheus", metadata: { query: "sum(rate(http_requests_total[1m]))", threshold: "30", activationThreshold: "5" } },
        ],
      },
    },
    prod,
  );
  const scenario = parseScenarioJson(
    '{"unit":"rps","points":[[0,0],[600,50],[1200,0]],"interpolation":"step","durationSeconds":2100}',
    "on-off",
  );
  const r = simulate({ config: prod, model, scenario, label: "keda" });
  const tl = r.timeline;

  it("idles at zero, and scales 0 → 1 at the first poll that sees the request rate above the activation threshold", () => {
    expect(tl.desired[0]).toBe(0);
    expect(tl.desired[599]).toBe(0);
    const act = r.events.find((e) => e.by === "keda-activation")!;
    expect(act).toMatchObject({ from: 0, to: 1 });
    // polls every 15 s; scrapes at 7 mod 15: the 1 m rate at 615 sees 607 − 562 → 350 / 45 ≈ 7.8 > 5
    expect(act.t).toBe(615);
    // nothing serves until the pod is ready: requests fail
    expect(tl.failed[650]).toBe(50);
    expect(tl.latency[650]).toBe(Infinity);
    expect(tl.ready[act.t + 90]).toBeGreaterThanOrEqual(1);
    expect(tl.failed[act.t + 90]).toBe(0);
  });

  it("then the HPA scales 1 → N, and KEDA scales to zero cooldownPeriod after the last active poll", () => {
    expect(Math.max(...tl.desired)).toBeGreaterThan(1);
    const cool = r.events.find((e) => e.by === "keda-cooldown")!;
    expect(cool.to).toBe(0);
    // load stops at 1200; the 1 m rate drops to ≤ 5 within about a minute; + 300 s cooldown
    expect(cool.t).toBeGreaterThanOrEqual(1200 + 300);
    expect(cool.t).toBeLessThanOrEqual(1200 + 60 + 300 + 15);
    expect(tl.desired[tl.length - 1]).toBe(0);
  });
});

describe("KEDA useCachedMetrics", () => {
  it("the HPA sees the value of the last operator poll, so it changes only every pollingInterval", () => {
    const so = (cached: boolean) =>
      autoscalerModel(
        {
          apiVersion: "keda.sh/v1alpha1",
          kind: "ScaledObject",
          metadata: { name: "inference", namespace: "ml-serving-prod" },
          spec: {
            scaleTargetRef: target,
            minReplicaCount: 3,
            maxReplicaCount: 20,
            pollingInterval: 60,
            triggers: [{ type: "prometheus", useCachedMetrics: cached, metadata: { query: "sum(inference_queue_len)", threshold: "20" } }],
          },
        },
        prod,
      );
    const live = simulate({ config: prod, model: so(false), scenario: loadScenario("ramp"), label: "live" }).timeline.metricValues[0]!;
    const cached = simulate({ config: prod, model: so(true), scenario: loadScenario("ramp"), label: "cached" }).timeline.metricValues[0]!;
    // during the ramp (2:00 – 10:00) the live value moves every sync; the cached one only at polls (t ≡ 0 mod 60)
    for (const poll of [180, 240, 300]) {
      expect(cached[poll + 15]).toBe(cached[poll]);
      expect(cached[poll + 45]).toBe(cached[poll]);
      expect(cached[poll]).toBe(live[poll]);
      expect(live[poll + 45]).not.toBe(live[poll]);
    }
  });
});

describe("determinism", () => {
  it("the same inputs give the identical CSV", () => {
    const a = simulateEnv("prod", loadScenario("prometheus-outage"), ["cpu-hpa", "keda"]);
    const b = simulateEnv("prod", loadScenario("prometheus-outage"), ["cpu-hpa", "keda"]);
    for (let i = 0; i < 2; i++) expect(timelineCsv(a[i]!.result)).toBe(timelineCsv(b[i]!.result));
    expect(timelineCsv(a[0]!.result)).not.toBe(timelineCsv(a[1]!.result));
  });
});
