/**
 * `npm run bench [-- --runs 5] [-- --root <checkout>] [-- --only cli]`
 *
 * 1. The CLIs start to finish, as a user runs them (`npm run -s ...`), medians of `--runs`, each
 *    next to a yardstick measured in the same run, so the ratios hold on a busy machine where
 *    absolute times do not: the plain-cdk8s floor (a plain cdk8s app emitting the very objects
 *    synth renders, bundled with esbuild and run by node; built here from the rendered objects)
 *    and node's own start-up. `--root` times another checkout's CLIs (e.g. a `git worktree` of
 *    main) against this checkout's floor: the before/after table.
 * 2. Synth in memory for 1, 10 and 100 inference services × every environment (render + schema
 *    validation + checks, no disk writes), each size in a fresh process so its peak RSS is its own.
 * 3. The simulator: 24 h diurnal at 1 s resolution for prod in each scaling mode.
 * 4. The slowest ten tests of the last `npm test` (.tmp/vitest.json), when there is one.
 * Benchmarks, not tests: nothing here fails on a number; each row says its target.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ENV_NAMES } from "../stacks/envs/index.js";
import { envInputWithModels, envInputWithService, HPA_CASE } from "./bench-inputs.js";
import { parseEnvConfig } from "../stacks/validate.js";
import { renderEnvironment } from "../stacks/synth.js";
import { dynamicImport } from "../kube/dynamic-import.js";

/** Checkpoints of the services × every environment run (one process renders 1…100 services, timed at each). */
const SIZES = [1, 25, 50, 100];
/** The checkout (scripts/ and .build/ both sit one level below it). */
const ROOT = resolve(import.meta.dirname, "..");
const SELF = fileURLToPath(import.meta.url);
/** The bundle runs itself with node; the TypeScript source (`npx tsx scripts/bench.ts`) with tsx. */
const SELF_ARGS = SELF.endsWith(".ts") ? ["--import", "tsx", SELF] : [SELF];

interface SizePoint {
  readonly services: number;
  readonly stacks: number;
  readonly objects: number;
  /** Since the first render began (module loading excluded), wall and CPU of this process. */
  readonly ms: number;
  readonly cpuMs: number;
  readonly rssMiB: number;
}

/**
 * Renders service 0, 1, … up to the largest size in every environment (a service is a whole
 * stack: each env's config with its own service name), and records wall and CPU time at each
 * checkpoint of SIZES: the increments between checkpoints show whether the cost is linear.
 */
async function measure(sizes: readonly number[]): Promise<SizePoint[]> {
  const points: SizePoint[] = [];
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  let objects = 0;
  const max = Math.max(...sizes);
  for (let i = 0; i < max; i++) {
    for (const env of ENV_NAMES) {
      const r = await renderEnvironment(parseEnvConfig(envInputWithService(env, i), env));
      objects += r.objects.length;
    }
    if (sizes.includes(i + 1)) {
      const c = process.cpuUsage(cpu0);
      points.push({
        services: i + 1,
        stacks: (i + 1) * ENV_NAMES.length,
        objects,
        ms: performance.now() - start,
        cpuMs: (c.user + c.system) / 1000,
        rssMiB: process.resourceUsage().maxRSS / 1024,
      });
    }
  }
  return points;
}

/**
 * 24 h diurnal for prod in `mode`: building the stack and translating its autoscaler, then
 * simulate() twice (the first includes JIT warm-up, as a CLI run does).
 */
async function measureSimulation(
  mode: string,
): Promise<{ buildMs: number; coldMs: number; warmMs: number; seconds: number; syncs: number; rssMiB: number }> {
  const { envSource, inputForMode } = await import("../simulator/simulate.js");
  const { autoscalerModel } = await import("../simulator/autoscaler.js");
  const { simulate } = await import("../simulator/run.js");
  const { loadScenario } = await import("../simulator/scenarios.js");
  const { buildStack } = await import("../stacks/stack.js");
  const scenario = loadScenario("diurnal");
  const t0 = performance.now();
  const config = parseEnvConfig(inputForMode(envSource("prod").input, mode as "keda").input, "prod");
  const model = autoscalerModel(buildStack(config).autoscaler.manifest(), config);
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

/** CPU seconds of this process's waited-for children (and theirs), from /proc (Linux). */
function childCpuSeconds(): number {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[13]) + Number(f[14])) / 100; // cutime + cstime, in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}

interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Median wall and CPU seconds of `runs` runs of a command that must exit `status`. */
function time(
  cmd: string,
  args: readonly string[],
  runs: number,
  opts: SpawnSyncOptions & { status?: number; before?: () => void } = {},
): Timing {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    opts.before?.();
    const c0 = childCpuSeconds();
    const t0 = performance.now();
    const p = spawnSync(cmd, [...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...opts });
    walls.push((performance.now() - t0) / 1000);
    cpus.push(childCpuSeconds() - c0);
    if (p.status !== (opts.status ?? 0)) throw new Error(`${cmd} ${args.join(" ")} exited ${p.status}: ${p.stderr}`);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

/**
 * The yardstick: a plain cdk8s app that emits exactly the objects synth renders (same charts,
 * same documents), bundled with esbuild. Returns the command that runs it and its object count.
 */
async function buildFloor(dir: string): Promise<{ args: string[]; objects: number }> {
  const charts: { chart: string; docs: unknown[] }[] = [];
  const { builtinSources, parseSources } = await import("../stacks/load.js");
  for (const config of parseSources(builtinSources(undefined))) {
    const r = await renderEnvironment(config);
    for (const c of r.stack.charts) {
      const docs = c.toJson();
      if (docs.length) charts.push({ chart: `${r.env}-${c.node.id}`, docs });
    }
  }
  writeFileSync(join(dir, "objects.json"), JSON.stringify(charts));
  writeFileSync(
    join(dir, "floor.ts"),
    `import { ApiObject, App, Chart, YamlOutputType } from "cdk8s";
import charts from "./objects.json";
const app = new App({ outdir: process.argv[2], yamlOutputType: YamlOutputType.FILE_PER_CHART });
for (const { chart, docs } of charts as { chart: string; docs: any[] }[]) {
  const c = new Chart(app, chart, { disableResourceNameHashes: true });
  docs.forEach((d, i) => new ApiObject(c, "o" + i, d));
}
app.synth();
`,
  );
  const esbuild = (await dynamicImport("esbuild")) as typeof import("esbuild");
  await esbuild.build({
    entryPoints: [join(dir, "floor.ts")],
    outfile: join(dir, "floor.mjs"),
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    nodePaths: [join(ROOT, "node_modules")],
    logLevel: "error",
    banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
  });
  return { args: [join(dir, "floor.mjs")], objects: charts.reduce((n, c) => n + c.docs.length, 0) };
}

/** A case for hpa-step: 3 pods at 70 % of a 50 % CPU target. */
const BATCH = 1000;

async function cliTable(root: string, runs: number): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "bench-"));
  try {
    const floor = await buildFloor(work);
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const inRoot: SpawnSyncOptions = { cwd: root };
    // Warm-up (and, for a fresh checkout, the one-time bundle build): not timed.
    spawnSync(npm, ["run", "-s", "synth", "--", "--out", join(work, "warm")], { ...inRoot, encoding: "utf8" });
    spawnSync(process.execPath, [...floor.args, join(work, "warm-floor")], { encoding: "utf8" });
    const nodeStart = time(process.execPath, ["-e", ""], runs);
    const floorT = time(process.execPath, [...floor.args, join(work, "floor")], runs);
    const synth = time(npm, ["run", "-s", "synth", "--", "--out", join(work, "synth")], runs, inRoot);
    // The first run after a build: no PromQL template trees kept yet (promql/template-store.ts).
    const store = join(root, ".build", "promql-templates.json");
    const synthFirst = time(npm, ["run", "-s", "synth", "--", "--out", join(work, "synth")], runs, {
      ...inRoot,
      before: () => rmSync(store, { force: true }),
    });
    const check = time(npm, ["run", "-s", "check"], runs, inRoot);
    const step = time(npm, ["run", "-s", "hpa-step"], runs, { ...inRoot, input: HPA_CASE });
    const hasBatch =
      spawnSync(npm, ["run", "-s", "hpa-step", "--", "--batch"], { ...inRoot, input: HPA_CASE, encoding: "utf8" }).status === 0;
    const batch = hasBatch
      ? time(npm, ["run", "-s", "hpa-step", "--", "--batch"], runs, { ...inRoot, input: `${HPA_CASE}\n`.repeat(BATCH) })
      : undefined;
    const simulate = time(
      npm,
      ["run", "-s", "simulate", "--", "--env", "prod", "--scenario", "spike", "--compare", "cpu-hpa,keda", "--out", join(work, "sim")],
      runs,
      inRoot,
    );
    const s = (t: number) => `${t.toFixed(2)} s`;
    const x = (a: number, b: number) => `${(a / b).toFixed(1)}×`;
    console.log(`## CLIs start to finish (${root === ROOT ? "this checkout" : root}; medians of ${runs}; load average ${loadAverage()})\n`);
    console.log(
      `Yardsticks measured in this run: the plain-cdk8s floor (${floor.objects} objects, the ones synth renders, bundled with esbuild, run by node) ${s(floorT.wall)} wall, ${s(floorT.cpu)} CPU; node start-up ${s(nodeStart.wall)}.\n`,
    );
    console.log("| command | wall | CPU | ratio (wall) | ratio (CPU) | target |");
    console.log("| --- | --- | --- | --- | --- | --- |");
    console.log(
      `| \`npm run synth\` (all environments) | ${s(synth.wall)} | ${s(synth.cpu)} | ${x(synth.wall, floorT.wall)} floor | ${x(synth.cpu, floorT.cpu)} floor | ≤ 3× floor |`,
    );
    console.log(
      `| \`npm run synth\`, first run after a build (no template trees kept) | ${s(synthFirst.wall)} | ${s(synthFirst.cpu)} | ${x(synthFirst.wall, floorT.wall)} floor | ${x(synthFirst.cpu, floorT.cpu)} floor | |`,
    );
    console.log(
      `| \`npm run check\` (all environments) | ${s(check.wall)} | ${s(check.cpu)} | ${x(check.wall, synth.wall)} synth | ${x(check.cpu, synth.cpu)} synth | ≤ 1× synth |`,
    );
    console.log(
      `| \`npm run -s hpa-step < case.json\` | ${s(step.wall)} | ${s(step.cpu)} | ${x(step.wall, nodeStart.wall)} node start-up | ${x(step.cpu, nodeStart.cpu)} node start-up | ≤ 0.3 s |`,
    );
    if (batch)
      console.log(
        `| \`npm run -s hpa-step -- --batch\` (${BATCH} cases) | ${s(batch.wall)} | ${s(batch.cpu)} | ${(((batch.wall - step.wall) / (BATCH - 1)) * 1e6).toFixed(0)} µs per extra case (wall) | ${(((batch.cpu - step.cpu) / (BATCH - 1)) * 1e6).toFixed(0)} µs per extra case (CPU) | one process for many cases |`,
      );
    else console.log(`| \`npm run -s hpa-step -- --batch\` | (not in this checkout) | | | | |`);
    console.log(
      `| \`npm run simulate\` (docs/simulator.md example: prod, spike, cpu-hpa vs keda) | ${s(simulate.wall)} | ${s(simulate.cpu)} | ${x(simulate.wall, floorT.wall)} floor | ${x(simulate.cpu, floorT.cpu)} floor | ≤ 1 s |`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function loadAverage(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "n/a";
  }
}

function child<T>(args: readonly string[]): T {
  const p = spawnSync(process.execPath, [...SELF_ARGS, ...args], { encoding: "utf8" });
  if (p.status !== 0) throw new Error(p.stderr);
  return JSON.parse(p.stdout) as T;
}

function synthSizesTable(): void {
  const points = child<SizePoint[]>(["--child", SIZES.join(",")]);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `\n## synth in memory, services × every environment (render + schema validation + checks, one process; load average ${loadAverage()}; target: 100 × every environment ≤ 8 s, linear)\n`,
  );
  console.log("| services × envs | stacks | objects | total wall | total CPU | CPU per stack since the previous row | peak RSS |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  let prev: SizePoint | undefined;
  for (const p of points) {
    const per = prev ? (p.cpuMs - prev.cpuMs) / (p.stacks - prev.stacks) : p.cpuMs / p.stacks;
    console.log(
      `| ${p.services} × ${ENV_NAMES.length} | ${p.stacks} | ${p.objects} | ${s(p.ms)} | ${s(p.cpuMs)} | ${per.toFixed(1)} ms${prev ? "" : " (first: JIT warm-up)"} | ${p.rssMiB.toFixed(0)} MiB |`,
    );
    prev = p;
  }
  // Linear: the CPU per stack between 25 and 50 services equals the one between 50 and 100.
  const at = (n: number) => points.find((p) => p.services === n)!;
  const slope1 = (at(50).cpuMs - at(25).cpuMs) / (at(50).stacks - at(25).stacks);
  const slope2 = (at(100).cpuMs - at(50).cpuMs) / (at(100).stacks - at(50).stacks);
  console.log(
    `\nSlope (CPU per added stack): ${slope1.toFixed(1)} ms from 25 to 50 services, ${slope2.toFixed(1)} ms from 50 to 100 (ratio ${(slope2 / slope1).toFixed(2)}; linear ≈ 1). 100 services × every environment: ${s(at(100).ms)} wall, ${s(at(100).cpuMs)} CPU (target ≤ 8 s).`,
  );
}

/** Sizes of the one-environment-with-N-models run (issue 19), each in its own process (peak RSS per size). */
const MODEL_SIZES = [25, 50, 100];

interface ModelsPoint {
  readonly models: number;
  readonly objects: number;
  readonly ms: number;
  readonly cpuMs: number;
  readonly rssMiB: number;
  readonly adapterRules: number;
  readonly ruleFiles: number;
}

/** Renders (render + schema validation + checks) one `models` env with `n` services, after one warm-up render of the env as shipped. */
async function measureModels(n: number): Promise<ModelsPoint> {
  await renderEnvironment(parseEnvConfig(envInputWithModels(2), "models"));
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const r = await renderEnvironment(parseEnvConfig(envInputWithModels(n), "models"));
  const c = process.cpuUsage(cpu0);
  const adapter = r.stack.addonValues.prometheusAdapter?.rules;
  return {
    models: n,
    objects: r.objects.length,
    ms: performance.now() - start,
    cpuMs: (c.user + c.system) / 1000,
    rssMiB: process.resourceUsage().maxRSS / 1024,
    adapterRules: (adapter?.custom.length ?? 0) + (adapter?.external.length ?? 0),
    ruleFiles: r.stack.extraFiles.filter((f) => f.path.startsWith("rules/")).length,
  };
}

function modelsTable(): void {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `\n## synth in memory, one environment with N models (render + schema validation + checks, one process per row; load average ${loadAverage()}; target: 100 models ≤ 5 s, linear)\n`,
  );
  console.log("| models | objects | wall | CPU | CPU per model | adapter rules | rule files | peak RSS |");
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
  const points = MODEL_SIZES.map((n) => child<ModelsPoint>(["--models", String(n)]));
  for (const p of points) {
    console.log(
      `| ${p.models} | ${p.objects} | ${s(p.ms)} | ${s(p.cpuMs)} | ${(p.cpuMs / p.models).toFixed(1)} ms | ${p.adapterRules} | ${p.ruleFiles} | ${p.rssMiB.toFixed(0)} MiB |`,
    );
  }
}

function simulatorTable(): void {
  console.log("\n## simulator (prod, 24 h diurnal at 1 s resolution incl. 15 min warm-up; target: simulation under 1 s)\n");
  console.log("| mode | simulated seconds | HPA syncs | stack build | simulation (first run) | simulation (second run) | peak RSS |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const mode of ["cpu-hpa", "slo-hpa", "keda"]) {
    const r = child<{ buildMs: number; coldMs: number; warmMs: number; seconds: number; syncs: number; rssMiB: number }>([
      "--simulate",
      mode,
    ]);
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`| ${mode} | ${r.seconds} | ${r.syncs} | ${s(r.buildMs)} | ${s(r.coldMs)} | ${s(r.warmMs)} | ${r.rssMiB.toFixed(0)} MiB |`);
  }
}

/** The slowest ten tests of the last `npm test` (scripts/test.sh writes .tmp/vitest.json). */
export function slowestTests(file: string, n = 10): string[] {
  if (!existsSync(file)) return [];
  const r = JSON.parse(readFileSync(file, "utf8")) as {
    testResults: { name: string; assertionResults: { fullName: string; duration?: number }[] }[];
  };
  return r.testResults
    .flatMap((f) => f.assertionResults.map((a) => ({ file: f.name.replace(`${ROOT}/`, ""), name: a.fullName, ms: a.duration ?? 0 })))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n)
    .map((t) => `| ${(t.ms / 1000).toFixed(2)} s | ${t.file} | ${t.name.replace(/\|/g, "\\|")} |`);
}

// No top-level await: the CLI bundle is CommonJS (scripts/build.mjs).
void (async () => {
  if (process.argv[2] === "--child") {
    process.stdout.write(JSON.stringify(await measure(process.argv[3]!.split(",").map(Number))));
  } else if (process.argv[2] === "--models") {
    process.stdout.write(JSON.stringify(await measureModels(Number(process.argv[3]))));
  } else if (process.argv[2] === "--simulate") {
    process.stdout.write(JSON.stringify(await measureSimulation(process.argv[3]!)));
  } else {
    const { values } = parseArgs({
      options: { runs: { type: "string", default: "5" }, root: { type: "string" }, only: { type: "string" } },
    });
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number ≥ 1, got ${values.runs}`);
    await cliTable(values.root ? resolve(values.root) : ROOT, runs);
    if (values.only !== "cli") {
      synthSizesTable();
      modelsTable();
      simulatorTable();
      const slow = slowestTests(join(ROOT, ".tmp", "vitest.json"));
      if (slow.length) {
        console.log("\n## slowest ten tests of the last `npm test` (.tmp/vitest.json)\n");
        console.log("| time | file | test |\n| --- | --- | --- |");
        for (const l of slow) console.log(l);
      }
    }
  }
})();
