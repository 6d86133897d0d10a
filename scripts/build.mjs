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
import {
  closeSync,
  existsSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/**
 * Each build is a folder of its own beside `.build` (`.build-<time>-<pid>/`, one level below the
 * checkout like `scripts/`, so `import.meta.dirname` + ".." is the checkout in a bundle too);
 * `.build` is a symlink to the newest, and `.build.lock` is held by the run building now. A run
 * loads its bundle through the symlink's target and writes what it keeps for the next run of that
 * build there (V8's code cache, the PromQL template trees), so a rebuild swapping `.build` never
 * moves a file from under a running CLI; superseded builds are removed a while later (GRACE_MS).
 */
/** The newest bundle (a symlink to its build folder). */
export const OUT = join(ROOT, ".build");
export const LOCK = join(ROOT, ".build.lock");
/** Build folder names: `.build-<time>-<pid>`. */
const BUILD_NAME = /^\.build-\d+-\d+$/;
/** The build folders present, oldest first. */
export function buildFolders() {
  return readdirSync(ROOT)
    .filter((e) => BUILD_NAME.test(e))
    .sort();
}
/** A superseded build stays this long for the runs that started on it. */
const GRACE_MS = 15 * 60_000;
/** A lock older than this is stale even if its PID is alive again (PID reuse). */
const LOCK_MAX_AGE_MS = 10 * 60_000;

/**
 * The folders holding the program's TypeScript sources (tsconfig.json's `include` lists the same
 * plus test/). A copy of the project (a test's, the e2e harness's Pulumi workspace) takes these.
 */
export const SOURCE_FOLDERS = [
  "constructs",
  "promql",
  "rules",
  "scrape",
  "scaling",
  "kube",
  "problems",
  "stacks",
  "infra",
  "scripts",
  "simulator",
];

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

/**
 * cdk8s-plus-28's generated Kubernetes bindings (lib/imports/k8s.js, one toJson_* per API type)
 * drop undefined fields with `Object.entries(result).reduce((r, i) => … ({ ...r, [i[0]]: i[1] }), {})`:
 * a copy of the object so far per field, quadratic in fields (PodSpec has 40, Volume 30), and a
 * tenth of synth's time. The bundle gets the same result (the defined fields, in order) in one
 * pass. Exact text: if a cdk8s-plus release writes it otherwise, nothing is replaced.
 * test/scripts/build.test.ts checks that the text is found and the result is the same.
 */
export const K8S_BINDINGS = /cdk8s-plus-28[\\/]lib[\\/]imports[\\/]k8s\.js$/;
export const QUADRATIC_OMIT = "Object.entries(result).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {})";
/** The same fields in the same order (a field is a fixed API field name: never `__proto__`). */
export const LINEAR_OMIT_HELPER =
  "function __isDefinedFields(result) { const r = {}; for (const k of Object.keys(result)) { const v = result[k]; if (v !== undefined) r[k] = v; } return r; }\n";

/**
 * vega-canvas (a vega dependency) looks for the optional node-canvas package with a top-level
 * `await import("canvas")`, which a CommonJS bundle cannot hold. The bundle asks with `require`,
 * in the same try: without node-canvas (as here) both leave it unset; with it, both load it.
 */
export const VEGA_CANVAS = /vega-canvas[\\/]build[\\/]vega-canvas\.node\.js$/;
export const CANVAS_AWAIT = "NodeCanvas = await import('canvas');";

/** esbuild plugin: {@link CANVAS_AWAIT} → `require("canvas")`; the build fails if the text is not there. */
const vegaCanvasPlugin = {
  name: "vega-canvas-require",
  setup(b) {
    b.onLoad({ filter: VEGA_CANVAS }, (args) => {
      const text = readFileSync(args.path, "utf8");
      if (!text.includes(CANVAS_AWAIT)) throw new Error(`${args.path} no longer holds ${CANVAS_AWAIT}: scripts/build.mjs needs updating`);
      return { contents: text.replace(CANVAS_AWAIT, "NodeCanvas = require('canvas');"), loader: "js", resolveDir: dirname(args.path) };
    });
  },
};

/** esbuild plugin: {@link QUADRATIC_OMIT} → one pass, in the bindings file only. */
const linearOmitPlugin = {
  name: "k8s-bindings-linear-omit",
  setup(b) {
    b.onLoad({ filter: K8S_BINDINGS }, (args) => {
      const text = readFileSync(args.path, "utf8");
      return {
        contents: LINEAR_OMIT_HELPER + text.split(QUADRATIC_OMIT).join("__isDefinedFields(result)"),
        loader: "js",
        resolveDir: dirname(args.path),
      };
    });
  },
};

/** @kubernetes-models/validate's RE2 runtime, and what it holds (the build fails if that changes). */
export const RE2_RUNTIME = /@kubernetes-models[\\/]validate[\\/]dist[\\/]runtime[\\/]re2\.mjs$/;
export const RE2_RUNTIME_TEXT = 'import { RE2 } from "re2-wasm";\nexport default RE2;\n';
export const LAZY_RE2 = join(dirname(fileURLToPath(import.meta.url)), "lazy-re2.mjs");

/** esbuild plugin: the RE2 runtime → scripts/lazy-re2.mjs (re2-wasm loaded at a pattern's first test, not at start). */
const lazyRe2Plugin = {
  name: "lazy-re2",
  setup(b) {
    b.onLoad({ filter: RE2_RUNTIME }, (args) => {
      const text = readFileSync(args.path, "utf8").replace(/\/\/# sourceMappingURL=\S*\s*$/, "");
      if (text !== RE2_RUNTIME_TEXT)
        throw new Error(`${args.path} no longer holds only ${JSON.stringify(RE2_RUNTIME_TEXT)}: scripts/build.mjs needs updating`);
      return { contents: readFileSync(LAZY_RE2, "utf8"), loader: "js", resolveDir: dirname(LAZY_RE2) };
    });
  },
};

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
  // scripts/lazy-re2.mjs: the plugin loads it in place of a dependency's file, so no input lists it.
  const deps = [SELF, LAZY_RE2, join(ROOT, "package.json"), join(ROOT, "node_modules", ".package-lock.json")];
  for (const p of [...deps, ...stamp.inputs.map((i) => join(ROOT, i))]) if (mtime(p) > built) return true;
  return false;
}

/** Is process `pid` alive (on this host)? */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

/** Removes the lock when its holder is gone (crashed, killed) or it is too old; true when removed. */
function breakStaleLock() {
  let text;
  let age;
  try {
    text = readFileSync(LOCK, "utf8");
    age = Date.now() - statSync(LOCK).mtimeMs;
  } catch {
    return true; // released meanwhile
  }
  const [pid, host] = text.trim().split(" ");
  const stale = age > LOCK_MAX_AGE_MS || (text === "" ? age > 10_000 : host === hostname() && !alive(Number(pid))); // empty: its writer died between open and write
  if (!stale) return false;
  // Remove it only if it is still the lock we judged (another waiter may have broken it and taken a new one).
  try {
    if (readFileSync(LOCK, "utf8") === text) rmSync(LOCK, { force: true });
  } catch {
    /* gone already */
  }
  return true;
}

/**
 * Runs `fn` holding `.build/lock` (created exclusively; the file holds `<pid> <host>`). Waits while
 * another live run holds it, up to `timeoutMs`; a lock whose run is gone is broken.
 */
export async function withBuildLock(fn, timeoutMs = 5 * 60_000) {
  const until = Date.now() + timeoutMs;
  let fd;
  for (;;) {
    try {
      fd = openSync(LOCK, "wx");
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
    }
    if (breakStaleLock()) continue;
    if (Date.now() > until)
      throw new Error(
        `${relative(ROOT, LOCK)} is held by ${readFileSync(LOCK, "utf8").trim() || "a run"} for ${timeoutMs / 1000} s: remove it if no build is running`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    writeSync(fd, `${process.pid} ${hostname()}`);
    closeSync(fd);
    return await fn();
  } finally {
    rmSync(LOCK, { force: true });
  }
}

/**
 * Points `.build` at build folder `name` in one rename (a symlink replaces a symlink atomically).
 * A `.build` folder of the flat layout of earlier versions is moved aside first and removed.
 */
function swapCurrent(name) {
  const link = join(ROOT, `.build.link-${process.pid}`);
  rmSync(link, { force: true });
  symlinkSync(name, link);
  let legacy;
  try {
    if (!lstatSync(OUT).isSymbolicLink()) renameSync(OUT, (legacy = join(ROOT, `.build.legacy-${process.pid}`)));
  } catch (e) {
    if (e.code !== "ENOENT") throw e;
  }
  renameSync(link, OUT);
  if (legacy) rmSync(legacy, { recursive: true, force: true });
}

/**
 * Removes superseded builds older than the grace period and the half-written ones of runs that are
 * gone. Call holding the lock.
 */
function collect(keep) {
  for (const e of readdirSync(ROOT)) {
    const path = join(ROOT, e);
    const tmp = /^\.build(?:-tmp|\.link|\.legacy)-(\d+)$/.exec(e);
    if (tmp) {
      if (!alive(Number(tmp[1]))) rmSync(path, { recursive: true, force: true });
    } else if (BUILD_NAME.test(e) && e !== keep) {
      if (Date.now() - statSync(path).mtimeMs > GRACE_MS) rmSync(path, { recursive: true, force: true });
    }
  }
}

/**
 * Bundles `entries` (default: every CLI whose source exists) into a fresh folder, then points
 * `.build` at it. One CommonJS file per CLI: scripts/run.mjs compiles it with V8's code cache
 * (scripts/code-cache.mjs), which Node 20 offers for scripts, not for ES modules. What a command
 * loads on demand (vega for a chart, a schema model per kind) stays behind esbuild's lazy module
 * wrappers, evaluated at its `import()` only. `quiet` leaves error reporting to the caller. Call
 * holding the lock (ensureBuilt and the command line do).
 */
export async function build(entries = presentEntries(), quiet = false) {
  const esbuild = await import("esbuild");
  const tmp = join(ROOT, `.build-tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    const result = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: entries,
      outdir: tmp,
      bundle: true,
      format: "cjs",
      platform: "node",
      target: "node20",
      outExtension: { ".js": ".cjs" },
      metafile: true,
      logLevel: quiet ? "silent" : "warning",
      legalComments: "none",
      plugins: [linearOmitPlugin, vegaCanvasPlugin, lazyRe2Plugin],
      // esbuild: the bench builds its yardstick with the package. re2-wasm (the schemas' regex
      // engine) reads its .wasm beside its own file: loaded from node_modules, not bundled.
      external: ["esbuild", "re2-wasm"],
      // The sources are ES modules: what they read from import.meta, a CommonJS file has as globals.
      define: { "import.meta.dirname": "__dirname", "import.meta.filename": "__filename", "import.meta.url": "__isImportMetaUrl" },
      banner: { js: 'var __isImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    });
    // Only project sources are listed: dependency changes are seen through node_modules/.package-lock.json.
    const inputs = Object.keys(result.metafile.inputs)
      .filter((i) => !i.includes("node_modules/"))
      .sort();
    writeFileSync(join(tmp, "inputs.json"), `${JSON.stringify({ entries, inputs }, null, 1)}\n`);
    const name = `.build-${Date.now()}-${process.pid}`;
    renameSync(tmp, join(ROOT, name));
    let previous;
    try {
      if (lstatSync(OUT).isSymbolicLink()) previous = realpathSync(OUT);
    } catch {
      /* first build, or a dangling link */
    }
    swapCurrent(name);
    // The grace period of the build just superseded starts now.
    if (previous) utimesSync(previous, new Date(), new Date());
    collect(name);
    return result;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Builds when stale; returns the file URL of CLI `name`'s bundle, inside the build folder itself (not through the `.build` symlink). */
export async function ensureBuilt(name) {
  if (!(name in ENTRIES)) throw new Error(`unknown CLI "${name}" (known: ${Object.keys(ENTRIES).join(", ")})`);
  if (!existsSync(join(ROOT, ENTRIES[name]))) throw new Error(`${ENTRIES[name]} is missing: cannot run "${name}"`);
  if (isStale(name)) {
    // Concurrent runs on a stale bundle: the first builds, the others wait for it and then find it fresh.
    await withBuildLock(async () => {
      if (!isStale(name)) return;
      try {
        await build(presentEntries(), true);
      } catch {
        // Another CLI does not build (a partial copy of the project, a source mid-edit): this one
        // alone, with its errors printed if it fails too.
        await build({ [name]: ENTRIES[name] });
      }
    });
  }
  return pathToFileURL(join(realpathSync(OUT), `${name}.cjs`)).href;
}

if (process.argv[1] && resolve(process.argv[1]) === SELF) {
  const r = await withBuildLock(() => build());
  for (const [file, o] of Object.entries(r.metafile.outputs)) {
    if (!file.endsWith(".cjs")) continue;
    console.log(`${relative(ROOT, resolve(ROOT, file)).replace(/^\.build-tmp-\d+/, ".build")}\t${(o.bytes / 1024).toFixed(0)} KiB`);
  }
}
