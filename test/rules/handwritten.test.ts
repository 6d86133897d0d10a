/**
 * The hand-written promtool tests under test/promtool/ (committed, reviewed expectations) run
 * against the committed dist/<env>/rules files.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
import { promtoolAsync } from "../helpers/promtool.js";

const DIR = join(ROOT, "test", "promtool");
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith(".test.yaml"))
  .sort();

describe("hand-written promtool tests (test/promtool)", () => {
  it("exist", () => {
    expect(FILES.length).toBeGreaterThanOrEqual(2);
  });

  it.each(FILES)("promtool test rules %s", async (file) => {
    const r = await promtoolAsync(["test", "rules", file], DIR);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/SUCCESS/);
  });
});
