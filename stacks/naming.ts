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

/**
 * The service (or workload) a rule file belongs to, from its group name (rules/<service>-alerts.yaml,
 * rules/<service>-recording.yaml, rules/sloth-slo-<kind>-<service>-<slo>.yaml); undefined for a
 * file of the environment or a name not in `names`.
 */
export function ruleFileOwner(path: string, names: ReadonlySet<string>): string | undefined {
  const m = /^rules\/(.+)\.yaml$/.exec(path);
  if (!m) return undefined;
  const group = m[1]!;
  const sloth = /^sloth-slo-(?:sli-recordings|meta-recordings|alerts)-(.+)-[a-z]+$/.exec(group);
  const own = /^(.+)-(?:alerts|recording)$/.exec(group);
  const candidate = sloth?.[1] ?? own?.[1];
  return candidate !== undefined && names.has(candidate) ? candidate : undefined;
}
