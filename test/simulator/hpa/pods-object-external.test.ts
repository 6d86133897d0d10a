// Pods metrics (GetMetricReplicas), Object metrics (GetObjectMetricReplicas / GetObjectPerPodMetricReplicas),
// External metrics (GetExternalMetricReplicas / GetExternalPerPodMetricReplicas).
import { describe, expect, it } from "vitest";
import { hpaReconcile } from "../../../simulator/hpa/step.js";
import { externalAvg, externalValue, hpaCase, objectAvg, objectValue, pod, pods, podsAvg } from "./builders.js";

describe("Pods metrics (average value per pod)", () => {
  it("desired = ceil(average / target * ready pods)", () => {
    // (10 + 20 + 33) / 3 = 21 (milli: 63000 / 3 = 21000); 21000/10000 = 2.1; ceil(2.1 * 3) = ceil(6.3) = 7
    const r = hpaReconcile(hpaCase({ current: 3, metrics: [podsAvg("rps", "10")], observations: [{ pods: pods("10", "20", "33") }] }));
    expect(r.metrics[0]!.proposal).toBe(7);
  });
  it("a not-ready Running pod counts as ready (readiness is only checked for CPU)", () => {
    // both count: (20 + 20) / 2 = 20; 20/10 = 2; ceil(2 * 2) = 4
    const p = [pod("20"), pod("20", null, { ready: false, startedSecondsAgo: 600, readyChangedSecondsAgo: 590 })];
    const r = hpaReconcile(hpaCase({ current: 2, metrics: [podsAvg("rps", "10")], observations: [{ pods: p }] }));
    expect(r.metrics[0]!.proposal).toBe(4);
  });
  it("pending pods count as 0 on a scale-up", () => {
    // ready: (30 + 30) / 2 = 30; 30/10 = 3 > 1 with a pending pod -> (30 + 30 + 0) / 3 = 20; 20/10 = 2; ceil(2 * 3) = 6
    const p = [pod("30"), pod("30"), pod(null, null, { phase: "Pending" })];
    const r = hpaReconcile(hpaCase({ current: 3, metrics: [podsAvg("rps", "10")], observations: [{ pods: p }] }));
    expect(r.metrics[0]!.proposal).toBe(6);
  });
  it("pending pods at 0 can flip a scale-up into a scale-down -> keep current", () => {
    // ready: 12 average; 12/10 = 1.2 > 1 with 2 pending pods -> (12 + 12 + 0 + 0) / 4 = 6; 0.6 < 1 -> flipped -> keep 4
    // (ignoring the pending pods would give ceil(1.2 * 2) = 3)
    const p = [pod("12"), pod("12"), pod(null, null, { phase: "Pending" }), pod(null, null, { phase: "Pending" })];
    const r = hpaReconcile(hpaCase({ current: 4, metrics: [podsAvg("rps", "10")], observations: [{ pods: p }] }));
    expect(r.metrics[0]!.proposal).toBe(4);
  });
  it("missing pods count exactly at the target on a scale-down", () => {
    // ready: (2 + 2) / 2 = 2; 2/10 = 0.2 -> missing = 10: (2000 + 2000 + 10000) / 3 = 4666 (int); 4666/10000 = 0.4666
    // ceil(0.4666 * 3) = ceil(1.3998) = 2     (ignoring the missing pod: ceil(0.2 * 2) = 1)
    const r = hpaReconcile(hpaCase({ current: 3, metrics: [podsAvg("rps", "10")], observations: [{ pods: pods("2", "2", null) }] }));
    expect(r.metrics[0]!.proposal).toBe(2);
  });
  it("a scale-down whose recomputed count ends above current replicas keeps current (surge pods)", () => {
    // 4 pods listed while scale.spec.replicas = 3 (rollout surge); 1 ready pod at 5 vs target 10 -> 0.5 < 1
    // 3 missing at 10: (5000 + 3 * 10000) / 4 = 8750; 0.875 (< 0.9, still < 1) -> ceil(0.875 * 4) = ceil(3.5) = 4
    // 4 > current 3 while the ratio says "down" -> keep 3
    const r = hpaReconcile(hpaCase({ current: 3, metrics: [podsAvg("rps", "10")], observations: [{ pods: pods("5", null, null, null) }] }));
    expect(r.metrics[0]!.proposal).toBe(3);
  });
});

describe("Object metrics", () => {
  it("Value target: ratio * ready pod count (Running and Ready=True)", () => {
    // 300/100 = 3; ready pods: 2 (one Running not ready, one Pending do not count); ceil(3 * 2) = 6
    const podList = [pod(null), pod(null), pod(null, null, { ready: false }), pod(null, null, { phase: "Pending", ready: false })];
    const r = hpaReconcile(
      hpaCase({ current: 4, metrics: [objectValue("requests", "100")], observations: [{ value: "300" }], pods: podList }),
    );
    expect(r.metrics[0]!.proposal).toBe(6);
  });
  it("Value target inside the tolerance keeps scale.spec.replicas", () => {
    // 105/100 = 1.05 -> within -> current 4
    const r = hpaReconcile(
      hpaCase({ current: 4, metrics: [objectValue("requests", "100")], observations: [{ value: "105", readyPods: 9 }] }),
    );
    expect(r.metrics[0]!.proposal).toBe(4);
  });
  it("AverageValue target: ceil(value / target), tolerance checked against status replicas", () => {
    // 300 / (50 * 4) = 1.5 -> outside -> ceil(300 / 50) = 6
    const r = hpaReconcile(hpaCase({ current: 4, status: 4, metrics: [objectAvg("requests", "50")], observations: [{ value: "300" }] }));
    expect(r.metrics[0]!.proposal).toBe(6);
  });
  it("AverageValue target inside the tolerance returns scale.status.replicas (not spec)", () => {
    // 210 / (50 * 4) = 1.05 -> within -> statusReplicas = 4, while scale.spec.replicas = 5
    const r = hpaReconcile(hpaCase({ current: 5, status: 4, metrics: [objectAvg("requests", "50")], observations: [{ value: "210" }] }));
    expect(r.metrics[0]!.proposal).toBe(4);
  });
});

describe("External metrics", () => {
  it("AverageValue (KEDA default): ceil(sum / target), independent of current replicas", () => {
    // series 400 + 550 = 950; 950 / (100 * 3) = 3.17 -> outside; ceil(950 / 100) = ceil(9.5) = 10
    const r = hpaReconcile(hpaCase({ current: 3, metrics: [externalAvg("queue", "100")], observations: [{ values: ["400", "550"] }] }));
    expect(r.metrics[0]!.proposal).toBe(10);
  });
  it("AverageValue divides by status replicas for the tolerance check", () => {
    // 950 / (100 * 9) = 1.0556 -> within -> status replicas 9 (spec says 10)
    const r = hpaReconcile(hpaCase({ current: 10, status: 9, metrics: [externalAvg("queue", "100")], observations: [{ value: "950" }] }));
    expect(r.metrics[0]!.proposal).toBe(9);
  });
  it("Value: ratio * ready pods", () => {
    // 50/100 = 0.5; 6 ready pods; ceil(0.5 * 6) = 3
    const r = hpaReconcile(
      hpaCase({ current: 6, metrics: [externalValue("queue", "100")], observations: [{ value: "50", readyPods: 6 }] }),
    );
    expect(r.metrics[0]!.proposal).toBe(3);
  });
  it("Value counts ready pods, not spec replicas", () => {
    // 150/100 = 1.5; 2 of the 4 pods are ready; ceil(1.5 * 2) = 3   (spec replicas 4 would give 6)
    const podList = [pod(null), pod(null), pod(null, null, { ready: false }), pod(null, null, { ready: false })];
    const r = hpaReconcile(
      hpaCase({ current: 4, metrics: [externalValue("queue", "100")], observations: [{ value: "150", pods: podList }] }),
    );
    expect(r.metrics[0]!.proposal).toBe(3);
  });
  it("a negative running sum is treated as an int64 overflow on the AverageValue path (controller quirk)", () => {
    // usage -5 < 0 -> MaxInt64; ceil(9223372036854775807 / 1000) > MaxInt32 -> capped at 2147483647
    const r = hpaReconcile(hpaCase({ current: 3, metrics: [externalAvg("queue", "1")], observations: [{ value: "-5" }] }));
    expect(r.metrics[0]!.proposal).toBe(2147483647);
  });
  it("an error observation makes the metric invalid", () => {
    const r = hpaReconcile(hpaCase({ current: 3, metrics: [externalAvg("queue", "1")], observations: [{ error: "scaler timeout" }] }));
    expect(r.metrics[0]!.proposal).toBeNull();
    expect(r.metrics[0]!.error).toMatch(/scaler timeout/);
  });
});
