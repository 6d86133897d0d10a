/**
 * `npm run simulate -- --env <env|file> | --config <file> --scenario <name|file> [--mode cpu-hpa|slo-hpa|keda]
 *                    [--compare mode,mode] [--load-scale <factor>] [--out <dir>]`
 *
 * --service <name> simulates one inference service of the env; without it every service runs, and
 * the table has one row per service (and mode).
 *
 * --load-scale multiplies the scenario's load (e.g. 0.25 runs the spike at a quarter of its users);
 * a warning says when the load at t = 0 is already more than maxReplicas pods serve.
 *
 * Simulates how the env's autoscaler (as synth renders it) handles a load scenario and writes the
 * timeline CSV per mode, one SVG chart, a Markdown report and a summary JSON to --out (default
 * `simulation/<env>-<scenario>`). User errors print one line each (no stack trace), exit 1; bad
 * usage exits 2.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { loadScenario, scaleScenario, BUILTIN_SCENARIOS } from "../simulator/scenarios.js";
import { MODES, renderOutputs, servicesOf, simulateEnv, writeOutputs, type Mode } from "../simulator/simulate.js";
import { servicesTable, summaryTable } from "../simulator/report.js";
import { reportUserError, UsageError, userErrorOf } from "./cli.js";
import { isConfigFileName } from "../stacks/load.js";

const USAGE = `usage: npm run simulate -- --env <env|config.json|config.yaml> | --config <config.json|config.yaml> [--service <name>] --scenario <${BUILTIN_SCENARIOS.join("|")}|file.json|file.csv>
                         [--mode ${MODES.join("|")}] [--compare mode,mode] [--load-scale <factor>] [--out <dir>]`;

function parseModes(list: string, flag: string): Mode[] {
  const modes = list
    .split(",")
    .map((m) => m.trim())
    .filter((m) => m !== "");
  for (const m of modes)
    if (!(MODES as readonly string[]).includes(m)) throw new UsageError(`${flag}: unknown mode "${m}" (modes: ${MODES.join(", ")})`);
  if (new Set(modes).size !== modes.length) throw new UsageError(`${flag}: a mode is listed twice`);
  if (modes.length === 0) throw new UsageError(`${flag} needs at least one mode`);
  return modes as Mode[];
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      env: { type: "string" },
      config: { type: "string" },
      service: { type: "string" },
      scenario: { type: "string" },
      mode: { type: "string" },
      compare: { type: "string" },
      out: { type: "string" },
      "load-scale": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  // --config as synth and check take it; --env takes a config file too.
  if (values.env !== undefined && values.config !== undefined) throw new UsageError("give --env or --config, not both");
  if (values.config !== undefined && !isConfigFileName(values.config))
    throw new UsageError(`--config ${values.config}: give a .yaml, .yml or .json file (a built-in environment goes to --env)`);
  const env = values.env ?? values.config;
  if (!env) throw new UsageError("--env (or --config) is required");
  if (!values.scenario) throw new UsageError("--scenario is required");
  if (values.mode && values.compare) throw new UsageError("give --mode or --compare, not both");
  const modes = values.compare ? parseModes(values.compare, "--compare") : values.mode ? parseModes(values.mode, "--mode") : [];
  if (values.mode && modes.length !== 1) throw new UsageError("--mode takes one mode; use --compare for several");
  let scale = 1;
  if (values["load-scale"] !== undefined) {
    scale = Number(values["load-scale"]);
    if (values["load-scale"].trim() === "" || !Number.isFinite(scale) || scale <= 0) {
      throw new UsageError(
        `--load-scale: "${values["load-scale"]}" is not a number > 0 (the factor the scenario's load is multiplied by, e.g. 0.25)`,
      );
    }
  }
  const scenario = scaleScenario(loadScenario(values.scenario), scale);
  const runs = simulateEnv(env, scenario, modes, undefined, values.service);
  const outputs = await renderOutputs(runs);
  const r0 = runs[0]!.result;
  const dir = values.out ?? join("simulation", `${r0.env}-${scenario.name}`);
  const written = writeOutputs(dir, outputs.files);
  for (const r of runs) for (const n of r.notes) console.log(`note: ${n}`);
  for (const w of new Set(runs.flatMap((r) => r.warnings))) console.error(`warning: ${w}`);
  console.log(`${r0.env} · ${scenario.name}: ${scenario.description}\n`);
  // Several services (the default: every service of the env): one row per service and mode.
  console.log(servicesOf(runs).length > 1 ? servicesTable(runs) : summaryTable(runs.map((r) => r.result)));
  console.log("");
  for (const f of written) console.log(`wrote ${f}`);
}

// `npm run simulate … | head`: a closed pipe is not an error
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

// No top-level await: the CLI bundle is CommonJS (scripts/build.mjs).
void (async () => {
  try {
    await main(process.argv.slice(2));
  } catch (e) {
    // User errors (config, checks, scenario, an autoscaler the simulator cannot run) print as lines; anything else is a bug.
    const user = userErrorOf(e);
    if (!user) throw e;
    reportUserError(user);
    if (user instanceof UsageError) console.error(USAGE);
  }
})();
