import { describe, expect, it } from "vitest";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { ConfigError, parseEnvConfig } from "../../stacks/validate.js";
import { configProblems as problems, envInput } from "../helpers/env.js";

describe("env config validation", () => {
  it("accepts every built-in environment", () => {
    for (const env of ENV_NAMES) expect(() => parseEnvConfig(envInput(env), env)).not.toThrow();
  });

  it("fills documented defaults", () => {
    const c = parseEnvConfig(envInput("prod"), "prod");
    expect(c.service.port).toBe(8000);
    expect(c.service.probes).toEqual({
      readinessPath: "/readyz",
      startupPath: "/health",
      livenessPath: "/health",
      periodSeconds: 5,
      modelLoadSeconds: 120,
    });
    expect(c.scaling.behavior.scaleUp).toEqual({ stabilizationWindowSeconds: 60, pods: 2, percent: 50, periodSeconds: 30 });
    expect(c.scaling.keda.p95Latency).toEqual({ threshold: 0.5, activation: 0.3 });
    expect(c.monitoring.scrapeIntervalSeconds).toBe(15);
    expect(c.service.metrics.metrics.map((m) => m.name)).toContain("inference_queue_len");
  });

  // Each problem carries a stable code (stacks/validate.ts ConfigCode, or the check code a schema invariant mirrors).
  const cases: [string, Record<string, unknown>, string, RegExp, string][] = [
    ["negative replicas", { scaling: { minReplicas: -1 } }, "services[0].scaling.minReplicas", /at least 0/, "CONFIG_RANGE"],
    [
      "min > max",
      { scaling: { minReplicas: 5, maxReplicas: 3 } },
      "services[0].scaling.minReplicas",
      /greater than maxReplicas 3/,
      "CONFIG_CONFLICT",
    ],
    ["missing image", { service: { image: undefined } }, "services[0].image", /required/, "CONFIG_MISSING"],
    ["empty image", { service: { image: "" } }, "services[0].image", /must not be empty/, "CONFIG_EMPTY"],
    [
      "image without tag",
      { service: { image: "registry.example.com/ml/inference" } },
      "services[0].image",
      /tag or @sha256/,
      "CONFIG_FORMAT",
    ],
    ["unknown field", { service: { replicaz: 3 } }, "services[0]", /unknown field "replicaz"/, "CONFIG_UNKNOWN_KEY"],
    [
      "request > limit",
      { service: { resources: { requests: { cpu: "8" } } } },
      "services[0].resources.requests.cpu",
      /above the limit 4/,
      "CONFIG_CONFLICT",
    ],
    [
      "probe path without /",
      { service: { probes: { readinessPath: "readyz" } } },
      "services[0].probes.readinessPath",
      /starting with '\/'/,
      "CONFIG_FORMAT",
    ],
    [
      "bad quantity",
      { service: { resources: { requests: { memory: "4 gigs" } } } },
      "services[0].resources.requests.memory",
      /quantity/,
      "CONFIG_FORMAT",
    ],
    [
      "wrong type",
      { scaling: { maxReplicas: "20" } },
      "services[0].scaling.maxReplicas",
      /must be a number, not the string "20"/,
      "CONFIG_INVALID_TYPE",
    ],
    ["unknown mode", { scaling: { mode: "vpa" } }, "services[0].scaling.mode", /cpu-hpa, slo-hpa, keda/, "CONFIG_INVALID_VALUE"],
    [
      "activation ≥ threshold",
      { scaling: { keda: { queueLength: { threshold: 10, activation: 10 } } } },
      "services[0].scaling.keda.queueLength.activation",
      /below threshold/,
      "CONFIG_CONFLICT",
    ],
    ["unicode namespace", { namespace: "ml-sérving" }, "namespace", /DNS label/, "CONFIG_FORMAT"],
    ["huge number", { monitoring: { alerts: { queueBacklog: Infinity } } }, "monitoring.alerts.queueBacklog", /number/, "CONFIG_RANGE"],
    [
      "out-of-range float",
      { slo: { availability: { objective: 100 } } },
      "services[0].slo.availability.objective",
      /at most 99.999/,
      "CONFIG_RANGE",
    ],
  ];
  for (const [name, patch, field, message, code] of cases) {
    it(`rejects ${name} naming env, field, fix and code ${code}`, () => {
      const ps = problems(envInput("prod", patch));
      const p = ps.find((x) => x.path === field);
      expect(p, JSON.stringify(ps)).toBeDefined();
      expect(p!.env).toBe("prod");
      expect(p!.message).toMatch(message);
      // A service's field names the service, whether the schema or a config check found it.
      if (field.startsWith("services[0]")) expect(p!.message).toMatch(/^service "inference": /);
      expect(p!.code).toBe(code);
      expect(p!.fix.length).toBeGreaterThan(5);
      expect(new ConfigError([p!]).message).toMatch(new RegExp(`^${code} env "prod": `));
    });
  }

  it("reports one line per field", () => {
    const ps = problems(envInput("prod", { service: { image: "" } }));
    expect(ps.filter((p) => p.path === "services[0].image")).toHaveLength(1);
  });
});
