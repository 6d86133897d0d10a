/**
 * The simulator models the burst, wake-up and scale-to-zero signals (stacks/scaling-signals.ts):
 * the burst path reacts sooner on the prod spike, and dev's idle night ends in a cold start the
 * gateway's request counter wakes.
 */
import { describe, expect, it } from "vitest";
import { answersZeroWithoutTargets, autoscalerModel, signalOfQuery } from "../../simulator/autoscaler.js";
import { loadScenario } from "../../simulator/scenarios.js";
import { simulateEnv } from "../../simulator/simulate.js";
import { buildStack } from "../../stacks/stack.js";
import { envConfig } from "../helpers/env.js";

describe("signals the simulator reads", () => {
  it("the burst peak, the gateway counter and the zero guard", () => {
    const dev = envConfig("dev");
    const triggers = (buildStack(dev).autoscaler.manifest() as any).spec.triggers;
    const byName = Object.fromEntries(triggers.map((t: any) => [t.name, t.metadata.query]));
    expect(signalOfQuery(byName["wake-up"], "traefik_service_requests_total")).toEqual({ kind: "offered-rate", windowSeconds: 120 });
    expect(() => signalOfQuery(byName["wake-up"])).toThrow(/does not model metric traefik_service_requests_total/);
    expect(answersZeroWithoutTargets(byName["p95-latency"])).toBe(true);
    expect(answersZeroWithoutTargets(byName["wake-up"])).toBe(false);
    const staging = envConfig("staging");
    const burst = (buildStack(staging).autoscaler.manifest() as any).spec.triggers.find((t: any) => t.name === "concurrency-burst");
    expect(signalOfQuery(burst.metadata.query)).toEqual({ kind: "gauge-peak", gauge: "in-flight", windowSeconds: 30, aggregation: "sum" });
    // slo-hpa: the adapter's per-pod peak
    const slo = envConfig("staging", { scaling: { mode: "slo-hpa" } });
    const model = autoscalerModel(buildStack(slo).autoscaler.manifest(), slo);
    expect(model.metrics.map((m) => m.signal.kind)).toEqual(["latency-quantile", "gauge", "gauge-peak", "cpu"]);
  });
});

describe("simulated runs", () => {
  it("prod spike: the burst path scales up 45 s before keda and fails fewer requests", () => {
    const [keda, burst] = simulateEnv("prod", loadScenario("spike"), ["keda", "burst"]);
    const firstUp = (r: typeof keda) => r!.result.events.find((e) => e.to > e.from && e.t >= 300)!.t;
    // The load rises at 5:00; keda waits out its 60 s up-window, the burst run acts at the next sync.
    expect(firstUp(burst) - 300).toBeLessThanOrEqual(30);
    expect(firstUp(keda) - firstUp(burst)).toBeGreaterThanOrEqual(30);
    const failed = (r: typeof keda) => r!.result.timeline.failed.reduce((a, b) => a + b, 0);
    expect(failed(burst)).toBeLessThan(failed(keda));
  });

  it("dev's idle night: scales to zero, stays there, and the morning's first requests wake it (a cold start)", () => {
    const [run] = simulateEnv("dev", loadScenario("idle-night"), []);
    const { events, timeline } = run!.result;
    const NIGHT = 1200;
    const MORNING = 4800;
    const toZero = events.find((e) => e.to === 0)!;
    expect(toZero.by).toBe("keda-cooldown");
    expect(toZero.t).toBeGreaterThan(NIGHT);
    expect(toZero.t).toBeLessThan(NIGHT + 600);
    // nothing wakes it during the night: no fallback scale-up on the pods' vanished series
    expect(events.filter((e) => e.t > toZero.t && e.t < MORNING)).toEqual([]);
    const wake = events.find((e) => e.t >= MORNING)!;
    expect(wake.by).toBe("keda-activation");
    expect(wake.from).toBe(0);
    expect(wake.t - MORNING).toBeLessThanOrEqual(45);
    // a pod serves after its start-up (simulation.podStartupSeconds 90); until then requests fail
    const start = envConfig("dev").simulation.podStartupSeconds;
    expect(timeline.ready[wake.t + start - 5]).toBe(0);
    expect(timeline.ready[wake.t + start + 5]).toBeGreaterThanOrEqual(1);
    const failedAfter = timeline.failed.slice(MORNING, wake.t + start).reduce((a, b) => a + b, 0);
    expect(failedAfter).toBeGreaterThan(0);
    expect(timeline.failed.slice(wake.t + start + 5).reduce((a, b) => a + b, 0)).toBe(0);
  });
});
