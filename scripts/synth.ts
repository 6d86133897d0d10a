/**
 * `npm run synth [-- --env <name>] [-- --config <file.yaml|json>] [-- --out <dir>]`
 * Synthesizes environments to dist/<env>/. User errors print one line each and exit 1.
 */
import { parseArgs } from "node:util";
import { formatFinding } from "../stacks/checks/index.js";
import { builtinSources, fileSource, parseSources, type EnvSource } from "../stacks/load.js";
import { renderEnvironment, writeDist } from "../stacks/synth.js";
import { runCli } from "./cli.js";

await runCli(async () => {
  const { values } = parseArgs({
    options: {
      env: { type: "string", multiple: true },
      config: { type: "string", multiple: true },
      out: { type: "string" },
    },
  });
  const outDir = values.out ?? process.env.CDK8S_OUTDIR ?? "dist";
  const sources: EnvSource[] = [
    ...(values.config?.length && !values.env ? [] : builtinSources(values.env)),
    ...(values.config ?? []).map(fileSource),
  ];
  const configs = parseSources(sources);
  const rendered = [];
  for (const c of configs) {
    const r = await renderEnvironment(c);
    // Check warnings do not fail synth (errors did, inside renderEnvironment).
    for (const w of r.warnings) console.error(`warning: ${formatFinding(w)}`);
    rendered.push(r);
  }
  writeDist(outDir, rendered);
  for (const r of rendered) console.log(`${outDir}/${r.env}: ${r.files.length} files, ${r.stack.objects().length} objects`);
});
