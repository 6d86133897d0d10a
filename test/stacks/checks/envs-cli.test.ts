/**
 * The checks through the CLIs (`npm run synth`, `npm run check`): child processes, so a mutant
 * (npm run mutation) never reaches them; vitest.mutation.config.ts leaves this file out. The
 * in-process checks on the real environments are in envs.test.ts.
 */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runScript } from "../../helpers/cli.js";
import { renderedEnv } from "../../helpers/rendered.js";
import { envInput } from "../../helpers/env.js";
import type { Problem } from "../../../problems/problem.js";

describe("synth runs the checks", () => {
  it("warnings travel with the rendered environment; the synth CLI prints them and succeeds", async () => {
    const r = await renderedEnv("prod");
    expect(r.warnings.every((w) => w.severity === "warning")).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), "warn-"));
    // 8 × 2 CPU = 16 fits a quota of 17, the rollout's surge pods (ceil(25% × 8) = 2) do not.
    const file = join(dir, "tight.json");
    writeFileSync(
      file,
      JSON.stringify(
        envInput("staging", { name: "tight", capacity: { cpu: "17", memory: "64Gi" }, service: { resources: { requests: { cpu: "2" } } } }),
      ),
    );
    const out = join(dir, "out");
    const cli = runScript("scripts/synth.ts", ["--config", file, "--out", out]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toMatch(/^warning: CAPACITY_NO_ROLLOUT_HEADROOM env "tight": ResourceQuota ml-serving-staging\/compute/m);
    expect(readdirSync(out)).toContain("tight");
  });
});

describe("npm run check", () => {
  it("--json prints the findings array; exit 0 without errors", () => {
    const r = runScript("scripts/check.ts", ["--env", "dev", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const findings = JSON.parse(r.stdout) as Problem[];
    expect(Array.isArray(findings)).toBe(true);
    expect(findings.filter((f) => f.severity === "error")).toEqual([]);
  });

  it("exit 1 with the finding's fields for a failing config, schema errors included", () => {
    const dir = mkdtempSync(join(tmpdir(), "check-"));
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify(envInput("prod", { name: "bad", scaling: { keda: { p95Latency: { threshold: 2 } } } })));
    const typo = join(dir, "typo.json");
    writeFileSync(typo, JSON.stringify(envInput("prod", { name: "typo", scaling: { maxReplica: 3 } })));
    const r = runScript("scripts/check.ts", ["--config", bad, "--config", typo, "--json"]);
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout) as Problem[];
    expect(findings).toContainEqual(
      expect.objectContaining({
        code: "SCALES_AFTER_ALERT",
        severity: "error",
        env: "bad",
        resource: "EnvConfig bad",
        // the field as the user wrote it, like the schema's problem beside it
        path: "services[0].scaling.keda.p95Latency.threshold",
      }),
    );
    expect(findings).toContainEqual(expect.objectContaining({ code: "CONFIG_UNKNOWN_KEY", env: "typo", path: "services[0].scaling" }));
    const text = runScript("scripts/check.ts", ["--config", bad]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /^error: SCALES_AFTER_ALERT env "bad": EnvConfig bad: services\[0\]\.scaling\.keda\.p95Latency\.threshold: service "inference": /m,
    );
    expect(text.stdout).toMatch(/check: 1 error\(s\)/);
  });
});
