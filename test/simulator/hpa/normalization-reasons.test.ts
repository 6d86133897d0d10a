// What the normalization step reports (the `reason` of hpa-step and the ScalingLimited reason),
// and the boundaries where the limiting reason flips (upstream horizontal.go:
// convertDesiredReplicasWithRules / convertDesiredReplicasWithBehaviorRate, stabilizeRecommendation*).
// One External AverageValue metric with target 1: the metric proposes exactly `proposal`.
import { describe, expect, it } from "vitest";
import { normalizeDesiredReplicas, normalizeDesiredReplicasWithBehaviors, resolveBehavior } from "../../../simulator/hpa/behavior.js";
import { hpaReconcile, resolveControllerConfig } from "../../../simulator/hpa/step.js";
import type { HorizontalPodAutoscalerBehavior } from "../../../simulator/hpa/types.js";
import { proposalCase } from "./builders.js";

function run(o: Parameters<typeof proposalCase>[0]) {
  const r = hpaReconcile(proposalCase(o));
  expect(r.metricDesiredReplicas).toBe(o.proposal);
  return { desired: r.desiredReplicas, limit: r.limitReason, normalization: r.reason.slice(r.reason.indexOf("]; ") + 3) };
}

const down0 = (scaleDown: NonNullable<HorizontalPodAutoscalerBehavior["scaleDown"]>): HorizontalPodAutoscalerBehavior => ({
  scaleDown: { stabilizationWindowSeconds: 0, ...scaleDown },
});
const up0 = (scaleUp: NonNullable<HorizontalPodAutoscalerBehavior["scaleUp"]>): HorizontalPodAutoscalerBehavior => ({
  scaleUp: { stabilizationWindowSeconds: 0, ...scaleUp },
});

describe("the reason names the rule that set the count", () => {
  it.each([
    [
      "no behavior, 2× limit",
      { current: 3, proposal: 20 },
      6,
      "ScaleUpLimit",
      "limited by the no-behavior scale-up limit max(2*3, 4) = 6 (ScaleUpLimit) (no behavior); desired 6 (scale up from 3)",
    ],
    [
      "no behavior, maxReplicas",
      { current: 8, proposal: 20, max: 10 },
      10,
      "TooManyReplicas",
      "limited to maxReplicas 10 (TooManyReplicas) (no behavior); desired 10 (scale up from 8)",
    ],
    [
      "no behavior, minReplicas",
      { current: 5, proposal: 1, min: 3 },
      3,
      "TooFewReplicas",
      "raised to minReplicas 3 (TooFewReplicas) (no behavior); desired 3 (scale down from 5)",
    ],
    [
      "no behavior, stabilization",
      { current: 5, proposal: 2, history: { recommendations: [{ secondsAgo: 30, replicas: 4 }] } },
      4,
      "DesiredWithinRange",
      "stabilized by the downscale stabilization window 300s (highest recent recommendation) to 4 (no behavior); desired 4 (scale down from 5)",
    ],
    [
      "no behavior, nothing limits",
      { current: 3, proposal: 5 },
      5,
      "DesiredWithinRange",
      "DesiredWithinRange (no behavior); desired 5 (scale up from 3)",
    ],
    [
      "default scale-up policies",
      { current: 4, proposal: 20, behavior: {} },
      8,
      "ScaleUpLimit",
      "limited by scaleUp policies [4 pods/15s, 100%/15s] selectPolicy Max to 8 (ScaleUpLimit; 0 replicas added within the longest period) (behavior); desired 8 (scale up from 4)",
    ],
    [
      "Min of two policies; events counted over the longest period",
      {
        current: 4,
        proposal: 20,
        behavior: up0({
          policies: [
            { type: "Pods", value: 2, periodSeconds: 60 },
            { type: "Percent", value: 10, periodSeconds: 120 },
          ],
          selectPolicy: "Min",
        }),
        history: { recommendations: [], scaleUpEvents: [{ secondsAgo: 100, change: 1 }] },
      },
      4,
      "ScaleUpLimit",
      // Pods: the event is outside 60 s -> 4 + 2 = 6; Percent: start 3 -> ceil(3.3) = 4; Min -> 4
      "limited by scaleUp policies [2 pods/60s, 10%/120s] selectPolicy Min to 4 (ScaleUpLimit; 1 replica added within the longest period) (behavior); desired 4 (no change)",
    ],
    [
      "scale-down policy",
      {
        current: 10,
        proposal: 1,
        behavior: down0({ policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] }),
        history: { recommendations: [], scaleDownEvents: [{ secondsAgo: 30, change: 2 }] },
      },
      10,
      "ScaleDownLimit",
      // start 10 + 2 = 12 -> 11, above current -> held at 10
      "limited by scaleDown policies [1 pods/60s] selectPolicy Max to 10 (ScaleDownLimit; 2 replicas removed within the longest period) (behavior); desired 10 (no change)",
    ],
    [
      "scale-down disabled",
      { current: 10, proposal: 1, behavior: { scaleDown: { selectPolicy: "Disabled" } } },
      10,
      "ScaleDownLimit",
      "scale-down disabled (scaleDown selectPolicy Disabled) (ScaleDownLimit) (behavior); desired 10 (no change)",
    ],
    [
      "scale-up disabled",
      { current: 4, proposal: 9, behavior: { scaleUp: { selectPolicy: "Disabled" } } },
      4,
      "ScaleUpLimit",
      "scale-up disabled (scaleUp selectPolicy Disabled) (ScaleUpLimit) (behavior); desired 4 (no change)",
    ],
    [
      "behavior, minReplicas",
      { current: 5, proposal: 1, min: 3, behavior: down0({}) },
      3,
      "TooFewReplicas",
      "raised to minReplicas 3 (TooFewReplicas) (behavior); desired 3 (scale down from 5)",
    ],
    [
      "behavior, maxReplicas",
      { current: 8, proposal: 20, max: 10, behavior: {} },
      10,
      "TooManyReplicas",
      "limited to maxReplicas 10 (TooManyReplicas) (behavior); desired 10 (scale up from 8)",
    ],
    [
      "scale-up stabilization",
      {
        current: 4,
        proposal: 8,
        behavior: up0({ stabilizationWindowSeconds: 60 }),
        history: { recommendations: [{ secondsAgo: 30, replicas: 5 }] },
      },
      5,
      "DesiredWithinRange",
      "stabilized by the scaleUp window 60s (lowest recent recommendation) to 5 (behavior); desired 5 (scale up from 4)",
    ],
    [
      "scale-down stabilization",
      { current: 8, proposal: 2, behavior: {}, history: { recommendations: [{ secondsAgo: 30, replicas: 6 }] } },
      6,
      "DesiredWithinRange",
      "stabilized by the scaleDown window 300s (highest recent recommendation) to 6 (behavior); desired 6 (scale down from 8)",
    ],
    [
      "no behavior, stabilized then raised to minReplicas (both steps named)",
      { current: 6, proposal: 2, min: 5, history: { recommendations: [{ secondsAgo: 30, replicas: 4 }] } },
      5,
      "TooFewReplicas",
      "stabilized by the downscale stabilization window 300s (highest recent recommendation) to 4; raised to minReplicas 5 (TooFewReplicas) (no behavior); desired 5 (scale down from 6)",
    ],
    [
      "behavior, stabilized then raised to minReplicas (both steps named)",
      { current: 8, proposal: 2, min: 7, behavior: {}, history: { recommendations: [{ secondsAgo: 30, replicas: 6 }] } },
      7,
      "TooFewReplicas",
      "stabilized by the scaleDown window 300s (highest recent recommendation) to 6; raised to minReplicas 7 (TooFewReplicas) (behavior); desired 7 (scale down from 8)",
    ],
    [
      "the longest period is the longest, not the last listed",
      {
        current: 4,
        proposal: 20,
        behavior: up0({
          policies: [
            { type: "Percent", value: 10, periodSeconds: 120 },
            { type: "Pods", value: 2, periodSeconds: 60 },
          ],
          selectPolicy: "Min",
        }),
        history: { recommendations: [], scaleUpEvents: [{ secondsAgo: 100, change: 1 }] },
      },
      4,
      "ScaleUpLimit",
      "limited by scaleUp policies [10%/120s, 2 pods/60s] selectPolicy Min to 4 (ScaleUpLimit; 1 replica added within the longest period) (behavior); desired 4 (no change)",
    ],
    [
      "behavior, nothing limits",
      { current: 4, proposal: 6, behavior: {} },
      6,
      "DesiredWithinRange",
      "DesiredWithinRange (behavior); desired 6 (scale up from 4)",
    ],
  ] as const)("%s", (_name, c, desired, limit, normalization) => {
    expect(run(c as Parameters<typeof run>[0])).toEqual({ desired, limit, normalization });
  });
});

describe("limit boundaries", () => {
  it("no behavior: maxReplicas equal to the 2× limit is TooManyReplicas (ScaleUpLimit only when max is above it)", () => {
    expect(run({ current: 5, proposal: 20, max: 10 })).toMatchObject({ desired: 10, limit: "TooManyReplicas" });
  });
  it("no behavior: landing exactly on minReplicas or on the limit is DesiredWithinRange", () => {
    expect(run({ current: 5, proposal: 3, min: 3 })).toMatchObject({ desired: 3, limit: "DesiredWithinRange" });
    expect(run({ current: 3, proposal: 6 })).toMatchObject({ desired: 6, limit: "DesiredWithinRange" });
  });
  it("behavior: maxReplicas equal to the policy limit is TooManyReplicas; minReplicas equal to it is TooFewReplicas", () => {
    expect(run({ current: 4, proposal: 20, max: 8, behavior: {} })).toMatchObject({ desired: 8, limit: "TooManyReplicas" });
    const half = down0({ policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] });
    expect(run({ current: 10, proposal: 1, min: 5, behavior: half })).toMatchObject({ desired: 5, limit: "TooFewReplicas" });
  });
  it("behavior: landing exactly on the policy limit is DesiredWithinRange", () => {
    expect(run({ current: 4, proposal: 8, behavior: {} })).toMatchObject({ desired: 8, limit: "DesiredWithinRange" });
    const half = down0({ policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] });
    expect(run({ current: 10, proposal: 5, behavior: half })).toMatchObject({ desired: 5, limit: "DesiredWithinRange" });
  });
  it("behavior: a scale-up limit below the current count (replicas added earlier in the period) holds the count, never scales down", () => {
    // start 10 - 8 = 2 -> Pods 2 + 4 = 6 < 10 -> the limit is raised to current 10
    const r = run({
      current: 10,
      proposal: 12,
      behavior: up0({ policies: [{ type: "Pods", value: 4, periodSeconds: 60 }] }),
      history: { recommendations: [], scaleUpEvents: [{ secondsAgo: 10, change: 8 }] },
    });
    expect(r).toMatchObject({ desired: 10, limit: "ScaleUpLimit" });
  });
  it("behavior: a recommendation exactly one scale-down window old is outside it (timestamp After the cutoff)", () => {
    expect(run({ current: 8, proposal: 2, behavior: {}, history: { recommendations: [{ secondsAgo: 300, replicas: 6 }] } }).desired).toBe(
      2,
    );
    expect(run({ current: 8, proposal: 2, behavior: {}, history: { recommendations: [{ secondsAgo: 299, replicas: 6 }] } }).desired).toBe(
      6,
    );
  });
});

describe("stabilization reason", () => {
  const behavior = resolveBehavior({}, resolveControllerConfig(undefined));
  it("no behavior: ScaleDownStabilized only when a recent higher recommendation held the count", () => {
    expect(normalizeDesiredReplicas(5, 2, 1, 100, [{ secondsAgo: 30, replicas: 4 }], 300).stabilizationReason).toBe("ScaleDownStabilized");
    expect(normalizeDesiredReplicas(5, 2, 1, 100, [], 300).stabilizationReason).toBeNull();
  });
  it("behavior: ScaleUpStabilized / ScaleDownStabilized by direction, null when the window changed nothing", () => {
    const up = resolveBehavior({ scaleUp: { stabilizationWindowSeconds: 60 } }, resolveControllerConfig(undefined));
    expect(normalizeDesiredReplicasWithBehaviors(4, 8, 1, 100, [{ secondsAgo: 30, replicas: 5 }], [], [], up).stabilizationReason).toBe(
      "ScaleUpStabilized",
    );
    expect(
      normalizeDesiredReplicasWithBehaviors(8, 2, 1, 100, [{ secondsAgo: 30, replicas: 6 }], [], [], behavior).stabilizationReason,
    ).toBe("ScaleDownStabilized");
    expect(normalizeDesiredReplicasWithBehaviors(4, 6, 1, 100, [], [], [], behavior).stabilizationReason).toBeNull();
  });
});
