/**
 * Kubernetes Secrets whose values come from encrypted stack config, never from dist/: the Secrets
 * rendered objects read (InferenceStack) and Grafana's admin Secret (ClusterAddons) are all created
 * here, so every one of them is a Pulumi secret (encrypted in state, masked in previews).
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** A Secret created from secret stack config. */
export interface ConfigSecret {
  readonly namespace: string;
  readonly name: string;
  /** Key → value; the typed Secret wraps the whole of `stringData` as a Pulumi secret. */
  readonly stringData: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Registers `s` as a `kubernetes:core/v1:Secret` named `<namespace>/<name>`. */
export function createConfigSecret(s: ConfigSecret, opts: pulumi.CustomResourceOptions): k8s.core.v1.Secret {
  return new k8s.core.v1.Secret(
    `${s.namespace}/${s.name}`,
    {
      metadata: { name: s.name, namespace: s.namespace, labels: { "app.kubernetes.io/managed-by": "inference-scaling" } },
      type: "Opaque",
      // The typed Secret marks stringData secret: encrypted in state, masked in previews.
      stringData: s.stringData,
    },
    opts,
  );
}
