/**
 * SCRAPE_BLOCKED_BY_POLICY on hand-built NetworkPolicies (upstream networking.k8s.io/v1 shape),
 * evaluated against the coherent environment's ServiceMonitor scrape and the config's callers.
 */
import { describe, expect, it } from "vitest";
import { check, coherent, config, deployment, expectErrors, mutate, NS, serviceMonitor, type Run } from "./fixtures.js";
import type { K8sObject } from "../../../stacks/checks/index.js";
import { CheckContext } from "../../../stacks/checks/context.js";
import { allowed, selectingPolicies, type Endpoint, type TargetPort } from "../../../stacks/checks/network-policy.js";

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

describe("NetworkPolicy evaluation as the API defines it (allowed, selectingPolicies)", () => {
  const PROM: Endpoint = { namespace: "monitoring", labels: { "app.kubernetes.io/name": "prometheus" }, description: "Prometheus" };
  const PODS: Endpoint = { namespace: NS, labels: POD, description: "the pods" };
  const METRICS: TargetPort = { number: 9090, name: "metrics", protocol: "TCP" };
  const ctxOf = (objects: K8sObject[]) => new CheckContext({ config: config(), objects });
  const ingressOk = (objects: K8sObject[], port: TargetPort = METRICS, from: Endpoint = PROM) =>
    allowed(ctxOf(objects), PODS, from, port, "Ingress").ok;
  const admitting = (rule: unknown, port: TargetPort = METRICS, from: Endpoint = PROM, extra: K8sObject[] = []) =>
    ingressOk([policy("p", { podSelector: {}, policyTypes: ["Ingress"], ingress: [rule] }), ...extra], port, from);

  it("a pod no policy selects accepts everything; a policy of another namespace or selecting other pods does not select it", () => {
    expect(allowed(ctxOf([]), PODS, PROM, METRICS, "Ingress")).toEqual({ ok: true, policies: [] });
    const other = { ...DENY, metadata: { name: "deny", namespace: "elsewhere" } };
    const otherPods = policy("deny", { podSelector: { matchLabels: { app: "else" } }, policyTypes: ["Ingress"] });
    expect(selectingPolicies(ctxOf([other, otherPods]), PODS, "Ingress")).toEqual([]);
    expect(ingressOk([other, otherPods])).toBe(true);
    const noSelector = policy("deny", { policyTypes: ["Ingress"] });
    expect(selectingPolicies(ctxOf([noSelector]), PODS, "Ingress")).toEqual([noSelector]);
    const d = allowed(ctxOf([DENY]), PODS, PROM, METRICS, "Ingress");
    expect(d.ok).toBe(false);
    expect(d.policies).toEqual([DENY]);
  });

  it("policyTypes decide the directions; without them Ingress always and Egress only with egress rules", () => {
    const egressOnly = policy("e", { podSelector: {}, policyTypes: ["Egress"] });
    expect(selectingPolicies(ctxOf([egressOnly]), PODS, "Ingress")).toEqual([]);
    expect(selectingPolicies(ctxOf([egressOnly]), PODS, "Egress")).toEqual([egressOnly]);
    const bogus = policy("b", { podSelector: {}, policyTypes: ["Sideways"] });
    expect(selectingPolicies(ctxOf([bogus]), PODS, "Ingress")).toEqual([]);
    expect(selectingPolicies(ctxOf([bogus]), PODS, "Egress")).toEqual([]);
    const bare = policy("bare", { podSelector: {} });
    expect(selectingPolicies(ctxOf([bare]), PODS, "Ingress")).toEqual([bare]);
    expect(selectingPolicies(ctxOf([bare]), PODS, "Egress")).toEqual([]);
    const withEgress = policy("we", { podSelector: {}, egress: [] });
    expect(selectingPolicies(ctxOf([withEgress]), PODS, "Ingress")).toEqual([withEgress]);
    expect(selectingPolicies(ctxOf([withEgress]), PODS, "Egress")).toEqual([withEgress]);
  });

  it("peers: ipBlock, an empty peer and a non-object never match pods; a bare podSelector means the policy's namespace", () => {
    expect(admitting({ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] })).toBe(false);
    expect(admitting({ from: [{ ipBlock: { cidr: "0.0.0.0/0" }, namespaceSelector: {} }] })).toBe(false);
    expect(admitting({ from: [{}] })).toBe(false);
    expect(admitting({ from: ["everyone"] })).toBe(false);
    expect(admitting({ from: [] })).toBe(true);
    expect(admitting({ from: "not a list" })).toBe(true);
    expect(admitting({ from: [{ podSelector: {} }] })).toBe(false);
    expect(admitting({ from: [{ podSelector: {} }] }, METRICS, { ...PROM, namespace: NS })).toBe(true);
    expect(admitting({ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "grafana" } } }] })).toBe(false);
    expect(admitting({ from: [{ namespaceSelector: {}, podSelector: { matchLabels: PROM.labels } }] })).toBe(true);
    expect(admitting("not a rule")).toBe(false);
  });

  it("a namespaceSelector matches the rendered Namespace's labels as well as kubernetes.io/metadata.name", () => {
    const rule = { from: [{ namespaceSelector: { matchLabels: { team: "observability" } } }] };
    expect(admitting(rule)).toBe(false);
    const ns = (name: string, labels: unknown) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
    expect(admitting(rule, METRICS, PROM, [ns("monitoring", { team: "observability" })])).toBe(true);
    expect(admitting(rule, METRICS, PROM, [ns("other", { team: "observability" })])).toBe(false);
    expect(admitting(rule, METRICS, PROM, [ns("monitoring", { team: 7 })])).toBe(false);
    // The name label cannot be overridden by a rendered label.
    const byName = { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] };
    expect(admitting(byName, METRICS, PROM, [ns("monitoring", { "kubernetes.io/metadata.name": "x" })])).toBe(true);
  });

  it("ports: protocol (TCP by default), number, numeric string, name, endPort range inclusive, no port = every port", () => {
    const ports = (...p: unknown[]) => ({ ports: p });
    expect(admitting(ports({ port: 9090 }))).toBe(true);
    expect(admitting(ports({ port: 9091 }))).toBe(false);
    expect(admitting(ports({ port: 9090, protocol: "SCTP" }))).toBe(false);
    expect(admitting(ports({ port: 9090, protocol: "UDP" }), { ...METRICS, protocol: "UDP" })).toBe(true);
    expect(admitting(ports({ port: 9090 }), { ...METRICS, protocol: "UDP" })).toBe(false);
    expect(admitting(ports({ protocol: "TCP" }))).toBe(true);
    expect(admitting(ports({ protocol: "UDP" }))).toBe(false);
    expect(admitting(ports({ port: "9090" }))).toBe(true);
    expect(admitting(ports({ port: "9091" }))).toBe(false);
    expect(admitting(ports({ port: "metrics" }))).toBe(true);
    expect(admitting(ports({ port: "http" }))).toBe(false);
    expect(admitting(ports({ port: "metrics" }), { number: 9090, protocol: "TCP" })).toBe(false);
    expect(admitting(ports({ port: 9090, endPort: 9090 }))).toBe(true);
    expect(admitting(ports({ port: 9000, endPort: 9090 }))).toBe(true);
    expect(admitting(ports({ port: 9091, endPort: 9100 }))).toBe(false);
    expect(admitting(ports({ port: 9000, endPort: 9089 }))).toBe(false);
    expect(admitting(ports({ port: 9090, endPort: "9100" }))).toBe(true);
    expect(admitting(ports({ port: 9000, endPort: "9100" }))).toBe(false);
    expect(admitting(ports({ port: true }))).toBe(false);
    expect(admitting(ports("9090"))).toBe(false);
    expect(admitting(ports({ port: 8000 }, { port: 9090 }))).toBe(true);
    expect(admitting({ ports: [] })).toBe(true);
    expect(admitting({ ports: { port: 8000 } })).toBe(true);
  });

  it("the union of every selecting policy's rules: one admitting rule is enough", () => {
    const narrow = policy("narrow", { podSelector: {}, ingress: [{ ports: [{ port: 8000 }] }] });
    const metrics = policy("metrics", { podSelector: { matchLabels: POD }, ingress: [{ from: [PROM_PEER], ports: [{ port: 9090 }] }] });
    expect(ingressOk([narrow])).toBe(false);
    expect(ingressOk([narrow, metrics])).toBe(true);
    expect(ingressOk([policy("nothing", { podSelector: {}, ingress: "all" })])).toBe(false);
  });

  it("egress reads the `to` peers of egress rules", () => {
    const egress = policy("e", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ podSelector: {} }], ports: [{ port: 9090 }] }],
    });
    const inNs = { ...PROM, namespace: NS };
    expect(allowed(ctxOf([egress]), PODS, inNs, METRICS, "Egress").ok).toBe(true);
    expect(allowed(ctxOf([egress]), PODS, PROM, METRICS, "Egress").ok).toBe(false);
    const fromOnly = policy("f", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ from: [{ ipBlock: {} }], ports: [{ port: 9091 }] }],
    });
    expect(allowed(ctxOf([fromOnly]), PODS, inNs, METRICS, "Egress").ok).toBe(false);
  });
});

describe("SCRAPE_BLOCKED_BY_POLICY findings: which policy, which port, who is refused, the fix", () => {
  it("the scrape finding names the policy, the pods, the port and its name, Prometheus' namespace and pods, and the config fields to fix", () => {
    const [e] = run([DENY]).errors;
    expect(e!.path).toBe("spec.ingress");
    expect(e!.message).toBe(
      "the scrape ServiceMonitor ml-t/inference cannot reach its targets (up == 0, every query on them empty): Deployment ml-t/inference port 9090 (metrics) is selected by NetworkPolicy default-deny, and no ingress rule of them admits Prometheus (namespace monitoring, pods app.kubernetes.io/name=prometheus)",
    );
    expect(e!.fix).toBe(
      "allow the metrics port from the Prometheus pods: networkPolicy.metricsFrom must include namespace monitoring (monitoring.prometheus.namespace) and the Prometheus pod labels (networkPolicy.prometheusPodLabels), or remove the policy rule that shadows it",
    );
  });

  it("the caller finding names the service, the serving port, every selecting policy, the ingress controller, and the fix", () => {
    const other = policy("also-deny", { podSelector: {} });
    const errors = run([DENY, other]).errors;
    expect(errors).toHaveLength(2);
    expect(errors[1]!.resource).toBe(`NetworkPolicy ${NS}/default-deny`);
    expect(errors[1]!.message).toBe(
      "a declared caller cannot reach inference: Deployment ml-t/inference port 8000 (http) is selected by NetworkPolicy default-deny, also-deny, and no ingress rule of them admits the ingress controller (networkPolicy.ingressController) (namespace ingress-nginx, pods app.kubernetes.io/name=ingress-nginx,app.kubernetes.io/component=controller)",
    );
    expect(errors[1]!.fix).toBe(
      "allow the serving port from every declared caller (networkPolicy.callers, networkPolicy.ingressController, the orchestrator), or remove the caller from the config",
    );
  });

  it("a caller without pod labels is the whole namespace; a caller without a namespace is the service's own", () => {
    const errors = run([DENY, allow()], { networkPolicy: { callers: [{ podLabels: {} }, { namespace: "batch", podLabels: {} }] } }).errors;
    expect(errors.map((e) => e.message.replace(/^.* admits /, ""))).toEqual([
      `caller networkPolicy.callers[0] (namespace ${NS})`,
      "caller networkPolicy.callers[1] (namespace batch)",
    ]);
  });

  it("a port without a name is shown by number; an unnamed policy as ?", () => {
    const unnamed: K8sObject = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { namespace: NS },
      spec: { podSelector: {} },
    };
    const objects = [...coherent(), unnamed].map((o) => {
      if (o.kind !== "Deployment") return o;
      const d = structuredClone(o);
      d.spec.template.spec.containers[0].ports = [{ containerPort: 8000 }, { containerPort: 9090, name: "metrics" }];
      return d;
    });
    const errors = check(objects).errors.filter((e) => e.code === "SCRAPE_BLOCKED_BY_POLICY");
    expect(errors.map((e) => /port (\S+(?: \(\w+\))?) is selected by NetworkPolicy (\S+),/.exec(e.message)?.slice(1))).toEqual([
      ["9090 (metrics)", "?"],
      ["8000", "?"],
    ]);
  });

  it("an orchestrator's egress is checked; a caller in another namespace is not (its policies are not rendered here)", () => {
    const denyEgress = policy("deny-egress", { podSelector: {}, policyTypes: ["Egress"] });
    const open = policy("serving-port", { podSelector: {}, ingress: [{ ports: [{ port: 8000 }] }] });
    expect(
      run([DENY, allow(), open, denyEgress], { networkPolicy: { callers: [{ namespace: "batch", podLabels: { app: "x" } }] } }).errors,
    ).toEqual([]);
    const [e] = expectErrors(run([DENY, allow(), open, denyEgress], { networkPolicy: { callers: [{ podLabels: { app: "x" } }] } }), [
      "SCRAPE_BLOCKED_BY_POLICY",
    ]);
    expect(e!.path).toBe("spec.egress");
    expect(e!.resource).toBe(`NetworkPolicy ${NS}/deny-egress`);
    expect(e!.message).toBe(
      `a declared caller cannot reach inference: caller networkPolicy.callers[0] (namespace ${NS}, pods app=x) is selected by egress NetworkPolicy deny-egress, and no egress rule of them lets it reach Deployment ml-t/inference port 8000 (http)`,
    );
  });

  it("checks each scraped workload port once, whatever the number of scrapes of it", () => {
    const second = { ...serviceMonitor(), metadata: { ...serviceMonitor().metadata, name: "inference-2" } };
    const errors = run([DENY, second]).errors.filter((e) => /Prometheus/.test(e.message));
    expect(errors).toHaveLength(1);
  });

  it("without any NetworkPolicy nothing is checked, not even a Namespace's", () => {
    const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } };
    expect(run([ns]).findings).toEqual([]);
  });
});

describe("NetworkPolicy evaluation: hand-edited objects and the edges of the rules", () => {
  const PROM: Endpoint = { namespace: "monitoring", labels: { "app.kubernetes.io/name": "prometheus" }, description: "Prometheus" };
  const PODS: Endpoint = { namespace: NS, labels: POD, description: "the pods" };
  const METRICS: TargetPort = { number: 9090, name: "metrics", protocol: "TCP" };
  const ctxOf = (objects: K8sObject[]) => new CheckContext({ config: config(), objects });
  const admitting = (rule: unknown, from: Endpoint = PROM, port: TargetPort = METRICS, extra: K8sObject[] = []) =>
    allowed(ctxOf([policy("p", { podSelector: {}, policyTypes: ["Ingress"], ingress: [rule] }), ...extra]), PODS, from, port, "Ingress").ok;

  it("a policy without spec selects every pod of its namespace for ingress and admits nothing; one without metadata selects nothing", () => {
    const bare: K8sObject = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "bare", namespace: NS } };
    expect(selectingPolicies(ctxOf([bare]), PODS, "Ingress")).toEqual([bare]);
    expect(selectingPolicies(ctxOf([bare]), PODS, "Egress")).toEqual([]);
    expect(allowed(ctxOf([bare]), PODS, PROM, METRICS, "Ingress").ok).toBe(false);
    const anonymous: K8sObject = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", spec: { podSelector: {} } };
    expect(selectingPolicies(ctxOf([anonymous]), PODS, "Ingress")).toEqual([]);
  });

  it("namespace labels: only string values count; a Namespace object without metadata is none", () => {
    const exists = { from: [{ namespaceSelector: { matchExpressions: [{ key: "team", operator: "Exists" }] } }] };
    const ns = (labels: unknown) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring", labels } });
    expect(admitting(exists, PROM, METRICS, [ns({ team: "obs" })])).toBe(true);
    expect(admitting(exists, PROM, METRICS, [ns({ team: 7 })])).toBe(false);
    expect(admitting(exists, PROM, METRICS, [{ apiVersion: "v1", kind: "Namespace" }, ns({ team: "obs" })])).toBe(true);
  });

  it("a peer with neither selector admits nobody, not even the policy's own namespace", () => {
    expect(admitting({ from: [{}] }, { ...PROM, namespace: NS })).toBe(false);
  });

  it("one matching peer of several is enough", () => {
    expect(admitting({ from: [{ podSelector: { matchLabels: { app: "x" } } }, PROM_PEER] })).toBe(true);
  });

  it("a port by name is the whole name: names with digits are no port numbers", () => {
    expect(admitting({ ports: [{ port: "m9090" }] }, PROM, { ...METRICS, name: "m9090" })).toBe(true);
    expect(admitting({ ports: [{ port: "9090m" }] }, PROM, { ...METRICS, name: "9090m" })).toBe(true);
    expect(admitting({ ports: [{ port: "m9090" }] }, PROM, { ...METRICS, name: "metrics" })).toBe(false);
  });
});

describe("SCRAPE_BLOCKED_BY_POLICY: which pods and ports the rendered workloads give", () => {
  it("a container port without protocol is TCP, as a TCP policy port admits it", () => {
    const objects = mutate([...coherent(), DENY, allow()], (get) => {
      for (const p of get("Deployment").spec.template.spec.containers[0].ports) delete p.protocol;
    });
    expect(check(objects).findings).toEqual([]);
  });

  it("a serving port no container declares is checked by number, over TCP", () => {
    const objects = mutate([...coherent(), DENY], (get) => {
      get("Deployment").spec.template.spec.containers[0].ports = [null, { name: "metrics", containerPort: 9090 }];
    });
    const callers = check(objects).errors.filter((e) => /declared caller/.test(e.message));
    expect(callers.map((e) => /port (\S+) is selected/.exec(e.message)?.[1])).toEqual(["8000"]);
    const open = policy("serving", { podSelector: {}, ingress: [{ ports: [{ port: 8000, protocol: "TCP" }] }] });
    expect(check([...objects, open]).errors.filter((e) => /declared caller/.test(e.message))).toEqual([]);
  });

  it("the scrape is checked against the pods of the workload it scrapes, not another workload's", () => {
    const other = deployment({ name: "batch", labels: { app: "batch" } });
    const denyInference = policy("deny-inference", { podSelector: { matchLabels: POD }, policyTypes: ["Ingress"] });
    const errors = check([other, ...coherent(), denyInference]).errors.filter((e) => /Prometheus/.test(e.message));
    expect(errors.map((e) => e.resource)).toEqual([`NetworkPolicy ${NS}/deny-inference`]);
  });

  it("without the service's workload only the scrapes are checked (no caller to check)", () => {
    const objects = [...coherent().filter((o) => o.kind !== "Deployment"), DENY];
    expect(check(objects).errors.filter((e) => e.code === "SCRAPE_BLOCKED_BY_POLICY")).toEqual([]);
  });

  it("the orchestrator caller is its Deployment; without one the ingress controller is the caller", () => {
    const patch = {
      orchestrator: {
        image: "registry.example.com/ml/orchestrator:1.0.0",
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
      },
    };
    const sts = { ...deployment({ name: "orchestrator", labels: { app: "orchestrator" } }), kind: "StatefulSet" };
    const errors = run([sts, DENY, allow()], patch).errors.filter((e) => e.code === "SCRAPE_BLOCKED_BY_POLICY");
    // The ingress controller is admitted by allow(): a StatefulSet named orchestrator is no orchestrator caller.
    expect(errors).toEqual([]);
    const deny = policy("default-deny", { podSelector: {}, policyTypes: ["Ingress"] });
    const refused = run([sts, deny], patch).errors.filter((e) => /declared caller/.test(e.message));
    expect(refused.map((e) => e.message.replace(/^.* admits /, ""))).toEqual([
      "the ingress controller (networkPolicy.ingressController) (namespace ingress-nginx, pods app.kubernetes.io/name=ingress-nginx,app.kubernetes.io/component=controller)",
    ]);
  });

  it("egress is evaluated only for callers in the environment's namespace (other namespaces' policies are not this environment's)", () => {
    const denyBatchEgress = {
      ...policy("deny-egress", { podSelector: {}, policyTypes: ["Egress"] }),
      metadata: { name: "deny-egress", namespace: "batch" },
    };
    const open = policy("serving-port", { podSelector: {}, ingress: [{ ports: [{ port: 8000 }] }] });
    expect(
      run([DENY, allow(), open, denyBatchEgress], { networkPolicy: { callers: [{ namespace: "batch", podLabels: { app: "x" } }] } }).errors,
    ).toEqual([]);
  });
});

describe("SCRAPE_BLOCKED_BY_POLICY on hand-edited workloads", () => {
  it("a serving template without metadata or spec has no labels and no ports; a null container declares none", () => {
    const deny = policy("default-deny", { podSelector: {}, policyTypes: ["Ingress"] });
    const callerPorts = (change: (t: any) => void) =>
      check(mutate([...coherent(), deny], (get) => change(get("Deployment").spec.template)))
        .errors.filter((e) => /declared caller/.test(e.message))
        .map((e) => /port (\S+(?: \(\w+\))?) is selected/.exec(e.message)?.[1]);
    expect(callerPorts((t) => delete t.metadata)).toEqual(["8000 (http)"]);
    expect(callerPorts((t) => delete t.spec)).toEqual(["8000"]);
    expect(callerPorts((t) => (t.spec.containers = [null, ...t.spec.containers]))).toEqual(["8000 (http)"]);
  });

  it("a Deployment without metadata is no orchestrator", () => {
    const patch = {
      orchestrator: {
        image: "registry.example.com/ml/orchestrator:1.0.0",
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "512Mi" } },
      },
    };
    const anonymous: K8sObject = { ...deployment({ name: "x", labels: { app: "x" } }), metadata: undefined };
    const refused = run([anonymous, DENY], patch).errors.filter((e) => /declared caller/.test(e.message));
    expect(refused.map((e) => e.message.replace(/^.* admits /, ""))).toEqual([
      "the ingress controller (networkPolicy.ingressController) (namespace ingress-nginx, pods app.kubernetes.io/name=ingress-nginx,app.kubernetes.io/component=controller)",
    ]);
  });
});
