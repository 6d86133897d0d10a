/**
 * The environment's namespace, enforcing the restricted Pod Security Standard, with an optional
 * ResourceQuota that bounds what the autoscalers may ask for.
 */
import { k8s } from "cdk8s-plus-28";
import { Construct } from "constructs";
import { MANAGED_BY } from "../kube/labels.js";

export interface RestrictedNamespaceProps {
  readonly name: string;
  /** Extra labels on the namespace. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Quota on the sum of pod requests in the namespace. @default no quota */
  readonly quota?: { readonly cpu: string; readonly memory: string };
}

export class RestrictedNamespace extends Construct {
  readonly name: string;
  readonly quota?: { readonly cpu: string; readonly memory: string };

  constructor(scope: Construct, id: string, props: RestrictedNamespaceProps) {
    super(scope, id);
    this.name = props.name;
    this.quota = props.quota;
    new k8s.KubeNamespace(this, "Namespace", {
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          "app.kubernetes.io/managed-by": MANAGED_BY,
          // The API server rejects any pod that is not restricted-compliant, whoever creates it.
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "latest",
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
        },
      },
    });
    if (props.quota) {
      new k8s.KubeResourceQuota(this, "Quota", {
        metadata: { name: "compute", namespace: props.name, labels: { "app.kubernetes.io/managed-by": MANAGED_BY } },
        spec: {
          hard: {
            "requests.cpu": k8s.Quantity.fromString(props.quota.cpu),
            "requests.memory": k8s.Quantity.fromString(props.quota.memory),
          },
        },
      });
    }
  }
}
