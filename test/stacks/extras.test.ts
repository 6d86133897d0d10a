import { describe, expect, it } from "vitest";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { RABBITMQ_CONFIG_KEY } from "../../stacks/extras.js";
import { SynthError } from "../../stacks/errors.js";
import { syntaxErrors } from "../../promql/parse.js";
import { runChecks, runRenderedChecks, stackInput } from "../../stacks/checks/index.js";
import { configProblems as problems, DEV_CPU_HPA, envConfig, envInput, objectsByKey, stackFor } from "../helpers/env.js";
import { renderedEnv } from "../helpers/rendered.js";

const charts = (env: string) => stackFor(env).charts.map((c) => c.node.id);

describe("buildExtras: one chart per configured section", () => {
  it("puts dashboards in every env, workers/orchestrator in prod, GPU and load test in their example envs", () => {
    expect(ENV_NAMES).toEqual(expect.arrayContaining(["dev", "staging", "prod", "gpu", "loadtest"]));
    for (const env of ENV_NAMES) expect(charts(env), env).toContain("dashboards");
    expect(charts("prod")).toEqual(expect.arrayContaining(["orchestrator", "queue-workers"]));
    expect(charts("gpu")).toContain("gpu");
    expect(charts("loadtest")).toContain("load-test");
    // Off by default: envs that do not ask for them render none.
    for (const env of ["dev", "staging", "prod", "gpu"]) expect(charts(env), env).not.toContain("load-test");
    for (const env of ["dev", "staging", "loadtest"]) expect(charts(env), env).not.toEqual(expect.arrayContaining(["gpu"]));
    expect(charts("staging")).not.toContain("queue-workers");
  });

  it("renders nothing extra without the sections", () => {
    const stack = stackFor("staging", { dashboards: undefined });
    expect(stack.charts.map((c) => c.node.id)).not.toContain("dashboards");
    expect(stack.extras).toEqual({
      queueWorkers: [],
      loadTests: [],
      dashboards: [],
      alerts: [],
      charts: [],
      ruleFiles: [],
      requiredSecrets: [],
    });
  });

  it("every env renders and validates (schemas, duplicate names) with the extras", async () => {
    for (const env of ENV_NAMES) await expect(renderedEnv(env)).resolves.toBeDefined();
  });

  it("passes the cross-resource checks in every env; they see the extras' scrapes", () => {
    for (const env of ENV_NAMES)
      expect(
        runChecks(stackFor(env)).filter((f) => f.severity === "error"),
        env,
      ).toEqual([]);
    // Without its ServiceMonitor the GPU server's trigger would read nothing: the checks say so.
    const input = stackInput(stackFor("gpu"));
    const objects = input.objects.filter((o: any) => !(o.kind === "ServiceMonitor" && o.metadata.name === "llm"));
    const errors = runRenderedChecks({ ...input, objects }).filter((f) => f.severity === "error");
    // The trigger and the server's TargetDown alert read a job nothing scrapes.
    expect(errors.map((f) => [f.code, f.resource])).toEqual([
      ["QUERY_LABEL_MISMATCH", "ScaledObject ml-serving-gpu/llm"],
      ["QUERY_LABEL_MISMATCH", "PrometheusRule ml-serving-gpu/llm-alerts"],
    ]);
  });

  it("registers the RabbitMQ Secret for infra/ and never renders it or its value", async () => {
    const stack = stackFor("prod");
    expect(stack.requiredSecrets).toContainEqual(
      expect.objectContaining({
        namespace: "ml-serving-prod",
        name: "embedding-worker-rabbitmq",
        key: "host",
        configKey: RABBITMQ_CONFIG_KEY,
      }),
    );
    const r = await renderedEnv("prod");
    const all = r.files.map((f) => f.content).join("\n");
    expect(all).not.toMatch(/kind: Secret\b/);
    expect(all).not.toMatch(/amqps?:\/\/[^\s"]*@/);
    const objs = objectsByKey(stack);
    expect(objs.get("TriggerAuthentication/embedding-worker-rabbitmq").spec.secretTargetRef).toEqual([
      { parameter: "host", name: "embedding-worker-rabbitmq", key: "host" },
    ]);
    expect(objs.get("Deployment/embedding-worker").spec.template.spec.containers[0].env[0]).toEqual({
      name: "CELERY_BROKER_URL",
      valueFrom: { secretKeyRef: { name: "embedding-worker-rabbitmq", key: "host" } },
    });
  });

  it("scales the orchestrator by KEDA on its in-flight gauge and scrapes it with a ServiceMonitor", () => {
    const objs = objectsByKey(stackFor("prod"));
    const so = objs.get("ScaledObject/orchestrator");
    expect(so.spec.triggers[0]).toMatchObject({ type: "prometheus", metricType: "AverageValue" });
    // 0 while scraped and idle (cold pods export no in-flight series yet), nothing when the scrape is lost.
    const up = 'up{namespace="ml-serving-prod",job="orchestrator"}';
    expect(so.spec.triggers[0].metadata.query).toBe(
      `(sum (http_requests_in_flight{namespace="ml-serving-prod",job="orchestrator"}) or on() (sum (${up}) * 0)) and on() (sum (${up}) > 0)`,
    );
    expect(so.spec.fallback).toEqual({ failureThreshold: 3, replicas: 4 });
    expect(so.spec.triggers[0].metadata.serverAddress).toBe("http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090");
    expect(objs.get("Deployment/orchestrator").spec).not.toHaveProperty("replicas");
    const sm = objs.get("ServiceMonitor/orchestrator");
    expect(sm.metadata.labels.release).toBe("kube-prometheus-stack");
    expect(sm.spec.endpoints[0].port).toBe("metrics");
    const svcLabels = objs.get("Service/orchestrator").metadata.labels;
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) expect(svcLabels[k]).toBe(v);
  });

  it("appends the pre-scaling windows to their targets' ScaledObjects, early by the start-up lead", () => {
    const prod = objectsByKey(stackFor("prod"));
    expect(prod.get("ScaledObject/orchestrator").spec.triggers[1]).toEqual({
      type: "cron",
      name: "prescale-business-hours",
      metadata: { timezone: "Europe/Berlin", start: "59 7 * * 1-5", end: "0 19 * * 1-5", desiredReplicas: "4" },
    });
    expect(prod.get("ScaledObject/embedding-worker").spec.triggers[1].metadata).toEqual({
      timezone: "Europe/Berlin",
      start: "59 0 * * *",
      end: "30 4 * * *",
      desiredReplicas: "8",
    });
    // The GPU server needs its 15-minute model load before 08:00.
    const gpu = objectsByKey(stackFor("gpu"));
    expect(gpu.get("ScaledObject/llm").spec.triggers[1].metadata).toMatchObject({
      start: "45 7 * * 1-5",
      end: "0 18 * * 1-5",
      desiredReplicas: "2",
    });
  });

  it("wires the GPU server: GPU limits, KEDA on waiting requests, scraped on its API port", () => {
    const objs = objectsByKey(stackFor("gpu"));
    const c = objs.get("Deployment/llm").spec.template.spec.containers[0];
    expect(c.resources.limits["nvidia.com/gpu"]).toBe(1);
    const so = objs.get("ScaledObject/llm");
    const up = 'up{namespace="ml-serving-gpu",job="llm"}';
    expect(so.spec.triggers[0].metadata.query).toBe(
      `(sum (vllm:num_requests_waiting{namespace="ml-serving-gpu",job="llm"}) or on() (sum (${up}) * 0)) and on() (sum (${up}) > 0)`,
    );
    // A lost scrape errors the trigger: KEDA holds max(min 1, ceil(max 4 / 2)) = 2 replicas after 3 failures.
    expect(so.spec.fallback).toEqual({ failureThreshold: 3, replicas: 2 });
    expect(so.spec.cooldownPeriod).toBeGreaterThanOrEqual(900);
    expect(objs.get("ServiceMonitor/llm").spec.endpoints[0]).toMatchObject({ port: "http", path: "/metrics" });
  });

  it("dashboards use the env's SLO, HPA names and the contract of each service; every query parses", () => {
    const stack = stackFor("gpu");
    const objs = objectsByKey(stack);
    const model = (name: string) => JSON.parse(Object.values(objs.get(`ConfigMap/${name}`).data as Record<string, string>)[0]!);
    const main = model("inference-dashboard");
    expect(main.uid).toBe("gpu-inference");
    const latency = main.panels.find((p: any) => p.title.startsWith("Latency"));
    expect(latency.fieldConfig.defaults.thresholds.steps[1].value).toBe(0.5);
    expect(JSON.stringify(main)).toContain('horizontalpodautoscaler=\\"keda-hpa-inference\\"');
    const llm = model("llm-dashboard");
    expect(llm.panels.map((p: any) => p.title)).toContain("GPU KV-cache usage (sum over replicas)");
    expect(JSON.stringify(llm)).toContain("vllm:e2e_request_latency_seconds_bucket");
    for (const m of [main, llm]) for (const p of m.panels) for (const t of p.targets) expect(syntaxErrors(t.expr), t.expr).toEqual([]);
    // dev runs plain Prometheus (community chart): its exporters' jobs and the HPA named after the service.
    const dev = objectsByKey(stackFor("dev", DEV_CPU_HPA));
    const devJson = Object.values(dev.get("ConfigMap/inference-dashboard").data as Record<string, string>)[0]!;
    expect(devJson).toContain('job=\\"kubernetes-service-endpoints\\",horizontalpodautoscaler=\\"inference\\"');
    expect(devJson).toContain('job=\\"ml-serving-dev/inference\\"');
  });

  it("points the load test at the env's service and scaling endpoint", () => {
    const objs = objectsByKey(stackFor("loadtest"));
    const master = objs.get("Job/locust-master").spec.template.spec.containers[0];
    expect(master.args).toContain("--host=http://inference.ml-serving-loadtest.svc.cluster.local:8000");
    expect(master.env).toContainEqual({ name: "LOAD_PATH", value: "/predict" });
    expect(master.env).toContainEqual({ name: "LOAD_REQUESTS_PER_USER_PER_SECOND", value: "1" });
  });
});

describe("extras config validation", () => {
  const worker = {
    name: "w",
    image: "registry.example.com/ml/worker:1.0.0",
    app: "tasks.app",
    queueName: "jobs",
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "256Mi" } },
  };
  const gpu = {
    image: "vllm/vllm-openai:v0.6.3",
    model: "Qwen/Qwen2.5-7B-Instruct",
    resources: { requests: { cpu: "4", memory: "24Gi" }, limits: { memory: "32Gi" } },
  };
  const cases: [string, string, Record<string, unknown>, string, RegExp][] = [
    [
      "a prescaling target that does not exist",
      "prod",
      { prescaling: [{ name: "x", target: "nope", start: "08:00", end: "18:00", replicas: 3 }] },
      "prescaling[0].target",
      /"nope" is not a workload pre-scaling can target/,
    ],
    [
      "prescale replicas above the inference service's maximum",
      "prod",
      { prescaling: [{ name: "x", target: "inference", start: "08:00", end: "18:00", replicas: 60 }] },
      "prescaling[0].replicas",
      /exceed inference's maxReplicas 20/,
    ],
    [
      "prescale replicas above the target's maximum",
      "prod",
      { prescaling: [{ name: "x", target: "orchestrator", start: "08:00", end: "18:00", replicas: 60 }] },
      "prescaling[0].replicas",
      /exceed orchestrator's maxReplicas 6/,
    ],
    [
      "prescale replicas at the minimum",
      "prod",
      { prescaling: [{ name: "x", target: "orchestrator", start: "08:00", end: "18:00", replicas: 2 }] },
      "prescaling[0].replicas",
      /do not raise orchestrator's minReplicas 2/,
    ],
    [
      "an unknown time zone",
      "prod",
      { prescaling: [{ name: "x", target: "orchestrator", timezone: "Mars/Olympus", start: "08:00", end: "18:00", replicas: 4 }] },
      "prescaling[0].timezone",
      /IANA time zone/,
    ],
    [
      "a 12-hour clock time",
      "prod",
      { prescaling: [{ name: "x", target: "orchestrator", start: "8am", end: "18:00", replicas: 4 }] },
      "prescaling[0].start",
      /HH:MM/,
    ],
    [
      "a broker URL in plain env",
      "staging",
      { queueWorkers: [{ ...worker, env: { CELERY_BROKER_URL: "amqp://u:p@mq/" } }] },
      "queueWorkers[0].env.CELERY_BROKER_URL",
      /credential/,
    ],
    [
      "a worker without a memory limit",
      "staging",
      { queueWorkers: [{ ...worker, resources: { requests: worker.resources.requests } }] },
      "queueWorkers[0].resources.limits",
      /limits needs memory|required/,
    ],
    [
      "worker activation ≥ target",
      "staging",
      { queueWorkers: [{ ...worker, targetPerReplica: 5, activationValue: 5 }] },
      "queueWorkers[0].activationValue",
      /below targetPerReplica 5/,
    ],
    [
      "worker min > max",
      "staging",
      { queueWorkers: [{ ...worker, minReplicas: 9, maxReplicas: 3 }] },
      "queueWorkers[0].minReplicas",
      /greater than maxReplicas 3/,
    ],
    // A service named like a workload is refused as the services list is expanded (stacks/services.ts), before the config checks.
    [
      "a worker named like the service",
      "staging",
      { queueWorkers: [{ ...worker, name: "inference" }] },
      "services[0].name",
      /is named like queueWorkers\[0\]/,
    ],
    [
      "two workers with one name",
      "staging",
      { queueWorkers: [worker, worker] },
      "queueWorkers[1].name",
      /already used by another workload/,
    ],
    ["queue workers without KEDA", "dev", { ...DEV_CPU_HPA, queueWorkers: [worker] }, "queueWorkers", /cluster.keda is false/],
    [
      "a GPU cooldown shorter than the model load",
      "staging",
      { gpu: { ...gpu, modelLoadSeconds: 900, cooldownSeconds: 300 } },
      "gpu.cooldownSeconds",
      /shorter than modelLoadSeconds 900/,
    ],
    [
      "a GPU server without a ServiceMonitor scrape",
      "staging",
      { monitoring: { scrape: "pod-annotations" }, gpu },
      "gpu",
      /ServiceMonitor, but monitoring.scrape is "pod-annotations"/,
    ],
    [
      "an orchestrator without KEDA",
      "dev",
      { ...DEV_CPU_HPA, orchestrator: { image: "registry.example.com/ml/orchestrator:1.0.0", resources: worker.resources } },
      "orchestrator",
      /cluster.keda is false/,
    ],
    ["a load test without stages", "staging", { loadTest: { stages: [] } }, "loadTest.stages", /at least one stage/],
    [
      "a load test payload that is not JSON",
      "staging",
      { loadTest: { stages: [{ users: 1, spawnRate: 1, durationSeconds: 60 }], payload: "{x" } },
      "loadTest.payload",
      /must be JSON/,
    ],
    ["an unknown dashboards field", "staging", { dashboards: { grafanaUrl: "http://g" } }, "dashboards", /unknown field "grafanaUrl"/],
  ];
  // Invariants a stacks/checks check also enforces carry that check's code.
  const CODES: Record<string, string> = {
    "a broker URL in plain env": "PLAINTEXT_CREDENTIAL",
    "a GPU server without a ServiceMonitor scrape": "METRIC_NOT_SCRAPED",
    "a prescaling target that does not exist": "CONFIG_CONFLICT",
    "a GPU cooldown shorter than the model load": "CONFIG_CONFLICT",
  };
  for (const [what, env, patch, field, message] of cases) {
    it(`rejects ${what} naming env, field and fix`, () => {
      const ps = problems(envInput(env, patch), env);
      const p = ps.find((x) => x.path === field);
      expect(p, JSON.stringify(ps)).toBeDefined();
      expect(p!.env).toBe(env);
      expect(p!.message).toMatch(message);
      expect(p!.fix.length).toBeGreaterThan(5);
      expect(p!.code).toBe(CODES[what] ?? (p!.code.startsWith("CONFIG_") ? p!.code : "CONFIG_CONFLICT"));
    });
  }

  it("pre-scales the inference service through cron triggers on its own ScaledObject, a model load early", () => {
    const so = stackFor("prod")
      .objects()
      .find((o: any) => o.kind === "ScaledObject" && o.metadata.name === "inference") as any;
    const cron = so.spec.triggers.filter((t: any) => t.type === "cron");
    // prod: business hours 08:00-19:00 Mon-Fri, 6 replicas; modelLoadSeconds 120 → starts at 07:58.
    expect(cron).toEqual([
      {
        type: "cron",
        name: "prescale-business-hours",
        metadata: { timezone: "Europe/Berlin", start: "58 7 * * 1-5", end: "0 19 * * 1-5", desiredReplicas: "6" },
      },
    ]);
  });

  it("turns a construct refusal (a window that with its lead covers the day) into one SynthError line", () => {
    const config = envConfig("gpu", { prescaling: [{ name: "all-day", target: "llm", start: "08:00", end: "07:50", replicas: 2 }] });
    let err: unknown;
    try {
      stackFor("gpu", { prescaling: [{ name: "all-day", target: "llm", start: "08:00", end: "07:50", replicas: 2 }] });
    } catch (e) {
      err = e;
    }
    expect(config.prescaling).toHaveLength(1);
    expect(err).toBeInstanceOf(SynthError);
    expect((err as SynthError).lines).toEqual([
      'CONSTRUCT_INVARIANT env "gpu": prescaling: prescale window "all-day": the window plus the 15-minute start-up lead covers a whole day. Fix: shorten the window or raise minReplicas instead',
    ]);
  });
});
