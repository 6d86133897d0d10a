/**
 * synth's refusals and atomic output through the real CLI (`scripts/synth.ts` run as `npm run synth` runs it: its bundle):
 * exit code, the one message line, and sha256 of dist/ and --out before and after. Runs that need
 * the committed dist/ (no --out) or an edited stacks/envs/ run in a throw-away copy of the project.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { envInput } from "../helpers/env.js";
import { projectCopy, ROOT, runIn, stderrLines, treeHash } from "../helpers/cli.js";

const made: string[] = [];
const tmp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A copy of the committed dist/ as an --out target. */
function distCopy(): string {
  const out = join(tmp("synth-out-"), "dist");
  cpSync(join(ROOT, "dist"), out, { recursive: true });
  return out;
}

/** An env config file named like built-in `env` (valid: prod's config with fewer replicas). */
function configFile(name: string, dir = tmp("cfg-")): string {
  const file = join(dir, `${name}-edit.json`);
  writeFileSync(file, JSON.stringify(envInput("prod", { name, scaling: { maxReplicas: 19 } })));
  return file;
}

function expectOneError(r: { code: number | null; stderr: string }, code: number, pattern: RegExp): void {
  const lines = stderrLines(r);
  expect(r.code, r.stderr).toBe(code);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

const synth = (args: readonly string[], env: Record<string, string> = {}) => runIn(ROOT, "scripts/synth.ts", args, env);

describe("synth: two sources naming one environment", () => {
  it("--env prod --config <file named prod>: refused before rendering, one line naming both sources, --out unchanged", () => {
    const out = distCopy();
    const before = treeHash(out);
    const file = configFile("prod");
    const r = synth(["--env", "prod", "--config", file, "--out", out]);
    expectOneError(
      r,
      1,
      new RegExp(
        `^error: CONFIG_DUPLICATE_ENV env "prod": name: both the built-in stacks/envs/prod\\.ts and --config ${file.replace(/[.]/g, "\\.")} name environment "prod"`,
      ),
    );
    expect(treeHash(out)).toBe(before);
  });

  it("the same without --out: the committed dist/ keeps its checksum (project copy)", () => {
    const project = projectCopy();
    made.push(project);
    const before = treeHash(join(project, "dist"));
    const r = runIn(project, "scripts/synth.ts", ["--env", "prod", "--config", configFile("prod")]);
    expectOneError(r, 1, /^error: CONFIG_DUPLICATE_ENV env "prod": /);
    expect(treeHash(join(project, "dist"))).toBe(before);
  });

  it("two --config files with one name and --out: one duplicate line, out/<env> kept", () => {
    const out = distCopy();
    const before = treeHash(out);
    const dir = tmp("cfg-");
    const a = configFile("staging", dir);
    const b = join(dir, "other.yaml");
    writeFileSync(b, readFileSync(a));
    const r = synth(["--config", a, "--config", b, "--out", out]);
    expectOneError(
      r,
      1,
      /^error: CONFIG_DUPLICATE_ENV env "staging": name: both --config .*staging-edit\.json and --config .*other\.yaml name environment "staging"/,
    );
    expect(existsSync(join(out, "staging"))).toBe(true);
    expect(treeHash(out)).toBe(before);
  });
});

describe("synth: a config file over a built-in's committed output", () => {
  it("refused without --replace-builtin; written with it; --out elsewhere is fine", () => {
    const project = projectCopy();
    made.push(project);
    const dist = join(project, "dist");
    const before = treeHash(dist);
    const file = configFile("prod");
    const r = runIn(project, "scripts/synth.ts", ["--config", file]);
    expectOneError(
      r,
      1,
      /^error: CONFIG_BUILTIN_OUTPUT env "prod": name: .*prod-edit\.json names the built-in environment "prod": it would replace the committed dist\/prod\/\. Fix: .*--replace-builtin/,
    );
    expect(treeHash(dist)).toBe(before);

    const others = ["dev", "staging", "gpu", "loadtest"].map((e) => treeHash(join(dist, e)));
    const ok = runIn(project, "scripts/synth.ts", ["--config", file, "--replace-builtin"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readFileSync(join(dist, "prod", "autoscaling.yaml"), "utf8")).toContain("maxReplicaCount: 19");
    expect(["dev", "staging", "gpu", "loadtest"].map((e) => treeHash(join(dist, e)))).toEqual(others);

    const elsewhere = join(tmp("synth-out-"), "x");
    const other = runIn(project, "scripts/synth.ts", ["--config", file, "--out", elsewhere]);
    expect(other.code, other.stderr).toBe(0);
    expect(readdirSync(elsewhere)).toEqual(["prod"]);
  });
});

describe("synth: registry key vs name", () => {
  it("an env registered as prod but named production is refused; dist/ unchanged, no dist/production", () => {
    const project = projectCopy();
    made.push(project);
    const index = join(project, "stacks/envs/index.ts");
    const src = readFileSync(index, "utf8");
    writeFileSync(
      index,
      src.replace(
        "{ dev, staging, prod, gpu, loadtest, models }",
        '{ dev, staging, prod: { ...prod, name: "production" }, gpu, loadtest, models }',
      ),
    );
    expect(readFileSync(index, "utf8")).not.toBe(src);
    const before = treeHash(join(project, "dist"));
    const r = runIn(project, "scripts/synth.ts", []);
    expectOneError(
      r,
      1,
      /^error: CONFIG_NAME_MISMATCH env "prod": name: the environment registered as "prod" in stacks\/envs\/index\.ts is named "production"/,
    );
    expect(treeHash(join(project, "dist"))).toBe(before);
    expect(existsSync(join(project, "dist/production"))).toBe(false);
  });
});

describe("synth: one atomic swap per run", () => {
  const siblings = (out: string) => readdirSync(dirname(out)).filter((n) => n !== "dist");

  for (const at of ["after-env:1", "swap"]) {
    it(`a failure injected at ${at} changes nothing under --out and leaves no temporary folder`, () => {
      const out = distCopy();
      // make the run's output differ from what is there, so a partial write would show
      rmSync(join(out, "dev", "autoscaling.yaml"));
      writeFileSync(join(out, "prod", "autoscaling.yaml"), "# stale\n");
      const before = treeHash(out);
      const r = synth(["--env", "dev", "--env", "prod", "--out", out], { INFERENCE_SCALING_TEST_FAIL_WRITE: at });
      expectOneError(r, 1, new RegExp(`^error: OUTPUT_WRITE --out ${out}: nothing was changed, writing failed: injected failure at ${at}`));
      expect(treeHash(out)).toBe(before);
      expect(siblings(out)).toEqual([]);
    });
  }

  it("without the failure the same run replaces exactly its environments", () => {
    const out = distCopy();
    const keep = ["staging", "gpu", "loadtest"].map((e) => treeHash(join(out, e)));
    writeFileSync(join(out, "prod", "autoscaling.yaml"), "# stale\n");
    const r = synth(["--env", "dev", "--env", "prod", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(treeHash(out)).toBe(treeHash(join(ROOT, "dist")));
    expect(["staging", "gpu", "loadtest"].map((e) => treeHash(join(out, e)))).toEqual(keep);
    expect(siblings(out)).toEqual([]);
  });
});

describe("synth: the output folder is checked first", () => {
  it("--out /proc/nope fails at once in one line (no recursive mkdir hang)", () => {
    const r = runIn(ROOT, "scripts/synth.ts", ["--env", "dev", "--out", "/proc/nope"], {}, 30_000);
    expect(r.signal, "did not hang").toBeNull();
    expectOneError(
      r,
      1,
      /^error: OUTPUT_UNWRITABLE --out \/proc\/nope: cannot create entries in \/proc \(ENOENT\)\. Fix: choose a writable directory for --out/,
    );
    expect(existsSync("/proc/nope")).toBe(false);
  });

  it("--out under a missing folder of /proc, a file, or a folder with other files: one line, nothing changed", () => {
    const deep = runIn(ROOT, "scripts/synth.ts", ["--env", "dev", "--out", "/proc/nope/a/b"], {}, 30_000);
    expectOneError(deep, 1, /^error: OUTPUT_UNWRITABLE --out \/proc\/nope\/a\/b: cannot create entries in \/proc/);
    const dir = tmp("synth-out-");
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    expectOneError(
      synth(["--env", "dev", "--out", file]),
      1,
      new RegExp(`^error: OUTPUT_UNUSABLE --out ${file} is a file, not a directory`),
    );
    const before = treeHash(dir);
    expectOneError(synth(["--env", "dev", "--out", dir]), 1, /holds a-file, which is not an environment folder/);
    expect(treeHash(dir)).toBe(before);
  });

  it('--out "" says the flag is empty (exit 2)', () => {
    const before = treeHash(join(ROOT, "dist"));
    expectOneError(synth(["--env", "dev", "--out", ""]), 2, /^error: --out is empty\. Fix: give a value, e.g\. --out \/tmp\/render$/);
    expectOneError(synth(["--config", "", "--out", tmp("o-")]), 2, /^error: --config is empty/);
    expect(treeHash(join(ROOT, "dist"))).toBe(before);
  });

  it("--out under a folder that does not exist yet is created, and only on success", () => {
    const base = tmp("synth-out-");
    const fail = synth(["--env", "dev", "--out", join(base, "x", "y")], { INFERENCE_SCALING_TEST_FAIL_WRITE: "after-env:1" });
    expect(fail.code).toBe(1);
    expect(readdirSync(base)).toEqual([]);
    const ok = synth(["--env", "dev", "--out", join(base, "x", "y")]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(readdirSync(join(base, "x", "y"))).toEqual(["dev"]);
  });
});
