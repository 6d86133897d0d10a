/**
 * `npm run cdk8s:synth` through the real command (`npm run -s cdk8s:synth`, i.e. `cdk8s synth` reading
 * cdk8s.yaml) in a project copy with an empty HOME: no upgrade check (cdk8s-cli caches its registry
 * answer in ~/.cdk8s-cli.version, which must not appear), no stack trace, dist/ as committed; a
 * failing env leaves dist/ untouched (cdk8s-cli empties its `output`, a scratch folder, not dist/).
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { projectCopy, ROOT, treeHash } from "../helpers/cli.js";

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function cdk8sSynth(cwd: string) {
  const home = mkdtempSync(join(tmpdir(), "cdk8s-home-"));
  made.push(home);
  const r = spawnSync("npm", ["run", "-s", "cdk8s:synth"], {
    cwd,
    encoding: "utf8",
    timeout: 240_000,
    env: { ...process.env, HOME: home, npm_config_cache: join(process.env.HOME ?? home, ".npm") },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, home };
}

describe("npm run cdk8s:synth", () => {
  it("cdk8s.yaml never lets cdk8s-cli empty dist/", () => {
    const cfg = parse(readFileSync(join(ROOT, "cdk8s.yaml"), "utf8")) as { app: string; output: string };
    expect(cfg.output).not.toMatch(/^(\.\/)?dist\/?$/);
    expect(cfg.app).toContain("--out dist");
  });

  it("synthesizes every environment quietly: no upgrade check, no stack trace, dist/ as committed", () => {
    const project = projectCopy();
    made.push(project);
    const r = cdk8sSynth(project);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(r.home, ".cdk8s-cli.version")), "the upgrade check ran").toBe(false);
    expect(r.stderr).not.toMatch(/new version|^\s+at /m);
    expect(treeHash(join(project, "dist"))).toBe(treeHash(join(ROOT, "dist")));
    expect(readdirSync(join(project, "cdk8s.out")).sort()).toEqual(readdirSync(join(ROOT, "dist")).sort());
  }, 300_000);

  it("a failing environment: exit 1, the app's error lines only, dist/ unchanged", () => {
    const project = projectCopy();
    made.push(project);
    appendFileSync(join(project, "stacks/envs/prod.ts"), "\nprod.prescaling = undefined;\nprod.services[0]!.scaling!.minReplicas = 99;\n");
    const before = treeHash(join(project, "dist"));
    const r = cdk8sSynth(project);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toEqual([
      'error: CONFIG_CONFLICT env "prod": EnvConfig prod: services[0].scaling.minReplicas: service "inference": minReplicas 99 is greater than maxReplicas 20. Fix: lower minReplicas or raise maxReplicas',
    ]);
    expect(treeHash(join(project, "dist"))).toBe(before);
  }, 300_000);
});
