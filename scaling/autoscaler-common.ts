/**
 * What the autoscaler constructs (HPA v2, KEDA ScaledObject) share: the workload they scale, the
 * HPA `behavior` block (KEDA copies it verbatim into the HPA it creates), the signal kinds that
 * decide whether `AverageValue` is meaningful, quantity formatting, and the error type whose every
 * line names the resource, the field and the fix.
 */
import { DNS_LABEL, DNS_SUBDOMAIN } from "../kube/names.js";
import { Node, type IConstruct } from "constructs";
import { parseQuantity } from "../kube/quantity.js";
import { InvariantError, problem, UserError, type Problem } from "../problems/problem.js";

/**
 * A construct refused its props. One line per problem, each
 * `<Kind> <namespace>/<name>: <field>: <message>. Fix: <fix>`; the stack places it in its environment.
 */
export class AutoscalerError extends UserError {
  constructor(problems: readonly Problem[]) {
    super(problems, problems.map((p) => `${p.resource}: ${p.path}: ${p.message}. Fix: ${p.fix}`).join("\n"));
  }
}

/** Collects every problem of one object so a single error reports them all. */
export class Problems {
  private readonly list: Omit<Problem, "resource">[] = [];

  add(field: string, message: string, fix: string): void {
    this.list.push(problem({ code: "CONSTRUCT_INVARIANT", path: field, message, fix }));
  }

  /** Adds the problem unless `ok`. */
  require(ok: boolean, field: string, message: string, fix: string): void {
    if (!ok) this.add(field, message, fix);
  }

  get count(): number {
    return this.list.length;
  }

  /** Throws the problems of `resource` (`Kind namespace/name` of the object that would have been rendered), if any. */
  throwIfAny(resource: string): void {
    if (this.list.length) throw new AutoscalerError(this.list.map((p) => ({ ...p, resource })));
  }
}

/**
 * What a metric measures, which decides how it may be targeted:
 * - `additive`: counts, sums, queue lengths, rates — the total divided by the pods is what one pod
 *   carries, so `AverageValue` (total / per-pod target) is meaningful;
 * - `quantile`, `ratio`, `average`: not additive across pods. `AverageValue` would compute
 *   `ceil(value / target)` whatever the replica count (a p95 of 0.6 s against 0.5 s always asks
 *   for 2 pods); use `Value` (`ceil(value / target × current replicas)`).
 */
export type SignalKind = "quantile" | "ratio" | "average" | "additive";

/** A container of the scaled workload, with the requests resource-based scaling divides by. */
export interface TargetContainer {
  readonly name: string;
  /** @default no requests */
  readonly requests?: { readonly cpu?: string; readonly memory?: string };
}

/** The workload an autoscaler owns (the object behind `scaleTargetRef`). */
export interface ScaleTarget {
  /** @default "apps/v1" */
  readonly apiVersion?: string;
  /** @default "Deployment" */
  readonly kind?: string;
  readonly name: string;
  readonly namespace: string;
  /** The pod template's containers: cpu/memory targets need their requests. */
  readonly containers: readonly TargetContainer[];
  /**
   * Hands the replica count to the autoscaler (cdk8s-plus `IScalable.markHasAutoscaler`): the
   * workload stops rendering `spec.replicas` and throws when a second autoscaler claims it.
   * @default not called (the workload keeps its replica count)
   */
  markHasAutoscaler?(owner: string): void;
}

/**
 * A Deployment that can hand its replica count to an autoscaler (what InferenceService is,
 * structurally; cdk8s-plus calls the idea `IScalable`).
 */
export interface ScalableDeployment {
  readonly name: string;
  readonly namespace: string;
  /** The container resource-based triggers read. */
  readonly containerName: string;
  readonly resources: { readonly requests: { readonly cpu?: string; readonly memory?: string } };
  markHasAutoscaler(owner: string): void;
}

/** The Deployment `workload` as an autoscaler's target: its one container and its requests. */
export function deploymentScaleTarget(workload: ScalableDeployment): ScaleTarget {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    name: workload.name,
    namespace: workload.namespace,
    containers: [{ name: workload.containerName, requests: { ...workload.resources.requests } }],
    markHasAutoscaler: (owner) => workload.markHasAutoscaler(owner),
  };
}

/** KEDA names the HPA it creates for a ScaledObject `keda-hpa-<name>` (unless the object names it). */
export const KEDA_HPA_PREFIX = "keda-hpa-";

/** The HPA KEDA creates for ScaledObject `scaledObject` when `horizontalPodAutoscalerConfig.name` is unset. */
export function kedaHpaName(scaledObject: string): string {
  return `${KEDA_HPA_PREFIX}${scaledObject}`;
}

export function targetKind(t: ScaleTarget): string {
  return t.kind ?? "Deployment";
}

export function targetApiVersion(t: ScaleTarget): string {
  return t.apiVersion ?? "apps/v1";
}

// Autoscalers claimed per construct tree: two autoscalers on one workload fight over its replica
// count (the HPA reports AmbiguousSelector; KEDA rejects a second ScaledObject), whether or not the
// target object can mark itself.
const claims = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Registers `owner` (e.g. `ScaledObject/inference`) as the one autoscaler of `target` in the
 * construct tree of `scope`, and hands it the replica count. Records a problem on a second claim.
 */
export function claimScaleTarget(scope: IConstruct, target: ScaleTarget, owner: string, problems: Problems, field: string): void {
  const root = Node.of(scope).root;
  let byTarget = claims.get(root);
  if (!byTarget) claims.set(root, (byTarget = new Map()));
  const key = `${targetKind(target)} ${target.namespace}/${target.name}`;
  const previous = byTarget.get(key);
  const fix = "keep one autoscaler per workload (pick one scaling mode)";
  if (previous !== undefined) {
    problems.add(field, `${key} is already scaled by ${previous}; ${owner} would fight it over the replica count (AmbiguousSelector)`, fix);
    return;
  }
  try {
    target.markHasAutoscaler?.(owner);
  } catch (e) {
    problems.add(field, (e as Error).message, fix);
    return;
  }
  byTarget.set(key, owner);
}

/**
 * Records a problem unless every container the resource metric reads requests that resource:
 * utilization is usage / request, and the HPA refuses to compute it when a request is missing.
 * @param container only this container (ContainerResource, KEDA `containerName`); all otherwise
 */
export function requireRequests(
  target: ScaleTarget,
  resource: "cpu" | "memory",
  container: string | undefined,
  problems: Problems,
  field: string,
): void {
  const fix = `set resources.requests.${resource} on the container (service.resources.requests.${resource})`;
  if (container !== undefined) {
    const c = target.containers.find((x) => x.name === container);
    if (!c) {
      problems.add(
        field,
        `container "${container}" is not in ${targetKind(target)} ${target.name} (containers: ${target.containers.map((x) => x.name).join(", ")})`,
        "name one of its containers",
      );
    } else if (!c.requests?.[resource]) {
      problems.add(field, `a ${resource} target needs a ${resource} request, but container "${container}" has none`, fix);
    }
    return;
  }
  if (target.containers.length === 0) {
    problems.add(
      field,
      `a ${resource} target needs container requests, but ${targetKind(target)} ${target.name} lists no containers`,
      "describe the target's containers and their requests",
    );
  }
  for (const c of target.containers) {
    if (!c.requests?.[resource])
      problems.add(field, `a ${resource} target needs a ${resource} request on every container, but "${c.name}" has none`, fix);
  }
}

/**
 * Records a problem unless `name` is a DNS label (`max` ≤ 63) or DNS subdomain (`max` > 63) of at
 * most `max` characters.
 */
export function requireName(name: string, max: number, problems: Problems, field: string, why = "a DNS name"): void {
  const subdomain = max > 63;
  if (!(subdomain ? DNS_SUBDOMAIN : DNS_LABEL).test(name)) {
    problems.add(
      field,
      `"${name}" is not a DNS ${subdomain ? "subdomain" : "label"} (lower-case letters, digits and '-'${subdomain ? ", dot-separated" : ""})`,
      "use a name such as inference",
    );
  } else if (name.length > max) {
    problems.add(field, `"${name}" is ${name.length} characters; at most ${max} fit (${why})`, `shorten it to ${max} characters or fewer`);
  }
}

export function isWhole(n: number, min: number, max = Number.MAX_SAFE_INTEGER): boolean {
  return Number.isInteger(n) && n >= min && n <= max;
}

/**
 * A number as a Kubernetes quantity: whole numbers as they are, fractions in milli, micro or nano
 * units (0.35 → "350m"), the exact forms the API server keeps. Throws on negative, non-finite or
 * sub-nano values. Strings must already be quantities and are returned unchanged.
 */
export function toQuantity(v: number | string): string {
  if (typeof v === "string") {
    parseQuantity(v);
    return v;
  }
  if (!Number.isFinite(v) || v < 0) throw new InvariantError(`${v} is not a non-negative finite number`);
  if (Number.isInteger(v)) {
    if (!Number.isSafeInteger(v)) throw new InvariantError(`${v} is too large for a quantity; use a suffix such as 10G`);
    return String(v);
  }
  for (const [suffix, mult] of [
    ["m", 1e3],
    ["u", 1e6],
    ["n", 1e9],
  ] as const) {
    const scaled = v * mult;
    const rounded = Math.round(scaled);
    // Relative tolerance absorbs binary float noise (0.35 × 1000 = 350.00000000000006).
    if (rounded >= 1 && Math.abs(scaled - rounded) <= 1e-9 * scaled) return `${rounded}${suffix}`;
  }
  throw new InvariantError(`${v} needs more precision than a quantity keeps (nano units)`);
}

/** Validates a number-or-quantity target value (> 0) and returns its quantity form. */
export function positiveQuantity(v: number | string, problems: Problems, field: string): string | undefined {
  let q: string;
  try {
    q = toQuantity(v);
  } catch (e) {
    problems.add(
      field,
      `${JSON.stringify(v)} is not a quantity: ${(e as Error).message}`,
      "give a positive number or a quantity such as 500m or 2Gi",
    );
    return undefined;
  }
  if (!(parseQuantity(q) > 0)) {
    problems.add(field, `target ${JSON.stringify(v)} must be greater than 0`, "give a positive target");
    return undefined;
  }
  return q;
}

// ---------------------------------------------------------------------------------------------
// HPA behavior (autoscaling/v2 HorizontalPodAutoscalerBehavior)

export type SelectPolicy = "Max" | "Min" | "Disabled";

export interface ScalingPolicy {
  /** `Pods`: at most `value` pods per period; `Percent`: at most `value` % of the current count. */
  readonly type: "Pods" | "Percent";
  /** Greater than 0. */
  readonly value: number;
  /** Window the policy holds over, 1–1800 s. */
  readonly periodSeconds: number;
}

export interface ScalingRules {
  /** Past recommendations considered before acting, 0–3600 s. @default 0 up, 300 down (Kubernetes) */
  readonly stabilizationWindowSeconds?: number;
  /** Which policy wins when several allow different changes. @default "Max" (Kubernetes) */
  readonly selectPolicy?: SelectPolicy;
  /** At least one when given. @default Kubernetes' policies for the direction */
  readonly policies?: readonly ScalingPolicy[];
}

export interface ScalingBehavior {
  /** @default Kubernetes' scale-up rules: max(4 pods, 100 %) per 15 s, no window */
  readonly scaleUp?: ScalingRules;
  /** @default Kubernetes' scale-down rules: 100 % per 15 s after a 300 s window */
  readonly scaleDown?: ScalingRules;
}

/** Records every violation of the API server's HPA behavior validation. */
export function checkBehavior(b: ScalingBehavior, problems: Problems, field: string): void {
  for (const dir of ["scaleUp", "scaleDown"] as const) {
    const rules = b[dir];
    if (!rules) continue;
    const at = `${field}.${dir}`;
    const w = rules.stabilizationWindowSeconds;
    if (w !== undefined)
      problems.require(
        isWhole(w, 0, 3600),
        `${at}.stabilizationWindowSeconds`,
        `${w} must be a whole number of seconds from 0 to 3600`,
        "use a window between 0 and 3600 s",
      );
    if (rules.policies !== undefined) {
      problems.require(
        rules.policies.length > 0,
        `${at}.policies`,
        "an empty policy list is rejected by the API server",
        "list at least one policy or leave policies out for the defaults",
      );
      rules.policies.forEach((p, i) => {
        problems.require(
          isWhole(p.value, 1),
          `${at}.policies[${i}].value`,
          `${p.value} must be a whole number greater than 0`,
          "allow at least 1 pod or 1 %",
        );
        problems.require(
          isWhole(p.periodSeconds, 1, 1800),
          `${at}.policies[${i}].periodSeconds`,
          `${p.periodSeconds} must be a whole number from 1 to 1800`,
          "use a period between 1 and 1800 s",
        );
      });
    }
  }
}

/** The behavior block as the API expects it (only the fields given, in a stable order). */
export function renderBehavior(b: ScalingBehavior): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const dir of ["scaleUp", "scaleDown"] as const) {
    const r = b[dir];
    if (!r) continue;
    out[dir] = {
      ...(r.stabilizationWindowSeconds !== undefined ? { stabilizationWindowSeconds: r.stabilizationWindowSeconds } : {}),
      ...(r.selectPolicy !== undefined ? { selectPolicy: r.selectPolicy } : {}),
      ...(r.policies !== undefined
        ? { policies: r.policies.map((p) => ({ type: p.type, value: p.value, periodSeconds: p.periodSeconds })) }
        : {}),
    };
  }
  return out;
}
