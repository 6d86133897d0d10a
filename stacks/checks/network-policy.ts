/**
 * SCRAPE_BLOCKED_BY_POLICY: the rendered NetworkPolicies must let Prometheus reach every port a
 * scrape targets, and every caller the config declares reach the port it calls. A policy that
 * cuts the scrape is "Prometheus never scraped the pods" by another road: the targets show
 * `up == 0` (connection timeouts), the scaling queries come back empty, KEDA falls back.
 *
 * The policies are evaluated the way the API defines them, whatever construct rendered them: a
 * pod no policy selects (for a direction) accepts everything; a selected pod accepts the union of
 * the selecting policies' rules; a peer's namespaceSelector is matched against the namespace's
 * labels (`kubernetes.io/metadata.name` always, plus those of a rendered Namespace), a bare
 * podSelector means the policy's own namespace; ports match by number (within `endPort`) or by
 * the container port's name, TCP by default. ipBlock peers are not taken to match pods (pod IPs
 * are not stable). Traffic needs both the target's ingress and the source's egress allowed.
 */
import { NAMESPACE_NAME_LABEL } from "../../constructs/network-policy.js";
import type { CheckContext, PodTemplateRef } from "./context.js";
import { scrapesOf } from "./scrape.js";
import type { K8sObject } from "./types.js";
import { asArray, isObject, resourceOf, selectorMatches, str } from "./util.js";

/** One side of a connection: pods of a namespace with their labels. */
export interface Endpoint {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly description: string;
}

export interface TargetPort {
  readonly number: number;
  readonly name?: string;
  readonly protocol: string;
}

type Direction = "Ingress" | "Egress";

function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
  return out;
}

function directionsOf(policy: K8sObject): Direction[] {
  const types = asArray(policy.spec?.policyTypes).map(String);
  // Stryker disable next-line MethodExpression: callers only ask whether Ingress or Egress is included, so other entries never count
  if (types.length) return types.filter((t): t is Direction => t === "Ingress" || t === "Egress");
  // API default: Ingress always, Egress when the policy has egress rules.
  return ["Ingress", ...(Array.isArray(policy.spec?.egress) ? (["Egress"] as const) : [])];
}

/** Policies selecting `pod` for `direction`. */
export function selectingPolicies(ctx: CheckContext, pod: Endpoint, direction: Direction): K8sObject[] {
  return ctx
    .ofKind("NetworkPolicy", "networking.k8s.io")
    .filter(
      (p) =>
        str(p.metadata?.namespace) === pod.namespace &&
        selectorMatches(p.spec?.podSelector ?? {}, pod.labels) &&
        directionsOf(p).includes(direction),
    );
}

function namespaceLabels(ctx: CheckContext, namespace: string): Record<string, string> {
  const ns = ctx.ofKind("Namespace", "").find((n) => n.metadata?.name === namespace);
  return { ...labelsOf(ns?.metadata?.labels), [NAMESPACE_NAME_LABEL]: namespace };
}

function peerMatches(ctx: CheckContext, peer: unknown, policyNamespace: string, other: Endpoint): boolean {
  if (!isObject(peer) || isObject(peer.ipBlock)) return false;
  const { namespaceSelector, podSelector } = peer;
  if (namespaceSelector === undefined && podSelector === undefined) return false;
  const nsOk =
    namespaceSelector === undefined
      ? other.namespace === policyNamespace
      : selectorMatches(namespaceSelector, namespaceLabels(ctx, other.namespace));
  return nsOk && (podSelector === undefined || selectorMatches(podSelector, other.labels));
}

function portMatches(entry: unknown, port: TargetPort): boolean {
  if (!isObject(entry)) return false;
  if ((str(entry.protocol) ?? "TCP") !== port.protocol) return false;
  const p = entry.port;
  if (p === undefined) return true;
  if (typeof p === "number")
    return typeof entry.endPort === "number" ? port.number >= p && port.number <= entry.endPort : port.number === p;
  if (typeof p === "string") return /^\d+$/.test(p) ? Number(p) === port.number : p === port.name;
  return false;
}

/** Whether the policies selecting `pod` for `direction` let traffic with `other` on `port` through; and which policies they are. */
export function allowed(
  ctx: CheckContext,
  pod: Endpoint,
  other: Endpoint,
  port: TargetPort,
  direction: Direction,
): { ok: boolean; policies: K8sObject[] } {
  const policies = selectingPolicies(ctx, pod, direction);
  if (policies.length === 0) return { ok: true, policies };
  const key = direction === "Ingress" ? "ingress" : "egress";
  const peerKey = direction === "Ingress" ? "from" : "to";
  const ok = policies.some((p) =>
    asArray(p.spec?.[key]).some((rule) => {
      if (!isObject(rule)) return false;
      const peers = rule[peerKey];
      const peerOk = !Array.isArray(peers) || peers.length === 0 || peers.some((x) => peerMatches(ctx, x, pod.namespace, other));
      const ports = rule.ports;
      const portOk = !Array.isArray(ports) || ports.length === 0 || ports.some((e) => portMatches(e, port));
      return peerOk && portOk;
    }),
  );
  return { ok, policies };
}

function endpointOf(pods: PodTemplateRef): Endpoint {
  return {
    // Stryker disable next-line OptionalChaining,StringLiteral: every workload passed here was found by its name (metadata is there); "" and any other non-namespace both select no policy
    namespace: str(pods.object.metadata?.namespace) ?? "",
    labels: labelsOf(pods.template.metadata?.labels),
    description: pods.resource,
  };
}

function containerPort(pods: PodTemplateRef, number: number): TargetPort {
  for (const c of asArray(pods.template.spec?.containers)) {
    for (const p of asArray(c?.ports))
      if (p?.containerPort === number)
        return { number, ...(str(p.name) ? { name: str(p.name)! } : {}), protocol: str(p.protocol) ?? "TCP" };
  }
  return { number, protocol: "TCP" };
}

function peerEndpoint(
  ctx: CheckContext,
  peer: { namespace?: string | undefined; podLabels: Record<string, string> },
  what: string,
): Endpoint {
  const namespace = peer.namespace ?? ctx.config.namespace;
  const shown = Object.entries(peer.podLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  return { namespace, labels: peer.podLabels, description: `${what} (namespace ${namespace}${shown ? `, pods ${shown}` : ""})` };
}

function names(policies: readonly K8sObject[]): string {
  // Stryker disable next-line OptionalChaining: only selecting policies are named, and selecting needs metadata.namespace
  return policies.map((p) => str(p.metadata?.name) ?? "?").join(", ");
}

/** Reports a connection the policies refuse, at the first policy that decides it. */
function report(ctx: CheckContext, from: Endpoint, to: Endpoint, port: TargetPort, what: string, fix: string): void {
  const ingress = allowed(ctx, to, from, port, "Ingress");
  // Stryker disable next-line ArrayDeclaration: the policies are read only when ok is false
  const egress = from.namespace === ctx.config.namespace ? allowed(ctx, from, to, port, "Egress") : { ok: true, policies: [] };
  const portText = `${port.number}${port.name ? ` (${port.name})` : ""}`;
  if (!ingress.ok) {
    ctx.sink.error(
      "SCRAPE_BLOCKED_BY_POLICY",
      resourceOf(ingress.policies[0]!),
      "spec.ingress",
      `${what}: ${to.description} port ${portText} is selected by NetworkPolicy ${names(ingress.policies)}, and no ingress rule of them admits ${from.description}`,
      fix,
    );
  }
  if (!egress.ok) {
    ctx.sink.error(
      "SCRAPE_BLOCKED_BY_POLICY",
      resourceOf(egress.policies[0]!),
      "spec.egress",
      `${what}: ${from.description} is selected by egress NetworkPolicy ${names(egress.policies)}, and no egress rule of them lets it reach ${to.description} port ${portText}`,
      fix,
    );
  }
}

export function checkNetworkPolicies(ctx: CheckContext): void {
  if (ctx.ofKind("NetworkPolicy", "networking.k8s.io").length === 0) return;
  const { config } = ctx;
  const np = config.networkPolicy;
  const prometheus = peerEndpoint(
    ctx,
    { namespace: config.monitoring.prometheus.namespace, podLabels: np.prometheusPodLabels },
    "Prometheus",
  );
  const workloads = ctx.podTemplates();
  const seen = new Set<string>();
  for (const s of scrapesOf(ctx).valid) {
    const pods = workloads.find((w) => w.resource === s.workload);
    const port = Number(/:(\d+)$/.exec(s.target.instance ?? s.target.__address__ ?? "")?.[1]);
    if (!pods || !Number.isInteger(port) || seen.has(`${s.workload}|${port}`)) continue;
    seen.add(`${s.workload}|${port}`);
    report(
      ctx,
      prometheus,
      endpointOf(pods),
      containerPort(pods, port),
      `the scrape ${s.resource} cannot reach its targets (up == 0, every query on them empty)`,
      `allow the metrics port from the Prometheus pods: networkPolicy.metricsFrom must include namespace ${config.monitoring.prometheus.namespace} (monitoring.prometheus.namespace) and the Prometheus pod labels (networkPolicy.prometheusPodLabels), or remove the policy rule that shadows it`,
    );
  }
  // Declared callers of the serving port: the front (orchestrator or ingress controller) and networkPolicy.callers.
  const main = ctx.servicePods;
  if (main) {
    const to = endpointOf(main);
    const port = containerPort(main, config.service.port);
    const orchestrator = config.orchestrator
      ? workloads.find((w) => w.object.kind === "Deployment" && w.object.metadata?.name === config.orchestrator!.name)
      : undefined;
    const callers: Endpoint[] = [
      orchestrator
        ? endpointOf(orchestrator)
        : peerEndpoint(ctx, np.ingressController, "the ingress controller (networkPolicy.ingressController)"),
      ...np.callers.map((c, i) => peerEndpoint(ctx, c, `caller networkPolicy.callers[${i}]`)),
    ];
    for (const from of callers) {
      report(
        ctx,
        from,
        to,
        port,
        `a declared caller cannot reach ${config.service.name}`,
        "allow the serving port from every declared caller (networkPolicy.callers, networkPolicy.ingressController, the orchestrator), or remove the caller from the config",
      );
    }
  }
}
