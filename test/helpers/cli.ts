/**
 * Runs a project CLI the way `npm run` does: the esbuild bundle (scripts/run.mjs builds it when a
 * source changed), capturing output and exit code. A script with no bundle entry runs with tsx.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ENTRIES, isStale, OUT, SOURCE_FOLDERS } from "../../scripts/build.mjs";

export const ROOT = resolve(import.meta.dirname, "../..");

/** node's arguments that run `script` (a path such as `scripts/synth.ts`) of checkout `root` with `args`. */
export function cliArgs(script: string, args: readonly string[], root = ROOT): string[] {
  const name = Object.entries(ENTRIES).find(([, src]) => resolve(root, src) === resolve(root, script))?.[0];
  return name ? [resolve(root, "scripts/run.mjs"), name, ...args] : ["--import", "tsx", resolve(root, script), ...args];
}

export function runScript(
  script: string,
  args: readonly string[],
  opts: { cwd?: string; input?: string; env?: Record<string, string> } = {},
) {
  const r = spawnSync(process.execPath, cliArgs(script, args), {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    encoding: "utf8",
    env: { ...process.env, ...opts.env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** sha256 of a folder tree (relative paths, contents, symlink targets); "absent" when it does not exist. */
export function treeHash(dir: string): string {
  if (!existsSync(dir)) return "absent";
  const h = createHash("sha256");
  const walk = (rel: string) => {
    const abs = join(dir, rel);
    const st = lstatSync(abs);
    if (st.isDirectory()) {
      h.update(`d ${rel}\n`);
      for (const e of readdirSync(abs).sort()) walk(rel ? `${rel}/${e}` : e);
    } else if (st.isSymbolicLink()) h.update(`l ${rel} ${readlinkSync(abs)}\n`);
    else h.update(`f ${rel} ${readFileSync(abs).length}\n`).update(readFileSync(abs));
  };
  walk("");
  return h.digest("hex");
}

/**
 * A throw-away copy of the program's sources and committed dist/ (node_modules linked), so a test can
 * run the CLI without --out, or edit stacks/envs/, without touching this checkout.
 */
export function projectCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "project-copy-"));
  // Modification times kept: the checkout's bundle comes along with its stamp (copyBundle).
  for (const p of [...SOURCE_FOLDERS, "dist", "package.json", "tsconfig.json", "cdk8s.yaml"])
    cpSync(join(ROOT, p), join(dir, p), { recursive: true, preserveTimestamps: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  copyBundle(dir);
  return dir;
}

/**
 * This checkout's CLI bundle, when fresh, into copy `dir` (it holds no absolute path), with the
 * modification times of the build and of the sources it was built from: a copy whose sources a test
 * leaves alone runs it as built; a source a test edits is newer than the build, so the copy rebuilds
 * on its next run, as a checkout does (scripts/build.mjs isStale). (A stamp dated at copy time
 * would not do: the kernel dates a write with a clock a few milliseconds behind Date.now().)
 */
function copyBundle(dir: string): void {
  if (isStale()) return;
  const build = readlinkSync(OUT);
  cpSync(resolve(ROOT, build), join(dir, build), { recursive: true, preserveTimestamps: true });
  symlinkSync(build, join(dir, ".build"));
}

/**
 * Runs `script` of this checkout or of a project copy the way a user does (`npm run <cli>`), with a
 * time bound: a CLI runs its bundle, which a project copy builds from its own sources on its first
 * run (scripts/run.mjs; a second of CPU less per run than tsx from the second run on). A script
 * with no bundle entry runs with tsx.
 */
export function runIn(cwd: string, script: string, args: readonly string[], env: Record<string, string> = {}, timeout = 120_000) {
  const argv = cliArgs(script, args, resolve(cwd));
  const r = spawnSync(process.execPath, argv, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** The lines a CLI printed on stderr. */
export function stderrLines(r: { stderr: string }): string[] {
  return r.stderr.trim().split("\n").filter(Boolean);
}
