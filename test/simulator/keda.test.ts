/**
 * The KEDA operator and metrics server as KEDA v2.18.3 behaves (pkg/scaling/executor/
 * scale_scaledobjects.go RequestScale, pkg/scaling/scale_handler.go getScaledObjectState,
 * pkg/fallback/fallback.go doFallback, pkg/scalers/cron_scaler.go GetMetricsAndActivity). Each
 * test fails on the simulator's earlier behaviour (before idleReplicaCount, activation while another
 * trigger errors, cron 0 outside its window and truncated milli-units were modelled).
 */
import { describe, expect, it } from "vitest";
import { simulate } from "../../simulator/run.js";
import { parseScenarioJson } from "../../simulator/scenarios.js";
import { envConfig } from "../helpers/env.js";
import { scaledObjectModel } from "../helpers/sim.js";

const prod = envConfig("prod");
const RATE = "sum(rate(http_requests_total[1m]))";
const P95 =
  'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="ml-serving-prod",job="inference"}[2m])))';

const scaledObject = (spec: Record<string, unknown>) => scaledObjectModel(prod, spec);

describe("idleReplicaCount (minReplicaCount ≥ 1)", () => {
  const model = scaledObject({
    minReplicaCount: 3,
    maxReplicaCount: 10,
    idleReplicaCount: 0,
    cooldownPeriod: 300,
    triggers: [{ type: "prometheus", metadata: { query: RATE, threshold: "30", activationThreshold: "5" } }],
  });
  const scenario = parseScenarioJson(
    '{"unit":"rps","points":[[0,50],[300,0],[1500,50]],"interpolation":"step","durationSeconds":2100}',
    "on-off-on",
  );
  const r = simulate({ config: prod, model, scenario, label: "keda" });

  it("scales to the idle count cooldownPeriod after the last active poll", () => {
    const idle = r.events.find((e) => e.by === "keda-cooldown")!;
    expect(idle).toBeDefined();
    expect(idle.to).toBe(0);
    expect(idle.reason).toMatch(/idleReplicaCount 0/);
    // the 1 m rate falls to ≤ 5 within about a minute of 300 s; then 300 s of cooldown
    expect(idle.t).toBeGreaterThan(300 + 300);
    expect(idle.t).toBeLessThanOrEqual(300 + 60 + 300 + 15);
    expect(r.timeline.desired[1400]).toBe(0);
  });

  it("and back to minReplicaCount (not 1) when a trigger activates", () => {
    const back = r.events.find((e) => e.by === "keda-activation" && e.t > 1500)!;
    expect(back).toMatchObject({ from: 0, to: 3 });
    expect(back.t).toBeLessThanOrEqual(1500 + 30);
  });
});

describe("scale from zero while another trigger errors", () => {
  it("activates when any trigger is active, even if another one fails (Prometheus down, cron window open)", () => {
    const model = scaledObject({
      minReplicaCount: 0,
      maxReplicaCount: 10,
      triggers: [
        { type: "prometheus", metadata: { query: RATE, threshold: "30", ignoreNullValues: "false" } },
        { type: "cron", metadata: { timezone: "UTC", start: "0 9 * * *", end: "0 18 * * *", desiredReplicas: "4" } },
      ],
    });
    // starts Monday 08:50, Prometheus down the whole run: the cron window opens at 09:00 (t = 600)
    const scenario = parseScenarioJson(
      '{"unit":"rps","points":[[0,0]],"durationSeconds":1200,"startsAt":"mon 08:50","prometheusOutages":[{"start":0,"end":1200}]}',
      "cron-outage",
    );
    const r = simulate({ config: prod, model, scenario, label: "keda" });
    expect(r.timeline.desired[0]).toBe(0); // idle at zero after the warm-up
    const act = r.events.find((e) => e.by === "keda-activation");
    expect(act).toBeDefined();
    expect(act!.t).toBeGreaterThanOrEqual(600);
    expect(act!.t).toBeLessThan(600 + 15 + 60);
    expect(act!.from).toBe(0);
  });
});

describe("cron trigger value", () => {
  it("is desiredReplicas inside the window and 0 outside (KEDA ≥ 2.18), not 1", () => {
    const model = scaledObject({
      minReplicaCount: 2,
      maxReplicaCount: 10,
      triggers: [
        { type: "prometheus", metadata: { query: "sum(inference_queue_len)", threshold: "20" } },
        { type: "cron", metadata: { timezone: "UTC", start: "0 9 * * *", end: "0 10 * * *", desiredReplicas: "5" } },
      ],
    });
    const scenario = parseScenarioJson('{"unit":"rps","points":[[0,10]],"durationSeconds":1500,"startsAt":"mon 08:50"}', "cron");
    const r = simulate({ config: prod, model, scenario, label: "keda" });
    const cron = r.timeline.metricValues[1]!;
    expect(cron[300]).toBe(0);
    expect(cron[900]).toBe(5);
  });
});

describe("fallback with metricType Value", () => {
  it("truncates int64(threshold × 1000 × fallback / ready) as KEDA does: 1666m with 3 ready pods, so the HPA proposes 10 (rounding gave 1667m and 11)", () => {
    const model = scaledObject({
      minReplicaCount: 3,
      maxReplicaCount: 20,
      fallback: { failureThreshold: 3, replicas: 10 },
      triggers: [{ type: "prometheus", metricType: "Value", metadata: { query: P95, threshold: "0.5", ignoreNullValues: "false" } }],
    });
    // light load (3 pods at the floor), Prometheus down from t = 0: syncs at 0, 15, 30 fail, 45 falls back
    const scenario = parseScenarioJson(
      '{"unit":"rps","points":[[0,20]],"durationSeconds":120,"prometheusOutages":[{"start":0,"end":120}]}',
      "down",
    );
    const r = simulate({ config: prod, model, scenario, label: "keda" });
    expect(r.timeline.ready[45]).toBe(3);
    expect(r.timeline.fallback[45]).toBe(1);
    expect(r.timeline.metricValues[0]![45]).toBe(1.666);
    const up = r.events.find((e) => e.t === 45)!;
    expect(up.reason).toMatch(/proposes 10 \[/);
  });
});
