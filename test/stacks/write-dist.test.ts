/**
 * writeDist's promise (docs/checks.md "Bad input"): each env folder is replaced whole (a file the new
 * render no longer produces disappears), and a failure while writing leaves dist/ as it was.
 * Written against the stage-then-rename writer of stacks/synth.ts; re-check when the writer changes.
 */
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SynthError } from "../../stacks/errors.js";
import { checkOutDir, toYaml, writeDist, type RenderedEnv } from "../../stacks/synth.js";

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
  objects: [],
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

describe("writeDist: parents, the swap and its failures", () => {
  const FAIL = "INFERENCE_SCALING_TEST_FAIL_WRITE";
  afterEach(() => {
    delete process.env[FAIL];
  });
  const base = () => {
    const d = mkdtempSync(join(tmpdir(), "write-dist-"));
    dirs.push(d);
    return d;
  };
  const failure = (fn: () => void): SynthError => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(SynthError);
      return e as SynthError;
    }
    throw new Error("writeDist did not fail");
  };

  it("creates missing parents and the target; keeps dot-folders already in the target", () => {
    const b = base();
    const out = join(b, "x", "y");
    writeDist(out, [env("dev", { "app.yaml": "a\n" })]);
    expect(tree(b)).toEqual({ "x/y/dev/app.yaml": "a\n" });
    mkdirSync(join(out, ".cache"));
    writeFileSync(join(out, ".cache", "k"), "kept\n");
    writeDist(out, [env("dev", { "app.yaml": "b\n" })]);
    expect(tree(b)).toEqual({ "x/y/dev/app.yaml": "b\n", "x/y/.cache/k": "kept\n" });
    expect(readdirSync(join(b, "x"))).toEqual(["y"]);
  });

  it.each(["after-env:1", "after-env:2", "swap"])("a failure at %s changes nothing, leaves no staging folder and says so", (at) => {
    const out = oldDist();
    const before = tree(out);
    process.env[FAIL] = at;
    const e = failure(() => writeDist(out, [env("dev", { "app.yaml": "new dev\n" }), env("prod", { "app.yaml": "new prod\n" })]));
    expect(e.lines).toEqual([
      expect.stringMatching(
        new RegExp(`^OUTPUT_WRITE --out ${out}: nothing was changed, writing failed: injected failure at ${at} .*\\. Fix: `),
      ),
    ]);
    expect(tree(out)).toEqual(before);
    expect(readdirSync(dirname(out)).filter((n) => n.startsWith(`.${basename(out)}.synth-`))).toEqual([]);
  });

  it("a failure writing a new target removes the parents it created", () => {
    const b = base();
    process.env[FAIL] = "swap";
    const e = failure(() => writeDist(join(b, "x", "y"), [env("dev", { "app.yaml": "a\n" })]));
    expect(e.lines[0]).toMatch(/^OUTPUT_WRITE .*nothing was changed/);
    expect(readdirSync(b)).toEqual([]);
  });

  it("a file system error names the call, the path and the code", () => {
    const out = oldDist();
    const e = failure(() => writeDist(out, [env("prod", { "app.yaml": "x\n", "app.yaml/y.yaml": "y\n" })]));
    expect(e.lines[0]).toMatch(
      new RegExp(
        `^OUTPUT_WRITE --out ${out}: nothing was changed, writing failed \\((mkdir|open) .*app\\.yaml.*: (ENOTDIR|EEXIST)\\)\\. Fix: choose a writable directory for --out`,
      ),
    );
  });
});

describe("checkOutDir refuses an output folder before anything is rendered", () => {
  const refusal = (out: string): string => {
    try {
      checkOutDir(out);
    } catch (e) {
      expect(e).toBeInstanceOf(SynthError);
      expect((e as SynthError).lines).toHaveLength(1);
      return (e as SynthError).lines[0]!;
    }
    throw new Error(`checkOutDir accepted ${out}`);
  };
  const base = () => {
    const d = mkdtempSync(join(tmpdir(), "out-dir-"));
    dirs.push(d);
    return d;
  };

  it("returns the absolute path of a folder of environment folders, a missing one, or one holding dotfiles; creates nothing", () => {
    const b = base();
    mkdirSync(join(b, "dev"));
    writeFileSync(join(b, ".keep"), "");
    expect(checkOutDir(b)).toBe(b);
    expect(checkOutDir(join(b, "new", "deeper"))).toBe(join(b, "new", "deeper"));
    expect(checkOutDir(relative(process.cwd(), join(b, "dev")))).toBe(join(b, "dev"));
    expect(readdirSync(b).sort()).toEqual([".keep", "dev"]);
  });

  it("OUTPUT_EMPTY_FLAG: an empty or blank --out", () => {
    for (const out of ["", "  "])
      expect(refusal(out)).toBe(
        "OUTPUT_EMPTY_FLAG --out is empty. Fix: give a directory, e.g. --out /tmp/render, or omit --out to write dist/",
      );
  });

  it("OUTPUT_UNUSABLE: the file-system root, a file, a folder holding a file, a path under a file", () => {
    expect(refusal("/")).toBe(
      "OUTPUT_UNUSABLE --out / is the file-system root. Fix: choose a writable directory for --out, e.g. --out /tmp/render",
    );
    const b = base();
    writeFileSync(join(b, "notes.txt"), "x");
    expect(refusal(join(b, "notes.txt"))).toBe(
      `OUTPUT_UNUSABLE --out ${b}/notes.txt is a file, not a directory. Fix: choose a writable directory for --out, e.g. --out /tmp/render`,
    );
    expect(refusal(b)).toBe(
      `OUTPUT_UNUSABLE --out ${b} holds notes.txt, which is not an environment folder (synth replaces the whole folder as one). Fix: point --out at a folder only synth writes, e.g. --out /tmp/render`,
    );
    expect(refusal(join(b, "notes.txt", "a", "b"))).toBe(
      `OUTPUT_UNUSABLE --out ${b}/notes.txt/a/b: ${b}/notes.txt is a file, not a directory. Fix: choose a writable directory for --out, e.g. --out /tmp/render`,
    );
  });

  it("OUTPUT_UNWRITABLE: a parent that takes no new entry (/proc)", () => {
    expect(refusal("/proc/inference-scaling-nope")).toMatch(
      /^OUTPUT_UNWRITABLE --out \/proc\/inference-scaling-nope: cannot create entries in \/proc \(E[A-Z]+\)\. Fix: /,
    );
  });
});

describe("writeDist keeps what it copies as it was; toYaml writes plain documents", () => {
  it("several files in one folder; an env folder not written keeps its modification times and its symlinks as links", () => {
    const out = oldDist();
    const old = new Date("2020-01-02T03:04:05Z");
    utimesSync(join(out, "prod", "app.yaml"), old, old);
    symlinkSync("app.yaml", join(out, "prod", "link.yaml"));
    writeDist(out, [env("dev", { "a.yaml": "a\n", "b.yaml": "b\n", "rules/x/y.yaml": "y\n", "rules/x/z.yaml": "z\n" })]);
    expect(tree(join(out, "dev"))).toEqual({ "a.yaml": "a\n", "b.yaml": "b\n", "rules/x/y.yaml": "y\n", "rules/x/z.yaml": "z\n" });
    expect(statSync(join(out, "prod", "app.yaml")).mtime.toISOString()).toBe(old.toISOString());
    expect(lstatSync(join(out, "prod", "link.yaml")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(out, "prod", "link.yaml"))).toBe("app.yaml");
  });

  it("toYaml: the header, then each document; an object used twice is written twice, never as a YAML alias", () => {
    const shared = { app: "inference" };
    const yaml = toYaml([{ metadata: { labels: shared }, spec: { selector: shared } }, { kind: "B" }]);
    expect(yaml).toBe(
      "# Generated by inference-scaling (npm run synth). Do not edit: change stacks/ instead.\n" +
        "metadata:\n  labels:\n    app: inference\nspec:\n  selector:\n    app: inference\n---\nkind: B\n",
    );
  });

  it("checkOutDir: a path it cannot inspect (a symlink loop) is OUTPUT_UNUSABLE with the reason", () => {
    const b = mkdtempSync(join(tmpdir(), "out-dir-"));
    dirs.push(b);
    symlinkSync("loop", join(b, "loop"));
    expect(() => checkOutDir(join(b, "loop"))).toThrow(SynthError);
    try {
      checkOutDir(join(b, "loop"));
    } catch (e) {
      expect((e as SynthError).lines).toEqual([
        `OUTPUT_UNUSABLE --out ${b}/loop: cannot inspect it (ELOOP). Fix: choose a writable directory for --out, e.g. --out /tmp/render`,
      ]);
    }
  });
});
