// Small builders for HPA cases used by the test/simulator/hpa tests (not a test file itself).
import type {
  HorizontalPodAutoscalerBehavior,
  HpaCase,
  HpaHistory,
  MetricObservation,
  MetricSpec,
  PodObservation,
} from "../../../simulator/hpa/types.js";

/** A running, ready pod started long ago (10 min), with a sample and a request of 1 CPU. */
export function pod(value: string | null, request: string | null = "1", extra: Partial<PodObservation> = {}): PodObservation {
  return {
    value,
    request,
    ready: true,
    phase: "Running",
    startedSecondsAgo: 600,
    readyChangedSecondsAgo: 590,
    deleting: false,
    ...extra,
  };
}

export function pods(...values: (string | null)[]): PodObservation[] {
  return values.map((v, i) => ({ ...pod(v), name: `p${i}` }));
}

export const cpuUtil = (averageUtilization: number): MetricSpec => ({
  type: "Resource",
  resource: { name: "cpu", target: { type: "Utilization", averageUtilization } },
});
export const memUtil = (averageUtilization: number): MetricSpec => ({
  type: "Resource",
  resource: { name: "memory", target: { type: "Utilization", averageUtilization } },
});
export const resourceAvg = (name: string, averageValue: string): MetricSpec => ({
  type: "Resource",
  resource: { name, target: { type: "AverageValue", averageValue } },
});
export const podsAvg = (name: string, averageValue: string): MetricSpec => ({
  type: "Pods",
  pods: { metric: { name }, target: { type: "AverageValue", averageValue } },
});
export const externalAvg = (name: string, averageValue: string): MetricSpec => ({
  type: "External",
  external: { metric: { name }, target: { type: "AverageValue", averageValue } },
});
export const externalValue = (name: string, value: string): MetricSpec => ({
  type: "External",
  external: { metric: { name }, target: { type: "Value", value } },
});
export const objectValue = (name: string, value: string): MetricSpec => ({
  type: "Object",
  object: { describedObject: { kind: "Service", name: "web" }, metric: { name }, target: { type: "Value", value } },
});
export const objectAvg = (name: string, averageValue: string): MetricSpec => ({
  type: "Object",
  object: { describedObject: { kind: "Service", name: "web" }, metric: { name }, target: { type: "AverageValue", averageValue } },
});

export interface CaseOptions {
  min?: number;
  max?: number;
  current: number;
  status?: number;
  metrics: MetricSpec[];
  observations: MetricObservation[];
  behavior?: HorizontalPodAutoscalerBehavior;
  history?: HpaHistory;
  controller?: HpaCase["controller"];
  pods?: PodObservation[];
}

/**
 * A case. Unless a history is given, history.recommendations is an empty list (so the controller's
 * first-reconcile recommendation is NOT added): most tests look at one rule in isolation.
 */
export function hpaCase(o: CaseOptions): HpaCase {
  const c: HpaCase = {
    spec: { minReplicas: o.min ?? 1, maxReplicas: o.max ?? 100, metrics: o.metrics },
    currentReplicas: o.current,
    observations: o.observations,
    history: o.history ?? { recommendations: [] },
  };
  if (o.behavior !== undefined) c.spec.behavior = o.behavior;
  if (o.status !== undefined) c.statusReplicas = o.status;
  if (o.controller !== undefined) c.controller = o.controller;
  if (o.pods !== undefined) c.pods = o.pods;
  return c;
}

/**
 * A reconcile whose only metric (External AverageValue, target 1) proposes exactly `proposal`:
 * for tests of the normalization step alone.
 */
export function proposalCase(o: Omit<CaseOptions, "metrics" | "observations"> & { proposal: number }): HpaCase {
  const { proposal, ...rest } = o;
  return hpaCase({ min: 1, max: 100, ...rest, metrics: [externalAvg("load", "1")], observations: [{ value: String(proposal) }] });
}
