/**
 * `npm run docs:simulation`: regenerates the README's simulator example (prod, spike, cpu-hpa vs
 * keda vs burst) — the files in docs/simulation/ and the table between the README's sim-table markers.
 * test/simulator/docs.test.ts fails when either is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { summaryTable } from "../simulator/report.js";
import { loadScenario } from "../simulator/scenarios.js";
import { renderOutputs, simulateEnv, writeOutputs } from "../simulator/simulate.js";

export const START = "<!-- sim-table:start (npm run docs:simulation) -->";
export const END = "<!-- sim-table:end -->";

const runs = simulateEnv("prod", loadScenario("spike"), ["cpu-hpa", "keda", "burst"]);
const outputs = await renderOutputs(runs);
writeOutputs("docs/simulation", outputs.files);
const readme = readFileSync("README.md", "utf8");
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from < 0 || to < from) throw new Error(`README.md lacks the ${START} … ${END} markers`);
const table = summaryTable(runs.map((r) => r.result));
writeFileSync("README.md", `${readme.slice(0, from + START.length)}\n${table}\n${readme.slice(to)}`);
console.log("docs/simulation and the README table regenerated");
