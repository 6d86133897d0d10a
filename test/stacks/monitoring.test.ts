import { mkdtempSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateObjects } from "../../stacks/schema.js";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { SynthError } from "../../stacks/errors.js";
import { runScript } from "../helpers/cli.js";
import { DEV_CPU_HPA, envConfig, envInput, stackFor } from "../helpers/env.js";

const RULE_FILES = [
  "rules/inference-alerts.yaml",
  "rules/inference-recording.yaml",
  "rules/sloth-slo-alerts-inference-availability.yaml",
  "rules/sloth-slo-alerts-inference-latency.yaml",
  "rules/sloth-slo-meta-recordings-inference-availability.yaml",
  "rules/sloth-slo-meta-recordings-inference-latency.yaml",
  "rules/sloth-slo-sli-recordings-inference-availability.yaml",
  "rules/sloth-slo-sli-recordings-inference-latency.yaml",
];

function monitoringObjects(env: string, patch = {}) {
  const stack = stackFor(env, patch);
  return { stack, objects: stack.monitoring.toJson() };
}

describe("addMonitoring", () => {
  it("prod (operator, service-monitor): ServiceMonitor, one PrometheusRule per rule group, the adapter ConfigMap", () => {
    const { stack, objects } = monitoringObjects("prod");
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ServiceMonitor/inference",
      "PrometheusRule/inference-recording",
      "PrometheusRule/inference-alerts",
      "PrometheusRule/sloth-slo-sli-recordings-inference-availability",
      "PrometheusRule/sloth-slo-meta-recordings-inference-availability",
      "PrometheusRule/sloth-slo-alerts-inference-availability",
      "PrometheusRule/sloth-slo-sli-recordings-inference-latency",
      "PrometheusRule/sloth-slo-meta-recordings-inference-latency",
      "PrometheusRule/sloth-slo-alerts-inference-latency",
      "ConfigMap/inference-prod-prometheus-adapter",
    ]);
    for (const o of objects.filter((x) => x.kind === "PrometheusRule")) {
      expect(o.metadata.namespace).toBe("ml-serving-prod");
      expect(o.metadata.labels.release).toBe("kube-prometheus-stack");
      // The object holds exactly the group of the rule file of the same name.
      const file = stack.extraFiles.find((f) => f.path === `rules/${o.metadata.name}.yaml`)!;
      expect(parse(file.content()).groups).toEqual(o.spec.groups);
    }
    // The workloads beside the service (orchestrator, queue worker) bring their own alert group.
    expect(
      stack.extraFiles
        .map((f) => f.path)
        .filter((p) => p.startsWith("rules/") || p.startsWith("prometheus/"))
        .sort(),
    ).toEqual([...RULE_FILES, "rules/embedding-worker-alerts.yaml", "rules/orchestrator-alerts.yaml"].sort());
    expect(stack.helmValues["prometheus"]).toBeUndefined();
  });

  it("dev (plain Prometheus, pod-annotations): no operator objects, the rule files, the scrape job and the prometheus chart values", () => {
    const { stack, objects } = monitoringObjects("dev");
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["ConfigMap/inference-dev-prometheus-adapter"]);
    expect(
      stack.extraFiles
        .map((f) => f.path)
        .filter((p) => p.startsWith("rules/") || p.startsWith("prometheus/"))
        .sort(),
    ).toEqual(["prometheus/scrape-config.yaml", ...RULE_FILES]);
    const values = stack.helmValues["prometheus"] as any;
    const names = (file: string) => values.serverFiles[file].groups.map((g: any) => g.name);
    expect(names("alerting_rules.yml")).toEqual([
      "inference-alerts",
      "sloth-slo-alerts-inference-availability",
      "sloth-slo-alerts-inference-latency",
    ]);
    expect(names("recording_rules.yml")).toHaveLength(5);
  });

  it.each(ENV_NAMES)("renders objects that validate against the prometheus-operator and core schemas (%s)", async (env) => {
    const { objects } = monitoringObjects(env);
    expect(await validateObjects(objects)).toEqual([]);
  });

  it("the schema check catches a broken PrometheusRule", async () => {
    const { objects } = monitoringObjects("prod");
    const rule = structuredClone(objects.find((o) => o.kind === "PrometheusRule"));
    delete rule.spec.groups[0].name;
    const findings = await validateObjects([rule]);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toMatch(/name/);
  });

  it("every environment gets the same rule files per service (dist/<env>/rules), plus one alert group per workload beside the services", () => {
    const workloads: Record<string, string[]> = { prod: ["embedding-worker", "orchestrator"], gpu: ["llm"] };
    // a further service's files are the first's with its own name (models: inference and embedding)
    const perService = (name: string) => RULE_FILES.map((f) => f.replace(/inference/g, name));
    for (const env of ENV_NAMES) {
      const services = stackFor(env).services.map((m) => m.name);
      const expected = [...services.flatMap(perService), ...(workloads[env] ?? []).map((w) => `rules/${w}-alerts.yaml`)].sort();
      expect(
        stackFor(env)
          .extraFiles.filter((f) => f.path.startsWith("rules/"))
          .map((f) => f.path)
          .sort(),
        env,
      ).toEqual(expected);
    }
  });

  it("plain Prometheus gets a workload's alert group in the prometheus chart's alerting_rules.yml", () => {
    const stack = stackFor("prod", {
      cluster: { prometheusOperator: false },
      monitoring: { scrape: "pod-annotations" },
      orchestrator: undefined,
      prescaling: [],
    });
    const values = stack.helmValues["prometheus"] as any;
    expect(values.serverFiles["alerting_rules.yml"].groups.map((g: any) => g.name)).toContain("embedding-worker-alerts");
    expect(stack.objects().filter((o: any) => o.kind === "PrometheusRule")).toEqual([]);
  });
});

describe("monitoring config errors name the env, the field and the fix", () => {
  const error = (patch: object, env = "prod") => {
    try {
      stackFor(env, patch);
    } catch (e) {
      expect(e).toBeInstanceOf(SynthError);
      return (e as SynthError).message;
    }
    throw new Error("no error");
  };

  it("a latency SLO threshold that is no bucket boundary: the config check's code, as synth reports it", () => {
    expect(error({ slo: { latency: { thresholdSeconds: 0.3 } } })).toMatch(
      /^LATENCY_THRESHOLD_NOT_BUCKET env "prod": EnvConfig prod: services\[0\]\.slo\.latency\.thresholdSeconds: service "inference": the SLO latency threshold 0\.3 is not a bucket boundary of http_request_duration_seconds .*\. Fix: use a boundary \(0\.2 s or 0\.35 s\)/,
    );
  });

  it("a p95 alert threshold histogram_quantile can never exceed", () => {
    expect(error({ monitoring: { alerts: { p95LatencySeconds: 30 } } })).toMatch(
      /^CONFIG_CONFLICT env "prod": EnvConfig prod: monitoring\.alerts\.p95LatencySeconds: 30s is not below the largest latency bucket \(30s\).*Fix: use a threshold below 30/,
    );
  });

  it("a metric contract without the metrics monitoring reads", () => {
    // dev (cpu-hpa): no trigger reads the queue, so monitoring is the first to need it.
    const metrics = envConfig("dev").service.metrics.metrics.filter((m) => m.name !== "inference_queue_len");
    expect(error({ ...DEV_CPU_HPA, service: { metrics: { metrics } } }, "dev")).toMatch(
      /^CONFIG_MISSING env "dev": EnvConfig dev: services\[0\]\.metrics\.metrics: service "inference": monitoring needs inference_queue_len/,
    );
  });

  it("synth prints it without a stack trace, exits 1 and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "mon-synth-"));
    const cfg = join(dir, "bad.json");
    writeFileSync(cfg, JSON.stringify(envInput("prod", { name: "bad", monitoring: { alerts: { p95LatencySeconds: 30 } } })));
    const out = join(dir, "out");
    const r = runScript("scripts/synth.ts", ["--config", cfg, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: CONFIG_CONFLICT env "bad": EnvConfig bad: monitoring\.alerts\.p95LatencySeconds: 30s is not below the largest latency bucket .*\. Fix: use a threshold below 30 or add larger buckets$/m,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out) ? readdirSync(out).filter((f) => !f.startsWith(".")) : []).toEqual([]);
  });
});
