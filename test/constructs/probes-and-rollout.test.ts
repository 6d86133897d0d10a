/**
 * Probe and rollout numbers of the inference Deployment, each asserted with the reason it must
 * be what it is (the snapshots pin them only as text):
 * - startup probe: failureThreshold × period covers the model load even when the load time does not
 *   divide by the period (rounded up), and not a whole period more;
 * - liveness: 6 failures × 10 s = 60 s before a restart, longer than readiness takes to pull the pod
 *   out of the Service (3 × period), so a pod busy with a long batch is drained, not killed;
 * - rolling update: maxUnavailable 0 with a surge, so a rollout never drops below the replica count
 *   the autoscaler chose (the PDB's maxUnavailable is a separate knob, for voluntary evictions).
 */
import { describe, expect, it } from "vitest";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { stackFor } from "../helpers/env.js";

function inferenceContainer(env: string, probes: Record<string, number> = {}) {
  const stack = stackFor(env, Object.keys(probes).length ? { service: { probes } } : {});
  const dep = stack.objects().find((o: any) => o.kind === "Deployment" && o.metadata.name === "inference") as any;
  return { dep, container: dep.spec.template.spec.containers[0] };
}

describe("startup probe budget covers the model load", () => {
  it.each([
    [121, 5, 25], // 24 × 5 = 120 < 121: one more try
    [118, 10, 12], // 11 × 10 = 110 < 118
    [120, 5, 24], // divides: exactly 120
    [10, 7, 2],
  ])("modelLoadSeconds %i, period %i s -> failureThreshold %i", (modelLoadSeconds, periodSeconds, threshold) => {
    const { startupProbe } = inferenceContainer("prod", { modelLoadSeconds, periodSeconds }).container;
    expect(startupProbe.periodSeconds).toBe(periodSeconds);
    expect(startupProbe.failureThreshold).toBe(threshold);
    expect(startupProbe.failureThreshold * periodSeconds).toBeGreaterThanOrEqual(modelLoadSeconds);
    expect((startupProbe.failureThreshold - 1) * periodSeconds).toBeLessThan(modelLoadSeconds);
  });
});

describe.each(ENV_NAMES)("env %s: liveness and rollout", (env) => {
  const { dep, container } = inferenceContainer(env);

  it("liveness restarts a pod only after 6 failed probes 10 s apart (60 s), well after readiness drained it", () => {
    const { livenessProbe: live, readinessProbe: ready } = container;
    expect([live.failureThreshold, live.periodSeconds]).toEqual([6, 10]);
    expect(live.failureThreshold * live.periodSeconds).toBeGreaterThan(ready.failureThreshold * ready.periodSeconds);
  });

  it("rolling update surges and never takes a serving pod away first (maxUnavailable 0)", () => {
    expect(dep.spec.strategy.type).toBe("RollingUpdate");
    expect(dep.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(dep.spec.strategy.rollingUpdate.maxSurge).toBe("25%");
  });
});
