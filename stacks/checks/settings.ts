/**
 * Cross-field rules of the inference service's own settings (`service`, `scaling`, `monitoring`,
 * `cluster`): two fields that are each valid but contradict each other. Single-field rules
 * (formats, ranges, enums) live in the zod schema (stacks/config.ts); these read the parsed config
 * and run in the config phase, before any construct, so synth, check, simulate and Pulumi report
 * them alike. Codes: CONFIG_CONFLICT, or the code of the check a rule belongs to (a ServiceMonitor
 * without the operator is METRIC_NOT_SCRAPED).
 */
import { parseQuantity } from "../../kube/quantity.js";
import { MAX_SCALED_OBJECT_NAME } from "../../constructs/keda-scaled-object.js";
import { KEDA_HPA_PREFIX } from "../../scaling/autoscaler-common.js";
import type { ProblemCode } from "../../problems/codes.js";
import type { CheckContext } from "./context.js";
import type { PathSegment } from "./types.js";

/** A cross-field conflict of the config at `path` (CONFIG_CONFLICT unless the rule belongs to a check's code). */
export function conflict(
  ctx: CheckContext,
  path: readonly PathSegment[],
  message: string,
  fix: string,
  code: ProblemCode = "CONFIG_CONFLICT",
): void {
  ctx.sink.error(code, ctx.configResource, path, message, fix);
}

/**
 * A workload KEDA scales is named like its ScaledObject, whose HPA KEDA names `keda-hpa-<name>`:
 * a name that leaves no room for the prefix is refused here, at the config field, not by the construct.
 */
export function checkScaledObjectName(ctx: CheckContext, path: readonly PathSegment[], name: string): void {
  if (name.length <= MAX_SCALED_OBJECT_NAME) return;
  conflict(
    ctx,
    path,
    `the name is ${name.length} characters; KEDA scales the workload through an HPA named ${KEDA_HPA_PREFIX}<name>, which must fit 63, so at most ${MAX_SCALED_OBJECT_NAME} fit`,
    `shorten it to ${MAX_SCALED_OBJECT_NAME} characters or fewer`,
    "CONFIG_RANGE",
  );
}

/** KEDA's cooldownPeriod shorter than its pollingInterval: scale-to-zero would act on a gap between two polls. */
export function checkCooldownAfterPolling(
  ctx: CheckContext,
  path: readonly PathSegment[],
  k: { pollingInterval: number; cooldownPeriod: number },
): void {
  if (k.cooldownPeriod >= k.pollingInterval) return;
  conflict(
    ctx,
    [...path, "cooldownPeriod"],
    `cooldownPeriod ${k.cooldownPeriod} s is shorter than pollingInterval ${k.pollingInterval} s: KEDA sees activity only once per poll, so it would deactivate (scale to zero) between two polls that both saw load`,
    `set cooldownPeriod ≥ ${k.pollingInterval} (default 300)`,
  );
}

/** Fallback replicas outside the bounds: the HPA clamps them, so the fallback would not hold what it says. */
export function checkFallbackWithinBounds(
  ctx: CheckContext,
  path: readonly PathSegment[],
  name: string,
  replicas: number | undefined,
  min: number,
  max: number,
): void {
  if (replicas === undefined || (replicas >= min && replicas <= max)) return;
  conflict(
    ctx,
    path,
    `${name} ${replicas} is outside minReplicas ${min} … maxReplicas ${max} (the HPA would clamp it)`,
    "hold a count between the bounds",
  );
}

/** Replica bounds and the autoscaler the mode needs: min ≤ max, no HPA at 0, KEDA's idle/fallback counts, KEDA in the cluster. */
export function checkConfigReplicas(ctx: CheckContext): void {
  const { scaling, cluster } = ctx.config;
  const { minReplicas: min, maxReplicas: max } = scaling;
  if (min > max)
    conflict(
      ctx,
      ["scaling", "minReplicas"],
      `minReplicas ${min} is greater than maxReplicas ${max}`,
      "lower minReplicas or raise maxReplicas",
    );
  if (scaling.mode !== "keda" && min < 1)
    conflict(ctx, ["scaling", "minReplicas"], `an HPA cannot scale to 0 (minReplicas ${min})`, "set minReplicas ≥ 1 or use mode keda");
  const k = scaling.keda;
  if (k.idleReplicaCount !== undefined && k.idleReplicaCount >= min) {
    conflict(
      ctx,
      ["scaling", "keda", "idleReplicaCount"],
      `idleReplicaCount ${k.idleReplicaCount} must be below minReplicas ${min} (KEDA rule)`,
      "lower it or remove it",
    );
  }
  if (min <= max)
    checkFallbackWithinBounds(ctx, ["scaling", "keda", "fallback", "replicas"], "fallback replicas", k.fallback.replicas, min, max);
  if (scaling.mode === "keda" && !cluster.keda) {
    conflict(
      ctx,
      ["scaling", "mode"],
      `mode "keda" needs KEDA in the cluster, but cluster.keda is false`,
      "set cluster.keda true or pick an HPA mode",
    );
  }
}

/** KEDA trigger settings of mode keda: the cooldown against the polling interval, each activation below its threshold. */
export function checkConfigKedaTriggers(ctx: CheckContext): void {
  const { scaling } = ctx.config;
  const k = scaling.keda;
  if (scaling.mode === "keda") {
    checkCooldownAfterPolling(ctx, ["scaling", "keda"], k);
    checkScaledObjectName(ctx, ["service", "name"], ctx.config.service.name);
  }
  for (const key of ["p95Latency", "queueLength"] as const) {
    if (k[key].activation >= k[key].threshold) {
      conflict(
        ctx,
        ["scaling", "keda", key, "activation"],
        `activation ${k[key].activation} must be below threshold ${k[key].threshold}`,
        "lower the activation value",
      );
    }
  }
}

/** The service's pod: requests within limits, a metrics port of its own, a preStop sleep shorter than the grace period. */
export function checkConfigServicePod(ctx: CheckContext): void {
  const { service } = ctx.config;
  const { requests, limits } = service.resources;
  for (const r of ["cpu", "memory"] as const) {
    const limit = limits?.[r];
    if (limit !== undefined && parseQuantity(requests[r]) > parseQuantity(limit)) {
      conflict(
        ctx,
        ["service", "resources", "requests", r],
        `request ${requests[r]} is above the limit ${limit}`,
        "lower the request or raise the limit",
      );
    }
  }
  if (service.metrics.port === service.port) {
    conflict(
      ctx,
      ["service", "metrics", "port"],
      `metrics port ${service.metrics.port} equals the API port`,
      "use a separate port (default 9090)",
    );
  }
  if (service.preStopSleepSeconds >= service.terminationGracePeriodSeconds) {
    conflict(
      ctx,
      ["service", "preStopSleepSeconds"],
      `preStop sleep ${service.preStopSleepSeconds}s leaves no time to drain within terminationGracePeriodSeconds ${service.terminationGracePeriodSeconds}`,
      "make the sleep shorter than the grace period",
    );
  }
}

/** The metric contract: each metric declared once, histograms with strictly ascending buckets. */
export function checkConfigMetricContract(ctx: CheckContext): void {
  const metrics = ctx.config.service.metrics.metrics;
  const names = metrics.map((m) => m.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) conflict(ctx, ["service", "metrics", "metrics"], `metric "${dup}" is declared twice`, "keep one declaration");
  metrics.forEach((m, i) => {
    const path = ["service", "metrics", "metrics", i, "buckets"];
    if (m.type === "histogram" && (!m.buckets || m.buckets.length === 0))
      conflict(ctx, path, `histogram "${m.name}" needs buckets`, "list its bucket boundaries");
    if (m.buckets && m.buckets.some((b, j) => j > 0 && b <= m.buckets![j - 1]!)) {
      conflict(ctx, path, `buckets of "${m.name}" must be strictly ascending`, "list each bucket boundary once, smallest first");
    }
  });
}

/** A ServiceMonitor scrape needs the Prometheus Operator's CRDs: without them nothing scrapes the service. */
export function checkConfigScrapeMode(ctx: CheckContext): void {
  const { monitoring, cluster } = ctx.config;
  if (monitoring.scrape !== "service-monitor" || cluster.prometheusOperator) return;
  conflict(
    ctx,
    ["monitoring", "scrape"],
    `scrape "service-monitor" needs the Prometheus Operator, but cluster.prometheusOperator is false`,
    `use "pod-annotations" or enable the operator`,
    "METRIC_NOT_SCRAPED",
  );
}
