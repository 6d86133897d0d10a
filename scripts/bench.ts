/**
 * `npm run bench`: synth time and peak memory for 1, 10 and 100 inference services × the three
 * environments (render + schema validation + checks, in memory; no disk writes). Each size runs
 * in a fresh process so its peak RSS is its own. Then the simulator: 24 h diurnal at 1 s
 * resolution for prod in each scaling mode (target: under 1 s), also each in a fresh process.
 * Benchmarks, not tests: nothing here fails on a number.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ENVIRONMENTS, ENV_NAMES } from "../stacks/envs/index.js";
import type { EnvConfigInput } from "../stacks/config.js";
import { parseEnvConfig } from "../stacks/validate.js";
import { renderEnvironment } from "../stacks/synth.js";

const SIZES = [1, 10, 100];

/** The built-in env with the i-th service's own name. */
function envInputWithService(env: string, i: number): EnvConfigInput {
  const base = structuredClone(ENVIRONMENTS[env]!);
  return { ...base, service: { ...base.service, name: `inference-${String(i).padStart(3, "0")}` } };
}

async function measure(services: number): Promise<{ ms: number; objects: number; rssMiB: number }> {
  const start = performance.now();
  let objects = 0;
  for (const env of ENV_NAMES) {
    for (let i = 0; i < services; i++) {
      const r = await renderEnvironment(parseEnvConfig(envInputWithService(env, i), env));
      objects += r.stack.objects().length;
    }
  }
  const ms = performance.now() - start;
  return { ms, objects, rssMiB: process.resourceUsage().maxRSS / 1024 };
}

/** One 24 h diurnal simulation of prod in `mode`: cold (first in the process) and warm wall time of simulate(). */
async function measureSimulation(mode: string): Promise<{ coldMs: number; warmMs: number; seconds: number; syncs: number; rssMiB: number }> {
  const { simulateEnv } = await import("../simulator/simulate.js");
  const { loadScenario } = await import("../simulator/scenarios.js");
  const scenario = loadScenario("diurnal");
  const t0 = performance.now();
  simulateEnv("prod", scenario, [mode as "keda"]);
  const coldMs = performance.now() - t0;
  const t1 = performance.now();
  const [run] = simulateEnv("prod", scenario, [mode as "keda"]);
  const warmMs = performance.now() - t1;
  const seconds = run!.result.timeline.length;
  return { coldMs, warmMs, seconds, syncs: Math.floor((seconds + run!.result.settings.warmupSeconds) / run!.result.settings.hpaSyncSeconds), rssMiB: process.resourceUsage().maxRSS / 1024 };
}

if (process.argv[2] === "--child") {
  const r = await measure(Number(process.argv[3]));
  process.stdout.write(JSON.stringify(r));
} else if (process.argv[2] === "--simulate") {
  process.stdout.write(JSON.stringify(await measureSimulation(process.argv[3]!)));
} else {
  const self = fileURLToPath(import.meta.url);
  const rows: string[] = [];
  for (const n of SIZES) {
    const p = spawnSync(process.execPath, ["--import", "tsx", self, "--child", String(n)], { encoding: "utf8" });
    if (p.status !== 0) throw new Error(p.stderr);
    const r = JSON.parse(p.stdout) as { ms: number; objects: number; rssMiB: number };
    const stacks = n * ENV_NAMES.length;
    rows.push(
      `| ${n} × ${ENV_NAMES.length} | ${stacks} | ${r.objects} | ${(r.ms / 1000).toFixed(2)} s | ${(r.ms / stacks).toFixed(1)} ms | ${r.rssMiB.toFixed(0)} MiB |`,
    );
  }
  console.log("## synth benchmark (render + schema validation + checks, in memory)\n");
  console.log("| services × envs | stacks | objects | total | per stack | peak RSS |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const r of rows) console.log(r);

  console.log("\n## simulator benchmark (prod, 24 h diurnal at 1 s resolution, stack build + simulation; target under 1 s)\n");
  console.log("| mode | simulated seconds | HPA syncs | first run | second run | peak RSS |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const mode of ["cpu-hpa", "slo-hpa", "keda"]) {
    const p = spawnSync(process.execPath, ["--import", "tsx", self, "--simulate", mode], { encoding: "utf8" });
    if (p.status !== 0) throw new Error(p.stderr);
    const r = JSON.parse(p.stdout) as { coldMs: number; warmMs: number; seconds: number; syncs: number; rssMiB: number };
    console.log(`| ${mode} | ${r.seconds} | ${r.syncs} | ${(r.coldMs / 1000).toFixed(2)} s | ${(r.warmMs / 1000).toFixed(2)} s | ${r.rssMiB.toFixed(0)} MiB |`);
  }
}
