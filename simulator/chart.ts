/**
 * The chart: load, replicas (desired dashed, ready solid; each later run thinner on top, so runs
 * at the same count stay visible) and the latency quantile against the SLO line (and the client
 * timeout, labelled, when the p95 reaches it), one colour per run, Prometheus outages shaded. A vega-lite spec compiled to vega and
 * rendered headless with View.toSVG() (no canvas: text is measured by vega's estimator).
 * Long runs are downsampled to about 1000 points (max per bucket for replicas and latency, so
 * peaks survive), then points that cannot change the drawn line are dropped (thinLine): vega's
 * cost grows with the points it lays out, and replica counts stay flat for minutes.
 */
import type { TopLevelSpec } from "vega-lite";
import type { SimulationResult } from "./run.js";

const MAX_POINTS = 1000;
/** Latencies are drawn on a log axis: clamp to this floor and mark ∞ at the ceiling. */
const LATENCY_FLOOR = 0.01;

interface Downsampled {
  readonly load: { x: number; rps: number }[];
  readonly replicas: { x: number; run: string; kind: string; replicas: number; order: number }[];
  readonly latency: { x: number; run: string; latency: number }[];
}

/**
 * The points of one line that shape it. A step-after line (`step`) needs only the points where the
 * value changes; a straight-segment line only the two ends of each run of equal values (the
 * segment between them is flat). The first and last points always stay, so the line spans the run.
 */
export function thinLine<T>(points: readonly T[], value: (p: T) => number, step: boolean): T[] {
  return points.filter((p, i) => {
    if (i === 0 || i === points.length - 1) return true;
    const v = value(p);
    if (!Object.is(v, value(points[i - 1]!))) return true;
    return !step && !Object.is(v, value(points[i + 1]!));
  });
}

function downsample(results: readonly SimulationResult[], xScale: number): Downsampled {
  const D = results[0]!.timeline.length;
  const step = Math.max(1, Math.ceil(D / MAX_POINTS));
  const out: Downsampled = { load: [], replicas: [], latency: [] };
  const r0 = results[0]!.timeline;
  for (let a = 0; a < D; a += step) {
    const b = Math.min(D, a + step);
    let s = 0;
    for (let t = a; t < b; t++) s += r0.rps[t]!;
    out.load.push({ x: round(a / xScale), rps: round(s / (b - a)) });
  }
  let ceiling = 0;
  for (const r of results)
    for (let t = 0; t < D; t++)
      if (Number.isFinite(r.timeline.latency[t]!) && r.timeline.latency[t]! > ceiling) ceiling = r.timeline.latency[t]!;
  for (const [order, r] of results.entries()) {
    const tl = r.timeline;
    const desiredLine: Downsampled["replicas"] = [];
    const readyLine: Downsampled["replicas"] = [];
    const latencyLine: Downsampled["latency"] = [];
    for (let a = 0; a < D; a += step) {
      const b = Math.min(D, a + step);
      let desired = 0;
      let ready = 0;
      let lat = NaN;
      for (let t = a; t < b; t++) {
        if (tl.desired[t]! > desired) desired = tl.desired[t]!;
        if (tl.ready[t]! > ready) ready = tl.ready[t]!;
        const l = tl.latency[t]!;
        if (!Number.isNaN(l) && !(l <= lat)) lat = l;
      }
      const x = round(a / xScale);
      desiredLine.push({ x, run: r.label, kind: "desired", replicas: desired, order });
      readyLine.push({ x, run: r.label, kind: "ready", replicas: ready, order });
      if (!Number.isNaN(lat))
        latencyLine.push({ x, run: r.label, latency: round(Math.max(LATENCY_FLOOR, Number.isFinite(lat) ? lat : Math.max(ceiling, 1))) });
    }
    out.replicas.push(...thinLine(desiredLine, (p) => p.replicas, true), ...thinLine(readyLine, (p) => p.replicas, true));
    out.latency.push(...thinLine(latencyLine, (p) => p.latency, false));
  }
  return { ...out, load: thinLine(out.load, (p) => p.rps, false) };
}

/** Decades (and 2, 5 between them when the range is narrow) covering the latencies drawn. */
function latencyTicks(points: readonly { latency: number }[]): number[] {
  let lo = Infinity;
  let hi = 0;
  for (const p of points) {
    if (p.latency < lo) lo = p.latency;
    if (p.latency > hi) hi = p.latency;
  }
  if (!(hi > 0)) return [0.1, 1];
  const from = Math.floor(Math.log10(lo));
  const to = Math.ceil(Math.log10(hi));
  const steps = to - from <= 2 ? [1, 2, 5] : [1];
  const out: number[] = [];
  for (let e = from; e <= to; e++) for (const m of steps) out.push(round(m * 10 ** e));
  return out;
}

function round(v: number): number {
  return Number(v.toPrecision(6));
}

/** What every panel of the chart shares: the data, the time axis, the runs' colours. */
interface ChartFrame {
  readonly r0: SimulationResult;
  readonly data: Downsampled;
  /** Seconds per x unit (60: minutes, 3600: hours) and the axis' end. */
  readonly xScale: number;
  readonly xEnd: number;
  readonly runs: readonly string[];
  readonly x: { field: "x"; type: "quantitative"; title: string; scale: { domain: number[]; nice: false } };
  readonly color: { field: "run"; type: "nominal"; title: string; scale: { domain: readonly string[]; range: string[] } };
  /** Grey bands (and their labels) where Prometheus is down. */
  readonly outageLayer: readonly object[];
  readonly outageLabel: readonly object[];
}

const WIDTH = 760;
const HIDDEN_AXIS = { title: null, labels: false, ticks: false, domain: false };

function chartFrame(results: readonly SimulationResult[]): ChartFrame {
  const r0 = results[0]!;
  const D = r0.timeline.length;
  const hours = D > 3 * 3600;
  const xScale = hours ? 3600 : 60;
  const runs = results.map((r) => r.label);
  const outages = r0.scenario.prometheusOutages.map((w) => ({
    x0: round(w.startSeconds / xScale),
    x1: round(w.endSeconds / xScale),
    what: "Prometheus down",
  }));
  return {
    r0,
    data: downsample(results, xScale),
    xScale,
    xEnd: round(D / xScale),
    runs,
    x: {
      field: "x",
      type: "quantitative",
      title: hours ? "time (h)" : "time (min)",
      scale: { domain: [0, round(D / xScale)], nice: false },
    },
    color: {
      field: "run",
      type: "nominal",
      title: "mode",
      scale: { domain: runs, range: ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"] },
    },
    outageLayer: outages.length
      ? [
          {
            data: { values: outages },
            mark: { type: "rect" as const, color: "#999", opacity: 0.18 },
            encoding: { x: { field: "x0", type: "quantitative" as const }, x2: { field: "x1" } },
          },
        ]
      : [],
    outageLabel: outages.length
      ? [
          {
            data: { values: outages },
            mark: { type: "text" as const, align: "left" as const, baseline: "top" as const, dx: 3, dy: 3, fontSize: 10, color: "#555" },
            encoding: { x: { field: "x0", type: "quantitative" as const }, y: { value: 0 }, text: { field: "what" } },
          },
        ]
      : [],
  };
}

/** Top panel: the offered load. */
function loadPanel(f: ChartFrame): object {
  return {
    width: WIDTH,
    height: 110,
    layer: [
      {
        data: { values: f.data.load },
        mark: { type: "area", color: "#888", opacity: 0.35, line: { color: "#555", strokeWidth: 1 } },
        encoding: { x: { ...f.x, axis: { ...HIDDEN_AXIS } }, y: { field: "rps", type: "quantitative", title: "load (req/s)" } },
      },
      ...f.outageLayer,
    ],
  };
}

/** Middle panel: ready and desired replicas per run. */
function replicasPanel(f: ChartFrame): object {
  const runs = f.runs;
  return {
    width: WIDTH,
    height: 150,
    layer: [
      {
        data: { values: f.data.replicas },
        mark: { type: "line", interpolate: "step-after" },
        encoding: {
          x: { ...f.x, axis: { ...HIDDEN_AXIS } },
          y: { field: "replicas", type: "quantitative", title: "replicas" },
          color: f.color,
          strokeDash: {
            field: "kind",
            type: "nominal",
            title: "replicas",
            scale: {
              domain: ["ready", "desired"],
              range: [
                [1, 0],
                [5, 3],
              ],
            },
          },
          // modes often sit on the same count (both at maxReplicas): each later mode is drawn
          // thinner on top of the earlier ones, so overlapping lines stay visible as a wide
          // band with a thin line inside; the legend names the widths
          strokeWidth: {
            field: "run",
            type: "ordinal",
            sort: runs,
            title: "replica line (drawn on top of each other)",
            scale: { domain: runs, range: runs.map((_, i) => round(Math.max(1.2, 5 - 1.9 * i))) },
          },
          order: { field: "order", type: "quantitative" },
          detail: { field: "kind" },
        },
      },
      ...f.outageLayer,
      ...f.outageLabel,
    ],
  };
}

/** A p95 at the client timeout is a plateau of failing requests, not a latency: a rule says so on the chart. */
function timeoutLayer(f: ChartFrame, results: readonly SimulationResult[]): object[] {
  const timeout = f.r0.settings.requestTimeoutSeconds;
  if (!results.some((r) => r.timeline.latency.some((l) => l >= timeout))) return [];
  return [
    {
      data: { values: [{ y: timeout, label: `client timeout ${timeout} s: requests fail, p95 capped` }] },
      layer: [
        {
          mark: { type: "rule" as const, color: "#b00", strokeDash: [1, 3] },
          encoding: { y: { field: "y", type: "quantitative" as const } },
        },
        {
          mark: { type: "text" as const, align: "right" as const, dx: -4, dy: 10, fontSize: 11, color: "#b00" },
          encoding: {
            y: { field: "y", type: "quantitative" as const },
            x: { datum: f.xEnd, type: "quantitative" as const },
            text: { field: "label" },
          },
        },
      ],
    },
  ];
}

/** Bottom panel: the latency quantile per run (log scale) against the SLO threshold. */
function latencyPanel(f: ChartFrame, results: readonly SimulationResult[]): object {
  const q = `p${Number((f.r0.quantile * 100).toPrecision(6))}`;
  const thr = f.r0.sloThresholdSeconds;
  return {
    width: WIDTH,
    height: 170,
    layer: [
      {
        data: { values: f.data.latency },
        mark: { type: "line", strokeWidth: 1.6 },
        encoding: {
          x: f.x,
          y: {
            field: "latency",
            type: "quantitative",
            title: `${q} latency (s, log)`,
            scale: { type: "log" },
            axis: { values: latencyTicks(f.data.latency), format: "~g" },
          },
          color: f.color,
        },
      },
      ...f.outageLayer,
      ...timeoutLayer(f, results),
      {
        data: { values: [{ y: thr, label: `SLO ${thr} s` }] },
        layer: [
          { mark: { type: "rule", color: "#000", strokeDash: [2, 2] }, encoding: { y: { field: "y", type: "quantitative" } } },
          {
            mark: { type: "text", align: "left", dx: 4, dy: -6, fontSize: 11 },
            encoding: { y: { field: "y", type: "quantitative" }, x: { datum: 0, type: "quantitative" }, text: { field: "label" } },
          },
        ],
      },
    ],
  };
}

/** The vega-lite spec of the chart (exported for tests): load, replicas and latency panels over one time axis. */
export function chartSpec(results: readonly SimulationResult[]): TopLevelSpec {
  const f = chartFrame(results);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: `${f.r0.env} · ${f.r0.scenario.name}: ${f.runs.join(" vs ")}`, anchor: "start", fontSize: 15 },
    config: {
      font: "sans-serif",
      view: { stroke: "#ddd" },
      axis: { labelFontSize: 11, titleFontSize: 11 },
      legend: { labelFontSize: 11, titleFontSize: 11 },
    },
    spacing: 6,
    resolve: { scale: { color: "shared", strokeDash: "shared" } },
    vconcat: [loadPanel(f), replicasPanel(f), latencyPanel(f, results)],
  } as TopLevelSpec;
}

/** The chart as SVG text. */
export async function renderChart(results: readonly SimulationResult[]): Promise<string> {
  // vega and vega-lite (≈2 MB of modules) load only when a chart is drawn, not with the simulator.
  const [vega, { compile }] = await Promise.all([import("vega"), import("vega-lite")]);
  const spec = compile(chartSpec(results)).spec;
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
