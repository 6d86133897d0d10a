/**
 * Hand-built rendered objects in the documented upstream shapes (Deployment/Service, KEDA
 * ScaledObject, HPA v2, ServiceMonitor, PrometheusRule, prometheus-adapter config, ResourceQuota),
 * so the check tests do not depend on how the constructs render. `coherent()` is one consistent
 * environment that passes every check; each test breaks one thing.
 */
import { expect } from "vitest";
import type { EnvConfig, EnvConfigInput } from "../../../stacks/config.js";
import { runConfigChecks, runRenderedChecks, type K8sObject } from "../../../stacks/checks/index.js";
import type { RenderedFileInput } from "../../../stacks/checks/types.js";
import { parseEnvConfig } from "../../../stacks/validate.js";
import { type Problem } from "../../../problems/problem.js";

export const NS = "ml-t";
export const SVC = "inference";
import { PROM } from "../../helpers/fixtures.js";
import { patchInput } from "../../helpers/env.js";
export { PROM };
const SCOPE = `namespace="${NS}",job="${SVC}"`;

const BASE_INPUT: EnvConfigInput = {
  name: "t",
  namespace: NS,
  cluster: { kind: "cloud", keda: true, prometheusOperator: true },
  services: [
    {
      image: "registry.example.com/ml/inference:1.0.0",
      resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } },
      scaling: { mode: "keda", minReplicas: 2, maxReplicas: 10 },
      slo: { latency: { thresholdSeconds: 0.5 } },
    },
  ],
  // Queue alert at minReplicas 2 × the default per-pod queue threshold 20: KEDA scales before it pages.
  monitoring: { scrape: "service-monitor", alerts: { p95LatencySeconds: 1, queueBacklog: 40 } },
  capacity: { cpu: "16", memory: "32Gi" },
};

export function input(patch: Record<string, unknown> = {}): EnvConfigInput {
  return patchInput(structuredClone(BASE_INPUT), patch);
}

export function config(patch: Record<string, unknown> = {}): EnvConfig {
  return parseEnvConfig(input(patch), "t");
}

const LABELS = { "app.kubernetes.io/name": SVC, "app.kubernetes.io/instance": `${SVC}-t` };

export function container(over: Record<string, unknown> = {}): K8sObject {
  return {
    name: "server",
    image: "registry.example.com/ml/inference:1.0.0",
    ports: [
      { name: "http", containerPort: 8000, protocol: "TCP" },
      { name: "metrics", containerPort: 9090, protocol: "TCP" },
    ],
    resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "2Gi" } },
    readinessProbe: { httpGet: { path: "/readyz", port: "http" } },
    livenessProbe: { httpGet: { path: "/health", port: "http" } },
    securityContext: {
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    ...over,
  };
}

export function deployment(
  over: {
    name?: string;
    replicas?: number;
    containers?: K8sObject[];
    spec?: Record<string, unknown>;
    labels?: Record<string, string>;
  } = {},
): K8sObject {
  const labels = over.labels ?? LABELS;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: over.name ?? SVC, namespace: NS, labels: { ...labels } },
    spec: {
      ...(over.replicas !== undefined ? { replicas: over.replicas } : {}),
      selector: { matchLabels: { ...labels } },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
          containers: over.containers ?? [container()],
          volumes: [{ name: "tmp", emptyDir: {} }],
          ...over.spec,
        },
      },
    },
  };
}

export function service(): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: SVC, namespace: NS, labels: { ...LABELS } },
    spec: {
      selector: { ...LABELS },
      ports: [
        { name: "http", port: 8000, targetPort: "http" },
        { name: "metrics", port: 9090, targetPort: "metrics" },
      ],
    },
  };
}

/** ServiceMonitor with the metric relabeling that restores the service's own `endpoint` label. */
export function serviceMonitor(endpoint: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): K8sObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: SVC, namespace: NS, labels: { release: "kube-prometheus-stack" }, ...meta },
    spec: {
      selector: { matchLabels: { ...LABELS } },
      namespaceSelector: { matchNames: [NS] },
      endpoints: [
        {
          port: "metrics",
          path: "/metrics",
          interval: "15s",
          metricRelabelings: [
            { sourceLabels: ["exported_endpoint"], regex: "(.+)", targetLabel: "endpoint", replacement: "$1", action: "replace" },
            { regex: "exported_endpoint", action: "labeldrop" },
          ],
          ...endpoint,
        },
      ],
    },
  };
}

export const P95 = `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${SCOPE},endpoint="/predict"}[2m])))`;
export const QUEUE = `sum(inference_queue_len{${SCOPE}})`;

export function promTrigger(query: string, meta: Record<string, unknown> = {}, over: Record<string, unknown> = {}): K8sObject {
  return {
    type: "prometheus",
    metricType: "AverageValue",
    metadata: { serverAddress: PROM, query, threshold: "20", activationThreshold: "10", ignoreNullValues: "false", ...meta },
    ...over,
  };
}

export function scaledObject(over: { name?: string; triggers?: K8sObject[]; spec?: Record<string, unknown> } = {}): K8sObject {
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: { name: over.name ?? SVC, namespace: NS },
    spec: {
      scaleTargetRef: { name: SVC },
      minReplicaCount: 2,
      maxReplicaCount: 10,
      fallback: { failureThreshold: 3, replicas: 5 },
      triggers: over.triggers ?? [
        promTrigger(P95, { threshold: "0.5", activationThreshold: "0.3" }, { name: "p95-latency", metricType: "Value" }),
        promTrigger(QUEUE, {}, { name: "queue-length" }),
        { type: "cpu", metricType: "Utilization", metadata: { value: "85", containerName: "server" } },
      ],
      ...over.spec,
    },
  };
}

export function hpa(over: { name?: string; metrics?: K8sObject[]; max?: number } = {}): K8sObject {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: over.name ?? SVC, namespace: NS },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: SVC },
      minReplicas: 2,
      maxReplicas: over.max ?? 10,
      metrics: over.metrics ?? [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
    },
  };
}

export function rule(expr: string, alert?: string, over: Record<string, unknown> = {}): K8sObject {
  return alert
    ? { alert, expr, for: "1m", labels: { severity: "page" }, ...over }
    : { record: String(over.record ?? "job:x:rate2m"), expr };
}

export function prometheusRule(
  rules: K8sObject[],
  name = "inference-alerts",
  labels: Record<string, string> = { release: "kube-prometheus-stack" },
): K8sObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name, namespace: NS, labels },
    spec: { groups: [{ name, rules }] },
  };
}

/** prometheus-adapter ConfigMap (`config.yaml`), with the template placeholders the adapter fills. */
export function adapterConfigMap(cfg: { rules?: K8sObject[]; externalRules?: K8sObject[] }): K8sObject {
  const yaml = JSON.stringify(cfg, null, 2);
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "inference-prometheus-adapter", namespace: "monitoring" },
    data: { "config.yaml": `${yaml}\n` },
  };
}

export const ADAPTER_P95_RULE = {
  seriesQuery: `http_request_duration_seconds_bucket{${SCOPE},endpoint="/predict"}`,
  resources: { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } },
  name: { matches: "^http_request_duration_seconds_bucket$", as: "inference_request_latency_p95_seconds" },
  metricsQuery: `histogram_quantile(0.95, sum by (le, <<.GroupBy>>) (rate(<<.Series>>{<<.LabelMatchers>>,job="${SVC}",endpoint="/predict"}[2m])))`,
};

export const ADAPTER_QUEUE_RULE = {
  seriesQuery: `inference_queue_len{${SCOPE}}`,
  resources: { overrides: { namespace: { resource: "namespace" } } },
  name: { as: "inference_queue_length" },
  metricsQuery: `sum(<<.Series>>{<<.LabelMatchers>>,job="${SVC}"})`,
};

export function quota(cpu: string, memory: string): K8sObject {
  return {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: "compute", namespace: NS },
    spec: { hard: { "requests.cpu": cpu, "requests.memory": memory } },
  };
}

/** One consistent environment: workload, scrape, KEDA, recording + alert rules, adapter custom rule, quota. */
export function coherent(): K8sObject[] {
  return [
    deployment(),
    service(),
    serviceMonitor(),
    scaledObject(),
    prometheusRule([
      rule(P95, undefined, { record: "job:http_request_duration_seconds:p95_rate2m" }),
      rule(`job:http_request_duration_seconds:p95_rate2m{${SCOPE}} > 1`, "InferenceHighLatency"),
      rule(`${QUEUE} > 40`, "InferenceQueueBacklog"),
      rule(`up{${SCOPE}} == 0`, "InferenceTargetDown"),
    ]),
    adapterConfigMap({ rules: [ADAPTER_P95_RULE] }),
    quota("16", "32Gi"),
  ];
}

export interface Run {
  readonly findings: Problem[];
  readonly errors: Problem[];
  codes(): string[];
}

/** Runs the rendered-object checks on hand-made objects. */
export function check(
  objects: K8sObject[],
  opts: { config?: EnvConfig; files?: RenderedFileInput[]; helmValues?: Record<string, Record<string, unknown>> } = {},
): Run {
  const findings = runRenderedChecks({
    config: opts.config ?? config(),
    objects,
    ...(opts.files ? { files: opts.files } : {}),
    ...(opts.helmValues ? { helmValues: opts.helmValues } : {}),
  });
  return {
    findings,
    errors: findings.filter((f) => f.severity === "error"),
    codes: () => [...new Set(findings.map((f) => f.code))].sort(),
  };
}

export function checkConfig(c: EnvConfig): Run {
  const findings = runConfigChecks(c);
  return {
    findings,
    errors: findings.filter((f) => f.severity === "error"),
    codes: () => [...new Set(findings.map((f) => f.code))].sort(),
  };
}

/** The run has exactly the given error codes (and every finding names env, resource, path, fix). */
export function expectErrors(run: Run, codes: string[]): Problem[] {
  expect([...new Set(run.errors.map((f) => f.code))].sort(), JSON.stringify(run.findings, null, 1)).toEqual([...codes].sort());
  for (const f of run.findings) {
    expect(f.env).toBe("t");
    expect(f.resource.length).toBeGreaterThan(3);
    expect(f.fix.length).toBeGreaterThan(5);
  }
  return run.errors;
}

/** The run has no errors and exactly the given warning codes; returns the warnings. */
export function expectWarnings(run: Run, codes: string[]): Problem[] {
  expect(run.errors, JSON.stringify(run.findings, null, 1)).toEqual([]);
  const warnings = run.findings.filter((f) => f.severity === "warning");
  expect([...new Set(warnings.map((f) => f.code))].sort(), JSON.stringify(run.findings, null, 1)).toEqual([...codes].sort());
  for (const f of warnings) {
    expect(f.env).toBe("t");
    expect(f.resource.length).toBeGreaterThan(3);
    expect(f.fix.length).toBeGreaterThan(5);
  }
  return warnings;
}

/** Deep copy with one change applied (mutate in place inside `f`). */
export function mutate(objects: K8sObject[], f: (byKind: (kind: string, name?: string) => K8sObject) => void): K8sObject[] {
  const copy = structuredClone(objects);
  f((kind, name) => {
    const o = copy.find((x) => x.kind === kind && (name === undefined || x.metadata?.name === name));
    if (!o) throw new Error(`fixture has no ${kind} ${name ?? ""}`);
    return o;
  });
  return copy;
}
