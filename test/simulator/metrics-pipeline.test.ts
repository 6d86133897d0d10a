/** Prometheus' histogram_quantile, windows over scrapes, lookback, outages; metrics-server windows. */
import { describe, expect, it } from "vitest";
import { histogramQuantile, LOOKBACK_SECONDS, MetricsServerModel, PrometheusModel } from "../../simulator/metrics-pipeline.js";

describe("histogramQuantile (Prometheus semantics)", () => {
  const bounds = [0.1, 0.5, 1, Infinity];

  it("interpolates linearly inside the bucket holding the rank (worked by hand)", () => {
    // 100 observations: 50 ≤ 0.1, 90 ≤ 0.5, 100 ≤ 1. rank(0.95) = 95 → bucket (0.5, 1], 5 of 10 → 0.75
    expect(histogramQuantile(0.95, bounds, [50, 90, 100, 100])).toBeCloseTo(0.75, 12);
    // rank(0.5) = 50 → first bucket, starting at 0: 0 + 0.1 × 50/50
    expect(histogramQuantile(0.5, bounds, [50, 90, 100, 100])).toBeCloseTo(0.1, 12);
    // rank(0.7) = 70 → (0.1, 0.5]: 0.1 + 0.4 × 20/40 = 0.3
    expect(histogramQuantile(0.7, bounds, [50, 90, 100, 100])).toBeCloseTo(0.3, 12);
  });

  it("answers the last finite bound when the rank falls in +Inf, NaN without observations", () => {
    expect(histogramQuantile(0.95, bounds, [0, 0, 10, 100])).toBe(1);
    expect(histogramQuantile(0.95, bounds, [0, 0, 0, 0])).toBeNaN();
  });
});

describe("PrometheusModel", () => {
  const bounds = [0.1, 0.5, 1, Infinity];
  const sample = (cum: number[], requests: number, queue: number, pods: number) => ({
    cumulativeBuckets: Float64Array.from(cum),
    requestsTotal: requests,
    queueTotal: queue,
    inFlightTotal: queue * 2,
    workerUtilizationTotal: pods * 0.5,
    pods,
  });

  it("computes histogram_quantile over the increase inside the window, not since the start", () => {
    const p = new PrometheusModel(bounds, 15, 120);
    p.record(0, sample([1000, 1000, 1000, 1000], 1000, 0, 3)); // old, fast traffic
    p.record(15, sample([1000, 1000, 1000, 1000], 1000, 0, 3));
    p.record(150, sample([1050, 1090, 1100, 1100], 1100, 0, 3));
    // window (30, 150]: only the sample at 150 → no rate
    expect(p.latencyQuantile(150, 0.95, 120)).toEqual({ ok: false, reason: "empty" });
    p.record(165, sample([1100, 1180, 1200, 1200], 1200, 0, 3));
    // (45, 165]: samples 150 and 165 → increase [50, 90, 100, 100] → 0.75
    const r = p.latencyQuantile(165, 0.95, 120);
    expect(r.ok).toBe(true);
    expect(r.ok && r.value).toBeCloseTo(0.75, 12);
    const rate = p.requestRate(165, 120, false);
    expect(rate.ok && rate.value).toBeCloseTo(100 / 15, 12);
  });

  it("answers 0 for a quantile over a window without requests (the guarded query)", () => {
    const p = new PrometheusModel(bounds, 15, 120);
    p.record(0, sample([5, 5, 5, 5], 5, 0, 3));
    p.record(15, sample([5, 5, 5, 5], 5, 0, 3));
    expect(p.latencyQuantile(20, 0.95, 120)).toEqual({ ok: true, value: 0 });
  });

  it("reads gauges from the latest sample within the 5 min lookback, aggregated over pods", () => {
    const p = new PrometheusModel(bounds, 15, 120);
    p.record(0, sample([0, 0, 0, 0], 0, 12, 4));
    expect(p.gauge(10, "queue", "sum")).toEqual({ ok: true, value: 12 });
    expect(p.gauge(10, "queue", "avg")).toEqual({ ok: true, value: 3 });
    expect(p.gauge(10, "in-flight", "max")).toEqual({ ok: true, value: 6 });
    expect(p.gauge(10, "worker-utilization", "avg")).toEqual({ ok: true, value: 0.5 });
    expect(p.gauge(LOOKBACK_SECONDS - 1, "queue", "sum").ok).toBe(true);
    expect(p.gauge(LOOKBACK_SECONDS, "queue", "sum")).toEqual({ ok: false, reason: "empty" });
  });

  it("fails every query while down", () => {
    const p = new PrometheusModel(bounds, 15, 120);
    p.record(0, sample([0, 0, 0, 0], 0, 12, 4));
    expect(p.query({ kind: "gauge", gauge: "queue", aggregation: "sum" }, 10, false)).toEqual({ ok: false, reason: "down" });
    expect(p.query({ kind: "gauge", gauge: "queue", aggregation: "sum" }, 10, true)).toEqual({ ok: true, value: 12 });
  });

  it("keeps only as many samples as the longest window needs (ring buffer)", () => {
    const p = new PrometheusModel(bounds, 1, 10);
    for (let t = 0; t < 1000; t++) p.record(t, sample([t, t, t, t], t, t, 1));
    const r = p.requestRate(999, 10, false);
    expect(r.ok && r.value).toBeCloseTo(1, 12);
    expect(p.gauge(999, "queue", "sum")).toEqual({ ok: true, value: 999 });
  });
});

describe("MetricsServerModel", () => {
  it("samples the average of the last resolution window on its grid", () => {
    const m = new MetricsServerModel(15);
    for (let t = 0; t < 15; t++) m.observe(t, t < 5 ? 0 : 3, 14);
    // sample at t = 14: average of 5 × 0 and 10 × 3
    expect(m.sampleTime).toBe(14);
    expect(m.sampleCores).toBeCloseTo(2, 12);
    m.observe(15, 3, 14);
    expect(m.sampleTime).toBe(14); // next sample at 29
  });
});
