// reconcileAutoscaler and computeReplicasForMetrics: bounds, disabled scaling, the maximum across metrics,
// broken metrics, scale from zero.
import { describe, expect, it } from "vitest";
import { hpaReconcile, hpaStep } from "../../../simulator/hpa/step.js";
import { externalAvg, externalValue, hpaCase, pods } from "./builders.js";

describe("maximum across metrics", () => {
  it("takes the highest proposal", () => {
    // metric 0: 450 / (100 * 3) = 1.5 -> ceil(450/100) = 5; metric 1: 200 / (100 * 3) = 0.67 -> ceil(2) = 2; max = 5
    // no behavior: scale-up limit max(2*3, 4) = 6 >= 5 -> 5
    const r = hpaStep(
      hpaCase({
        current: 3,
        metrics: [externalAvg("a", "100"), externalAvg("b", "100")],
        observations: [{ value: "450" }, { value: "200" }],
      }),
    );
    expect(r.desiredReplicas).toBe(5);
    expect(r.reason).toMatch(/metric 0 \(External a\) proposes 5/);
    expect(r.reason).toMatch(/highest proposal 5 \(metric 0\)/);
  });
});

describe("broken metrics", () => {
  it("a broken metric blocks a scale-down", () => {
    // metric 0 proposes ceil(100/100) = 1 < current 4 (100/(100*4) = 0.25 outside tolerance); metric 1 errored -> no scaling
    const r = hpaReconcile(
      hpaCase({
        current: 4,
        metrics: [externalAvg("a", "100"), externalAvg("b", "100")],
        observations: [{ value: "100" }, { error: "timeout" }],
      }),
    );
    expect(r.desiredReplicas).toBe(4);
    expect(r.outcome).toBe("FailedComputeMetricsReplicas");
    expect(r.reason).toMatch(/scale-down blocked/);
    expect(r.record.recommendation).toBeNull(); // nothing is recorded
  });
  it("a broken metric does not block a scale-up", () => {
    // metric 0: 600 / (100 * 4) = 1.5 -> ceil(6) = 6 > current 4; metric 1 errored -> 6; limit max(8, 4) = 8 -> 6
    const r = hpaReconcile(
      hpaCase({
        current: 4,
        metrics: [externalAvg("a", "100"), externalAvg("b", "100")],
        observations: [{ value: "600" }, { error: "timeout" }],
      }),
    );
    expect(r.desiredReplicas).toBe(6);
    expect(r.reason).toMatch(/1 of 2 metrics invalid/);
  });
  it("a proposal equal to current is not blocked", () => {
    // metric 0: 410 / (100 * 4) = 1.025 -> within -> status 4 = current; 4 < 4 is false -> proceeds; desired 4
    const r = hpaReconcile(
      hpaCase({
        current: 4,
        metrics: [externalAvg("a", "100"), externalAvg("b", "100")],
        observations: [{ value: "410" }, { error: "x" }],
      }),
    );
    expect(r.outcome).toBe("Normalized");
    expect(r.desiredReplicas).toBe(4);
  });
  it("all metrics broken: no scaling", () => {
    const r = hpaReconcile(hpaCase({ current: 4, metrics: [externalAvg("a", "100")], observations: [{ error: "down" }] }));
    expect(r.desiredReplicas).toBe(4);
    expect(r.reason).toMatch(/all 1 metric\(s\) invalid/);
  });
});

describe("replica bounds before any metric", () => {
  it("current above maxReplicas -> maxReplicas, metrics not evaluated", () => {
    const r = hpaReconcile(hpaCase({ current: 12, max: 10, metrics: [externalAvg("a", "1")], observations: [{ error: "not even read" }] }));
    expect(r.desiredReplicas).toBe(10);
    expect(r.metrics).toHaveLength(0);
  });
  it("current below minReplicas -> minReplicas", () => {
    const r = hpaReconcile(hpaCase({ current: 1, min: 3, metrics: [externalAvg("a", "1")], observations: [{ value: "50" }] }));
    expect(r.desiredReplicas).toBe(3);
    expect(r.outcome).toBe("BelowMinReplicas");
  });
  it("current 0 with minReplicas > 0: scaling disabled", () => {
    const r = hpaStep(hpaCase({ current: 0, min: 1, metrics: [externalAvg("a", "1")], observations: [{ value: "50" }] }));
    expect(r.desiredReplicas).toBe(0);
    expect(r.reason).toMatch(/^ScalingDisabled/);
  });
});

describe("minReplicas 0 (HPAScaleToZero)", () => {
  it("scales from zero with ceil(ratio), no tolerance, no pod count", () => {
    // External Value: 250/100 = 2.5; current 0 -> ceil(2.5) = 3
    // no behavior: first reconcile records {0}; stabilized max(3, 0) = 3; limit max(2*0, 4) = 4 -> 3
    const r = hpaReconcile(
      hpaCase({ current: 0, min: 0, max: 10, metrics: [externalValue("q", "100")], observations: [{ value: "250" }] }),
    );
    expect(r.metrics[0]!.proposal).toBe(3);
    expect(r.desiredReplicas).toBe(3);
  });
  it("scales to zero when the metric is zero", () => {
    // 0/100 = 0 -> outside tolerance -> ceil(0 * 2 ready pods) = 0; minReplicas 0 -> 0 (stabilization window 0s)
    const r = hpaStep(
      hpaCase({
        current: 2,
        min: 0,
        metrics: [externalValue("q", "100")],
        observations: [{ value: "0", readyPods: 2 }],
        controller: { downscaleStabilizationSeconds: 0 },
      }),
    );
    expect(r.desiredReplicas).toBe(0);
  });
});

describe("defaults", () => {
  it("no metrics means CPU utilization 80%", () => {
    // 2 pods * 1200m / 2000m = 120%; 120/80 = 1.5; ceil(1.5 * 2) = 3
    const c = hpaCase({ current: 2, metrics: [], observations: [{ pods: pods("1200m", "1200m") }] });
    delete c.spec.metrics;
    expect(hpaStep(c).desiredReplicas).toBe(3);
  });
  it("the first reconcile (no recommendation history) records current replicas, so it cannot scale down", () => {
    // proposal: 100/(100*5) = 0.2 -> ceil(1) = 1; recommendations were absent -> {5, now} recorded first;
    // no behavior: max(1, 5) = 5 -> no change
    const c = hpaCase({ current: 5, metrics: [externalAvg("a", "100")], observations: [{ value: "100" }] });
    delete c.history;
    const r = hpaReconcile(c);
    expect(r.desiredReplicas).toBe(5);
    expect(r.record.initialRecommendation).toBe(5);
    expect(r.record.recommendation).toBe(1);
  });
  it("...but an initial recommendation recorded this reconcile is outside a 0-second window", () => {
    const c = hpaCase({
      current: 5,
      metrics: [externalAvg("a", "100")],
      observations: [{ value: "100" }],
      controller: { downscaleStabilizationSeconds: 0 },
    });
    delete c.history;
    expect(hpaStep(c).desiredReplicas).toBe(1);
  });
});
