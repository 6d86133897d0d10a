/**
 * From an environment and a scenario to results and files: builds the env's stack once per scaling
 * mode (the very objects synth renders), translates its autoscaler, simulates, and renders the
 * CSV timelines, the chart and the Markdown report.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { INPUT_DEFAULTS, type EnvConfigInput } from "../stacks/config.js";
import { builtinSources, fileSource, isConfigFileName } from "../stacks/load.js";
import { deepMerge } from "../stacks/services.js";
import { buildStack } from "../stacks/stack.js";
import { ConfigError, configProblem, parseEnvConfig } from "../stacks/validate.js";
import { autoscalerModel } from "./autoscaler.js";
import { renderChart } from "./chart.js";
import { markdownReport, summarize, timelineCsv, type Summary } from "./report.js";
import { simulate, type SimulationOptions, type SimulationResult } from "./run.js";
import { arrivalRates, type Scenario } from "./scenarios.js";
import type { LooseObject } from "../kube/loose-json.js";

/** The scaling modes, plus `burst`: keda with the burst trigger (scaling.burst) and no scale-up stabilization. */
export const MODES = ["cpu-hpa", "slo-hpa", "keda", "burst"] as const;
export type Mode = (typeof MODES)[number];

/** An env config input by built-in name or file path (.json/.yaml/.yml). */
export function envSource(env: string): { env: string; input: EnvConfigInput } {
  if (isConfigFileName(env)) {
    const s = fileSource(env);
    return { env: s.env, input: s.input as EnvConfigInput };
  }
  const s = builtinSources([env])[0]!;
  return { env: s.env, input: s.input as EnvConfigInput };
}

/**
 * The env input with `scaling.mode` set; KEDA mode in an env without KEDA (dev) assumes KEDA
 * installed (`cluster.keda: true`) — the what-if is "if we ran KEDA here".
 */
export function inputForMode(input: EnvConfigInput, mode: Mode | undefined): { input: EnvConfigInput; notes: string[] } {
  const out = structuredClone(input) as EnvConfigInput & LooseObject;
  const notes: string[] = [];
  if (mode === undefined || !Array.isArray(out.services)) return { input: out, notes };
  const defaultsScaling = (out.defaults as { scaling?: unknown } | undefined)?.scaling;
  const scalingMode = mode === "burst" ? "keda" : mode;
  if (mode === "burst")
    notes.push(`the burst run is keda with scaling.burst enabled and scaling.behavior.scaleUp.stabilizationWindowSeconds 0`);
  if (scalingMode === "keda" && out.cluster?.keda === false) {
    out.cluster = { ...(out.cluster as object), keda: true };
    notes.push(`env "${input.name}" has cluster.keda false; the keda run assumes KEDA installed (cluster.keda true)`);
  }
  // Every service runs the mode; each entry's scaling is written out whole (over the env's defaults).
  for (const entry of out.services as LooseObject[]) {
    let sc = deepMerge(defaultsScaling, entry.scaling ?? {}) as LooseObject;
    if (mode === "burst") {
      // KPA's panic path as far as an HPA goes: the burst trigger needs the scale-up window no longer than its own.
      const behavior = sc.behavior ?? {};
      sc = {
        ...sc,
        burst: { ...(sc.burst ?? {}), enabled: true },
        behavior: { ...behavior, scaleUp: { ...(behavior.scaleUp ?? {}), stabilizationWindowSeconds: 0 } },
      };
    }
    sc = { ...sc, mode: scalingMode };
    const name = (entry.name as string | undefined) ?? INPUT_DEFAULTS.serviceName;
    const who = out.services.length > 1 ? `service "${name}" of env "${input.name}"` : `env "${input.name}"`;
    // What only KEDA (or only the in-flight signal) does: an HPA mode keeps one replica and has no
    // wake-up trigger; cpu-hpa has no burst trigger.
    if (scalingMode !== "keda" && (sc.minReplicas === 0 || sc.wakeUp !== undefined)) {
      sc = { ...sc, minReplicas: Math.max(1, sc.minReplicas ?? INPUT_DEFAULTS.minReplicas) };
      delete sc.wakeUp;
      notes.push(`the ${mode} run keeps at least 1 replica and drops ${who}'s wake-up trigger (scale to zero needs mode keda)`);
    }
    if (scalingMode === "cpu-hpa" && sc.burst?.enabled) {
      sc = { ...sc, burst: { ...sc.burst, enabled: false } };
      notes.push(`the cpu-hpa run drops ${who}'s burst trigger (it reads in-flight requests)`);
    }
    entry.scaling = sc;
    // pre-scaling windows of the service are KEDA cron triggers: an HPA mode cannot take them
    const windows = (out as { prescaling?: unknown }).prescaling;
    if (scalingMode !== "keda" && Array.isArray(windows) && windows.some((w) => (w as { target?: string })?.target === name)) {
      (out as { prescaling?: unknown }).prescaling = windows.filter((w) => (w as { target?: string })?.target !== name);
      notes.push(`the ${mode} run drops env "${input.name}"'s pre-scaling windows for ${name} (cron triggers need mode keda)`);
    }
  }
  return { input: out, notes };
}

export interface ModeRun {
  /** The inference service the run simulated (its own autoscaler, SLO and service model). */
  readonly service: string;
  readonly mode: Mode;
  readonly result: SimulationResult;
  readonly notes: readonly string[];
  /** Problems with the what-if itself (e.g. a load the env cannot serve even at maxReplicas). */
  readonly warnings: readonly string[];
}

/**
 * A warning when the scenario's load at t = 0 is more than maxReplicas pods serve: the run starts
 * saturated at its maximum and fails requests whatever the autoscaler does.
 */
export function capacityWarning(result: SimulationResult): string | null {
  const rates = arrivalRates(result.scenario, result.pod.requestsPerUserPerSecond, result.pod.capacityRps);
  const base = rates[0] ?? 0;
  const max = result.model.hpa.maxReplicas;
  const capacity = max * result.pod.capacityRps;
  if (!(base > capacity)) return null;
  const fit = (0.5 * capacity) / base;
  const round = (v: number) => Number(v.toPrecision(3));
  return (
    `env "${result.env}": the ${result.scenario.name} scenario starts at ${round(base)} req/s, above what maxReplicas ${max} × ${round(result.pod.capacityRps)} req/s per pod = ${round(capacity)} req/s serve: ` +
    `the ${result.label} run is saturated at its maximum from t = 0 and fails requests whatever the autoscaler does. ` +
    `Fix: scale the load to the env (--load-scale ${round(fit)} starts at half of maxReplicas' capacity), give the scenario in "pods" (multiples of one pod's capacity), or raise scaling.maxReplicas`
  );
}

/**
 * Builds and simulates `env` under each mode (the env's own mode when `modes` is empty), for the
 * inference service named `service` (@default every service of the env, in config order: one run
 * per service and mode).
 */
export function simulateEnv(
  env: string,
  scenario: Scenario,
  modes: readonly Mode[],
  options?: SimulationOptions,
  service?: string,
): ModeRun[] {
  const src = envSource(env);
  const list: (Mode | undefined)[] = modes.length ? [...modes] : [undefined];
  const byMode = list.map((mode) => {
    const { input, notes } = inputForMode(src.input, mode);
    const stack = buildStack(parseEnvConfig(input, src.env));
    const picked = service === undefined ? stack.services : stack.services.filter((m) => m.name === service);
    if (picked.length === 0) {
      throw new ConfigError([
        configProblem(
          "CONFIG_INVALID_VALUE",
          src.env,
          "services",
          `env "${src.env}" has no service "${service}"`,
          `use one of ${stack.services.map((m) => m.name).join(", ")}`,
        ),
      ]);
    }
    return picked.map((m): ModeRun => {
      const config = m.config;
      const model = autoscalerModel(m.autoscaler.manifest(), config);
      const label: Mode = mode ?? (config.scaling.burst.enabled && config.scaling.mode === "keda" ? "burst" : config.scaling.mode);
      const result = simulate({ config, model, scenario, label, options });
      const warning = capacityWarning(result);
      return { service: m.name, mode: label, result, notes, warnings: warning ? [warning] : [] };
    });
  });
  // Grouped by service (config order), each service's modes in the order asked.
  const count = byMode[0]!.length;
  return Array.from({ length: count }, (_, i) => byMode.map((runs) => runs[i]!)).flat();
}

/** The services the runs cover, in order. */
export function servicesOf(runs: readonly ModeRun[]): string[] {
  return [...new Set(runs.map((r) => r.service))];
}

export interface Outputs {
  /** File name -> content. */
  readonly files: ReadonlyMap<string, string>;
  readonly summaries: readonly Summary[];
  readonly markdown: string;
}

/**
 * Every output file of the runs, in memory: `<env>-<scenario>[-<mode>].csv`, `.svg`, `.md`,
 * `-summary.json`. Runs of several services: each service's CSVs, chart and report under
 * `<env>-<scenario>-<service>…` (each against its own SLO), one summary JSON with every run.
 */
export async function renderOutputs(runs: readonly ModeRun[]): Promise<Outputs> {
  const r0 = runs[0]!.result;
  const stem = `${r0.env}-${r0.scenario.name}`;
  const services = servicesOf(runs);
  if (services.length <= 1) {
    const one = await renderRuns(runs, stem);
    one.files.set(`${stem}-summary.json`, summaryJson(r0, runs, one.summaries, false));
    return one;
  }
  const files = new Map<string, string>();
  const summaries: Summary[] = [];
  const markdown: string[] = [];
  for (const svc of services) {
    const mine = runs.filter((r) => r.service === svc);
    const out = await renderRuns(mine, `${stem}-${svc}`, svc);
    for (const [k, v] of out.files) files.set(k, v);
    summaries.push(...out.summaries);
    markdown.push(out.markdown);
  }
  files.set(`${stem}-summary.json`, summaryJson(r0, runs, summaries, true));
  return { files, summaries, markdown: markdown.join("\n") };
}

function summaryJson(r0: ModeRun["result"], runs: readonly ModeRun[], summaries: readonly Summary[], named: boolean): string {
  const list = named ? summaries.map((s, i) => ({ service: runs[i]!.service, ...s })) : summaries;
  return JSON.stringify({ env: r0.env, scenario: r0.scenario.name, runs: list }, null, 2) + "\n";
}

/** One service's runs: CSV per mode, one chart, one report (files without the summary JSON). */
async function renderRuns(runs: readonly ModeRun[], stem: string, service?: string): Promise<Outputs & { files: Map<string, string> }> {
  const results = runs.map((r) => r.result);
  const files = new Map<string, string>();
  const csv = results.map((r) => `${stem}-${r.label}.csv`);
  results.forEach((r, i) => files.set(csv[i]!, timelineCsv(r)));
  const chart = `${stem}.svg`;
  files.set(chart, await renderChart(results));
  const notes = [...new Set(runs.flatMap((r) => [...r.warnings.map((w) => `warning: ${w}`), ...r.notes]))];
  const markdown = markdownReport(results, { chart, csv }, notes, service);
  files.set(`${stem}.md`, markdown);
  return { files, summaries: results.map(summarize), markdown };
}

/** Writes the files into `dir` (created if needed): each through a temporary name, then renamed. */
export function writeOutputs(dir: string, files: ReadonlyMap<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  const tmp: string[] = [];
  try {
    for (const [name, content] of files) {
      const t = join(dir, `.${name}.tmp-${process.pid}`);
      writeFileSync(t, content);
      tmp.push(t);
    }
  } catch (e) {
    for (const t of tmp) rmSync(t, { force: true });
    throw e;
  }
  const written: string[] = [];
  for (const name of files.keys()) {
    renameSync(join(dir, `.${name}.tmp-${process.pid}`), join(dir, name));
    written.push(join(dir, name));
  }
  return written;
}
