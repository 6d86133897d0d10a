/** Kubernetes recommended labels, shared by every object that belongs to one service. */

export const MANAGED_BY = "inference-scaling";

export interface ServiceIdentity {
  /** `app.kubernetes.io/name`: the service (and Deployment/Service) name. */
  readonly name: string;
  /** `app.kubernetes.io/instance`: the environment instance, e.g. `inference-prod`. */
  readonly instance: string;
  /** `app.kubernetes.io/component`. */
  readonly component: string;
  /** `app.kubernetes.io/part-of`. */
  readonly partOf: string;
}

/** All recommended labels, for object metadata. */
export function standardLabels(id: ServiceIdentity): Record<string, string> {
  return {
    "app.kubernetes.io/name": id.name,
    "app.kubernetes.io/instance": id.instance,
    "app.kubernetes.io/component": id.component,
    "app.kubernetes.io/part-of": id.partOf,
    "app.kubernetes.io/managed-by": MANAGED_BY,
  };
}

/**
 * The selector: only the labels that never change for the life of the Deployment (a Deployment's
 * selector is immutable, so it must not contain a version or anything a config edit could change).
 */
export function selectorLabels(id: ServiceIdentity): Record<string, string> {
  return {
    "app.kubernetes.io/name": id.name,
    "app.kubernetes.io/instance": id.instance,
  };
}
