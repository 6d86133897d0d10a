// The command-line entry point (run in a child process). validateCase itself: validate.test.ts (in process).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cliArgs } from "../../helpers/cli.js";
import { cpuUtil, hpaCase, pods } from "./builders.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

function runCli(stdin: string) {
  return spawnSync(process.execPath, cliArgs("scripts/hpa-step.ts", []), { cwd: root, input: stdin, encoding: "utf8", timeout: 60_000 });
}

describe("cli (child process)", () => {
  it("prints the decision for a valid case", () => {
    // 500m + 900m + 700m = 2100m / 3000m = 70%; 70/50 = 1.4; ceil(1.4 * 3) = 5; recommendations [] -> no stabilization;
    // no behavior: limit max(2*3, 4) = 6 -> 5
    const c = hpaCase({ current: 3, metrics: [cpuUtil(50)], observations: [{ pods: pods("500m", "900m", "700m") }] });
    const r = runCli(JSON.stringify(c));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { desiredReplicas: number; reason: string; currentMetrics: unknown[] };
    expect(out.desiredReplicas).toBe(5);
    expect(out.reason).toMatch(/metric 0 \(Resource cpu\) proposes 5/);
    expect(Object.keys(out).sort()).toEqual(["currentMetrics", "desiredReplicas", "reason"]);
    // status.currentMetrics as numbers: utilization % and the average usage (2100m / 3 pods = 700m)
    expect(out.currentMetrics).toEqual([
      { type: "Resource", resource: { name: "cpu", current: { averageUtilization: 70, averageValue: 0.7 } } },
    ]);
  });
  it("prints each metric's current value the way status.currentMetrics shows it (External AverageValue, Value; failed metrics empty)", () => {
    const c = {
      spec: {
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [
          { type: "External", external: { metric: { name: "queue" }, target: { type: "AverageValue", averageValue: "20" } } },
          { type: "External", external: { metric: { name: "p95" }, target: { type: "Value", value: "500m" } } },
          { type: "Pods", pods: { metric: { name: "in_flight" }, target: { type: "AverageValue", averageValue: "10" } } },
        ],
      },
      currentReplicas: 2,
      observations: [{ value: "75" }, { value: "1250m", readyPods: 2 }, { error: "no metrics" }],
    };
    const r = runCli(JSON.stringify(c));
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { currentMetrics: unknown[] };
    expect(out.currentMetrics).toEqual([
      // GetExternalPerPodMetricReplicas: ceil(75000m / 2 status replicas) = 37500m
      { type: "External", external: { metric: { name: "queue" }, current: { averageValue: 37.5 } } },
      { type: "External", external: { metric: { name: "p95" }, current: { value: 1.25 } } },
      { type: "" },
    ]);
  });
  it("exits 2 with a clear message and no stack trace on malformed input", () => {
    const bad = runCli(JSON.stringify({ spec: { maxReplicas: 0 }, currentReplicas: -1, observations: [] }));
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/malformed input/);
    expect(bad.stderr).toMatch(/spec\.maxReplicas/);
    expect(bad.stderr).toMatch(/currentReplicas/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);

    const notJson = runCli("{ not json");
    expect(notJson.status).toBe(2);
    expect(notJson.stderr).toMatch(/not valid JSON/);
    expect(notJson.stderr).not.toMatch(/\n\s+at /);
  });
});
