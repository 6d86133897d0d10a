/**
 * The environment's NetworkPolicies (chart `network-policy`, `dist/<env>/network-policy.yaml`),
 * from `networkPolicy` and the workloads the stack rendered:
 * - every pod: default-deny ingress (and egress with `networkPolicy.egress`, DNS allowed);
 * - the inference service: its serving port from its callers (the orchestrator when there is
 *   one, else the ingress controller; plus `callers` and the load test's workers), its metrics
 *   port from Prometheus;
 * - the orchestrator and the GPU server: serving port from the ingress controller (or the
 *   orchestrator), metrics from Prometheus; the orchestrator may reach the inference service;
 * - queue workers: no ingress; egress to the declared RabbitMQ;
 * - the load test: workers → master, workers → inference service.
 * Prometheus itself is never an egress target: the pods do not call it, it calls them.
 */
import { selectorLabels } from "../kube/labels.js";
import { MASTER_PORT } from "../constructs/load-test.js";
import { NamespaceNetworkPolicies, type PolicyPeer, type PolicyRule, type PolicyWorkload } from "../constructs/network-policy.js";
import type { Construct } from "constructs";
import type { InferenceService } from "../constructs/inference-service.js";
import type { EnvConfig } from "./config.js";
import { EnvChart } from "./env-chart.js";
import { identity, type Extras } from "./extras.js";

/** Who may scrape the metrics ports: `metricsFrom`, else the Prometheus pods of the declared Prometheus namespace. */
export function metricsPeers(config: EnvConfig): PolicyPeer[] {
  const np = config.networkPolicy;
  return np.metricsFrom ?? [{ namespace: config.monitoring.prometheus.namespace, podLabels: np.prometheusPodLabels }];
}

const tcp = (port: number) => [{ port }];

/** What the network-policy concern needs: the config and every workload the stack rendered. */
export interface NetworkPolicyProps {
  readonly config: EnvConfig;
  readonly service: InferenceService;
  readonly extras: Pick<Extras, "gpu" | "orchestrator" | "loadTests">;
  /** The environment's other inference services (each with its metrics port), after `service`. @default none */
  readonly moreServices?: readonly { readonly service: InferenceService; readonly metricsPort: number }[];
}

/** The chart `network-policy` and its policies. */
export interface NetworkPolicies {
  readonly chart: EnvChart;
  readonly policies: NamespaceNetworkPolicies;
}

/** The chart `network-policy`, unless policies are off (local clusters only). */
export function buildNetworkPolicies(scope: Construct, props: NetworkPolicyProps): NetworkPolicies | undefined {
  const { config, extras } = props;
  const np = config.networkPolicy;
  if (!np.enabled) return undefined;
  const metrics = (port: number): PolicyRule => ({ purpose: "metrics", ports: tcp(port), peers: metricsPeers(config) });
  const orchestrator = extras.orchestrator?.service;
  const loadTests = extras.loadTests;
  // Each service takes load from its own load test's workers.
  const loadOn = (svc: InferenceService): PolicyPeer[] =>
    loadTests.filter((t) => t.service === svc).map((t) => ({ podLabels: t.loadTest.workerSelector }));
  const front: PolicyPeer[] = orchestrator ? [{ podLabels: orchestrator.selector }] : [np.ingressController];
  const svc = props.service;
  const workloads: PolicyWorkload[] = [];

  workloads.push({
    name: svc.name,
    podLabels: svc.selector,
    ingress: [
      {
        purpose: "serving",
        ports: tcp(svc.port),
        peers: [...front, ...np.callers, ...loadOn(svc)],
      },
      metrics(config.service.metrics.port),
    ],
  });
  // The other models take the same callers and scrape as the first.
  const more = props.moreServices ?? [];
  for (const m of more) {
    workloads.push({
      name: m.service.name,
      podLabels: m.service.selector,
      ingress: [
        {
          purpose: "serving",
          ports: tcp(m.service.port),
          peers: [...front, ...np.callers, ...loadOn(m.service)],
        },
        metrics(m.metricsPort),
      ],
    });
  }
  if (orchestrator && config.orchestrator) {
    workloads.push({
      name: orchestrator.name,
      podLabels: orchestrator.selector,
      ingress: [
        { purpose: "serving", ports: tcp(orchestrator.port), peers: [np.ingressController] },
        metrics(config.orchestrator.metricsPort),
      ],
      egress: [svc, ...more.map((m) => m.service)].map((s) => ({
        purpose: `calls ${s.name}`,
        ports: tcp(s.port),
        peers: [{ podLabels: s.selector }],
      })),
    });
  }
  const gpu = extras.gpu?.service;
  if (gpu) {
    // vLLM serves /metrics on its API port: the scrape and the callers share it.
    workloads.push({
      name: gpu.name,
      podLabels: gpu.selector,
      ingress: [{ purpose: "serving", ports: tcp(gpu.port), peers: front }, metrics(gpu.port)],
    });
  }
  for (const w of config.queueWorkers ?? []) {
    const rabbit = np.rabbitmq;
    workloads.push({
      name: w.name,
      podLabels: selectorLabels(identity(config, w.name, "queue-worker")),
      ...(rabbit ? { egress: [{ purpose: "rabbitmq", ports: tcp(rabbit.port), peers: [rabbit] }] } : {}),
    });
  }
  for (const { service: target, loadTest } of loadTests) {
    workloads.push({
      name: `${loadTest.name}-master`,
      podLabels: loadTest.masterSelector,
      ingress: [{ purpose: "locust workers", ports: tcp(MASTER_PORT), peers: [{ podLabels: loadTest.workerSelector }] }],
    });
    workloads.push({
      name: `${loadTest.name}-workers`,
      podLabels: loadTest.workerSelector,
      egress: [
        { purpose: "locust master", ports: tcp(MASTER_PORT), peers: [{ podLabels: loadTest.masterSelector }] },
        { purpose: `load on ${target.name}`, ports: tcp(target.port), peers: [{ podLabels: target.selector }] },
      ],
    });
  }

  const chart = new EnvChart(scope, "network-policy");
  const policies = new NamespaceNetworkPolicies(chart, "NetworkPolicies", {
    namespace: config.namespace,
    labels: { "app.kubernetes.io/part-of": config.service.partOf },
    workloads,
    denyEgress: np.egress,
    dns: np.dns,
  });
  return { chart, policies };
}
