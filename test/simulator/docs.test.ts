/**
 * The committed example (docs/simulation/, the table in docs/simulator.md) is what the simulator computes from
 * today's prod config: a change to the config, the autoscaling constructs or the simulator that
 * moves the numbers must regenerate it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { summaryTable } from "../../simulator/report.js";
import { loadScenario } from "../../simulator/scenarios.js";
import { renderOutputs, simulateEnv } from "../../simulator/simulate.js";
import { ROOT } from "../helpers/cli.js";

const REGENERATE = "docs/simulation is stale. Fix: npm run docs:simulation (regenerates the files and the table in docs/simulator.md)";

describe("docs/simulation (prod spike, cpu-hpa vs keda vs burst)", async () => {
  const runs = simulateEnv("prod", loadScenario("spike"), ["cpu-hpa", "keda", "burst"]);
  const outputs = await renderOutputs(runs);

  it("every committed file equals a fresh run", () => {
    expect([...outputs.files.keys()].sort()).toEqual([
      "prod-spike-burst.csv",
      "prod-spike-cpu-hpa.csv",
      "prod-spike-keda.csv",
      "prod-spike-summary.json",
      "prod-spike.md",
      "prod-spike.svg",
    ]);
    for (const [name, content] of outputs.files) {
      expect(readFileSync(join(ROOT, "docs/simulation", name), "utf8"), `${name}: ${REGENERATE}`).toBe(content);
    }
  });

  it("docs/simulator.md shows that table and chart, and the README links it", () => {
    const page = readFileSync(join(ROOT, "docs/simulator.md"), "utf8");
    expect(page.includes(summaryTable(runs.map((r) => r.result))), REGENERATE).toBe(true);
    expect(page).toContain("](simulation/prod-spike.svg)");
    expect(page).toContain("](simulation/prod-spike.md)");
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("](docs/simulator.md)");
  });
});
