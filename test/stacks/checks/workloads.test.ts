/**
 * stacks/checks/workloads.ts: IMAGE_NOT_PINNED (every image the config declares, production
 * environments only) and PDB_ALLOWS_OUTAGE (minReplicas 1 with a budget that allows an eviction).
 */
import { describe, expect, it } from "vitest";
import { isProductionEnv } from "../../../stacks/checks/workloads.js";
import { checkConfig, config, expectWarnings } from "./fixtures.js";

const RESOURCES = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "256Mi" } };
const DIGEST = `@sha256:${"a".repeat(64)}`;
const capacity = { capacity: { cpu: "64", memory: "128Gi" } };

describe("isProductionEnv: prod or production as a whole dash-separated word", () => {
  it.each([
    ["prod", true],
    ["production", true],
    ["prod-eu", true],
    ["eu-prod", true],
    ["eu-production-2", true],
    ["preprod", false],
    ["prods", false],
    ["productions", false],
    ["product", false],
    ["staging", false],
    ["dev", false],
  ])("%s → %s", (name, expected) => {
    expect(isProductionEnv(name)).toBe(expected);
  });
});

describe("IMAGE_NOT_PINNED (warning): every image of a production environment by digest", () => {
  it("names each tag-only image at its field, why a tag is not enough, and the digest to append", () => {
    const c = config({
      name: "prod-eu",
      ...capacity,
      orchestrator: { image: "registry.example.com/ml/orchestrator:2.3.0", resources: RESOURCES },
      queueWorkers: [
        { name: "a", image: `registry.example.com/ml/worker:1.0.0${DIGEST}`, app: "tasks.app", queueName: "jobs", resources: RESOURCES },
        { name: "b", image: "registry.example.com/ml/worker:1.0.0", app: "tasks.app", queueName: "jobs2", resources: RESOURCES },
      ],
      gpu: {
        image: "vllm/vllm-openai:v0.6.3",
        model: "Qwen/Qwen2.5-7B-Instruct",
        resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } },
      },
      loadTest: { stages: [{ users: 10, spawnRate: 1, durationSeconds: 60 }] },
    });
    const warnings = checkConfig(c).findings.filter((f) => f.code === "IMAGE_NOT_PINNED");
    expect(warnings.map((w) => [w.severity, w.resource, w.path])).toEqual([
      ["warning", "EnvConfig prod-eu", "service.image"],
      ["warning", "EnvConfig prod-eu", "orchestrator.image"],
      ["warning", "EnvConfig prod-eu", "queueWorkers[1].image"],
      ["warning", "EnvConfig prod-eu", "gpu.image"],
      ["warning", "EnvConfig prod-eu", "loadTest.image"],
    ]);
    expect(warnings[0]!.message).toBe(
      "image registry.example.com/ml/inference:1.0.0 is pinned by tag only in production: a re-pushed tag changes what new pods run without any change here",
    );
    expect(warnings[0]!.fix).toBe(
      "append the digest the registry reports for it (registry.example.com/ml/inference:1.0.0@sha256:<digest>, e.g. from crane digest or docker buildx imagetools inspect)",
    );
    expect(warnings[4]!.message).toMatch(/^image locustio\/locust:2\.31\.8 is pinned by tag only/);
  });

  it("accepts digests in production and tags outside it", () => {
    const pinned = config({ name: "prod", service: { image: `registry.example.com/ml/inference:1.0.0${DIGEST}` } });
    expect(checkConfig(pinned).findings).toEqual([]);
    expect(checkConfig(config({ name: "staging" })).findings).toEqual([]);
  });
});

describe("PDB_ALLOWS_OUTAGE (warning): one eviction must not take the only pod", () => {
  it("minReplicas 1 with maxUnavailable ≥ 1 on a multi-node cluster: the budget, why, and both fixes", () => {
    const [w] = expectWarnings(checkConfig(config({ scaling: { minReplicas: 1 }, service: { maxUnavailable: 2 } })), ["PDB_ALLOWS_OUTAGE"]);
    expect(w!.path).toBe("service.maxUnavailable");
    expect(w!.message).toBe(
      "scaling.minReplicas is 1 and the PodDisruptionBudget allows maxUnavailable 2: at the floor, one voluntary eviction (node drain, cluster upgrade) removes the only pod and the service is down until a new one is ready",
    );
    expect(w!.fix).toBe(
      "set scaling.minReplicas to 2 or more, or service.maxUnavailable to 0 (drains then wait until the autoscaler has added a pod)",
    );
    expectWarnings(checkConfig(config({ scaling: { minReplicas: 1 }, service: { maxUnavailable: 1 } })), ["PDB_ALLOWS_OUTAGE"]);
  });

  it("not with maxUnavailable 0, minReplicas 2, or on a one-node (local) cluster", () => {
    expect(checkConfig(config({ scaling: { minReplicas: 1 }, service: { maxUnavailable: 0 } })).findings).toEqual([]);
    expect(checkConfig(config({ scaling: { minReplicas: 2 }, service: { maxUnavailable: 1 } })).findings).toEqual([]);
    const local = checkConfig(config({ cluster: { kind: "local" }, scaling: { minReplicas: 1 }, service: { maxUnavailable: 1 } }));
    expect(local.findings.filter((f) => f.code === "PDB_ALLOWS_OUTAGE")).toEqual([]);
  });
});
