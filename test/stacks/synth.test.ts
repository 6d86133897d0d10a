import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { parseEnvConfig } from "../../stacks/validate.js";
import { renderEnvironment } from "../../stacks/synth.js";
import { validateObjects } from "../../stacks/schema.js";
import { envInput } from "../helpers/env.js";
import { ROOT, runScript } from "../helpers/cli.js";
import { renderedEnv, renderedFiles } from "../helpers/rendered.js";

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

async function renderAll() {
  const out: Record<string, Record<string, string>> = {};
  for (const env of ENV_NAMES) {
    const r = await renderEnvironment(parseEnvConfig(envInput(env), env));
    out[env] = Object.fromEntries(r.files.map((f) => [f.path, f.content]));
  }
  return out;
}

describe("synth", () => {
  it("is deterministic: two renders are byte-identical", async () => {
    expect(await renderAll()).toEqual(await renderAll());
  });

  it("committed dist/ is fresh (run `npm run synth` and commit when this fails)", async () => {
    // The shared render (test/helpers/rendered.ts): equal to a fresh one by the test above.
    const rendered = await renderedFiles();
    for (const env of ENV_NAMES) {
      const dir = join(ROOT, "dist", env);
      const onDisk = Object.fromEntries(listFiles(dir).map((p) => [relative(dir, p), readFileSync(p, "utf8")]));
      expect(Object.keys(onDisk).sort(), `dist/${env} file list`).toEqual(Object.keys(rendered[env]!).sort());
      for (const [path, content] of Object.entries(rendered[env]!)) {
        expect(onDisk[path], `dist/${env}/${path} is stale`).toBe(content);
      }
    }
  });

  it("names objects without hash suffixes", async () => {
    const r = await renderedEnv("prod");
    const names = r.stack.objects().map((o: any) => o.metadata.name);
    expect(names).toContain("inference");
    for (const n of names) expect(n).not.toMatch(/-[0-9a-f]{8}$/);
  });

  it("validates every object against its upstream schema", async () => {
    const bad = [
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { replicas: "3", selector: {}, template: {} } },
      { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } },
    ];
    const findings = await validateObjects(bad);
    expect(findings).toHaveLength(2);
    expect(findings[0]!.object).toBe("Deployment x");
    expect(findings[0]!.message).toMatch(/replicas must be integer/);
    expect(findings[1]!.message).toMatch(/no schema for apiVersion example.com\/v1 kind Widget/);
  });

  it("names the invalid object when a construct renders a bad field", async () => {
    const { buildStack } = await import("../../stacks/stack.js");
    const { JsonPatch } = await import("cdk8s");
    const stack = buildStack(parseEnvConfig(envInput("prod"), "prod"));
    stack.service.deployment.addJsonPatch(JsonPatch.replace("/spec/revisionHistoryLimit", "five"));
    const findings = await validateObjects(stack.objects());
    expect(findings.map((f) => f.object)).toEqual(["Deployment ml-serving-prod/inference"]);
    expect(findings[0]!.message).toMatch(/revisionHistoryLimit must be integer/);
  });
});

describe("synth CLI", () => {
  function tmpDist() {
    const dir = mkdtempSync(join(tmpdir(), "synth-"));
    cpSync(join(ROOT, "dist"), join(dir, "dist"), { recursive: true });
    return join(dir, "dist");
  }

  it("writes one environment with --env", () => {
    const out = mkdtempSync(join(tmpdir(), "synth-one-"));
    const r = runScript("scripts/synth.ts", ["--env", "prod", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).filter((n) => !n.startsWith("."))).toEqual(["prod"]);
    rmSync(out, { recursive: true });
  });

  it("stops on a bad config with one clear line, exit 1, dist untouched", () => {
    const out = tmpDist();
    const before = listFiles(out).map((p) => [p, readFileSync(p, "utf8")]);
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const file = join(dir, "prod.json");
    // (prod's pre-scaling windows removed: with minReplicas 30 they would be a second mistake)
    writeFileSync(file, JSON.stringify(envInput("prod", { scaling: { minReplicas: 30, maxReplicas: 20 }, prescaling: undefined })));
    const r = runScript("scripts/synth.ts", ["--config", file, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'error: CONFIG_CONFLICT env "prod": EnvConfig prod: services[0].scaling.minReplicas: service "inference": minReplicas 30 is greater than maxReplicas 20. Fix: lower minReplicas or raise maxReplicas',
    );
    expect(r.stderr).not.toMatch(/\s+at .*\.ts:\d+/);
    expect(listFiles(out).map((p) => [p, readFileSync(p, "utf8")])).toEqual(before);
  });

  it("turns an --out that is a file and malformed arguments into one line, no stack trace", () => {
    const file = join(mkdtempSync(join(tmpdir(), "out-")), "a-file");
    writeFileSync(file, "");
    const out = runScript("scripts/synth.ts", ["--env", "dev", "--out", file]);
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toBe(
      `error: OUTPUT_UNUSABLE --out ${file} is a file, not a directory. Fix: choose a writable directory for --out, e.g. --out /tmp/render`,
    );
    const missing = runScript("scripts/synth.ts", ["--env"]);
    expect([missing.code, missing.stderr.trim()]).toEqual([2, "error: Option '--env <value>' argument missing"]);
    const stray = runScript("scripts/synth.ts", ["prod"]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).not.toMatch(/\s+at .*:\d+/);
  });

  it("rejects an unknown environment", () => {
    const r = runScript("scripts/synth.ts", ["--env", "qa", "--out", tmpDist()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/env "qa": \(config\): unknown environment "qa". Fix: use one of dev, staging, prod/);
  });

  it("reports YAML syntax errors in a config file", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const file = join(dir, "broken.yaml");
    writeFileSync(file, "name: prod\nservice: [unclosed\n");
    const r = runScript("scripts/synth.ts", ["--config", file, "--out", tmpDist()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/env "broken": \(config\): .*broken.yaml is not valid YAML/);
  });
});
