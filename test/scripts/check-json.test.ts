/**
 * `check --json` through the documented command (`npm run -s check -- --json`): stdout is only the
 * findings JSON (it parses), also for a failing, unreadable or malformed config; exit 1 on errors.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, treeHash } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "check-json-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function npmCheck(...args: string[]) {
  const r = spawnSync("npm", ["run", "-s", "check", "--", "--json", ...args], { cwd: ROOT, encoding: "utf8", timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm run -s check -- --json", () => {
  it("a clean environment: [] and exit 0, dist/ untouched", () => {
    const before = treeHash(join(ROOT, "dist"));
    const r = npmCheck("--env", "dev");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
    expect(treeHash(join(ROOT, "dist"))).toBe(before);
  });

  it("bad configs: stdout parses as findings with code, env, path and fix; exit 1", () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "name: bad\nnamespace: ml-bad\nservice: [unclosed\n");
    const r = npmCheck("--config", bad, "--config", join(dir, "missing.json"), "--env", "qa");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("");
    const findings = JSON.parse(r.stdout) as { code: string; severity: string; env: string; fix: string }[];
    expect(findings.map((f) => [f.code, f.env])).toEqual([
      ["CONFIG_UNKNOWN_ENV", "qa"],
      ["CONFIG_SYNTAX", "bad"],
      ["CONFIG_UNREADABLE", "missing"],
    ]);
    for (const f of findings) expect(f.fix.length).toBeGreaterThan(3);
  });
});
