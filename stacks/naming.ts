/** Names of objects other parts of the program refer to before (or without) rendering them. */
import type { EnvConfig } from "./config.js";

/** The ScaledObject (mode keda) or HorizontalPodAutoscaler (HPA modes) owning the service. */
export function autoscalerName(config: EnvConfig): string {
  return config.service.name;
}

/** In-cluster address of the environment's Prometheus (or its declared external URL). */
export function prometheusAddress(config: EnvConfig): string {
  const p = config.monitoring.prometheus;
  return p.externalUrl ?? `http://${p.service}.${p.namespace}.svc.cluster.local:${p.port}`;
}
