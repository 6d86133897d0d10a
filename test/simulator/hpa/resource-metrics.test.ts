// Resource / ContainerResource metrics: GetResourceReplicas (Utilization) and GetRawResourceReplicas (AverageValue).
import { describe, expect, it } from "vitest";
import { hpaReconcile } from "../../../simulator/hpa/step.js";
import type { MetricSpec, PodObservation } from "../../../simulator/hpa/types.js";
import { cpuUtil, hpaCase, memUtil, pod, pods, resourceAvg } from "./builders.js";

function proposal(metric: MetricSpec, podList: PodObservation[], current: number, extra: Partial<Parameters<typeof hpaCase>[0]> = {}) {
  const r = hpaReconcile(hpaCase({ current, metrics: [metric], observations: [{ pods: podList }], ...extra }));
  return r.metrics[0]!;
}

describe("Resource Utilization: basic formula", () => {
  it("utilization = sum(usage)*100/sum(request), ratio = utilization/target, desired = ceil(ratio * ready)", () => {
    // usage 500m + 900m + 700m = 2100m over requests 3000m -> 70%; 70/50 = 1.4; ceil(1.4 * 3) = ceil(4.2) = 5
    expect(proposal(cpuUtil(50), pods("500m", "900m", "700m"), 3).proposal).toBe(5);
  });

  it("scales down with the same formula", () => {
    // 4 pods * 100m over 4000m -> 10%; 10/50 = 0.2; ceil(0.2 * 4) = ceil(0.8) = 1
    expect(proposal(cpuUtil(50), pods("100m", "100m", "100m", "100m"), 4).proposal).toBe(1);
  });

  it("truncates the utilization to an integer percent before the ratio", () => {
    // 3329m / 3000m = 110.97% -> int 110; 110/100 = 1.1 -> inside the tolerance band -> keep 3
    // (without truncation: 1.1097 > 1.1 -> ceil(1.1097 * 3) = 4)
    expect(proposal(cpuUtil(100), pods("1110m", "1110m", "1109m"), 3).proposal).toBe(3);
  });

  it("uses the container request (ContainerResource) the same way", () => {
    const metric: MetricSpec = {
      type: "ContainerResource",
      containerResource: { name: "cpu", container: "app", target: { type: "Utilization", averageUtilization: 60 } },
    };
    // 2 pods: 900m/1000m + 900m/1000m -> 90%; 90/60 = 1.5; ceil(1.5 * 2) = 3
    expect(proposal(metric, pods("900m", "900m"), 2).proposal).toBe(3);
  });

  it("errors when a pod has no request for the resource", () => {
    const e = proposal(cpuUtil(50), [pod("500m"), pod("500m", null)], 2);
    expect(e.proposal).toBeNull();
    expect(e.error).toMatch(/missing request for cpu/);
  });

  it("errors when no pod is selected", () => {
    expect(proposal(cpuUtil(50), [], 2).error).toMatch(/no pods returned by selector/);
  });
});

describe("tolerance band (inclusive)", () => {
  it("keeps current replicas at exactly 1 + tolerance", () => {
    // 4 * 880m / 4000m = 88%; 88/80 = 1.1 = 1 + 0.1 -> within (inclusive) -> 4
    expect(proposal(cpuUtil(80), pods("880m", "880m", "880m", "880m"), 4).proposal).toBe(4);
  });
  it("scales just above the upper edge", () => {
    // 89%; 89/80 = 1.1125 > 1.1 -> ceil(1.1125 * 4) = ceil(4.45) = 5
    expect(proposal(cpuUtil(80), pods("890m", "890m", "890m", "890m"), 4).proposal).toBe(5);
  });
  it("keeps current replicas at exactly 1 - tolerance", () => {
    // 10 pods * 720m -> 72%; 72/80 = 0.9 = 1 - 0.1 -> within -> 10
    expect(proposal(cpuUtil(80), pods(...Array(10).fill("720m")), 10).proposal).toBe(10);
  });
  it("scales just below the lower edge", () => {
    // 71%; 71/80 = 0.8875 < 0.9 -> ceil(0.8875 * 10) = ceil(8.875) = 9
    expect(proposal(cpuUtil(80), pods(...Array(10).fill("710m")), 10).proposal).toBe(9);
  });
  it("uses controller.tolerance", () => {
    // 89/80 = 1.1125 <= 1 + 0.2 -> within -> 4
    expect(proposal(cpuUtil(80), pods("890m", "890m", "890m", "890m"), 4, { controller: { tolerance: 0.2 } }).proposal).toBe(4);
  });
  it("uses behavior.scaleUp.tolerance for the upper edge only", () => {
    // 88/80 = 1.1 > 1 + 0.05 -> ceil(1.1 * 4) = ceil(4.4) = 5
    const up = proposal(cpuUtil(80), pods("880m", "880m", "880m", "880m"), 4, { behavior: { scaleUp: { tolerance: "0.05" } } });
    expect(up.proposal).toBe(5);
    // scaleDown tolerance untouched (0.1): 71/80 = 0.8875 < 0.9 -> ceil(8.875) = 9
    const down = proposal(cpuUtil(80), pods(...Array(10).fill("710m")), 10, { behavior: { scaleUp: { tolerance: "0.05" } } });
    expect(down.proposal).toBe(9);
  });
  it("uses behavior.scaleDown.tolerance for the lower edge only", () => {
    // 60% of 80 = 0.75 >= 1 - 0.25 -> within -> 5   (default tolerance: ceil(0.75 * 5) = ceil(3.75) = 4)
    const p = pods("600m", "600m", "600m", "600m", "600m");
    expect(proposal(cpuUtil(80), p, 5, { behavior: { scaleDown: { tolerance: "0.25" } } }).proposal).toBe(5);
    expect(proposal(cpuUtil(80), p, 5).proposal).toBe(4);
  });
  it("ignores behavior tolerances' absence: behavior present without tolerance uses the flag", () => {
    // 88/80 = 1.1 <= 1.1 -> 4
    expect(proposal(cpuUtil(80), pods("880m", "880m", "880m", "880m"), 4, { behavior: {} }).proposal).toBe(4);
  });
});

describe("missing pods (no sample)", () => {
  it("count as 100% of their request on a scale-down", () => {
    // ready: 3 * 100m / 3000m = 10%; ratio 10/50 = 0.2 < 1 -> the missing pod counts as 1000m (100%)
    // recompute: (300 + 1000) / 4000 = 32.5% -> 32; 32/50 = 0.64; ceil(0.64 * 4) = ceil(2.56) = 3
    expect(proposal(cpuUtil(50), pods("100m", "100m", "100m", null), 4).proposal).toBe(3);
  });
  it("count as the target utilization when the target is above 100%", () => {
    // ready: 3 * 300m / 3000m = 30%; ratio 30/150 = 0.2 -> missing pod = 1000m * 150 / 100 = 1500m
    // recompute: (900 + 1500) / 4000 = 60%; 60/150 = 0.4; ceil(0.4 * 4) = ceil(1.6) = 2
    expect(proposal(cpuUtil(150), pods("300m", "300m", "300m", null), 4).proposal).toBe(2);
  });
  it("count as 0% on a scale-up", () => {
    // ready: 3 * 1500m / 3000m = 150%; ratio 1.5 -> missing pod = 0
    // recompute: 4500 / 4000 = 112.5% -> 112; 1.12 > 1.1; ceil(1.12 * 4) = ceil(4.48) = 5
    expect(proposal(cpuUtil(100), pods("1500m", "1500m", "1500m", null), 4).proposal).toBe(5);
  });
  it("cancel a scale-up that the recompute turns into a scale-down (direction flip)", () => {
    // ready: 3 * 1200m -> 120%; ratio 1.2 -> missing = 0 -> 3600/4000 = 90% -> 0.9 < 1: direction flipped -> keep 4
    expect(proposal(cpuUtil(100), pods("1200m", "1200m", "1200m", null), 4).proposal).toBe(4);
  });
  it("keep current replicas when the recomputed ratio is inside the tolerance", () => {
    // ready: 3 * 1400m -> 140% -> missing = 0 -> 4200/4000 = 105% -> 1.05 within -> keep 4
    expect(proposal(cpuUtil(100), pods("1400m", "1400m", "1400m", null), 4).proposal).toBe(4);
  });
});

describe("unready / pending / ignored pods", () => {
  it("pending pods count as 0% on a scale-up", () => {
    // ready: 2 * 1000m / 2000m = 100%; 100/50 = 2 > 1 with 1 unready (Pending) pod -> it counts as 0 with its request 3000m
    // recompute: 2000 / (2000 + 3000) = 40%; 40/50 = 0.8 < 1: direction flipped -> keep 3
    const p = [pod("1000m"), pod("1000m"), pod(null, "3", { phase: "Pending" })];
    expect(proposal(cpuUtil(50), p, 3).proposal).toBe(3);
  });
  it("pending pods count as 0% on a scale-up (no flip)", () => {
    // ready 100% -> ratio 2; pending pod (request 500m) at 0: 2000 / 2500 = 80%; 80/50 = 1.6; ceil(1.6 * 3) = ceil(4.8) = 5
    const p = [pod("1000m"), pod("1000m"), pod(null, "500m", { phase: "Pending" })];
    expect(proposal(cpuUtil(50), p, 3).proposal).toBe(5);
  });
  it("pending pods are left out of a scale-down", () => {
    // ready: 2 * 200m / 2000m = 20%; 20/50 = 0.4 < 1 -> the pending pod is simply ignored; ceil(0.4 * 2) = ceil(0.8) = 1
    const p = [pod("200m"), pod("200m"), pod(null, "1", { phase: "Pending" })];
    expect(proposal(cpuUtil(50), p, 3).proposal).toBe(1);
  });
  it("failed and deleting pods are ignored entirely (not even filled on a scale-up)", () => {
    // only the first pod counts: 1000m / 1000m = 100%; 100/50 = 2; no missing/unready -> ceil(2 * 1) = 2
    // (if the failed and deleting pods counted: 3000/3000 = 100% -> ceil(2 * 3) = 6)
    const p = [pod("1000m"), pod("1000m", "1", { phase: "Failed" }), pod("1000m", "1", { deleting: true })];
    expect(proposal(cpuUtil(50), p, 3).proposal).toBe(2);
  });
  it("succeeded pods are ignored like failed ones (kubernetes#141302; v1.34.4 still counted them)", () => {
    // only the running pod counts: 1000m / 1000m = 100%; 100/50 = 2; ceil(2 * 1) = 2 (counting both gave 4)
    const p = [pod("1000m"), pod("1000m", "1", { phase: "Succeeded" })];
    expect(proposal(cpuUtil(50), p, 2).proposal).toBe(2);
    // a Succeeded pod without a sample is not "missing at 100 % of request": 200m / 1000m = 20%, ratio 0.4 -> 1
    // (as missing: (200 + 1000) / 2000 = 60%, ratio 1.2 reverses the direction -> kept at 2)
    expect(proposal(cpuUtil(50), [pod("200m"), pod(null, "1", { phase: "Succeeded" })], 2).proposal).toBe(1);
  });
  it("errors when no ready pod has a sample", () => {
    const e = proposal(cpuUtil(50), [pod(null, "1", { phase: "Pending" }), pod(null)], 2);
    expect(e.error).toMatch(/did not receive metrics/);
  });
});

describe("CPU readiness rules (cpuInitializationPeriod / initialReadinessDelay)", () => {
  // Pod A: ready, 1000m of 1. Pod B: 1000m of 1, readiness varies.
  // B counted as ready:   2000/2000 = 100%; 100/50 = 2 -> ceil(2 * 2) = 4
  // B counted as unready: A alone 100% -> ratio 2 > 1 -> B at 0%: 1000/2000 = 50% -> ratio 1 -> within -> keep 2
  const A = pod("1000m");
  const run = (b: Partial<PodObservation>, metric: MetricSpec = cpuUtil(50)) => proposal(metric, [A, pod("1000m", "1", b)], 2).proposal;

  it("after the initialization period: a not-ready pod that has never been ready is unready", () => {
    // started 600s ago (>= 300s), Ready=False since 590s ago: 590 > 600 - 30 -> never been ready -> unready -> 2
    expect(run({ ready: false, startedSecondsAgo: 600, readyChangedSecondsAgo: 590 })).toBe(2);
  });
  it("after the initialization period: a pod that became not-ready later still counts", () => {
    // Ready=False since 100s ago: 100 > 570 is false -> it was ready before -> counted -> 4
    expect(run({ ready: false, startedSecondsAgo: 600, readyChangedSecondsAgo: 100 })).toBe(4);
  });
  it("within the initialization period: ready, but the sample window started before the readiness transition", () => {
    // started 60s ago (< 300s), ready since 5s ago, sample 0s old with a 15s window: 0 > 5 - 15 -> unready -> 2
    expect(run({ ready: true, startedSecondsAgo: 60, readyChangedSecondsAgo: 5 })).toBe(2);
  });
  it("within the initialization period: ready for longer than one metric window", () => {
    // ready since 50s ago: 0 > 50 - 15 is false -> ready -> 4
    expect(run({ ready: true, startedSecondsAgo: 60, readyChangedSecondsAgo: 50 })).toBe(4);
  });
  it("within the initialization period: not ready -> unready", () => {
    expect(run({ ready: false, startedSecondsAgo: 60, readyChangedSecondsAgo: 50 })).toBe(2);
  });
  it("no PodReady condition or no start time -> unready", () => {
    expect(run({ ready: null })).toBe(2);
    expect(run({ startedSecondsAgo: null })).toBe(2);
  });
  it("controller.cpuInitializationPeriodSeconds decides which rule applies", () => {
    // with a 30s initialization period, a pod started 60s ago is past it; ready since 5s (True) -> ready -> 4
    const r = proposal(cpuUtil(50), [A, pod("1000m", "1", { ready: true, startedSecondsAgo: 60, readyChangedSecondsAgo: 5 })], 2, {
      controller: { cpuInitializationPeriodSeconds: 30 },
    });
    expect(r.proposal).toBe(4);
  });
  it("non-CPU resources never look at readiness", () => {
    // memory: the never-ready pod counts -> 4
    expect(run({ ready: false, startedSecondsAgo: 600, readyChangedSecondsAgo: 590 }, memUtil(50))).toBe(4);
  });
});

describe("Resource AverageValue (GetRawResourceReplicas)", () => {
  it("uses the average usage vs the target value", () => {
    // (600m + 400m + 800m) / 3 = 600m; 600/200 = 3; ceil(3 * 3) = 9
    expect(proposal(resourceAvg("cpu", "200m"), pods("600m", "400m", "800m"), 3).proposal).toBe(9);
  });
  it("applies the CPU readiness rule too", () => {
    // B never ready -> unready: A alone 500m; 500/250 = 2 > 1 -> B at 0: (500 + 0) / 2 = 250 -> ratio 1 -> keep 2
    const b = pod("500m", "1", { ready: false, startedSecondsAgo: 600, readyChangedSecondsAgo: 590 });
    expect(proposal(resourceAvg("cpu", "250m"), [pod("500m"), b], 2).proposal).toBe(2);
    // memory: B counts: 500/250 = 2 -> ceil(2 * 2) = 4
    expect(proposal(resourceAvg("memory", "250m"), [pod("500m"), b], 2).proposal).toBe(4);
  });
  it("counts missing pods exactly at the target on a scale-down", () => {
    // ready: (100 + 100) / 2 = 100m; 100/500 = 0.2 -> missing = 500m: (200 + 500) / 3 = 233 (int); 233/500 = 0.466
    // ceil(0.466 * 3) = ceil(1.398) = 2
    expect(proposal(resourceAvg("cpu", "500m"), pods("100m", "100m", null), 3).proposal).toBe(2);
  });
  it("handles memory above 2^53 milli exactly", () => {
    // 3 pods * 4Ti: 4 * 2^40 = 4398046511104 bytes each; target 2Ti -> ratio 2; ceil(2 * 3) = 6
    expect(proposal(resourceAvg("memory", "2Ti"), pods("4Ti", "4Ti", "4Ti"), 3).proposal).toBe(6);
  });
});
