/**
 * `npm run bench`: synth time and peak memory for 1, 10 and 100 inference services × every
 * environment (render + schema validation + checks, in memory; no disk writes). Each size runs
 * in a fresh process so its peak RSS is its own. Then the simulator: 24 h diurnal at 1 s
 * resolution for prod in each scaling mode (target: under 1 s), also each in a fresh process.
 * Benchmarks, not tests: nothing here fails on a number.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ENV_NAMES } from "../stacks/envs/index.js";
import { envInputWithService } from "./bench-inputs.js";
import { parseEnvConfig } from "../stacks/validate.js";
import { renderEnvironment } from "../stacks/synth.js";

const SIZES = [1, 10, 100];

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

/**
 * 24 h diurnal for prod in `mode`: building the stack and translating its autoscaler, then
 * simulate() twice (the first includes JIT warm-up, as a CLI run does).
 */
async function measureSimulation(mode: string): Promise<{ buildMs: number; coldMs: number; warmMs: number; seconds: number; syncs: number; rssMiB: number }> {
  const { envSource, inputForMode } = await import("../simulator/simulate.js");
  const { autoscalerModel, findAutoscaler } = await import("../simulator/autoscaler.js");
  const { simulate } = await import("../simulator/run.js");
  const { loadScenario } = await import("../simulator/scenarios.js");
  const { buildStack } = await import("../stacks/stack.js");
  const scenario = loadScenario("diurnal");
  const t0 = performance.now();
  const config = parseEnvConfig(inputForMode(envSource("prod").input, mode as "keda").input, "prod");
  const model = autoscalerModel(findAutoscaler(buildStack(config).objects(), config), config);
  const t1 = performance.now();
  simulate({ config, model, scenario, label: mode });
  const t2 = performance.now();
  const r = simulate({ config, model, scenario, label: mode });
  const t3 = performance.now();
  const seconds = r.timeline.length;
  return {
    buildMs: t1 - t0,
    coldMs: t2 - t1,
    warmMs: t3 - t2,
    seconds,
    syncs: Math.floor((seconds + r.settings.warmupSeconds) / r.settings.hpaSyncSeconds),
    rssMiB: process.resourceUsage().maxRSS / 1024,
  };
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

  console.log("\n## simulator benchmark (prod, 24 h diurnal at 1 s resolution incl. 15 min warm-up; target: simulation under 1 s)\n");
  console.log("| mode | simulated seconds | HPA syncs | stack build | simulation (first run) | simulation (second run) | peak RSS |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const mode of ["cpu-hpa", "slo-hpa", "keda"]) {
    const p = spawnSync(process.execPath, ["--import", "tsx", self, "--simulate", mode], { encoding: "utf8" });
    if (p.status !== 0) throw new Error(p.stderr);
    const r = JSON.parse(p.stdout) as { buildMs: number; coldMs: number; warmMs: number; seconds: number; syncs: number; rssMiB: number };
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`| ${mode} | ${r.seconds} | ${r.syncs} | ${s(r.buildMs)} | ${s(r.coldMs)} | ${s(r.warmMs)} | ${r.rssMiB.toFixed(0)} MiB |`);
  }
}
