/**
 * CAPACITY_EXCEEDED: at its maximum replica count every workload of a namespace must fit the namespace's
 * ResourceQuota, or the autoscaler asks for pods the API server refuses — exactly under peak load.
 * CAPACITY_NO_ROLLOUT_HEADROOM, a warning, when the surge pods of a rolling update at maximum no longer fit (the rollout stalls).
 */
import { quantityOrUndefined } from "../../kube/quantity.js";
import { autoscalersOf, targetOf } from "./autoscalers.js";
import type { CheckContext, PodTemplateRef } from "./context.js";
import type { K8sObject } from "./types.js";
import { asArray, isObject, resourceOf } from "./util.js";

type Resource = "cpu" | "memory";
const RESOURCES: readonly Resource[] = ["cpu", "memory"];

function format(r: Resource, n: number): string {
  if (r === "cpu") return `${Number(n.toFixed(3))} CPU`;
  return n >= 2 ** 30 ? `${Number((n / 2 ** 30).toFixed(2))}Gi memory` : `${Number((n / 2 ** 20).toFixed(1))}Mi memory`;
}

/** What one pod requests: the sum over containers, or the largest init container if bigger. */
export function podRequests(template: K8sObject, field: "requests" | "limits" = "requests"): Record<Resource, number> {
  const spec = isObject(template.spec) ? template.spec : {};
  // Stryker disable next-line ObjectLiteral: the loop below sets both keys
  const out = { cpu: 0, memory: 0 };
  for (const r of RESOURCES) {
    const sum = asArray(spec.containers).reduce((acc, c) => acc + (quantityOrUndefined(c?.resources?.[field]?.[r]) ?? 0), 0);
    const init = Math.max(0, ...asArray(spec.initContainers).map((c) => quantityOrUndefined(c?.resources?.[field]?.[r]) ?? 0));
    out[r] = Math.max(sum, init);
  }
  return out;
}

/** Replica ceiling of a workload: its autoscaler's maximum, else its fixed count. */
function ceiling(ctx: CheckContext, p: PodTemplateRef): { replicas: number; why: string } | undefined {
  const o = p.object;
  const owners = autoscalersOf(ctx).filter((a) => targetOf(ctx, a) === o);
  if (owners.length) {
    const max = Math.max(...owners.map((a) => a.max));
    return { replicas: max, why: `max ${max} (${owners.map((a) => a.resource).join(", ")})` };
  }
  if (o.kind === "DaemonSet") return undefined; // one per node: not bounded by anything rendered
  if (o.kind === "Pod") return { replicas: 1, why: "1" };
  // Stryker disable next-line OptionalChaining: a Job is a pod template only with spec.template, so spec is there
  if (o.kind === "Job") return { replicas: o.spec?.parallelism ?? 1, why: "parallelism" };
  // Stryker disable next-line OptionalChaining: a CronJob is a pod template only with spec.jobTemplate.spec.template
  if (o.kind === "CronJob") return { replicas: o.spec?.jobTemplate?.spec?.parallelism ?? 1, why: "parallelism" };
  // Stryker disable next-line OptionalChaining: the other pod controllers hold their template under spec
  const n = typeof o.spec?.replicas === "number" ? o.spec.replicas : 1;
  return { replicas: n, why: `${n} replicas` };
}

/** Extra pods a Deployment's rolling update adds at `replicas` (maxSurge, default 25%). */
function surge(o: K8sObject, replicas: number): number {
  if (o.kind !== "Deployment" || o.spec?.strategy?.type === "Recreate") return 0;
  const s = o.spec?.strategy?.rollingUpdate?.maxSurge ?? "25%";
  // Stryker disable next-line StringLiteral: a number that skips this line gives itself back through Number(s) below
  if (typeof s === "number") return s;
  const m = /^(\d+)%$/.exec(String(s));
  return m ? Math.ceil((Number(m[1]) / 100) * replicas) : Number(s) || 0;
}

/** Rendered phase: CAPACITY_EXCEEDED, CAPACITY_NO_ROLLOUT_HEADROOM. */
export function checkRenderedCapacity(ctx: CheckContext): void {
  for (const quota of ctx.ofKind("ResourceQuota", "")) {
    const hard = isObject(quota.spec?.hard) ? quota.spec.hard : {};
    const workloads = ctx.podTemplates().filter((p) => p.object.metadata?.namespace === quota.metadata?.namespace);
    for (const field of ["requests", "limits"] as const) {
      for (const r of RESOURCES) checkQuotaEntry(ctx, quota, hard, workloads, field, r);
    }
  }
}

/** One entry of a ResourceQuota's spec.hard (requests.cpu, limits.memory, ...) against the namespace's workloads at maximum scale. */
function checkQuotaEntry(
  ctx: CheckContext,
  quota: K8sObject,
  hard: K8sObject,
  workloads: readonly PodTemplateRef[],
  field: "requests" | "limits",
  r: Resource,
): void {
  const key = field === "requests" ? (hard[`requests.${r}`] !== undefined ? `requests.${r}` : r) : `limits.${r}`;
  const limit = quantityOrUndefined(hard[key]);
  if (limit === undefined) return;
  const { total, worstSurge, parts } = atMaximumScale(ctx, workloads, field, r);
  const path = ["spec", "hard", key];
  if (total > limit) {
    ctx.sink.error(
      "CAPACITY_EXCEEDED",
      resourceOf(quota),
      path,
      `at maximum scale the namespace's ${field} add up to ${format(r, total)} (${parts.join("; ")}), above the quota ${format(r, limit)}: the autoscaler's last pods are refused exactly at peak load`,
      `raise capacity.${r}, lower scaling.maxReplicas, or lower the per-pod ${field}`,
    );
  } else if (total + worstSurge > limit) {
    ctx.sink.warning(
      "CAPACITY_NO_ROLLOUT_HEADROOM",
      resourceOf(quota),
      path,
      `at maximum scale a rolling update needs ${format(r, total + worstSurge)} (${format(r, total)} plus maxSurge pods), above the quota ${format(r, limit)}: a rollout at peak stalls until load drops`,
      `leave room for maxSurge in capacity.${r}, or lower scaling.maxReplicas`,
    );
  }
}

/** What the workloads request (or limit) of `r` at their replica ceilings, the largest rollout surge, and each workload's share for the message. */
function atMaximumScale(
  ctx: CheckContext,
  workloads: readonly PodTemplateRef[],
  field: "requests" | "limits",
  r: Resource,
): { total: number; worstSurge: number; parts: string[] } {
  let total = 0;
  let worstSurge = 0;
  const parts: string[] = [];
  for (const p of workloads) {
    const c = ceiling(ctx, p);
    if (!c) continue;
    const per = podRequests(p.template, field)[r];
    total += c.replicas * per;
    worstSurge = Math.max(worstSurge, surge(p.object, c.replicas) * per);
    parts.push(`${p.resource}: ${c.why} × ${format(r, per)}`);
  }
  return { total, worstSurge, parts };
}

/** Config phase: CAPACITY_EXCEEDED from every service's scaling.maxReplicas × its requests vs capacity. */
export function checkConfigCapacity(ctx: CheckContext): void {
  const { capacity } = ctx.config;
  if (!capacity) return;
  const services = ctx.config.services ?? [ctx.config];
  for (const r of RESOURCES) {
    const limit = quantityOrUndefined(capacity[r]);
    if (limit === undefined) continue;
    let total = 0;
    const parts: string[] = [];
    let largest: { name: string; max: number; per: number; request: string } | undefined;
    for (const { scaling, service } of services) {
      const per = quantityOrUndefined(service.resources.requests[r]);
      if (per === undefined) continue;
      total += scaling.maxReplicas * per;
      parts.push(`${service.name}: maxReplicas ${scaling.maxReplicas} × ${service.resources.requests[r]} ${r}`);
      if (!largest || scaling.maxReplicas * per > largest.max * largest.per)
        largest = { name: service.name, max: scaling.maxReplicas, per, request: service.resources.requests[r] };
    }
    if (total > limit && largest) {
      const single = services.length === 1;
      ctx.sink.error(
        "CAPACITY_EXCEEDED",
        ctx.configResource,
        ["capacity", r],
        single
          ? `maxReplicas ${largest.max} × ${largest.request} ${r} requested per pod = ${format(r, total)}, above capacity.${r} ${capacity[r]}: the autoscaler's last pods are refused exactly at peak load`
          : `the services' maxima add up to ${format(r, total)} (${parts.join("; ")}), above capacity.${r} ${capacity[r]}: the autoscalers' last pods are refused exactly at peak load`,
        single
          ? `raise capacity.${r} to at least ${format(r, total)}, lower scaling.maxReplicas to ${Math.floor(limit / largest.per)}, or lower service.resources.requests.${r}`
          : `raise capacity.${r} to at least ${format(r, total)}, or lower maxReplicas or requests.${r} of the services (the largest share is "${largest.name}")`,
      );
    }
  }
}
