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
export const DEFAULT_METRICS: readonly MetricSpec[] = Object.freeze([
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
    cpuInitializationPeriodSeconds:
      c.cpuInitializationPeriodSeconds ?? DEFAULT_CONTROLLER_CONFIG.cpuInitializationPeriodSeconds,
    initialReadinessDelaySeconds: c.initialReadinessDelaySeconds ?? DEFAULT_CONTROLLER_CONFIG.initialReadinessDelaySeconds,
    metricWindowSeconds: c.metricWindowSeconds ?? DEFAULT_CONTROLLER_CONFIG.metricWindowSeconds,
  };
}

export function effectiveMetrics(c: HpaCase): readonly MetricSpec[] {
  const m = c.spec.metrics;
  return m == null || m.length === 0 ? DEFAULT_METRICS : m;
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

export function hpaReconcile(c: HpaCase): HpaReconcileResult {
  const spec = c.spec;
  const controller = resolveControllerConfig(c.controller);
  const currentReplicas = c.currentReplicas;
  const statusReplicas = c.statusReplicas ?? currentReplicas;
  const minReplicas = spec.minReplicas ?? 1;
  const maxReplicas = spec.maxReplicas;
  const behavior = spec.behavior ?? null;
  const history = c.history ?? null;

  // recordInitialRecommendation
  let recommendations: readonly TimestampedRecommendation[];
  let initialRecommendation: number | null = null;
  if (history?.recommendations == null) {
    initialRecommendation = currentReplicas;
    // recorded earlier in this same reconcile: its timestamp is (infinitesimally) before every later
    // time.Now() cutoff, e.g. it is outside a 0-second window
    recommendations = [{ secondsAgo: Number.MIN_VALUE, replicas: currentReplicas }];
  } else {
    recommendations = history.recommendations;
  }
  const scaleUpEvents: readonly TimestampedScaleEvent[] = history?.scaleUpEvents ?? EMPTY;
  const scaleDownEvents: readonly TimestampedScaleEvent[] = history?.scaleDownEvents ?? EMPTY;

  const result: HpaReconcileResult = {
    desiredReplicas: currentReplicas,
    reason: "",
    outcome: "Normalized",
    limitReason: null,
    metricDesiredReplicas: null,
    metrics: [],
    record: { initialRecommendation, recommendation: null, scaleUpEvent: null, scaleDownEvent: null },
  };

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
    // computeReplicasForMetrics
    const metrics = effectiveMetrics(c);
    const ctx: MetricContext = {
      specReplicas: currentReplicas,
      statusReplicas,
      tolerances: tolerancesForHpa(behavior, controller.tolerance),
      controller,
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
    const summary = metricsSummary(result.metrics, chosen);
    if (invalid >= metrics.length || (invalid > 0 && replicas < currentReplicas)) {
      // FailedComputeMetricsReplicas: no scaling this cycle, nothing recorded
      result.outcome = "FailedComputeMetricsReplicas";
      result.desiredReplicas = currentReplicas;
      result.reason =
        invalid >= metrics.length
          ? `FailedGetMetrics: all ${metrics.length} metric(s) invalid, first error: ${firstError}; no scaling, keeping ${currentReplicas}`
          : `FailedGetMetrics: ${invalid} of ${metrics.length} metrics invalid and the highest valid proposal ${replicas} is below current ${currentReplicas} (scale-down blocked while a metric is broken); no scaling, keeping ${currentReplicas} [${summary}]`;
      return result;
    }
    result.metricDesiredReplicas = replicas;
    const prenormalized = replicas > 0 ? replicas : 0;

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
        scaleUpEvents,
        scaleDownEvents,
        resolved,
      );
      path = "behavior";
    }
    desired = n.desired;
    result.record.recommendation = prenormalized;
    result.limitReason = n.limitReason;
    const partial = invalid > 0 ? ` (${invalid} of ${metrics.length} metrics invalid, first error: ${firstError}; scale-up still allowed)` : "";
    const normText = n.text === "" ? `${n.limitReason} (${path})` : `${n.text} (${path})`;
    result.reason = `${summary}${partial}; ${normText}; desired ${desired}`;
  }

  result.desiredReplicas = desired;
  if (desired !== currentReplicas) {
    result.reason += desired > currentReplicas ? ` (scale up from ${currentReplicas})` : ` (scale down from ${currentReplicas})`;
    if (behavior != null) {
      if (desired > currentReplicas) result.record.scaleUpEvent = desired - currentReplicas;
      else result.record.scaleDownEvent = currentReplicas - desired;
    }
  } else {
    result.reason += " (no change)";
  }
  return result;
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
        if (a <= keepSeconds) out.push(x.outdated ? { secondsAgo: a, change: x.change, outdated: true } : { secondsAgo: a, change: x.change });
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
