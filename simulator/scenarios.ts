/**
 * Load scenarios: users (or requests/s) over time at 1 s resolution, plus the windows in which
 * Prometheus is down. Built-in shapes, or a user file (JSON or CSV) validated with errors that
 * name the file, the place and the fix.
 */
import { problem, UserError, type Problem } from "../problems/problem.js";
import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { parseClock } from "./cron.js";

/**
 * What the load values count: simulated users (× simulation.requestsPerUserPerSecond), requests
 * per second, or pods' worth of load (× the requests/s one pod serves at most): a scenario in
 * `pods` fits every env's capacity (2 = twice what one pod can serve).
 */
export type LoadUnit = "users" | "rps" | "pods";

/** A time window [startSeconds, endSeconds). */
export interface Window {
  readonly startSeconds: number;
  readonly endSeconds: number;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly unit: LoadUnit;
  /** Load at each second t = 0 … length − 1 (the run lasts `load.length` seconds). */
  readonly load: Float64Array;
  /** Windows in which Prometheus answers no query and scrapes nothing. */
  readonly prometheusOutages: readonly Window[];
  /** The wall clock at t = 0 (for cron triggers), as seconds after Monday 00:00. @default 0 */
  readonly clockOffsetSeconds?: number;
}

/** A scenario file the simulator refuses: one line per problem, no stack trace. */
export class ScenarioError extends UserError {
  constructor(
    readonly source: string,
    problems: readonly ScenarioProblem[],
  ) {
    super(
      problems.map((p) => problem({ code: "SCENARIO_INVALID", resource: `scenario ${source}`, ...p })),
      problems.map((p) => `scenario ${source}: ${p.path ? `${p.path}: ` : ""}${p.message}. Fix: ${p.fix}`).join("\n"),
    );
  }
}

/** A problem of a scenario file at `path` (a field, `points[i]`, `line n`; "" for the whole file). */
type ScenarioProblem = Pick<Problem, "path" | "message" | "fix">;

/** Longest scenario accepted: 7 days at 1 s resolution. */
export const MAX_SCENARIO_SECONDS = 7 * 86400;

/** A point of a piecewise-linear load curve. */
export interface LoadPoint {
  readonly t: number;
  readonly value: number;
}

/**
 * Samples a piecewise-linear (or step) curve at every second of [0, durationSeconds). Before the
 * first point and after the last, the curve holds the nearest point's value.
 */
export function sampleCurve(
  points: readonly LoadPoint[],
  durationSeconds: number,
  interpolation: "linear" | "step" = "linear",
): Float64Array {
  const out = new Float64Array(durationSeconds);
  let k = 0;
  for (let t = 0; t < durationSeconds; t++) {
    while (k + 1 < points.length && points[k + 1]!.t <= t) k++;
    const a = points[k]!;
    const b = points[k + 1];
    if (t < a.t || !b || interpolation === "step") out[t] = t < a.t ? points[0]!.value : a.value;
    else out[t] = a.value + ((t - a.t) / (b.t - a.t)) * (b.value - a.value);
  }
  return out;
}

const p = (t: number, value: number): LoadPoint => ({ t, value });

function curve(name: string, description: string, points: LoadPoint[], durationSeconds: number, outages: Window[] = []): Scenario {
  return { name, description, unit: "users", load: sampleCurve(points, durationSeconds), prometheusOutages: outages };
}

/** The spike: 5 min at 50 users, 50 → 400 in 30 s, 10 min at 400, back to 50, 24 min to settle. */
const SPIKE_POINTS = [p(0, 50), p(300, 50), p(330, 400), p(930, 400), p(960, 50)];
const SPIKE_SECONDS = 2400;

/** Diurnal day: trough 04:00, peak 16:00, 30 → 300 users on a raised cosine. */
function diurnal(): Scenario {
  const load = new Float64Array(86400);
  const low = 30;
  const high = 300;
  for (let t = 0; t < load.length; t++) {
    const phase = (2 * Math.PI * (t - 4 * 3600)) / 86400;
    load[t] = low + ((high - low) * (1 - Math.cos(phase))) / 2;
  }
  return {
    name: "diurnal",
    description: "24 h day: 30 users at 04:00 rising to 300 at 16:00 and back (raised cosine)",
    unit: "users",
    load,
    prometheusOutages: [],
  };
}

const BUILTIN: Readonly<Record<string, () => Scenario>> = {
  steady: () => curve("steady", "100 users for 30 min", [p(0, 100)], 1800),
  ramp: () => curve("ramp", "2 min at 50 users, 50 → 200 users over 8 min, 20 min at 200", [p(0, 50), p(120, 50), p(600, 200)], 1800),
  spike: () =>
    curve(
      "spike",
      "5 min at 50 users, 50 → 400 users in 30 s, 10 min at 400, back to 50 in 30 s, 24 min at 50",
      SPIKE_POINTS,
      SPIKE_SECONDS,
    ),
  diurnal,
  // A service that may scale to zero: the night empties it, the morning's first requests meet a cold start.
  "idle-night": () =>
    curve(
      "idle-night",
      "20 min at 5 users, none for 60 min (the night), 5 users again for 20 min",
      [p(0, 5), p(1199, 5), p(1200, 0), p(4799, 0), p(4800, 5)],
      6000,
    ),
  "prometheus-outage": () =>
    curve(
      "prometheus-outage",
      "the spike, with Prometheus down for 5 min mid-spike (t = 7:00 – 12:00): no scrapes, every Prometheus query fails",
      SPIKE_POINTS,
      SPIKE_SECONDS,
      [{ startSeconds: 420, endSeconds: 720 }],
    ),
};

export const BUILTIN_SCENARIOS = Object.keys(BUILTIN);

/** A built-in scenario by name, or a scenario file (.json or .csv) by path. */
export function loadScenario(nameOrPath: string): Scenario {
  const builtin = BUILTIN[nameOrPath];
  if (builtin) return builtin();
  const ext = extname(nameOrPath).toLowerCase();
  if (ext !== ".json" && ext !== ".csv") {
    throw new ScenarioError(nameOrPath, [
      {
        path: "",
        message: `"${nameOrPath}" is neither a built-in scenario nor a .json/.csv file`,
        fix: `use one of ${BUILTIN_SCENARIOS.join(", ")} or a scenario file (see docs/simulator.md)`,
      },
    ]);
  }
  let text: string;
  try {
    text = readFileSync(nameOrPath, "utf8");
  } catch (e) {
    throw new ScenarioError(nameOrPath, [
      { path: "", message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? "error"})`, fix: "check the path" },
    ]);
  }
  const name = basename(nameOrPath, extname(nameOrPath));
  return ext === ".json" ? parseScenarioJson(text, name, nameOrPath) : parseScenarioCsv(text, name, nameOrPath);
}

function finite(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** Checks a point list: times start at 0, strictly increase, values ≥ 0. */
function checkPoints(points: readonly LoadPoint[], where: (i: number) => string, problems: ScenarioProblem[]): void {
  if (points.length === 0) {
    problems.push({ path: "", message: "no load points", fix: "give at least one point, starting at t = 0" });
    return;
  }
  if (points[0]!.t !== 0)
    problems.push({ path: where(0), message: `the first point is at t = ${points[0]!.t}, not 0`, fix: "start the curve at t = 0" });
  points.forEach((pt, i) => {
    if (pt.t < 0) problems.push({ path: where(i), message: `time ${pt.t} is negative`, fix: "use seconds from the start, ≥ 0" });
    if (pt.value < 0) problems.push({ path: where(i), message: `load ${pt.value} is negative`, fix: "use a load ≥ 0" });
    if (i > 0 && pt.t <= points[i - 1]!.t) {
      problems.push({
        path: where(i),
        message: `time ${pt.t} is not after the previous point's ${points[i - 1]!.t}`,
        fix: "list points in strictly increasing time",
      });
    }
  });
}

function checkDuration(duration: number, where: string, problems: ScenarioProblem[]): void {
  if (!Number.isInteger(duration) || duration < 1 || duration > MAX_SCENARIO_SECONDS) {
    problems.push({
      path: where,
      message: `duration ${duration} s is not a whole number of seconds between 1 and ${MAX_SCENARIO_SECONDS} (7 days)`,
      fix: "give durationSeconds in that range",
    });
  }
}

/**
 * JSON scenario:
 * `{ "unit": "users" | "rps", "points": [[t, value], …] | [{"t": …, "users"|"rps": …}, …],
 *    "durationSeconds"?: n (default last t + 60), "interpolation"?: "linear" | "step",
 *    "prometheusOutages"?: [{"start": s, "end": s}], "description"?: "…",
 *    "startsAt"?: "mon 08:30" or "mon 08:30:15" (the wall clock at t = 0, for cron triggers; default Monday 00:00) }`
 */
export function parseScenarioJson(text: string, name: string, source = `${name}.json`): Scenario {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(source, [
      { path: "", message: `not valid JSON (${(e as Error).message.split("\n")[0]})`, fix: "correct the JSON syntax" },
    ]);
  }
  const problems: ScenarioProblem[] = [];
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new ScenarioError(source, [
      { path: "", message: "the file must hold a JSON object", fix: 'write {"unit": "users", "points": [[0, 50], [600, 200]]}' },
    ]);
  }
  const o = doc as Record<string, unknown>;
  const known = new Set(["name", "description", "unit", "points", "durationSeconds", "interpolation", "prometheusOutages", "startsAt"]);
  for (const k of Object.keys(o)) {
    if (!known.has(k)) problems.push({ path: k, message: `unknown field "${k}"`, fix: `remove it (fields: ${[...known].join(", ")})` });
  }
  const unit = o.unit;
  if (unit !== "users" && unit !== "rps" && unit !== "pods") {
    problems.push({
      path: "unit",
      message: `unit must be "users", "rps" or "pods" (got ${JSON.stringify(unit)})`,
      fix: 'set "unit": "users", "rps" or "pods" (multiples of one pod\'s capacity)',
    });
  }
  const interpolation = o.interpolation ?? "linear";
  if (interpolation !== "linear" && interpolation !== "step") {
    problems.push({
      path: "interpolation",
      message: `interpolation must be "linear" or "step" (got ${JSON.stringify(interpolation)})`,
      fix: 'use "linear" or "step"',
    });
  }
  const points: LoadPoint[] = [];
  if (!Array.isArray(o.points)) {
    problems.push({
      path: "points",
      message: "points is missing or not an array",
      fix: 'give "points": [[0, 50], [600, 200]] (seconds, load)',
    });
  } else {
    o.points.forEach((pt: unknown, i: number) => {
      const where = `points[${i}]`;
      let t: unknown;
      let v: unknown;
      if (Array.isArray(pt) && pt.length === 2) [t, v] = pt;
      else if (pt && typeof pt === "object" && !Array.isArray(pt)) {
        const po = pt as Record<string, unknown>;
        t = po.t;
        v = unit === "rps" ? po.rps : unit === "pods" ? po.pods : po.users;
        if (v === undefined) v = po.value;
      } else {
        problems.push({
          path: where,
          message:
            'a point must be [seconds, load] or {"t": seconds, "' + (unit === "rps" || unit === "pods" ? unit : "users") + '": load}',
          fix: "write it like [300, 120]",
        });
        return;
      }
      if (!finite(t) || !finite(v)) {
        problems.push({
          path: where,
          message: `time and load must be finite numbers (got ${JSON.stringify(t)}, ${JSON.stringify(v)})`,
          fix: "write it like [300, 120]",
        });
        return;
      }
      points.push({ t, value: v });
    });
    if (problems.every((x) => !x.path.startsWith("points["))) checkPoints(points, (i) => `points[${i}]`, problems);
  }
  const last = points.length ? points[points.length - 1]!.t : 0;
  const duration = o.durationSeconds === undefined ? Math.floor(last) + 60 : o.durationSeconds;
  if (!finite(duration))
    problems.push({ path: "durationSeconds", message: "durationSeconds must be a number", fix: "give the run length in seconds" });
  else checkDuration(duration, "durationSeconds", problems);
  const outages: Window[] = [];
  if (o.prometheusOutages !== undefined) {
    if (!Array.isArray(o.prometheusOutages)) {
      problems.push({
        path: "prometheusOutages",
        message: "prometheusOutages must be an array",
        fix: 'write [{"start": 420, "end": 720}]',
      });
    } else {
      o.prometheusOutages.forEach((w: unknown, i: number) => {
        const wo = (w ?? {}) as Record<string, unknown>;
        if (!finite(wo.start) || !finite(wo.end) || wo.start < 0 || wo.end <= wo.start) {
          problems.push({
            path: `prometheusOutages[${i}]`,
            message: "an outage needs numeric start ≥ 0 and end > start (seconds)",
            fix: 'write {"start": 420, "end": 720}',
          });
        } else outages.push({ startSeconds: wo.start, endSeconds: wo.end });
      });
    }
  }
  if (o.description !== undefined && typeof o.description !== "string")
    problems.push({ path: "description", message: "description must be a string", fix: "quote it" });
  let clockOffsetSeconds = 0;
  if (o.startsAt !== undefined) {
    const c = typeof o.startsAt === "string" ? parseClock(o.startsAt) : null;
    if (c === null)
      problems.push({
        path: "startsAt",
        message: `startsAt ${JSON.stringify(o.startsAt)} is not a weekday and a 24 h time`,
        fix: 'write it like "mon 08:30"',
      });
    else clockOffsetSeconds = c;
  }
  if (problems.length) throw new ScenarioError(source, problems);
  return {
    name: typeof o.name === "string" && /^[a-z0-9][a-z0-9-]*$/.test(o.name) ? o.name : slug(name),
    description: (o.description as string | undefined) ?? `from ${basename(source)}`,
    unit: unit as LoadUnit,
    load: sampleCurve(points, duration as number, interpolation as "linear" | "step"),
    prometheusOutages: outages,
    clockOffsetSeconds,
  };
}

/**
 * CSV scenario: a header `t,users` or `t,rps` (`seconds` also accepted for `t`), then one
 * `seconds,load` row per point; linear between points, held 60 s after the last. `#` lines are
 * comments.
 */
export function parseScenarioCsv(text: string, name: string, source = `${name}.csv`): Scenario {
  const problems: ScenarioProblem[] = [];
  const lines = text.split(/\r?\n/);
  let unit: LoadUnit | undefined;
  const points: LoadPoint[] = [];
  const lineOf: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === "" || raw.startsWith("#")) continue;
    const cells = raw.split(",").map((c) => c.trim());
    const where = `line ${i + 1}`;
    if (unit === undefined) {
      const [tName, vName] = cells.map((c) => c.toLowerCase());
      if (cells.length !== 2 || (tName !== "t" && tName !== "seconds") || (vName !== "users" && vName !== "rps" && vName !== "pods")) {
        throw new ScenarioError(source, [
          {
            path: where,
            message: `the header must be "t,users", "t,rps" or "t,pods" (got "${raw}")`,
            fix: "start the file with the line t,users (or t,rps, t,pods)",
          },
        ]);
      }
      unit = vName;
      continue;
    }
    if (cells.length !== 2) {
      problems.push({ path: where, message: `expected 2 columns, got ${cells.length}`, fix: "write seconds,load" });
      continue;
    }
    const t = Number(cells[0]);
    const v = Number(cells[1]);
    if (cells[0] === "" || cells[1] === "" || !Number.isFinite(t) || !Number.isFinite(v)) {
      problems.push({ path: where, message: `"${raw}" is not two numbers`, fix: "write seconds,load, e.g. 300,120" });
      continue;
    }
    points.push({ t, value: v });
    lineOf.push(i + 1);
  }
  if (unit === undefined)
    throw new ScenarioError(source, [{ path: "", message: "the file is empty", fix: "write a header t,users and one row per point" }]);
  if (problems.length === 0) checkPoints(points, (i) => `line ${lineOf[i] ?? "?"}`, problems);
  const duration = points.length ? Math.floor(points[points.length - 1]!.t) + 60 : 0;
  if (problems.length === 0) checkDuration(duration, "", problems);
  if (problems.length) throw new ScenarioError(source, problems);
  return { name: slug(name), description: `from ${basename(source)}`, unit, load: sampleCurve(points, duration), prometheusOutages: [] };
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "") || "scenario"
  );
}

/**
 * Requests per second at each second: users × requestsPerUserPerSecond, pods × one pod's
 * capacity (requests/s), or the rps as given.
 */
export function arrivalRates(s: Scenario, requestsPerUserPerSecond: number, podCapacityRps = NaN): Float64Array {
  if (s.unit === "rps") return s.load;
  const per = s.unit === "pods" ? podCapacityRps : requestsPerUserPerSecond;
  if (!(per >= 0)) throw new Error(`scenario ${s.name} is in pods: the pod's capacity is needed`);
  const out = new Float64Array(s.load.length);
  for (let i = 0; i < out.length; i++) out[i] = s.load[i]! * per;
  return out;
}

/** The scenario with every load value multiplied by `factor` (`--load-scale`). */
export function scaleScenario(s: Scenario, factor: number): Scenario {
  if (!(Number.isFinite(factor) && factor > 0)) throw new RangeError(`load scale ${factor} must be a number > 0`);
  if (factor === 1) return s;
  const load = new Float64Array(s.load.length);
  for (let i = 0; i < load.length; i++) load[i] = s.load[i]! * factor;
  return { ...s, load, description: `${s.description}, load × ${factor}` };
}

/** True when Prometheus is down at second t. */
export function prometheusDown(s: Scenario, t: number): boolean {
  for (const w of s.prometheusOutages) if (t >= w.startSeconds && t < w.endSeconds) return true;
  return false;
}
