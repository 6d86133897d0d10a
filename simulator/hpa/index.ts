export * from "./types.js";
export {
  hpaStep,
  hpaReconcile,
  recordReconcile,
  ageHistory,
  resolveControllerConfig,
  effectiveMetrics,
  DEFAULT_HPA_METRICS,
  HpaCaseError,
} from "./step.js";
export { validateCase, CaseValidationError } from "./validate.js";
export { parseResourceQuantity, milliValue, milliValueExact, quantityToNumber, QuantityError, type ParsedQuantity } from "./quantity.js";
export {
  isWithin,
  tolerancesForHpa,
  resolveBehavior,
  normalizeDesiredReplicas,
  normalizeDesiredReplicasWithBehaviors,
  calculateScaleUpLimitWithScalingRules,
  calculateScaleDownLimitWithBehaviors,
  getReplicasChangePerPeriod,
  type Tolerances,
  type ResolvedBehavior,
  type ResolvedScalingRules,
  type Normalization,
} from "./behavior.js";
export { computeReplicasForMetric, metricLabel, type MetricContext } from "./replica-calculator.js";
