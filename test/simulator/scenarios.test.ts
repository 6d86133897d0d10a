/** Built-in scenario shapes, user scenario files, and clean errors for malformed ones. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  arrivalRates,
  BUILTIN_SCENARIOS,
  loadScenario,
  parseScenarioCsv,
  parseScenarioJson,
  prometheusDown,
  sampleCurve,
  ScenarioError,
} from "../../simulator/scenarios.js";

describe("built-in scenarios", () => {
  it("lists the five the issue names, and the idle night of scale to zero", () => {
    expect(BUILTIN_SCENARIOS).toEqual(["steady", "ramp", "spike", "diurnal", "idle-night", "prometheus-outage"]);
  });

  it("steady: 100 users for 30 min", () => {
    const s = loadScenario("steady");
    expect(s.load.length).toBe(1800);
    expect(Math.min(...s.load)).toBe(100);
    expect(Math.max(...s.load)).toBe(100);
  });

  it("ramp: 50 → 200 users over 8 min (t = 2:00 – 10:00), linear", () => {
    const s = loadScenario("ramp");
    expect(s.load.length).toBe(1800);
    expect(s.load[0]).toBe(50);
    expect(s.load[120]).toBe(50);
    expect(s.load[360]).toBe(125); // halfway through the 480 s ramp
    expect(s.load[600]).toBe(200);
    expect(s.load[1799]).toBe(200);
  });

  it("spike: 50 → 400 users in 30 s at 5:00, held 10 min, back to 50", () => {
    const s = loadScenario("spike");
    expect(s.load.length).toBe(2400);
    expect(s.load[299]).toBe(50);
    expect(s.load[300]).toBe(50);
    expect(s.load[315]).toBe(225);
    expect(s.load[330]).toBe(400);
    expect(s.load[930]).toBe(400);
    expect(s.load[960]).toBe(50);
    expect(s.prometheusOutages).toEqual([]);
  });

  it("diurnal: 24 h, 30 users at 04:00, 300 at 16:00", () => {
    const s = loadScenario("diurnal");
    expect(s.load.length).toBe(86400);
    expect(s.load[4 * 3600]).toBeCloseTo(30, 9);
    expect(s.load[16 * 3600]).toBeCloseTo(300, 9);
    expect(Math.min(...s.load)).toBeCloseTo(30, 9);
    expect(Math.max(...s.load)).toBeCloseTo(300, 9);
    expect(s.load[0]).toBeCloseTo(30 + (270 * (1 - Math.cos((2 * Math.PI * -4) / 24))) / 2, 9);
  });

  it("prometheus-outage: the spike with Prometheus down 7:00 – 12:00", () => {
    const s = loadScenario("prometheus-outage");
    expect(Array.from(s.load)).toEqual(Array.from(loadScenario("spike").load));
    expect(s.prometheusOutages).toEqual([{ startSeconds: 420, endSeconds: 720 }]);
    expect(prometheusDown(s, 419)).toBe(false);
    expect(prometheusDown(s, 420)).toBe(true);
    expect(prometheusDown(s, 719)).toBe(true);
    expect(prometheusDown(s, 720)).toBe(false);
  });

  it("users × requestsPerUserPerSecond gives the arrival rate; rps scenarios pass through", () => {
    const s = loadScenario("steady");
    expect(arrivalRates(s, 1.5)[0]).toBe(150);
    const r = parseScenarioJson('{"unit":"rps","points":[[0,7]]}', "r");
    expect(arrivalRates(r, 1.5)[0]).toBe(7);
  });
});

describe("sampleCurve", () => {
  it("interpolates linearly or in steps and holds the last value", () => {
    const pts = [
      { t: 0, value: 0 },
      { t: 10, value: 100 },
    ];
    expect(Array.from(sampleCurve(pts, 12))).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 100]);
    expect(Array.from(sampleCurve(pts, 12, "step"))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 100]);
  });
});

describe("scenario files", () => {
  const dir = mkdtempSync(join(tmpdir(), "sim-scenario-"));

  it("reads JSON with [t, value] pairs, objects, outages and a duration", () => {
    const path = join(dir, "launch-day.json");
    writeFileSync(
      path,
      JSON.stringify({
        unit: "users",
        points: [[0, 10], { t: 60, users: 70 }],
        durationSeconds: 120,
        prometheusOutages: [{ start: 30, end: 90 }],
        description: "launch",
        startsAt: "tue 09:30",
      }),
    );
    const s = loadScenario(path);
    expect(s.name).toBe("launch-day");
    expect(s.description).toBe("launch");
    expect(s.unit).toBe("users");
    expect(s.load.length).toBe(120);
    expect(s.load[30]).toBe(40);
    expect(s.load[119]).toBe(70);
    expect(s.prometheusOutages).toEqual([{ startSeconds: 30, endSeconds: 90 }]);
    expect(s.clockOffsetSeconds).toBe(86400 + 9.5 * 3600);
  });

  it("reads CSV with a t,rps header and comments; lasts 60 s past the last point", () => {
    const path = join(dir, "Replay 1.csv");
    writeFileSync(path, "# replayed from prod\nt,rps\n0,5\n\n100,105\n");
    const s = loadScenario(path);
    expect(s.name).toBe("replay-1");
    expect(s.unit).toBe("rps");
    expect(s.load.length).toBe(160);
    expect(s.load[50]).toBe(55);
  });

  const bad = (fn: () => unknown): ScenarioError => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      return e as ScenarioError;
    }
    throw new Error("expected a ScenarioError");
  };

  it("names the file, the place and the fix for malformed JSON", () => {
    const e = bad(() => parseScenarioJson("{ unit: users", "x", "x.json"));
    expect(e.message).toMatch(/^scenario x\.json: not valid JSON .*Fix: correct the JSON syntax$/);
  });

  it("collects every problem of a JSON scenario", () => {
    const e = bad(() =>
      parseScenarioJson(
        JSON.stringify({
          unit: "people",
          points: [
            [0, 5],
            [10, -1],
            [10, 3],
          ],
          extra: 1,
          interpolation: "cubic",
        }),
        "x",
        "x.json",
      ),
    );
    const lines = e.message.split("\n");
    expect(lines).toContain(
      'scenario x.json: extra: unknown field "extra". Fix: remove it (fields: name, description, unit, points, durationSeconds, interpolation, prometheusOutages, startsAt)',
    );
    expect(lines.some((l) => l.startsWith('scenario x.json: unit: unit must be "users", "rps" or "pods" (got "people")'))).toBe(true);
    expect(lines.some((l) => l.startsWith("scenario x.json: interpolation:"))).toBe(true);
    expect(lines).toContain("scenario x.json: points[1]: load -1 is negative. Fix: use a load ≥ 0");
    expect(lines).toContain(
      "scenario x.json: points[2]: time 10 is not after the previous point's 10. Fix: list points in strictly increasing time",
    );
    expect(lines.every((l) => l.includes("Fix: "))).toBe(true);
  });

  it("requires points starting at 0, finite numbers, sane durations and outages", () => {
    expect(bad(() => parseScenarioJson('{"unit":"rps","points":[[5,1]]}', "x")).message).toMatch(
      /points\[0\]: the first point is at t = 5, not 0/,
    );
    expect(bad(() => parseScenarioJson('{"unit":"rps","points":[[0,"a"]]}', "x")).message).toMatch(
      /points\[0\]: time and load must be finite numbers/,
    );
    expect(bad(() => parseScenarioJson('{"unit":"rps","points":[]}', "x")).message).toMatch(/no load points/);
    expect(bad(() => parseScenarioJson('{"unit":"rps"}', "x")).message).toMatch(/points: points is missing/);
    expect(bad(() => parseScenarioJson('{"unit":"rps","points":[[0,1]],"durationSeconds":1e9}', "x")).message).toMatch(
      /durationSeconds: duration 1000000000 s is not a whole number of seconds between 1 and 604800 \(7 days\)/,
    );
    expect(bad(() => parseScenarioJson('{"unit":"rps","points":[[0,1]],"prometheusOutages":[{"start":9,"end":3}]}', "x")).message).toMatch(
      /prometheusOutages\[0\]: an outage needs/,
    );
    expect(bad(() => parseScenarioJson("[1,2]", "x")).message).toMatch(/must hold a JSON object/);
    expect(bad(() => parseScenarioJson('{"unit":"rps","points":[[0,1]],"startsAt":"monday 8am"}', "x")).message).toMatch(
      /startsAt: startsAt "monday 8am" is not a weekday and a 24 h time\. Fix: write it like "mon 08:30"/,
    );
  });

  it("reports CSV problems by line number", () => {
    expect(bad(() => parseScenarioCsv("time,load\n0,1\n", "c", "c.csv")).message).toBe(
      'scenario c.csv: line 1: the header must be "t,users", "t,rps" or "t,pods" (got "time,load"). Fix: start the file with the line t,users (or t,rps, t,pods)',
    );
    const e = bad(() => parseScenarioCsv("t,users\n0,1\n10,abc\n20,1,2\n", "c", "c.csv"));
    expect(e.message.split("\n")).toEqual([
      'scenario c.csv: line 3: "10,abc" is not two numbers. Fix: write seconds,load, e.g. 300,120',
      "scenario c.csv: line 4: expected 2 columns, got 3. Fix: write seconds,load",
    ]);
    expect(bad(() => parseScenarioCsv("t,users\n0,1\n0,2\n", "c", "c.csv")).message).toMatch(/line 3: time 0 is not after/);
    expect(bad(() => parseScenarioCsv("", "c", "c.csv")).message).toMatch(/the file is empty/);
  });

  it("refuses an unknown name, a missing file and an unknown extension", () => {
    expect(bad(() => loadScenario("tsunami")).message).toMatch(
      /"tsunami" is neither a built-in scenario nor a \.json\/\.csv file\. Fix: use one of steady, ramp, spike, diurnal, idle-night, prometheus-outage/,
    );
    expect(bad(() => loadScenario(join(dir, "missing.json"))).message).toMatch(/cannot read the file \(ENOENT\)\. Fix: check the path/);
    expect(bad(() => loadScenario(join(dir, "load.yaml"))).message).toMatch(/neither a built-in scenario/);
  });
});
