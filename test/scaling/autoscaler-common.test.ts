import { describe, expect, it } from "vitest";
import { Construct } from "constructs";
import {
  AutoscalerError,
  deploymentScaleTarget,
  kedaHpaName,
  checkBehavior,
  claimScaleTarget,
  isWhole,
  positiveQuantity,
  Problems,
  renderBehavior,
  requireName,
  requireRequests,
  targetApiVersion,
  targetKind,
  toQuantity,
  type ScaleTarget,
  type ScalingBehavior,
  type ScalingPolicy,
  type TargetContainer,
} from "../../scaling/autoscaler-common.js";
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
    expect((e as AutoscalerError).lines).toEqual([
      "ScaledObject ns/x: spec.a: bad a. Fix: fix a",
      "ScaledObject ns/x: spec.b: bad b. Fix: fix b",
    ]);
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
    const workload = {
      name: "inference",
      namespace: "ns",
      containerName: "server",
      resources: { requests },
      markHasAutoscaler: (o: string) => void owners.push(o),
    };
    const t = deploymentScaleTarget(workload);
    expect({ ...t, markHasAutoscaler: undefined }).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "inference",
      namespace: "ns",
      containers: [{ name: "server", requests }],
      markHasAutoscaler: undefined,
    });
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

describe("the shared autoscaler rules, at their boundaries", () => {
  const collect = (fn: (p: Problems) => void): string[] => {
    const p = new Problems();
    fn(p);
    try {
      p.throwIfAny("X ns/x");
    } catch (e) {
      expect(p.count).toBeGreaterThan(0);
      return (e as AutoscalerError).lines.map((l: string) => l.replace(/^X ns\/x: /, ""));
    }
    expect(p.count).toBe(0);
    return [];
  };

  it("isWhole: integers within [min, max], both ends included", () => {
    expect([
      isWhole(1, 1),
      isWhole(0, 1),
      isWhole(1.5, 1),
      isWhole(5, 1, 5),
      isWhole(6, 1, 5),
      isWhole(Number.MAX_SAFE_INTEGER, 0),
    ]).toEqual([true, false, false, true, false, true]);
  });

  it("requireName: a DNS label of at most 63 characters; a subdomain (dots) when more are allowed", () => {
    expect(collect((p) => requireName("a".repeat(63), 63, p, "metadata.name", "a label value"))).toEqual([]);
    expect(collect((p) => requireName("a".repeat(64), 63, p, "metadata.name", "a label value"))).toEqual([
      `metadata.name: "${"a".repeat(64)}" is 64 characters; at most 63 fit (a label value). Fix: shorten it to 63 characters or fewer`,
    ]);
    expect(collect((p) => requireName("a.b", 63, p, "f"))).toEqual([
      `f: "a.b" is not a DNS label (lower-case letters, digits and '-'). Fix: use a name such as inference`,
    ]);
    expect(collect((p) => requireName("a.b", 253, p, "f"))).toEqual([]);
    expect(collect((p) => requireName("A", 253, p, "f"))).toEqual([
      `f: "A" is not a DNS subdomain (lower-case letters, digits and '-', dot-separated). Fix: use a name such as inference`,
    ]);
    expect(collect((p) => requireName("-a", 63, p, "f"))).toHaveLength(1);
    expect(collect((p) => requireName(`${"a".repeat(200)}.${"b".repeat(60)}`, 253, p, "f"))).toEqual([
      expect.stringMatching(/is 261 characters; at most 253 fit \(a DNS name\)/),
    ]);
  });

  it("requireRequests: every container, or the one named; the message names what is missing", () => {
    const t = (containers: TargetContainer[]): ScaleTarget => ({ name: "web", namespace: "ns", kind: "StatefulSet", containers });
    const both = [{ name: "server", requests: { cpu: "1" } }, { name: "sidecar" }];
    expect(collect((p) => requireRequests(t(both), "cpu", "server", p, "f"))).toEqual([]);
    expect(collect((p) => requireRequests(t(both), "cpu", undefined, p, "f"))).toEqual([
      'f: a cpu target needs a cpu request on every container, but "sidecar" has none. Fix: set resources.requests.cpu on the container (service.resources.requests.cpu)',
    ]);
    expect(collect((p) => requireRequests(t(both), "memory", "server", p, "f"))).toEqual([
      'f: a memory target needs a memory request, but container "server" has none. Fix: set resources.requests.memory on the container (service.resources.requests.memory)',
    ]);
    expect(collect((p) => requireRequests(t(both), "cpu", "gpu", p, "f"))).toEqual([
      'f: container "gpu" is not in StatefulSet web (containers: server, sidecar). Fix: name one of its containers',
    ]);
    expect(collect((p) => requireRequests(t([]), "cpu", undefined, p, "f"))).toEqual([
      "f: a cpu target needs container requests, but StatefulSet web lists no containers. Fix: describe the target's containers and their requests",
    ]);
  });

  it("positiveQuantity: the quantity form of a positive value; zero and non-quantities are problems", () => {
    const p = new Problems();
    expect(positiveQuantity(0.25, p, "f")).toBe("250m");
    expect(positiveQuantity("2Gi", p, "f")).toBe("2Gi");
    expect(p.count).toBe(0);
    expect(collect((q) => expect(positiveQuantity(0, q, "f")).toBeUndefined())).toEqual([
      "f: target 0 must be greater than 0. Fix: give a positive target",
    ]);
    expect(collect((q) => expect(positiveQuantity("0m", q, "f")).toBeUndefined())).toEqual([
      'f: target "0m" must be greater than 0. Fix: give a positive target',
    ]);
    expect(collect((q) => expect(positiveQuantity("fast", q, "f")).toBeUndefined())).toEqual([
      expect.stringMatching(/^f: "fast" is not a quantity: .*\. Fix: give a positive number or a quantity such as 500m or 2Gi$/),
    ]);
  });

  it("checkBehavior: windows 0–3600 s, policies non-empty, values ≥ 1, periods 1–1800 s, each problem at its field", () => {
    const ok: ScalingBehavior = {
      scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 1, periodSeconds: 1 }] },
      scaleDown: { stabilizationWindowSeconds: 3600, policies: [{ type: "Percent", value: 100, periodSeconds: 1800 }] },
    };
    expect(collect((p) => checkBehavior(ok, p, "spec.behavior"))).toEqual([]);
    const bad: ScalingBehavior = {
      scaleUp: { stabilizationWindowSeconds: -1, policies: [{ type: "Pods", value: 0, periodSeconds: 0 }] },
      scaleDown: { stabilizationWindowSeconds: 3601, policies: [{ type: "Percent", value: 1.5, periodSeconds: 1801 }] },
    };
    expect(collect((p) => checkBehavior(bad, p, "spec.behavior"))).toEqual([
      "spec.behavior.scaleUp.stabilizationWindowSeconds: -1 must be a whole number of seconds from 0 to 3600. Fix: use a window between 0 and 3600 s",
      "spec.behavior.scaleUp.policies[0].value: 0 must be a whole number greater than 0. Fix: allow at least 1 pod or 1 %",
      "spec.behavior.scaleUp.policies[0].periodSeconds: 0 must be a whole number from 1 to 1800. Fix: use a period between 1 and 1800 s",
      "spec.behavior.scaleDown.stabilizationWindowSeconds: 3601 must be a whole number of seconds from 0 to 3600. Fix: use a window between 0 and 3600 s",
      "spec.behavior.scaleDown.policies[0].value: 1.5 must be a whole number greater than 0. Fix: allow at least 1 pod or 1 %",
      "spec.behavior.scaleDown.policies[0].periodSeconds: 1801 must be a whole number from 1 to 1800. Fix: use a period between 1 and 1800 s",
    ]);
    expect(collect((p) => checkBehavior({ scaleDown: { policies: [] } }, p, "b"))).toEqual([
      "b.scaleDown.policies: an empty policy list is rejected by the API server. Fix: list at least one policy or leave policies out for the defaults",
    ]);
  });

  it("renderBehavior: only the directions and fields given, policies reduced to type, value, period", () => {
    expect(renderBehavior({})).toEqual({});
    expect(renderBehavior({ scaleDown: { selectPolicy: "Min" } })).toEqual({ scaleDown: { selectPolicy: "Min" } });
    const policy = { type: "Pods", value: 4, periodSeconds: 15, extra: true } as ScalingPolicy;
    expect(
      renderBehavior({ scaleUp: { stabilizationWindowSeconds: 0, policies: [policy] }, scaleDown: { stabilizationWindowSeconds: 300 } }),
    ).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: "Pods", value: 4, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 300 },
    });
  });

  it("claimScaleTarget: one owner per workload (kind, namespace, name) per construct tree; the workload's own refusal is a problem", () => {
    const t = (over: Partial<ScaleTarget> = {}): ScaleTarget => ({ name: "inference", namespace: "ml", containers: [], ...over });
    const scope = new Construct(undefined as never, "root");
    expect(collect((p) => claimScaleTarget(scope, t(), "ScaledObject/a", p, "f"))).toEqual([]);
    expect(collect((p) => claimScaleTarget(new Construct(scope, "child"), t(), "HorizontalPodAutoscaler/b", p, "f"))).toEqual([
      "f: Deployment ml/inference is already scaled by ScaledObject/a; HorizontalPodAutoscaler/b would fight it over the replica count (AmbiguousSelector). Fix: keep one autoscaler per workload (pick one scaling mode)",
    ]);
    for (const other of [t({ namespace: "ml2" }), t({ name: "other" }), t({ kind: "StatefulSet" })])
      expect(collect((p) => claimScaleTarget(scope, other, "HorizontalPodAutoscaler/c", p, "f"))).toEqual([]);
    expect(
      collect((p) => claimScaleTarget(new Construct(undefined as never, "another-tree"), t(), "HorizontalPodAutoscaler/d", p, "f")),
    ).toEqual([]);
    const marked: string[] = [];
    const refusing = t({
      name: "refusing",
      markHasAutoscaler: (owner) => {
        if (marked.push(owner) > 1) throw new Error("already has an autoscaler");
      },
    });
    expect(collect((p) => claimScaleTarget(scope, refusing, "ScaledObject/e", p, "f"))).toEqual([]);
    expect(marked).toEqual(["ScaledObject/e"]);
    // In another tree nothing is recorded yet, but the workload itself refuses a second owner.
    expect(collect((p) => claimScaleTarget(new Construct(undefined as never, "tree-3"), refusing, "ScaledObject/f", p, "f"))).toEqual([
      "f: already has an autoscaler. Fix: keep one autoscaler per workload (pick one scaling mode)",
    ]);
  });

  it("the scaled workload defaults to an apps/v1 Deployment", () => {
    expect([
      targetKind({ name: "x", namespace: "n", containers: [] }),
      targetApiVersion({ name: "x", namespace: "n", containers: [] }),
    ]).toEqual(["Deployment", "apps/v1"]);
    expect([
      targetKind({ name: "x", namespace: "n", containers: [], kind: "StatefulSet" }),
      targetApiVersion({ name: "x", namespace: "n", containers: [], apiVersion: "apps/v1beta2" }),
    ]).toEqual(["StatefulSet", "apps/v1beta2"]);
  });
});
