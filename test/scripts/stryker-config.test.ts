/**
 * The mutation-testing scope (stryker.config.mjs) names files that exist: after files move, a
 * pattern matching nothing would silently mutate or run nothing for its module.
 */
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM config without type declarations
import { MODULES } from "../../stryker.config.mjs";
import { ROOT } from "../helpers/cli.js";

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : [relative(ROOT, join(dir, d.name))],
  );
}

/** Files matching `pattern`: a path, or `<dir>/**\/*<suffix>`. */
function matches(pattern: string): string[] {
  const m = /^(.*)\/\*\*\/\*(.*)$/.exec(pattern);
  if (!m) return existsSync(join(ROOT, pattern)) ? [pattern] : [];
  const dir = join(ROOT, m[1]!);
  return existsSync(dir) ? files(dir).filter((f) => f.endsWith(m[2]!)) : [];
}

describe.each(Object.entries(MODULES as Record<string, { mutate: string[]; testFiles: string[] }>))("mutation module %s", (_name, mod) => {
  it("every file pattern it mutates and every test file pattern it runs matches a file", () => {
    for (const p of [...mod.mutate.filter((p) => !p.startsWith("!")), ...mod.testFiles]) expect(matches(p), p).not.toEqual([]);
    for (const p of mod.testFiles) for (const f of matches(p)) expect(f, p).toMatch(/^test\/.*\.test\.ts$/);
  });
});
