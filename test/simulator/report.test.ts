/** Summary numbers from a hand-made timeline, the Markdown table, the CSV layout and the chart. */
import { describe, expect, it } from "vitest";
import { autoscalerModel } from "../../simulator/autoscaler.js";
import { chartSpec, renderChart, thinLine } from "../../simulator/chart.js";
import { clock, duration, markdownReport, summarize, summaryTable, timelineCsv } from "../../simulator/report.js";
import type { SimulationResult, Timeline } from "../../simulator/run.js";
import { podProfile } from "../../simulator/service-model.js";
import { envConfig } from "../helpers/env.js";

const prod = envConfig("prod");
const model = autoscalerModel(
  {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "inference", namespace: "ml-serving-prod" },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "inference" },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
    },
  },
  prod,
);

/**
 * 600 s: 10 users (1 req/s each) until 100 s, then 20 users; p95 0.3 s except 2 s in [100, 200)
 * and 0.9 s in [230, 240); replicas 2 until 20 s (settling), 3 until 150 s, then 5.
 */
function handMade(label: string): SimulationResult {
  const D = 600;
  const load = new Float64Array(D).map((_, t) => (t < 100 ? 10 : 20));
  const tl: Timeline = {
    length: D,
    users: load,
    rps: new Float64Array(D).fill(10),
    desired: new Int32Array(D).map((_, t) => (t < 20 ? 2 : t < 150 ? 3 : 5)),
    ready: new Int32Array(D).map((_, t) => (t < 20 ? 2 : t < 240 ? 3 : 5)),
    cpuPct: new Float64Array(D).fill(50),
    latency: new Float64Array(D).map((_, t) => (t >= 100 && t < 200 ? 2 : t >= 230 && t < 240 ? 0.9 : 0.3)),
    inFlight: new Float64Array(D).fill(1.5),
    queue: new Float64Array(D).fill(0.25),
    backlog: new Float64Array(D),
    slow: new Float64Array(D).map((_, t) => ((t >= 100 && t < 200) || (t >= 230 && t < 240) ? 10 : 0)),
    failed: new Float64Array(D),
    metricValues: [new Float64Array(D).fill(50)],
    fallback: new Uint8Array(D),
    prometheusUp: new Uint8Array(D).fill(1),
  };
  return {
    label,
    env: "prod",
    scenario: { name: "hand", description: "hand-made", unit: "users", load, prometheusOutages: [] },
    model,
    pod: podProfile(prod),
    quantile: 0.95,
    sloThresholdSeconds: 0.5,
    pricePerPodHour: 0.2,
    timeline: tl,
    events: [
      { t: 20, from: 2, to: 3, by: "hpa", reason: "settling | before the load rises" },
      { t: 150, from: 3, to: 5, by: "hpa", reason: "cpu" },
    ],
    initialReplicas: 2,
    settings: {
      scrapeIntervalSeconds: 15,
      queryWindow: "2m",
      hpaSyncSeconds: 15,
      metricsServerResolutionSeconds: 15,
      warmupSeconds: 900,
      memoryUtilization: 0.5,
      requestTimeoutSeconds: 60,
    },
  };
}

describe("summarize", () => {
  const s = summarize(handMade("cpu-hpa"));

  it("times the response from the load rise, not from a settling scale-up before it", () => {
    expect(s.loadRiseAt).toBe(100);
    expect(s.firstScaleUpAt).toBe(150);
    expect(s.timeToFirstScaleUp).toBe(50);
  });

  it("counts a breach as over once p95 stays under the SLO for 60 s", () => {
    expect(s.firstBreachAt).toBe(100);
    // back under at 200 but breached again 230–239; under for good from 240
    expect(s.recoveredAt).toBe(240);
    expect(s.timeToRecover).toBe(140);
    expect(s.breachSeconds).toBe(110);
    expect(s.breachShare).toBeCloseTo(110 / 600, 12);
    expect(s.slowRequestShare).toBeCloseTo(1100 / 6000, 12);
    expect(s.worstLatency).toBe(2);
  });

  it("prices the pod-seconds: replica-hours × price, and per 1M requests", () => {
    // 2 × 20 + 3 × 130 + 5 × 450 = 2680 pod-seconds
    expect(s.replicaHours).toBeCloseTo(2680 / 3600, 12);
    expect(s.cost).toBeCloseTo((2680 / 3600) * 0.2, 12);
    expect(s.totalRequests).toBe(6000);
    expect(s.costPerMillionRequests).toBeCloseTo(((2680 / 3600) * 0.2 * 1e6) / 6000, 9);
    expect([s.startReplicas, s.peakReplicas, s.endReplicas, s.scaleEvents]).toEqual([2, 5, 5, 2]);
  });

  it("a run without a breach recovers in 0; one that never recovers says so", () => {
    const calm = handMade("calm");
    calm.timeline.latency.fill(0.3);
    expect(summarize(calm)).toMatchObject({ firstBreachAt: null, timeToRecover: 0, breachSeconds: 0 });
    const stuck = handMade("stuck");
    stuck.timeline.latency.fill(3, 100);
    expect(summarize(stuck)).toMatchObject({ firstBreachAt: 100, recoveredAt: null, timeToRecover: null });
  });
});

describe("formatting", () => {
  it("clock and duration", () => {
    expect([clock(0), clock(65), clock(3725)]).toEqual(["0:00", "1:05", "1:02:05"]);
    expect([duration(45), duration(140), duration(600), duration(7500)]).toEqual(["45 s", "2 min 20 s", "10 min", "2 h 5 min"]);
  });

  it("puts modes side by side in one table", () => {
    const t = summaryTable([handMade("cpu-hpa"), handMade("keda")]);
    const lines = t.split("\n");
    expect(lines[0]).toBe("| | cpu-hpa | keda |");
    expect(lines).toContain("| time to first scale-up | 50 s after the load rose | 50 s after the load rose |");
    expect(lines).toContain("| time until p95 is back under 500 ms | 2 min 20 s | 2 min 20 s |");
    expect(lines).toContain("| time in SLO breach | 18.3 % (1 min 50 s) | 18.3 % (1 min 50 s) |");
    expect(lines).toContain("| replica-hours | 0.74 | 0.74 |");
    expect(lines).toContain("| cost at $0.200/pod-hour | $0.149 | $0.149 |");
    expect(lines).toContain("| cost per 1M requests | $24.81 | $24.81 |");
  });

  it("writes a Markdown report with the table, the chart, the model and escaped event reasons", () => {
    const md = markdownReport([handMade("cpu-hpa")], { chart: "prod-hand.svg", csv: ["prod-hand-cpu-hpa.csv"] }, ["a note"]);
    expect(md).toMatch(/^# Scaling what-if: prod · hand · cpu-hpa\n/);
    expect(md).toContain("Note: a note.");
    expect(md).toContain("![load, replicas and p95 latency](prod-hand.svg)");
    expect(md).toContain("M/G/c");
    expect(md).toContain("Erlang C");
    expect(md).toContain("| 0:20 | 2 → 3 | hpa | settling \\| before the load rises |");
    expect(md).toContain("- `prod-hand-cpu-hpa.csv`: second-by-second timeline of cpu-hpa");
  });

  it("writes one CSV row per second with a column per metric", () => {
    const lines = timelineCsv(handMade("cpu-hpa")).trimEnd().split("\n");
    expect(lines[0]).toBe(
      "t,users,rps,desired_replicas,ready_replicas,cpu_pct,p95_s,in_flight,queue,backlog,slow_requests,failed_requests,m0_cpu_utilization_pct,keda_fallback,prometheus_up",
    );
    expect(lines.length).toBe(601);
    expect(lines[101]).toBe("100,20,10,3,3,50,2,1.5,0.25,0,10,0,50,0,1");
  });
});

describe("chart", () => {
  it("layers load, replicas and latency with the SLO line, one colour per mode", () => {
    const spec = chartSpec([handMade("cpu-hpa"), handMade("keda")]) as any;
    expect(spec.vconcat).toHaveLength(3);
    const latency = spec.vconcat[2].layer;
    expect(latency[0].encoding.y.scale).toEqual({ type: "log" });
    expect(latency.at(-1).data.values).toEqual([{ y: 0.5, label: "SLO 0.5 s" }]);
    expect(spec.vconcat[1].layer[0].encoding.color.scale.domain).toEqual(["cpu-hpa", "keda"]);
    expect(new Set(spec.vconcat[1].layer[0].data.values.map((v: any) => v.run))).toEqual(new Set(["cpu-hpa", "keda"]));
  });

  it("keeps overlapping replica lines apart (each later mode thinner on top, with a legend) and labels the timeout plateau", () => {
    const a = handMade("cpu-hpa");
    const b = handMade("keda");
    b.timeline.latency.fill(b.settings.requestTimeoutSeconds, 200, 260);
    const spec = chartSpec([a, b]) as any;
    const replicas = spec.vconcat[1].layer[0].encoding;
    expect(replicas.strokeWidth.scale).toEqual({ domain: ["cpu-hpa", "keda"], range: [5, 3.1] });
    expect(replicas.strokeWidth.title).toMatch(/replica line/);
    const labels = spec.vconcat[2].layer.flatMap((l: any) => l.data?.values ?? []).map((v: any) => v.label);
    expect(labels).toContain(`client timeout ${b.settings.requestTimeoutSeconds} s: requests fail, p95 capped`);
    // no plateau, no label
    const calm = chartSpec([a]) as any;
    expect(calm.vconcat[2].layer.flatMap((l: any) => l.data?.values ?? []).map((v: any) => v.label)).not.toContain(
      `client timeout ${a.settings.requestTimeoutSeconds} s: requests fail, p95 capped`,
    );
  });

  it("drops only the points that cannot change the drawn line (step lines keep changes, straight lines the ends of flat runs)", () => {
    const pts = [3, 3, 3, 5, 5, 4, 4, 4, 4].map((v, x) => ({ x, v }));
    const xs = (step: boolean) => thinLine(pts, (p) => p.v, step).map((p) => p.x);
    expect(xs(true)).toEqual([0, 3, 5, 8]);
    expect(xs(false)).toEqual([0, 2, 3, 4, 5, 8]);
    expect(thinLine([{ v: NaN }, { v: NaN }, { v: 1 }], (p) => p.v, true)).toHaveLength(2);
    // a step line through the kept points is the line through all of them: value at every x
    const kept = thinLine(pts, (p) => p.v, true);
    for (const p of pts) expect(kept.filter((k) => k.x <= p.x).at(-1)!.v).toBe(p.v);
    // the chart: a flat replica count is two points per line, not one per bucket
    const spec = chartSpec([handMade("cpu-hpa")]) as any;
    const desired = spec.vconcat[1].layer[0].data.values.filter((v: any) => v.kind === "desired");
    const changes = desired.filter((v: any, i: number) => i > 0 && v.replicas !== desired[i - 1].replicas).length;
    expect(desired.length).toBeLessThanOrEqual(changes + 2);
  });

  it("renders SVG, the same bytes every time", async () => {
    const a = await renderChart([handMade("cpu-hpa"), handMade("keda")]);
    const b = await renderChart([handMade("cpu-hpa"), handMade("keda")]);
    expect(a.startsWith("<svg")).toBe(true);
    expect(a).toContain("SLO 0.5 s");
    expect(a).toContain(">keda<");
    expect(a).toBe(b);
  });
});
