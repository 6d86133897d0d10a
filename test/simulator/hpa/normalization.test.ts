// normalizeDesiredReplicas (no behavior) and normalizeDesiredReplicasWithBehaviors.
// Metric: one External AverageValue metric with target 1, so the proposal is the observed value
// (ceil(value / 1)) as long as value / status is outside the 10% band.
import { describe, expect, it } from "vitest";
import { hpaReconcile, hpaStep, recordReconcile, ageHistory } from "../../../simulator/hpa/step.js";
import type { HorizontalPodAutoscalerBehavior, HpaHistory } from "../../../simulator/hpa/types.js";
import { externalAvg, hpaCase } from "./builders.js";

function run(o: {
  current: number;
  proposal: number;
  min?: number;
  max?: number;
  behavior?: HorizontalPodAutoscalerBehavior;
  history?: HpaHistory;
  controller?: { downscaleStabilizationSeconds?: number };
}) {
  const r = hpaReconcile(
    hpaCase({
      current: o.current,
      min: o.min ?? 1,
      max: o.max ?? 100,
      metrics: [externalAvg("load", "1")],
      observations: [{ value: String(o.proposal) }],
      ...(o.behavior !== undefined ? { behavior: o.behavior } : {}),
      ...(o.history !== undefined ? { history: o.history } : {}),
      ...(o.controller !== undefined ? { controller: o.controller } : {}),
    }),
  );
  expect(r.metricDesiredReplicas).toBe(o.proposal); // sanity: the metric proposes exactly o.proposal
  return r;
}

describe("no behavior: scale-up limit max(2*current, 4)", () => {
  it("limits to 2x current", () => {
    // current 3, proposal 20, max 100: limit max(6, 4) = 6 < 100 -> 6 (ScaleUpLimit)
    const r = run({ current: 3, proposal: 20 });
    expect(r.desiredReplicas).toBe(6);
    expect(r.limitReason).toBe("ScaleUpLimit");
  });
  it("allows at least 4", () => {
    // current 1, proposal 20: limit max(2, 4) = 4
    expect(run({ current: 1, proposal: 20 }).desiredReplicas).toBe(4);
  });
  it("maxReplicas wins when it is below the limit (TooManyReplicas)", () => {
    // current 8, proposal 20, max 10: limit 16 >= 10 -> 10
    const r = run({ current: 8, proposal: 20, max: 10 });
    expect(r.desiredReplicas).toBe(10);
    expect(r.limitReason).toBe("TooManyReplicas");
  });
  it("minReplicas (TooFewReplicas)", () => {
    // current 5, proposal 1, min 3 -> 3
    const r = run({ current: 5, proposal: 1, min: 3 });
    expect(r.desiredReplicas).toBe(3);
    expect(r.limitReason).toBe("TooFewReplicas");
  });
  it("records no scale events", () => {
    expect(run({ current: 3, proposal: 20 }).record.scaleUpEvent).toBeNull();
  });
});

describe("no behavior: downscale stabilization (max over the window)", () => {
  it("takes the highest recommendation younger than the window", () => {
    // current 8, proposal 3; recommendations 7 (60s ago, inside 300s) and 10 (400s ago, outside) -> max(3, 7) = 7
    const r = run({
      current: 8,
      proposal: 3,
      history: {
        recommendations: [
          { secondsAgo: 60, replicas: 7 },
          { secondsAgo: 400, replicas: 10 },
        ],
      },
    });
    expect(r.desiredReplicas).toBe(7);
    expect(r.reason).toMatch(/stabilized by the downscale stabilization window 300s/);
  });
  it("a recommendation exactly window seconds old still counts (not Before(cutoff))", () => {
    // 300 <= 300 -> counts: max(3, 7) = 7; at 300.5s it does not: 3
    expect(run({ current: 8, proposal: 3, history: { recommendations: [{ secondsAgo: 300, replicas: 7 }] } }).desiredReplicas).toBe(7);
    expect(run({ current: 8, proposal: 3, history: { recommendations: [{ secondsAgo: 300.5, replicas: 7 }] } }).desiredReplicas).toBe(3);
  });
  it("uses controller.downscaleStabilizationSeconds", () => {
    // window 30s: the 60s-old 7 no longer counts -> 3
    const r = run({
      current: 8,
      proposal: 3,
      history: { recommendations: [{ secondsAgo: 60, replicas: 7 }] },
      controller: { downscaleStabilizationSeconds: 30 },
    });
    expect(r.desiredReplicas).toBe(3);
  });
  it("does not slow down a scale-up", () => {
    // recommendations are only a floor: max(9, 2) = 9; limit max(2*5, 4) = 10 -> 9
    expect(run({ current: 5, proposal: 9, history: { recommendations: [{ secondsAgo: 30, replicas: 2 }] } }).desiredReplicas).toBe(9);
  });
});

describe("behavior: defaults", () => {
  it("scaleUp defaults: max(+4 pods, +100%) per 15s", () => {
    // current 4: Pods 4 + 4 = 8, Percent ceil(4 * 2) = 8 -> 8
    expect(run({ current: 4, proposal: 20, behavior: {} }).desiredReplicas).toBe(8);
    // current 10: Pods 14, Percent 20 -> Max -> 20
    const r = run({ current: 10, proposal: 30, behavior: {} });
    expect(r.desiredReplicas).toBe(20);
    expect(r.limitReason).toBe("ScaleUpLimit");
  });
  it("scaleDown defaults: 100% per 15s, and the 300s window from the controller flag", () => {
    // window: recommendation 9 at 100s ago counts -> downRec = max(4, 9) = 9; clamp(current 10, up 4, down 9) = 9
    expect(
      run({ current: 10, proposal: 4, behavior: {}, history: { recommendations: [{ secondsAgo: 100, replicas: 9 }] } }).desiredReplicas,
    ).toBe(9);
    // nothing in the window: limit trunc(10 * (1 - 1)) = 0 -> max(min 1, 0) = 1 -> proposal 4 allowed
    expect(run({ current: 10, proposal: 4, behavior: {} }).desiredReplicas).toBe(4);
  });
  it("an unset scaleDown window follows controller.downscaleStabilizationSeconds", () => {
    // window 60s: the 100s-old 9 does not count -> 4
    const r = run({
      current: 10,
      proposal: 4,
      behavior: { scaleDown: { selectPolicy: "Max" } },
      controller: { downscaleStabilizationSeconds: 60 },
      history: { recommendations: [{ secondsAgo: 100, replicas: 9 }] },
    });
    expect(r.desiredReplicas).toBe(4);
  });
  it("given policies replace the default list", () => {
    // scaleUp policies [Pods 1 / 60s]: 4 + 1 = 5
    expect(
      run({ current: 4, proposal: 10, behavior: { scaleUp: { policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] } } })
        .desiredReplicas,
    ).toBe(5);
  });
  it("the first reconcile (no history) cannot scale down: the initial recommendation is in the scaleDown window", () => {
    // recorded {5}: up window 0 -> ignored; down window 300 -> downRec = max(2, 5) = 5 -> clamp(5, 2, 5) = 5
    const r = hpaReconcile({
      ...hpaCase({ current: 5, metrics: [externalAvg("load", "1")], observations: [{ value: "2" }], behavior: {} }),
      history: null,
    });
    expect(r.desiredReplicas).toBe(5);
  });
});

describe("behavior: scale-up policies over recorded events", () => {
  it("events inside the period reduce the period-start replica count", () => {
    // current 8, 4 replicas added 10s ago: periodStart = 8 - 4 = 4 -> Pods 8, Percent ceil(4 * 2) = 8 -> limit 8 = current -> 8
    const r = run({
      current: 8,
      proposal: 30,
      behavior: {},
      history: { recommendations: [], scaleUpEvents: [{ secondsAgo: 10, change: 4 }] },
    });
    expect(r.desiredReplicas).toBe(8);
  });
  it("an event exactly periodSeconds old no longer counts", () => {
    // event 15s ago is not After(now - 15s): periodStart 8 -> Pods 12, Percent 16 -> 16
    const r = run({
      current: 8,
      proposal: 30,
      behavior: {},
      history: { recommendations: [], scaleUpEvents: [{ secondsAgo: 15, change: 4 }] },
    });
    expect(r.desiredReplicas).toBe(16);
  });
  it("selectPolicy Min picks the smallest change", () => {
    // current 10: Pods 14, Percent 20 -> Min -> 14
    expect(run({ current: 10, proposal: 30, behavior: { scaleUp: { selectPolicy: "Min" } } }).desiredReplicas).toBe(14);
  });
  it("selectPolicy Disabled forbids scaling up", () => {
    const r = run({ current: 10, proposal: 30, behavior: { scaleUp: { selectPolicy: "Disabled" } } });
    expect(r.desiredReplicas).toBe(10);
    expect(r.reason).toMatch(/scale-up disabled/);
  });
  it("scale-down events raise the period-start count", () => {
    // scaleUp [Pods 2 / 60s], current 6, 3 removed 30s ago: periodStart = 6 + 3 = 9 -> 11 -> 11
    const r = run({
      current: 6,
      proposal: 20,
      behavior: { scaleUp: { policies: [{ type: "Pods", value: 2, periodSeconds: 60 }] } },
      history: { recommendations: [], scaleDownEvents: [{ secondsAgo: 30, change: 3 }] },
    });
    expect(r.desiredReplicas).toBe(11);
  });
  it("maxReplicas below the policy limit (TooManyReplicas)", () => {
    // current 4: limit 8; max 6 -> 6
    const r = run({ current: 4, proposal: 50, max: 6, behavior: {} });
    expect(r.desiredReplicas).toBe(6);
    expect(r.limitReason).toBe("TooManyReplicas");
  });
  it("records the scale-up event", () => {
    expect(run({ current: 4, proposal: 20, behavior: {} }).record.scaleUpEvent).toBe(4); // 4 -> 8
  });
});

describe("behavior: scale-down policies", () => {
  const down0 = (rules: object): HorizontalPodAutoscalerBehavior => ({ scaleDown: { stabilizationWindowSeconds: 0, ...rules } });

  it("Pods policy", () => {
    // [Pods 2 / 60s], current 10: 10 - 2 = 8 -> proposal 3 raised to 8 (ScaleDownLimit)
    const r = run({ current: 10, proposal: 3, behavior: down0({ policies: [{ type: "Pods", value: 2, periodSeconds: 60 }] }) });
    expect(r.desiredReplicas).toBe(8);
    expect(r.limitReason).toBe("ScaleDownLimit");
  });
  it("Pods policy with a recent scale-down event", () => {
    // 3 removed 30s ago: periodStart = 10 + 3 = 13 -> 13 - 2 = 11 -> capped at current 10 -> no change
    const r = run({
      current: 10,
      proposal: 3,
      behavior: down0({ policies: [{ type: "Pods", value: 2, periodSeconds: 60 }] }),
      history: { recommendations: [], scaleDownEvents: [{ secondsAgo: 30, change: 3 }] },
    });
    expect(r.desiredReplicas).toBe(10);
  });
  it("Percent policy truncates toward zero", () => {
    // [Percent 50 / 60s], current 5: int(5 * 0.5) = int(2.5) = 2 -> proposal 1 raised to 2
    expect(
      run({ current: 5, proposal: 1, behavior: down0({ policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] }) }).desiredReplicas,
    ).toBe(2);
  });
  it("selectPolicy Max (default) removes the most; Min removes the least", () => {
    const policies = [
      { type: "Pods" as const, value: 1, periodSeconds: 60 },
      { type: "Percent" as const, value: 50, periodSeconds: 60 },
    ];
    // current 10: Pods 9, Percent int(10 * 0.5) = 5 -> Max change = min(9, 5) = 5; Min change = max(9, 5) = 9
    expect(run({ current: 10, proposal: 1, behavior: down0({ policies }) }).desiredReplicas).toBe(5);
    expect(run({ current: 10, proposal: 1, behavior: down0({ policies, selectPolicy: "Min" }) }).desiredReplicas).toBe(9);
  });
  it("scale-up events count against a scale-down period too", () => {
    // [Percent 50 / 60s], current 10, 4 added 5s ago: periodStart = 10 - 4 = 6 -> int(6 * 0.5) = 3 -> 3
    const r = run({
      current: 10,
      proposal: 1,
      behavior: down0({ policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] }),
      history: { recommendations: [], scaleUpEvents: [{ secondsAgo: 5, change: 4 }] },
    });
    expect(r.desiredReplicas).toBe(3);
  });
  it("selectPolicy Disabled forbids scaling down", () => {
    expect(run({ current: 10, proposal: 1, behavior: down0({ selectPolicy: "Disabled" }) }).desiredReplicas).toBe(10);
  });
  it("minReplicas above the policy floor (TooFewReplicas)", () => {
    // default 100%: floor 0; min 2 -> 2
    const r = run({ current: 3, proposal: 1, min: 2, behavior: down0({}) });
    expect(r.desiredReplicas).toBe(2);
    expect(r.limitReason).toBe("TooFewReplicas");
  });
  it("records the scale-down event as a positive change", () => {
    expect(run({ current: 10, proposal: 4, behavior: down0({}) }).record.scaleDownEvent).toBe(6);
  });
});

describe("behavior: stabilization windows", () => {
  it("scale-up uses the minimum over the scaleUp window", () => {
    // up window 60s: recs 5 (30s) counts, 3 (90s) does not -> upRec = min(10, 5) = 5
    // down window 300s: downRec = max(10, 5, 3) = 10 -> clamp(current 4, 5, 10) = 5; policy limit 8 -> 5
    const r = run({
      current: 4,
      proposal: 10,
      behavior: { scaleUp: { stabilizationWindowSeconds: 60 } },
      history: {
        recommendations: [
          { secondsAgo: 30, replicas: 5 },
          { secondsAgo: 90, replicas: 3 },
        ],
      },
    });
    expect(r.desiredReplicas).toBe(5);
    expect(r.reason).toMatch(/stabilized by the scaleUp window 60s/);
  });
  it("a recommendation exactly window seconds old does not count (After(cutoff) is strict)", () => {
    // up window 60s: rec at 60s is excluded -> upRec = 10 -> limit 8 -> 8
    const r = run({
      current: 4,
      proposal: 10,
      behavior: { scaleUp: { stabilizationWindowSeconds: 60 } },
      history: { recommendations: [{ secondsAgo: 60, replicas: 5 }] },
    });
    expect(r.desiredReplicas).toBe(8);
  });
  it("scale-down uses the maximum over the scaleDown window", () => {
    // down window 120s: recs 9 (100s) counts, 12 (150s) not -> downRec = max(4, 9) = 9; clamp(10, 4, 9) = 9
    const r = run({
      current: 10,
      proposal: 4,
      behavior: { scaleDown: { stabilizationWindowSeconds: 120 } },
      history: {
        recommendations: [
          { secondsAgo: 100, replicas: 9 },
          { secondsAgo: 150, replicas: 12 },
        ],
      },
    });
    expect(r.desiredReplicas).toBe(9);
    expect(r.reason).toMatch(/stabilized by the scaleDown window 120s/);
  });
  it("stabilization never moves past the current count", () => {
    // down window: recs 12 (100s) -> downRec 12; clamp(current 10, up 4, down 12) = 10 -> no change (not 12)
    const r = run({ current: 10, proposal: 4, behavior: {}, history: { recommendations: [{ secondsAgo: 100, replicas: 12 }] } });
    expect(r.desiredReplicas).toBe(10);
  });
});

describe("history helpers", () => {
  it("recordReconcile + ageHistory carry the controller memory to the next sync", () => {
    // sync 1 (no history): current 4 -> proposal 20 -> behavior default limit 8; records {4} initial, {20}, scale-up event +4
    const c1 = hpaCase({ current: 4, metrics: [externalAvg("load", "1")], observations: [{ value: "20" }], behavior: {} });
    delete c1.history;
    const r1 = hpaReconcile(c1);
    expect(r1.desiredReplicas).toBe(8);
    const h = ageHistory(recordReconcile(undefined, r1, c1), 15);
    expect(h.recommendations).toEqual([
      { secondsAgo: 15, replicas: 4 },
      { secondsAgo: 15, replicas: 20 },
    ]);
    expect(h.scaleUpEvents).toEqual([{ secondsAgo: 15, change: 4 }]);
    // sync 2, 15s later: the +4 event is exactly 15s old -> outside the 15s period; current 8 -> Pods 12, Percent 16 -> 16
    const r2 = hpaStep({ ...c1, currentReplicas: 8, history: h });
    expect(r2.desiredReplicas).toBe(16);
  });
  it("ageHistory keeps every entry (the controller never drops one); keepSeconds bounds a list on request", () => {
    const h = ageHistory({ recommendations: [{ secondsAgo: 3590, replicas: 3 }], scaleUpEvents: [{ secondsAgo: 10, change: 1 }] }, 15);
    expect(h.recommendations).toEqual([{ secondsAgo: 3605, replicas: 3 }]);
    const bounded = ageHistory(
      { recommendations: [{ secondsAgo: 3590, replicas: 3 }], scaleUpEvents: [{ secondsAgo: 10, change: 1 }] },
      15,
      3600,
    );
    expect(bounded.recommendations).toEqual([]);
    expect(bounded.scaleUpEvents).toEqual([{ secondsAgo: 25, change: 1 }]);
  });
  it("a new recommendation overwrites the last one older than the stabilization window(s), as horizontal.go stores it", () => {
    // no behavior: window 300 s; two entries older than 300 s: the later of them in list order is overwritten
    const c = hpaCase({ current: 4, metrics: [externalAvg("load", "1")], observations: [{ value: "4" }] });
    c.history = {
      recommendations: [
        { secondsAgo: 400, replicas: 9 },
        { secondsAgo: 100, replicas: 5 },
        { secondsAgo: 350, replicas: 7 },
      ],
    };
    const r = hpaReconcile(c);
    const h = recordReconcile(c.history, r, c);
    expect(h.recommendations).toEqual([
      { secondsAgo: 400, replicas: 9 },
      { secondsAgo: 100, replicas: 5 },
      { secondsAgo: 0, replicas: 4 },
    ]);
    // none old: appended
    const c2 = { ...c, history: { recommendations: [{ secondsAgo: 100, replicas: 5 }] } };
    expect(recordReconcile(c2.history, hpaReconcile(c2), c2).recommendations).toEqual([
      { secondsAgo: 100, replicas: 5 },
      { secondsAgo: 0, replicas: 4 },
    ]);
    // behavior: old only when older than both windows (scaleUp 0 s, scaleDown 300 s by default)
    const c3 = hpaCase({ current: 4, metrics: [externalAvg("load", "1")], observations: [{ value: "4" }], behavior: {} });
    c3.history = {
      recommendations: [
        { secondsAgo: 200, replicas: 6 },
        { secondsAgo: 301, replicas: 8 },
      ],
    };
    expect(recordReconcile(c3.history, hpaReconcile(c3), c3).recommendations).toEqual([
      { secondsAgo: 200, replicas: 6 },
      { secondsAgo: 0, replicas: 4 },
    ]);
  });
  it("a scale event overwrites the last outdated one (older than the direction's longest policy period; the mark persists)", () => {
    // default scaleUp policies: 4 pods / 100 % per 15 s -> events older than 15 s are outdated
    const c = hpaCase({ current: 4, metrics: [externalAvg("load", "1")], observations: [{ value: "20" }], behavior: {} });
    c.history = {
      recommendations: [],
      scaleUpEvents: [
        { secondsAgo: 40, change: 2 },
        { secondsAgo: 10, change: 1 },
        { secondsAgo: 20, change: 3 },
      ],
    };
    const r = hpaReconcile(c);
    expect(r.record.scaleUpEvent).toBe(3); // the +1 of 10 s ago counts in the 15 s period: 3 + max(4, 3) = 7
    const h = recordReconcile(c.history, r, c);
    expect(h.scaleUpEvents).toEqual([
      { secondsAgo: 40, change: 2, outdated: true },
      { secondsAgo: 10, change: 1 },
      { secondsAgo: 0, change: 3 },
    ]);
    expect(h.scaleDownEvents).toEqual([]);
  });
});
