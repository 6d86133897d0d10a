/**
 * What a run means: the summary numbers, the timeline CSV and the Markdown report (one mode, or
 * several side by side). Pure functions of simulation results: same results, same bytes.
 */
import type { SimMetric } from "./autoscaler.js";
import type { SimulationResult } from "./run.js";
import { clockLabel } from "./cron.js";
import { SATURATION_UTILIZATION } from "./service-model.js";

/** p95 must stay under the SLO this long before a breach counts as over. */
export const RECOVERY_HOLD_SECONDS = 60;

export interface Summary {
  readonly label: string;
  /** First second the load exceeds its initial value by 10 % (null: it never does). */
  readonly loadRiseAt: number | null;
  /** First scale-up at or after loadRiseAt (t ≥ 0 when the load never rises). */
  readonly firstScaleUpAt: number | null;
  /** firstScaleUpAt − loadRiseAt (from t = 0 when the load never rises). */
  readonly timeToFirstScaleUp: number | null;
  /** First second the latency quantile exceeds the SLO threshold. */
  readonly firstBreachAt: number | null;
  /** First second after firstBreachAt from which the quantile stays under the threshold for RECOVERY_HOLD_SECONDS. */
  readonly recoveredAt: number | null;
  /** recoveredAt − firstBreachAt; 0 when never breached; null when not recovered within the run. */
  readonly timeToRecover: number | null;
  readonly breachSeconds: number;
  readonly breachShare: number;
  /** Share of requests slower than the threshold (or failed). */
  readonly slowRequestShare: number;
  readonly failedRequests: number;
  readonly totalRequests: number;
  readonly worstLatency: number;
  readonly startReplicas: number;
  readonly peakReplicas: number;
  readonly endReplicas: number;
  readonly scaleEvents: number;
  readonly replicaHours: number;
  readonly cost: number;
  readonly costPerMillionRequests: number;
  readonly fallbackSeconds: number;
  readonly prometheusDownSeconds: number;
}

export function summarize(r: SimulationResult): Summary {
  const tl = r.timeline;
  const D = tl.length;
  const thr = r.sloThresholdSeconds;
  const base = r.scenario.load[0]!;
  let loadRiseAt: number | null = null;
  for (let t = 0; t < D; t++) {
    if (r.scenario.load[t]! > base * 1.1 + 1e-9) {
      loadRiseAt = t;
      break;
    }
  }
  // a scale-up before the load rises (still settling) is no response to it
  const up = r.events.find((e) => e.to > e.from && e.t >= (loadRiseAt ?? 0));
  const firstScaleUpAt = up ? up.t : null;
  const timeToFirstScaleUp = firstScaleUpAt === null ? null : Math.max(0, firstScaleUpAt - (loadRiseAt ?? 0));

  let breachSeconds = 0;
  let firstBreachAt: number | null = null;
  let recoveredAt: number | null = null;
  let okRun = 0;
  let candidate = -1;
  let total = 0;
  let slow = 0;
  let failed = 0;
  let worst = 0;
  let peak = 0;
  let podSeconds = 0;
  let fallbackSeconds = 0;
  let downSeconds = 0;
  for (let t = 0; t < D; t++) {
    const l = tl.latency[t]!;
    const breach = l > thr; // NaN (no traffic) is no breach
    if (breach) breachSeconds++;
    if (l > worst) worst = l;
    if (firstBreachAt === null) {
      if (breach) firstBreachAt = t;
    } else if (recoveredAt === null) {
      if (breach) {
        okRun = 0;
        candidate = -1;
      } else {
        if (okRun === 0) candidate = t;
        okRun++;
        if (okRun >= RECOVERY_HOLD_SECONDS) recoveredAt = candidate;
      }
    }
    total += tl.rps[t]!;
    slow += tl.slow[t]!;
    failed += tl.failed[t]!;
    if (tl.desired[t]! > peak) peak = tl.desired[t]!;
    podSeconds += tl.desired[t]!;
    fallbackSeconds += tl.fallback[t]!;
    if (!tl.prometheusUp[t]) downSeconds++;
  }
  // a run that ends recovering but shorter than the hold still counts as recovered at the candidate
  if (firstBreachAt !== null && recoveredAt === null && okRun > 0 && candidate >= 0 && D - candidate === okRun) recoveredAt = candidate;
  const replicaHours = podSeconds / 3600;
  const cost = replicaHours * r.pricePerPodHour;
  return {
    label: r.label,
    loadRiseAt,
    firstScaleUpAt,
    timeToFirstScaleUp,
    firstBreachAt,
    recoveredAt,
    timeToRecover: firstBreachAt === null ? 0 : recoveredAt === null ? null : recoveredAt - firstBreachAt,
    breachSeconds,
    breachShare: D ? breachSeconds / D : 0,
    slowRequestShare: total > 0 ? slow / total : 0,
    failedRequests: failed,
    totalRequests: total,
    worstLatency: worst,
    startReplicas: tl.desired[0] ?? 0,
    peakReplicas: peak,
    endReplicas: tl.desired[D - 1] ?? 0,
    scaleEvents: r.events.length,
    replicaHours,
    cost,
    costPerMillionRequests: total > 0 ? (cost / total) * 1e6 : 0,
    fallbackSeconds,
    prometheusDownSeconds: downSeconds,
  };
}

// ------------------------------------------------------------------ formatting

/** `m:ss` under an hour, `h:mm:ss` above. */
export function clock(t: number): string {
  const s = Math.round(t);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** `45 s`, `6 min 10 s`, `2 h 5 min`. */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const m = Math.round(s / 60);
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m / 60} h`;
}

function seconds(v: number): string {
  if (!Number.isFinite(v)) return "∞ (no ready pod)";
  return v >= 10 ? `${v.toFixed(0)} s` : v >= 1 ? `${v.toFixed(1)} s` : `${(v * 1000).toFixed(0)} ms`;
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)} %`;
}

function money(v: number): string {
  return `$${v < 10 ? v.toFixed(3) : v.toFixed(2)}`;
}

/** Fixed-precision number for CSV: empty for NaN, `inf` for ∞. */
function csvNum(v: number, digits: number): string {
  if (Number.isNaN(v)) return "";
  if (!Number.isFinite(v)) return "inf";
  const s = v.toFixed(digits);
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

// ------------------------------------------------------------------ CSV

/** The timeline of one run: one row per second. */
export function timelineCsv(r: SimulationResult): string {
  const tl = r.timeline;
  const q = `p${Number((r.quantile * 100).toPrecision(6))}`;
  const head = [
    "t",
    "users",
    "rps",
    "desired_replicas",
    "ready_replicas",
    "cpu_pct",
    `${q}_s`,
    "in_flight",
    "queue",
    "backlog",
    "slow_requests",
    "failed_requests",
    ...r.model.metrics.map((m) => m.column),
    "keda_fallback",
    "prometheus_up",
  ];
  const lines = [head.join(",")];
  const parts: string[] = new Array(head.length);
  for (let t = 0; t < tl.length; t++) {
    let k = 0;
    parts[k++] = String(t);
    parts[k++] = csvNum(tl.users[t]!, 3);
    parts[k++] = csvNum(tl.rps[t]!, 3);
    parts[k++] = String(tl.desired[t]);
    parts[k++] = String(tl.ready[t]);
    parts[k++] = csvNum(tl.cpuPct[t]!, 2);
    parts[k++] = csvNum(tl.latency[t]!, 4);
    parts[k++] = csvNum(tl.inFlight[t]!, 3);
    parts[k++] = csvNum(tl.queue[t]!, 3);
    parts[k++] = csvNum(tl.backlog[t]!, 3);
    parts[k++] = csvNum(tl.slow[t]!, 3);
    parts[k++] = csvNum(tl.failed[t]!, 3);
    for (const v of tl.metricValues) parts[k++] = csvNum(v[t]!, 4);
    parts[k++] = String(tl.fallback[t]);
    parts[k] = String(tl.prometheusUp[t]);
    lines.push(parts.join(","));
  }
  return lines.join("\n") + "\n";
}

// ------------------------------------------------------------------ Markdown

function targetText(m: SimMetric): string {
  const s = m.spec;
  const t =
    s.type === "Resource"
      ? s.resource.target
      : s.type === "ContainerResource"
        ? s.containerResource.target
        : s.type === "Pods"
          ? s.pods.target
          : s.type === "External"
            ? s.external.target
            : s.object.target;
  const v = t.type === "Utilization" ? `${t.averageUtilization} %` : String(t.type === "Value" ? t.value : t.averageValue);
  return `${m.label}: ${t.type} ${v}`;
}

/** One line describing the autoscaler a run executed. */
export function autoscalerText(r: SimulationResult): string {
  const m = r.model;
  const head = m.kind === "ScaledObject" ? `ScaledObject ${m.name} → HPA ${m.hpaName}` : `HPA ${m.name}`;
  const bounds = `${m.hpa.minReplicas ?? 1}–${m.hpa.maxReplicas} replicas`;
  return `${head}, ${bounds}; ${m.metrics.map(targetText).join("; ")}${m.hpa.behavior ? "; explicit behavior" : "; default behavior"}`;
}

/** The side-by-side summary table (Markdown). */
export function summaryTable(results: readonly SimulationResult[]): string {
  const sums = results.map(summarize);
  const r0 = results[0]!;
  const thr = seconds(r0.sloThresholdSeconds);
  const q = `p${Number((r0.quantile * 100).toPrecision(6))}`;
  const rows: [string, (s: Summary, r: SimulationResult) => string][] = [
    ["replicas at start / peak / end", (s) => `${s.startReplicas} / ${s.peakReplicas} / ${s.endReplicas}`],
    [
      "time to first scale-up",
      (s) =>
        s.timeToFirstScaleUp === null
          ? "no scale-up"
          : `${duration(s.timeToFirstScaleUp)}${s.loadRiseAt !== null ? " after the load rose" : ""}`,
    ],
    [`first ${q} breach of ${thr}`, (s) => (s.firstBreachAt === null ? "none" : `at ${clock(s.firstBreachAt)}`)],
    [
      `time until ${q} is back under ${thr}`,
      (s) => (s.timeToRecover === null ? "not within the run" : s.firstBreachAt === null ? "—" : duration(s.timeToRecover)),
    ],
    ["time in SLO breach", (s) => `${pct(s.breachShare)} (${duration(s.breachSeconds)})`],
    [`requests slower than ${thr} or failed`, (s) => pct(s.slowRequestShare)],
    [
      "requests failed (no ready pod, timed out)",
      (s) => `${pct(s.totalRequests > 0 ? s.failedRequests / s.totalRequests : 0)} (${Math.round(s.failedRequests)})`,
    ],
    [`worst ${q}`, (s) => seconds(s.worstLatency)],
    ["replica-hours", (s) => s.replicaHours.toFixed(2)],
    [`cost at ${money(r0.pricePerPodHour)}/pod-hour`, (s) => money(s.cost)],
    ["cost per 1M requests", (s) => money(s.costPerMillionRequests)],
  ];
  if (sums.some((s) => s.fallbackSeconds > 0) || results.some((r) => r.model.keda?.fallback)) {
    rows.push(["KEDA fallback active", (s, r) => (r.model.keda?.fallback ? duration(s.fallbackSeconds) : "n/a")]);
  }
  const lines = [`| | ${sums.map((s) => s.label).join(" | ")} |`, `|---|${sums.map(() => "---").join("|")}|`];
  for (const [name, f] of rows) lines.push(`| ${name} | ${sums.map((s, i) => f(s, results[i]!)).join(" | ")} |`);
  return lines.join("\n");
}

/**
 * The services table: one row per service and mode (an environment's models side by side, each
 * against its own SLO threshold), the headline numbers of {@link summaryTable}.
 */
export function servicesTable(runs: readonly { readonly service: string; readonly result: SimulationResult }[]): string {
  const lines = [
    "| service | mode | SLO | replicas start / peak / end | first scale-up | time in SLO breach | slower than SLO or failed | worst latency | cost |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const { service, result: r } of runs) {
    const s = summarize(r);
    const q = `p${Number((r.quantile * 100).toPrecision(6))}`;
    const up =
      s.timeToFirstScaleUp === null ? "none" : `${duration(s.timeToFirstScaleUp)}${s.loadRiseAt !== null ? " after the rise" : ""}`;
    lines.push(
      `| ${service} | ${r.label} | ${q} < ${seconds(r.sloThresholdSeconds)} | ${s.startReplicas} / ${s.peakReplicas} / ${s.endReplicas} | ${up} | ${pct(s.breachShare)} (${duration(s.breachSeconds)}) | ${pct(s.slowRequestShare)} | ${seconds(s.worstLatency)} | ${money(s.cost)} |`,
    );
  }
  return lines.join("\n");
}

/** The model statement the report and docs/simulator.md share. */
export function modelText(r: SimulationResult): string {
  const p = r.pod;
  const st = r.settings;
  const slotsRps = p.configuredSlots / p.configuredServiceTimeSeconds;
  const capacity = p.cpuBound
    ? `${p.capacityRps.toFixed(1)} req/s, bounded by the CPU limit (${p.cpuLimitCores} cores / ${p.cpuSecondsPerRequest} CPU-s per request; the slots alone would allow ${slotsRps.toFixed(1)} req/s), so it is simulated as ${p.queue.servers} slots of ${p.queue.serviceTimeSeconds.toFixed(3)} s`
    : `${p.capacityRps.toFixed(1)} req/s`;
  return [
    `- **Pod**: ${p.configuredSlots} request slots (predictMaxConcurrency × uvicornWorkers), service time ${p.configuredServiceTimeSeconds} s mean with CV ${p.queue.serviceTimeCv} (gamma distributed), ${p.cpuSecondsPerRequest} CPU-s per request against a ${p.cpuRequestCores}-core request; capacity ${capacity}. A new pod serves ${p.startupSeconds} s after it is created (image pull + model load).`,
    `- **Queueing model**: kube-proxy spreads requests at random, so each ready pod is an independent M/G/c queue (Poisson arrivals, c slots). Waiting probability from Erlang C, mean wait from the Allen–Cunneen approximation Wq ≈ C(c,a)/(cμ−λ) · (1+CV²)/2, the wait of a waiting request exponential (exact for M/M/c); latency = wait + service, its p95 solved from that distribution. Queues change over time: each pod's mean number of requests x follows the pointwise stationary fluid flow approximation dx/dt = arrivals − cμ·ρ(x) (ρ(x) inverts the stationary mean number in system), so during overload the queue, the in-flight gauge and the latency rise as fast as arrivals exceed service and drain the same way; a request meets the stationary distribution with the same mean. Beyond ${SATURATION_UTILIZATION * 100} % utilization every slot is busy: the excess is a fluid backlog that drains at capacity and adds backlog/capacity to a new request's latency. Pods that become ready start empty (queued requests stay on the pod that holds them); clients give up after ${st.requestTimeoutSeconds} s (requests that would wait longer fail and leave the queue, so latency is capped there). With no ready pod requests fail. The latency histogram observes a request when it completes, as prometheus_client does.`,
    `- **Metrics pipeline**: Prometheus scrapes every ${st.scrapeIntervalSeconds} s and answers histogram_quantile/rate over the trigger's window (adapter metrics: ${st.queryWindow}) from those samples, so the latency the autoscaler sees lags the latency requests see; gauges come from the latest sample. While Prometheus is down nothing is scraped and every Prometheus query fails (prometheus-adapter metrics are missing, KEDA's prometheus scaler errors) while metrics-server CPU/memory (${st.metricsServerResolutionSeconds} s resolution) keep working. The HPA reconciles every ${st.hpaSyncSeconds} s with the exact controller arithmetic (simulator/hpa). KEDA (as v2.18.3): pollingInterval, activation when any trigger is active (even while another errors), cooldown to 0 or idleReplicaCount, fallback after failureThreshold consecutive failed metric requests, metric values in truncated milli-units, cron triggers 0 outside their window. Memory use is flat at ${(st.memoryUtilization * 100).toFixed(0)} % of the request.`,
    `- **Start**: each run begins after ${duration(st.warmupSeconds)} at the scenario's initial load, so replicas and the controller's memory start settled.`,
  ].join("\n");
}

/** The Markdown report of one or more runs of the same env and scenario. */
export function markdownReport(
  results: readonly SimulationResult[],
  files: { readonly chart: string; readonly csv: readonly string[] },
  notes: readonly string[] = [],
  service?: string,
): string {
  const r0 = results[0]!;
  const s = r0.scenario;
  const unit =
    s.unit === "users"
      ? `users × ${r0.pod.requestsPerUserPerSecond} req/s each`
      : s.unit === "pods"
        ? `pods' worth of load × ${Number(r0.pod.capacityRps.toPrecision(6))} req/s each`
        : "requests/s";
  const out: string[] = [];
  out.push(
    `# Scaling what-if: ${r0.env}${service !== undefined ? ` · ${service}` : ""} · ${s.name}${results.length > 1 ? ` · ${results.map((r) => r.label).join(" vs ")}` : ` · ${r0.label}`}`,
  );
  out.push("");
  out.push(`Scenario **${s.name}**: ${s.description} (${unit}; ${duration(s.load.length)} at 1 s resolution).`);
  if (s.prometheusOutages.length)
    out.push(`Prometheus is down ${s.prometheusOutages.map((w) => `${clock(w.startSeconds)}–${clock(w.endSeconds)}`).join(", ")}.`);
  out.push(`SLO: p95 latency under ${seconds(r0.sloThresholdSeconds)} (slo.latency.thresholdSeconds).`);
  if (results.some((r) => r.model.metrics.some((m) => m.signal.kind === "cron"))) {
    out.push(`Cron triggers read the simulated clock: t = 0 is ${clockLabel(s.clockOffsetSeconds ?? 0)} in the trigger's time zone.`);
  }
  for (const n of notes) out.push(`Note: ${n}.`);
  out.push("");
  out.push(summaryTable(results));
  out.push("");
  out.push(`![load, replicas and p95 latency](${files.chart})`);
  out.push("");
  out.push("## Autoscalers");
  out.push("");
  for (const r of results) {
    out.push(`- **${r.label}**: ${autoscalerText(r)}.`);
    const k = r.model.keda;
    if (k) {
      out.push(
        `  KEDA: pollingInterval ${k.pollingIntervalSeconds} s, cooldownPeriod ${k.cooldownPeriodSeconds} s, minReplicaCount ${k.minReplicaCount}${k.minReplicaCount >= 1 ? " (always active: activation thresholds do not apply)" : ""}, fallback ${k.fallback ? `${k.fallback.replicas} replicas after ${k.fallback.failureThreshold} failures (${k.fallback.behavior})` : "none"}.`,
      );
    }
  }
  out.push("");
  out.push("## Model");
  out.push("");
  out.push(modelText(r0));
  out.push("");
  out.push("## Scale events");
  for (const r of results) {
    out.push("");
    out.push(`### ${r.label}`);
    out.push("");
    if (r.events.length === 0) {
      out.push(`No scaling: ${r.initialReplicas} replicas throughout.`);
      continue;
    }
    out.push("| t | replicas | by | reason |");
    out.push("|---|---|---|---|");
    const shown = r.events.slice(0, 40);
    for (const e of shown) out.push(`| ${clock(e.t)} | ${e.from} → ${e.to} | ${e.by} | ${e.reason.replace(/\|/g, "\\|")} |`);
    if (r.events.length > shown.length) out.push(`| … | ${r.events.length - shown.length} more | | |`);
  }
  out.push("");
  out.push("## Files");
  out.push("");
  for (const [i, f] of files.csv.entries()) out.push(`- \`${f}\`: second-by-second timeline of ${results[i]!.label}`);
  out.push(`- \`${files.chart}\`: the chart above`);
  out.push("");
  return out.join("\n");
}
