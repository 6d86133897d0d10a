/**
 * `npm run diff -- --base <git-ref> [--env <env>] [--markdown <file>] [--exit-code]`
 *
 * Synthesizes `<git-ref>` in a temporary `git worktree` (with this checkout's node_modules linked
 * in) and the working tree as it is (uncommitted changes included), each into a temporary folder
 * with that side's own `npm run synth -- --out <dir>`, and prints the resource-level diff per
 * environment (stacks/diff.ts). Nothing in dist/ or the checkout changes; the worktree is removed.
 *
 * Exit codes (documented in docs/checks.md, one `error:` line each, never a stack trace):
 *   0  done: no differences, or differences without --exit-code
 *   1  differences found (only with --exit-code)
 *   2  usage error: unknown, missing or empty flag
 *   3  the diff could not be made: unknown ref, a side fails to synthesize, --markdown not writable
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { diffDists, readDist, renderMarkdown, renderText } from "../stacks/diff.js";
import { problem, UserError } from "../problems/problem.js";
import { requireNonEmpty, UsageError, usageErrorOf } from "./cli.js";

const EXIT = { ok: 0, differences: 1, usage: 2, failed: 3 } as const;

/** The diff could not be made (exit 3). */
class DiffError extends UserError {
  constructor(message: string, fix?: string) {
    super([problem({ code: "DIFF_FAILED", message, fix: fix ?? "" })], fix ? `${message}. Fix: ${fix}` : message, EXIT.failed);
  }
}

/** Checks before any synth runs that `--markdown <file>` can be written: its folder exists and takes a new file. */
function checkMarkdownTarget(path: string): string {
  const file = resolve(path);
  const dir = dirname(file);
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return undefined;
    }
  };
  if (isDir(file)) throw new DiffError(`--markdown ${file} is a directory`, "give a file path, e.g. --markdown diff.md");
  const parent = isDir(dir);
  if (parent === undefined)
    throw new DiffError(`--markdown ${file}: folder ${dir} does not exist`, "create it or write the file elsewhere");
  if (!parent) throw new DiffError(`--markdown ${file}: ${dir} is not a directory`, "write the file elsewhere");
  try {
    rmdirSync(mkdtempSync(join(dir, ".diff-probe-")));
  } catch (e) {
    throw new DiffError(
      `--markdown ${file}: cannot write in ${dir} (${(e as NodeJS.ErrnoException).code ?? "error"})`,
      "write the file elsewhere",
    );
  }
  return file;
}

function run(cmd: string, args: readonly string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new DiffError(`cannot run ${cmd}: ${r.error.message}`);
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function git(args: readonly string[], cwd: string): string {
  const r = run("git", args, cwd);
  if (r.code !== 0) throw new DiffError(`git ${args.join(" ")} failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** `npm run synth -- --out <out>` in `cwd`; its errors become a DiffError naming the side. */
function synth(cwd: string, out: string, side: string): void {
  const r = run("npm", ["run", "--silent", "synth", "--", "--out", out], cwd);
  if (r.code !== 0) {
    throw new DiffError(`synth of ${side} failed (exit ${r.code}):\n${(r.stderr || r.stdout).trim().split("\n").slice(0, 40).join("\n")}`);
  }
}

function main(): number {
  const { values } = parseArgs({
    options: {
      base: { type: "string" },
      env: { type: "string", multiple: true },
      markdown: { type: "string" },
      "exit-code": { type: "boolean", default: false },
    },
  });
  requireNonEmpty(values, { base: "origin/main", env: "prod", markdown: "diff.md" });
  if (!values.base) throw new UsageError("--base <git-ref> is required", "e.g. npm run diff -- --base origin/main");
  const markdown = values.markdown === undefined ? undefined : checkMarkdownTarget(values.markdown);
  const root = git(["rev-parse", "--show-toplevel"], process.cwd());
  const commit = run("git", ["rev-parse", "--verify", "--quiet", `${values.base}^{commit}`], root);
  if (commit.code !== 0) throw new DiffError(`unknown git ref "${values.base}" (fetch it first, e.g. git fetch origin main)`);
  const sha = commit.stdout.trim();
  const modules = join(root, "node_modules");
  if (!existsSync(modules)) throw new DiffError(`${modules} is missing: run npm ci first`);

  const tmp = mkdtempSync(join(tmpdir(), "inference-diff-"));
  const worktree = join(tmp, "base");
  let added = false;
  try {
    git(["worktree", "add", "--detach", worktree, sha], root);
    added = true;
    // The worktree has the base's sources but no dependencies: share this checkout's.
    symlinkSync(modules, join(worktree, "node_modules"), "dir");
    synth(worktree, join(tmp, "base-out"), `base ${values.base} (${sha.slice(0, 12)})`);
    synth(root, join(tmp, "head-out"), "the working tree");
    const diffs = diffDists(readDist(join(tmp, "base-out")), readDist(join(tmp, "head-out")), values.env);
    if (markdown) {
      try {
        writeFileSync(markdown, renderMarkdown(diffs, { base: values.base, head: "working tree" }));
      } catch (e) {
        throw new DiffError(
          `cannot write --markdown ${markdown} (${(e as NodeJS.ErrnoException).code ?? "error"})`,
          "write the file elsewhere",
        );
      }
    }
    process.stdout.write(renderText(diffs));
    return values["exit-code"] && diffs.length > 0 ? EXIT.differences : EXIT.ok;
  } finally {
    if (added) run("git", ["worktree", "remove", "--force", worktree], root);
    rmSync(tmp, { recursive: true, force: true });
    if (added) run("git", ["worktree", "prune"], root);
  }
}

try {
  process.exitCode = main();
} catch (e) {
  const user = e instanceof UserError ? e : usageErrorOf(e);
  if (user) {
    // Usage errors exit 2, a DiffError 3.
    console.error(`error: ${user.message}`);
    process.exitCode = user.exitCode;
  } else {
    // Anything else (git, file system, a bug) is still one line: the diff could not be made.
    const err = e as NodeJS.ErrnoException;
    console.error(
      `error: the diff could not be made: ${err.code ? `${err.syscall ?? ""} ${err.path ?? ""} (${err.code})`.trim() : String(err.message ?? e).split("\n")[0]}`,
    );
    process.exitCode = EXIT.failed;
  }
}
