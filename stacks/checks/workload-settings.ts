/**
 * Cross-field rules of the optional workloads (queue workers, orchestrator, GPU service,
 * pre-scaling windows) and of the burst, wake-up and network-policy settings: config-phase checks
 * on the parsed config (single-field rules live in the zod schema, stacks/config.ts). Codes:
 * CONFIG_CONFLICT, or the code of the check a rule belongs to (METRIC_NOT_SCRAPED,
 * PLAINTEXT_CREDENTIAL, QUERY_LABEL_MISMATCH, CONFIG_MISSING).
 */
import { burstWindowSeconds } from "../config.js";
import type { CheckContext } from "./context.js";
import { checkCooldownAfterPolling, checkFallbackWithinBounds, checkScaledObjectName, conflict } from "./settings.js";
import type { PathSegment } from "./types.js";

/** Workload names, replica bounds, KEDA and ServiceMonitor needs, activations of the optional workloads. */
/** Names and replica bounds of the scaled workloads, for the name clash and pre-scaling checks. */
type ScaledWorkloads = Map<string, { readonly min: number; readonly max: number }>;

/** A workload takes its name (unique among the service and the extras) and checks its bounds. */
function claimWorkload(ctx: CheckContext, scaled: ScaledWorkloads, name: string, path: PathSegment[], min: number, max: number): void {
  const c = ctx.config;
  if (name === c.service.name || scaled.has(name)) {
    conflict(
      ctx,
      [...path, "name"],
      `name "${name}" is already used by ${name === c.service.name ? "the inference service" : "another workload"}`,
      "give each workload its own name",
    );
  } else scaled.set(name, { min, max });
  checkScaledObjectName(ctx, [...path, "name"], name);
  if (min > max)
    conflict(
      ctx,
      [...path, "minReplicas"],
      `minReplicas ${min} is greater than maxReplicas ${max}`,
      "lower minReplicas or raise maxReplicas",
    );
}

function needsKeda(ctx: CheckContext, path: string, what: string): void {
  if (!ctx.config.cluster.keda)
    conflict(ctx, [path], `${what} is scaled by KEDA, but cluster.keda is false`, `set cluster.keda true or remove ${path}`);
}

function needsServiceMonitor(ctx: CheckContext, path: string): void {
  const scrape = ctx.config.monitoring.scrape;
  if (scrape === "service-monitor") return;
  conflict(
    ctx,
    [path],
    `${path} is scraped through a ServiceMonitor, but monitoring.scrape is "${scrape}"`,
    `use monitoring.scrape "service-monitor" (Prometheus Operator) or remove ${path}`,
    "METRIC_NOT_SCRAPED",
  );
}

function checkQueueWorkerSettings(ctx: CheckContext, scaled: ScaledWorkloads): void {
  const c = ctx.config;
  c.queueWorkers?.forEach((w, i) => {
    const path = ["queueWorkers", i];
    claimWorkload(ctx, scaled, w.name, path, w.minReplicas, w.maxReplicas);
    checkCooldownAfterPolling(ctx, path, w);
    if (w.activationValue >= w.targetPerReplica) {
      conflict(
        ctx,
        [...path, "activationValue"],
        `activationValue ${w.activationValue} must be below targetPerReplica ${w.targetPerReplica}`,
        "lower the activation value",
      );
    }
    if ("CELERY_BROKER_URL" in w.env) {
      conflict(
        ctx,
        [...path, "env", "CELERY_BROKER_URL"],
        "the broker URL is a credential and comes from the connection Secret",
        "remove it from env and set it with pulumi config set --secret rabbitmqConnection",
        "PLAINTEXT_CREDENTIAL",
      );
    }
  });
  if (c.queueWorkers?.length) needsKeda(ctx, "queueWorkers", "a queue worker");
}

function checkOrchestratorSettings(ctx: CheckContext, scaled: ScaledWorkloads): void {
  const c = ctx.config;
  if (c.orchestrator) {
    const o = c.orchestrator;
    claimWorkload(ctx, scaled, o.name, ["orchestrator"], o.minReplicas, o.maxReplicas);
    checkCooldownAfterPolling(ctx, ["orchestrator"], o);
    if (o.activation >= o.inFlightPerReplica)
      conflict(
        ctx,
        ["orchestrator", "activation"],
        `activation ${o.activation} must be below inFlightPerReplica ${o.inFlightPerReplica}`,
        "lower the activation value",
      );
    if (o.port === o.metricsPort)
      conflict(
        ctx,
        ["orchestrator", "metricsPort"],
        `metricsPort ${o.metricsPort} equals the API port`,
        "use a separate port (default 9090)",
      );
    needsKeda(ctx, "orchestrator", "the orchestrator");
    needsServiceMonitor(ctx, "orchestrator");
  }
}

function checkGpuSettings(ctx: CheckContext, scaled: ScaledWorkloads): void {
  const c = ctx.config;
  if (c.gpu) {
    const g = c.gpu;
    claimWorkload(ctx, scaled, g.name, ["gpu"], g.minReplicas, g.maxReplicas);
    if (g.activationWaiting >= g.waitingPerReplica)
      conflict(
        ctx,
        ["gpu", "activationWaiting"],
        `activationWaiting ${g.activationWaiting} must be below waitingPerReplica ${g.waitingPerReplica}`,
        "lower the activation value",
      );
    if (g.cooldownSeconds !== undefined && g.cooldownSeconds < g.modelLoadSeconds) {
      conflict(
        ctx,
        ["gpu", "cooldownSeconds"],
        `cooldownSeconds ${g.cooldownSeconds} is shorter than modelLoadSeconds ${g.modelLoadSeconds}: a replica would be removed sooner than one takes to start`,
        `set cooldownSeconds ≥ ${g.modelLoadSeconds}`,
      );
    }
    if (g.minReplicas <= g.maxReplicas)
      checkFallbackWithinBounds(ctx, ["gpu", "fallbackReplicas"], "fallbackReplicas", g.fallbackReplicas, g.minReplicas, g.maxReplicas);
    needsKeda(ctx, "gpu", "the GPU service");
    needsServiceMonitor(ctx, "gpu");
  }
}

/** Pre-scaling windows: unique per target, a target that is scaled, replicas that raise its minimum and stay within its maximum. */
function checkPrescalingWindows(ctx: CheckContext, scaled: ScaledWorkloads): void {
  const c = ctx.config;
  const windowNames = new Set<string>();
  c.prescaling?.forEach((w, i) => {
    const target = scaled.get(w.target);
    const key = `${w.target}/${w.name}`;
    if (windowNames.has(key))
      conflict(ctx, ["prescaling", i, "name"], `window "${w.name}" is defined twice for ${w.target}`, "give each window its own name");
    windowNames.add(key);
    if (!target) {
      const known = [...scaled.keys()];
      conflict(
        ctx,
        ["prescaling", i, "target"],
        `"${w.target}" is not a workload pre-scaling can target`,
        `target ${known.length ? `one of ${known.join(", ")}` : "an orchestrator, queue worker or GPU service (none is configured)"}`,
      );
      return;
    }
    if (w.replicas > target.max)
      conflict(
        ctx,
        ["prescaling", i, "replicas"],
        `replicas ${w.replicas} exceed ${w.target}'s maxReplicas ${target.max}`,
        "lower replicas or raise maxReplicas",
      );
    else if (w.replicas <= target.min) {
      conflict(
        ctx,
        ["prescaling", i, "replicas"],
        `replicas ${w.replicas} do not raise ${w.target}'s minReplicas ${target.min}: the window would do nothing`,
        `ask for more than ${target.min}`,
      );
    }
    if (w.start === w.end)
      conflict(ctx, ["prescaling", i, "end"], `start and end are both ${w.start}: the window has no length`, "give different times");
  });
}

export function checkConfigExtras(ctx: CheckContext): void {
  const c = ctx.config;
  // The inference service takes pre-scaling windows (applied as cron triggers when KEDA scales it;
  // the HPA modes have no schedule, and the checks warn that the windows are not applied there).
  const scaled: ScaledWorkloads = new Map([[c.service.name, { min: c.scaling.minReplicas, max: c.scaling.maxReplicas }]]);
  checkQueueWorkerSettings(ctx, scaled);
  checkOrchestratorSettings(ctx, scaled);
  checkGpuSettings(ctx, scaled);
  checkPrescalingWindows(ctx, scaled);
}

/** The burst trigger and the wake-up signal against the mode and the concurrency trigger; network policies against the cluster. */
export function checkConfigBurstWakeUpPolicy(ctx: CheckContext): void {
  const c = ctx.config;
  const { scaling, networkPolicy: np } = c;
  if (scaling.burst.enabled) {
    if (scaling.mode === "cpu-hpa")
      conflict(
        ctx,
        ["scaling", "burst", "enabled"],
        "the burst trigger reads in-flight requests, which mode cpu-hpa does not scale on",
        "use mode keda or slo-hpa, or turn burst off",
      );
    if (!scaling.concurrency.enabled)
      conflict(
        ctx,
        ["scaling", "burst", "enabled"],
        "the burst trigger is 2× the concurrency target, but scaling.concurrency.enabled is false",
        "enable scaling.concurrency or turn burst off",
      );
    // The window against the scrape interval is a rate-window rule: stacks/checks/windows.ts.
    const window = burstWindowSeconds(c);
    const up = scaling.behavior.scaleUp.stabilizationWindowSeconds;
    if (up > window) {
      conflict(
        ctx,
        ["scaling", "behavior", "scaleUp", "stabilizationWindowSeconds"],
        `scale-up stabilization ${up}s is longer than the burst window ${window}s: the HPA takes the lowest recommendation of the last ${up}s, so a burst is acted on only once it has lasted that long`,
        `set scaling.behavior.scaleUp.stabilizationWindowSeconds ≤ ${window} (the scale-down window keeps it from flapping)`,
      );
    }
  }
  const wakeUp = scaling.wakeUp;
  if (wakeUp) {
    if (scaling.mode !== "keda")
      conflict(
        ctx,
        ["scaling", "wakeUp"],
        `a wake-up trigger is a KEDA trigger, but scaling.mode is "${scaling.mode}"`,
        "use mode keda or remove scaling.wakeUp",
      );
    const m = wakeUp.metric;
    if (m.type === "histogram")
      conflict(
        ctx,
        ["scaling", "wakeUp", "metric", "type"],
        "a wake-up signal is a counter (requests) or a gauge (backlog), not a histogram",
        "declare the gateway's request counter",
      );
    for (const label of Object.keys(wakeUp.matchers)) {
      if (m.labels.includes(label)) continue;
      conflict(
        ctx,
        ["scaling", "wakeUp", "matchers", label],
        `label "${label}" is not declared on ${m.name} (labels: ${m.labels.join(", ") || "none"})`,
        "add it to scaling.wakeUp.metric.labels or match on a declared label",
        "QUERY_LABEL_MISMATCH",
      );
    }
    if (wakeUp.activation >= wakeUp.threshold)
      conflict(
        ctx,
        ["scaling", "wakeUp", "activation"],
        `activation ${wakeUp.activation} must be below threshold ${wakeUp.threshold}`,
        "lower the activation value",
      );
  }
  if (!np.enabled && c.cluster.kind !== "local") {
    conflict(
      ctx,
      ["networkPolicy", "enabled"],
      `network policies may be off only on a local cluster, and cluster.kind is "${c.cluster.kind}"`,
      "remove networkPolicy.enabled (policies on) or set cluster.kind local for a laptop cluster",
    );
  }
  if (np.enabled && np.egress && c.queueWorkers?.length && !np.rabbitmq) {
    conflict(
      ctx,
      ["networkPolicy", "rabbitmq"],
      "egress is denied but the queue workers' broker is not declared: they could not reach RabbitMQ",
      "set networkPolicy.rabbitmq { namespace, podLabels, port } or turn networkPolicy.egress off",
      "CONFIG_MISSING",
    );
  }
}
