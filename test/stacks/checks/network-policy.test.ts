/**
 * SCRAPE_BLOCKED_BY_POLICY on hand-built NetworkPolicies (upstream networking.k8s.io/v1 shape),
 * evaluated against the coherent environment's ServiceMonitor scrape and the config's callers.
 */
import { describe, expect, it } from "vitest";
import { check, coherent, config, deployment, expectErrors, NS, type Run } from "./fixtures.js";
import type { K8sObject } from "../../../stacks/checks/index.js";

const POD = { "app.kubernetes.io/name": "inference", "app.kubernetes.io/instance": "inference-t" };
const PROM_PEER = {
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
  podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
};
const INGRESS_PEER = {
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } },
  podSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" } },
};

function policy(name: string, spec: Record<string, unknown>): K8sObject {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: NS }, spec };
}
const DENY = policy("default-deny", { podSelector: {}, policyTypes: ["Ingress"] });

function allow(metricsRule: Record<string, unknown> = { from: [PROM_PEER], ports: [{ port: 9090, protocol: "TCP" }] }): K8sObject {
  return policy("inference", {
    podSelector: { matchLabels: POD },
    policyTypes: ["Ingress"],
    ingress: [{ from: [INGRESS_PEER], ports: [{ port: 8000, protocol: "TCP" }] }, metricsRule],
  });
}

const run = (objects: K8sObject[], patch: Record<string, unknown> = {}): Run =>
  check([...coherent(), ...objects], { config: config(patch) });

describe("SCRAPE_BLOCKED_BY_POLICY", () => {
  it("passes no policy at all, and deny + the rendered allowances", () => {
    expect(run([]).findings).toEqual([]);
    expect(run([DENY, allow()]).findings).toEqual([]);
  });

  it("a default-deny with no allowance cuts the scrape and the ingress controller", () => {
    const errors = expectErrors(run([DENY]), ["SCRAPE_BLOCKED_BY_POLICY"]);
    expect(errors).toHaveLength(2);
    expect(errors[0]!.resource).toBe(`NetworkPolicy ${NS}/default-deny`);
    expect(errors[0]!.message).toMatch(
      /ServiceMonitor ml-t\/inference cannot reach its targets.*port 9090 \(metrics\).*Prometheus \(namespace monitoring/,
    );
    expect(errors[1]!.message).toMatch(/declared caller.*ingress controller/);
  });

  it("metrics allowed from the wrong namespace, the wrong pods, or on the wrong port", () => {
    const wrongNs = {
      from: [{ ...PROM_PEER, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } } }],
      ports: [{ port: 9090 }],
    };
    const wrongPods = { from: [{ ...PROM_PEER, podSelector: { matchLabels: { app: "grafana-agent" } } }], ports: [{ port: 9090 }] };
    const wrongPort = { from: [PROM_PEER], ports: [{ port: 8080 }] };
    const udp = { from: [PROM_PEER], ports: [{ port: 9090, protocol: "UDP" }] };
    const samePodsOnly = { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }], ports: [{ port: 9090 }] };
    for (const r of [wrongNs, wrongPods, wrongPort, udp, samePodsOnly]) {
      const [e] = expectErrors(run([DENY, allow(r)]), ["SCRAPE_BLOCKED_BY_POLICY"]);
      expect(e!.resource).toMatch(/NetworkPolicy ml-t\/(default-deny|inference)/);
      expect(e!.fix).toMatch(/networkPolicy\.metricsFrom/);
    }
  });

  it("named ports, port ranges, an empty from and a namespace-wide selector admit the scrape", () => {
    for (const r of [
      { from: [PROM_PEER], ports: [{ port: "metrics" }] },
      { from: [PROM_PEER], ports: [{ port: 9000, endPort: 9100 }] },
      { ports: [{ port: 9090 }] },
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] },
      { from: [{ namespaceSelector: {} }], ports: [{ port: 9090 }] },
    ]) {
      expect(run([DENY, allow(r)]).findings).toEqual([]);
    }
  });

  it("an egress lockdown on a declared in-namespace caller must let it reach the serving port", () => {
    const orchestratorPods = { "app.kubernetes.io/name": "orchestrator", "app.kubernetes.io/instance": "orchestrator-t" };
    const orchestrator = deployment({ name: "orchestrator", labels: orchestratorPods });
    const patch = {
      orchestrator: {
        image: "registry.example.com/ml/orchestrator:1.0.0",
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
      },
    };
    const fromOrchestrator = policy("inference", {
      podSelector: { matchLabels: POD },
      ingress: [
        { from: [{ podSelector: { matchLabels: orchestratorPods } }], ports: [{ port: 8000 }] },
        { from: [PROM_PEER], ports: [{ port: 9090 }] },
      ],
    });
    const denyAll = policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const errors = expectErrors(run([orchestrator, denyAll, fromOrchestrator], patch), ["SCRAPE_BLOCKED_BY_POLICY"]);
    expect(errors.map((e) => e.path)).toEqual(["spec.egress"]);
    expect(errors[0]!.message).toMatch(/Deployment ml-t\/orchestrator is selected by egress NetworkPolicy default-deny/);
    const egress = policy("orchestrator", {
      podSelector: { matchLabels: orchestratorPods },
      policyTypes: ["Egress"],
      egress: [{ to: [{ podSelector: { matchLabels: POD } }], ports: [{ port: 8000 }] }],
    });
    expect(run([orchestrator, denyAll, fromOrchestrator, egress], patch).errors).toEqual([]);
  });

  it("every declared caller (networkPolicy.callers) is checked", () => {
    const [e] = expectErrors(run([DENY, allow()], { networkPolicy: { callers: [{ namespace: "batch", podLabels: { app: "scorer" } }] } }), [
      "SCRAPE_BLOCKED_BY_POLICY",
    ]);
    expect(e!.message).toMatch(/caller networkPolicy\.callers\[0\] \(namespace batch, pods app=scorer\)/);
  });
});
