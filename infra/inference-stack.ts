/**
 * Deploys an environment's synthesized objects — the same in-memory cdk8s charts `npm run synth`
 * writes to dist/<env>/ — as one Pulumi resource per Kubernetes object, so `pulumi preview` lists
 * and diffs each of them. Built-in kinds become the typed @pulumi/kubernetes class of their
 * apiVersion/kind; custom resources become `CustomResource`s that wait for the add-on installing
 * their CRD; namespaced objects wait for their Namespace.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CrdSource } from "./cluster-addons.js";
import type { SecretKeyRef } from "./config.js";
import { createConfigSecret, type ConfigSecret } from "./config-secret.js";
import { describeObject } from "../stacks/schema.js";

export type { ConfigSecret } from "./config-secret.js";

/** A rendered Kubernetes object (`chart.toJson()` element). */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [field: string]: unknown;
}

/** The objects of one chart, in apply order. */
export interface ChartObjects {
  /** Chart id (its file is dist/<env>/<chart>.yaml). */
  readonly chart: string;
  readonly objects: readonly KubeObject[];
}

export interface InferenceStackArgs {
  /** Charts of the environment stack, in apply order. */
  readonly charts: readonly ChartObjects[];
  /** API group → where its CRDs come from (ClusterAddons.crdSources). */
  readonly crdSources: ReadonlyMap<string, CrdSource>;
  /** Namespaces created by add-on releases → the release. @default none */
  readonly namespaceOwners?: ReadonlyMap<string, pulumi.Resource>;
  /** Protect the environment's Namespace objects from deletion. @default false */
  readonly protectNamespace?: boolean;
  /**
   * Secrets the objects read that synth must not render (stack.requiredSecrets, TriggerAuthentication
   * references), created from secret stack config. @default []
   */
  readonly secrets?: readonly ConfigSecret[];
  /** KEDA's namespace: where ClusterTriggerAuthentication Secrets live. @default "keda" */
  readonly kedaNamespace?: string;
}

type ObjectConstructor = new (name: string, args: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const at = apiVersion.lastIndexOf("/");
  return at < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, at), version: apiVersion.slice(at + 1) };
}

/** A group served by a CRD rather than by the API server itself. */
export function isCustomGroup(group: string): boolean {
  return group.includes(".") && !group.endsWith(".k8s.io");
}

/**
 * The typed @pulumi/kubernetes class for a built-in apiVersion/kind: `v1` → `core.v1`,
 * `apps/v1` → `apps.v1`, `rbac.authorization.k8s.io/v1` → `rbac.v1`.
 */
function builtinClass(apiVersion: string, kind: string): ObjectConstructor | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  if (isCustomGroup(group)) return undefined;
  const module = group === "" ? "core" : group.split(".")[0]!;
  const ctor = (k8s as unknown as Record<string, Record<string, Record<string, unknown>> | undefined>)[module]?.[version]?.[kind];
  return typeof ctor === "function" ? (ctor as ObjectConstructor) : undefined;
}

/** What an object waits for, decided before anything is registered. */
interface Planned {
  readonly object: KubeObject;
  readonly ctor: ObjectConstructor;
  /** The CRD source of its group, for custom resources. */
  readonly crd?: CrdSource;
}

/** Checks every object can be deployed; throws one error listing all that cannot. */
function plan(charts: readonly ChartObjects[], crdSources: ReadonlyMap<string, CrdSource>): Planned[] {
  const planned: Planned[] = [];
  const problems: string[] = [];
  for (const chart of charts) {
    for (const object of chart.objects) {
      const { group } = splitApiVersion(object.apiVersion);
      if (isCustomGroup(group)) {
        const crd = crdSources.get(group);
        if (!crd) {
          problems.push(
            `${describeObject(object)} (chart ${chart.chart}) is a ${group} custom resource, but no add-on of this environment provides that CRD. Fix: enable the add-on in the env config (cluster.*) or stop rendering the object`,
          );
          continue;
        }
        planned.push({ object, ctor: k8s.apiextensions.CustomResource as unknown as ObjectConstructor, crd });
        continue;
      }
      const ctor = builtinClass(object.apiVersion, object.kind);
      if (!ctor) {
        problems.push(
          `${describeObject(object)} (chart ${chart.chart}) has apiVersion ${object.apiVersion} kind ${object.kind}, which @pulumi/kubernetes has no resource for. Fix: render a supported apiVersion`,
        );
        continue;
      }
      planned.push({ object, ctor });
    }
  }
  if (problems.length) throw new pulumi.RunError(problems.join("\n"));
  return planned;
}

/** Every Secret key the rendered (Cluster)TriggerAuthentications read that no chart renders. */
export function unrenderedSecretRefs(charts: readonly ChartObjects[], kedaNamespace = "keda"): SecretKeyRef[] {
  const objects = charts.flatMap((c) => c.objects);
  const rendered = new Set(
    objects.filter((o) => o.apiVersion === "v1" && o.kind === "Secret").map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
  );
  const refs: SecretKeyRef[] = [];
  for (const o of objects) {
    if (splitApiVersion(o.apiVersion).group !== "keda.sh") continue;
    if (o.kind !== "TriggerAuthentication" && o.kind !== "ClusterTriggerAuthentication") continue;
    const namespace = o.kind === "TriggerAuthentication" ? (o.metadata.namespace ?? "default") : kedaNamespace;
    const entries =
      (o["spec"] as { secretTargetRef?: { parameter: string; name: string; key: string }[] } | undefined)?.secretTargetRef ?? [];
    for (const r of entries) {
      if (rendered.has(`${namespace}/${r.name}`)) continue;
      refs.push({ namespace, secretName: r.name, key: r.key, parameter: r.parameter, referencedBy: describeObject(o) });
    }
  }
  return refs;
}

export class InferenceStack extends pulumi.ComponentResource {
  /** One resource per rendered object, by `Kind namespace/name`. */
  readonly objects: ReadonlyMap<string, pulumi.CustomResource>;
  /** Secrets created from stack config, by `namespace/name`. */
  readonly configSecrets: ReadonlyMap<string, k8s.core.v1.Secret>;

  constructor(name: string, args: InferenceStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("inference-scaling:infra:InferenceStack", name, {}, opts);
    const planned = plan(args.charts, args.crdSources);
    const kedaNamespace = args.kedaNamespace ?? "keda";

    // Namespaces first: everything namespaced waits for its own.
    const objects = new Map<string, pulumi.CustomResource>();
    const namespaces = new Map<string, pulumi.Resource>();
    for (const p of planned) {
      if (p.object.apiVersion !== "v1" || p.object.kind !== "Namespace") continue;
      const ns = new p.ctor(p.object.metadata.name, { ...p.object }, { parent: this, protect: args.protectNamespace ?? false });
      namespaces.set(p.object.metadata.name, ns);
      objects.set(describeObject(p.object), ns);
    }
    const namespaceDeps = (ns: string | undefined): pulumi.Resource[] => {
      if (!ns) return [];
      const owner = namespaces.get(ns) ?? args.namespaceOwners?.get(ns);
      return owner ? [owner] : [];
    };

    const configSecrets = new Map<string, k8s.core.v1.Secret>();
    for (const s of args.secrets ?? []) {
      configSecrets.set(`${s.namespace}/${s.name}`, createConfigSecret(s, { parent: this, dependsOn: namespaceDeps(s.namespace) }));
    }

    for (const p of planned) {
      const o = p.object;
      if (objects.has(describeObject(o))) continue;
      const dependsOn = [...namespaceDeps(o.metadata.namespace)];
      if (p.crd?.kind === "installed") dependsOn.push(p.crd.by);
      if (o.kind === "TriggerAuthentication" || o.kind === "ClusterTriggerAuthentication") {
        const secretNs = o.kind === "TriggerAuthentication" ? o.metadata.namespace : kedaNamespace;
        const refs = (o["spec"] as { secretTargetRef?: { name: string }[] } | undefined)?.secretTargetRef ?? [];
        for (const r of refs) {
          const secret = configSecrets.get(`${secretNs}/${r.name}`);
          if (secret) dependsOn.push(secret);
        }
      }
      const resourceName = o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
      objects.set(describeObject(o), new p.ctor(resourceName, { ...o }, { parent: this, dependsOn }));
    }

    this.objects = objects;
    this.configSecrets = configSecrets;
    this.registerOutputs({ objects: [...objects.keys()] });
  }
}
