/** Test helpers for the simulator: autoscaler models of prod's Deployment written by hand. */
import { autoscalerModel, type AutoscalerModel } from "../../simulator/autoscaler.js";
import type { EnvConfig } from "../../stacks/config.js";

export const TARGET = { apiVersion: "apps/v1", kind: "Deployment", name: "inference" };

/** An HPA pinned to `n` replicas (min = max) on CPU: the traffic model without scaling. */
export function pinnedHpa(config: EnvConfig, n: number): AutoscalerModel {
  return autoscalerModel(
    {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "inference", namespace: config.namespace },
      spec: {
        scaleTargetRef: TARGET,
        minReplicas: n,
        maxReplicas: n,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
      },
    },
    config,
  );
}

/** A ScaledObject for the Deployment with `spec` (pollingInterval 15 unless given). */
export function scaledObjectModel(config: EnvConfig, spec: Record<string, unknown>): AutoscalerModel {
  return autoscalerModel(
    {
      apiVersion: "keda.sh/v1alpha1",
      kind: "ScaledObject",
      metadata: { name: "inference", namespace: config.namespace },
      spec: { scaleTargetRef: TARGET, pollingInterval: 15, ...spec },
    },
    config,
  );
}
