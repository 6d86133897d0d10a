/**
 * dist/prod on the real control plane: apply unchanged, KEDA Ready, keda-hpa-inference with the
 * simulator's metrics, the webhook refusing a second autoscaler, then one timeline driven by the
 * simulator's pod model: a spike (scale-up), the load's end (scale-down within the behavior
 * windows), and lost scrapes (triggers error, KEDA's fallback, InferenceTargetDown fires).
 */
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { ENVIRONMENTS } from "../../stacks/envs/index.js";
import { parseEnvConfig } from "../../stacks/validate.js";
import type { EnvConfig } from "../../stacks/config.js";
import { autoscalerModel } from "../../simulator/autoscaler.js";
import { milliValueExact } from "../../simulator/hpa/index.js";
import { durationSeconds } from "../../promql/metrics.js";
import { parseScenarioJson } from "../../simulator/scenarios.js";
import { runRenderedChecks } from "../../stacks/checks/index.js";
import { formatProblem } from "../../problems/problem.js";
import type { ControlPlane } from "./lib/control-plane.js";
import { KubeError, waitFor, type Kube, type KubeObject } from "./lib/kube.js";
import { distDir, distObjects, ref } from "./lib/dist.js";
import { ExporterFleet, PROMETHEUS_PORT, scrapeJob, startPrometheus, type Prometheus, type ScrapeTarget } from "./lib/prometheus.js";
import { Plant } from "./lib/plant.js";
import { defaultUsage } from "./lib/metrics-server.js";
import { Recorder } from "./lib/timeline.js";

export const NS = "ml-serving-prod";
export const APP = "inference";
const SYNC_SECONDS = 15;
/** How late the 1 s driver loop may observe a replica change (its API calls on a loaded machine). */
const RECORDER_JITTER_SECONDS = 3;

/** The scenario both the real run and `npm run simulate` play (seconds from t = 0). */
export const LOAD_STEP_AT = 60;
export const LOAD_END_AT = 255;
/** The longest the scrape outage may run before the timeline gives up waiting for its checks. */
export const MAX_OUTAGE_SECONDS = 900;
/** The latest the scrapes stop when the HPA's metrics never propose a scale-down (the check then fails). */
export const MAX_OUTAGE_START = LOAD_END_AT + 600;

/**
 * The earliest the scrapes may stop: once every Prometheus trigger can read only the traffic
 * after the load's end (its rate window, one scrape to fill it, one HPA sync to act on it). They
 * stop at the first sample from then on where every HPA metric proposes fewer replicas than run
 * (hpaProposals), so the scale-down the behavior then delays is decided by the load's end, not by
 * the outage; the scale-down itself comes a stabilization window later, while the outage runs (the
 * alert's 5 min `for` needs that long anyway).
 */
export function outageStartSeconds(opts: { queryWindowSeconds: number; scrapeSeconds: number; syncSeconds: number }): number {
  return LOAD_END_AT + opts.queryWindowSeconds + opts.scrapeSeconds + opts.syncSeconds;
}

/**
 * What each metric in an HPA's status proposes, as the controller computes it (tolerance aside):
 * resource utilization and External Value over the ready pods, External AverageValue from the
 * total (averageValue × status.currentReplicas). `undefined` for a metric it cannot read.
 */
export function hpaProposals(hpa: any, readyPods: number): { name: string; replicas: number | undefined }[] {
  const current = (hpa.status?.currentReplicas ?? 0) as number;
  const num = (q: unknown) => Number(milliValueExact(String(q))) / 1000;
  return ((hpa.spec?.metrics ?? []) as any[]).map((m) => {
    const t = m.type as string;
    const key = t.charAt(0).toLowerCase() + t.slice(1);
    const spec = m[key] ?? {};
    const name = spec.metric?.name ?? spec.name ?? t;
    const st = ((hpa.status?.currentMetrics ?? []) as any[]).find((x) => x.type === t && (x[key]?.metric?.name ?? x[key]?.name) === name)?.[
      key
    ]?.current;
    const target = spec.target ?? {};
    let replicas: number | undefined;
    if (st && target.averageUtilization !== undefined && st.averageUtilization !== undefined)
      replicas = Math.ceil((readyPods * st.averageUtilization) / target.averageUtilization);
    else if (st && target.type === "Value" && st.value !== undefined) replicas = Math.ceil((readyPods * num(st.value)) / num(target.value));
    else if (st && target.type === "AverageValue" && st.averageValue !== undefined)
      replicas = Math.ceil((num(st.averageValue) * current) / num(target.averageValue) - 1e-9);
    return { name, replicas };
  });
}

export function scenarioJson(startsAt: string, outage: { start: number; end: number }): Record<string, unknown> {
  return {
    name: "e2e-spike",
    description: `the spike, compressed: 50 users, 50 → 400 in 30 s at 1:00, back to 50 at ${clock(LOAD_END_AT - 30)}–${clock(LOAD_END_AT)}, scrapes lost ${clock(outage.start)}–${clock(outage.end)}`,
    unit: "users",
    points: [
      [0, 50],
      [LOAD_STEP_AT, 50],
      [LOAD_STEP_AT + 30, 400],
      [LOAD_END_AT - 30, 400],
      [LOAD_END_AT, 50],
    ],
    durationSeconds: outage.end,
    prometheusOutages: [{ start: outage.start, end: outage.end }],
    startsAt,
  };
}

const clock = (t: number) => `${Math.floor(t / 60)}:${String(t % 60).padStart(2, "0")}`;

/** "mon 08:30:15" in `timeZone` now (the cron triggers' wall clock, to the second). */
export function wallClock(timeZone: string, at = new Date()): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${String(parts.weekday).toLowerCase()} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** The time zone of the env's cron triggers (the scenario's wall clock). */
export function cronTimeZone(objects: readonly KubeObject[]): string {
  for (const o of objects)
    for (const t of ((o as any).spec?.triggers ?? []) as any[]) if (t.type === "cron" && t.metadata?.timezone) return t.metadata.timezone;
  return "UTC";
}

/**
 * How long the replica count must hold before the load step so the real HPA meets the step in the
 * state the simulator assumes (its warm-up: the initial load for 900 s, nothing left to decide).
 * Above the floor the controller's memory still matters for a scale-down: the whole downscale
 * stabilization window. At the floor nothing can go lower, so what matters is what the first
 * scale-up reads: the upscale stabilization window, the scale-up policies' periods and the
 * queries' rate window (full of the initial load, plus one scrape). One sync period on top. The
 * floor is minReplicas, or what an active cron trigger asks for (the HPA takes the highest
 * proposal, so inside prod's business-hours window nothing goes below the cron's replicas).
 */
export function settleSeconds(
  behavior: any,
  opts: { replicas: number; minReplicas: number; floor?: number; queryWindowSeconds: number; scrapeSeconds: number; syncSeconds: number },
): number {
  const down = behavior?.scaleDown?.stabilizationWindowSeconds ?? 300;
  if (opts.replicas > Math.max(opts.minReplicas, opts.floor ?? 0)) return down + opts.syncSeconds;
  const up = behavior?.scaleUp?.stabilizationWindowSeconds ?? 0;
  const periods = ((behavior?.scaleUp?.policies ?? []) as any[]).map((p) => p.periodSeconds ?? 0);
  return Math.max(up, ...periods, opts.queryWindowSeconds + opts.scrapeSeconds) + opts.syncSeconds;
}

/**
 * The replicas the HPA's cron metrics ask for now (0 outside their windows): each cron metric's
 * value as KEDA serves it through external.metrics.k8s.io, over its AverageValue target.
 */
export async function cronFloor(kube: Kube, ns: string, hpa: any): Promise<number> {
  let floor = 0;
  for (const m of (hpa.spec.metrics ?? []) as any[]) {
    if (m.type !== "External" || !/^s\d+-cron-/.test(m.external.metric.name)) continue;
    const value = await externalMetricValue(kube, ns, m);
    const target = m.external.target.averageValue ?? m.external.target.value;
    if (value === undefined || target === undefined) continue;
    floor = Math.max(floor, Math.ceil(Number(milliValueExact(value)) / Number(milliValueExact(String(target)))));
  }
  return floor;
}

/** The value KEDA serves for one of the HPA's External metrics (undefined when it errors). */
async function externalMetricValue(kube: Kube, ns: string, m: any): Promise<string | undefined> {
  const sel = Object.entries(m.external.metric.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const v = await kube
    .get<any>(`/apis/external.metrics.k8s.io/v1beta1/namespaces/${ns}/${m.external.metric.name}?labelSelector=${encodeURIComponent(sel)}`)
    .catch(() => undefined);
  const value = v?.items?.[0]?.value;
  return value === undefined ? undefined : String(value);
}

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface ProdResult {
  readonly checks: Check[];
  readonly recorder: Recorder;
  readonly initialReplicas: number;
  /** How the baseline settled before t = 0: seconds waited, replicas held for how long. */
  readonly baseline: {
    readonly waitedSeconds: number;
    readonly stableSeconds: number;
    readonly replicas: number;
    /** The hold wanted before the load step (settleSeconds), of which LOAD_STEP_AT ran after t = 0. */
    readonly needSeconds: number;
    /** minReplicas, or the active cron trigger's replicas. */
    readonly floor: number;
  };
  readonly scenario: Record<string, unknown>;
  readonly webhookMessage: string;
  readonly synthMessage: string;
  readonly hpaMetrics: unknown;
  readonly alertFiredAt: number | null;
  readonly fallbackAt: number | null;
  readonly fallbackMetricValues: string[];
  /** Objects refused on the first apply pass (file order) and accepted on the second. */
  readonly firstPassRefusals: string[];
  /** The scrape outage as played: from outageStartSeconds() until its checks had what they need. */
  readonly outage: { readonly start: number; readonly end: number };
  /** What the HPA read when the scrapes stopped (the load's end, through the rate window). */
  readonly hpaAtOutage: string;
}

export function prodConfig(): EnvConfig {
  return parseEnvConfig(ENVIRONMENTS.prod!, "prod");
}

/**
 * Applies every object of dist/<env> unchanged, in file order (what `kubectl apply -f dist/<env>/`
 * does; Namespaces first), then once more for the objects refused on the first pass (a re-run of
 * the same command). Returns both lists of refusals: `final` must be empty.
 */
export async function applyEnv(
  kube: Kube,
  env: string,
  log: (l: string) => void,
  opts: { beforeSecondPass?: (refused: readonly KubeObject[]) => Promise<void> } = {},
): Promise<{ firstPass: string[]; final: string[] }> {
  const objs = distObjects(env);
  const applyAll = async (list: readonly KubeObject[]) => {
    const refused: { o: KubeObject; message: string }[] = [];
    for (const o of list) await kube.apply(o).catch((e: Error) => refused.push({ o, message: `${ref(o)}: ${e.message}` }));
    return refused;
  };
  const first = await applyAll(objs);
  const firstPass = first.map((r) => r.message);
  if (first.length && opts.beforeSecondPass) await opts.beforeSecondPass(first.map((r) => r.o));
  const final = (await applyAll(first.map((r) => r.o))).map((r) => r.message);
  log(
    `dist/${env}: ${objs.length - final.length}/${objs.length} objects accepted (server-side apply${firstPass.length ? `; ${firstPass.length} only on the second pass` : ""})`,
  );
  for (const f of firstPass) log(`  first pass refused ${f}`);
  return { firstPass, final };
}

export async function scaledObjectReady(kube: Kube, ns: string, name: string): Promise<any> {
  const so = await kube.get<any>(`/apis/keda.sh/v1alpha1/namespaces/${ns}/scaledobjects/${name}`);
  const ready = (so.status?.conditions ?? []).find((c: any) => c.type === "Ready");
  return ready?.status === "True" ? so : undefined;
}

function condition(obj: any, type: string): any {
  return (obj?.status?.conditions ?? []).find((c: any) => c.type === type);
}

/**
 * dev's wake-up trigger reads the ingress controller's request counter (Traefik, scraped by the
 * `kubernetes-pods` job in kube-system) and answers 0, not nothing, only while that scrape is up.
 * The harness runs no Traefik: a job with the same job/namespace labels scrapes a live target
 * without the counter (Prometheus itself) — "Traefik up, no request yet" — so the trigger is
 * healthy rather than failing into fallback. Labels are read from the rendered query.
 */
function wakeUpSourceJobs(): Record<string, unknown>[] {
  const jobs = new Map<string, Record<string, unknown>>();
  for (const env of ["dev", "staging", "prod"]) {
    for (const o of distObjects(env)) {
      if (o.kind !== "ScaledObject") continue;
      for (const t of ((o as any).spec?.triggers ?? []) as any[]) {
        const m = /\bup\{namespace="([^"]+)",job="([^"]+)"\}/.exec(String(t.metadata?.query ?? ""));
        if (t.name !== "wake-up" || !m) continue;
        jobs.set(m[2]!, { job_name: m[2], static_configs: [{ targets: [`127.0.0.1:${PROMETHEUS_PORT}`], labels: { namespace: m[1] } }] });
      }
    }
  }
  return [...jobs.values()];
}

/** JSON with object keys sorted: the API server returns fields in its own order. */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
}

/** One entry of an HPA's status.currentMetrics, short: name=current. */
function currentMetricShape(m: any): string {
  const t = m.type as string;
  const body = m[t.charAt(0).toLowerCase() + t.slice(1)] ?? {};
  const name = body.metric?.name ?? body.name ?? "";
  const c = body.current ?? {};
  return `${name}=${c.averageUtilization !== undefined ? `${c.averageUtilization}%` : (c.averageValue ?? c.value ?? "?")}`;
}

/** The HPA metrics in a comparable form: type, metric/resource name, target. */
function metricShape(m: any): string {
  const t = m.type as string;
  const body = m[t.charAt(0).toLowerCase() + t.slice(1)] ?? {};
  const name = body.metric?.name ?? body.name ?? "";
  const target = body.target ?? {};
  const raw = target.averageUtilization ?? target.averageValue ?? target.value ?? "";
  // a quantity in its milli value: the API server stores KEDA's 20000m as "20"
  const value = typeof raw === "string" && raw !== "" ? `${milliValueExact(raw)}m` : raw;
  return `${t}(${name}${body.container ? `/${body.container}` : ""}) ${target.type}=${value}`;
}

export async function runProd(cp: ControlPlane, log: (l: string) => void, opts: { workDir: string }): Promise<ProdResult> {
  const { kube } = cp;
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => {
    checks.push({ name, ok, detail });
    log(`${ok ? "PASS" : "FAIL"} ${name}: ${detail}`);
  };
  const config = prodConfig();
  const objects = distObjects("prod");
  const so = objects.find((o) => o.kind === "ScaledObject" && o.metadata.name === APP)!;
  const sm = objects.find((o) => o.kind === "ServiceMonitor" && o.metadata.name === APP)!;
  const svc = objects.find((o) => o.kind === "Service" && o.metadata.name === APP)!;
  const deploy = objects.find((o) => o.kind === "Deployment" && o.metadata.name === APP)! as any;
  const portName = (sm as any).spec.endpoints[0].port;
  const container = (deploy.spec.template.spec.containers as any[]).find((c) => (c.ports ?? []).some((p: any) => p.name === portName));
  const target: ScrapeTarget = {
    serviceMonitor: sm,
    service: svc,
    container: container.name,
    containerPort: container.ports.find((p: any) => p.name === portName).containerPort,
  };

  const timing = {
    queryWindowSeconds: durationSeconds(config.monitoring.queryWindow),
    scrapeSeconds: config.monitoring.scrapeIntervalSeconds,
    syncSeconds: SYNC_SECONDS,
  };
  const earliestOutage = outageStartSeconds(timing);
  // the plant's load for the longest timeline the run may play (it ends once its checks have what they need)
  const plantScenario = JSON.stringify(scenarioJson("mon 00:00", { start: MAX_OUTAGE_START, end: MAX_OUTAGE_START + MAX_OUTAGE_SECONDS }));

  // Prometheus with the ServiceMonitor's scrape job and the env's rule files
  const sdFile = join(opts.workDir, "inference-targets.json");
  const fleet = new ExporterFleet(cp.processes, target, sdFile, new Plant(config, parseScenarioJson(plantScenario, "e2e")).bounds);
  const prom: Prometheus = await startPrometheus(cp.processes, {
    dir: join(opts.workDir, "prometheus"),
    rulesDirs: [join(distDir("prod"), "rules")],
    jobs: [scrapeJob(target, sdFile), ...wakeUpSourceJobs()],
  });
  log(`prometheus ready on ${prom.url}, rules from dist/prod/rules`);

  // the plant: the simulator's pod model on the real ready pods
  // startsAt (the cron triggers' wall clock) is set at t = 0; the plant does not read it
  const plant = new Plant(config, parseScenarioJson(plantScenario, "e2e-spike"));
  const isApp = (p: { namespace: string; labels: Readonly<Record<string, string>> }) =>
    p.namespace === NS && Object.entries((svc as any).spec.selector as Record<string, string>).every(([k, v]) => p.labels[k] === v);
  cp.metrics.setUsage((pod, c) =>
    isApp(pod) && c.name === container.name
      ? { cpuMilli: plant.cpuMilli(), memoryBytes: c.memoryRequestBytes * 0.5 }
      : defaultUsage(pod, c),
  );
  const recorder = new Recorder();
  let t0: number | undefined;
  let nextT = -1;
  // no traffic until the baseline pods are ready: one overloaded first pod is not the settled
  // service the scenario starts from (see the baseline below)
  let loadOn = false;
  let last = plant.step(-1, [], { idle: true });
  let stopped = false;
  let driverError: unknown;
  const deployPath = `/apis/apps/v1/namespaces/${NS}/deployments/${APP}`;
  const hpaPath = `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers/keda-hpa-${APP}`;
  const soPath = `/apis/keda.sh/v1alpha1/namespaces/${NS}/scaledobjects/${APP}`;
  const deployStarted = Date.now();
  let lastSetupCheck = 0;
  let setupFallback: string | null = null;
  const driver = (async () => {
    while (!stopped) {
      const tick = Date.now();
      try {
        await fleet.sync(cp.pods.pods());
        // scraped: every running pod (its metrics port answers while the model loads); serving: the ready ones
        const ready = fleet
          .pods()
          .filter((p) => isApp(p) && p.ready)
          .map((p) => p.name);
        const tNow = t0 === undefined ? -1 : Math.floor((Date.now() - t0) / 1000);
        if (t0 === undefined) last = plant.step(-1, ready, { idle: !loadOn });
        else while (nextT <= tNow) last = plant.step(nextT++, ready);
        await fleet.push((p) => plant.state(p.name));
        if (t0 !== undefined) recorder.observeReplicas(tNow, (await kube.get<any>(deployPath)).spec.replicas);
        else if (tick - lastSetupCheck >= 5000) {
          // a fresh deploy must not go to KEDA's fallback while its pods start
          lastSetupCheck = tick;
          const s = await kube.getOrUndefined<any>(soPath);
          if (condition(s, "Fallback")?.status === "True" && setupFallback === null)
            setupFallback = `Fallback=True ${Math.round((tick - deployStarted) / 1000)} s after the first apply: ${condition(s, "Fallback")?.message ?? ""}`;
        }
      } catch (e) {
        driverError = e;
      }
      await new Promise((r) => setTimeout(r, Math.max(50, 1000 - (Date.now() - tick))));
    }
  })();
  const guard = () => {
    cp.check();
    if (driverError) {
      const e = driverError;
      driverError = undefined;
      log(`driver: ${(e as Error).message}`);
    }
  };

  try {
    // In file order KEDA's webhook refuses the ScaledObject until its Deployment exists; the
    // second pass (the same `kubectl apply` run again) comes once Prometheus scrapes the
    // Deployment's first pod — still loading its model, not Ready: Prometheus scrapes not-ready
    // pods (the endpoints role lists notReadyAddresses; prometheus-operator drops only Failed and
    // Succeeded pods) and the container's metrics port answers from its start. Applied before any
    // scrape, the guarded triggers (`and on() (sum(up{…}) > 0)`) error for want of a target and,
    // past fallback.failureThreshold, KEDA's fallback scales a service that has no load yet.
    const upQuery = `sum(up{namespace="${NS}",job="${(svc as any).metadata.name}"})`;
    const applied = await applyEnv(kube, "prod", log, {
      beforeSecondPass: async (refused) => {
        log(`waiting for Prometheus to scrape Deployment ${APP}'s first pod before applying the ${refused.length} refused object(s) again`);
        await waitFor(
          `Deployment ${APP}: first pod scraped by Prometheus`,
          600_000,
          async () => Number((await prom.query(upQuery))[0]?.value[1] ?? 0) >= 1,
          { check: guard, intervalMs: 2000 },
        );
      },
    });
    check(
      "dist/prod accepted (API server + KEDA webhook)",
      applied.final.length === 0,
      applied.final.length ? applied.final.join("; ") : `${objects.length} objects`,
    );

    // Ready, and the HPA KEDA made
    const ready = await waitFor("ScaledObject inference Ready=True", 180_000, () => scaledObjectReady(kube, NS, APP), { check: guard });
    check("ScaledObject Ready=True", true, condition(ready, "Ready")?.message ?? "");
    const hpa = await waitFor(
      "HPA keda-hpa-inference",
      60_000,
      () => kube.getOrUndefined<any>(`/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers/keda-hpa-${APP}`),
      { check: guard },
    );
    const model = autoscalerModel(so, config);
    // sorted: the HPA takes the highest proposal of all metrics, their order does not matter
    const real = (hpa.spec.metrics as any[]).map(metricShape).sort();
    const simulated = ((model.hpa.metrics ?? []) as any[]).map(metricShape).sort();
    check(
      "keda-hpa-inference has the metrics the simulator assumes",
      JSON.stringify(real) === JSON.stringify(simulated),
      `real [${real.join("; ")}] simulator [${simulated.join("; ")}]`,
    );
    check(
      "keda-hpa-inference min/max/behavior",
      hpa.spec.minReplicas === model.hpa.minReplicas &&
        hpa.spec.maxReplicas === model.hpa.maxReplicas &&
        canonicalJson(hpa.spec.behavior) === canonicalJson(model.hpa.behavior),
      `real min ${hpa.spec.minReplicas} max ${hpa.spec.maxReplicas} behavior ${canonicalJson(hpa.spec.behavior)}; simulator min ${model.hpa.minReplicas} max ${model.hpa.maxReplicas} behavior ${canonicalJson(model.hpa.behavior)}`,
    );

    // the seeds' conflict: a second autoscaler on the same Deployment
    const second: KubeObject = { ...(so as any), metadata: { name: `${APP}-second`, namespace: NS } };
    let webhookMessage = "";
    try {
      await kube.request("POST", `/apis/keda.sh/v1alpha1/namespaces/${NS}/scaledobjects`, second);
      await kube.delete("keda.sh/v1alpha1", "ScaledObject", NS, `${APP}-second`);
    } catch (e) {
      webhookMessage = e instanceof KubeError ? String((e.body as any)?.message ?? e.message) : (e as Error).message;
    }
    const synth = runRenderedChecks({ config, objects: [...objects, second] as any }).filter((f) => f.code === "MULTIPLE_AUTOSCALERS");
    const synthMessage = synth.map(formatProblem).join("\n");
    check(
      "a second ScaledObject on Deployment inference is refused by KEDA's webhook",
      /denied/.test(webhookMessage),
      `webhook: ${webhookMessage || "(accepted!)"} | synth: ${synthMessage || "(no finding!)"}`,
    );
    check("synth check reports the same conflict", synth.length > 0, synthMessage);

    // ---- the baseline: the scenario's initial load on a settled service, as the simulator starts
    await waitFor(
      `Deployment ${APP}: at least minReplicas (${hpa.spec.minReplicas}) pods, all Ready`,
      600_000,
      async () => {
        const d = await kube.get<any>(deployPath);
        return d.spec.replicas >= hpa.spec.minReplicas && d.status?.readyReplicas === d.spec.replicas;
      },
      { check: guard, intervalMs: 2000 },
    );
    loadOn = true;
    const baselineFrom = Date.now();
    log("baseline: the scenario's initial load on; waiting for the replica count to settle");
    const settleOpts = { ...timing, minReplicas: hpa.spec.minReplicas as number };
    let floor = { value: 0, at: 0 };
    let stableSince = Date.now();
    let held = -1;
    let lastState = "";
    let lastLog = 0;
    const settled = await waitFor(
      "the baseline replica count to settle (the HPA wanting what runs, every metric read, no fallback)",
      1_800_000,
      async () => {
        const d = await kube.get<any>(deployPath);
        const h = await kube.get<any>(hpaPath);
        const s = await kube.get<any>(soPath);
        const replicas = d.spec.replicas as number;
        const healthy =
          d.status?.readyReplicas === replicas &&
          h.status?.desiredReplicas === replicas &&
          condition(h, "ScalingActive")?.status === "True" &&
          (h.status?.currentMetrics ?? []).length === h.spec.metrics.length &&
          condition(s, "Fallback")?.status !== "True";
        lastState = `replicas ${replicas}, ready ${d.status?.readyReplicas ?? 0}, HPA desired ${h.status?.desiredReplicas}, metrics ${(h.status?.currentMetrics ?? []).length}/${h.spec.metrics.length}, fallback ${condition(s, "Fallback")?.status ?? "-"}`;
        if (!healthy || replicas !== held) {
          held = replicas;
          stableSince = Date.now();
        }
        if (replicas > settleOpts.minReplicas && Date.now() - floor.at >= SYNC_SECONDS * 1000)
          floor = { value: await cronFloor(kube, NS, h), at: Date.now() };
        // the scenario's first LOAD_STEP_AT seconds play the same initial load: they complete the hold
        const need = Math.max(0, settleSeconds(h.spec.behavior, { ...settleOpts, floor: floor.value, replicas }) - LOAD_STEP_AT);
        const stable = (Date.now() - stableSince) / 1000;
        if (Date.now() - lastLog >= 30_000) {
          lastLog = Date.now();
          log(`baseline: ${lastState}; held ${Math.round(stable)} of ${need} s`);
        }
        return stable >= need
          ? { replicas, stable, need: need + LOAD_STEP_AT, floor: Math.max(settleOpts.minReplicas, floor.value) }
          : false;
      },
      { check: guard, intervalMs: 2000, describe: () => lastState },
    );
    const initial = (await kube.get<any>(deployPath)).spec.replicas as number;
    const baseline = {
      waitedSeconds: Math.round((Date.now() - baselineFrom) / 1000),
      stableSeconds: Math.round(settled.stable),
      replicas: initial,
      needSeconds: settled.need,
      floor: settled.floor,
    };
    log(
      `baseline: ${initial} replicas held ${baseline.stableSeconds} s (after ${baseline.waitedSeconds} s of load), every HPA metric read; starting the timeline (scrapes stop from t=${earliestOutage}s, once every HPA metric proposes fewer replicas)`,
    );

    // ---- the timeline
    t0 = Date.now();
    const startsAt = wallClock(cronTimeZone(objects), new Date(t0));
    nextT = 0;
    recorder.observeReplicas(0, initial);
    let alertFiredAt: number | null = null;
    let fallbackAt: number | null = null;
    const fallbackMetricValues: string[] = [];
    let outage = false;
    let outageStart = MAX_OUTAGE_START;
    let scaleDownProposed = false;
    let hpaAtOutage = "";
    let nextSample = 0;
    const now = () => Math.floor((Date.now() - t0!) / 1000);
    const downsAfterLoad = () => recorder.changes.filter((c) => c.to < c.from && c.t >= LOAD_END_AT);
    // The outage runs until every check of it has what it needs: the alert fired (its 5 min
    // `for`), the fallback seen and held for two samples, and two scale-down steps (the behavior's
    // pace). The simulator then plays the same scenario, ending at the same second.
    const outageDone = (t: number) =>
      alertFiredAt !== null &&
      fallbackAt !== null &&
      recorder.samples.filter((x) => x.t >= fallbackAt! + 2 * SYNC_SECONDS).length >= 2 &&
      downsAfterLoad().length >= 2 &&
      t >= (downsAfterLoad()[1]?.t ?? Infinity);
    let end: number | undefined;
    while (end === undefined) {
      guard();
      const t = now();
      if (outage && t >= outageStart + MAX_OUTAGE_SECONDS) {
        end = t;
        log(`t=${t}s: ending the timeline at its bound (${MAX_OUTAGE_SECONDS} s of outage) before every outage check had what it needs`);
        break;
      }
      if (!outage && t >= earliestOutage && t >= nextSample) {
        const h = await kube.get<any>(hpaPath);
        const d = await kube.get<any>(deployPath);
        const proposals = hpaProposals(h, d.status?.readyReplicas ?? 0);
        scaleDownProposed = proposals.every((p) => p.replicas !== undefined && p.replicas < d.spec.replicas);
        if (scaleDownProposed || t >= MAX_OUTAGE_START) {
          outage = true;
          outageStart = t;
          hpaAtOutage =
            `${d.spec.replicas} replicas, HPA desired ${h.status?.desiredReplicas} (stabilized), metrics ${((h.status?.currentMetrics ?? []) as any[]).map(currentMetricShape).join(", ")}, ` +
            `proposing ${proposals.map((p) => `${p.name}: ${p.replicas ?? "?"}`).join(", ")}`;
          await fleet.setScraping(false);
          log(`t=${t}s: exporters stopped (lost scrapes); ${hpaAtOutage}`);
        }
      }
      if (t >= nextSample) {
        nextSample += SYNC_SECONDS;
        const d = await kube.get<any>(deployPath);
        const s = await kube.get<any>(soPath);
        const fb = condition(s, "Fallback")?.status === "True";
        if (fb && fallbackAt === null) {
          fallbackAt = t;
          const h = await kube.get<any>(hpaPath);
          for (const m of h.spec.metrics as any[]) {
            if (m.type !== "External") continue;
            const v = (await externalMetricValue(kube, NS, m)) ?? "error";
            fallbackMetricValues.push(
              `${m.external.metric.name}=${v} (target ${m.external.target.type} ${m.external.target.averageValue ?? m.external.target.value})`,
            );
          }
        }
        recorder.samples.push({
          t,
          replicas: d.spec.replicas,
          ready: d.status?.readyReplicas ?? 0,
          fallback: fb,
          rps: last.rps,
          p95: last.latency,
          queue: last.queueTotal,
        });
        log(
          `t=${String(t).padStart(4)}s replicas ${d.spec.replicas} ready ${d.status?.readyReplicas ?? 0} rps ${last.rps.toFixed(0)} queue ${last.queueTotal.toFixed(0)}${fb ? " FALLBACK" : ""}`,
        );
        if (outage && alertFiredAt === null) {
          const firing = (await prom.alerts()).find(
            (a) => a.labels.alertname === "InferenceTargetDown" && a.state === "firing" && a.labels.namespace === NS,
          );
          if (firing) {
            alertFiredAt = t;
            log(`t=${t}s: InferenceTargetDown firing in Prometheus`);
          }
        }
        if (outage && outageDone(t)) end = t + 1;
      }
      if (end === undefined) await new Promise((r) => setTimeout(r, 1000));
    }
    const outageWindow = { start: outageStart, end };
    const scenario = scenarioJson(startsAt, outageWindow);

    // ---- assertions on the timeline
    check(
      "the load's end reaches the HPA before the scrapes stop (every metric proposes fewer replicas than run)",
      scaleDownProposed,
      `t=${outageStart}s: ${hpaAtOutage}`,
    );
    check(
      "fresh deploy: no KEDA fallback while the pods start (Prometheus scrapes them before they are Ready)",
      setupFallback === null,
      setupFallback ??
        `no Fallback=True from the first apply to t = 0 (${Math.round((t0 - deployStarted) / 1000)} s, SO checked every 5 s)`,
    );
    const beforeStep = recorder.changes.filter((c) => c.t <= LOAD_STEP_AT);
    const fbBeforeStep = recorder.samples.filter((x) => x.t <= LOAD_STEP_AT && x.fallback);
    check(
      "the baseline holds until the load step",
      beforeStep.length === 0 && fbBeforeStep.length === 0,
      `${initial} replicas (floor ${baseline.floor}) held ${baseline.stableSeconds} s before t = 0 and ${LOAD_STEP_AT} s of the same load after it: ${baseline.needSeconds} s wanted` +
        (beforeStep.length ? `; changed ${beforeStep.map((c) => `t=${c.t}s ${c.from}→${c.to}`).join(", ")}` : "") +
        (fbBeforeStep.length ? `; fallback at t=${fbBeforeStep[0]!.t}s` : ""),
    );
    const up = recorder.firstScaleUpAfter(LOAD_STEP_AT);
    check(
      "scale-up after the load step",
      up !== undefined,
      up ? `first scale-up at t=${up.t}s (${up.t - LOAD_STEP_AT} s after the load step): ${up.from} → ${up.to}` : "no scale-up",
    );
    const lastUp = [...recorder.changes].filter((c) => c.to > c.from && c.t < outageStart).pop();
    const stabilization = (so as any).spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds as number;
    const allDowns = downsAfterLoad();
    const tooEarly = allDowns.filter((d) => lastUp && d.t - lastUp.t < stabilization);
    // the recorder sees a change up to ~2 s late (a 1 s loop of API calls on a loaded machine), so two
    // steps the controller made 60 s apart can read 58–62 s apart; a real breach of the 60 s policy
    // puts two steps within one period, at most 45 s apart (the controller acts every 15 s)
    const tooFast = allDowns.filter(
      (d) => allDowns.filter((x) => x.t > d.t - 60 + RECORDER_JITTER_SECONDS && x.t <= d.t).reduce((s, x) => s + x.from - x.to, 0) > 1,
    );
    check(
      "scale-down honours the behavior (no step within the 300 s stabilization window of the last scale-up, at most 1 pod per 60 s)",
      allDowns.length >= 2 && tooEarly.length === 0 && tooFast.length === 0,
      `scale-downs ${allDowns.map((d) => `t=${d.t}s ${d.from}→${d.to}`).join(", ") || "none"}; last scale-up t=${lastUp?.t ?? "-"}s`,
    );
    const fbReplicas = (so as any).spec.fallback.replicas as number;
    check(
      "lost scrapes: KEDA fallback active",
      fallbackAt !== null,
      fallbackAt !== null
        ? `Fallback=True at t=${fallbackAt}s; metric values served: ${fallbackMetricValues.join(", ")}`
        : "the Fallback condition never became True",
    );
    const afterFb = recorder.samples.filter((s) => fallbackAt !== null && s.t >= fallbackAt + 2 * SYNC_SECONDS);
    // from wherever the replicas were, they move towards fallback.replicas (at the behavior's pace) and never past it
    const side = afterFb.length ? Math.sign(afterFb[0]!.replicas - fbReplicas) : 0;
    const holds =
      afterFb.length > 0 &&
      afterFb.every((s) => Math.sign(s.replicas - fbReplicas) === side || s.replicas === fbReplicas) &&
      afterFb.every((s, i) => i === 0 || Math.abs(s.replicas - fbReplicas) <= Math.abs(afterFb[i - 1]!.replicas - fbReplicas));
    check(
      `fallback holds ${fbReplicas} replicas (moves towards it within the behavior, never past it)`,
      holds,
      afterFb.map((s) => `t=${s.t}s:${s.replicas}`).join(" "),
    );
    check(
      "InferenceTargetDown fires in the real Prometheus",
      alertFiredAt !== null,
      alertFiredAt !== null
        ? `firing at t=${alertFiredAt}s (${alertFiredAt - outageStart} s after the scrapes stopped; rule has for: 5m)`
        : "not firing by the end of the outage",
    );

    return {
      checks,
      recorder,
      initialReplicas: initial,
      baseline,
      scenario,
      webhookMessage,
      synthMessage,
      hpaMetrics: hpa.spec.metrics,
      alertFiredAt,
      fallbackAt,
      fallbackMetricValues,
      firstPassRefusals: applied.firstPass,
      outage: outageWindow,
      hpaAtOutage,
    };
  } finally {
    stopped = true;
    await driver;
    await fleet.stopAll();
    writeFileSync(join(opts.workDir, "prod-samples.json"), JSON.stringify(recorder.samples));
  }
}
