/**
 * The rendered checks of an environment of several services (stacks/checks/index.ts,
 * runServiceRenderedChecks): each service's view runs the per-service checks on the shared objects
 * and files plus its own, never on another service's (whose thresholds, alerts and scrape jobs are
 * that service's business); the checks that span services (two autoscalers on one workload, the
 * quota) run once on everything; a finding several views make is reported once; a finding about a
 * service's config field is placed where the user wrote it (`services[i].…` or `defaults.…`),
 * naming the service. Built in memory from a small two-service config (inference, embedding with a
 * tighter latency SLO), then hand-edited where a test needs a finding.
 */
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  runChecks,
  runRenderedChecks,
  runServiceConfigChecks,
  runServiceRenderedChecks,
  stackInput,
  type CheckInput,
  type K8sObject,
} from "../../../stacks/checks/index.js";
import type { EnvConfig, EnvConfigInput } from "../../../stacks/config.js";
import { buildStack } from "../../../stacks/stack.js";
import { parseEnvConfig } from "../../../stacks/validate.js";
import type { Problem } from "../../../problems/problem.js";
import { input } from "./fixtures.js";

const base = input();
const first = base.services[0]! as Record<string, unknown>;
const scaling = first.scaling as Record<string, unknown>;

/** A gateway's request counter that wakes a service up (its scrape job `gateway` is rendered by the environment). */
const WAKE_UP = {
  source: { namespace: "kube-system", job: "gateway", podLabels: { "app.kubernetes.io/name": "gateway" } },
  metric: { name: "gateway_requests_total", type: "counter", labels: ["service"] },
  matchers: { service: "ml" },
  activation: 0,
  threshold: 5,
};

const EMBEDDING_SCALING = { ...scaling, keda: { p95Latency: { threshold: 0.1, activation: 0.05 } } };

interface Options {
  /** Prometheus Operator objects (ServiceMonitor, PrometheusRule) instead of plain Prometheus (scrape jobs and rule files). */
  readonly operator?: boolean;
  /** Merged over the embedding service's entry. */
  readonly embedding?: Record<string, unknown>;
  /** Merged over the environment. */
  readonly env?: Record<string, unknown>;
  /** Merged over the inference service's entry. */
  readonly inference?: Record<string, unknown>;
  /** Only the inference service. */
  readonly single?: boolean;
}

function envInput(o: Options = {}): EnvConfigInput {
  const operator = o.operator ?? false;
  const inference = { ...first, name: "inference", ...o.inference };
  // Embeddings answer fast: scaled at a p95 of 0.1 s, paged at 0.2 s (inference: 0.5 s and 1 s).
  const embedding = {
    ...first,
    name: "embedding",
    image: "registry.example.com/ml/embedding:1.0.3",
    scaling: EMBEDDING_SCALING,
    alerts: { p95LatencySeconds: 0.2 },
    slo: { latency: { thresholdSeconds: 0.2 } },
    simulation: { serviceTimeSeconds: 0.02, cpuSecondsPerRequest: 0.015 },
    ...o.embedding,
  };
  return {
    ...base,
    cluster: { ...base.cluster, prometheusOperator: operator },
    monitoring: { ...base.monitoring, scrape: operator ? "service-monitor" : "pod-annotations" },
    capacity: { cpu: "64", memory: "128Gi" },
    ...o.env,
    services: o.single ? [inference] : [inference, embedding],
  } as EnvConfigInput;
}

function environment(o: Options = {}): { config: EnvConfig; rendered: CheckInput } {
  const config = parseEnvConfig(envInput(o), "t");
  return { config, rendered: stackInput(buildStack(config)) };
}

const brief = (found: readonly Problem[]) => found.map((p) => [p.code, p.resource, p.path]);

function edit(objects: readonly K8sObject[], kind: string, name: string, change: (o: any) => void): K8sObject[] {
  const out = structuredClone(objects) as any[];
  const o = out.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`no ${kind}/${name}`);
  change(o);
  return out;
}

function privileged(objects: readonly K8sObject[], name: string): K8sObject[] {
  return edit(objects, "Deployment", name, (d) => (d.spec.template.spec.containers[0].securityContext.privileged = true));
}

/** A rule file whose first expression no longer parses. */
function brokenRules(rendered: CheckInput, path: string): CheckInput {
  let broken = false;
  const files = rendered.files!.map((f) => {
    if (f.path !== path) return f;
    broken = true;
    return { ...f, content: f.content.replace("expr: ", "expr: sum(( ") };
  });
  if (!broken) throw new Error(`no file ${path}`);
  return { ...rendered, files };
}

/** The rendered output without the wake-up source's scrape job (a hand edit): in the scrape file and the Prometheus Helm values. */
function withoutGatewayJob(rendered: CheckInput): CheckInput {
  const files = rendered.files!.map((f) => {
    if (f.path !== "prometheus/scrape-config.yaml") return f;
    const doc = parse(f.content);
    return { ...f, content: stringify({ ...doc, scrape_configs: doc.scrape_configs.filter((j: any) => j.job_name !== "gateway") }) };
  });
  const prometheus = rendered.helmValues!.prometheus!;
  const jobs = (parse(String(prometheus.extraScrapeConfigs)) as any[]).filter((j) => j.job_name !== "gateway");
  expect(jobs.length).toBeGreaterThan(0);
  return { ...rendered, files, helmValues: { ...rendered.helmValues, prometheus: { ...prometheus, extraScrapeConfigs: stringify(jobs) } } };
}

const settings = (data: Record<string, string>): K8sObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings", namespace: "ml-t" },
  data,
});

const extraHpa: K8sObject = {
  apiVersion: "autoscaling/v2",
  kind: "HorizontalPodAutoscaler",
  metadata: { name: "extra", namespace: "ml-t" },
  spec: {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "inference" },
    minReplicas: 2,
    maxReplicas: 4,
    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
  },
};

describe("each service's view checks the shared objects and files and its own, not another service's", () => {
  it("a coherent environment of two services has no finding, though one view over everything would have (plain Prometheus: rule files, scrape jobs)", () => {
    const { config, rendered } = environment();
    expect(rendered.files!.map((f) => f.path)).toContain("rules/embedding-alerts.yaml");
    expect(runServiceRenderedChecks(rendered)).toEqual([]);
    // What the separation prevents: inference's trigger compared with embedding's alert (in its rule
    // file), embedding's queries with inference's scrape job; and the other way round.
    const inferenceOverAll = brief(runRenderedChecks(rendered));
    expect(inferenceOverAll).toContainEqual(["SCALES_AFTER_ALERT", "ScaledObject ml-t/inference", "spec.triggers[0].metadata.threshold"]);
    const notEmbeddings = rendered.objects.filter((o) => o.metadata?.labels?.["app.kubernetes.io/name"] !== "embedding");
    const everyFile = brief(runRenderedChecks({ ...rendered, objects: notEmbeddings }));
    expect(everyFile).toContainEqual(["SCALES_AFTER_ALERT", "ScaledObject ml-t/inference", "spec.triggers[0].metadata.threshold"]);
    expect(everyFile).toContainEqual(["QUERY_LABEL_MISMATCH", "File rules/embedding-alerts.yaml", "groups[0].rules[2].expr"]);
    const embeddingOverAll = runRenderedChecks({ ...rendered, config: config.services![1]! });
    expect(embeddingOverAll.map((p) => [p.code, p.resource, p.message.replace(/ for the same.*/, "")])).toContainEqual([
      "SCALES_AFTER_ALERT",
      "ScaledObject ml-t/inference",
      "trigger p95-latency threshold 0.5 is above the alert threshold 0.2 (monitoring.alerts.p95LatencySeconds)",
    ]);
  });

  it("the same with Prometheus Operator objects (ServiceMonitor, PrometheusRule), with or without the rule files beside them", () => {
    const { rendered } = environment({ operator: true });
    expect(rendered.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toContain("PrometheusRule/embedding-alerts");
    expect(runServiceRenderedChecks(rendered)).toEqual([]);
    expect(runServiceRenderedChecks({ ...rendered, files: undefined })).toEqual([]);
    expect(brief(runRenderedChecks({ ...rendered, files: undefined }))).toContainEqual([
      "SCALES_AFTER_ALERT",
      "ScaledObject ml-t/inference",
      "spec.triggers[0].metadata.threshold",
    ]);
  });

  it("a finding in a service's own object or rule file is reported once, by that service's view", () => {
    const { rendered } = environment();
    const broken = brokenRules(brokenRules(rendered, "rules/embedding-alerts.yaml"), "rules/inference-recording.yaml");
    const found = runServiceRenderedChecks({ ...broken, objects: privileged(rendered.objects, "embedding") });
    expect(brief(found)).toEqual([
      ["QUERY_SYNTAX", "File rules/inference-recording.yaml", "groups[0].rules[0].expr"],
      ["QUERY_SYNTAX", "File rules/embedding-alerts.yaml", "groups[0].rules[0].expr"],
      ["POD_NOT_RESTRICTED", "Deployment ml-t/embedding", "spec.template.spec.containers[0].securityContext.privileged"],
    ]);
    // Findings on rendered objects and files keep their own resource, path and message.
    expect(found.map((p) => p.message)).toEqual([
      expect.stringMatching(/^sum\(\( .* does not parse as PromQL/),
      expect.stringMatching(
        /^sum\(\( job:http_request_duration_seconds:p95_rate2m\{namespace="ml-t",job="ml-t\/embedding"\} > 0\.2 does not parse/,
      ),
      'container "server" is privileged: the namespace enforces the restricted Pod Security Standard and would reject the pod',
    ]);
  });

  it("with Prometheus Operator objects: each service's PrometheusRule and Deployment are its own view's", () => {
    const { rendered } = environment({ operator: true });
    const objects = edit(privileged(rendered.objects, "inference"), "PrometheusRule", "embedding-alerts", (pr) => {
      pr.spec.groups[0].rules[0].expr = `sum(( ${pr.spec.groups[0].rules[0].expr}`;
    });
    expect(brief(runServiceRenderedChecks({ ...rendered, files: undefined, objects }))).toEqual([
      ["POD_NOT_RESTRICTED", "Deployment ml-t/inference", "spec.template.spec.containers[0].securityContext.privileged"],
      ["QUERY_SYNTAX", "PrometheusRule ml-t/embedding-alerts", "spec.groups[0].rules[0].expr"],
    ]);
  });

  it("a finding in a shared object, file or Helm values is reported once, though every view finds it", () => {
    const { rendered } = environment();
    const files = rendered.files!.map((f) =>
      f.path === "prometheus/scrape-config.yaml"
        ? { ...f, content: f.content.replace("scheme: http\n", "scheme: http\n    basic_auth: { username: u, password: hunter2 }\n") }
        : f,
    );
    const found = runServiceRenderedChecks({
      ...rendered,
      objects: [...rendered.objects, settings({ password: "hunter2" })],
      files,
      // A chart's `service:` block is no config section: its path stays the Helm values' own.
      helmValues: { ...rendered.helmValues, gateway: { service: { password: "hunter2" } } },
    });
    expect(found.map((p) => [p.code, p.resource, p.path, p.message])).toEqual([
      [
        "PLAINTEXT_CREDENTIAL",
        "ConfigMap ml-t/settings",
        "data.password",
        'a value under the credential-named key "password" in rendered output (committed to dist/)',
      ],
      [
        "PLAINTEXT_CREDENTIAL",
        "File prometheus/scrape-config.yaml",
        "scrape_configs[0].basic_auth.password",
        'a value under the credential-named key "password" in a rendered file',
      ],
      [
        "PLAINTEXT_CREDENTIAL",
        "HelmValues gateway",
        "service.password",
        'a value under the credential-named key "password" in Helm values',
      ],
    ]);
  });

  it("files that are no service's rule file (a scrape config only, no rule files) are every view's", () => {
    const { rendered } = environment();
    const scrape = rendered.files!.filter((f) => f.path === "prometheus/scrape-config.yaml");
    expect(scrape).toHaveLength(1);
    const found = runServiceRenderedChecks({ ...rendered, files: scrape, objects: privileged(rendered.objects, "inference") });
    expect(brief(found)).toEqual([
      ["POD_NOT_RESTRICTED", "Deployment ml-t/inference", "spec.template.spec.containers[0].securityContext.privileged"],
    ]);
  });
});

describe("checks that span services run once on every object", () => {
  it("another autoscaler on a service's Deployment, one of them another service's: each reported once, no target missing", () => {
    const { rendered } = environment();
    // embedding's ScaledObject retargeted at inference's Deployment: a Deployment out of embedding's view, not of the check across services.
    const objects = edit(rendered.objects, "ScaledObject", "embedding", (so) => (so.spec.scaleTargetRef.name = "inference"));
    const found = runServiceRenderedChecks({ ...rendered, objects: [...objects, extraHpa] });
    expect(brief(found)).toEqual([
      ["MULTIPLE_AUTOSCALERS", "ScaledObject ml-t/embedding", "spec.scaleTargetRef"],
      ["MULTIPLE_AUTOSCALERS", "HorizontalPodAutoscaler ml-t/extra", "spec.scaleTargetRef"],
    ]);
    expect(found.map((p) => p.message.replace(/: two autoscalers.*/, ""))).toEqual([
      "Deployment ml-t/inference is already scaled by ScaledObject ml-t/inference (service embedding's autoscaler targets service inference's workload)",
      "Deployment ml-t/inference is already scaled by ScaledObject ml-t/inference",
    ]);
  });

  it("a quota below both services' maxima: one finding, adding up both services' Deployments", () => {
    const { rendered } = environment();
    const objects = edit(rendered.objects, "ResourceQuota", "compute", (q) => (q.spec.hard["requests.cpu"] = "16"));
    const found = runServiceRenderedChecks({ ...rendered, objects });
    expect(found.map((p) => [p.code, p.resource, p.path, p.message])).toEqual([
      [
        "CAPACITY_EXCEEDED",
        "ResourceQuota ml-t/compute",
        'spec.hard["requests.cpu"]',
        "at maximum scale the namespace's requests add up to 20 CPU (Deployment ml-t/inference: max 10 (ScaledObject ml-t/inference) × 1 CPU; Deployment ml-t/embedding: max 10 (ScaledObject ml-t/embedding) × 1 CPU), above the quota 16 CPU: the autoscaler's last pods are refused exactly at peak load",
      ],
    ]);
  });
});

describe("a rendered finding about a service's config field is placed where the user wrote it", () => {
  it("a wake-up source of services[1] whose scrape job is not rendered: at services[1].…, naming embedding", () => {
    const { rendered } = environment({ embedding: { scaling: { ...EMBEDDING_SCALING, wakeUp: WAKE_UP } } });
    expect(runServiceRenderedChecks(rendered)).toEqual([]);
    const found = runServiceRenderedChecks(withoutGatewayJob(rendered));
    expect(found.map((p) => [p.code, p.resource, p.path])).toEqual([
      ["WAKEUP_SOURCE_NOT_SCRAPED", "EnvConfig t", "services[1].scaling.wakeUp.source"],
    ]);
    expect(found[0]!.message).toMatch(
      /^service "embedding": the wake-up trigger reads \{namespace="kube-system", job="gateway"\}, but no scrape job/,
    );
  });

  it("one that came from defaults: at defaults.…, once for each service it breaks", () => {
    const { rendered } = environment({ env: { defaults: { scaling: { wakeUp: WAKE_UP } } } });
    const found = runServiceRenderedChecks(withoutGatewayJob(rendered));
    expect(found.map((p) => [p.code, p.path, p.message.slice(0, 58)])).toEqual([
      ["WAKEUP_SOURCE_NOT_SCRAPED", "defaults.scaling.wakeUp.source", 'for service "inference": the wake-up trigger reads {namesp'],
      ["WAKEUP_SOURCE_NOT_SCRAPED", "defaults.scaling.wakeUp.source", 'for service "embedding": the wake-up trigger reads {namesp'],
    ]);
  });
});

describe("an environment of one service", () => {
  it("findings in the checks' order (an autoscaler's before a pod's), its own config field at services[0]", () => {
    const { rendered } = environment({ single: true, inference: { scaling: { ...scaling, wakeUp: WAKE_UP } } });
    expect(runServiceRenderedChecks(rendered)).toEqual([]);
    const broken = withoutGatewayJob(rendered);
    const found = runServiceRenderedChecks({ ...broken, objects: [...privileged(rendered.objects, "inference"), extraHpa] });
    expect(found.map((p) => [p.code, p.resource, p.path])).toEqual([
      ["MULTIPLE_AUTOSCALERS", "HorizontalPodAutoscaler ml-t/extra", "spec.scaleTargetRef"],
      ["POD_NOT_RESTRICTED", "Deployment ml-t/inference", "spec.template.spec.containers[0].securityContext.privileged"],
      ["WAKEUP_SOURCE_NOT_SCRAPED", "EnvConfig t", "services[0].scaling.wakeUp.source"],
    ]);
    expect(found[2]!.message).toMatch(/^service "inference": the wake-up trigger reads \{namespace="kube-system", job="gateway"\}/);
  });

  it("an object listed twice (the same manifest in two files) is reported once; two different findings both", () => {
    const { rendered } = environment({ single: true });
    const objects = [...rendered.objects, settings({ password: "hunter2" }), settings({ password: "hunter2" })];
    expect(brief(runRenderedChecks({ ...rendered, objects }))).toEqual([
      ["PLAINTEXT_CREDENTIAL", "ConfigMap ml-t/settings", "data.password"],
    ]);
    expect(brief(runServiceRenderedChecks({ ...rendered, objects }))).toEqual([
      ["PLAINTEXT_CREDENTIAL", "ConfigMap ml-t/settings", "data.password"],
    ]);
    const two = [...rendered.objects, settings({ password: "hunter2", token: "abc" }), settings({ password: "hunter2" })];
    expect(brief(runServiceRenderedChecks({ ...rendered, objects: two }))).toEqual([
      ["PLAINTEXT_CREDENTIAL", "ConfigMap ml-t/settings", "data.password"],
      ["PLAINTEXT_CREDENTIAL", "ConfigMap ml-t/settings", "data.token"],
    ]);
  });

  it("runChecks reads a stack's objects and extra files as it reads a CheckInput", () => {
    const { config, rendered } = environment({ single: true });
    const objects = [...rendered.objects, settings({ password: "hunter2" })];
    const stack = {
      config,
      objects: () => objects,
      extraFiles: rendered.files!.map((f) => ({ path: f.path, content: () => f.content })),
      helmValues: rendered.helmValues!,
    };
    const expected = [["PLAINTEXT_CREDENTIAL", "ConfigMap ml-t/settings", "data.password"]];
    expect(brief(runChecks(stack))).toEqual(expected);
    expect(brief(runChecks({ ...rendered, objects }))).toEqual(expected);
  });

  it("a hand-assembled config without `services` is its one service", () => {
    const { config, rendered } = environment({ single: true, inference: { scaling: { ...scaling, wakeUp: WAKE_UP } } });
    const { services: _services, ...bare } = config;
    const found = runServiceRenderedChecks({ ...withoutGatewayJob(rendered), config: bare });
    expect(found.map((p) => [p.code, p.path])).toEqual([["WAKEUP_SOURCE_NOT_SCRAPED", "services[0].scaling.wakeUp.source"]]);
    expect(found[0]!.message).toMatch(/^service "inference": the wake-up trigger reads/);
  });
});

describe("config findings across services", () => {
  it("two services waking up on one job name for different pods: one CONFIG_CONFLICT, on the later service's field", () => {
    const other = { ...WAKE_UP, source: { ...WAKE_UP.source, podLabels: { "app.kubernetes.io/name": "other-gateway" } } };
    const config = parseEnvConfig(
      envInput({
        inference: { scaling: { ...scaling, wakeUp: WAKE_UP } },
        embedding: { scaling: { ...EMBEDDING_SCALING, wakeUp: other } },
      }),
      "t",
    );
    const found = runServiceConfigChecks(config);
    expect(found.map((p) => [p.code, p.resource, p.path])).toEqual([
      ["CONFIG_CONFLICT", "EnvConfig t", "services[1].scaling.wakeUp.source.job"],
    ]);
    expect(found[0]!.message).toMatch(
      /^service "embedding": the wake-up source's job "gateway" \(namespace kube-system, podLabels .*other-gateway.*\) is service inference's wake-up job for other pods/,
    );
  });

  it("an env-level finding every view makes: once, at the env's own field, its message as the check wrote it", () => {
    const config = parseEnvConfig(envInput({ env: { capacity: { cpu: "8", memory: "128Gi" } } }), "t");
    const found = runServiceConfigChecks(config);
    expect(found.map((p) => [p.code, p.resource, p.path])).toEqual([["CAPACITY_EXCEEDED", "EnvConfig t", "capacity.cpu"]]);
    // Not "for service …": the env's capacity is no service's field.
    expect(found[0]!.message).toMatch(
      /^the services' maxima add up to 20 CPU \(inference: maxReplicas 10 × 1 cpu; embedding: maxReplicas 10 × 1 cpu\)/,
    );
  });
});
