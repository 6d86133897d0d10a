// simulator/hpa/replica-calculator.ts in process: status.currentMetrics per metric type (the CLI tests
// see them only through a child process), the readiness rules at their boundaries, the recompute's
// direction checks, int32/int64 limits and exact integer arithmetic, malformed observations, and the
// detail each proposal explains itself with.
import { describe, expect, it } from "vitest";
import { HpaCaseError } from "../../../simulator/hpa/replica-calculator.js";
import { hpaReconcile } from "../../../simulator/hpa/step.js";
import type { MetricObservation, MetricSpec, PodObservation } from "../../../simulator/hpa/types.js";
import {
  cpuUtil,
  externalAvg,
  externalValue,
  hpaCase,
  memUtil,
  objectAvg,
  objectValue,
  pod,
  pods,
  podsAvg,
  resourceAvg,
} from "./builders.js";

const MAX_INT32 = 2147483647;

function evaluate(metric: MetricSpec, observation: MetricObservation, current: number, extra: Partial<Parameters<typeof hpaCase>[0]> = {}) {
  return hpaReconcile(hpaCase({ current, metrics: [metric], observations: [observation], ...extra })).metrics[0]!;
}

describe("status.currentMetrics, as computeStatusFor*Metric writes it", () => {
  it("Resource Utilization: the integer percent and the average usage", () => {
    expect(evaluate(cpuUtil(50), { pods: pods("500m", "900m", "700m") }, 3).status).toEqual({
      type: "Resource",
      resource: { name: "cpu", current: { averageUtilization: 70, averageValue: 0.7 } },
    });
  });

  it("ContainerResource: the container named beside the resource", () => {
    const metric: MetricSpec = {
      type: "ContainerResource",
      containerResource: { name: "cpu", container: "app", target: { type: "Utilization", averageUtilization: 60 } },
    };
    expect(evaluate(metric, { pods: pods("900m", "600m") }, 2).status).toEqual({
      type: "ContainerResource",
      containerResource: { name: "cpu", container: "app", current: { averageUtilization: 75, averageValue: 0.75 } },
    });
  });

  it("Resource AverageValue and Pods: the average per ready pod only", () => {
    expect(evaluate(resourceAvg("memory", "1Gi"), { pods: pods("1Gi", "3Gi") }, 2).status).toEqual({
      type: "Resource",
      resource: { name: "memory", current: { averageValue: 2147483648 } },
    });
    expect(evaluate(podsAvg("in_flight", "10"), { pods: pods("12", "18", "30") }, 3).status).toEqual({
      type: "Pods",
      pods: { metric: { name: "in_flight" }, current: { averageValue: 20 } },
    });
  });

  it("Object Value: the value; Object AverageValue: ceil(value / status replicas)", () => {
    expect(evaluate(objectValue("rps", "100"), { value: "250", readyPods: 2 }, 2).status).toEqual({
      type: "Object",
      object: { describedObject: { kind: "Service", name: "web" }, metric: { name: "rps" }, current: { value: 250 } },
    });
    expect(evaluate(objectAvg("rps", "50"), { value: "301" }, 4, { status: 4 }).status).toEqual({
      type: "Object",
      object: { describedObject: { kind: "Service", name: "web" }, metric: { name: "rps" }, current: { averageValue: 75.25 } },
    });
  });

  it("External Value: the summed series", () => {
    expect(evaluate(externalValue("p95", "500m"), { values: ["1", "250m"], readyPods: 2 }, 2).status).toEqual({
      type: "External",
      external: { metric: { name: "p95" }, current: { value: 1.25 } },
    });
  });

  it("a failed metric leaves the empty MetricStatus", () => {
    expect(evaluate(externalAvg("q", "1"), { error: "timeout" }, 2).status).toEqual({ type: "" });
    expect(evaluate(cpuUtil(50), { pods: [] }, 2).status).toEqual({ type: "" });
  });
});

describe("CPU readiness rules at their boundaries", () => {
  // cpuInitializationPeriod 300 s and initial readiness delay 30 s (the defaults); the sample window is given (30 s).
  const two = (extra: Partial<PodObservation>) => evaluate(cpuUtil(50), { pods: [pod("900m"), pod("900m", "1", extra)] }, 2);

  it("within the initialization period a sample taken exactly one window after the readiness transition counts", () => {
    // Timestamp.Before(transition + window): 0 s ago vs changed 30 s ago - window 30 s -> not before -> ready
    const counted = two({ startedSecondsAgo: 60, readyChangedSecondsAgo: 30, sampleSecondsAgo: 0, sampleWindowSeconds: 30 });
    expect(counted.detail).toMatch(/pods: 2 ready\)/);
    const early = two({ startedSecondsAgo: 60, readyChangedSecondsAgo: 29, sampleSecondsAgo: 0, sampleWindowSeconds: 30 });
    expect(early.detail).toMatch(/pods: 1 ready, 1 unready\)/);
  });

  it("after it, a not-ready pod whose transition is exactly the readiness delay after its start counts", () => {
    // StartTime + delay After(transition): started 600 s ago + 30 s vs transition 570 s ago -> not after -> counts
    expect(two({ ready: false, startedSecondsAgo: 600, readyChangedSecondsAgo: 570 }).detail).toMatch(/pods: 2 ready\)/);
    expect(two({ ready: false, startedSecondsAgo: 600, readyChangedSecondsAgo: 571 }).detail).toMatch(/pods: 1 ready, 1 unready\)/);
  });

  it("a not-ready pod with no start time or transition given has never been ready (started long ago, transition at start)", () => {
    const p: PodObservation = { value: "900m", request: "1", ready: false };
    expect(evaluate(cpuUtil(50), { pods: [pod("900m"), p] }, 2).detail).toMatch(/pods: 1 ready, 1 unready\)/);
  });

  it("a pod without a PodReady condition (ready null) is unready; one with no ready field is ready", () => {
    expect(two({ ready: null }).detail).toMatch(/pods: 1 ready, 1 unready\)/);
    const noField: PodObservation = { value: "900m", request: "1" };
    expect(evaluate(cpuUtil(50), { pods: [pod("900m"), noField] }, 2).detail).toMatch(/pods: 2 ready\)/);
  });
});

describe("the recompute with unready and missing pods", () => {
  it("a ratio of exactly 1 with unready pods keeps current (no scale-up, so no recompute)", () => {
    // 2 ready pods at 500m/1 = 50% of target 50 -> ratio 1; 2 pending pods would halve it if filled in
    const podList = [...pods("500m", "500m"), pod(null, "1", { phase: "Pending" }), pod(null, "1", { phase: "Pending" })];
    const e = evaluate(cpuUtil(50), { pods: podList }, 4);
    expect(e.proposal).toBe(4);
    expect(e.detail).toBe("cpu utilization 50% of request vs target 50% (ratio 1; pods: 2 ready, 2 unready); within tolerance -> 4");
  });

  it("unready pods are left out of a scale-down (not counted at 0%)", () => {
    // 2 ready at 400m -> 40% of 50 -> ratio 0.8 -> ceil(0.8 * 2) = 2, the pending pod not filled in (the detail has no
    // "unready pods counted" step; filled in at 0% it would be 800m / 3000m = 26% -> ratio 0.52 over 3 pods)
    const podList = [...pods("400m", "400m"), pod(null, "1", { phase: "Pending" })];
    const e = evaluate(cpuUtil(50), { pods: podList }, 3);
    expect(e.detail).toBe("cpu utilization 40% of request vs target 50% (ratio 0.8; pods: 2 ready, 1 unready); ceil(0.8 * 2) = 2");
    expect(e.proposal).toBe(2);
  });

  it("a scale-down that missing pods at 100% turn into a scale-up keeps current (direction reversed)", () => {
    // 1 ready pod at 200m of 1 CPU = 20% of target 50 -> ratio 0.4 (scale down);
    // 3 missing pods counted at 100%: (200 + 3000)m / 4000m = 80% -> ratio 1.6 -> reversed -> keep 4
    const podList = [pod("200m"), pod(null), pod(null), pod(null)];
    const e = evaluate(cpuUtil(50), { pods: podList }, 4);
    expect(e.proposal).toBe(4);
    expect(e.detail).toBe(
      "cpu utilization 20% of request vs target 50% (ratio 0.4; pods: 1 ready, 3 missing); missing pods counted at 100% of request: 80% (ratio 1.6) over 4 pods; within tolerance or direction reversed -> 4",
    );
  });

  it("missing pods on a scale-up count at 0%, and the detail names each fill-in", () => {
    // 2 ready at 900m = 90% of 50 -> 1.8; 1 missing at 0% and 1 pending at 0%: 1800m / 4000m = 45% -> 0.9 -> reversed -> 4
    const podList = [...pods("900m", "900m"), pod(null), pod(null, "1", { phase: "Pending" })];
    expect(evaluate(cpuUtil(50), { pods: podList }, 4).detail).toBe(
      "cpu utilization 90% of request vs target 50% (ratio 1.8; pods: 2 ready, 1 missing, 1 unready); missing pods counted at 0%, unready pods counted at 0%: 45% (ratio 0.9) over 4 pods; within tolerance or direction reversed -> 4",
    );
  });

  it("a scale-up with unready pods that stays a scale-up gives ceil(new ratio × pods)", () => {
    // 3 ready at 1000m = 100% of 40 -> 2.5; 1 pending at 0%: 3000m / 4000m = 75% -> 1.875 -> ceil(7.5) = 8
    const podList = [...pods("1", "1", "1"), pod(null, "1", { phase: "Pending" })];
    const e = evaluate(cpuUtil(40), { pods: podList }, 4);
    expect(e.proposal).toBe(8);
    expect(e.detail).toBe(
      "cpu utilization 100% of request vs target 40% (ratio 2.5; pods: 3 ready, 1 unready); unready pods counted at 0%: 75% (ratio 1.875) over 4 pods; ceil(1.875 * 4) = 8",
    );
  });

  it("Pods metric: missing pods at the target on a scale-down, with the detail", () => {
    // 2 ready at 2 of target 10 -> 0.2; 2 missing at 10: (4 + 20) / 4 = 6 -> 0.6 -> ceil(2.4) = 3 < current 4
    const e = evaluate(podsAvg("in_flight", "10"), { pods: [...pods("2", "2"), pod(null), pod(null)] }, 4);
    expect(e.proposal).toBe(3);
    expect(e.detail).toBe(
      "in_flight average 2000m vs target 10 = 10000m (ratio 0.2; pods: 2 ready, 2 missing); missing pods counted at the target: average 6000m (ratio 0.6) over 4 pods; ceil(0.6 * 4) = 3",
    );
  });

  it("the error for no usable sample lists every group", () => {
    const podList = [pod(null), pod("1", "1", { phase: "Pending" }), pod("1", "1", { deleting: true })];
    expect(evaluate(cpuUtil(50), { pods: podList }, 3).error).toBe(
      "did not receive metrics for targeted pods (pods might be unready) [0 ready, 1 missing, 1 unready, 1 ignored]",
    );
  });

  it("a ready pod named in a request error, by name or by index", () => {
    expect(evaluate(memUtil(50), { pods: [pod("1Gi", "2Gi"), pod("1Gi", null)] }, 2).error).toBe(
      "missing request for memory in pod pods[1]",
    );
    expect(evaluate(memUtil(50), { pods: [pod("1Gi", "2Gi"), { ...pod("1Gi", null), name: "web-2" }] }, 2).error).toBe(
      "missing request for memory in pod web-2",
    );
  });
});

describe("int32 and int64 limits", () => {
  it("a proposal beyond int32 is clamped to 2147483647 (Go's int32(math.Ceil) would be undefined)", () => {
    expect(evaluate(externalAvg("q", "1m"), { value: "1e15" }, 2).proposal).toBe(MAX_INT32);
    expect(evaluate(podsAvg("q", "1m"), { pods: pods("1e12") }, 1).proposal).toBe(MAX_INT32);
    expect(evaluate(externalValue("q", "1m"), { value: "1e15", readyPods: 3 }, 3).proposal).toBe(MAX_INT32);
  });

  it("an External Value sum that would overflow int64 saturates at its maximum", () => {
    // two series of 9e15 (9e18 milli each): the sum 1.8e19 milli is above int64's 9.22e18
    const e = evaluate(externalValue("q", "1"), { values: ["9e15", "9e15"], readyPods: 1 }, 1);
    expect(e.status).toEqual({
      type: "External",
      external: { metric: { name: "q" }, current: { value: Number((1n << 63n) - 1n) / 1000 } },
    });
  });

  it("sums External Value series exactly (a negative series lowers the sum)", () => {
    expect(evaluate(externalValue("q", "1"), { values: ["5", "-2", "1"], readyPods: 2 }, 2).status).toEqual({
      type: "External",
      external: { metric: { name: "q" }, current: { value: 4 } },
    });
  });

  it("sums per-pod External series exactly", () => {
    // AverageValue: ceil(sum / target) = ceil(7 / 2) = 4
    expect(evaluate(externalAvg("q", "2"), { values: ["3", "4"] }, 1).proposal).toBe(4);
  });

  it("divides and sums beyond 2^53 milli exactly", () => {
    // 3 pods of 3000000000003m (3e12 + 3 milli): the sum 9000000000009m is safe, the usage per pod exact
    const podList = pods("3000000000003m", "3000000000003m", "3000000000003m");
    expect(evaluate(podsAvg("x", "1"), { pods: podList }, 3).status).toEqual({
      type: "Pods",
      pods: { metric: { name: "x" }, current: { averageValue: 3000000000.003 } },
    });
    // 2 pods of 2^62 milli each: the sum 2^63 exceeds 2^53 (BigInt), the average is exact 2^62 milli
    const huge = pods("4611686018427387904m", "4611686018427387904m");
    const e = evaluate(podsAvg("x", "4611686018427387904m"), { pods: huge }, 2);
    expect(e.proposal).toBe(2);
    expect(e.detail).toMatch(/^x average 4611686018427387904m vs target/);
  });

  it("utilization over huge requests and usages is exact", () => {
    // usage 2^60 milli on a request of 2^61 milli per pod: 50%
    const big = [pod("1152921504606846976m", "2305843009213693952m"), pod("1152921504606846976m", "2305843009213693952m")];
    const e = evaluate(memUtil(50), { pods: big }, 2);
    expect(e.status).toMatchObject({ resource: { current: { averageUtilization: 50 } } });
    expect(e.proposal).toBe(2);
  });
});

describe("malformed observations", () => {
  it("an External observation needs value or values", () => {
    expect(() => evaluate(externalAvg("q", "1"), {}, 1)).toThrow("External metric observation needs value or values");
    expect(() => evaluate(externalValue("q", "1"), { readyPods: 1 }, 1)).toThrow("External metric observation needs value or values");
  });

  it("an Object observation needs a value", () => {
    expect(() => evaluate(objectValue("q", "1"), { readyPods: 1 }, 1)).toThrow("Object metric observation needs a value");
  });

  it("a pod metric needs a pods array", () => {
    expect(() => evaluate(cpuUtil(50), { value: "1" }, 1)).toThrow("observation needs a pods array for this metric type");
  });

  it("a Value target needs the ready pod count unless it scales from zero", () => {
    expect(() => evaluate(externalValue("q", "1"), { value: "5" }, 2)).toThrow(/needs the ready pod count/);
    expect(evaluate(externalValue("q", "1"), { value: "5" }, 0, { min: 0 }).proposal).toBe(5);
  });

  it("names the pod and field of an unparsable sample or request", () => {
    expect(() => evaluate(cpuUtil(50), { pods: [{ ...pod("lots"), name: "web-0" }] }, 1)).toThrow(/^pod web-0: value: /);
    expect(() => evaluate(cpuUtil(50), { pods: [pod("1", "a lot")] }, 1)).toThrow(/^pod pods\[0\]: request: /);
  });

  it("an error observation fails only its own metric", () => {
    const e = evaluate(externalAvg("q", "1"), { error: "no series" }, 2);
    expect(e).toMatchObject({ proposal: null, error: "unable to fetch metrics: no series" });
    // an observation with error null is a plain observation
    expect(evaluate(externalAvg("q", "1"), { error: null, value: "3" } as unknown as MetricObservation, 2).proposal).toBe(3);
  });
});

describe("targets and labels", () => {
  it("Object: the Value target counts ready pods, AverageValue divides by the target", () => {
    const value = evaluate(objectValue("rps", "100"), { value: "300", readyPods: 2 }, 4);
    expect(value.label).toBe("Object Service/web rps");
    expect(value.detail).toBe("value 300 vs target value 100 (ratio 3); ceil(3 * 2 ready pods) = 6");
    const avg = evaluate(objectAvg("rps", "100"), { value: "300" }, 2);
    expect(avg.detail).toBe("value 300 vs target averageValue 100 (ratio 1.5 over 2 status replicas); ceil(300000 / 100000) = 3");
  });

  it("an Object target without describedObject, and the Pods and ContainerResource labels", () => {
    const bare: MetricSpec = { type: "Object", object: { metric: { name: "rps" }, target: { type: "Value", value: "1" } } };
    expect(evaluate(bare, { value: "1", readyPods: 1 }, 1).label).toBe("Object rps");
    expect(evaluate(podsAvg("in_flight", "1"), { pods: pods("1") }, 1).label).toBe("Pods in_flight");
    const cr: MetricSpec = {
      type: "ContainerResource",
      containerResource: { name: "memory", container: "app", target: { type: "AverageValue", averageValue: "1Gi" } },
    };
    const e = evaluate(cr, { pods: pods("1Gi") }, 1);
    expect(e.label).toBe("ContainerResource memory/app");
    expect(e.detail).toBe(
      "memory usage average 1073741824000m vs target 1Gi = 1073741824000m (ratio 1; pods: 1 ready); within tolerance -> 1",
    );
  });

  it("External: the Value and AverageValue details; from zero replicas no tolerance applies", () => {
    expect(evaluate(externalValue("q", "10"), { value: "25", readyPods: 2 }, 2).detail).toBe(
      "sum 25000m vs target value 10 (ratio 2.5); ceil(2.5 * 2 ready pods) = 5",
    );
    expect(evaluate(externalAvg("q", "10"), { value: "25" }, 2).detail).toBe(
      "sum 25000m vs target averageValue 10 (ratio 1.25 over 2 status replicas); ceil(25000 / 10000) = 3",
    );
    expect(evaluate(externalValue("q", "10"), { value: "10500m" }, 0, { min: 0 }).detail).toBe(
      "sum 10500m vs target value 10 (ratio 1.05); current replicas 0: ceil(1.05) = 2",
    );
  });
});

describe("more boundaries of the calculators", () => {
  it("a scale-up whose recomputed count falls below current keeps current", () => {
    // current 6, 2 ready pods at 100 % of target 50 (ratio 2), 1 missing at 0 %: 2000m / 3000m = 66 % -> 1.32 -> ceil(3.96) = 4 < 6
    const e = evaluate(cpuUtil(50), { pods: [...pods("1", "1"), pod(null)] }, 6);
    expect(e.proposal).toBe(6);
    expect(e.detail).toBe(
      "cpu utilization 100% of request vs target 50% (ratio 2; pods: 2 ready, 1 missing); missing pods counted at 0%: 66% (ratio 1.32) over 3 pods; ceil(1.32 * 3) = 4 reverses direction -> 6",
    );
  });

  it("Utilization at exactly the target with a missing pod: no fill-in either way", () => {
    expect(evaluate(cpuUtil(50), { pods: [...pods("500m", "500m"), pod(null)] }, 3).detail).toBe(
      "cpu utilization 50% of request vs target 50% (ratio 1; pods: 2 ready, 1 missing); : 50% (ratio 1) over 2 pods; within tolerance or direction reversed -> 3",
    );
  });

  it("requests summing to zero are an error, not a division", () => {
    expect(evaluate(cpuUtil(50), { pods: [pod("100m", "0")] }, 1).error).toBe("no metrics returned matched known pods");
  });

  it("Pods metric: unready pods only on a scale-up, missing pods at 0 on a scale-up, nothing at exactly the target", () => {
    const pending = pod(null, "1", { phase: "Pending" });
    expect(evaluate(podsAvg("q", "10"), { pods: [...pods("10", "10"), pending] }, 3).detail).toBe(
      "q average 10000m vs target 10 = 10000m (ratio 1; pods: 2 ready, 1 unready); within tolerance -> 3",
    );
    expect(evaluate(podsAvg("q", "10"), { pods: [...pods("5", "5"), pending] }, 3).detail).toBe(
      "q average 5000m vs target 10 = 10000m (ratio 0.5; pods: 2 ready, 1 unready); ceil(0.5 * 2) = 1",
    );
    expect(evaluate(podsAvg("q", "10"), { pods: [...pods("20", "20", "20"), pending, pending, pending] }, 6).detail).toBe(
      "q average 20000m vs target 10 = 10000m (ratio 2; pods: 3 ready, 3 unready); unready pods counted at 0: average 10000m (ratio 1) over 6 pods; within tolerance or direction reversed -> 6",
    );
    expect(evaluate(podsAvg("q", "10"), { pods: [...pods("30", "30"), pod(null)] }, 3).detail).toBe(
      "q average 30000m vs target 10 = 10000m (ratio 3; pods: 2 ready, 1 missing); missing pods counted at 0: average 20000m (ratio 2) over 3 pods; ceil(2 * 3) = 6",
    );
    expect(evaluate(podsAvg("q", "10"), { pods: [...pods("10", "10"), pod(null)] }, 3).detail).toBe(
      "q average 10000m vs target 10 = 10000m (ratio 1; pods: 2 ready, 1 missing); : average 10000m (ratio 1) over 2 pods; within tolerance or direction reversed -> 3",
    );
  });

  it("Pods metric: no pods, or no pod with a sample, is an error", () => {
    expect(evaluate(podsAvg("q", "10"), { pods: [] }, 2).error).toBe("no pods returned by selector while calculating replica count");
    expect(evaluate(podsAvg("q", "10"), { pods: [pod(null)] }, 2).error).toBe(
      "did not receive metrics for targeted pods (pods might be unready) [0 ready, 1 missing]",
    );
  });

  it("Value targets count Running pods that are ready or say nothing about readiness; none at all is an error", () => {
    const running = { value: null, request: null };
    const readyPods = [
      { ...running, ready: true },
      { ...running },
      { ...running, ready: false },
      { ...running, ready: true, phase: "Pending" as const },
    ];
    // ratio 3 * 2 counted pods = 6
    expect(evaluate(externalValue("q", "10"), { value: "30", pods: readyPods }, 4).proposal).toBe(6);
    expect(evaluate(externalValue("q", "10"), { value: "30", pods: [] }, 4).error).toBe(
      "unable to calculate ready pods: no pods returned by selector while calculating replica count",
    );
    // the case-level pod list when the observation has none
    expect(evaluate(externalValue("q", "10"), { value: "30" }, 4, { pods: readyPods }).proposal).toBe(6);
  });

  it("a per-pod External sum of exactly 0 is 0, not an overflow", () => {
    const e = evaluate(externalAvg("q", "10"), { value: "0" }, 2);
    expect(e.proposal).toBe(0);
    expect(e.status).toEqual({ type: "External", external: { metric: { name: "q" }, current: { averageValue: 0 } } });
  });

  it("targets without a usable value are invalid metric sources", () => {
    const resource = { type: "Resource", resource: { name: "cpu", target: { type: "Utilization" } } } as unknown as MetricSpec;
    expect(evaluate(resource, { pods: pods("1") }, 1).error).toBe(
      "invalid resource metric source: neither an average utilization target nor an average value (usage) target was set",
    );
    const podsMetric = { type: "Pods", pods: { metric: { name: "q" }, target: { type: "AverageValue" } } } as unknown as MetricSpec;
    expect(evaluate(podsMetric, { pods: pods("1") }, 1).error).toBe("invalid pods metric source: no average value target was set");
    const object = { type: "Object", object: { metric: { name: "q" }, target: { type: "Value" } } } as unknown as MetricSpec;
    expect(evaluate(object, { value: "1", readyPods: 1 }, 1).error).toBe(
      "invalid object metric source: neither a value target nor an average value target was set",
    );
    const external = { type: "External", external: { metric: { name: "q" }, target: { type: "Value" } } } as unknown as MetricSpec;
    expect(evaluate(external, { value: "1", readyPods: 1 }, 1).error).toBe(
      "invalid external metric source: neither a value target nor an average value target was set",
    );
    const unknown = { type: "Bogus" } as unknown as MetricSpec;
    expect(evaluate(unknown, { value: "1" }, 1)).toMatchObject({
      label: "unknown Bogus",
      error: 'unknown metric source type "Bogus"',
      status: { type: "" },
    });
  });

  it("names the field of an unparsable target or External value", () => {
    expect(() => evaluate(podsAvg("q", "lots"), { pods: pods("1") }, 1)).toThrow(/^target\.averageValue: /);
    expect(() => evaluate(externalValue("q", "lots"), { value: "1", readyPods: 1 }, 1)).toThrow(/^target\.value: /);
    expect(() => evaluate(externalAvg("q", "1"), { value: "lots" }, 1)).toThrow(/^observation value: /);
    expect(() => evaluate(externalAvg("q", "1"), { value: null } as unknown as MetricObservation, 1)).toThrow(
      "External metric observation needs value or values",
    );
  });
});

describe("refusals name the field, with the HPA case code and fix", () => {
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(HpaCaseError);
      const err = e as HpaCaseError;
      expect(err.problems[0]).toMatchObject({
        code: "HPA_CASE_INVALID",
        fix: "correct the case as the autoscaling/v2 API and simulator/hpa/types.ts describe it",
      });
      return err.message.replace(/: invalid quantity "lots".*/, "");
    }
    throw new Error("no refusal");
  };

  it("an unparsable target or observation value", () => {
    expect(refusal(() => evaluate(podsAvg("q", "lots"), { pods: pods("1", "1") }, 2))).toBe("target.averageValue");
    expect(refusal(() => evaluate(objectValue("q", "lots"), { value: "1" }, 2))).toBe("target.value");
    expect(refusal(() => evaluate(objectAvg("q", "lots"), { value: "1" }, 2))).toBe("target.averageValue");
    expect(refusal(() => evaluate(externalAvg("q", "lots"), { value: "1" }, 2))).toBe("target.averageValue");
    expect(refusal(() => evaluate(objectValue("q", "1"), { value: "lots" }, 2))).toBe("observation value");
  });

  it("within tolerance, the detail says so with the count kept", () => {
    expect(evaluate(objectValue("q", "1"), { value: "1" }, 2).detail).toBe("value 1 vs target value 1 (ratio 1); within tolerance -> 2");
    expect(evaluate(externalAvg("q", "1"), { value: "2" }, 2).detail).toBe(
      "sum 2000m vs target averageValue 1 (ratio 1 over 2 status replicas); within tolerance -> status replicas 2",
    );
  });
});

describe("exactness past the fast paths", () => {
  it("utilization: a usage whose ×100 leaves the safe integers is divided exactly (100 %, not 99 %)", () => {
    // 400000000000001m × 100 = 40000000000000100, which a float rounds to ...096: divided by the request, 99.99… → 99
    const e = evaluate(memUtil(50), { pods: [pod("400000000000.001", "400000000000.001")] }, 1);
    expect(e.status).toMatchObject({ resource: { current: { averageUtilization: 100 } } });
    expect(e.proposal).toBe(2);
  });

  it("a pod list longer than the scratch buffers: every pod is classified and summed (200 pods, then 1000)", () => {
    for (const n of [200, 1000]) {
      // the first half idle, the second at 2 CPU of a 1 CPU request: 100 % on average; a pod past any fixed size is missing
      const list = Array.from({ length: n }, (_, i) => ({ ...pod(i < n / 2 ? "0" : "2"), name: `p${i}` }));
      const e = evaluate(memUtil(100), { pods: list }, n, { max: 5000 });
      expect(e.status).toMatchObject({ resource: { current: { averageUtilization: 100, averageValue: 1 } } });
      expect(e.detail).toBe(`memory utilization 100% of request vs target 100% (ratio 1; pods: ${n} ready); within tolerance -> ${n}`);
    }
  });
});

describe("int64 division truncates toward zero, as Go's", () => {
  it("averages of negative and of inexact sums", () => {
    const avg = (...values: string[]) => evaluate(podsAvg("q", "1"), { pods: pods(...values) }, values.length).detail.split(" vs ")[0];
    expect(avg("-2", "-4")).toBe("q average -3000m");
    expect(avg("-1m", "-2m")).toBe("q average -1m");
    expect(avg("1m", "2m")).toBe("q average 1m");
    expect(avg("-1m", "-2m", "-3m", "-5m")).toBe("q average -2m");
    expect(avg("1m", "2m", "3m", "5m")).toBe("q average 2m");
    expect(avg("5m", "-2m")).toBe("q average 1m");
    expect(avg("-5m", "2m")).toBe("q average -1m");
  });
});

describe("int32(math.Ceil) of negative ratios", () => {
  it("a ceil of a small negative number is 0, not -0; below the int32 range it clamps to its minimum", () => {
    // Object AverageValue: ceil(-1000m / 10000m) = -0 in float
    expect(evaluate(objectAvg("q", "10"), { value: "-1" }, 1).proposal).toBe(0);
    // from zero replicas: ceil(ratio -0.1)
    expect(evaluate(externalValue("q", "10"), { value: "-1" }, 0, { min: 0 }).proposal).toBe(0);
    expect(evaluate(podsAvg("q", "1m"), { pods: pods("-1e12") }, 1).proposal).toBe(-2147483648);
  });
});

describe("sums of safe values that leave the safe integers", () => {
  it("continue exactly in BigInt, either sign (a float sum would round: the average would be off by one milli)", () => {
    const avg = (...values: string[]) => evaluate(podsAvg("q", "1"), { pods: pods(...values) }, values.length).detail.split(" vs ")[0];
    // 6004799503160662 + 6004799503160661 + 6004799503160663 = 18014398509481986 (above 2^54: a float holds multiples of 4)
    expect(avg("6004799503160.662", "6004799503160.661", "6004799503160.663")).toBe("q average 6004799503160662m");
    expect(avg("-6004799503160.662", "-6004799503160.661", "-6004799503160.663")).toBe("q average -6004799503160662m");
  });
});

describe("missing pods filled in at their request, exactly", () => {
  // an idle ready pod and `missing` pods without a sample, all with the same request
  const recomputed = (request: string, missing: number) => {
    const list = [pod("0", request), ...Array.from({ length: missing }, () => pod(null, request))];
    return evaluate(memUtil(80), { pods: list }, missing + 1).detail.split("; ")[2];
  };
  it("a request whose ×100 leaves the safe integers (a float would make it 1m less: 50 % → 49 %)", () => {
    // 400000000000001m × 100 is 40000000000000100, a float ...096: / 100 = 400000000000000m, not ...001
    expect(recomputed("400000000000.001", 1)).toBe("missing pods counted at 100% of request: 50% (ratio 0.625) over 2 pods");
  });
  it("requests beyond 2^53 milli: each missing pod adds its own (BigInt) request", () => {
    expect(recomputed("10000000000000", 2)).toBe("missing pods counted at 100% of request: 66% (ratio 0.825) over 3 pods");
  });
});

describe("utilization outside the int32 range", () => {
  const util = (usage: string, request = "100m") => {
    const e = evaluate(memUtil(50), { pods: [pod(usage, request)] }, 1);
    return e.error ?? (e.status as { resource: { current: { averageUtilization: number } } }).resource.current.averageUtilization;
  };
  it("is an error past either bound; the bounds themselves are utilizations", () => {
    expect(util("2147483647m")).toBe(2147483647);
    expect(util("2147483648m")).toBe("resource utilization 2147483648 is outside the int32 range");
    expect(util("-2147483648m")).toBe(-2147483648);
    expect(util("-2147483649m")).toBe("resource utilization -2147483649 is outside the int32 range");
    expect(util("1e15", "1m")).toBe("resource utilization 100000000000000000000 is outside the int32 range");
  });
});

describe("details print milli-values beyond 2^53 exactly", () => {
  it("a Pods target and average, and a per-pod External sum, of 9007199254740993m (2^53 + 1)", () => {
    expect(evaluate(podsAvg("x", "9007199254740993m"), { pods: pods("9007199254740993m") }, 1).detail).toMatch(
      /^x average 9007199254740993m vs target 9007199254740993m = 9007199254740993m \(ratio 1;/,
    );
    expect(evaluate(externalAvg("q", "1"), { value: "9007199254740993m" }, 1).detail).toMatch(
      /^sum 9007199254740993m vs target averageValue 1 /,
    );
  });
  it("a Resource metric without pods is an error", () => {
    expect(evaluate(cpuUtil(50), { pods: [] }, 2).error).toBe("no pods returned by selector while calculating replica count");
  });
});

describe("observations and targets at the edges of the case's shape", () => {
  it("ratios print with six significant digits", () => {
    expect(evaluate(podsAvg("q", "3"), { pods: pods("2") }, 3).detail).toMatch(/\(ratio 0\.666667; pods: 1 ready\)/);
  });

  it("a usage whose ×100 is a multiple of 100 past 2^56 still divides exactly (100 %)", () => {
    const e = evaluate(memUtil(50), { pods: [pod("2000000000000.1", "2000000000000.1")] }, 1);
    expect(e.status).toMatchObject({ resource: { current: { averageUtilization: 100 } } });
  });

  it("a Pods scale-up names both fill-ins, comma-separated", () => {
    const list = [...pods("30", "30"), pod(null), pod(null, "1", { phase: "Pending" })];
    expect(evaluate(podsAvg("q", "10"), { pods: list }, 4).detail).toContain("; missing pods counted at 0, unready pods counted at 0: ");
  });

  it("readyPods: null counts the pods given instead", () => {
    const list = [pod(null), pod(null), pod(null, "1", { ready: false })];
    expect(
      evaluate(externalValue("q", "10"), { value: "30", readyPods: null, pods: list } as unknown as MetricObservation, 3).proposal,
    ).toBe(6);
  });

  it("an Object value of null, values of null beside a value, pods of null: each read as absent", () => {
    expect(() => evaluate(objectAvg("q", "1"), { value: null } as unknown as MetricObservation, 1)).toThrow(
      "Object metric observation needs a value",
    );
    expect(evaluate(externalAvg("q", "1"), { values: null, value: "5" } as unknown as MetricObservation, 1).proposal).toBe(5);
    expect(() => evaluate(podsAvg("q", "1"), { pods: null } as unknown as MetricObservation, 1)).toThrow(
      "observation needs a pods array for this metric type",
    );
    expect(evaluate(externalAvg("q", "1"), { error: null, value: "5" } as unknown as MetricObservation, 1).proposal).toBe(5);
  });

  it("an unparsable Resource averageValue target is named", () => {
    expect(() => evaluate(resourceAvg("memory", "lots"), { pods: pods("1") }, 1)).toThrow(/^target\.averageValue: /);
  });

  it("an Object target is read by its type: the other field is ignored, and a type without its field is invalid", () => {
    const obj = (target: object) => ({ type: "Object", object: { metric: { name: "q" }, target } }) as unknown as MetricSpec;
    // AverageValue with a value too: ceil(50 / 10) = 5, not 50 / 1 × ready pods
    expect(evaluate(obj({ type: "AverageValue", value: "1", averageValue: "10" }), { value: "50", readyPods: 1 }, 2).proposal).toBe(5);
    const invalid = "invalid object metric source: neither a value target nor an average value target was set";
    expect(evaluate(obj({ type: "Value", averageValue: "1" }), { value: "50", readyPods: 1 }, 2).error).toBe(invalid);
    expect(evaluate(obj({ type: "AverageValue", value: "1" }), { value: "50", readyPods: 1 }, 2).error).toBe(invalid);
  });

  it("status.currentMetrics holds only the fields the metric type has", () => {
    const status = evaluate(podsAvg("q", "1"), { pods: pods("2") }, 1).status as { pods: { current: object } };
    expect(Object.keys(status.pods.current)).toEqual(["averageValue"]);
  });

  it("missing pods on a scale-down add their request to a usage sum already past 2^53", () => {
    // a ready pod at 1e16m of a 1e17m request (10 %), a missing pod counted at 100 % of 1000m: (1e16 + 1000) / (1e17 + 1000) → 10 %
    const list = [pod("1e13", "1e14"), pod(null, "1")];
    expect(evaluate(memUtil(50), { pods: list }, 2).detail.split("; ")[2]).toBe(
      "missing pods counted at 100% of request: 10% (ratio 0.2) over 2 pods",
    );
  });
});
