/**
 * writeDist's promise (docs/checks.md "Bad input"): each env folder is replaced whole (a file the new
 * render no longer produces disappears), and a failure while writing leaves dist/ as it was.
 * Written against the stage-then-rename writer of stacks/synth.ts; re-check when the writer changes.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeDist, type RenderedEnv } from "../../stacks/synth.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

/** dist/ with dev and prod, each holding an obsolete file. */
function oldDist(): string {
  const out = mkdtempSync(join(tmpdir(), "write-dist-"));
  dirs.push(out);
  for (const env of ["dev", "prod"]) {
    mkdirSync(join(out, env, "rules"), { recursive: true });
    writeFileSync(join(out, env, "app.yaml"), `old ${env}\n`);
    writeFileSync(join(out, env, "rules", "obsolete.yaml"), `obsolete ${env}\n`);
  }
  return out;
}

const env = (name: string, files: Record<string, string>): RenderedEnv => ({
  env: name,
  stack: undefined as never,
  warnings: [],
  files: Object.entries(files).map(([path, content]) => ({ path, content })),
});

describe("writeDist", () => {
  it("replaces each env folder whole: obsolete files disappear, envs not written stay, no staging left", () => {
    const out = oldDist();
    writeDist(out, [env("dev", { "app.yaml": "new dev\n", "rules/slo.yaml": "slo\n" })]);
    expect(tree(out)).toEqual({
      "dev/app.yaml": "new dev\n",
      "dev/rules/slo.yaml": "slo\n",
      "prod/app.yaml": "old prod\n",
      "prod/rules/obsolete.yaml": "obsolete prod\n",
    });
    expect(readdirSync(out).sort()).toEqual(["dev", "prod"]);
  });

  it("a failure in the middle of writing leaves every env folder as it was", () => {
    const out = oldDist();
    const before = tree(out);
    // dev is written completely first; prod's second file cannot be created ("app.yaml" is a file, not a folder).
    const envs = [env("dev", { "app.yaml": "new dev\n" }), env("prod", { "app.yaml": "new prod\n", "app.yaml/x.yaml": "x\n" })];
    expect(() => writeDist(out, envs)).toThrow();
    expect(tree(out)).toEqual(before);
    expect(readdirSync(out).sort()).toEqual(["dev", "prod"]);
  });
});
