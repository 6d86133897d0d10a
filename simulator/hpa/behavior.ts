/**
 * Tolerances, autoscaling/v2 behavior defaulting, and the two normalization paths of
 * pkg/controller/podautoscaler/horizontal.go:
 *   - normalizeDesiredReplicas               (spec.behavior == nil)
 *   - normalizeDesiredReplicasWithBehaviors  (spec.behavior != nil)
 *
 * Time is expressed as "seconds ago" relative to the reconcile (now). A controller timestamp ts
 * compares with a cutoff now - W as:
 *   ts.Before(cutoff) <=> secondsAgo > W        ts.After(cutoff) <=> secondsAgo < W
 */

import { parseResourceQuantity } from "./quantity.js";
import type {
  HorizontalPodAutoscalerBehavior,
  HPAScalingPolicy,
  HPAScalingRules,
  ResolvedControllerConfig,
  ScalingPolicySelect,
  TimestampedRecommendation,
  TimestampedScaleEvent,
} from "./types.js";

export const MAX_INT32 = 2147483647;
export const MIN_INT32 = -2147483648;

// ------------------------------------------------------------------ tolerances

export interface Tolerances {
  scaleDown: number;
  scaleUp: number;
}

/** Tolerances.isWithin: (1 - scaleDown) <= r <= (1 + scaleUp), inclusive on both ends. */
export function isWithin(t: Tolerances, usageRatio: number): boolean {
  return 1.0 - t.scaleDown <= usageRatio && usageRatio <= 1.0 + t.scaleUp;
}

/**
 * tolerancesForHpa: the --horizontal-pod-autoscaler-tolerance flag for both directions, overridden
 * per direction by spec.behavior.scaleUp/scaleDown.tolerance (HPAConfigurableTolerance, assumed enabled).
 */
export function tolerancesForHpa(behavior: HorizontalPodAutoscalerBehavior | null | undefined, flagTolerance: number): Tolerances {
  const t: Tolerances = { scaleDown: flagTolerance, scaleUp: flagTolerance };
  if (behavior == null) return t;
  const down = behavior.scaleDown?.tolerance;
  if (down != null) t.scaleDown = parseResourceQuantity(down).approx;
  const up = behavior.scaleUp?.tolerance;
  if (up != null) t.scaleUp = parseResourceQuantity(up).approx;
  return t;
}

// ------------------------------------------------------------------ behavior defaults

export interface ResolvedScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: ScalingPolicySelect;
  policies: readonly HPAScalingPolicy[];
}

export interface ResolvedBehavior {
  scaleUp: ResolvedScalingRules;
  scaleDown: ResolvedScalingRules;
}

/** autoscaling/v2 defaults: scaleUp policies [{Pods 4 / 15s}, {Percent 100 / 15s}] */
export const DEFAULT_SCALE_UP_POLICIES: readonly HPAScalingPolicy[] = Object.freeze([
  Object.freeze({ type: "Pods", value: 4, periodSeconds: 15 }) as HPAScalingPolicy,
  Object.freeze({ type: "Percent", value: 100, periodSeconds: 15 }) as HPAScalingPolicy,
]);
/** autoscaling/v2 defaults: scaleDown policies [{Percent 100 / 15s}] */
export const DEFAULT_SCALE_DOWN_POLICIES: readonly HPAScalingPolicy[] = Object.freeze([
  Object.freeze({ type: "Percent", value: 100, periodSeconds: 15 }) as HPAScalingPolicy,
]);

/**
 * SetDefaults_HorizontalPodAutoscalerBehavior (GenerateHPAScaleUpRules / GenerateHPAScaleDownRules:
 * copy every non-nil field over the defaults) followed by the controller's
 * maybeInitScaleDownStabilizationWindow (scaleDown window nil -> the downscale-stabilization flag).
 */
export function resolveBehavior(behavior: HorizontalPodAutoscalerBehavior, controller: ResolvedControllerConfig): ResolvedBehavior {
  return {
    scaleUp: resolveRules(behavior.scaleUp, 0, DEFAULT_SCALE_UP_POLICIES),
    scaleDown: resolveRules(behavior.scaleDown, controller.downscaleStabilizationSeconds, DEFAULT_SCALE_DOWN_POLICIES),
  };
}

function resolveRules(
  from: HPAScalingRules | null | undefined,
  defaultWindow: number,
  defaultPolicies: readonly HPAScalingPolicy[],
): ResolvedScalingRules {
  return {
    stabilizationWindowSeconds: from?.stabilizationWindowSeconds ?? defaultWindow,
    selectPolicy: from?.selectPolicy ?? "Max",
    // `if from.Policies != nil` : an explicit list (even empty) replaces the defaults
    policies: from?.policies ?? defaultPolicies,
  };
}

// ------------------------------------------------------------------ policies

/** getReplicasChangePerPeriod: sum of changes of events strictly younger than periodSeconds. */
export function getReplicasChangePerPeriod(periodSeconds: number, events: readonly TimestampedScaleEvent[]): number {
  let replicas = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.secondsAgo < periodSeconds) replicas += e.change;
  }
  return replicas;
}

/** The replica count a policy period started from: current minus what it added plus what it removed. */
function replicasAtPeriodStart(
  currentReplicas: number,
  periodSeconds: number,
  scaleUpEvents: readonly TimestampedScaleEvent[],
  scaleDownEvents: readonly TimestampedScaleEvent[],
): number {
  return (
    currentReplicas - getReplicasChangePerPeriod(periodSeconds, scaleUpEvents) + getReplicasChangePerPeriod(periodSeconds, scaleDownEvents)
  );
}

/** calculateScaleUpLimitWithScalingRules */
export function calculateScaleUpLimitWithScalingRules(
  currentReplicas: number,
  scaleUpEvents: readonly TimestampedScaleEvent[],
  scaleDownEvents: readonly TimestampedScaleEvent[],
  rules: ResolvedScalingRules,
): number {
  if (rules.selectPolicy === "Disabled") return currentReplicas;
  const useMin = rules.selectPolicy === "Min";
  let result = useMin ? MAX_INT32 : MIN_INT32;
  for (let i = 0; i < rules.policies.length; i++) {
    const p = rules.policies[i]!;
    const periodStartReplicas = replicasAtPeriodStart(currentReplicas, p.periodSeconds, scaleUpEvents, scaleDownEvents);
    let proposed = 0;
    if (p.type === "Pods") {
      proposed = periodStartReplicas + p.value;
    } else if (p.type === "Percent") {
      // rounded up so that a small replica count can still grow
      proposed = Math.ceil(periodStartReplicas * (1 + p.value / 100));
    }
    result = useMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors */
export function calculateScaleDownLimitWithBehaviors(
  currentReplicas: number,
  scaleUpEvents: readonly TimestampedScaleEvent[],
  scaleDownEvents: readonly TimestampedScaleEvent[],
  rules: ResolvedScalingRules,
): number {
  if (rules.selectPolicy === "Disabled") return currentReplicas;
  const useMin = rules.selectPolicy === "Min"; // "Min" = smallest change = highest floor
  let result = useMin ? MIN_INT32 : MAX_INT32;
  for (let i = 0; i < rules.policies.length; i++) {
    const p = rules.policies[i]!;
    const periodStartReplicas = replicasAtPeriodStart(currentReplicas, p.periodSeconds, scaleUpEvents, scaleDownEvents);
    let proposed = 0;
    if (p.type === "Pods") {
      proposed = periodStartReplicas - p.value;
    } else if (p.type === "Percent") {
      // int32(float64(start) * (1 - value/100)): truncation toward zero
      proposed = Math.trunc(periodStartReplicas * (1 - p.value / 100));
    }
    result = useMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

// ------------------------------------------------------------------ normalization

export interface Normalization {
  /** final desired replicas */
  desired: number;
  /** after the stabilization step */
  stabilized: number;
  /** "ScaleUpStabilized" / "ScaleDownStabilized" / null when the stabilization step did not change the value */
  stabilizationReason: string | null;
  /** ScalingLimited reason: DesiredWithinRange | ScaleUpLimit | TooManyReplicas | ScaleDownLimit | TooFewReplicas */
  limitReason: string;
  /** readable description of the steps that changed the value (empty when none did) */
  text: string;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * normalizeDesiredReplicas (spec.behavior == nil):
 *  stabilizeRecommendation: max of the desired count and every recommendation not older than the
 *  downscale-stabilization window (ts not Before(now - window) <=> secondsAgo <= window);
 *  convertDesiredReplicasWithRules: scaleUpLimit = max(2*current, 4), clamp to [min, min(max, limit)].
 */
export function normalizeDesiredReplicas(
  currentReplicas: number,
  prenormalizedDesired: number,
  minReplicas: number,
  maxReplicas: number,
  recommendations: readonly TimestampedRecommendation[],
  downscaleStabilizationSeconds: number,
): Normalization {
  let stabilized = prenormalizedDesired;
  for (let i = 0; i < recommendations.length; i++) {
    const rec = recommendations[i]!;
    if (!(rec.secondsAgo > downscaleStabilizationSeconds) && rec.replicas > stabilized) stabilized = rec.replicas;
  }
  const parts: string[] = [];
  let stabilizationReason: string | null = null;
  if (stabilized !== prenormalizedDesired) {
    stabilizationReason = "ScaleDownStabilized";
    parts.push(
      `stabilized by the downscale stabilization window ${downscaleStabilizationSeconds}s (highest recent recommendation) to ${stabilized}`,
    );
  }

  // convertDesiredReplicasWithRules
  const scaleUpLimit = Math.trunc(Math.max(2.0 * currentReplicas, 4.0));
  let maximumAllowed: number;
  let limitingReason: string;
  if (maxReplicas > scaleUpLimit) {
    maximumAllowed = scaleUpLimit;
    limitingReason = "ScaleUpLimit";
  } else {
    maximumAllowed = maxReplicas;
    limitingReason = "TooManyReplicas";
  }
  let desired = stabilized;
  let limitReason = "DesiredWithinRange";
  if (stabilized < minReplicas) {
    desired = minReplicas;
    limitReason = "TooFewReplicas";
    parts.push(`raised to minReplicas ${minReplicas} (TooFewReplicas)`);
  } else if (stabilized > maximumAllowed) {
    desired = maximumAllowed;
    limitReason = limitingReason;
    parts.push(
      limitingReason === "ScaleUpLimit"
        ? `limited by the no-behavior scale-up limit max(2*${currentReplicas}, 4) = ${scaleUpLimit} (ScaleUpLimit)`
        : `limited to maxReplicas ${maxReplicas} (TooManyReplicas)`,
    );
  }
  return { desired, stabilized, stabilizationReason, limitReason, text: parts.join("; ") };
}

/** The reason text when a direction's policies (or selectPolicy Disabled) cap the change. */
function describeRateLimit(
  direction: "scaleUp" | "scaleDown",
  rules: ResolvedScalingRules,
  limit: number,
  events: readonly TimestampedScaleEvent[],
): string {
  const [verb, reason, moved] =
    direction === "scaleUp" ? ["scale-up", "ScaleUpLimit", "added"] : ["scale-down", "ScaleDownLimit", "removed"];
  if (rules.selectPolicy === "Disabled") return `${verb} disabled (${direction} selectPolicy Disabled) (${reason})`;
  const changed = plural(getReplicasChangePerPeriod(longestPeriod(rules), events), "replica");
  return `limited by ${describePolicies(rules, direction)} to ${limit} (${reason}; ${changed} ${moved} within the longest period)`;
}

function describePolicies(rules: ResolvedScalingRules, direction: "scaleUp" | "scaleDown"): string {
  const ps = rules.policies.map((p) => `${p.type === "Pods" ? `${p.value} pods` : `${p.value}%`}/${p.periodSeconds}s`).join(", ");
  return `${direction} policies [${ps}] selectPolicy ${rules.selectPolicy}`;
}

/**
 * normalizeDesiredReplicasWithBehaviors:
 *  stabilizeRecommendationWithBehaviors: upRec = min(desired, recs younger than the scaleUp window),
 *  downRec = max(desired, recs younger than the scaleDown window), result = clamp(current, upRec, downRec);
 *  convertDesiredReplicasWithBehaviorRate: scale-up/scale-down limits from the policies over the
 *  recorded scale events, then [minReplicas, maxReplicas]. A result equal to current is returned as is.
 */
export function normalizeDesiredReplicasWithBehaviors(
  currentReplicas: number,
  prenormalizedDesired: number,
  minReplicas: number,
  maxReplicas: number,
  recommendations: readonly TimestampedRecommendation[],
  scaleUpEvents: readonly TimestampedScaleEvent[],
  scaleDownEvents: readonly TimestampedScaleEvent[],
  behavior: ResolvedBehavior,
): Normalization {
  const upWindow = behavior.scaleUp.stabilizationWindowSeconds;
  const downWindow = behavior.scaleDown.stabilizationWindowSeconds;
  let upRecommendation = prenormalizedDesired;
  let downRecommendation = prenormalizedDesired;
  for (let i = 0; i < recommendations.length; i++) {
    const rec = recommendations[i]!;
    if (rec.secondsAgo < upWindow) upRecommendation = Math.min(rec.replicas, upRecommendation);
    if (rec.secondsAgo < downWindow) downRecommendation = Math.max(rec.replicas, downRecommendation);
  }
  let stabilized = currentReplicas;
  if (stabilized < upRecommendation) stabilized = upRecommendation;
  if (stabilized > downRecommendation) stabilized = downRecommendation;

  const parts: string[] = [];
  let stabilizationReason: string | null = null;
  if (stabilized !== prenormalizedDesired) {
    if (prenormalizedDesired >= currentReplicas) {
      stabilizationReason = "ScaleUpStabilized";
      parts.push(`stabilized by the scaleUp window ${upWindow}s (lowest recent recommendation) to ${stabilized}`);
    } else {
      stabilizationReason = "ScaleDownStabilized";
      parts.push(`stabilized by the scaleDown window ${downWindow}s (highest recent recommendation) to ${stabilized}`);
    }
  }

  // convertDesiredReplicasWithBehaviorRate
  let desired = stabilized;
  let limitReason = "DesiredWithinRange";
  if (stabilized > currentReplicas) {
    let scaleUpLimit = calculateScaleUpLimitWithScalingRules(currentReplicas, scaleUpEvents, scaleDownEvents, behavior.scaleUp);
    if (scaleUpLimit < currentReplicas) scaleUpLimit = currentReplicas;
    let maximumAllowed = maxReplicas;
    let possible: string;
    if (maximumAllowed > scaleUpLimit) {
      maximumAllowed = scaleUpLimit;
      possible = "ScaleUpLimit";
    } else {
      possible = "TooManyReplicas";
    }
    if (stabilized > maximumAllowed) {
      desired = maximumAllowed;
      limitReason = possible;
      parts.push(
        possible === "ScaleUpLimit"
          ? describeRateLimit("scaleUp", behavior.scaleUp, scaleUpLimit, scaleUpEvents)
          : `limited to maxReplicas ${maxReplicas} (TooManyReplicas)`,
      );
    }
  } else if (stabilized < currentReplicas) {
    let scaleDownLimit = calculateScaleDownLimitWithBehaviors(currentReplicas, scaleUpEvents, scaleDownEvents, behavior.scaleDown);
    if (scaleDownLimit > currentReplicas) scaleDownLimit = currentReplicas;
    let minimumAllowed = minReplicas;
    let possible: string;
    if (minimumAllowed < scaleDownLimit) {
      minimumAllowed = scaleDownLimit;
      possible = "ScaleDownLimit";
    } else {
      possible = "TooFewReplicas";
    }
    if (stabilized < minimumAllowed) {
      desired = minimumAllowed;
      limitReason = possible;
      parts.push(
        possible === "ScaleDownLimit"
          ? describeRateLimit("scaleDown", behavior.scaleDown, scaleDownLimit, scaleDownEvents)
          : `raised to minReplicas ${minReplicas} (TooFewReplicas)`,
      );
    }
  }
  return { desired, stabilized, stabilizationReason, limitReason, text: parts.join("; ") };
}

/** getLongestPolicyPeriod */
export function longestPeriod(rules: ResolvedScalingRules): number {
  let longest = 0;
  for (let i = 0; i < rules.policies.length; i++) {
    const p = rules.policies[i]!;
    if (p.periodSeconds > longest) longest = p.periodSeconds;
  }
  return longest;
}
