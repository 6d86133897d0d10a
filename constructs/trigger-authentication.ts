/**
 * KEDA TriggerAuthentication (namespaced) and ClusterTriggerAuthentication: the only way a KEDA
 * trigger gets a credential. Each entry maps a trigger parameter (`host`, `bearerToken`, ...) to
 * a key of a Secret; the rendered objects carry Secret names and keys, never a value.
 */
import { ApiObject } from "cdk8s";
import type { IClusterTriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1/ClusterTriggerAuthentication";
import type { ITriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication";
import { Construct } from "constructs";
import { Problems, requireName } from "../scaling/autoscaler-common.js";

/** One trigger parameter read from a Secret key. */
export interface SecretTargetRef {
  /** The trigger parameter it supplies, e.g. `host` (rabbitmq) or `bearerToken` (prometheus). */
  readonly parameter: string;
  /** Name of the Secret (in the TriggerAuthentication's namespace; KEDA's own for the cluster kind). */
  readonly name: string;
  /** Key in the Secret. */
  readonly key: string;
}

/** What a trigger's `authenticationRef` points at, and which parameters it supplies. */
export interface TriggerAuthRef {
  readonly kind: "TriggerAuthentication" | "ClusterTriggerAuthentication";
  readonly name: string;
  /** Namespace of a TriggerAuthentication; undefined for the cluster-scoped kind. */
  readonly namespace?: string;
  /** Trigger parameters it supplies. */
  readonly parameters: readonly string[];
}

interface CommonProps {
  readonly name: string;
  /** Secret keys the triggers read; at least one. */
  readonly secretTargetRef: readonly SecretTargetRef[];
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface TriggerAuthenticationProps extends CommonProps {
  /** Namespace of the object, its Secrets and the ScaledObjects that use it. */
  readonly namespace: string;
}

/** Cluster-scoped: its Secrets live in KEDA's namespace (the operator's cluster object namespace). */
export type ClusterTriggerAuthenticationProps = CommonProps;

const PARAMETER = /^[A-Za-z][A-Za-z0-9_]*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

function checkRefs(refs: readonly SecretTargetRef[], problems: Problems): void {
  problems.require(
    refs.length > 0,
    "spec.secretTargetRef",
    "no secret references: the object would authenticate nothing",
    "list at least one { parameter, name, key }",
  );
  const seen = new Set<string>();
  refs.forEach((r, i) => {
    const at = `spec.secretTargetRef[${i}]`;
    problems.require(
      PARAMETER.test(r.parameter),
      `${at}.parameter`,
      `"${r.parameter}" is not a trigger parameter name`,
      "use the parameter the scaler documents, e.g. host or bearerToken",
    );
    if (seen.has(r.parameter))
      problems.add(`${at}.parameter`, `parameter "${r.parameter}" is supplied twice`, "keep one entry per parameter");
    seen.add(r.parameter);
    requireName(r.name, 253, problems, `${at}.name`, "a Secret name");
    problems.require(SECRET_KEY.test(r.key), `${at}.key`, `"${r.key}" is not a valid Secret key`, "use letters, digits, '-', '_' or '.'");
  });
}

function renderRefs(refs: readonly SecretTargetRef[]) {
  return refs.map((r) => ({ parameter: r.parameter, name: r.name, key: r.key }));
}

export class TriggerAuthentication extends Construct implements TriggerAuthRef {
  readonly kind = "TriggerAuthentication" as const;
  readonly name: string;
  readonly namespace: string;
  readonly parameters: readonly string[];
  readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: TriggerAuthenticationProps) {
    super(scope, id);
    const problems = new Problems();
    requireName(props.name, 253, problems, "metadata.name");
    requireName(props.namespace, 63, problems, "metadata.namespace");
    checkRefs(props.secretTargetRef, problems);
    problems.throwIfAny(`TriggerAuthentication ${props.namespace}/${props.name}`);

    this.name = props.name;
    this.namespace = props.namespace;
    this.parameters = props.secretTargetRef.map((r) => r.parameter);
    const body: ITriggerAuthentication = {
      apiVersion: "keda.sh/v1alpha1",
      kind: "TriggerAuthentication",
      metadata: { name: props.name, namespace: props.namespace, ...(props.labels ? { labels: { ...props.labels } } : {}) },
      spec: { secretTargetRef: renderRefs(props.secretTargetRef) },
    };
    this.apiObject = new ApiObject(this, "Resource", body);
  }
}

export class ClusterTriggerAuthentication extends Construct implements TriggerAuthRef {
  readonly kind = "ClusterTriggerAuthentication" as const;
  readonly name: string;
  readonly namespace = undefined;
  readonly parameters: readonly string[];
  readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ClusterTriggerAuthenticationProps) {
    super(scope, id);
    const problems = new Problems();
    requireName(props.name, 253, problems, "metadata.name");
    checkRefs(props.secretTargetRef, problems);
    problems.throwIfAny(`ClusterTriggerAuthentication ${props.name}`);

    this.name = props.name;
    this.parameters = props.secretTargetRef.map((r) => r.parameter);
    const body: IClusterTriggerAuthentication = {
      apiVersion: "keda.sh/v1alpha1",
      kind: "ClusterTriggerAuthentication",
      metadata: { name: props.name, ...(props.labels ? { labels: { ...props.labels } } : {}) },
      spec: { secretTargetRef: renderRefs(props.secretTargetRef) },
    };
    this.apiObject = new ApiObject(this, "Resource", body);
  }
}
