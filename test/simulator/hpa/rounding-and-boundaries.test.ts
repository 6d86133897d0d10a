// Rules of the HPA port that integer-friendly cases cannot tell apart (upstream
// pkg/controller/podautoscaler/horizontal.go and replica_calculator.go):
// - a Percent scale-up policy rounds UP (math.Ceil): 3 replicas + 50 % may become 5, not 4;
// - the CPU initialization period defaults to 300 s (--horizontal-pod-autoscaler-cpu-initialization-period)
//   and a pod is still initializing only while start + period is After(now): started exactly
//   300 s ago it is past the period.
import { describe, expect, it } from "vitest";
import { calculateScaleUpLimitWithScalingRules } from "../../../simulator/hpa/behavior.js";
import { hpaReconcile } from "../../../simulator/hpa/step.js";
import type { PodObservation } from "../../../simulator/hpa/types.js";
import { cpuUtil, externalAvg, hpaCase, pod } from "./builders.js";

describe("Percent scale-up policy rounds up", () => {
  const rules = (value: number) => ({
    selectPolicy: "Max" as const,
    stabilizationWindowSeconds: 0,
    policies: [{ type: "Percent" as const, value, periodSeconds: 60 }],
  });

  it("ceil(periodStart × (1 + value/100))", () => {
    expect(calculateScaleUpLimitWithScalingRules(3, [], [], rules(50))).toBe(5); // ceil(4.5)
    expect(calculateScaleUpLimitWithScalingRules(1, [], [], rules(10))).toBe(2); // ceil(1.1): one pod can still grow
    expect(calculateScaleUpLimitWithScalingRules(10, [], [], rules(15))).toBe(12); // ceil(11.5)
    expect(calculateScaleUpLimitWithScalingRules(4, [], [], rules(50))).toBe(6); // exact: no rounding
  });

  it("from the period's start count (current minus what the period already added)", () => {
    // current 7, 2 added 10 s ago within the 60 s period: start 5 -> ceil(5 × 1.5) = ceil(7.5) = 8
    expect(calculateScaleUpLimitWithScalingRules(7, [{ secondsAgo: 10, change: 2 }], [], rules(50))).toBe(8);
  });

  it("a reconcile limited by a Percent policy scales 3 -> 5 (ScaleUpLimit)", () => {
    const r = hpaReconcile(
      hpaCase({
        current: 3,
        metrics: [externalAvg("load", "1")],
        observations: [{ value: "20" }],
        behavior: { scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] } },
      }),
    );
    expect(r.metricDesiredReplicas).toBe(20);
    expect(r.desiredReplicas).toBe(5);
    expect(r.limitReason).toBe("ScaleUpLimit");
  });
});

describe("CPU initialization period: default 300 s, boundary excluded", () => {
  // Pod A: ready, 1000m of 1. Pod B: 1000m of 1, Ready=True since 10 s ago, sample 0 s old.
  // While B initializes (started < period): 0 > 10 - 15 -> its sample predates a full window -> unready
  //   -> A alone 100 % / 50 -> ratio 2; B at 0 %: 1000/2000 = 50 % -> ratio 1 -> within tolerance -> keep 2.
  // Past the period: B is ready (it is Ready) -> 2000/2000 = 100 % -> ceil(2 × 2) = 4.
  const A = pod("1000m");
  const proposal = (b: Partial<PodObservation>, controller?: { cpuInitializationPeriodSeconds: number }) =>
    hpaReconcile(
      hpaCase({
        current: 2,
        metrics: [cpuUtil(50)],
        observations: [{ pods: [A, pod("1000m", "1", { ready: true, readyChangedSecondsAgo: 10, ...b })] }],
        ...(controller ? { controller } : {}),
      }),
    ).metrics[0]!.proposal;

  it("defaults to 300 s: a pod started 299 s ago is still initializing, one started 301 s ago is not", () => {
    expect(proposal({ startedSecondsAgo: 299 })).toBe(2);
    expect(proposal({ startedSecondsAgo: 301 })).toBe(4);
  });

  it("a pod started exactly one period ago is past it (start + period is not After now)", () => {
    expect(proposal({ startedSecondsAgo: 300 })).toBe(4);
    expect(proposal({ startedSecondsAgo: 120 }, { cpuInitializationPeriodSeconds: 120 })).toBe(4);
    expect(proposal({ startedSecondsAgo: 119 }, { cpuInitializationPeriodSeconds: 120 })).toBe(2);
  });
});
