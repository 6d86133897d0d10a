/** `npm run simulate` as a user runs it: files written, clean errors, exit codes. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { timelineCsv } from "../../simulator/report.js";
import { loadScenario } from "../../simulator/scenarios.js";
import { simulateEnv } from "../../simulator/simulate.js";
import { runScript } from "../helpers/cli.js";

const CLI = "scripts/simulate.ts";

describe("npm run simulate", () => {
  it("acceptance: --env prod --scenario spike --compare cpu-hpa,keda writes CSV, SVG and Markdown", () => {
    const out = join(mkdtempSync(join(tmpdir(), "sim-cli-")), "x");
    const r = runScript(CLI, ["--env", "prod", "--scenario", "spike", "--compare", "cpu-hpa,keda", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const f of ["prod-spike-cpu-hpa.csv", "prod-spike-keda.csv", "prod-spike.svg", "prod-spike.md", "prod-spike-summary.json"]) {
      expect(existsSync(join(out, f)), f).toBe(true);
      expect(r.stdout).toContain(`wrote ${join(out, f)}`);
    }
    const csv = readFileSync(join(out, "prod-spike-keda.csv"), "utf8");
    const header = csv.split("\n")[0]!;
    expect(
      header.startsWith(
        "t,users,rps,desired_replicas,ready_replicas,cpu_pct,p95_s,in_flight,queue,backlog,slow_requests,failed_requests," +
          "m0_p95_latency_s,m1_sum_queue,m2_cpu_utilization_pct,m3_memory_utilization_pct,",
      ),
    ).toBe(true);
    // then one column per pre-scaling window (cron trigger), if prod has any
    expect(header).toMatch(/,(m\d+_cron_replicas,)*keda_fallback,prometheus_up$/);
    expect(csv.trimEnd().split("\n")).toHaveLength(2401);
    // the same bytes as the simulation in this process: deterministic across processes
    const runs = simulateEnv("prod", loadScenario("spike"), ["cpu-hpa", "keda"]);
    expect(csv).toBe(timelineCsv(runs[1]!.result));
    const svg = readFileSync(join(out, "prod-spike.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain(">cpu-hpa<");
    expect(svg).toContain(">keda<");
    const md = readFileSync(join(out, "prod-spike.md"), "utf8");
    expect(md).toContain("| | cpu-hpa | keda |");
    expect(md).toContain("![load, replicas and p95 latency](prod-spike.svg)");
    expect(r.stdout).toContain("| | cpu-hpa | keda |");
    const summary = JSON.parse(readFileSync(join(out, "prod-spike-summary.json"), "utf8"));
    expect(summary.runs.map((s: { label: string }) => s.label)).toEqual(["cpu-hpa", "keda"]);
    expect(summary.runs[1].peakReplicas).toBeLessThanOrEqual(20);
  });

  it("a malformed scenario file: one line per problem with the fix, exit 1, nothing written", () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-cli-"));
    const file = join(dir, "bad.csv");
    writeFileSync(file, "t,users\n0,10\nsixty,20\n");
    const out = join(dir, "out");
    const r = runScript(CLI, ["--env", "prod", "--scenario", file, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: scenario ${file}: line 3: "sixty,20" is not two numbers. Fix: write seconds,load, e.g. 300,120\n`);
    expect(existsSync(out)).toBe(false);
  });

  it("user errors exit 1 without a stack trace; usage errors exit 2", () => {
    const env = runScript(CLI, ["--env", "qa", "--scenario", "spike"]);
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(/^error: .*env "qa".*unknown environment "qa"\. Fix: use one of dev, staging, prod/);
    expect(env.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(env.stderr).not.toMatch(/\n\s+at /);
    const mode = runScript(CLI, ["--env", "prod", "--scenario", "spike", "--compare", "cpu-hpa,turbo"]);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(
      /^error: --compare: unknown mode "turbo" \(modes: cpu-hpa, slo-hpa, keda, burst\)\nusage: npm run simulate/,
    );
    const both = runScript(CLI, ["--env", "prod", "--scenario", "spike", "--mode", "keda", "--compare", "cpu-hpa,keda"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give --mode or --compare, not both/);
    const missing = runScript(CLI, ["--env", "prod"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--scenario is required/);
    const unknown = runScript(CLI, ["--env", "prod", "--scenario", "spike", "--fast"]);
    expect(unknown.code).toBe(2);
  });
});
