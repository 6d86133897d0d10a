/**
 * The promtool tests leave no `promtool-*` folder in the system temp dir. Runs
 * the real test command (vitest) on the promtool-using tests with TMPDIR pointed at an empty
 * folder, and lists it afterwards.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

const tmp = mkdtempSync(join(tmpdir(), "tmpdir-check-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("temporary folders", () => {
  it("the promtool tests remove their promtool-* folders", () => {
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, "node_modules/vitest/vitest.mjs"),
        "run",
        "test/scrape/scrape.test.ts",
        "test/rules/promtool.test.ts",
        "-t",
        "promtool check config|broken alert expression",
      ],
      { cwd: ROOT, encoding: "utf8", timeout: 300_000, env: { ...process.env, TMPDIR: tmp } },
    );
    expect(r.status, `${r.stdout}\n${r.stderr}`.slice(-3000)).toBe(0);
    expect(r.stdout).toMatch(/Tests\s+.*\d+ passed/);
    expect(readdirSync(tmp).filter((n) => n.startsWith("promtool-"))).toEqual([]);
  }, 320_000);
});
