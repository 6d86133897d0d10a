/**
 * The NetworkPolicies of one namespace (networking.k8s.io/v1): default-deny ingress for every
 * pod, then per workload exactly the traffic it needs — its serving port from its callers, its
 * metrics port from Prometheus — and, when egress is locked down too, DNS plus each workload's
 * declared dependencies.
 *
 * Policies are additive: a pod selected by several policies accepts the union of their rules,
 * and a pod selected by none accepts everything. So the namespace-wide deny comes first and each
 * allowance is a separate, named rule a reviewer can read ("serving", "metrics", ...).
 *
 * The kubelet's probes come from the node and are not subject to these policies on the common
 * CNIs (Calico, Cilium, kube-router), so probes need no rule.
 */
import { InvariantError } from "../problems/problem.js";
import { k8s } from "cdk8s-plus-28";
import { Construct } from "constructs";
import { MANAGED_BY } from "../kube/labels.js";
import { DNS_LABEL } from "../kube/names.js";

/** The label every namespace carries with its own name (Kubernetes ≥ 1.21). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Pods a rule allows: in `namespace` (the policy's own when absent), carrying `podLabels` (all when empty). */
export interface PolicyPeer {
  /** @default the policy's namespace */
  readonly namespace?: string;
  /** @default {} (every pod of the namespace) */
  readonly podLabels?: Readonly<Record<string, string>>;
}

export interface PolicyPort {
  readonly port: number;
  /** @default "TCP" */
  readonly protocol?: "TCP" | "UDP";
}

/** One named allowance: traffic on `ports` between the workload and `peers`. */
export interface PolicyRule {
  /** What the rule is for (`serving`, `metrics`, `rabbitmq`...); documented in an annotation. */
  readonly purpose: string;
  readonly ports: readonly PolicyPort[];
  readonly peers: readonly PolicyPeer[];
}

export interface PolicyWorkload {
  /** Names the policy `<name>`; a DNS label, unique in the namespace. */
  readonly name: string;
  /** The workload's pod selector labels. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Who may connect to the workload's pods. @default [] (nothing beyond the namespace-wide deny) */
  readonly ingress?: readonly PolicyRule[];
  /** Where the workload's pods may connect, besides DNS (only rendered when egress is denied). @default [] */
  readonly egress?: readonly PolicyRule[];
}

export interface NamespaceNetworkPoliciesProps {
  readonly namespace: string;
  /** Labels on every policy. @default managed-by only */
  readonly labels?: Readonly<Record<string, string>>;
  readonly workloads: readonly PolicyWorkload[];
  /** Deny egress too: every pod may reach only DNS and its workload's `egress` rules. @default false */
  readonly denyEgress?: boolean;
  /** The cluster DNS pods (required when `denyEgress`). */
  readonly dns?: PolicyPeer;
}

/** Name of the namespace-wide deny policy. */
export const DEFAULT_DENY_POLICY = "default-deny";
/** Name of the namespace-wide DNS egress policy. */
export const ALLOW_DNS_POLICY = "allow-dns";

function peerOf(p: PolicyPeer): k8s.NetworkPolicyPeer {
  const podSelector = { matchLabels: { ...(p.podLabels ?? {}) } };
  if (p.namespace === undefined) return { podSelector };
  return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: p.namespace } }, podSelector };
}

function portsOf(ports: readonly PolicyPort[]): k8s.NetworkPolicyPort[] {
  return ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? "TCP" }));
}

export class NamespaceNetworkPolicies extends Construct {
  readonly namespace: string;
  /** Names of the rendered policies, in order. */
  readonly policyNames: string[] = [];

  constructor(scope: Construct, id: string, props: NamespaceNetworkPoliciesProps) {
    super(scope, id);
    const { namespace, workloads, denyEgress = false } = props;
    this.namespace = namespace;
    const where = `NetworkPolicies ${namespace}`;
    const reserved = new Set([DEFAULT_DENY_POLICY, ALLOW_DNS_POLICY]);
    const seen = new Set<string>();
    if (denyEgress && !props.dns)
      throw new InvariantError(
        `${where}: egress is denied but no DNS peer is given; every lookup would fail. Give the cluster DNS pods (e.g. kube-system, k8s-app=kube-dns)`,
      );
    for (const w of workloads) {
      if (!DNS_LABEL.test(w.name) || w.name.length > 63) throw new InvariantError(`${where}: policy name "${w.name}" is not a DNS label`);
      if (reserved.has(w.name) || seen.has(w.name))
        throw new InvariantError(`${where}: policy name "${w.name}" is used twice; give each workload its own name`);
      seen.add(w.name);
      if (Object.keys(w.podLabels).length === 0)
        throw new InvariantError(
          `${where}: workload "${w.name}" has an empty pod selector, which would open its rules to every pod of the namespace`,
        );
      for (const r of [...(w.ingress ?? []), ...(w.egress ?? [])]) {
        if (r.peers.length === 0)
          throw new InvariantError(
            `${where}: ${w.name}: rule "${r.purpose}" lists no peers (an empty list would allow everyone); remove the rule or name the callers`,
          );
        if (r.ports.length === 0)
          throw new InvariantError(`${where}: ${w.name}: rule "${r.purpose}" lists no ports (an empty list would allow every port)`);
        for (const p of r.ports)
          if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535)
            throw new InvariantError(`${where}: ${w.name}: rule "${r.purpose}" port ${p.port} is not 1-65535`);
      }
    }

    const labels = { ...(props.labels ?? {}), "app.kubernetes.io/managed-by": MANAGED_BY };
    const add = (name: string, spec: k8s.NetworkPolicySpec, purposes?: readonly string[]) => {
      this.policyNames.push(name);
      new k8s.KubeNetworkPolicy(this, name, {
        metadata: {
          name,
          namespace,
          labels,
          ...(purposes?.length ? { annotations: { "inference-scaling/allows": purposes.join(", ") } } : {}),
        },
        spec,
      });
    };

    // Every pod: no ingress (and no egress) unless a policy below allows it.
    add(DEFAULT_DENY_POLICY, { podSelector: {}, policyTypes: denyEgress ? ["Ingress", "Egress"] : ["Ingress"] });
    if (denyEgress) {
      add(
        ALLOW_DNS_POLICY,
        {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [
            {
              to: [peerOf(props.dns!)],
              ports: portsOf([
                { port: 53, protocol: "UDP" },
                { port: 53, protocol: "TCP" },
              ]),
            },
          ],
        },
        ["dns"],
      );
    }
    for (const w of workloads) {
      const ingress = w.ingress ?? [];
      const egress = denyEgress ? (w.egress ?? []) : [];
      if (ingress.length === 0 && egress.length === 0) continue;
      add(
        w.name,
        {
          podSelector: { matchLabels: { ...w.podLabels } },
          policyTypes: [...(ingress.length ? ["Ingress"] : []), ...(egress.length ? ["Egress"] : [])],
          ...(ingress.length ? { ingress: ingress.map((r) => ({ from: r.peers.map(peerOf), ports: portsOf(r.ports) })) } : {}),
          ...(egress.length ? { egress: egress.map((r) => ({ to: r.peers.map(peerOf), ports: portsOf(r.ports) })) } : {}),
        },
        [...ingress.map((r) => `ingress ${r.purpose}`), ...egress.map((r) => `egress ${r.purpose}`)],
      );
    }
  }
}
