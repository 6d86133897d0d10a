/**
 * NetworkPolicies per environment (stacks/network-policy.ts, constructs/network-policy.ts): what
 * each env renders, reviewed by hand, and the construct's refusals.
 */
import { Chart, Testing } from "cdk8s";
import { describe, expect, it } from "vitest";
import { NamespaceNetworkPolicies } from "../../constructs/network-policy.js";
import { runChecks } from "../../stacks/checks/index.js";
import { configProblems, envInput, stackFor } from "../helpers/env.js";

function policies(env: string, patch = {}): Map<string, any> {
  const objs = stackFor(env, patch)
    .objects()
    .filter((o: any) => o.kind === "NetworkPolicy");
  return new Map(objs.map((o: any) => [o.metadata.name, o]));
}

const PROM = {
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
  podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
};
const tcp = (port: number) => [{ port, protocol: "TCP" }];

describe("NetworkPolicy per environment", () => {
  it("prod: default-deny in and out, DNS, orchestrator → inference, ingress-nginx → orchestrator, Prometheus → metrics, workers → RabbitMQ", () => {
    const p = policies("prod");
    expect([...p.keys()]).toEqual(["default-deny", "allow-dns", "inference", "orchestrator", "embedding-worker"]);
    expect(p.get("default-deny").spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(p.get("allow-dns").spec.egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
          },
        ],
        ports: [
          { port: 53, protocol: "UDP" },
          { port: 53, protocol: "TCP" },
        ],
      },
    ]);
    const orchestratorPods = { "app.kubernetes.io/instance": "orchestrator-prod", "app.kubernetes.io/name": "orchestrator" };
    expect(p.get("inference").spec).toEqual({
      podSelector: { matchLabels: { "app.kubernetes.io/instance": "inference-prod", "app.kubernetes.io/name": "inference" } },
      policyTypes: ["Ingress"],
      ingress: [
        { from: [{ podSelector: { matchLabels: orchestratorPods } }], ports: tcp(8000) },
        { from: [PROM], ports: tcp(9090) },
      ],
    });
    const orch = p.get("orchestrator").spec;
    expect(orch.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(orch.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({ "kubernetes.io/metadata.name": "ingress-nginx" });
    expect(orch.egress).toEqual([
      {
        to: [{ podSelector: { matchLabels: { "app.kubernetes.io/instance": "inference-prod", "app.kubernetes.io/name": "inference" } } }],
        ports: tcp(8000),
      },
    ]);
    expect(p.get("embedding-worker").spec).toEqual({
      podSelector: { matchLabels: { "app.kubernetes.io/instance": "embedding-worker-prod", "app.kubernetes.io/name": "embedding-worker" } },
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "queue" } },
              podSelector: { matchLabels: { "app.kubernetes.io/name": "rabbitmq" } },
            },
          ],
          ports: tcp(5672),
        },
      ],
    });
    // No policy lets the pods call Prometheus: it calls them.
    const egressPeers = JSON.stringify([...p.values()].flatMap((x) => x.spec.egress ?? []));
    expect(egressPeers).not.toContain('"monitoring"');
  });

  it("dev: Traefik (kube-system) is the caller; the load test's workers reach the master and the service", () => {
    const dev = policies("dev");
    expect([...dev.keys()]).toEqual(["default-deny", "inference"]);
    expect(dev.get("inference").spec.ingress[0].from).toEqual([
      {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
        podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } },
      },
    ]);
    const lt = policies("loadtest");
    expect(lt.get("inference").spec.ingress[0].from).toContainEqual({
      podSelector: { matchLabels: { "app.kubernetes.io/instance": "locust-loadtest", "app.kubernetes.io/name": "locust-workers" } },
    });
    expect(lt.get("locust-master").spec.ingress).toEqual([
      {
        from: [
          { podSelector: { matchLabels: { "app.kubernetes.io/instance": "locust-loadtest", "app.kubernetes.io/name": "locust-workers" } } },
        ],
        ports: tcp(5557),
      },
    ]);
    // The GPU server serves metrics on its API port: one port, two rules.
    const gpu = policies("gpu").get("llm").spec.ingress;
    expect(gpu.map((r: any) => r.ports[0].port)).toEqual([8000, 8000]);
    expect(gpu[1].from).toEqual([PROM]);
  });

  it("every built-in env passes SCRAPE_BLOCKED_BY_POLICY with its own policies", () => {
    for (const env of ["dev", "staging", "prod", "gpu", "loadtest"]) {
      expect(
        runChecks(stackFor(env)).map((f) => f.code),
        env,
      ).not.toContain("SCRAPE_BLOCKED_BY_POLICY");
    }
  });

  it("only a local cluster may turn policies off; then none is rendered", () => {
    expect(policies("dev", { networkPolicy: { enabled: false } }).size).toBe(0);
    expect(configProblems(envInput("staging", { networkPolicy: { enabled: false } }), "staging").map((p) => `${p.code} ${p.path}`)).toEqual(
      ["CONFIG_CONFLICT networkPolicy.enabled"],
    );
  });

  it("callers and metricsFrom are configurable", () => {
    const p = policies("staging", {
      networkPolicy: {
        callers: [{ namespace: "batch", podLabels: { app: "scorer" } }],
        metricsFrom: [{ namespace: "monitoring", podLabels: { "app.kubernetes.io/name": "prometheus" } }, { namespace: "observability" }],
      },
    });
    const [serving, metrics] = p.get("inference").spec.ingress;
    expect(serving.from).toHaveLength(2);
    expect(serving.from[1]).toEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "batch" } },
      podSelector: { matchLabels: { app: "scorer" } },
    });
    expect(metrics.from[1]).toEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } },
      podSelector: { matchLabels: {} },
    });
  });

  it("the construct refuses rules that would open more than they say", () => {
    const make = (props: Partial<ConstructorParameters<typeof NamespaceNetworkPolicies>[2]>) => () =>
      new NamespaceNetworkPolicies(new Chart(Testing.app(), "c"), "p", { namespace: "ns", workloads: [], ...props });
    const w = { name: "api", podLabels: { app: "api" } };
    expect(make({ workloads: [{ ...w, ingress: [{ purpose: "serving", ports: [{ port: 80 }], peers: [] }] }] })).toThrow(/lists no peers/);
    expect(make({ workloads: [{ ...w, ingress: [{ purpose: "serving", ports: [], peers: [{}] }] }] })).toThrow(/lists no ports/);
    expect(make({ workloads: [{ ...w, podLabels: {} }] })).toThrow(/empty pod selector/);
    expect(make({ workloads: [w, w] })).toThrow(/used twice/);
    expect(make({ workloads: [{ ...w, name: "default-deny" }] })).toThrow(/used twice/);
    expect(make({ denyEgress: true })).toThrow(/no DNS peer/);
    expect(make({ workloads: [{ ...w, ingress: [{ purpose: "x", ports: [{ port: 70000 }], peers: [{}] }] }] })).toThrow(/port 70000/);
  });
});
