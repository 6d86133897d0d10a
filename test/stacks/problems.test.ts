/**
 * One config, one code, whichever entry point reads it: synth, check, simulate (each through its
 * CLI, as a user runs it) and the Pulumi program (its default export under mocks) all build the
 * environment through buildStack, which runs the config checks first, so a bad config is reported
 * with the same code and the same line everywhere. (Before: synth said LATENCY_THRESHOLD_NOT_BUCKET
 * where simulate said CONFIG_INVALID_VALUE for the same SLO threshold.)
 *
 * The Pulumi program selects its environment by stack name from stacks/envs/, so this file adds
 * the bad configs to that registry (a module mock: it runs in an isolated worker, vitest.config.ts).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runScript } from "../helpers/cli.js";
import { installMocks, stackConfig } from "../infra/harness.js";

/** Bad configs: prod with one change each, and the one code every entry point must report. */
const CASES = vi.hoisted(() => [
  // The rule the three copies used to check: the SLO threshold must be a bucket boundary.
  { name: "bad-slo-bucket", code: "LATENCY_THRESHOLD_NOT_BUCKET", patch: { slo: { latency: { thresholdSeconds: 0.3 } } } },
  // A cross-field rule that lived in the monitoring builder: the p95 alert below the largest bucket.
  { name: "bad-alert-bucket", code: "CONFIG_CONFLICT", patch: { monitoring: { alerts: { p95LatencySeconds: 30 } } } },
  // Fallback replicas outside [minReplicas, maxReplicas]: once a construct's refusal, now one config check's code.
  { name: "bad-fallback", code: "CONFIG_CONFLICT", patch: { scaling: { keda: { fallback: { replicas: 2 } } } } },
  // A single-field rule the schema holds (KEDA takes only idleReplicaCount 0); the ScaledObject keeps its own guard.
  { name: "bad-idle", code: "CONFIG_RANGE", patch: { scaling: { keda: { idleReplicaCount: 1 } } } },
]);

function merge(base: any, patch: any): any {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch) || base === null || typeof base !== "object") return patch;
  const out: any = { ...base };
  for (const k of Object.keys(patch)) out[k] = merge(base[k], patch[k]);
  return out;
}

vi.mock("../../stacks/envs/index.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../stacks/envs/index.js")>();
  // `scaling`/`slo` patches are the only service's: they go to services[0].
  const patched = (patch: Record<string, unknown>, name: string) => {
    const { scaling, slo, ...rest } = patch;
    const out = merge(structuredClone(real.ENVIRONMENTS.prod), { ...rest, name });
    out.services = [merge(out.services[0], { ...(scaling ? { scaling } : {}), ...(slo ? { slo } : {}) })];
    return out;
  };
  const bad = Object.fromEntries(CASES.map((c) => [c.name, patched(c.patch, c.name)]));
  const ENVIRONMENTS = { ...real.ENVIRONMENTS, ...bad };
  return { ...real, ENVIRONMENTS, ENV_NAMES: Object.keys(ENVIRONMENTS) };
});

const dir = mkdtempSync(join(tmpdir(), "one-code-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The first `error:` line's code and env, as a CLI printed it. */
function firstError(stderr: string): string | undefined {
  return /^error: ([A-Z][A-Z0-9_]+ env "[^"]+"): /m.exec(stderr)?.[1];
}

describe("one code per config, whichever entry point reads it", () => {
  for (const c of CASES) {
    it(`${c.name}: synth, check, simulate and the Pulumi program all report ${c.code}`, async () => {
      const { ENVIRONMENTS } = await import("../../stacks/envs/index.js");
      const file = join(dir, `${c.name}.json`);
      writeFileSync(file, JSON.stringify(ENVIRONMENTS[c.name]));
      const want = `${c.code} env "${c.name}"`;

      const out = join(dir, `${c.name}-out`);
      const synth = runScript("scripts/synth.ts", ["--config", file, "--out", out]);
      expect(synth.code, synth.stderr).toBe(1);
      expect(firstError(synth.stderr)).toBe(want);
      const synthLines = synth.stderr.trim().split("\n");
      expect(readdirSync(dir)).not.toContain(`${c.name}-out`);

      const check = runScript("scripts/check.ts", ["--config", file, "--json"]);
      expect(check.code, check.stderr).toBe(1);
      const problems = JSON.parse(check.stdout) as { code: string; env: string; severity: string }[];
      expect(problems.filter((p) => p.severity === "error").map((p) => `${p.code} env "${p.env}"`)).toEqual(synthLines.map(firstError));

      const simulate = runScript("scripts/simulate.ts", ["--env", file, "--scenario", "steady", "--out", join(dir, `${c.name}-sim`)]);
      expect(simulate.code, simulate.stderr).toBe(1);
      // The same lines as synth, word for word.
      expect(simulate.stderr.trim().split("\n")).toEqual(synthLines);

      await installMocks(c.name, stackConfig(c.name, { kubeconfig: "apiVersion: v1\nkind: Config" }));
      const { default: deploy } = await import("../../infra/index.js");
      const error = await deploy(c.name).then(
        () => undefined,
        (e: unknown) => e,
      );
      await pulumi.runtime.disconnect();
      expect(pulumi.RunError.isInstance(error), String(error)).toBe(true);
      expect((error as Error).message.split("\n")).toEqual(synthLines.map((l) => l.replace(/^error: /, `stack "${c.name}": `)));
    }, 120_000);
  }
});
