import { describe, expect, it } from "vitest";
import { ENV_NAMES } from "../stacks/envs/index.js";
import { ConfigError, parseEnvConfig } from "../stacks/validate.js";
import { envInput } from "./helpers/env.js";

function problems(input: unknown, env = "prod") {
  try {
    parseEnvConfig(input, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error("config was accepted");
}

describe("env config validation", () => {
  it("accepts every built-in environment", () => {
    for (const env of ENV_NAMES) expect(() => parseEnvConfig(envInput(env), env)).not.toThrow();
  });

  it("fills documented defaults", () => {
    const c = parseEnvConfig(envInput("prod"), "prod");
    expect(c.service.port).toBe(8000);
    expect(c.service.probes).toEqual({ readinessPath: "/readyz", startupPath: "/health", livenessPath: "/health", periodSeconds: 5, modelLoadSeconds: 120 });
    expect(c.scaling.behavior.scaleUp).toEqual({ stabilizationWindowSeconds: 60, pods: 2, percent: 50, periodSeconds: 30 });
    expect(c.scaling.keda.p95Latency).toEqual({ threshold: 0.5, activation: 0.3 });
    expect(c.monitoring.scrapeIntervalSeconds).toBe(15);
    expect(c.service.metrics.metrics.map((m) => m.name)).toContain("inference_queue_len");
  });

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ["negative replicas", { scaling: { minReplicas: -1 } }, "scaling.minReplicas", /at least 0/],
    ["min > max", { scaling: { minReplicas: 5, maxReplicas: 3 } }, "scaling.minReplicas", /greater than maxReplicas 3/],
    ["missing image", { service: { image: undefined } }, "service.image", /required/],
    ["empty image", { service: { image: "" } }, "service.image", /must not be empty/],
    ["image without tag", { service: { image: "registry.example.com/ml/inference" } }, "service.image", /tag or @sha256/],
    ["unknown field", { service: { replicaz: 3 } }, "service", /unknown field "replicaz"/],
    ["request > limit", { service: { resources: { requests: { cpu: "8" } } } }, "service.resources.requests.cpu", /above the limit 4/],
    ["probe path without /", { service: { probes: { readinessPath: "readyz" } } }, "service.probes.readinessPath", /starting with '\/'/],
    ["bad quantity", { service: { resources: { requests: { memory: "4 gigs" } } } }, "service.resources.requests.memory", /quantity/],
    ["wrong type", { scaling: { maxReplicas: "20" } }, "scaling.maxReplicas", /number/],
    ["unknown mode", { scaling: { mode: "vpa" } }, "scaling.mode", /cpu-hpa, slo-hpa, keda/],
    ["activation ≥ threshold", { scaling: { keda: { queueLength: { threshold: 10, activation: 10 } } } }, "scaling.keda.queueLength.activation", /below threshold/],
    ["short query window", { monitoring: { queryWindow: "30s" } }, "monitoring.queryWindow", /4× the scrape interval/],
    ["unicode namespace", { namespace: "ml-sérving" }, "namespace", /DNS label/],
  ];
  for (const [name, patch, field, message] of cases) {
    it(`rejects ${name} naming env, field and fix`, () => {
      const ps = problems(envInput("prod", patch));
      const p = ps.find((x) => x.field === field);
      expect(p, JSON.stringify(ps)).toBeDefined();
      expect(p!.env).toBe("prod");
      expect(p!.message).toMatch(message);
      expect(p!.fix.length).toBeGreaterThan(5);
      expect(new ConfigError([p!]).message).toMatch(/^env "prod": /);
    });
  }

  it("reports one line per field", () => {
    const ps = problems(envInput("prod", { service: { image: "" } }));
    expect(ps.filter((p) => p.field === "service.image")).toHaveLength(1);
  });
});
