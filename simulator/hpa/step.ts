/**
 * One reconcile of the HorizontalPodAutoscaler controller (horizontal.go reconcileAutoscaler +
 * computeReplicasForMetrics), as a pure function of a case. No I/O.
 *
 *   hpaStep(case)      -> { desiredReplicas, reason }
 *   hpaReconcile(case) -> the same plus per-metric evaluations and what the controller would record
 *   recordReconcile / ageHistory -> helpers to carry the controller's memory between simulated syncs
 */

import {
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
 * The history after this reconcile, with the recorded entries at secondsAgo 0 (returns new arrays;
 * the input is not modified).
 */
export function recordReconcile(history: HpaHistory | null | undefined, r: HpaReconcileResult): HpaHistory {
  const recs = history?.recommendations ? history.recommendations.slice() : [];
  if (r.record.initialRecommendation !== null) recs.push({ secondsAgo: 0, replicas: r.record.initialRecommendation });
  if (r.record.recommendation !== null) recs.push({ secondsAgo: 0, replicas: r.record.recommendation });
  const up = history?.scaleUpEvents ? history.scaleUpEvents.slice() : [];
  if (r.record.scaleUpEvent !== null) up.push({ secondsAgo: 0, change: r.record.scaleUpEvent });
  const down = history?.scaleDownEvents ? history.scaleDownEvents.slice() : [];
  if (r.record.scaleDownEvent !== null) down.push({ secondsAgo: 0, change: r.record.scaleDownEvent });
  return { recommendations: recs, scaleUpEvents: up, scaleDownEvents: down };
}

/**
 * Advance time: every entry gets `seconds` older; entries older than keepSeconds are dropped (the
 * controller reuses their slots instead; entries that old never count again as long as keepSeconds is
 * at least the longest stabilization window / policy period in use - 3600 and 1800 are the API maxima).
 * A non-null recommendations list stays non-null (an empty list is not "no entry").
 */
export function ageHistory(history: HpaHistory | null | undefined, seconds: number, keepSeconds = 3600): HpaHistory {
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
        if (a <= keepSeconds) out.push({ secondsAgo: a, change: x.change });
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
