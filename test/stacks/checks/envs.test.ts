/**
 * The checks on the real environments and their wiring into synth and `npm run check`.
 * Unlike the other check tests these render through the constructs.
 */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonPatch } from "cdk8s";
import { describe, expect, it } from "vitest";
import { CHECK_CODES, runChecks } from "../../../stacks/checks/index.js";
import { ENV_NAMES } from "../../../stacks/envs/index.js";
import { renderEnvironment } from "../../../stacks/synth.js";
import { SynthError } from "../../../stacks/errors.js";
import { runScript } from "../../helpers/cli.js";
import { renderedEnv } from "../../helpers/rendered.js";
import { envConfig, envInput, stackFor } from "../../helpers/env.js";
import { formatProblem, type Problem } from "../../../problems/problem.js";

describe("checks on the built-in environments", () => {
  for (const env of ENV_NAMES) {
    it(`${env}: no errors`, () => {
      const errors = runChecks(stackFor(env)).filter((f) => f.severity === "error");
      expect(errors.map(formatProblem)).toEqual([]);
    });
  }

  it("the shipped queue alerts sit above minReplicas × the per-pod queue threshold (QUEUE_ALERT_BEFORE_SCALE)", () => {
    for (const env of ENV_NAMES)
      expect(
        runChecks(stackFor(env)).map((f) => f.code),
        env,
      ).not.toContain("QUEUE_ALERT_BEFORE_SCALE");
    // prod before the fix: QueueBacklog at the default 30, 3 replicas × 20 queued each before KEDA scales
    const [w] = runChecks(stackFor("prod", { monitoring: { alerts: { queueBacklog: 30 } } })).filter(
      (f) => f.code === "QUEUE_ALERT_BEFORE_SCALE",
    );
    expect(w).toMatchObject({
      severity: "warning",
      resource: "ScaledObject ml-serving-prod/inference",
      path: "spec.triggers[1].metadata.threshold",
    });
    expect(w!.message).toMatch(
      /at minReplicas 3 KEDA scales up only above 60 queued requests; QueueBacklog \(monitoring\.alerts\.queueBacklog\) pages at 30/,
    );
  });

  it("a pre-scaling window on dev switched to cpu-hpa is reported as not applied (PRESCALE_NOT_APPLIED)", () => {
    const window = { name: "demo", target: "inference", start: "09:00", end: "17:00", replicas: 2 };
    const findings = runChecks(
      stackFor("dev", { scaling: { mode: "cpu-hpa", minReplicas: 1, wakeUp: undefined }, cluster: { keda: false }, prescaling: [window] }),
    );
    expect(findings.map((f) => [f.code, f.severity, f.path])).toEqual([["PRESCALE_NOT_APPLIED", "warning", "prescaling[0].target"]]);
    for (const env of ENV_NAMES)
      expect(
        runChecks(stackFor(env)).map((f) => f.code),
        env,
      ).not.toContain("PRESCALE_NOT_APPLIED");
  });

  it("catches a rendered object patched after construction (what the constructs cannot see)", () => {
    const stack = stackFor("prod");
    stack.service.deployment.addJsonPatch(JsonPatch.add("/spec/template/spec/containers/0/securityContext/privileged", true));
    const errors = runChecks(stack).filter((f) => f.severity === "error");
    expect(errors.map((f) => [f.code, f.resource, f.path])).toEqual([
      ["POD_NOT_RESTRICTED", "Deployment ml-serving-prod/inference", "spec.template.spec.containers[0].securityContext.privileged"],
    ]);
  });

  it("every code a check emits is in the catalog", () => {
    const stack = stackFor("prod");
    const all: Problem[] = runChecks(stack);
    for (const f of all) expect(Object.keys(CHECK_CODES)).toContain(f.code);
  });
});

describe("synth runs the checks", () => {
  it("a config-phase error stops the render with lines that start with the code", async () => {
    const err = await renderEnvironment(envConfig("prod", { slo: { latency: { thresholdSeconds: 0.4 } } })).catch((e) => e);
    expect(err).toBeInstanceOf(SynthError);
    expect((err as SynthError).lines[0]).toMatch(
      /^LATENCY_THRESHOLD_NOT_BUCKET env "prod": EnvConfig prod: services\[0\]\.slo\.latency\.thresholdSeconds: service "inference": the SLO latency threshold 0\.4 is not a bucket boundary/,
    );
    expect((err as SynthError).problems.map((f) => f.code)).toEqual(["LATENCY_THRESHOLD_NOT_BUCKET"]);
  });

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
