/**
 * `npm run synth [-- --env <name>] [-- --config <file.yaml|json>] [-- --out <dir>] [-- --replace-builtin]`
 * Synthesizes environments to dist/<env>/. User errors print one line each and exit 1; a command
 * line that cannot run (unknown or empty flag) exits 2. Everything is checked before anything is
 * written: the output folder, two sources naming one environment, a config file replacing a
 * built-in environment's committed dist/<env>/ (needs --replace-builtin); then the whole run is
 * written as one tree and swapped in (stacks/synth.ts writeDist).
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { formatProblem } from "../problems/problem.js";
import { builtinSources, checkRunSources, fileSource, parseSources, type EnvSource } from "../stacks/load.js";
import { checkOutDir, renderEnvironment, writeDist } from "../stacks/synth.js";
import { requireNonEmpty, runCli } from "./cli.js";

/** The committed output of the built-in environments. */
const COMMITTED_DIST = resolve(import.meta.dirname, "..", "dist");

void runCli(async () => {
  const { values } = parseArgs({
    options: {
      env: { type: "string", multiple: true },
      config: { type: "string", multiple: true },
      out: { type: "string" },
      "replace-builtin": { type: "boolean", default: false },
    },
  });
  requireNonEmpty(values, { env: "prod", config: "my-env.yaml", out: "/tmp/render" });
  const outDir = values.out ?? (process.env.CDK8S_OUTDIR || "dist");
  const target = checkOutDir(outDir);
  const sources: EnvSource[] = [
    ...(values.config?.length && !values.env ? [] : builtinSources(values.env)),
    ...(values.config ?? []).map(fileSource),
  ];
  const configs = parseSources(sources);
  checkRunSources(sources, configs, { committedOut: target === COMMITTED_DIST, replaceBuiltin: values["replace-builtin"] });
  const rendered = [];
  for (const c of configs) {
    const r = await renderEnvironment(c);
    // Check warnings do not fail synth (errors did, inside renderEnvironment).
    for (const w of r.warnings) console.error(`warning: ${formatProblem(w)}`);
    rendered.push(r);
  }
  writeDist(outDir, rendered);
  for (const r of rendered) console.log(`${outDir}/${r.env}: ${r.files.length} files, ${r.objects.length} objects`);
});
