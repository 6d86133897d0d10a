/**
 * `npm run docs:simulation`: regenerates the simulator example (prod, spike, cpu-hpa vs keda vs
 * burst) — the files in docs/simulation/ and the table between the sim-table markers of
 * docs/simulator.md. test/simulator/docs.test.ts fails when either is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { summaryTable } from "../simulator/report.js";
import { loadScenario } from "../simulator/scenarios.js";
import { renderOutputs, simulateEnv, writeOutputs } from "../simulator/simulate.js";

export const START = "<!-- sim-table:start (npm run docs:simulation) -->";
export const END = "<!-- sim-table:end -->";
/** The page that shows the example's table (and links its chart and report). */
const PAGE = "docs/simulator.md";

const runs = simulateEnv("prod", loadScenario("spike"), ["cpu-hpa", "keda", "burst"]);
// No top-level await: the CLI bundle is CommonJS (scripts/build.mjs).
void renderOutputs(runs).then((outputs) => {
  writeOutputs("docs/simulation", outputs.files);
  const page = readFileSync(PAGE, "utf8");
  const from = page.indexOf(START);
  const to = page.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${PAGE} lacks the ${START} … ${END} markers`);
  const table = summaryTable(runs.map((r) => r.result));
  writeFileSync(PAGE, `${page.slice(0, from + START.length)}\n${table}\n${page.slice(to)}`);
  console.log(`docs/simulation and the table in ${PAGE} regenerated`);
});
