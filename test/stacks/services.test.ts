/**
 * Many inference services per environment (issue 19): the services form of the config (shared
 * defaults, per-service overrides), one ServiceModel per service, the shared parts rendered once
 * (namespace, quota, one prometheus-adapter rule set), and errors that name env, service, field, fix.
 */
import { describe, expect, it } from "vitest";
import { buildStack } from "../../stacks/stack.js";
import { runChecks, stackInput } from "../../stacks/checks/index.js";
import { UserError } from "../../problems/problem.js";
import { parseEnvConfig } from "../../stacks/validate.js";
import { configProblems, envInput, stackFor } from "../helpers/env.js";
import { ROOT, runScript } from "../helpers/cli.js";
import { promtool, writeTemp } from "../helpers/promtool.js";
import { parse as parseYaml } from "yaml";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const models = () => envInput("models") as any;

/** The models env with `n` embedding-like services after the text service. */
function withServices(n: number): any {
  const input = models();
  const embedding = input.services[1];
  input.services = [
    input.services[0],
    ...Array.from({ length: n - 1 }, (_, i) => ({ ...embedding, name: `embedding-${String(i).padStart(3, "0")}` })),
  ];
  input.capacity = { cpu: String(8 * 2 + n * 6), memory: `${(8 * 4 + n * 12) * 2}Gi` };
  return input;
}

function codesOf(fn: () => unknown): { code: string; path?: string | undefined; message: string }[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e.problems.map((p) => ({ code: p.code, path: p.path, message: p.message }));
    throw e;
  }
  throw new Error("accepted");
}

describe("services form: defaults and per-service overrides", () => {
  it("each service's view merges the env defaults under its own fields", () => {
    const c = parseEnvConfig(models(), "models");
    const [text, embedding] = c.services!;
    expect(c.services).toHaveLength(2);
    expect(text!.service.name).toBe("inference");
    expect(c.service.name).toBe("inference");
    // defaults.resources for embedding, its own for text
    expect(embedding!.service.resources.requests).toEqual({ cpu: "1", memory: "2Gi" });
    expect(text!.service.resources.requests).toEqual({ cpu: "2", memory: "4Gi" });
    // defaults.scaling.behavior deep-merged under both, each keeps its own bounds
    expect(text!.scaling.behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
    expect(embedding!.scaling.behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
    expect([text!.scaling.maxReplicas, embedding!.scaling.maxReplicas]).toEqual([8, 6]);
    // SLO period from defaults, thresholds per service; alerts: env-level queueBacklog, the service's own p95
    expect([text!.slo.period, embedding!.slo.period]).toEqual(["28d", "28d"]);
    expect([text!.slo.latency.thresholdSeconds, embedding!.slo.latency.thresholdSeconds]).toEqual([0.5, 0.2]);
    expect(embedding!.monitoring.alerts.p95LatencySeconds).toBe(0.2);
    expect(embedding!.monitoring.alerts.queueBacklog).toBe(50);
    // workloads beside the services and the quota belong to the env (the first view), never repeated
    expect(embedding!.capacity).toBeUndefined();
  });

  it("duplicate service names: one line naming the env, the entry and the fix", () => {
    const input = models();
    input.services[1].name = "inference";
    const ps = configProblems(input, "models");
    expect(ps).toContainEqual(expect.objectContaining({ code: "CONFIG_CONFLICT", env: "models", path: "services[1].name" }));
    expect(ps.find((p) => p.path === "services[1].name")!.fix).toMatch(/own name/);
  });

  it("an unknown field in a per-service override names the service and the field", () => {
    const input = models();
    input.services[1].scaling.keda.p95Latency.treshold = 0.1;
    const ps = configProblems(input, "models");
    const p = ps.find((x) => x.code === "CONFIG_UNKNOWN_KEY")!;
    expect(p.path).toBe("services[1].scaling.keda.p95Latency");
    expect(p.message).toMatch(/^service "embedding": unknown field "treshold"/);
  });

  it("an unknown field in defaults is refused at defaults", () => {
    const input = models();
    input.defaults.image = "x:1";
    expect(configProblems(input, "models")).toContainEqual(expect.objectContaining({ code: "CONFIG_UNKNOWN_KEY", path: "defaults.image" }));
    const bad = models();
    bad.defaults.scaling.behavior.scaleDown.window = 1;
    const p = configProblems(bad, "models").find((x) => x.code === "CONFIG_UNKNOWN_KEY")!;
    expect(p.path).toBe("defaults.scaling.behavior.scaleDown");
  });

  it("the old single-service keys are refused with the fix", () => {
    const input = models();
    input.service = input.services[0];
    expect(configProblems(input, "models")).toContainEqual(expect.objectContaining({ code: "CONFIG_UNKNOWN_KEY", path: "service" }));
  });

  it("an SLO threshold that is not a bucket of that service's own contract names the service", () => {
    const input = models();
    input.services[1].slo.latency.thresholdSeconds = 0.3;
    const ps = codesOf(() => buildStack(parseEnvConfig(input, "models")));
    expect(ps).toContainEqual(
      expect.objectContaining({ code: "LATENCY_THRESHOLD_NOT_BUCKET", path: "services[1].slo.latency.thresholdSeconds" }),
    );
    expect(ps.find((p) => p.code === "LATENCY_THRESHOLD_NOT_BUCKET")!.message).toMatch(/^service "embedding": /);
    // the text service's contract has the bucket 0.5, so its own threshold is fine
    expect(ps.filter((p) => p.path?.startsWith("services[0]"))).toEqual([]);
  });
});

describe("check findings name the field as the user wrote it and the service", () => {
  // A config check sees one service's view (scaling.…); the user wrote services[i].… or defaults.….
  it("a single-service env: services[0].… and the service's name, like the schema's problems", () => {
    const ps = configProblems(envInput("prod", { scaling: { minReplicas: 30 } }), "prod");
    expect(ps).toContainEqual(expect.objectContaining({ code: "CONFIG_CONFLICT", path: "services[0].scaling.minReplicas" }));
    const p = ps.find((x) => x.path === "services[0].scaling.minReplicas")!;
    expect(p.message).toMatch(/^service "inference": minReplicas 30 is greater than maxReplicas 20/);
    // the schema's own problem on the same service reads alike
    const schema = configProblems(envInput("prod", { scaling: { minReplicas: -1 } }), "prod");
    expect(schema).toContainEqual(expect.objectContaining({ path: "services[0].scaling.minReplicas" }));
    expect(schema[0]!.message).toMatch(/^service "inference": /);
  });

  it("the second service's own field: services[1].… naming it", () => {
    const input = models();
    input.services[1].scaling.keda.cooldownPeriod = 10;
    const ps = configProblems(input, "models");
    const p = ps.find((x) => x.code === "CONFIG_CONFLICT")!;
    expect(p.path).toBe("services[1].scaling.keda.cooldownPeriod");
    expect(p.message).toMatch(/^service "embedding": cooldownPeriod 10 s is shorter than pollingInterval/);
    expect(ps.filter((x) => x.path.startsWith("services[0]"))).toEqual([]);
  });

  it("a value both services inherit from defaults: defaults.… once per service it breaks", () => {
    const input = models();
    input.defaults.scaling.keda = { cooldownPeriod: 10 };
    const ps = configProblems(input, "models").filter((x) => x.code === "CONFIG_CONFLICT");
    expect(ps.map((x) => [x.path, x.message.split(":")[0]])).toEqual([
      ["defaults.scaling.keda.cooldownPeriod", 'for service "inference"'],
      ["defaults.scaling.keda.cooldownPeriod", 'for service "embedding"'],
    ]);
  });

  it("the printed line names env, field, service and fix", () => {
    const input = models();
    input.services[1].scaling.keda.cooldownPeriod = 10;
    expect(codesOf(() => buildStack(parseEnvConfig(input, "models"))).map((p) => p.path)).toEqual([
      "services[1].scaling.keda.cooldownPeriod",
    ]);
    let line = "";
    try {
      buildStack(parseEnvConfig(input, "models"));
    } catch (e) {
      line = (e as Error).message;
    }
    expect(line).toMatch(
      /^CONFIG_CONFLICT env "models": EnvConfig models: services\[1\]\.scaling\.keda\.cooldownPeriod: service "embedding": .*\. Fix: set cooldownPeriod/,
    );
  });
});

describe("one ServiceModel per service, shared parts once", () => {
  const stack = stackFor("models");

  it("typed per-service results; the first keeps the single-service chart names", () => {
    expect(stack.services.map((m) => [m.name, m.autoscaler.kind, m.autoscaler.name])).toEqual([
      ["inference", "ScaledObject", "inference"],
      ["embedding", "ScaledObject", "embedding"],
    ]);
    expect(stack.autoscaler).toBe(stack.services[0]!.autoscaler);
    expect(stack.charts.map((c) => c.node.id)).toEqual([
      "workload",
      "autoscaling",
      "monitoring",
      "embedding-workload",
      "embedding-autoscaling",
      "embedding-monitoring",
      "load-test",
      "dashboards",
      "network-policy",
    ]);
  });

  it("one namespace, one quota, one adapter ConfigMap whose rules select every service by job", () => {
    const objects = stack.objects() as any[];
    expect(objects.filter((o) => o.kind === "Namespace")).toHaveLength(1);
    expect(objects.filter((o) => o.kind === "ResourceQuota")).toHaveLength(1);
    expect(objects.filter((o) => o.kind === "ConfigMap" && o.metadata.name.endsWith("prometheus-adapter"))).toHaveLength(1);
    const rules = stack.addonValues.prometheusAdapter!.rules.custom;
    expect(rules.map((r) => r.name.as)).toEqual([...new Set(rules.map((r) => r.name.as))]);
    for (const r of rules) expect(r.seriesQuery).toContain('job=~"inference|embedding"');
  });

  it("rules and alerts are per service (group names and labels carry the service)", () => {
    const rules = (stack.objects() as any[]).filter((o) => o.kind === "PrometheusRule");
    for (const name of ["inference", "embedding"]) {
      const mine = rules.filter((r) => r.metadata.labels?.["app.kubernetes.io/name"] === name);
      expect(mine.map((r) => r.metadata.name)).toContain(`${name}-alerts`);
    }
    const embeddingAlerts = rules.find((r) => r.metadata.name === "embedding-alerts");
    expect(JSON.stringify(embeddingAlerts)).toContain('job=\\"embedding\\"');
  });

  it("passes every check, per service and across services", () => {
    expect(runChecks(stack).filter((f) => f.severity === "error")).toEqual([]);
  });

  it("the quota must fit all services' maxima together (each alone fits)", () => {
    const input = models();
    input.capacity = { cpu: "20", memory: "56Gi" }; // text 8 × 2 = 16, embedding 6 × 1 = 6: 22 > 20
    const ps = codesOf(() => buildStack(parseEnvConfig(input, "models")));
    const p = ps.find((x) => x.code === "CAPACITY_EXCEEDED")!;
    expect(p.message).toMatch(/inference: maxReplicas 8 × 2 cpu; embedding: maxReplicas 6 × 1 cpu/);
  });

  it("adapter rules that serve one metric with different queries collide", () => {
    const input = models();
    input.services[1].scaling.endpoint = "/embed";
    const ps = codesOf(() => buildStack(parseEnvConfig(input, "models")));
    expect(ps.map((p) => p.code)).toContain("ADAPTER_RULES_COLLIDE");
  });
});

describe("dashboards and load tests: one per service", () => {
  const stack = stackFor("models");
  const objects = () => stack.objects() as any[];

  it("one dashboard per service, each with its own SLO line, objective, HPA and uid", () => {
    const maps = objects().filter((o) => o.kind === "ConfigMap" && o.metadata.labels?.grafana_dashboard === "1");
    expect(maps.map((m) => m.metadata.name)).toEqual(["inference-dashboard", "embedding-dashboard"]);
    const json = (name: string) => {
      const m = maps.find((x) => x.metadata.name === name)!;
      return JSON.parse(Object.values(m.data)[0] as string);
    };
    const text = json("inference-dashboard");
    const embedding = json("embedding-dashboard");
    expect([text.uid, embedding.uid]).toEqual(["models-inference", "models-embedding"]);
    expect(embedding.title).toBe("embedding (models)");
    const dump = JSON.stringify(embedding);
    expect(dump).toContain("the latency SLO threshold (0.2 s)");
    expect(dump).toContain('horizontalpodautoscaler=\\"keda-hpa-embedding\\"');
    expect(dump).toContain('job=\\"embedding\\"');
    expect(dump).not.toContain('job=\\"inference\\"');
    expect(JSON.stringify(text)).toContain("the latency SLO threshold (0.5 s)");
  });

  it("one load test per service: its own Service, path, payload and name", () => {
    expect(stack.extras.loadTests.map((t) => [t.service.name, t.loadTest.name])).toEqual([
      ["inference", "locust"],
      ["embedding", "locust-embedding"],
    ]);
    const master = (name: string) => objects().find((o) => o.kind === "Job" && o.metadata.name === `${name}-master`)!;
    const env = (job: any) =>
      Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value])) as Record<string, string>;
    const args = (job: any) => job.spec.template.spec.containers[0].args.join(" ");
    expect(args(master("locust"))).toContain("--host=http://inference.ml-serving-models.svc.cluster.local:8000");
    expect(args(master("locust-embedding"))).toContain("--host=http://embedding.ml-serving-models.svc.cluster.local:8000");
    // the env's stages, the service's own payload
    expect(env(master("locust-embedding")).LOAD_PAYLOAD).toBe('{"input": ["a sentence to embed"]}');
    expect(env(master("locust")).LOAD_PAYLOAD).toBe('{"inputs": "Write one sentence about autoscaling."}');
    expect(env(master("locust-embedding")).LOAD_STAGES).toBe(env(master("locust")).LOAD_STAGES);
  });

  it("a service's own path and rate come from its view; its load test reaches only its Service through the policies", () => {
    const input = models();
    input.services[1].scaling.endpoint = "/embed";
    input.services[1].simulation.requestsPerUserPerSecond = 4;
    // /embed would collide in the adapter: give the text model the same endpoint for this what-if
    input.services[0].scaling.endpoint = "/embed";
    const s = buildStack(parseEnvConfig(input, "models"));
    const job = (s.objects() as any[]).find((o) => o.kind === "Job" && o.metadata.name === "locust-embedding-master");
    const env = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect([env.LOAD_PATH, env.LOAD_REQUESTS_PER_USER_PER_SECOND]).toEqual(["/embed", "4"]);
    const policies = (s.objects() as any[]).filter((o) => o.kind === "NetworkPolicy");
    const servingPeers = (name: string) =>
      policies
        .find((p) => p.metadata.name === name)!
        .spec.ingress.flatMap((r: any) => r.from.map((f: any) => f.podSelector?.matchLabels?.["app.kubernetes.io/name"]))
        .filter(Boolean);
    expect(servingPeers("embedding")).toContain("locust-embedding-workers");
    expect(servingPeers("embedding")).not.toContain("locust-workers");
    expect(servingPeers("inference")).toContain("locust-workers");
    expect(servingPeers("inference")).not.toContain("locust-embedding-workers");
  });

  it("a bad per-service load test field is refused at services[i].loadTest…, naming the service", () => {
    const input = models();
    input.services[1].loadTest.workers = 0;
    const p = configProblems(input, "models").find((x) => x.path === "services[1].loadTest.workers")!;
    expect(p.message).toMatch(/^service "embedding": /);
  });
});

describe("across services: what no one service's view shows", () => {
  const stack = stackFor("models");
  const errorsWith = (edit: (objects: any[]) => void) => {
    const input = stackInput(stack);
    const objects = structuredClone(input.objects) as any[];
    edit(objects);
    return runChecks({ ...input, objects }).filter((p) => p.severity === "error");
  };

  it("two services' autoscalers on one workload: one MULTIPLE_AUTOSCALERS naming both services, no false 'target missing'", () => {
    const found = errorsWith((objects) => {
      objects.find((o) => o.kind === "ScaledObject" && o.metadata.name === "embedding").spec.scaleTargetRef.name = "inference";
    });
    expect(found.map((p) => [p.code, p.resource, p.path])).toEqual([
      ["MULTIPLE_AUTOSCALERS", "ScaledObject ml-serving-models/embedding", "spec.scaleTargetRef"],
    ]);
    expect(found[0]!.message).toBe(
      "Deployment ml-serving-models/inference is already scaled by ScaledObject ml-serving-models/inference (service embedding's autoscaler targets service inference's workload): two autoscalers fight over its replica count (KEDA/HPA report AmbiguousSelector)",
    );
  });

  it("an explicit HPA of one service on another's Deployment is refused the same way", () => {
    const found = errorsWith((objects) => {
      const so = objects.find((o) => o.kind === "ScaledObject" && o.metadata.name === "embedding");
      objects.push({
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "embedding-cpu", namespace: "ml-serving-models", labels: so.metadata.labels },
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "inference" },
          minReplicas: 2,
          maxReplicas: 6,
          metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
        },
      });
    });
    expect(found).toContainEqual(
      expect.objectContaining({
        code: "MULTIPLE_AUTOSCALERS",
        resource: "HorizontalPodAutoscaler ml-serving-models/embedding-cpu",
        message: expect.stringContaining("(service embedding's autoscaler targets service inference's workload)"),
      }),
    );
    expect(found.map((p) => p.code)).not.toContain("AUTOSCALER_TARGET_MISSING");
  });

  it("a target no service renders is still missing", () => {
    const found = errorsWith((objects) => {
      objects.find((o) => o.kind === "ScaledObject" && o.metadata.name === "embedding").spec.scaleTargetRef.name = "reranker";
    });
    expect(found.map((p) => [p.code, p.resource])).toContainEqual([
      "AUTOSCALER_TARGET_MISSING",
      "ScaledObject ml-serving-models/embedding",
    ]);
  });

  it("duplicate names, the quota and colliding adapter rules are refused across services too (see above); each names what collides", () => {
    const dup = models();
    dup.services[1].name = "inference";
    expect(configProblems(dup, "models").find((p) => p.path === "services[1].name")!.message).toBe(
      'service "inference" is named like services[0]: two Deployments, autoscalers and rule groups would share one name',
    );
    const collide = models();
    collide.services[1].scaling.endpoint = "/embed";
    const p = codesOf(() => buildStack(parseEnvConfig(collide, "models"))).find((x) => x.code === "ADAPTER_RULES_COLLIDE")!;
    expect(p.message).toMatch(/inference/);
    expect(p.message).toMatch(/embedding/);
  });
});

describe("plain Prometheus (pod annotations, no operator): scrape jobs across services", () => {
  /** dev (plain Prometheus, pod-annotation scrape, scale to zero woken by traefik) with a second model waking on the same gateway. */
  function devTwoModels(edit?: (second: any) => void): any {
    const input = envInput("dev") as any;
    const second = structuredClone(input.services[0]);
    second.name = "embedding";
    second.scaling.wakeUp.matchers = { service: "ml-serving-dev-embedding-8000@kubernetes" };
    edit?.(second);
    input.services.push(second);
    delete input.capacity;
    return input;
  }
  const jobNames = (jobs: any[]) => jobs.map((j) => j.job_name);

  it("one pod job per service and the shared wake-up job once, in the file and the chart values alike", () => {
    const stack = buildStack(parseEnvConfig(devTwoModels(), "dev"));
    const file = stack.extraFiles.find((f) => f.path === "prometheus/scrape-config.yaml")!;
    const fromFile = jobNames(parseYaml(file.content()).scrape_configs);
    expect(fromFile).toEqual(["ml-serving-dev/inference", "traefik", "ml-serving-dev/embedding"]);
    expect(jobNames(parseYaml(stack.helmValues["prometheus"]!.extraScrapeConfigs as string))).toEqual(fromFile);
    // only the first service's chart writes the file
    expect(stack.extraFiles.filter((f) => f.path.startsWith("prometheus/")).map((f) => f.path)).toEqual(["prometheus/scrape-config.yaml"]);
    expect(runChecks(stack).filter((f) => f.severity === "error")).toEqual([]);
  });

  it("promtool check config accepts the rendered scrape configs (no job_name twice)", () => {
    const stack = buildStack(parseEnvConfig(devTwoModels(), "dev"));
    const jobs = parseYaml(stack.extraFiles.find((f) => f.path === "prometheus/scrape-config.yaml")!.content()).scrape_configs;
    // Debian's promtool has no Kubernetes service discovery: static targets in its place, the rest as rendered.
    const statics = jobs.map(({ kubernetes_sd_configs: _sd, ...rest }: any) => ({
      ...rest,
      static_configs: [{ targets: ["10.1.0.11:9090"] }],
    }));
    const check = (list: unknown[]) =>
      promtool(["check", "config", "prometheus.yml"], writeTemp({ "prometheus.yml": JSON.stringify({ scrape_configs: list }) }));
    const r = check(statics);
    expect(r.code, r.output).toBe(0);
    // what it refuses: the same job twice
    const twice = check([...statics, statics[1]]);
    expect(twice.code).not.toBe(0);
    expect(twice.output).toMatch(/multiple scrape configs with job name "traefik"/);
  });

  it("a second service naming the wake-up job for other pods is refused at its field", () => {
    const ps = configProblems(
      devTwoModels((s) => (s.scaling.wakeUp.source.podLabels = { "app.kubernetes.io/name": "envoy" })),
      "dev",
    );
    expect(ps).toEqual([expect.objectContaining({ code: "CONFIG_CONFLICT", env: "dev", path: "services[1].scaling.wakeUp.source.job" })]);
    expect(ps[0]!.message).toMatch(
      /^service "embedding": the wake-up source's job "traefik" .* is service inference's wake-up job for other pods/,
    );
  });

  it("a wake-up job named like another service's own pod job is refused", () => {
    const ps = configProblems(
      devTwoModels(
        (s) => (s.scaling.wakeUp.source = { ...s.scaling.wakeUp.source, namespace: "ml-serving-dev", job: "ml-serving-dev/inference" }),
      ),
      "dev",
    );
    expect(ps).toContainEqual(expect.objectContaining({ code: "CONFIG_CONFLICT", path: "services[1].scaling.wakeUp.source.job" }));
    expect(ps.find((p) => p.path === "services[1].scaling.wakeUp.source.job")!.message).toMatch(/is service inference's own scrape job/);
  });
});

describe("scale: the adapter config and the rule files grow linearly in services", () => {
  it("rule count is constant, rule files and adapter text grow by a constant per service", () => {
    const measure = (n: number) => {
      const s = buildStack(parseEnvConfig(withServices(n), "models"));
      const adapter = s.addonValues.prometheusAdapter!.rules;
      return {
        adapterRules: adapter.custom.length + adapter.external.length,
        adapterChars: JSON.stringify(adapter).length,
        ruleFiles: s.extraFiles.filter((f) => f.path.startsWith("rules/")).length,
        ruleChars: s.extraFiles.filter((f) => f.path.startsWith("rules/")).reduce((a, f) => a + f.content().length, 0),
      };
    };
    const [a, b, c] = [measure(5), measure(10), measure(20)];
    expect(new Set([a.adapterRules, b.adapterRules, c.adapterRules]).size).toBe(1);
    // files per service constant: f(n) = k·n
    expect(b.ruleFiles / 10).toBe(a.ruleFiles / 5);
    expect(c.ruleFiles / 20).toBe(a.ruleFiles / 5);
    // text grows by (almost) the same amount per added service: no quadratic term
    const perService = (x: { adapterChars: number }, y: { adapterChars: number }, dn: number) => (y.adapterChars - x.adapterChars) / dn;
    expect(perService(b, c, 10)).toBeLessThan(perService(a, b, 5) * 1.2);
    expect((c.ruleChars - b.ruleChars) / 10).toBeLessThan(((b.ruleChars - a.ruleChars) / 5) * 1.2);
  });
});

describe("checks stay linear in services", () => {
  it("each service's view checks the shared objects (constant in services) and its own (constant per service)", async () => {
    const { serviceObjectOwner } = await import("../../stacks/checks/index.js");
    const measure = (n: number) => {
      const s = buildStack(parseEnvConfig(withServices(n), "models"));
      const views = s.services.map((m) => m.config);
      const owner = serviceObjectOwner(views);
      const counts = new Map<string | undefined, number>();
      for (const o of s.objects()) counts.set(owner(o), (counts.get(owner(o)) ?? 0) + 1);
      return { shared: counts.get(undefined)!, last: counts.get(views[views.length - 1]!.service.name)! };
    };
    const [a, b] = [measure(4), measure(8)];
    expect(b.shared).toBe(a.shared);
    expect(b.last).toBe(a.last);
    // the last model's own: Deployment, Service, PDB, ServiceAccount, ScaledObject, ServiceMonitor,
    // PrometheusRules (recording, alerts, 2 SLOs × 3 groups), its dashboard, its load test (6 objects),
    // the NetworkPolicies of its pods and of its load test's master
    expect(a.last).toBe(6 + 8 + 1 + 6 + 2);
  });
});

describe("simulator: every model of the env by default, --service picks one", () => {
  it("runs every service by default (config order), the named one with --service, and refuses an unknown name", async () => {
    const { simulateEnv } = await import("../../simulator/simulate.js");
    const { loadScenario } = await import("../../simulator/scenarios.js");
    const all = simulateEnv("models", loadScenario("spike"), ["keda"]);
    expect(all.map((r) => [r.service, r.mode, r.result.model.hpa.maxReplicas])).toEqual([
      ["inference", "keda", 8],
      ["embedding", "keda", 6],
    ]);
    // each service against its own SLO
    expect(all.map((r) => r.result.sloThresholdSeconds)).toEqual([0.5, 0.2]);
    const [embedding, ...rest] = simulateEnv("models", loadScenario("spike"), ["keda"], undefined, "embedding");
    expect(rest).toEqual([]);
    expect([embedding!.service, embedding!.result.model.hpa.maxReplicas]).toEqual(["embedding", 6]);
    expect(() => simulateEnv("models", loadScenario("spike"), ["keda"], undefined, "nope")).toThrow(
      /no service "nope".*inference, embedding/s,
    );
  });

  it("the CLI prints one table row per service and mode, and each service's files", () => {
    const out = mkdtempSync(join(tmpdir(), "sim-models-"));
    try {
      const r = runScript("scripts/simulate.ts", ["--env", "models", "--scenario", "steady", "--compare", "cpu-hpa,keda", "--out", out]);
      expect(r.code, r.stderr).toBe(0);
      const rows = r.stdout.split("\n").filter((l) => /^\| (inference|embedding) \|/.test(l));
      expect(
        rows.map((l) =>
          l
            .split("|")
            .slice(1, 4)
            .map((c) => c.trim()),
        ),
      ).toEqual([
        ["inference", "cpu-hpa", "p95 < 500 ms"],
        ["inference", "keda", "p95 < 500 ms"],
        ["embedding", "cpu-hpa", "p95 < 200 ms"],
        ["embedding", "keda", "p95 < 200 ms"],
      ]);
      expect(readdirSync(out).sort()).toEqual([
        "models-steady-embedding-cpu-hpa.csv",
        "models-steady-embedding-keda.csv",
        "models-steady-embedding.md",
        "models-steady-embedding.svg",
        "models-steady-inference-cpu-hpa.csv",
        "models-steady-inference-keda.csv",
        "models-steady-inference.md",
        "models-steady-inference.svg",
        "models-steady-summary.json",
      ]);
      const summary = JSON.parse(readFileSync(join(out, "models-steady-summary.json"), "utf8"));
      expect(summary.runs.map((x: any) => `${x.service} ${x.label}`)).toEqual([
        "inference cpu-hpa",
        "inference keda",
        "embedding cpu-hpa",
        "embedding keda",
      ]);
      expect(readFileSync(join(out, "models-steady-embedding.md"), "utf8")).toMatch(/^# Scaling what-if: models · embedding · steady/);
      const one = runScript("scripts/simulate.ts", ["--env", "models", "--service", "embedding", "--scenario", "steady", "--out", out]);
      expect(one.code, one.stderr).toBe(0);
      // one service: the side-by-side table of its runs, as for a single-service env
      expect(one.stdout).toMatch(/^\| \| keda \|$/m);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe("npm run diff names the service of each changed object", () => {
  it("on the rendered models env: each changed object, file, dashboard and policy names its service; shared ones none", async () => {
    const { diffDists, readDist, renderText } = await import("../../stacks/diff.js");
    const dir = mkdtempSync(join(tmpdir(), "diff-models-"));
    try {
      const base = join(dir, "base", "models");
      const head = join(dir, "head", "models");
      cpSync(join(ROOT, "dist", "models"), base, { recursive: true });
      cpSync(join(ROOT, "dist", "models"), head, { recursive: true });
      const edit = (file: string, from: string | RegExp, to: string) => {
        const text = readFileSync(join(head, file), "utf8");
        const next = text.replace(from, to);
        expect(next, file).not.toBe(text);
        writeFileSync(join(head, file), next);
      };
      edit("embedding-autoscaling.yaml", "maxReplicaCount: 6", "maxReplicaCount: 7"); // the embedding model's ScaledObject
      edit("rules/embedding-alerts.yaml", 'job="embedding"} > 0.2', 'job="embedding"} > 0.25'); // its plain rule file
      edit("dashboards.yaml", /"title": "embedding \(models\)"/, '"title": "embedding (models) v2"'); // its dashboard
      edit("network-policy.yaml", /(name: embedding\n[\s\S]*?port: )8000/, "$18001"); // its policy
      edit("monitoring.yaml", 'job=~"inference|embedding"', 'job=~"inference|embedding|reranker"'); // the shared adapter rules
      edit("workload.yaml", /(requests\.cpu: )"\d+"/, '$1"99"'); // the shared quota
      const [d] = diffDists(readDist(join(dir, "base")), readDist(join(dir, "head")));
      const owners = Object.fromEntries(d!.resources.map((r) => [r.resource.replace(/ \(.*\)$/, ""), r.service ?? "(shared)"]));
      expect(owners).toEqual({
        "ConfigMap ml-serving-models/embedding-dashboard": "embedding",
        "ConfigMap monitoring/inference-models-prometheus-adapter": "(shared)",
        "File rules/embedding-alerts.yaml": "embedding",
        "NetworkPolicy ml-serving-models/embedding": "embedding",
        "ResourceQuota ml-serving-models/compute": "(shared)",
        "ScaledObject ml-serving-models/embedding": "embedding",
      });
      const text = renderText([d!]);
      expect(text).toMatch(/^ {2}~ File rules\/embedding-alerts\.yaml for embedding$/m);
      expect(text).toMatch(/^ {2}~ ConfigMap monitoring\/inference-models-prometheus-adapter \(v1\)$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a changed object carries its service (app.kubernetes.io/name); shared objects none", async () => {
    const { diffDists, renderText } = await import("../../stacks/diff.js");
    const so = (name: string, max: number) => ({
      kind: "ScaledObject",
      metadata: { name, labels: { "app.kubernetes.io/name": name } },
      spec: { maxReplicaCount: max },
    });
    const quota = (cpu: string) => ({ kind: "ResourceQuota", metadata: { name: "quota" }, spec: { hard: { cpu } } });
    const snap = (a: number, b: number, cpu: string) =>
      new Map([
        [
          "models",
          {
            resources: new Map<string, unknown>([
              ["so/text", so("text", a)],
              ["so/embedding", so("embedding", b)],
              ["quota", quota(cpu)],
            ]),
          },
        ],
      ]);
    const [d] = diffDists(snap(8, 6, "28"), snap(8, 7, "30"));
    expect(d!.resources.map((r) => [r.resource, r.service])).toEqual([
      ["quota", undefined],
      ["so/embedding", "embedding"],
    ]);
    expect(renderText([d!])).toMatch(/~ so\/embedding for embedding\n/);
  });
});
