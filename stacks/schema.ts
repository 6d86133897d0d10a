/**
 * Validates rendered objects against the upstream JSON schemas shipped by the kubernetes-models
 * packages (core Kubernetes, KEDA, prometheus-operator). An object whose apiVersion/kind has no
 * schema here is itself an error: nothing reaches dist/ unchecked.
 */
import type { LooseObject } from "../kube/loose-json.js";
import { dynamicImport } from "../kube/dynamic-import.js";

interface Validatable {
  validate(): void;
}
type ModelClass = (new (data: unknown) => Validatable) & { readonly prototype: Validatable };

/** apiVersion → module that exports one class per kind. */
function modulePath(apiVersion: string): string | undefined {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "keda.sh") return `@kubernetes-models/keda/keda.sh/${version}`;
  if (group === "monitoring.coreos.com") return `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}`;
  if (group === "") return `kubernetes-models/${version}`;
  return `kubernetes-models/${group}/${version}`;
}

/** A kind names one module file: nothing else (no `..`, no `/`) reaches import(). */
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * The kinds this program renders, imported by literal name so the CLI bundle (scripts/build.mjs)
 * carries their models: no module resolution and file read per schema file at run time. Any
 * other kind (a user's config can add one) is still found by its package path.
 * test/scripts/build.test.ts holds every kind in dist/ to this list.
 */
export const BUNDLED_MODELS: Readonly<Record<string, () => Promise<unknown>>> = {
  "kubernetes-models/v1/ConfigMap": () => import("kubernetes-models/v1/ConfigMap"),
  "kubernetes-models/v1/Namespace": () => import("kubernetes-models/v1/Namespace"),
  "kubernetes-models/v1/PersistentVolumeClaim": () => import("kubernetes-models/v1/PersistentVolumeClaim"),
  "kubernetes-models/v1/ResourceQuota": () => import("kubernetes-models/v1/ResourceQuota"),
  "kubernetes-models/v1/Secret": () => import("kubernetes-models/v1/Secret"),
  "kubernetes-models/v1/Service": () => import("kubernetes-models/v1/Service"),
  "kubernetes-models/v1/ServiceAccount": () => import("kubernetes-models/v1/ServiceAccount"),
  "kubernetes-models/apps/v1/Deployment": () => import("kubernetes-models/apps/v1/Deployment"),
  "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler": () => import("kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler"),
  "kubernetes-models/batch/v1/Job": () => import("kubernetes-models/batch/v1/Job"),
  "kubernetes-models/networking.k8s.io/v1/NetworkPolicy": () => import("kubernetes-models/networking.k8s.io/v1/NetworkPolicy"),
  "kubernetes-models/policy/v1/PodDisruptionBudget": () => import("kubernetes-models/policy/v1/PodDisruptionBudget"),
  "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject": () => import("@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject"),
  "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication": () =>
    import("@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication"),
  "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule": () =>
    import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule"),
  "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor": () =>
    import("@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor"),
};

const cache = new Map<string, Promise<Record<string, unknown> | undefined>>();

async function loadModule(path: string): Promise<Record<string, unknown> | undefined> {
  let p = cache.get(path);
  if (!p) {
    p = (BUNDLED_MODELS[path]?.() ?? dynamicImport(path)).then(
      (m) => m as Record<string, unknown>,
      () => undefined,
    );
    cache.set(path, p);
  }
  return p;
}

export interface SchemaFinding {
  /** `Kind namespace/name`. */
  readonly object: string;
  readonly message: string;
}

/** `Kind namespace/name` (or `Kind name`): how synth, the checks and infra/ name an object in their messages. */
export function describeObject(o: LooseObject): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : "";
  return `${o.kind} ${ns}${o.metadata?.name ?? "(unnamed)"}`;
}

/** Validates every object; returns one finding per invalid or unknown object. */
export async function validateObjects(objects: readonly LooseObject[]): Promise<SchemaFinding[]> {
  const findings: SchemaFinding[] = [];
  for (const o of objects) {
    const object = describeObject(o);
    const path = typeof o.apiVersion === "string" ? modulePath(o.apiVersion) : undefined;
    // One kind's module, not its whole group-version index: loading every model of `v1` and
    // `monitoring.coreos.com/v1` (≈900 files) was most of synth's start-up.
    const mod = path && typeof o.kind === "string" && KIND.test(o.kind) ? await loadModule(`${path}/${o.kind}`) : undefined;
    const Model = mod?.[o.kind] as ModelClass | undefined;
    if (!Model) {
      findings.push({ object, message: `no schema for apiVersion ${o.apiVersion} kind ${o.kind}` });
      continue;
    }
    try {
      // A model's constructor deep-copies the object without its undefined members for validate()
      // to read: an object without any (every rendered one) is read as it is, without the copy.
      if (hasUndefinedMember(o)) new Model(o).validate();
      else Model.prototype.validate.call(o);
    } catch (e) {
      findings.push({ object, message: (e as Error).message });
    }
  }
  return findings;
}

/** Whether a map anywhere in `v` has a member set to undefined (what kubernetes-models' copy drops). */
export function hasUndefinedMember(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return false;
  if (Array.isArray(v)) {
    for (const item of v) if (hasUndefinedMember(item)) return true;
    return false;
  }
  for (const k of Object.keys(v)) {
    const m = (v as Record<string, unknown>)[k];
    if (m === undefined || hasUndefinedMember(m)) return true;
  }
  return false;
}
