/**
 * Input types for one HPA reconcile ("case"), mirroring autoscaling/v2 where the API has a type.
 * Quantities are Kubernetes quantity strings ("500m", "2Gi"); JSON numbers are also accepted.
 */

export type QuantityInput = string | number;

// ---------------------------------------------------------------- autoscaling/v2 spec

export type MetricTargetType = "Utilization" | "Value" | "AverageValue";

/** autoscaling/v2 MetricTarget */
export interface MetricTarget {
  type: MetricTargetType;
  value?: QuantityInput | null;
  averageValue?: QuantityInput | null;
  averageUtilization?: number | null;
}

/** autoscaling/v2 MetricIdentifier (the selector is carried but not evaluated here) */
export interface MetricIdentifier {
  name: string;
  selector?: unknown;
}

/** autoscaling/v2 CrossVersionObjectReference */
export interface CrossVersionObjectReference {
  kind: string;
  name: string;
  apiVersion?: string;
}

export interface ResourceMetricSource {
  name: string;
  target: MetricTarget;
}

export interface ContainerResourceMetricSource {
  name: string;
  container: string;
  target: MetricTarget;
}

export interface PodsMetricSource {
  metric: MetricIdentifier;
  target: MetricTarget;
}

export interface ObjectMetricSource {
  /** required by the API server; optional here (only used in reason strings) */
  describedObject?: CrossVersionObjectReference;
  metric: MetricIdentifier;
  target: MetricTarget;
}

export interface ExternalMetricSource {
  metric: MetricIdentifier;
  target: MetricTarget;
}

/** autoscaling/v2 MetricSpec */
export type MetricSpec =
  | { type: "Resource"; resource: ResourceMetricSource }
  | { type: "ContainerResource"; containerResource: ContainerResourceMetricSource }
  | { type: "Pods"; pods: PodsMetricSource }
  | { type: "Object"; object: ObjectMetricSource }
  | { type: "External"; external: ExternalMetricSource };

export type MetricSourceType = MetricSpec["type"];

export type ScalingPolicyType = "Pods" | "Percent";
export type ScalingPolicySelect = "Max" | "Min" | "Disabled";

/** autoscaling/v2 HPAScalingPolicy */
export interface HPAScalingPolicy {
  type: ScalingPolicyType;
  value: number;
  periodSeconds: number;
}

/** autoscaling/v2 HPAScalingRules */
export interface HPAScalingRules {
  stabilizationWindowSeconds?: number | null;
  selectPolicy?: ScalingPolicySelect | null;
  policies?: HPAScalingPolicy[] | null;
  /** per-direction tolerance (HPAConfigurableTolerance), a quantity such as "0.05" */
  tolerance?: QuantityInput | null;
}

/** autoscaling/v2 HorizontalPodAutoscalerBehavior */
export interface HorizontalPodAutoscalerBehavior {
  scaleUp?: HPAScalingRules | null;
  scaleDown?: HPAScalingRules | null;
}

/** The parts of autoscaling/v2 HorizontalPodAutoscalerSpec the controller's arithmetic uses. */
export interface HpaSpec {
  /** default 1 */
  minReplicas?: number | null;
  maxReplicas: number;
  /** default (API server defaulting): [{Resource cpu, Utilization 80}] */
  metrics?: MetricSpec[] | null;
  /** absent/null = the no-behavior path */
  behavior?: HorizontalPodAutoscalerBehavior | null;
}

// ---------------------------------------------------------------- observations

export type PodPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";

/** One pod matched by the scale target's selector, with the sample for one metric. */
export interface PodObservation {
  name?: string;
  /** Resource: usage; Pods: the metric value. null/absent = no sample for this pod ("missing"). */
  value?: QuantityInput | null;
  /** Resource/ContainerResource: the pod's (container's) request for the resource. */
  request?: QuantityInput | null;
  /** PodReady condition status. Default true. null = the pod has no PodReady condition. */
  ready?: boolean | null;
  /** Default "Running". */
  phase?: PodPhase;
  /** Age of status.startTime. Default: started long ago (1e9 s). null = no startTime. */
  startedSecondsAgo?: number | null;
  /** Age of the PodReady condition's lastTransitionTime. Default: = startedSecondsAgo. */
  readyChangedSecondsAgo?: number | null;
  /** metadata.deletionTimestamp is set. Default false. */
  deleting?: boolean;
  /** Age of the metric sample's timestamp (CPU readiness rule). Default 0. */
  sampleSecondsAgo?: number | null;
  /** The metric sample's window (CPU readiness rule). Default controller.metricWindowSeconds. */
  sampleWindowSeconds?: number | null;
}

/** Observation for a Resource / ContainerResource / Pods metric. */
export interface PodsObservation {
  pods: PodObservation[];
}

/** Observation for an Object / External metric. */
export interface ValueObservation {
  /** Object: the metric value. External: the summed value of all matching series. */
  value?: QuantityInput;
  /** External only: the individual series values; summed like the controller does (alternative to value). */
  values?: QuantityInput[];
  /** Ready-pod count used by Value targets (pods Running with Ready=True). Overrides `pods`. */
  readyPods?: number;
  /** Pods of the scale target (only phase/ready are used: to count ready pods for Value targets). */
  pods?: PodObservation[];
}

/** The metric could not be fetched. */
export interface ErrorObservation {
  error: string;
}

export type MetricObservation = PodsObservation | ValueObservation | ErrorObservation;

// ---------------------------------------------------------------- controller memory

export interface TimestampedRecommendation {
  secondsAgo: number;
  replicas: number;
}

export interface TimestampedScaleEvent {
  secondsAgo: number;
  /** replicas added (scaleUpEvents) or removed (scaleDownEvents); positive */
  change: number;
  /**
   * Marked by markScaleEventsOutdated once older than the longest policy period; the next event
   * overwrites the last outdated one. Never counted differently (only its age counts). @default false
   */
  outdated?: boolean;
}

export interface HpaHistory {
  /**
   * The controller's recommendations[key]. Absent/null means the controller has no entry yet (first
   * reconcile after start): the controller then records {currentReplicas, now} before computing
   * (recordInitialRecommendation). An empty array means "an entry exists but holds nothing".
   */
  recommendations?: TimestampedRecommendation[] | null;
  scaleUpEvents?: TimestampedScaleEvent[] | null;
  scaleDownEvents?: TimestampedScaleEvent[] | null;
}

/** kube-controller-manager flags (and one metrics-server property). */
export interface ControllerConfig {
  /** --horizontal-pod-autoscaler-tolerance, default 0.1 */
  tolerance?: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization, default 300 */
  downscaleStabilizationSeconds?: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period, default 300 */
  cpuInitializationPeriodSeconds?: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay, default 30 */
  initialReadinessDelaySeconds?: number;
  /** default metric sample window (metrics-server), used by the CPU readiness rule; default 15 */
  metricWindowSeconds?: number;
}

export interface ResolvedControllerConfig {
  tolerance: number;
  downscaleStabilizationSeconds: number;
  cpuInitializationPeriodSeconds: number;
  initialReadinessDelaySeconds: number;
  metricWindowSeconds: number;
}

export const DEFAULT_CONTROLLER_CONFIG: Readonly<ResolvedControllerConfig> = Object.freeze({
  tolerance: 0.1,
  downscaleStabilizationSeconds: 300,
  cpuInitializationPeriodSeconds: 300,
  initialReadinessDelaySeconds: 30,
  metricWindowSeconds: 15,
});

/** One reconcile's input. */
export interface HpaCase {
  spec: HpaSpec;
  /** scale.spec.replicas */
  currentReplicas: number;
  /** scale.status.replicas; default currentReplicas */
  statusReplicas?: number | null;
  /** one per spec metric, same order */
  observations: MetricObservation[];
  /** Optional pod list of the scale target, used to count ready pods for Object/External Value targets. */
  pods?: PodObservation[] | null;
  history?: HpaHistory | null;
  controller?: ControllerConfig | null;
}

// ---------------------------------------------------------------- results

export interface HpaStepResult {
  desiredReplicas: number;
  reason: string;
}

export interface MetricEvaluation {
  index: number;
  type: MetricSourceType;
  /** e.g. "Resource cpu", "External queue_depth" */
  label: string;
  /** replica count proposed by this metric; null when the metric is invalid */
  proposal: number | null;
  /** error message when invalid */
  error: string | null;
  /** how the proposal was obtained */
  detail: string;
  /** the entry the controller writes to status.currentMetrics for this metric (quantities as numbers) */
  status: MetricStatus;
}

/** autoscaling/v2 MetricValueStatus with the quantities as numbers (e.g. 0.25 for 250m, bytes for memory). */
export interface MetricValueStatus {
  averageUtilization?: number;
  averageValue?: number;
  value?: number;
}

/** autoscaling/v2 MetricStatus (status.currentMetrics[i]); `{type: ""}` when the metric could not be computed. */
export type MetricStatus =
  | { type: "Resource"; resource: { name: string; current: MetricValueStatus } }
  | { type: "ContainerResource"; containerResource: { name: string; container: string; current: MetricValueStatus } }
  | { type: "Pods"; pods: { metric: unknown; current: MetricValueStatus } }
  | { type: "Object"; object: { describedObject: unknown; metric: unknown; current: MetricValueStatus } }
  | { type: "External"; external: { metric: unknown; current: MetricValueStatus } }
  | { type: "" };

export type ReconcileOutcome = "ScalingDisabled" | "AboveMaxReplicas" | "BelowMinReplicas" | "FailedComputeMetricsReplicas" | "Normalized";

/** hpaReconcile(): hpaStep's result plus what the controller would record in its memory. */
export interface HpaReconcileResult extends HpaStepResult {
  outcome: ReconcileOutcome;
  /** the controller's condition reason for the final limit (ScalingLimited), when normalization ran */
  limitReason: string | null;
  /** max over metrics, before normalization (null when not computed) */
  metricDesiredReplicas: number | null;
  metrics: MetricEvaluation[];
  /** what the controller records (all with timestamp = now, i.e. secondsAgo 0) */
  record: {
    /** recordInitialRecommendation: set when history.recommendations was absent */
    initialRecommendation: number | null;
    /** the unstabilized recommendation stored by the stabilization step */
    recommendation: number | null;
    /** storeScaleEvent (behavior != nil and the scale changed) */
    scaleUpEvent: number | null;
    scaleDownEvent: number | null;
  };
}
