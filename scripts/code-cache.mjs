/**
 * Runs a CLI bundle (a CommonJS file, scripts/build.mjs) with V8's code cache: the bytecode of
 * every function the last run compiled is read from `<bundle>.v8cache` instead of compiled from
 * the source again. A fresh process otherwise spends a tenth of `npm run synth` compiling the
 * bundle's functions. Node 22 does this itself (`module.enableCompileCache`); Node 20 offers it
 * for scripts only (`vm.Script` `cachedData`), hence the CommonJS bundle.
 *
 * The cache is written when there is none or V8 rejected it (another V8 version or flags), after
 * the run, so it holds what the run compiled; a rebuild makes a new folder and so a new cache.
 * Written whole under another name and renamed: a run reading it sees the old one or the new one.
 * Plain JavaScript: it runs before anything is compiled.
 */
import { closeSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { createRequire, Module } from "node:module";
import { dirname } from "node:path";
import { Script } from "node:vm";

/** The code cache file of `bundle` (a path). */
export const cacheFile = (bundle) => `${bundle}.v8cache`;

/**
 * Loads and runs CommonJS file `bundle` as the main program, as `node <bundle>` would (its own
 * `require`, `module`, `__filename`, `__dirname`), with the code cache. Returns whether V8 took
 * the cache. Node 20 gives a script restored from a code cache no `import()` (the vm option for it
 * is lost with the cache, or needs --experimental-vm-modules): the bundle imports on demand
 * through kube/dynamic-import.ts, whose hook this sets.
 */
export function runWithCodeCache(bundle) {
  // The bundle's on-demand imports (kube/dynamic-import.ts): Node's loader, from this module.
  globalThis[Symbol.for("inference-scaling.import")] = (specifier) => import(specifier);
  const source = readFileSync(bundle, "utf8");
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile(bundle));
  } catch {
    /* first run of this build */
  }
  const script = new Script(Module.wrap(source), {
    filename: bundle,
    cachedData,
  });
  const accepted = cachedData !== undefined && !script.cachedDataRejected;
  if (!accepted) process.once("exit", () => writeCache(bundle, script));
  const mod = new Module(bundle, null);
  mod.filename = bundle;
  mod.paths = Module._nodeModulePaths(dirname(bundle));
  mod.loaded = true;
  const require = createRequire(bundle);
  script.runInThisContext()(mod.exports, require, mod, bundle, dirname(bundle));
  return accepted;
}

function writeCache(bundle, script) {
  const tmp = `${cacheFile(bundle)}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, cacheFile(bundle));
  } catch {
    // A read-only checkout or a full disk: the next run compiles again, nothing else changes.
  }
}
