/**
 * The CLIs, bundled once with esbuild into `.build/` so `npm run synth|check|diff|simulate|hpa-step|
 * bench` run plain JavaScript: no TypeScript compiled at every run, one file read instead of
 * thousands of module resolutions. `ensureBuilt()` rebuilds only when the bundle is stale (an input
 * of the last build changed or vanished, dependencies were reinstalled, or this file changed), so
 * the README's `npm ci && npm run synth` stays the set-up. Plain JavaScript on purpose: it runs
 * before anything is compiled. Development keeps `tsx` (tests, `npx tsx scripts/synth.ts`, Pulumi).
 *
 *   node scripts/build.mjs      # build now (also prints the bundle sizes)
 */
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const OUT = join(ROOT, ".build");

/**
 * The folders holding the program's TypeScript sources (tsconfig.json's `include` lists the same
 * plus test/). A copy of the project (a test's, the e2e harness's Pulumi workspace) takes these.
 */
export const SOURCE_FOLDERS = ["constructs", "promql", "rules", "scrape", "scaling", "kube", "problems", "stacks", "infra", "scripts", "simulator"];

/** CLI name (`npm run <name>`) → its TypeScript entry. */
export const ENTRIES = {
  synth: "scripts/synth.ts",
  check: "scripts/check.ts",
  diff: "scripts/diff.ts",
  bench: "scripts/bench.ts",
  simulate: "scripts/simulate.ts",
  "hpa-step": "scripts/hpa-step.ts",
  "docs-simulation": "scripts/docs-simulation.ts",
};

const STAMP = join(OUT, "inputs.json");

/** The entries whose source exists: a partial copy of the project (a test's, a diff base's) builds what it has. */
function presentEntries() {
  return Object.fromEntries(Object.entries(ENTRIES).filter(([, src]) => existsSync(join(ROOT, src))));
}
const SELF = fileURLToPath(import.meta.url);

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Infinity; // missing: stale
  }
}

/** True when `.build/` is missing, lacks CLI `name`, or is older than anything it was built from. */
export function isStale(name) {
  if (!existsSync(STAMP)) return true;
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, "utf8"));
  } catch {
    return true;
  }
  const built = mtime(STAMP);
  if (name !== undefined && stamp.entries[name] !== ENTRIES[name]) return true;
  if (Object.entries(stamp.entries).some(([n, src]) => ENTRIES[n] !== src)) return true;
  // Dependencies: npm ci / npm install rewrite node_modules/.package-lock.json.
  const deps = [SELF, join(ROOT, "package.json"), join(ROOT, "node_modules", ".package-lock.json")];
  for (const p of [...deps, ...stamp.inputs.map((i) => join(ROOT, i))]) if (mtime(p) > built) return true;
  return false;
}

/**
 * Bundles `entries` (default: every CLI whose source exists; shared code in chunks, so vega loads
 * only with the chart). `quiet` leaves error reporting to the caller.
 */
export async function build(entries = presentEntries(), quiet = false) {
  const esbuild = await import("esbuild");
  const tmp = `${OUT}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: entries,
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    metafile: true,
    logLevel: quiet ? "silent" : "warning",
    legalComments: "none",
    // esbuild: the bench builds its yardstick with the package. re2-wasm (the schemas' regex
    // engine) reads its .wasm beside its own file: loaded from node_modules, not bundled.
    external: ["esbuild", "re2-wasm"],
    // CommonJS dependencies (cdk8s, jsii runtime) call require() for Node built-ins.
    banner: { js: 'import { createRequire as __isCreateRequire } from "node:module"; const require = __isCreateRequire(import.meta.url);' },
  });
  // Only project sources are listed: dependency changes are seen through node_modules/.package-lock.json.
  const inputs = Object.keys(result.metafile.inputs).filter((i) => !i.includes("node_modules/")).sort();
  writeFileSync(join(tmp, "inputs.json"), `${JSON.stringify({ entries, inputs }, null, 1)}\n`);
  // Replace the old bundle in one rename, so a concurrent run never sees half a build.
  const old = `${OUT}.old-${process.pid}`;
  try {
    if (existsSync(OUT)) renameSync(OUT, old);
    renameSync(tmp, OUT);
  } catch (e) {
    // Another run built the same sources at the same moment and its bundle is in place: use it.
    if (!existsSync(STAMP)) throw e;
  } finally {
    rmSync(old, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  }
  return result;
}

/** Builds when stale; returns the file URL of CLI `name`'s bundle. */
export async function ensureBuilt(name) {
  if (!(name in ENTRIES)) throw new Error(`unknown CLI "${name}" (known: ${Object.keys(ENTRIES).join(", ")})`);
  if (!existsSync(join(ROOT, ENTRIES[name]))) throw new Error(`${ENTRIES[name]} is missing: cannot run "${name}"`);
  if (isStale(name)) {
    try {
      await build(presentEntries(), true);
    } catch {
      // Another CLI does not build (a partial copy of the project, a source mid-edit): this one
      // alone, with its errors printed if it fails too.
      await build({ [name]: ENTRIES[name] });
    }
  }
  return pathToFileURL(join(OUT, `${name}.mjs`)).href;
}

if (process.argv[1] && resolve(process.argv[1]) === SELF) {
  const r = await build();
  for (const [file, o] of Object.entries(r.metafile.outputs)) {
    if (!file.endsWith(".mjs")) continue;
    console.log(`${relative(ROOT, resolve(ROOT, file)).replace(/\.tmp-\d+/, "")}\t${(o.bytes / 1024).toFixed(0)} KiB`);
  }
}
