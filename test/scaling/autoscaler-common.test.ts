import { describe, expect, it } from "vitest";
import { AutoscalerError, deploymentScaleTarget, kedaHpaName, Problems, toQuantity } from "../../scaling/autoscaler-common.js";
import { UserError } from "../../problems/problem.js";
import { refusedIn } from "../../stacks/errors.js";
import { parseQuantity } from "../../kube/quantity.js";

describe("toQuantity", () => {
  it.each([
    [10, "10"],
    [0, "0"],
    [0.35, "350m"],
    [0.5, "500m"],
    [1.5, "1500m"],
    [0.0005, "500u"],
    [0.1 + 0.2, "300m"],
    [2.5e-8, "25n"],
    ["1536Mi", "1536Mi"],
  ])("%s → %s", (n, q) => {
    expect(toQuantity(n)).toBe(q);
    expect(parseQuantity(q)).toBeCloseTo(typeof n === "number" ? n : 1536 * 2 ** 20, 12);
  });

  it.each([-1, NaN, Infinity, 1e-12, 2 ** 60, "12 cores"])("refuses %s", (n) => {
    expect(() => toQuantity(n as number)).toThrow();
  });
});

describe("AutoscalerError", () => {
  it("prints one line per problem naming the resource, the field and the fix; the stack places it in its environment", () => {
    const problems = new Problems();
    problems.add("spec.a", "bad a", "fix a");
    problems.require(false, "spec.b", "bad b", "fix b");
    problems.require(true, "spec.c", "never", "never");
    let e: unknown;
    try {
      problems.throwIfAny("ScaledObject ns/x");
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(AutoscalerError);
    expect(e).toBeInstanceOf(UserError);
    expect((e as AutoscalerError).lines).toEqual(["ScaledObject ns/x: spec.a: bad a. Fix: fix a", "ScaledObject ns/x: spec.b: bad b. Fix: fix b"]);
    expect(refusedIn("prod", e as AutoscalerError).lines).toEqual([
      'CONSTRUCT_INVARIANT env "prod": ScaledObject ns/x: spec.a: bad a. Fix: fix a',
      'CONSTRUCT_INVARIANT env "prod": ScaledObject ns/x: spec.b: bad b. Fix: fix b',
    ]);
  });
});

describe("deploymentScaleTarget", () => {
  it("is the Deployment with its one container's requests (a copy), handing the replica count to the workload", () => {
    const requests = { cpu: "2", memory: "4Gi" };
    const owners: string[] = [];
    const workload = { name: "inference", namespace: "ns", containerName: "server", resources: { requests }, markHasAutoscaler: (o: string) => void owners.push(o) };
    const t = deploymentScaleTarget(workload);
    expect({ ...t, markHasAutoscaler: undefined }).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "inference", namespace: "ns", containers: [{ name: "server", requests }], markHasAutoscaler: undefined });
    expect(t.containers[0]!.requests).not.toBe(requests);
    t.markHasAutoscaler!("ScaledObject/inference");
    expect(owners).toEqual(["ScaledObject/inference"]);
  });
});

describe("kedaHpaName", () => {
  it("is KEDA's keda-hpa-<ScaledObject>", () => {
    expect(kedaHpaName("inference")).toBe("keda-hpa-inference");
  });
});
