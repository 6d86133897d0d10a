/**
 * The bad-config corpus (test/fixtures/bad/, codes in expected.json): every file through the real
 * CLI (`scripts/synth.ts --config <file> --out <empty dir>`). Each must exit 1 with its expected
 * code on an `error:` line, print no stack trace and write nothing. The good base config the
 * corpus files are edited from must pass, so each failure comes from the one change.
 *
 * The warning corpus (test/fixtures/warn/, same index format): configs that are valid but
 * misbehave quietly. Each must exit 0, print exactly its expected code on `warning:` lines and
 * write its environment.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_CODES, CONFIG_CODES } from "../../../problems/codes.js";
import { cliArgs, ROOT, treeHash } from "../../helpers/cli.js";

const BAD = resolve(ROOT, "test/fixtures/bad");
const WARN = resolve(ROOT, "test/fixtures/warn");
const GOOD = resolve(ROOT, "test/fixtures/good/base.json");
/** `args`: extra CLI arguments (`{file}` is the fixture's path), for refusals that need two sources. `env`: the environment a warning names (default corpus). */
/** `line`: a regex the one `error:` line must match after its code and env (the CLI's own refusals print exactly one line). */
type Index = Record<string, { code: string; why: string; args?: string[]; env?: string; line?: string }>;
const expected = JSON.parse(readFileSync(join(BAD, "expected.json"), "utf8")) as Index;
const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly written: string[];
}

function synth(file: string, extra: readonly string[] = []): Promise<Result> {
  const out = mkdtempSync(join(tmpdir(), "corpus-out-"));
  made.push(out);
  const args = extra.map((a) => a.replaceAll("{file}", file));
  return new Promise((done) => {
    const child = spawn(process.execPath, cliArgs("scripts/synth.ts", ["--config", file, ...args, "--out", out]), { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => done({ code, stdout, stderr, written: readdirSync(out) }));
  });
}

/** Runs every file of `dir`, a few at a time (each run is a separate Node process). */
async function runAll(files: readonly string[], dir = BAD, index: Index = expected): Promise<Map<string, Result>> {
  const results = new Map<string, Result>();
  const queue = [...files];
  const workers = Array.from({ length: Math.max(2, Math.min(6, cpus().length)) }, async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) results.set(f, await synth(join(dir, f), index[f]?.args));
  });
  await Promise.all(workers);
  return results;
}

describe("bad-config corpus", () => {
  const files = readdirSync(BAD)
    .filter((f) => f !== "expected.json")
    .sort();
  let results: Map<string, Result>;
  let distBefore: string;

  beforeAll(async () => {
    distBefore = treeHash(resolve(ROOT, "dist"));
    results = await runAll(files);
  }, 300_000);

  it("the committed dist/ is unchanged by the whole corpus run", () => {
    expect(treeHash(resolve(ROOT, "dist"))).toBe(distBefore);
  });

  it("holds at least 30 configs, each with a known expected code, and nothing unlisted", () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(expected).sort()).toEqual(files);
    for (const [f, e] of Object.entries(expected)) {
      expect(e.code in CONFIG_CODES || e.code in CHECK_CODES, `${f}: ${e.code}`).toBe(true);
      expect(e.why.length, f).toBeGreaterThan(10);
    }
  });

  it("covers malformed input and the checks a config can reach", () => {
    const codes = new Set(Object.values(expected).map((e) => e.code));
    for (const c of [
      "CONFIG_SYNTAX",
      "CONFIG_INVALID_TYPE",
      "CONFIG_UNKNOWN_KEY",
      "CONFIG_EMPTY",
      "CONFIG_RANGE",
      "CONFIG_FORMAT",
      "CONFIG_MISSING",
    ])
      expect(codes, c).toContain(c);
    for (const c of ["CONFIG_DUPLICATE_ENV", "CONFIG_CONFLICT", "CONFIG_INVALID_VALUE", "OBJECT_TOO_LARGE"]) expect(codes, c).toContain(c);
    for (const c of [
      "METRIC_NOT_SCRAPED",
      "RATE_WINDOW_TOO_SHORT",
      "PLAINTEXT_CREDENTIAL",
      "LATENCY_THRESHOLD_NOT_BUCKET",
      "SCALES_AFTER_ALERT",
      "POD_RESOURCES_MISSING",
      "CAPACITY_EXCEEDED",
    ]) {
      expect(codes, c).toContain(c);
    }
  });

  it("the base config the corpus edits synthesizes cleanly", async () => {
    const out = mkdtempSync(join(tmpdir(), "corpus-good-"));
    const r = await new Promise<Result>((done) => {
      const child = spawn(process.execPath, cliArgs("scripts/synth.ts", ["--config", GOOD, "--out", out]), { cwd: ROOT });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => done({ code, stdout: "", stderr, written: readdirSync(out) }));
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/^error:/m);
    // no warning either: each warning-corpus file's warning comes from its one change
    expect(r.stderr).not.toMatch(/^warning:/m);
    expect(r.written).toEqual(["corpus"]);
  });

  for (const f of readdirSync(BAD)
    .filter((x) => x !== "expected.json")
    .sort()) {
    it(`${f} → ${expected[f]?.code}`, () => {
      const r = results.get(f)!;
      const want = expected[f]!.code;
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^error: ${want} env "[^"]+": `, "m"));
      // user errors never show a stack trace or an uncaught error
      expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(r.stderr).not.toMatch(/\b(TypeError|ReferenceError|RangeError|SyntaxError): /);
      for (const line of r.stderr.trim().split("\n")) expect(line, "every stderr line is an error line").toMatch(/^(error|warning): /);
      const line = expected[f]!.line;
      if (line) {
        expect(r.stderr.trim().split("\n"), "exactly one line").toHaveLength(1);
        expect(r.stderr.trim()).toMatch(new RegExp(`^error: ${want} env "[^"]+": ${line}`));
      }
      expect(r.written, "nothing written to the out dir").toEqual([]);
    });
  }
});

describe("warning corpus", () => {
  const warnExpected = JSON.parse(readFileSync(join(WARN, "expected.json"), "utf8")) as Index;
  const files = readdirSync(WARN)
    .filter((f) => f !== "expected.json")
    .sort();
  let results: Map<string, Result>;

  beforeAll(async () => {
    results = await runAll(files, WARN, warnExpected);
  }, 300_000);

  it("lists every file with a warning code from the catalog", () => {
    expect(Object.keys(warnExpected).sort()).toEqual(files);
    for (const [f, e] of Object.entries(warnExpected)) {
      expect(CHECK_CODES[e.code as keyof typeof CHECK_CODES]?.summary, `${f}: ${e.code}`).toMatch(/^warning: /);
      expect(e.why.length, f).toBeGreaterThan(10);
    }
    const codes = new Set(Object.values(warnExpected).map((e) => e.code));
    for (const c of ["PRESCALE_NOT_APPLIED", "QUEUE_ALERT_BEFORE_SCALE", "IMAGE_NOT_PINNED", "PDB_ALLOWS_OUTAGE"])
      expect(codes, c).toContain(c);
  });

  for (const f of readdirSync(WARN)
    .filter((x) => x !== "expected.json")
    .sort()) {
    it(`${f} → warning ${warnExpected[f]?.code}`, () => {
      const r = results.get(f)!;
      const want = warnExpected[f]!.code;
      const env = warnExpected[f]!.env ?? "corpus";
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stderr.trim().split("\n");
      for (const line of lines) expect(line, "only warning lines").toMatch(new RegExp(`^warning: ${want} env "${env}": `));
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(r.written, "the environment is written").toEqual([env]);
    });
  }
});
