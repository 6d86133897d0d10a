/**
 * `npm run diff`'s exit codes through the real CLI (`npm run -s diff`): errors are one line with a documented
 * exit code distinct from "differences found" (1): usage 2, the diff could not be made 3. The
 * --markdown target is checked before anything is synthesized; dist/ and the target are unchanged.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, stderrLines, treeHash } from "../helpers/cli.js";

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function npmDiff(...args: string[]) {
  const r = spawnSync("npm", ["run", "-s", "diff", "--", ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm run diff: exit codes and one-line errors", () => {
  const dir = mkdtempSync(join(tmpdir(), "diff-exit-"));
  made.push(dir);
  const cases: [string[], number, RegExp][] = [
    [
      ["--base", "HEAD", "--markdown", "/unwritable/x.md", "--exit-code"],
      3,
      /^error: --markdown \/unwritable\/x\.md: folder \/unwritable does not exist\. Fix: /,
    ],
    [
      ["--base", "HEAD", "--markdown", "/proc/x.md", "--exit-code"],
      3,
      /^error: --markdown \/proc\/x\.md: cannot write in \/proc \(ENOENT\)\. Fix: /,
    ],
    [["--base", "HEAD", "--markdown", dir], 3, /is a directory\. Fix: give a file path/],
    [["--base", "no-such-ref-xyz", "--exit-code"], 3, /^error: unknown git ref "no-such-ref-xyz"/],
    [["--markdown", join(dir, "d.md")], 2, /^error: --base <git-ref> is required\. Fix: /],
    [["--base", "HEAD", "--markdown", ""], 2, /^error: --markdown is empty\. Fix: /],
    [["--base", "HEAD", "--bogus"], 2, /^error: Unknown option '--bogus'/],
  ];
  for (const [args, code, line] of cases) {
    it(`${args.join(" ")} → exit ${code}, one line`, () => {
      const before = [treeHash(join(ROOT, "dist")), treeHash(dir)];
      const r = npmDiff(...args);
      expect(r.code, r.stderr).toBe(code);
      expect(stderrLines(r)).toHaveLength(1);
      expect(stderrLines(r)[0]).toMatch(line);
      expect(r.stdout).toBe("");
      expect([treeHash(join(ROOT, "dist")), treeHash(dir)]).toEqual(before);
      expect(existsSync("/unwritable")).toBe(false);
    });
  }
});
