/**
 * scripts/code-cache.mjs runs a CLI bundle as `node <bundle>` would, with V8's code cache: the
 * first run writes the cache, the next takes it, a cache V8 refuses (another V8, a damaged file)
 * is rewritten, and the program sees the same module environment (and the import hook
 * kube/dynamic-import.ts uses) and does the same either way.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { cacheFile } from "../../scripts/code-cache.mjs";
import { ROOT } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "code-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A CommonJS program that reports its module environment, then a dynamic import of a built-in and of a file. */
const PROGRAM = `
const { basename } = require("node:path");
const fn = (n) => (n <= 1 ? 1 : n * fn(n - 1));
exports.answer = 42;
process.stdout.write(JSON.stringify({
  file: basename(__filename), dir: __dirname, exportsIsModuleExports: exports === module.exports, answer: module.exports.answer,
  argv: process.argv.slice(2), resolves: typeof require.resolve("./side.cjs"), fact: fn(10),
}) + "\\n");
const load = globalThis[Symbol.for("inference-scaling.import")];
load("node:os").then((os) => load(${JSON.stringify(pathToFileURL(join(dir, "side.mjs")).href)}).then((m) =>
  process.stdout.write(JSON.stringify({ os: typeof os.cpus, side: m.side }) + "\\n")));
`;

function run(bundle: string): { accepted: string; lines: unknown[] } {
  const loader = pathToFileURL(join(ROOT, "scripts", "code-cache.mjs")).href;
  const r = spawnSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { runWithCodeCache } from ${JSON.stringify(loader)}; process.stderr.write(String(runWithCodeCache(process.argv[1])));`,
      bundle,
      "a",
      "--b",
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  return {
    accepted: r.stderr,
    lines: r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as unknown),
  };
}

describe("running a bundle with V8's code cache", () => {
  it("writes the cache on the first run, takes it on the next, rewrites one V8 refuses; the program runs the same each time", () => {
    const bundle = join(dir, "prog.cjs");
    writeFileSync(bundle, PROGRAM);
    writeFileSync(join(dir, "side.cjs"), "module.exports = 1;\n");
    writeFileSync(join(dir, "side.mjs"), "export const side = 'esm';\n");
    const expected = [
      { file: "prog.cjs", dir, exportsIsModuleExports: true, answer: 42, argv: ["a", "--b"], resolves: "string", fact: 3628800 },
      { os: "function", side: "esm" },
    ];
    const first = run(bundle);
    expect(first).toEqual({ accepted: "false", lines: expected });
    expect(existsSync(cacheFile(bundle))).toBe(true);
    const written = readFileSync(cacheFile(bundle));
    expect(run(bundle)).toEqual({ accepted: "true", lines: expected });
    // A damaged cache: refused, the program runs from its source, and a good cache replaces it.
    writeFileSync(cacheFile(bundle), Buffer.from("not a code cache"));
    expect(run(bundle)).toEqual({ accepted: "false", lines: expected });
    expect(readFileSync(cacheFile(bundle)).length).toBeGreaterThan(100);
    expect(run(bundle)).toEqual({ accepted: "true", lines: expected });
    // Another source (a rebuild in place would be one): V8 refuses the old cache.
    writeFileSync(bundle, `${PROGRAM}\n// changed\n`);
    expect(run(bundle).accepted).toBe("false");
    expect(written.length).toBeGreaterThan(100);
  });
});
