/**
 * `npm run diff -- --base <git-ref> [--env <env>] [--markdown <file>] [--exit-code]`
 *
 * Synthesizes `<git-ref>` in a temporary `git worktree` (with this checkout's node_modules linked
 * in) and the working tree as it is (uncommitted changes included), each into a temporary folder
 * with that side's own `npm run synth -- --out <dir>`, and prints the resource-level diff per
 * environment (stacks/diff.ts). Nothing in dist/ or the checkout changes; the worktree is removed.
 *
 * Exit codes: 0 done (1 with --exit-code when anything differs); 2 the diff could not be made
 * (unknown ref, a side fails to synthesize).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { diffDists, readDist, renderMarkdown, renderText } from "../stacks/diff.js";

class DiffError extends Error {}

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
  if (!values.base) throw new DiffError("--base <git-ref> is required, e.g. npm run diff -- --base origin/main");
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
    process.stdout.write(renderText(diffs));
    if (values.markdown) writeFileSync(resolve(values.markdown), renderMarkdown(diffs, { base: values.base, head: "working tree" }));
    return values["exit-code"] && diffs.length > 0 ? 1 : 0;
  } finally {
    if (added) run("git", ["worktree", "remove", "--force", worktree], root);
    rmSync(tmp, { recursive: true, force: true });
    if (added) run("git", ["worktree", "prune"], root);
  }
}

try {
  process.exitCode = main();
} catch (e) {
  if (e instanceof DiffError || (e instanceof TypeError && (e as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")) {
    console.error(`error: ${e.message}`);
    process.exitCode = 2;
  } else throw e;
}
