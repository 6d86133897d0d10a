/**
 * Scenarios relative to the env's capacity: `--load-scale`, loads in pods' worth of capacity, and
 * the warning when a scenario starts above what maxReplicas pods serve.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { arrivalRates, loadScenario, parseScenarioCsv, parseScenarioJson, scaleScenario } from "../../simulator/scenarios.js";
import { simulateEnv } from "../../simulator/simulate.js";
import { runScript } from "../helpers/cli.js";
import { envInput } from "../helpers/env.js";
import { writeFileSync } from "node:fs";

describe("loads relative to capacity", () => {
  it("a scenario in pods is multiples of one pod's capacity; --load-scale multiplies any scenario", () => {
    const s = parseScenarioJson('{"unit":"pods","points":[[0,2],[60,6]],"durationSeconds":61}', "p");
    expect(arrivalRates(s, 1, 40)[0]).toBe(80); // 2 pods' worth of a 40 req/s pod
    expect(arrivalRates(s, 1, 40)[60]).toBe(240);
    expect(parseScenarioCsv("t,pods\n0,1.5\n", "c").unit).toBe("pods");
    const spike = scaleScenario(loadScenario("spike"), 0.25);
    expect(spike.load[0]).toBe(12.5);
    expect(spike.load[600]).toBe(100);
    expect(spike.description).toMatch(/load × 0.25$/);
    expect(() => scaleScenario(spike, 0)).toThrow(/> 0/);
  });

  it("warns when the load at t = 0 exceeds maxReplicas' capacity, and --load-scale silences it", () => {
    // prod pods serve 40 req/s; maxReplicas 1 → 40 req/s; the spike starts at 50 users = 50 req/s
    const dir = mkdtempSync(join(tmpdir(), "cap-"));
    const env = join(dir, "small.json");
    const input = envInput("prod", {
      name: "small",
      scaling: { minReplicas: 1, maxReplicas: 1, keda: { fallback: { replicas: 1 } } },
      prescaling: [],
    });
    writeFileSync(env, JSON.stringify(input));
    const [run] = simulateEnv(env, loadScenario("spike"), ["keda"]);
    expect(run!.warnings).toHaveLength(1);
    expect(run!.warnings[0]).toMatch(/starts at 50 req\/s, above what maxReplicas 1 × 40 req\/s per pod = 40 req\/s serve/);
    expect(run!.warnings[0]).toMatch(/--load-scale 0\.4\b/);
    const [scaled] = simulateEnv(env, scaleScenario(loadScenario("spike"), 0.4), ["keda"]);
    expect(scaled!.warnings).toEqual([]);
    const [prod] = simulateEnv("prod", loadScenario("spike"), ["keda"]);
    expect(prod!.warnings).toEqual([]);
  });

  it("the CLI takes --load-scale, prints the warning on stderr, refuses a bad factor (exit 2)", () => {
    const out = join(mkdtempSync(join(tmpdir(), "sim-scale-")), "x");
    const r = runScript("scripts/simulate.ts", ["--env", "dev", "--scenario", "steady", "--load-scale", "0.1", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("100 users for 30 min, load × 0.1");
    const bad = runScript("scripts/simulate.ts", ["--env", "dev", "--scenario", "steady", "--load-scale=-1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--load-scale: "-1" is not a number > 0/);
  });
});
