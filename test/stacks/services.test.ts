/**
 * Many inference services per environment (issue 19): the services form of the config (shared
 * defaults, per-service overrides), one ServiceModel per service, the shared parts rendered once
 * (namespace, quota, one prometheus-adapter rule set), and errors that name env, service, field, fix.
 */
import { describe, expect, it } from "vitest";
import { buildStack } from "../../stacks/stack.js";
import { runChecks } from "../../stacks/checks/index.js";
import { UserError } from "../../problems/problem.js";
import { parseEnvConfig } from "../../stacks/validate.js";
import { configProblems, envInput } from "../helpers/env.js";
import { builtStack } from "../helpers/rendered.js";

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

describe("one ServiceModel per service, shared parts once", () => {
  const stack = builtStack("models");

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

describe("simulator: --service picks one model of the env", () => {
  it("simulates the named service's own autoscaler and refuses an unknown name", async () => {
    const { simulateEnv } = await import("../../simulator/simulate.js");
    const { loadScenario } = await import("../../simulator/scenarios.js");
    const [text] = simulateEnv("models", loadScenario("spike"), ["keda"]);
    const [embedding] = simulateEnv("models", loadScenario("spike"), ["keda"], undefined, "embedding");
    expect(text!.result.model.hpa.maxReplicas).toBe(8);
    expect(embedding!.result.model.hpa.maxReplicas).toBe(6);
    expect(() => simulateEnv("models", loadScenario("spike"), ["keda"], undefined, "nope")).toThrow(
      /no service "nope".*inference, embedding/s,
    );
  });
});

describe("npm run diff names the service of each changed object", () => {
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
