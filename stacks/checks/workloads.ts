/**
 * Workload settings that are valid but hurt in production: an image pinned only by a mutable tag
 * in a production environment, and a disruption budget that lets one voluntary eviction (a node
 * drain, a cluster upgrade) take the only pod of the service. Warnings: each can be deliberate.
 * (`:latest` is refused outright by the schema, stacks/config.ts.)
 */
import { hasDigest, type EnvConfig } from "../config.js";
import type { CheckContext } from "./context.js";
import type { PathSegment } from "./types.js";

/** A production environment by name: `prod`, `production`, `prod-eu`, `eu-prod`. */
export function isProductionEnv(name: string): boolean {
  return /(^|-)prod(uction)?(-|$)/.test(name);
}

/** Every image reference the config declares, with its field path. */
function images(c: EnvConfig): [PathSegment[], string][] {
  const out: [PathSegment[], string][] = [[["service", "image"], c.service.image]];
  if (c.orchestrator) out.push([["orchestrator", "image"], c.orchestrator.image]);
  c.queueWorkers?.forEach((w, i) => out.push([["queueWorkers", i, "image"], w.image]));
  if (c.gpu) out.push([["gpu", "image"], c.gpu.image]);
  if (c.loadTest) out.push([["loadTest", "image"], c.loadTest.image]);
  return out;
}

/** IMAGE_NOT_PINNED (warning): a production image with a tag but no @sha256 digest. */
export function checkImagesPinned(ctx: CheckContext): void {
  if (!isProductionEnv(ctx.config.name)) return;
  for (const [path, ref] of images(ctx.config)) {
    if (hasDigest(ref)) continue;
    ctx.sink.warning(
      "IMAGE_NOT_PINNED",
      ctx.configResource,
      path,
      `image ${ref} is pinned by tag only in production: a re-pushed tag changes what new pods run without any change here`,
      `append the digest the registry reports for it (${ref}@sha256:<digest>, e.g. from crane digest or docker buildx imagetools inspect)`,
    );
  }
}

/** PDB_ALLOWS_OUTAGE (warning): minReplicas 1 with a PodDisruptionBudget maxUnavailable ≥ 1 on a multi-node cluster. */
export function checkDisruptionBudget(ctx: CheckContext): void {
  const c = ctx.config;
  // A one-node (local) cluster goes down with its node whatever the budget says.
  if (c.cluster.kind === "local") return;
  if (c.scaling.minReplicas !== 1 || c.service.maxUnavailable < 1) return;
  ctx.sink.warning(
    "PDB_ALLOWS_OUTAGE",
    ctx.configResource,
    ["service", "maxUnavailable"],
    `scaling.minReplicas is 1 and the PodDisruptionBudget allows maxUnavailable ${c.service.maxUnavailable}: at the floor, one voluntary eviction (node drain, cluster upgrade) removes the only pod and the service is down until a new one is ready`,
    "set scaling.minReplicas to 2 or more, or service.maxUnavailable to 0 (drains then wait until the autoscaler has added a pod)",
  );
}
