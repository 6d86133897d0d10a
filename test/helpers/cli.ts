/**
 * Runs a project CLI the way `npm run` does: the esbuild bundle (scripts/run.mjs builds it when a
 * source changed), capturing output and exit code. A script with no bundle entry runs with tsx.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { ENTRIES } from "../../scripts/build.mjs";

export const ROOT = resolve(import.meta.dirname, "../..");

/** node's arguments that run `script` (a path such as `scripts/synth.ts`) with `args`. */
export function cliArgs(script: string, args: readonly string[]): string[] {
  const name = Object.entries(ENTRIES).find(([, src]) => resolve(ROOT, src) === resolve(ROOT, script))?.[0];
  return name ? [resolve(ROOT, "scripts/run.mjs"), name, ...args] : ["--import", "tsx", resolve(ROOT, script), ...args];
}

export function runScript(script: string, args: readonly string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, cliArgs(script, args), {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    encoding: "utf8",
    env: { ...process.env, ...opts.env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
