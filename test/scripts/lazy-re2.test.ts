/**
 * The bundles load scripts/lazy-re2.mjs in place of @kubernetes-models/validate's RE2 runtime, so
 * re2-wasm is loaded and compiled at a pattern's first test rather than at every CLI's start. Held
 * here: the same answers as RE2, nothing loaded before the first test, the runtime it replaces
 * unchanged, and every bundle built with it.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ENTRIES, ensureBuilt, LAZY_RE2, OUT, RE2_RUNTIME, RE2_RUNTIME_TEXT } from "../../scripts/build.mjs";
import LazyRE2 from "../../scripts/lazy-re2.mjs";
import { ROOT } from "../helpers/cli.js";

const { RE2 } = createRequire(import.meta.url)("re2-wasm") as { RE2: new (source: string, flags: string) => { test(s: string): boolean } };

describe("LazyRE2", () => {
  it("answers as RE2 does, case-insensitive groups included", () => {
    const patterns = ["^(?i)(abort|warn)?$", "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "^(?i)x+y$", "ü"];
    const inputs = ["", "abort", "WARN", "Abort", "abortx", "warn ", "a-b", "-a", "XXY", "xy", "y", "grün", "gruen"];
    for (const p of patterns) {
      const lazy = new LazyRE2(p, "u");
      const eager = new RE2(p, "u");
      for (const s of inputs) expect(lazy.test(s), `${p} on ${JSON.stringify(s)}`).toBe(eager.test(s));
    }
  });

  it("loads re2-wasm at the first test, not when a pattern is made", () => {
    const script = `
      import LazyRE2 from ${JSON.stringify(LAZY_RE2)};
      import { createRequire } from "node:module";
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes("re2-wasm"));
      const p = new LazyRE2("^(?i)(abort|warn)?$", "u");
      const before = loaded();
      const answer = p.test("Warn");
      console.log(JSON.stringify({ before, answer, after: loaded() }));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ before: false, answer: true, after: true });
  });
});

describe("the bundles' RE2", () => {
  beforeAll(async () => {
    for (const name of Object.keys(ENTRIES)) await ensureBuilt(name);
  }, 300_000);

  it("the runtime it replaces still holds only re2-wasm's RE2 (else the build refuses)", () => {
    const runtime = join(ROOT, "node_modules", "@kubernetes-models", "validate", "dist", "runtime", "re2.mjs");
    expect(RE2_RUNTIME.test(runtime)).toBe(true);
    expect(readFileSync(runtime, "utf8").replace(/\/\/# sourceMappingURL=\S*\s*$/, "")).toBe(RE2_RUNTIME_TEXT);
  });

  it("every bundle makes its patterns with LazyRE2 and loads re2-wasm nowhere else; re2-wasm resolves from the bundle's folder", () => {
    const bundles = readdirSync(OUT).filter((f) => f.endsWith(".cjs"));
    expect(bundles.length).toBeGreaterThanOrEqual(Object.keys(ENTRIES).length);
    let patterns = 0;
    for (const f of bundles) {
      const text = readFileSync(join(OUT, f), "utf8");
      expect(text, f).not.toMatch(/new re2_default|require\("re2-wasm"\)/);
      patterns += text.match(/new LazyRE2\(/g)?.length ?? 0;
    }
    expect(patterns).toBeGreaterThan(0);
    expect(() => createRequire(join(OUT, "synth.cjs"))("re2-wasm")).not.toThrow();
  });
});
