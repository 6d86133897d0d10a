/**
 * One reconcile of the HorizontalPodAutoscaler controller (horizontal.go reconcileAutoscaler +
 * computeReplicasForMetrics), as a pure function of a case. No I/O.
 *
 *   hpaStep(case)      -> { desiredReplicas, reason }
 *   hpaReconcile(case) -> the same plus per-metric evaluations and what the controller would record
 *   recordReconcile / ageHistory -> helpers to carry the controller's memory between simulated syncs
 */

import {
  longestPeriod,
  normalizeDesiredReplicas,
  normalizeDesiredReplicasWithBehaviors,
  resolveBehavior,
  tolerancesForHpa,
  type Normalization,
} from "./behavior.js";
import { computeReplicasForMetric, HpaCaseError, type MetricContext } from "./replica-calculator.js";
import {
  DEFAULT_CONTROLLER_CONFIG,
  type ControllerConfig,
  type HpaCase,
  type HpaHistory,
  type HpaReconcileResult,
  type HpaStepResult,
  type MetricEvaluation,
  type MetricSpec,
  type ResolvedControllerConfig,
  type TimestampedRecommendation,
  type TimestampedScaleEvent,
} from "./types.js";

export { HpaCaseError };

/** autoscaling/v2 SetDefaults_HorizontalPodAutoscaler: no metrics -> CPU utilization 80%. */
export const DEFAULT_HPA_METRICS: readonly MetricSpec[] = Object.freeze([
  Object.freeze({
    type: "Resource",
    resource: Object.freeze({ name: "cpu", target: Object.freeze({ type: "Utilization", averageUtilization: 80 }) }),
  }) as MetricSpec,
]);

const EMPTY: readonly never[] = Object.freeze([]);

export function resolveControllerConfig(c: ControllerConfig | null | undefined): ResolvedControllerConfig {
  if (c == null) return DEFAULT_CONTROLLER_CONFIG;
  return {
    tolerance: c.tolerance ?? DEFAULT_CONTROLLER_CONFIG.tolerance,
    downscaleStabilizationSeconds: c.downscaleStabilizationSeconds ?? DEFAULT_CONTROLLER_CONFIG.downscaleStabilizationSeconds,
    cpuInitializationPeriodSeconds: c.cpuInitializationPeriodSeconds ?? DEFAULT_CONTROLLER_CONFIG.cpuInitializationPeriodSeconds,
    initialReadinessDelaySeconds: c.initialReadinessDelaySeconds ?? DEFAULT_CONTROLLER_CONFIG.initialReadinessDelaySeconds,
    metricWindowSeconds: c.metricWindowSeconds ?? DEFAULT_CONTROLLER_CONFIG.metricWindowSeconds,
  };
}

export function effectiveMetrics(c: HpaCase): readonly MetricSpec[] {
  const m = c.spec.metrics;
  return m == null || m.length === 0 ? DEFAULT_HPA_METRICS : m;
}

function metricsSummary(evals: readonly MetricEvaluation[], chosen: number): string {
  const parts: string[] = [];
  for (const e of evals) {
    if (e.error !== null) parts.push(`metric ${e.index} (${e.label}) invalid: ${e.error}`);
    else parts.push(`metric ${e.index} (${e.label}) proposes ${e.proposal} [${e.detail}]`);
  }
  let s = parts.join("; ");
  const valid = evals.filter((e) => e.error === null).length;
  if (valid > 1 && chosen >= 0) s += `; highest proposal ${evals[chosen]!.proposal} (metric ${chosen})`;
  return s;
}

/**
 * One reconcile: the controller's desired replica count and a readable reason naming the rule
 * that decided it. Assumes a case that passed validateCase() (throws HpaCaseError on the
 * structural problems it runs into).
 */
export function hpaStep(c: HpaCase): HpaStepResult {
  const r = hpaReconcile(c);
  return { desiredReplicas: r.desiredReplicas, reason: r.reason };
}

/** The case's fixed inputs, defaults applied. */
interface ReconcileInputs {
  readonly controller: ResolvedControllerConfig;
  readonly currentReplicas: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly behavior: HpaCase["spec"]["behavior"] | null;
  readonly recommendations: readonly TimestampedRecommendation[];
  readonly scaleUpEvents: readonly TimestampedScaleEvent[];
  readonly scaleDownEvents: readonly TimestampedScaleEvent[];
}

/** What computeReplicasForMetrics found over all metrics. */
interface MetricsOutcome {
  /** The highest valid proposal (0: none). */
  readonly replicas: number;
  /** Index of the metric that proposed it (-1: none). */
  readonly chosen: number;
  readonly invalid: number;
  readonly firstError: string;
  readonly count: number;
}

export function hpaReconcile(c: HpaCase): HpaReconcileResult {
  const spec = c.spec;
  const history = c.history ?? null;
  const currentReplicas = c.currentReplicas;
  // recordInitialRecommendation
  const initialRecommendation = history?.recommendations == null ? currentReplicas : null;
  const inputs: ReconcileInputs = {
    controller: resolveControllerConfig(c.controller),
    currentReplicas,
    minReplicas: spec.minReplicas ?? 1,
    maxReplicas: spec.maxReplicas,
    behavior: spec.behavior ?? null,
    // recorded earlier in this same reconcile: its timestamp is (infinitesimally) before every later
    // time.Now() cutoff, e.g. it is outside a 0-second window
    recommendations: history?.recommendations ?? [{ secondsAgo: Number.MIN_VALUE, replicas: currentReplicas }],
    scaleUpEvents: history?.scaleUpEvents ?? EMPTY,
    scaleDownEvents: history?.scaleDownEvents ?? EMPTY,
  };
  const result: HpaReconcileResult = {
    desiredReplicas: currentReplicas,
    reason: "",
    outcome: "Normalized",
    limitReason: null,
    metricDesiredReplicas: null,
    metrics: [],
    record: { initialRecommendation, recommendation: null, scaleUpEvent: null, scaleDownEvent: null },
  };
  const { minReplicas, maxReplicas } = inputs;
  let desired: number;
  if (currentReplicas === 0 && minReplicas !== 0) {
    result.outcome = "ScalingDisabled";
    result.desiredReplicas = 0;
    result.reason = `ScalingDisabled: scaling is disabled since the replica count of the target is zero (minReplicas ${minReplicas}); desired 0`;
    return result;
  } else if (currentReplicas > maxReplicas) {
    result.outcome = "AboveMaxReplicas";
    desired = maxReplicas;
    result.reason = `current replicas ${currentReplicas} above maxReplicas ${maxReplicas}: scaled to maxReplicas without evaluating metrics; desired ${desired}`;
  } else if (currentReplicas < minReplicas) {
    result.outcome = "BelowMinReplicas";
    desired = minReplicas;
    result.reason = `current replicas ${currentReplicas} below minReplicas ${minReplicas}: scaled to minReplicas without evaluating metrics; desired ${desired}`;
  } else {
    const outcome = computeReplicasForMetrics(c, inputs, result);
    const summary = metricsSummary(result.metrics, outcome.chosen);
    if (failedComputeMetricsReplicas(outcome, currentReplicas, summary, result)) return result;
    desired = normalize(inputs, outcome, summary, result);
  }
  finishReason(inputs, desired, result);
  return result;
}

/** computeReplicasForMetrics: each metric's proposal (appended to result.metrics), the highest valid one. */
function computeReplicasForMetrics(c: HpaCase, inputs: ReconcileInputs, result: HpaReconcileResult): MetricsOutcome {
  const metrics = effectiveMetrics(c);
  const ctx: MetricContext = {
    specReplicas: inputs.currentReplicas,
    statusReplicas: c.statusReplicas ?? inputs.currentReplicas,
    tolerances: tolerancesForHpa(inputs.behavior, inputs.controller.tolerance),
    controller: inputs.controller,
    sharedPods: c.pods ?? null,
  };
  let replicas = 0;
  let chosen = -1;
  let invalid = 0;
  let firstError = "";
  if (!Array.isArray(c.observations) || c.observations.length !== metrics.length) {
    throw new HpaCaseError(
      `observations must have one entry per metric (${metrics.length} metric(s), got ${Array.isArray(c.observations) ? c.observations.length : "none"})`,
    );
  }
  for (let i = 0; i < metrics.length; i++) {
    const ev = computeReplicasForMetric(i, metrics[i]!, c.observations[i]!, ctx);
    result.metrics.push(ev);
    if (ev.error !== null) {
      if (invalid === 0) firstError = `metric ${i} (${ev.label}): ${ev.error}`;
      invalid++;
      continue;
    }
    const proposal = ev.proposal!;
    if (replicas === 0 || proposal > replicas) {
      replicas = proposal;
      chosen = i;
    }
  }
  return { replicas, chosen, invalid, firstError, count: metrics.length };
}

/**
 * FailedComputeMetricsReplicas: every metric invalid, or some invalid and the valid ones ask for
 * fewer pods — no scaling this cycle, nothing recorded. Fills `result` and returns true then.
 */
function failedComputeMetricsReplicas(o: MetricsOutcome, currentReplicas: number, summary: string, result: HpaReconcileResult): boolean {
  if (!(o.invalid >= o.count || (o.invalid > 0 && o.replicas < currentReplicas))) return false;
  result.outcome = "FailedComputeMetricsReplicas";
  result.desiredReplicas = currentReplicas;
  result.reason =
    o.invalid >= o.count
      ? `FailedGetMetrics: all ${o.count} metric(s) invalid, first error: ${o.firstError}; no scaling, keeping ${currentReplicas}`
      : `FailedGetMetrics: ${o.invalid} of ${o.count} metrics invalid and the highest valid proposal ${o.replicas} is below current ${currentReplicas} (scale-down blocked while a metric is broken); no scaling, keeping ${currentReplicas} [${summary}]`;
  return true;
}

/** normalizeDesiredReplicas (no behavior) or normalizeDesiredReplicasWithBehaviors; returns the desired count. */
function normalize(inputs: ReconcileInputs, o: MetricsOutcome, summary: string, result: HpaReconcileResult): number {
  const { currentReplicas, minReplicas, maxReplicas, behavior, controller, recommendations } = inputs;
  result.metricDesiredReplicas = o.replicas;
  const prenormalized = o.replicas > 0 ? o.replicas : 0;
  let n: Normalization;
  let path: string;
  if (behavior == null) {
    n = normalizeDesiredReplicas(
      currentReplicas,
      prenormalized,
      minReplicas,
      maxReplicas,
      recommendations,
      controller.downscaleStabilizationSeconds,
    );
    path = "no behavior";
  } else {
    const resolved = resolveBehavior(behavior, controller);
    n = normalizeDesiredReplicasWithBehaviors(
      currentReplicas,
      prenormalized,
      minReplicas,
      maxReplicas,
      recommendations,
      inputs.scaleUpEvents,
      inputs.scaleDownEvents,
      resolved,
    );
    path = "behavior";
  }
  result.record.recommendation = prenormalized;
  result.limitReason = n.limitReason;
  const partial =
    o.invalid > 0 ? ` (${o.invalid} of ${o.count} metrics invalid, first error: ${o.firstError}; scale-up still allowed)` : "";
  const normText = n.text === "" ? `${n.limitReason} (${path})` : `${n.text} (${path})`;
  result.reason = `${summary}${partial}; ${normText}; desired ${n.desired}`;
  return n.desired;
}

/** Sets the desired count, says whether it scales, and records the scale event (with a behavior). */
function finishReason(inputs: ReconcileInputs, desired: number, result: HpaReconcileResult): void {
  const { currentReplicas, behavior } = inputs;
  result.desiredReplicas = desired;
  if (desired === currentReplicas) {
    result.reason += " (no change)";
    return;
  }
  result.reason += desired > currentReplicas ? ` (scale up from ${currentReplicas})` : ` (scale down from ${currentReplicas})`;
  if (behavior != null) {
    if (desired > currentReplicas) result.record.scaleUpEvent = desired - currentReplicas;
    else result.record.scaleDownEvent = currentReplicas - desired;
  }
}

// ------------------------------------------------------------------ controller memory helpers

/**
 * Stores `value` (secondsAgo 0) as horizontal.go does (v1.34.4): the last entry `isOld` accepts is
 * overwritten, otherwise the entry is appended. Returns a new array.
 */
function storeOverwritingOld<T extends { secondsAgo: number }>(list: readonly T[], entry: T, isOld: (e: T) => boolean): T[] {
  const out = list.slice();
  let old = -1;
  for (let i = 0; i < out.length; i++) if (isOld(out[i]!)) old = i;
  if (old >= 0) out[old] = entry;
  else out.push(entry);
  return out;
}

/**
 * The controller's memory after this reconcile (returns new arrays; the input is not modified),
 * stored as kubernetes v1.34.4 pkg/controller/podautoscaler/horizontal.go does:
 *  - recordInitialRecommendation appends {currentReplicas, now} to an absent list;
 *  - stabilizeRecommendation (no behavior) overwrites the last recommendation older than the
 *    downscale stabilization window (timestamp.Before(now − window) ⟺ secondsAgo > window),
 *    stabilizeRecommendationWithBehaviors the last one older than both the scaleUp and scaleDown
 *    windows; otherwise it appends;
 *  - storeScaleEvent marks the direction's events older than its longest policy period outdated
 *    (markScaleEventsOutdated; the mark persists) and overwrites the last outdated one, otherwise
 *    appends.
 * Nothing is ever dropped, so the lists stay as long as the controller's.
 */
export function recordReconcile(history: HpaHistory | null | undefined, r: HpaReconcileResult, c: HpaCase): HpaHistory {
  const controller = resolveControllerConfig(c.controller);
  const behavior = c.spec.behavior == null ? null : resolveBehavior(c.spec.behavior, controller);
  let recs: TimestampedRecommendation[] = history?.recommendations ? history.recommendations.slice() : [];
  if (r.record.initialRecommendation !== null) recs.push({ secondsAgo: 0, replicas: r.record.initialRecommendation });
  if (r.record.recommendation !== null) {
    const isOld =
      behavior === null
        ? (e: TimestampedRecommendation) => e.secondsAgo > controller.downscaleStabilizationSeconds
        : (e: TimestampedRecommendation) =>
            e.secondsAgo > behavior.scaleUp.stabilizationWindowSeconds && e.secondsAgo > behavior.scaleDown.stabilizationWindowSeconds;
    recs = storeOverwritingOld(recs, { secondsAgo: 0, replicas: r.record.recommendation }, isOld);
  }
  const store = (events: readonly TimestampedScaleEvent[] | null | undefined, change: number | null, longest: number) => {
    const list = (events ?? []).map((e) => (e.outdated || e.secondsAgo > longest ? { ...e, outdated: true } : { ...e }));
    if (change === null) return events ? events.slice() : [];
    return storeOverwritingOld(list, { secondsAgo: 0, change }, (e) => e.outdated === true);
  };
  const up = store(history?.scaleUpEvents, r.record.scaleUpEvent, behavior ? longestPeriod(behavior.scaleUp) : 0);
  const down = store(history?.scaleDownEvents, r.record.scaleDownEvent, behavior ? longestPeriod(behavior.scaleDown) : 0);
  return { recommendations: recs, scaleUpEvents: up, scaleDownEvents: down };
}

/**
 * Advance time: every entry gets `seconds` older. The controller never drops entries (it
 * overwrites outdated ones, see {@link recordReconcile}); `keepSeconds` drops entries older than
 * that, for callers that want to bound a list themselves. A non-null recommendations list stays
 * non-null (an empty list is not "no entry").
 */
export function ageHistory(history: HpaHistory | null | undefined, seconds: number, keepSeconds = Infinity): HpaHistory {
  const recs = history?.recommendations;
  const ageRecs = (xs: readonly TimestampedRecommendation[]) => {
    const out: TimestampedRecommendation[] = [];
    for (const x of xs) {
      const a = x.secondsAgo + seconds;
      if (a <= keepSeconds) out.push({ secondsAgo: a, replicas: x.replicas });
    }
    return out;
  };
  const ageEvents = (xs: readonly TimestampedScaleEvent[] | null | undefined) => {
    const out: TimestampedScaleEvent[] = [];
    if (xs) {
      for (const x of xs) {
        const a = x.secondsAgo + seconds;
        if (a <= keepSeconds)
          out.push(x.outdated ? { secondsAgo: a, change: x.change, outdated: true } : { secondsAgo: a, change: x.change });
      }
    }
    return out;
  };
  const out: HpaHistory = {
    scaleUpEvents: ageEvents(history?.scaleUpEvents),
    scaleDownEvents: ageEvents(history?.scaleDownEvents),
  };
  if (recs != null) out.recommendations = ageRecs(recs);
  return out;
}
