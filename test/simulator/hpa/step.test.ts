// simulator/hpa/step.ts: the reconcile's bookkeeping (defaults, the metric summary in the reason,
// which metric wins, broken metrics) and the controller memory helpers recordReconcile / ageHistory
// at their boundaries.
import { describe, expect, it } from "vitest";
import { ageHistory, hpaReconcile, hpaStep, recordReconcile, resolveControllerConfig } from "../../../simulator/hpa/step.js";
import type { HpaCase, HpaHistory } from "../../../simulator/hpa/types.js";
import { cpuUtil, externalAvg, externalValue, hpaCase, pod, pods, proposalCase } from "./builders.js";

describe("defaults", () => {
  it("a partial controller config keeps the other defaults", () => {
    expect(resolveControllerConfig({ tolerance: 0.2 })).toEqual({
      tolerance: 0.2,
      downscaleStabilizationSeconds: 300,
      cpuInitializationPeriodSeconds: 300,
      initialReadinessDelaySeconds: 30,
      metricWindowSeconds: 15,
    });
    expect(resolveControllerConfig({ initialReadinessDelaySeconds: 0, metricWindowSeconds: 60 })).toMatchObject({
      tolerance: 0.1,
      initialReadinessDelaySeconds: 0,
      metricWindowSeconds: 60,
    });
  });

  it("the default readiness delay applies when only other controller fields are given", () => {
    // not ready, started 600 s ago, transition 580 s ago: within 30 s of the start -> never ready -> unready
    const c = hpaCase({
      current: 2,
      metrics: [cpuUtil(50)],
      observations: [{ pods: [pod("900m"), pod("900m", "1", { ready: false, readyChangedSecondsAgo: 580 })] }],
      controller: { tolerance: 0.1 },
    });
    expect(hpaReconcile(c).metrics[0]!.detail).toMatch(/pods: 1 ready, 1 unready\)/);
  });

  it("no metrics (or an empty list) means CPU utilization 80 %", () => {
    const c = hpaCase({ current: 2, metrics: [], observations: [{ pods: pods("1", "1") }] });
    const r = hpaReconcile(c);
    expect(r.metrics[0]!.label).toBe("Resource cpu");
    // 100 % of 80 % -> 1.25 -> ceil(2.5) = 3
    expect(r.desiredReplicas).toBe(3);
  });

  it("one observation per metric, or a clear error", () => {
    expect(() => hpaReconcile(hpaCase({ current: 2, metrics: [externalAvg("a", "1")], observations: [] }))).toThrow(
      "observations must have one entry per metric (1 metric(s), got 0)",
    );
    const none = {
      ...hpaCase({ current: 2, metrics: [externalAvg("a", "1")], observations: [] }),
      observations: undefined,
    } as unknown as HpaCase;
    expect(() => hpaReconcile(none)).toThrow("observations must have one entry per metric (1 metric(s), got none)");
  });
});

describe("the reconcile's outcome and reason", () => {
  it("hpaStep is the desired count and the reason, nothing else", () => {
    const c = proposalCase({ current: 3, proposal: 5 });
    const full = hpaReconcile(c);
    expect(hpaStep(c)).toEqual({ desiredReplicas: full.desiredReplicas, reason: full.reason });
  });

  it("outside the bounds the metrics are not evaluated", () => {
    const above = hpaReconcile(proposalCase({ current: 12, max: 10, proposal: 3 }));
    expect(above).toMatchObject({ outcome: "AboveMaxReplicas", desiredReplicas: 10, metrics: [] });
    expect(above.reason).toBe(
      "current replicas 12 above maxReplicas 10: scaled to maxReplicas without evaluating metrics; desired 10 (scale down from 12)",
    );
    const below = hpaReconcile(proposalCase({ current: 1, min: 3, proposal: 9 }));
    expect(below).toMatchObject({ outcome: "BelowMinReplicas", desiredReplicas: 3, metrics: [] });
    expect(below.reason).toBe(
      "current replicas 1 below minReplicas 3: scaled to minReplicas without evaluating metrics; desired 3 (scale up from 1)",
    );
    expect(hpaReconcile(proposalCase({ current: 0, min: 1, proposal: 9 })).outcome).toBe("ScalingDisabled");
  });

  it("at exactly maxReplicas the metrics are evaluated (and may scale down)", () => {
    const r = hpaReconcile(proposalCase({ current: 10, max: 10, proposal: 4 }));
    expect(r.outcome).toBe("Normalized");
    expect(r.metricDesiredReplicas).toBe(4);
  });

  it("the highest proposal wins wherever its metric is", () => {
    const r = hpaReconcile(
      hpaCase({
        current: 3,
        metrics: [externalAvg("a", "100"), externalAvg("b", "100")],
        observations: [{ value: "200" }, { value: "500" }],
      }),
    );
    expect(r.metricDesiredReplicas).toBe(5);
    expect(r.reason).toMatch(/highest proposal 5 \(metric 1\)/);
  });

  it("every metric invalid at 0 replicas (minReplicas 0) is still a failed reconcile", () => {
    const r = hpaReconcile(hpaCase({ min: 0, current: 0, metrics: [externalAvg("a", "1")], observations: [{ error: "x" }] }));
    expect(r.outcome).toBe("FailedComputeMetricsReplicas");
  });

  it("names each metric, the invalid ones with their error, and the highest of several valid proposals", () => {
    const r = hpaReconcile(
      hpaCase({
        current: 3,
        metrics: [externalAvg("a", "100"), externalAvg("b", "100"), externalAvg("c", "100")],
        observations: [{ value: "400" }, { error: "timeout" }, { value: "400" }],
      }),
    );
    expect(r.reason).toMatch(
      /^metric 0 \(External a\) proposes 4 \[[^\]]*\]; metric 1 \(External b\) invalid: unable to fetch metrics: timeout; /,
    );
    // equal proposals: the first metric keeps the lead
    expect(r.reason).toMatch(/; highest proposal 4 \(metric 0\) \(1 of 3 metrics invalid, first error: metric 1 \(External b\): unable/);
    expect(r.reason).toMatch(/; desired 4 \(scale up from 3\)$/);
  });

  it("a single valid metric names no highest proposal", () => {
    expect(hpaReconcile(proposalCase({ current: 3, proposal: 5 })).reason).not.toMatch(/highest proposal/);
    const oneValid = hpaReconcile(
      hpaCase({
        current: 3,
        metrics: [externalAvg("a", "100"), externalAvg("b", "100")],
        observations: [{ error: "x" }, { value: "500" }],
      }),
    );
    expect(oneValid.reason).not.toMatch(/highest proposal/);
    expect(oneValid.desiredReplicas).toBe(5);
  });

  it("every metric invalid: no scaling, the first error named, nothing recorded", () => {
    const r = hpaReconcile(
      hpaCase({ current: 3, metrics: [externalAvg("a", "1"), externalAvg("b", "1")], observations: [{ error: "x" }, { error: "y" }] }),
    );
    expect(r).toMatchObject({ outcome: "FailedComputeMetricsReplicas", desiredReplicas: 3, metricDesiredReplicas: null });
    expect(r.reason).toBe(
      "FailedGetMetrics: all 2 metric(s) invalid, first error: metric 0 (External a): unable to fetch metrics: x; no scaling, keeping 3",
    );
    expect(recordReconcile({ recommendations: [] }, r, hpaCase({ current: 3, metrics: [], observations: [] })).recommendations).toEqual([]);
  });

  it("a negative proposal is recorded as 0 (and the minimum applies)", () => {
    const r = hpaReconcile(hpaCase({ current: 2, metrics: [externalValue("q", "1")], observations: [{ value: "-5", readyPods: 2 }] }));
    expect(r.metricDesiredReplicas).toBe(-10);
    expect(r.record.recommendation).toBe(0);
    expect(r.desiredReplicas).toBe(1);
  });

  it("names the normalization path: no behavior, or behavior", () => {
    expect(hpaReconcile(proposalCase({ current: 3, proposal: 5 })).reason).toMatch(/\(no behavior\); desired 5 \(scale up from 3\)$/);
    const withBehavior = hpaReconcile(proposalCase({ current: 3, proposal: 5, behavior: {} }));
    expect(withBehavior.reason).toMatch(/\(behavior\); desired 5 \(scale up from 3\)$/);
    expect(withBehavior.record).toMatchObject({ scaleUpEvent: 2, scaleDownEvent: null });
    const down = hpaReconcile(proposalCase({ current: 6, proposal: 2, behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } }));
    expect(down.reason).toMatch(/; desired 2 \(scale down from 6\)$/);
    expect(down.record).toMatchObject({ scaleUpEvent: null, scaleDownEvent: 4 });
  });
});

describe("recordReconcile: the controller's memory", () => {
  const noBehavior = proposalCase({ current: 3, proposal: 3 });

  it("overwrites the last recommendation older than the stabilization window (strictly older), else appends", () => {
    const r = hpaReconcile(noBehavior);
    const history: HpaHistory = {
      recommendations: [
        { secondsAgo: 400, replicas: 7 },
        { secondsAgo: 301, replicas: 6 },
        { secondsAgo: 300, replicas: 5 },
      ],
    };
    const before = structuredClone(history);
    expect(recordReconcile(history, r, noBehavior).recommendations).toEqual([
      { secondsAgo: 400, replicas: 7 },
      { secondsAgo: 0, replicas: 3 },
      { secondsAgo: 300, replicas: 5 },
    ]);
    expect(history).toEqual(before);
    // the only old entry first in the list
    expect(recordReconcile({ recommendations: [{ secondsAgo: 301, replicas: 6 }] }, r, noBehavior).recommendations).toEqual([
      { secondsAgo: 0, replicas: 3 },
    ]);
    // none older than 300 s: appended
    expect(recordReconcile({ recommendations: [{ secondsAgo: 300, replicas: 5 }] }, r, noBehavior).recommendations).toEqual([
      { secondsAgo: 300, replicas: 5 },
      { secondsAgo: 0, replicas: 3 },
    ]);
  });

  it("with a behavior, a recommendation is old only when older than both windows", () => {
    const c = proposalCase({
      current: 3,
      proposal: 3,
      behavior: { scaleUp: { stabilizationWindowSeconds: 60 }, scaleDown: { stabilizationWindowSeconds: 120 } },
    });
    const r = hpaReconcile(c);
    const at = (secondsAgo: number) => recordReconcile({ recommendations: [{ secondsAgo, replicas: 9 }] }, r, c).recommendations;
    expect(at(121)).toEqual([{ secondsAgo: 0, replicas: 3 }]);
    expect(at(120)).toHaveLength(2);
    expect(at(90)).toHaveLength(2);
    const upLonger = proposalCase({
      current: 3,
      proposal: 3,
      behavior: { scaleUp: { stabilizationWindowSeconds: 200 }, scaleDown: { stabilizationWindowSeconds: 120 } },
    });
    const upAt = (secondsAgo: number) =>
      recordReconcile({ recommendations: [{ secondsAgo, replicas: 9 }] }, hpaReconcile(upLonger), upLonger).recommendations;
    expect(upAt(150)).toHaveLength(2);
    expect(upAt(200)).toHaveLength(2);
    expect(upAt(201)).toEqual([{ secondsAgo: 0, replicas: 3 }]);
  });

  it("records the initial recommendation on a first reconcile", () => {
    const first = proposalCase({ current: 3, proposal: 3, history: {} });
    const r = hpaReconcile(first);
    expect(r.record.initialRecommendation).toBe(3);
    expect(recordReconcile(null, r, first).recommendations).toEqual([
      { secondsAgo: 0, replicas: 3 },
      { secondsAgo: 0, replicas: 3 },
    ]);
  });

  it("scale events: older than the longest period (strictly) become outdated, the last outdated one is overwritten", () => {
    // default policies: longest period 15 s each way
    const c = proposalCase({ current: 3, proposal: 5, behavior: { scaleUp: { stabilizationWindowSeconds: 0 } } });
    const r = hpaReconcile(c);
    expect(r.record.scaleUpEvent).toBe(2);
    const history: HpaHistory = {
      recommendations: [],
      scaleUpEvents: [
        { secondsAgo: 16, change: 1 },
        { secondsAgo: 15, change: 1 },
      ],
      scaleDownEvents: [{ secondsAgo: 10, change: 1 }],
    };
    const next = recordReconcile(history, r, c);
    expect(next.scaleUpEvents).toEqual([
      { secondsAgo: 0, change: 2 },
      { secondsAgo: 15, change: 1 },
    ]);
    // the direction without an event is kept as it was (not marked)
    expect(next.scaleDownEvents).toEqual([{ secondsAgo: 10, change: 1 }]);
    // no list yet: the event is the list
    expect(recordReconcile({ recommendations: [] }, r, c).scaleUpEvents).toEqual([{ secondsAgo: 0, change: 2 }]);
    // no outdated event: appended
    const fresh = recordReconcile({ recommendations: [], scaleUpEvents: [{ secondsAgo: 15, change: 1 }] }, r, c);
    expect(fresh.scaleUpEvents).toEqual([
      { secondsAgo: 15, change: 1 },
      { secondsAgo: 0, change: 2 },
    ]);
  });
});

describe("ageHistory", () => {
  it("ages every entry, keeps outdated marks, and drops only entries beyond keepSeconds", () => {
    const history: HpaHistory = {
      recommendations: [
        { secondsAgo: 0, replicas: 3 },
        { secondsAgo: 50, replicas: 4 },
      ],
      scaleUpEvents: [
        { secondsAgo: 5, change: 1, outdated: true },
        { secondsAgo: 60, change: 2 },
      ],
      scaleDownEvents: [{ secondsAgo: 50, change: 1 }],
    };
    expect(ageHistory(history, 10, 60)).toEqual({
      recommendations: [
        { secondsAgo: 10, replicas: 3 },
        { secondsAgo: 60, replicas: 4 },
      ],
      scaleUpEvents: [{ secondsAgo: 15, change: 1, outdated: true }],
      scaleDownEvents: [{ secondsAgo: 60, change: 1 }],
    });
  });

  it("an absent history stays without recommendations; an empty list stays a list", () => {
    expect(ageHistory(null, 10)).toEqual({ scaleUpEvents: [], scaleDownEvents: [] });
    expect(ageHistory({}, 10)).toEqual({ scaleUpEvents: [], scaleDownEvents: [] });
    expect(ageHistory({ recommendations: [] }, 10)).toEqual({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });
  });
});
