/**
 * MULTIPLE_AUTOSCALERS and its kin (one autoscaler per workload, targets that exist) and
 * RESOURCE_METRIC_WITHOUT_REQUESTS (utilization needs requests), over every
 * rendered HPA and KEDA ScaledObject and the workloads their scaleTargetRef names.
 */
import type { CheckContext } from "./context.js";
import { apiGroup } from "./context.js";
import type { K8sObject, PathSegment } from "./types.js";
import { asArray, isObject, resourceOf, str } from "./util.js";

export interface AutoscalerRef {
  readonly object: K8sObject;
  readonly resource: string;
  readonly namespace: string;
  readonly targetKind: string;
  readonly targetName: string;
  /** Replica ceiling (KEDA's default maxReplicaCount is 100). */
  readonly max: number;
}

/** Every rendered HPA and ScaledObject with the workload it owns. */
export function autoscalersOf(ctx: CheckContext): AutoscalerRef[] {
  const out: AutoscalerRef[] = [];
  for (const o of ctx.objects) {
    const isHpa = o.kind === "HorizontalPodAutoscaler" && apiGroup(o) === "autoscaling";
    const isSo = o.kind === "ScaledObject" && apiGroup(o) === "keda.sh";
    if (!isHpa && !isSo) continue;
    const ref = o.spec?.scaleTargetRef;
    const name = str(ref?.name);
    if (!name) continue;
    // Stryker disable next-line OptionalChaining: the line above skipped objects without spec.scaleTargetRef.name, so spec is there
    const max = isHpa ? o.spec?.maxReplicas : (o.spec?.maxReplicaCount ?? 100);
    out.push({
      object: o,
      resource: resourceOf(o),
      namespace: str(o.metadata?.namespace) ?? "",
      targetKind: str(ref.kind) ?? "Deployment",
      targetName: name,
      max: typeof max === "number" ? max : 100,
    });
  }
  return out;
}

/** The service or workload an object belongs to (its `app.kubernetes.io/name`). */
function ownerOf(o: K8sObject): string | undefined {
  return str(o.metadata?.labels?.["app.kubernetes.io/name"]);
}

/** The workload an autoscaler names, if the environment renders it. */
export function targetOf(ctx: CheckContext, a: AutoscalerRef): K8sObject | undefined {
  return ctx.objects.find(
    (o) => o.kind === a.targetKind && o.metadata?.name === a.targetName && (str(o.metadata?.namespace) ?? "") === a.namespace,
  );
}

/** MULTIPLE_AUTOSCALERS, AUTOSCALER_TARGET_MISSING, REPLICAS_WITH_AUTOSCALER. */
export function checkAutoscalerOwnership(ctx: CheckContext): void {
  const byTarget = new Map<string, AutoscalerRef[]>();
  for (const a of autoscalersOf(ctx)) {
    const key = `${a.namespace}/${a.targetKind}/${a.targetName}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), a]);
  }
  for (const group of byTarget.values()) {
    const first = group[0]!;
    const target = `${first.targetKind} ${first.namespace}/${first.targetName}`;
    const workload = targetOf(ctx, first);
    for (const other of group.slice(1)) {
      // Across services: say whose autoscaler reaches for whose workload.
      const mine = ownerOf(other.object);
      const theirs = workload ? ownerOf(workload) : undefined;
      const across =
        mine !== undefined && theirs !== undefined && mine !== theirs
          ? ` (service ${mine}'s autoscaler targets service ${theirs}'s workload)`
          : "";
      ctx.sink.error(
        "MULTIPLE_AUTOSCALERS",
        other.resource,
        "spec.scaleTargetRef",
        `${target} is already scaled by ${first.resource}${across}: two autoscalers fight over its replica count (KEDA/HPA report AmbiguousSelector)`,
        "keep one autoscaler per workload (scaling.mode picks one); put every signal into that one",
      );
    }
    if (!workload) {
      for (const a of group) {
        ctx.sink.error(
          "AUTOSCALER_TARGET_MISSING",
          a.resource,
          "spec.scaleTargetRef.name",
          `scales ${target}, which the environment does not render`,
          "point scaleTargetRef at the service's Deployment",
        );
      }
      continue;
    }
    if (workload.spec?.replicas !== undefined) {
      ctx.sink.warning(
        "REPLICAS_WITH_AUTOSCALER",
        resourceOf(workload),
        "spec.replicas",
        `sets replicas ${JSON.stringify(workload.spec.replicas)} although ${first.resource} owns its replica count: every apply resets what the autoscaler chose`,
        "leave spec.replicas out of autoscaled workloads (markHasAutoscaler)",
      );
    }
  }
}

function podTemplateOf(workload: K8sObject): K8sObject | undefined {
  if (workload.kind === "Pod") return workload;
  const t = workload.spec?.template;
  return isObject(t) ? t : undefined;
}

/** RESOURCE_METRIC_WITHOUT_REQUESTS. */
export function checkResourceMetricRequests(ctx: CheckContext): void {
  for (const a of autoscalersOf(ctx)) {
    const workload = targetOf(ctx, a);
    const template = workload ? podTemplateOf(workload) : undefined;
    if (!workload || !template) continue;
    const containers = asArray(template.spec?.containers).filter(isObject);
    const demand = (resource: string, containerName: string | undefined, path: PathSegment[], what: string) => {
      const chosen = containerName === undefined ? containers : containers.filter((c) => c.name === containerName);
      if (containerName !== undefined && chosen.length === 0) {
        ctx.sink.error(
          "RESOURCE_METRIC_WITHOUT_REQUESTS",
          a.resource,
          path,
          `${what} names container "${containerName}", which ${resourceOf(workload)} does not have (containers: ${containers.map((c) => c.name).join(", ")})`,
          "name a container of the target's pod template",
        );
        return;
      }
      for (const c of chosen) {
        if (c.resources?.requests?.[resource] !== undefined) continue;
        ctx.sink.error(
          "RESOURCE_METRIC_WITHOUT_REQUESTS",
          a.resource,
          path,
          `${what} divides ${resource} usage by the ${resource} request, but container "${c.name}" of ${resourceOf(workload)} requests no ${resource}: the HPA reports "missing request for ${resource}" and never scales`,
          `set resources.requests.${resource} on container "${c.name}" (service.resources.requests), or target AverageValue`,
        );
      }
    };
    if (a.object.kind === "ScaledObject") {
      // Stryker disable next-line OptionalChaining: an autoscaler is listed only with spec.scaleTargetRef.name, so spec is there
      asArray(a.object.spec?.triggers).forEach((t, i) => {
        if (t?.type !== "cpu" && t?.type !== "memory") return;
        const metricType = str(t.metricType) ?? str(t.metadata?.type) ?? "Utilization";
        if (metricType !== "Utilization") return;
        demand(t.type, str(t.metadata?.containerName), ["spec", "triggers", i], `the ${t.type} utilization trigger`);
      });
      continue;
    }
    // Stryker disable next-line OptionalChaining: an autoscaler is listed only with spec.scaleTargetRef.name, so spec is there
    if (typeof a.object.spec?.targetCPUUtilizationPercentage === "number") {
      demand("cpu", undefined, ["spec", "targetCPUUtilizationPercentage"], "targetCPUUtilizationPercentage");
    }
    // Stryker disable next-line OptionalChaining: an autoscaler is listed only with spec.scaleTargetRef.name, so spec is there
    asArray(a.object.spec?.metrics).forEach((m, i) => {
      if (m?.type === "Resource" && m.resource?.target?.type === "Utilization") {
        demand(String(m.resource.name), undefined, ["spec", "metrics", i, "resource"], `the ${m.resource.name} Utilization metric`);
      }
      if (m?.type === "ContainerResource" && m.containerResource?.target?.type === "Utilization") {
        demand(
          String(m.containerResource.name),
          str(m.containerResource.container) ?? "",
          ["spec", "metrics", i, "containerResource"],
          `the ${m.containerResource.name} ContainerResource Utilization metric`,
        );
      }
    });
  }
}
