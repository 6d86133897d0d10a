// validateCase in process: each rule of the autoscaling/v2 API validation and of the case's own sections,
// as the exact list of problems a case gets (`<path>: <message>`), and the cases it must accept.
// (The command line's handling of a refused case: validate-cli.test.ts, in a child process.)
import { describe, expect, it } from "vitest";
import { CaseValidationError, caseProblem, validateCase } from "../../../simulator/hpa/validate.js";
import { problem } from "../../../problems/problem.js";
import { cpuUtil, externalAvg, externalValue, hpaCase, objectAvg, objectValue, pod, pods, podsAvg } from "./builders.js";

function problems(input: unknown): string[] {
  try {
    validateCase(input);
  } catch (e) {
    expect(e).toBeInstanceOf(CaseValidationError);
    return (e as CaseValidationError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error("case was accepted");
}

/** A valid case with one External AverageValue metric, changed by `edit` (a deep copy: the edit may break it). */
function variant(
  edit: (c: any) => void,
  base: unknown = hpaCase({ current: 3, metrics: [externalAvg("q", "1")], observations: [{ value: "5" }] }),
) {
  const c = JSON.parse(JSON.stringify(base));
  edit(c);
  return c;
}

/** A valid case whose only metric is `metric`, observed as `observation`. */
function withMetric(metric: unknown, observation: unknown, edit: (c: Record<string, unknown>) => void = () => {}) {
  return variant((c) => {
    c.spec.metrics = [metric];
    c.observations = [observation];
    edit(c);
  });
}

function accepts(input: unknown): void {
  expect(validateCase(input)).toBe(input);
}

const POD_OBS = { pods: pods("500m", "600m") };

describe("validateCase: well-formed cases", () => {
  it("accepts a well-formed case and returns it", () => {
    const c = hpaCase({ current: 3, metrics: [cpuUtil(50)], observations: [{ pods: pods("500m", "600m", "700m") }] });
    expect(validateCase(JSON.parse(JSON.stringify(c)))).toEqual(c);
    accepts(variant(() => {}));
  });
  it("accepts every metric source in a valid form, and every optional section", () => {
    accepts(
      hpaCase({
        min: 0,
        max: 5,
        current: 2,
        status: 2,
        metrics: [
          cpuUtil(50),
          {
            type: "ContainerResource",
            containerResource: { name: "cpu", container: "app", target: { type: "Utilization", averageUtilization: 1 } },
          },
          { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "1Gi" } } },
          podsAvg("in_flight", "10"),
          objectValue("rps", "100"),
          objectAvg("rps", "10"),
          { type: "Object", object: { metric: { name: "rps" }, target: { type: "Value", value: "1" } } },
          externalAvg("queue", "20"),
          externalValue("p95", "500m"),
          externalValue("lag", "1"),
        ],
        observations: [
          POD_OBS,
          POD_OBS,
          {
            pods: [
              pod("1Gi", null, { name: "a", phase: "Pending", ready: false, deleting: true, sampleSecondsAgo: 0, sampleWindowSeconds: 30 }),
            ],
          },
          {
            pods: [
              pod(null),
              pod("3", "0", { phase: "Succeeded" }),
              pod("3", "1", { phase: "Failed" }),
              pod("3", "1", { phase: "Unknown" }),
            ],
          },
          { value: "100", readyPods: 0 },
          { value: 10 },
          { value: "1", pods: [pod("bad quantity, not read")] },
          { value: "75" },
          { values: ["1", 2, "3m"], readyPods: 2 },
          { error: "no metrics" },
        ],
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 0,
            selectPolicy: "Max",
            policies: [
              { type: "Pods", value: 1, periodSeconds: 1 },
              { type: "Percent", value: 100, periodSeconds: 1800 },
            ],
            tolerance: "0",
          },
          scaleDown: { stabilizationWindowSeconds: 3600, selectPolicy: "Disabled", tolerance: "50m" },
        },
        history: {
          recommendations: [{ secondsAgo: 0, replicas: 0 }],
          scaleUpEvents: [{ secondsAgo: 1.5, change: 0, outdated: true }],
          scaleDownEvents: [{ secondsAgo: 10, change: 2 }],
        },
        controller: {
          tolerance: 0,
          downscaleStabilizationSeconds: 300,
          cpuInitializationPeriodSeconds: 0.5,
          initialReadinessDelaySeconds: 30,
          metricWindowSeconds: 60,
        },
        pods: [pod(null, "0", { name: "p", startedSecondsAgo: 0, readyChangedSecondsAgo: 0 })],
      }),
    );
  });
  it("accepts the limits themselves: maxReplicas = minReplicas, int32 max, selectPolicy Min, null optional fields", () => {
    accepts(variant((c) => Object.assign(c.spec, { minReplicas: 7, maxReplicas: 7 })));
    accepts(variant((c) => Object.assign(c.spec, { minReplicas: 2147483647, maxReplicas: 2147483647 })));
    accepts(variant((c) => (c.spec.behavior = { scaleUp: { selectPolicy: "Min" }, scaleDown: null })));
    accepts(variant((c) => (c.spec.behavior = { scaleUp: { stabilizationWindowSeconds: null, policies: null, tolerance: null } })));
    accepts(variant((c) => Object.assign(c, { spec: { ...c.spec, minReplicas: null, behavior: null }, statusReplicas: null, pods: null })));
    accepts(variant((c) => Object.assign(c, { history: null, controller: null })));
    accepts(
      variant(
        (c) =>
          (c.history = { recommendations: null, scaleUpEvents: null, scaleDownEvents: [{ secondsAgo: 0, change: 1, outdated: null }] }),
      ),
    );
    accepts(variant((c) => (c.controller = { tolerance: null, metricWindowSeconds: undefined })));
    accepts(variant((c) => (c.spec.metrics[0].pods = null)));
  });
  it("defaults the metrics to cpu utilization 80% when none are given (the observation is a pods list)", () => {
    accepts(variant((c) => ((c.spec.metrics = []), (c.observations = [POD_OBS]))));
    accepts(variant((c) => (delete c.spec.metrics, (c.observations = [POD_OBS]))));
    accepts(variant((c) => ((c.spec.metrics = null), (c.observations = [POD_OBS]))));
  });
});

describe("validateCase: the error and each problem", () => {
  it("one problem: the message is `<path>: <message>`, exit code 2, the HPA case code and fix", () => {
    let err: unknown;
    try {
      validateCase(variant((c) => (c.currentReplicas = -1)));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaseValidationError);
    const e = err as CaseValidationError;
    expect(e.message).toBe("currentReplicas: must be between 0 and 2147483647, got -1");
    expect(e.exitCode).toBe(2);
    expect(e.problems).toEqual([caseProblem("currentReplicas", "must be between 0 and 2147483647, got -1")]);
    expect(e.problems[0]).toMatchObject({
      code: "HPA_CASE_INVALID",
      path: "currentReplicas",
      fix: "correct the case as the autoscaling/v2 API and simulator/hpa/types.ts describe it",
    });
  });
  it("several problems: counted, one per line", () => {
    const e = (() => {
      try {
        validateCase({ spec: { maxReplicas: 0 }, currentReplicas: -1, observations: [] });
      } catch (x) {
        return x as CaseValidationError;
      }
      throw new Error("accepted");
    })();
    expect(e.message).toBe(
      "3 problems:\n  - spec.maxReplicas: must be between 1 and 2147483647, got 0\n" +
        "  - currentReplicas: must be between 0 and 2147483647, got -1\n" +
        "  - observations: must have one entry per metric, in spec.metrics order: 1 metric(s) (the default cpu utilization 80% metric), got 0",
    );
  });
  it("a problem without a path is its message alone", () => {
    const p = problem({ code: "HPA_CASE_INVALID", message: "just this", fix: "x" });
    expect(new CaseValidationError([p]).message).toBe("just this");
    expect(new CaseValidationError([p, p]).message).toBe("2 problems:\n  - just this\n  - just this");
  });
});

describe("validateCase: the case and its spec", () => {
  it("refuses a case that is no object, naming what it got", () => {
    expect(problems(null)).toEqual(["case: must be an object, got null"]);
    expect(problems([])).toEqual(["case: must be an object, got an array"]);
    expect(problems("x")).toEqual(['case: must be an object, got "x"']);
    expect(problems(3)).toEqual(["case: must be an object, got 3"]);
    expect(problems(undefined)).toEqual(["case: must be an object, got undefined"]);
  });
  it("spec, currentReplicas and observations are required", () => {
    expect(problems({})).toEqual([
      "spec: must be an object, got undefined",
      "currentReplicas: must be an integer, got undefined",
      "observations: must be an array, got undefined",
    ]);
    expect(problems(variant((c) => (c.spec = {})))).toEqual([
      "spec.maxReplicas: must be an integer, got undefined",
      'observations[0].pods: required for a Resource metric (or give "error")',
    ]);
  });
  it("maxReplicas ≥ 1 and ≥ minReplicas; minReplicas ≥ 0; integers", () => {
    expect(problems(variant((c) => (c.spec.maxReplicas = 0)))).toEqual([
      "spec.maxReplicas: must be between 1 and 2147483647, got 0",
      "spec.maxReplicas: must be greater than or equal to `minReplicas`",
    ]);
    expect(problems(variant((c) => (c.spec.maxReplicas = 2147483648)))).toEqual([
      "spec.maxReplicas: must be between 1 and 2147483647, got 2147483648",
    ]);
    expect(problems(variant((c) => (c.spec.maxReplicas = 1.5)))).toEqual(["spec.maxReplicas: must be an integer, got 1.5"]);
    expect(problems(variant((c) => (c.spec.maxReplicas = "3")))).toEqual(['spec.maxReplicas: must be an integer, got "3"']);
    expect(problems(variant((c) => Object.assign(c.spec, { minReplicas: 5, maxReplicas: 4 })))).toEqual([
      "spec.maxReplicas: must be greater than or equal to `minReplicas`",
    ]);
    expect(problems(variant((c) => Object.assign(c.spec, { minReplicas: 5, maxReplicas: "4" })))).toEqual([
      'spec.maxReplicas: must be an integer, got "4"',
    ]);
    expect(problems(variant((c) => (c.spec.minReplicas = -1)))).toEqual(["spec.minReplicas: must be between 0 and 2147483647, got -1"]);
    expect(problems(variant((c) => Object.assign(c.spec, { minReplicas: 2147483648, maxReplicas: 1 })))).toEqual([
      "spec.minReplicas: must be between 0 and 2147483647, got 2147483648",
    ]);
    expect(problems(variant((c) => (c.spec.minReplicas = true)))).toEqual(["spec.minReplicas: must be an integer, got true"]);
    // a minReplicas that is no integer is not compared with maxReplicas ("200" > 100 as JavaScript compares)
    expect(problems(variant((c) => Object.assign(c.spec, { minReplicas: "200", maxReplicas: 100 })))).toEqual([
      'spec.minReplicas: must be an integer, got "200"',
    ]);
  });
  it("spec.metrics must be a list; minReplicas 0 needs an Object or External metric", () => {
    expect(problems(variant((c) => (c.spec.metrics = {})))).toEqual([
      "spec.metrics: must be an array, got an object",
      'observations[0].pods: required for a Resource metric (or give "error")',
    ]);
    expect(
      problems(variant((c) => (c.spec.minReplicas = 0), hpaCase({ current: 3, metrics: [cpuUtil(50)], observations: [POD_OBS] }))),
    ).toEqual(["spec.metrics: must specify at least one Object or External metric to support scaling to zero replicas"]);
    // the default cpu metric does not support it either
    expect(problems(variant((c) => ((c.spec.minReplicas = 0), (c.spec.metrics = []), (c.observations = [POD_OBS]))))).toEqual([
      "spec.metrics: must specify at least one Object or External metric to support scaling to zero replicas",
    ]);
    accepts(variant((c) => (c.spec.minReplicas = 0)));
    accepts(withMetric(objectAvg("rps", "1"), { value: "1" }, (c) => ((c.spec as { minReplicas: number }).minReplicas = 0)));
    // a malformed metric entry is no Object metric
    expect(
      problems(
        variant((c) => {
          c.spec.minReplicas = 0;
          c.spec.metrics = [null, cpuUtil(50)];
          c.observations = [{ error: "x" }, POD_OBS];
        }),
      ),
    ).toEqual([
      "spec.metrics[0]: must be an object, got null",
      "spec.metrics: must specify at least one Object or External metric to support scaling to zero replicas",
    ]);
  });
  it("currentReplicas and statusReplicas are integers ≥ 0", () => {
    accepts(variant((c) => ((c.currentReplicas = 0), (c.statusReplicas = 0))));
    expect(problems(variant((c) => (c.currentReplicas = 1.5)))).toEqual(["currentReplicas: must be an integer, got 1.5"]);
    expect(problems(variant((c) => (c.statusReplicas = -1)))).toEqual(["statusReplicas: must be between 0 and 2147483647, got -1"]);
    expect(problems(variant((c) => (c.statusReplicas = "2")))).toEqual(['statusReplicas: must be an integer, got "2"']);
  });
  it("one observation per metric, saying when the metric is the default one", () => {
    expect(problems(variant((c) => c.observations.push({ value: "1" })))).toEqual([
      "observations: must have one entry per metric, in spec.metrics order: 1 metric(s), got 2",
    ]);
    for (const metrics of [[], undefined, null]) {
      expect(problems(variant((c) => ((c.spec.metrics = metrics), (c.observations = []))))).toEqual([
        "observations: must have one entry per metric, in spec.metrics order: 1 metric(s) (the default cpu utilization 80% metric), got 0",
      ]);
    }
    expect(problems(variant((c) => (c.observations = [])))).toEqual([
      "observations: must have one entry per metric, in spec.metrics order: 1 metric(s), got 0",
    ]);
    // the spec itself missing: no default-metric hint (there is no spec to default)
    // (and its observation is not read: there is no metric to read it as)
    expect(problems(variant((c) => (delete c.spec, (c.observations = [{ value: "x" }]))))).toEqual([
      "spec: must be an object, got undefined",
      "observations: must have one entry per metric, in spec.metrics order: 0 metric(s), got 1",
    ]);
    expect(problems(variant((c) => (c.observations = "x")))).toEqual(['observations: must be an array, got "x"']);
  });
});

describe("validateCase: metric specs", () => {
  const at = "spec.metrics[0]";
  it("a metric is an object of a known type, with exactly its own source", () => {
    expect(problems(withMetric(7, { value: "1" }))).toEqual([`${at}: must be an object, got 7`]);
    expect(problems(withMetric({ type: "Foo", foo: {} }, { value: "1" }))).toEqual([
      `${at}.type: must be one of "Resource", "ContainerResource", "Pods", "Object", "External", got "Foo"`,
    ]);
    expect(problems(withMetric({ external: {} }, { value: "1" }))).toEqual([
      `${at}.type: must be one of "Resource", "ContainerResource", "Pods", "Object", "External", got undefined`,
    ]);
    expect(problems(withMetric({ ...externalAvg("q", "1"), pods: {}, resource: {} }, { value: "1" }))).toEqual([
      `${at}.resource: must populate the given metric source only`,
      `${at}.pods: must populate the given metric source only`,
    ]);
    expect(problems(withMetric({ ...cpuUtil(50), containerResource: {}, object: {}, external: {} }, POD_OBS))).toEqual([
      `${at}.containerResource: must populate the given metric source only`,
      `${at}.object: must populate the given metric source only`,
      `${at}.external: must populate the given metric source only`,
    ]);
    accepts(withMetric({ ...externalAvg("q", "1"), pods: null, resource: undefined }, { value: "1" }));
    expect(problems(withMetric({ type: "External" }, { value: "1" }))).toEqual([
      `${at}.external: must populate information for the given metric source`,
    ]);
    expect(problems(withMetric({ type: "Pods", pods: null }, POD_OBS))).toEqual([
      `${at}.pods: must populate information for the given metric source`,
    ]);
    expect(problems(withMetric({ type: "Pods", pods: [] }, POD_OBS))).toEqual([`${at}.pods: must be an object, got an array`]);
  });
  it("Resource and ContainerResource: a name, a container, a target of one kind", () => {
    expect(
      problems(withMetric({ type: "Resource", resource: { name: "", target: { type: "Utilization", averageUtilization: 50 } } }, POD_OBS)),
    ).toEqual([`${at}.resource.name: must be a non-empty string, got ""`]);
    expect(
      problems(
        withMetric(
          { type: "ContainerResource", containerResource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } },
          POD_OBS,
        ),
      ),
    ).toEqual([`${at}.containerResource.container: must be a non-empty string, got undefined`]);
    expect(problems(withMetric({ type: "Resource", resource: { name: "cpu" } }, POD_OBS))).toEqual([
      `${at}.resource.target: must be an object, got undefined`,
    ]);
    expect(problems(withMetric({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization" } } }, POD_OBS))).toEqual([
      `${at}.resource.target.averageUtilization: must set either a target raw value or a target utilization`,
    ]);
    expect(
      problems(
        withMetric(
          { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50, averageValue: "1" } } },
          POD_OBS,
        ),
      ),
    ).toEqual([`${at}.resource.target.averageValue: may not set both a target raw value and a target utilization`]);
    expect(
      problems(
        withMetric(
          { type: "ContainerResource", containerResource: { name: "cpu", container: "c", target: { type: "AverageValue" } } },
          POD_OBS,
        ),
      ),
    ).toEqual([`${at}.containerResource.target.averageUtilization: must set either a target raw value or a target utilization`]);
  });
  it("a target: its type, positive quantities, a utilization ≥ 1", () => {
    const res = (target: unknown) => withMetric({ type: "Resource", resource: { name: "cpu", target } }, POD_OBS);
    const t = `${at}.resource.target`;
    expect(problems(res({ type: "Percent", averageUtilization: 50 }))).toEqual([
      `${t}.type: must be one of "Utilization", "Value", "AverageValue", got "Percent"`,
    ]);
    expect(problems(res({ type: "Utilization", averageUtilization: 0 }))).toEqual([
      `${t}.averageUtilization: must be between 1 and 2147483647, got 0`,
    ]);
    accepts(res({ type: "Utilization", averageUtilization: 1 }));
    expect(problems(res({ type: "AverageValue", averageValue: "0" }))).toEqual([`${t}.averageValue: must be positive`]);
    expect(problems(res({ type: "AverageValue", averageValue: "-1" }))).toEqual([`${t}.averageValue: must be positive`]);
    accepts(res({ type: "AverageValue", averageValue: "1m" }));
    expect(problems(res({ type: "AverageValue", averageValue: "lots" }))).toEqual([
      `${t}.averageValue: invalid quantity "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ]);
    expect(problems(res({ type: "AverageValue", averageValue: true }))).toEqual([
      `${t}.averageValue: must be a quantity string such as "500m" or "2Gi", got true`,
    ]);
    expect(problems(res({ type: "AverageValue", averageValue: {} }))).toEqual([
      `${t}.averageValue: must be a quantity string such as "500m" or "2Gi", got an object`,
    ]);
    const ext = (target: unknown) =>
      withMetric({ type: "External", external: { metric: { name: "q" }, target } }, { value: "1", readyPods: 1 });
    const e = `${at}.external.target`;
    expect(problems(ext({ type: "Value", value: "0" }))).toEqual([`${e}.value: must be positive`]);
    expect(problems(ext({ type: "Value", value: "-5" }))).toEqual([`${e}.value: must be positive`]);
    expect(problems(ext({ type: "Value", value: "x" }))).toEqual([
      `${e}.value: invalid quantity "x": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ]);
    expect(problems(ext({ type: "Value", value: [] }))).toEqual([
      `${e}.value: must be a quantity string such as "500m" or "2Gi", got an array`,
    ]);
    accepts(ext({ type: "Value", value: 3 }));
    accepts(ext({ type: "AverageValue", averageValue: 3 }));
    expect(problems(ext({ type: "AverageValue", averageValue: 0 }))).toEqual([`${e}.averageValue: must be positive`]);
  });
  it("Pods: a metric name and an averageValue", () => {
    const p = `${at}.pods`;
    expect(problems(withMetric({ type: "Pods", pods: { metric: { name: "m" }, target: { type: "AverageValue" } } }, POD_OBS))).toEqual([
      `${p}.target.averageValue: must specify a positive target averageValue`,
    ]);
    expect(problems(withMetric({ type: "Pods", pods: { metric: { name: "m" }, target: { type: "Value", value: "1" } } }, POD_OBS))).toEqual(
      [`${p}.target.averageValue: must specify a positive target averageValue`],
    );
    expect(
      problems(withMetric({ type: "Pods", pods: { metric: {}, target: { type: "AverageValue", averageValue: "1" } } }, POD_OBS)),
    ).toEqual([`${p}.metric.name: must be a non-empty string, got undefined`]);
    expect(
      problems(withMetric({ type: "Pods", pods: { metric: "m", target: { type: "AverageValue", averageValue: "1" } } }, POD_OBS)),
    ).toEqual([`${p}.metric: must be an object, got "m"`]);
    expect(problems(withMetric({ type: "Pods", pods: { metric: { name: "m" } } }, POD_OBS))).toEqual([
      `${p}.target: must be an object, got undefined`,
    ]);
  });
  it("Object: a described object with kind and name, a metric, a value or averageValue target", () => {
    const o = `${at}.object`;
    const obj = (src: unknown) => withMetric({ type: "Object", object: src }, { value: "1", readyPods: 1 });
    const target = { type: "AverageValue", averageValue: "1" };
    expect(problems(obj({ describedObject: {}, metric: { name: "m" }, target }))).toEqual([
      `${o}.describedObject.kind: must be a non-empty string, got undefined`,
      `${o}.describedObject.name: must be a non-empty string, got undefined`,
    ]);
    expect(problems(obj({ describedObject: "svc", metric: { name: "m" }, target }))).toEqual([
      `${o}.describedObject: must be an object, got "svc"`,
    ]);
    accepts(obj({ describedObject: null, metric: { name: "m" }, target }));
    expect(problems(obj({ metric: { name: 5 }, target }))).toEqual([`${o}.metric.name: must be a non-empty string, got 5`]);
    expect(problems(obj({ metric: { name: "m" }, target: { type: "Value" } }))).toEqual([
      `${o}.target.averageValue: must set either a target value or averageValue`,
    ]);
    expect(problems(obj({ metric: { name: "m" }, target: null }))).toEqual([`${o}.target: must be an object, got null`]);
    accepts(obj({ metric: { name: "m" }, target: { type: "Value", value: "1", averageValue: "1" } }));
  });
  it("External: a metric, exactly one of value and averageValue", () => {
    const x = `${at}.external`;
    const ext = (target: unknown) =>
      withMetric({ type: "External", external: { metric: { name: "q" }, target } }, { value: "1", readyPods: 1 });
    expect(problems(ext({ type: "Value" }))).toEqual([
      `${x}.target.averageValue: must set either a target value for metric or a per-pod target`,
    ]);
    expect(problems(ext({ type: "Value", value: "1", averageValue: "1" }))).toEqual([
      `${x}.target.value: may not set both a target value for metric and a per-pod target`,
    ]);
    expect(problems(ext(undefined))).toEqual([`${x}.target: must be an object, got undefined`]);
    expect(
      problems(withMetric({ type: "External", external: { target: { type: "Value", value: "1" } } }, { value: "1", readyPods: 1 })),
    ).toEqual([`${x}.metric: must be an object, got undefined`]);
  });
});

describe("validateCase: behavior", () => {
  const up = "spec.behavior.scaleUp";
  const down = "spec.behavior.scaleDown";
  const withBehavior = (b: unknown) => variant((c) => (c.spec.behavior = b));
  it("behavior and its rules are objects", () => {
    expect(problems(withBehavior([]))).toEqual(["spec.behavior: must be an object, got an array"]);
    expect(problems(withBehavior({ scaleUp: 1, scaleDown: "x" }))).toEqual([
      `${up}: must be an object, got 1`,
      `${down}: must be an object, got "x"`,
    ]);
  });
  it("stabilizationWindowSeconds 0..3600, selectPolicy Max/Min/Disabled", () => {
    expect(problems(withBehavior({ scaleDown: { stabilizationWindowSeconds: 3601 } }))).toEqual([
      `${down}.stabilizationWindowSeconds: must be between 0 and 3600, got 3601`,
    ]);
    expect(problems(withBehavior({ scaleUp: { stabilizationWindowSeconds: -1 } }))).toEqual([
      `${up}.stabilizationWindowSeconds: must be between 0 and 3600, got -1`,
    ]);
    expect(problems(withBehavior({ scaleUp: { selectPolicy: "Fastest" } }))).toEqual([
      `${up}.selectPolicy: must be one of "Max", "Min", "Disabled", got "Fastest"`,
    ]);
    expect(problems(withBehavior({ scaleUp: { selectPolicy: "" } }))).toEqual([
      `${up}.selectPolicy: must be one of "Max", "Min", "Disabled", got ""`,
    ]);
  });
  it("policies: a non-empty list of Pods or Percent, value ≥ 1, periodSeconds 1..1800", () => {
    expect(problems(withBehavior({ scaleUp: { policies: [] } }))).toEqual([`${up}.policies: must specify at least one Policy`]);
    expect(problems(withBehavior({ scaleUp: { policies: {} } }))).toEqual([`${up}.policies: must be an array, got an object`]);
    expect(
      problems(
        withBehavior({
          scaleDown: {
            policies: [
              null,
              { type: "Replicas", value: 0, periodSeconds: 0 },
              { type: "Pods", value: 1, periodSeconds: 1801 },
              { type: "Percent", value: 1.5, periodSeconds: "60" },
            ],
          },
        }),
      ),
    ).toEqual([
      `${down}.policies[0]: must be an object, got null`,
      `${down}.policies[1].type: must be one of "Pods", "Percent", got "Replicas"`,
      `${down}.policies[1].value: must be between 1 and 2147483647, got 0`,
      `${down}.policies[1].periodSeconds: must be between 1 and 1800, got 0`,
      `${down}.policies[2].periodSeconds: must be between 1 and 1800, got 1801`,
      `${down}.policies[3].value: must be an integer, got 1.5`,
      `${down}.policies[3].periodSeconds: must be an integer, got "60"`,
    ]);
  });
  it("tolerance: a quantity ≥ 0", () => {
    expect(problems(withBehavior({ scaleUp: { tolerance: "-10m" } }))).toEqual([`${up}.tolerance: must be greater than or equal to 0`]);
    expect(problems(withBehavior({ scaleDown: { tolerance: -1 } }))).toEqual([`${down}.tolerance: must be greater than or equal to 0`]);
    expect(problems(withBehavior({ scaleUp: { tolerance: "10%" } }))).toEqual([
      `${up}.tolerance: invalid quantity "10%": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ]);
    accepts(withBehavior({ scaleUp: { tolerance: 0 }, scaleDown: { tolerance: "1" } }));
  });
});

describe("validateCase: pods", () => {
  const cpuCase = (podList: unknown) => withMetric(cpuUtil(50), { pods: podList });
  it("an observation's pods: a list of objects; each field of its type", () => {
    const at = "observations[0].pods";
    expect(problems(cpuCase(null))).toEqual([`${at}: must be an array, got null`]);
    expect(problems(cpuCase([1]))).toEqual([`${at}[0]: must be an object, got 1`]);
    expect(
      problems(
        cpuCase([
          pod("500m"),
          {
            name: 3,
            value: "x",
            request: "-1",
            ready: "yes",
            phase: "Done",
            startedSecondsAgo: -1,
            readyChangedSecondsAgo: "1",
            deleting: 0,
            sampleSecondsAgo: -0.5,
            sampleWindowSeconds: Infinity,
          },
        ]),
      ),
    ).toEqual([
      `${at}[1].name: must be a string`,
      `${at}[1].value: invalid quantity "x": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
      `${at}[1].request: must be greater than or equal to 0`,
      `${at}[1].ready: must be true or false, got "yes"`,
      `${at}[1].phase: must be one of "Pending", "Running", "Succeeded", "Failed", "Unknown", got "Done"`,
      `${at}[1].startedSecondsAgo: must be >= 0, got -1`,
      `${at}[1].readyChangedSecondsAgo: must be a finite number, got "1"`,
      `${at}[1].deleting: must be true or false, got 0`,
      `${at}[1].sampleSecondsAgo: must be >= 0, got -0.5`,
      `${at}[1].sampleWindowSeconds: must be a finite number, got Infinity`,
    ]);
    expect(problems(cpuCase([{ request: "1Q" }]))).toEqual([
      `${at}[0].request: invalid quantity "1Q": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ]);
    expect(problems(cpuCase([{ value: NaN }]))).toEqual([`${at}[0].value: not a finite number: NaN`]);
    // every field optional; a null is absent
    accepts(cpuCase([{}]));
    accepts(
      cpuCase([
        {
          name: null,
          value: null,
          request: null,
          ready: null,
          phase: null,
          startedSecondsAgo: null,
          readyChangedSecondsAgo: null,
          deleting: null,
          sampleSecondsAgo: null,
          sampleWindowSeconds: null,
        },
      ]),
    );
  });
  it("top-level pods: the same fields, but no value is read", () => {
    expect(problems(variant((c) => (c.pods = {})))).toEqual(["pods: must be an array, got an object"]);
    expect(problems(variant((c) => (c.pods = [{ value: "x", request: "-1", ready: 1 }])))).toEqual([
      "pods[0].request: must be greater than or equal to 0",
      "pods[0].ready: must be true or false, got 1",
    ]);
  });
});

describe("validateCase: observations", () => {
  it("an observation is an object; an error (a string) stands for the whole observation", () => {
    expect(problems(variant((c) => (c.observations = ["5"])))).toEqual(['observations[0]: must be an object, got "5"']);
    accepts(variant((c) => (c.observations = [{ error: "no metrics", value: "not read" }])));
    accepts(withMetric(cpuUtil(50), { error: "" }));
    expect(problems(variant((c) => (c.observations = [{ error: 1, value: "x" }])))).toEqual(["observations[0].error: must be a string"]);
  });
  it("an observation past the metrics, or of a malformed metric, is not read", () => {
    expect(problems(variant((c) => c.observations.push({ value: "x" }, 5)))).toEqual([
      "observations: must have one entry per metric, in spec.metrics order: 1 metric(s), got 3",
      "observations[2]: must be an object, got 5",
    ]);
    expect(problems(withMetric({ type: 5 }, { value: "x" }))).toEqual([
      'spec.metrics[0].type: must be one of "Resource", "ContainerResource", "Pods", "Object", "External", got 5',
    ]);
  });
  it("Resource, ContainerResource and Pods metrics read a pods list, each value a quantity", () => {
    const cr = {
      type: "ContainerResource",
      containerResource: { name: "cpu", container: "c", target: { type: "Utilization", averageUtilization: 50 } },
    };
    expect(problems(withMetric(cpuUtil(50), { value: "1" }))).toEqual([
      'observations[0].pods: required for a Resource metric (or give "error")',
    ]);
    expect(problems(withMetric(cr, {}))).toEqual(['observations[0].pods: required for a ContainerResource metric (or give "error")']);
    expect(problems(withMetric(podsAvg("m", "1"), {}))).toEqual(['observations[0].pods: required for a Pods metric (or give "error")']);
    expect(problems(withMetric(podsAvg("m", "1"), { pods: [{ value: "1x" }] }))).toEqual([
      `observations[0].pods[0].value: invalid quantity "1x": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ]);
    accepts(withMetric(cr, { pods: [] }));
  });
  it("Object and External metrics read a value; External may read a list of series values instead", () => {
    const at = "observations[0]";
    expect(problems(variant((c) => (c.observations = [{}])))).toEqual([`${at}.value: required for an External metric (or give "error")`]);
    expect(problems(withMetric(objectAvg("m", "1"), { value: null }))).toEqual([
      `${at}.value: required for an Object metric (or give "error")`,
    ]);
    expect(problems(withMetric(objectAvg("m", "1"), { value: "12 apples" }))).toEqual([
      `${at}.value: invalid quantity "12 apples": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ]);
    expect(problems(withMetric(objectAvg("m", "1"), { values: ["1"] }))).toEqual([
      `${at}.values: only External metrics take a list of series values`,
    ]);
    expect(problems(withMetric(objectAvg("m", "1"), { values: ["1"], value: "1" }))).toEqual([
      `${at}.values: only External metrics take a list of series values`,
      `${at}.value: give either value or values, not both`,
    ]);
    expect(problems(variant((c) => (c.observations = [{ values: "1" }])))).toEqual([`${at}.values: must be an array, got "1"`]);
    expect(problems(variant((c) => (c.observations = [{ values: ["1", "x", null], value: "2" }])))).toEqual([
      `${at}.values[1]: invalid quantity "x": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
      `${at}.values[2]: must be a quantity string such as "500m" or "2Gi", got null`,
      `${at}.value: give either value or values, not both`,
    ]);
    accepts(variant((c) => (c.observations = [{ values: [] }])));
  });
  it("readyPods is an integer ≥ 0; pods there are checked without their values", () => {
    const at = "observations[0]";
    expect(problems(variant((c) => (c.observations = [{ value: "1", readyPods: -1 }])))).toEqual([
      `${at}.readyPods: must be between 0 and 2147483647, got -1`,
    ]);
    expect(problems(variant((c) => (c.observations = [{ value: "1", readyPods: "2" }])))).toEqual([
      `${at}.readyPods: must be an integer, got "2"`,
    ]);
    expect(problems(variant((c) => (c.observations = [{ value: "1", pods: [{ value: "x", ready: "no" }] }])))).toEqual([
      `${at}.pods[0].ready: must be true or false, got "no"`,
    ]);
    expect(problems(variant((c) => (c.observations = [{ value: "1", pods: 1 }])))).toEqual([`${at}.pods: must be an array, got 1`]);
    accepts(variant((c) => (c.observations = [{ value: "1", readyPods: null, pods: null }])));
  });
  it("a Value target multiplies by the ready pod count: it must be given unless there are no replicas", () => {
    const msg = (kind: string) =>
      `observations[0]: a ${kind} metric with a Value target multiplies by the ready pod count: give readyPods or pods here, or a top-level pods list`;
    expect(problems(withMetric(externalValue("q", "10"), { value: "5" }))).toEqual([msg("External")]);
    expect(problems(withMetric(objectValue("q", "10"), { value: "5" }))).toEqual([msg("Object")]);
    accepts(withMetric(externalValue("q", "10"), { value: "5", readyPods: 0 }));
    accepts(withMetric(externalValue("q", "10"), { value: "5", pods: [] }));
    accepts(withMetric(objectValue("q", "10"), { value: "5" }, (c) => (c.pods = [])));
    accepts(withMetric(objectValue("q", "10"), { value: "5" }, (c) => (c.currentReplicas = 0)));
    // per-pod targets do not
    accepts(withMetric(externalAvg("q", "10"), { value: "5" }));
    accepts(withMetric(objectAvg("q", "10"), { value: "5" }));
    // an Object target typed AverageValue (with a value as well) is averaged: no pod count
    accepts(
      withMetric(
        { type: "Object", object: { metric: { name: "q" }, target: { type: "AverageValue", value: "1", averageValue: "1" } } },
        { value: "5" },
      ),
    );
    // an Object target typed Value without a value (an averageValue instead) is averaged: no pod count
    accepts(
      withMetric({ type: "Object", object: { metric: { name: "q" }, target: { type: "Value", averageValue: "1" } } }, { value: "5" }),
    );
    // an External with both is refused for that, not for the pod count
    expect(
      problems(
        withMetric(
          { type: "External", external: { metric: { name: "q" }, target: { type: "Value", value: "1", averageValue: "1" } } },
          { value: "5" },
        ),
      ),
    ).toEqual(["spec.metrics[0].external.target.value: may not set both a target value for metric and a per-pod target"]);
    // an External target with neither value nor averageValue is refused for that alone
    expect(
      problems(withMetric({ type: "External", external: { metric: { name: "q" }, target: { type: "Value" } } }, { value: "5" })),
    ).toEqual(["spec.metrics[0].external.target.averageValue: must set either a target value for metric or a per-pod target"]);
    // the pod count follows the metric's own source, not a stray one beside it
    const strayValueTarget = { target: { type: "Value", value: "1" } };
    expect(problems(withMetric({ ...externalAvg("q", "10"), object: strayValueTarget }, { value: "5" }))).toEqual([
      "spec.metrics[0].object: must populate the given metric source only",
    ]);
    expect(
      problems(
        withMetric({ type: "Object", object: { metric: { name: "q" }, target: "Value" }, external: strayValueTarget }, { value: "5" }),
      ),
    ).toEqual([
      "spec.metrics[0].external: must populate the given metric source only",
      'spec.metrics[0].object.target: must be an object, got "Value"',
    ]);
    // a malformed target: no pod-count problem on top of the target's
    expect(problems(withMetric({ type: "External", external: { metric: { name: "q" }, target: "Value" } }, { value: "5" }))).toEqual([
      'spec.metrics[0].external.target: must be an object, got "Value"',
    ]);
    expect(problems(withMetric({ type: "Object", object: { metric: { name: "q" }, target: "Value" } }, { value: "5" }))).toEqual([
      'spec.metrics[0].object.target: must be an object, got "Value"',
    ]);
  });
});

describe("validateCase: history and controller", () => {
  it("history lists: entries with secondsAgo ≥ 0 and replicas / change integers ≥ 0; outdated a boolean", () => {
    expect(problems(variant((c) => (c.history = [])))).toEqual(["history: must be an object, got an array"]);
    expect(problems(variant((c) => (c.history = { recommendations: {} })))).toEqual([
      "history.recommendations: must be an array, got an object",
    ]);
    expect(
      problems(
        variant(
          (c) =>
            (c.history = {
              recommendations: [null, { secondsAgo: -1, replicas: 1.5 }, { secondsAgo: 1, change: 1, outdated: "yes" }],
              scaleUpEvents: [{ secondsAgo: "1", change: -1, outdated: 1 }],
              scaleDownEvents: [{ replicas: 1, outdated: "no" }],
            }),
        ),
      ),
    ).toEqual([
      "history.recommendations[0]: must be an object, got null",
      "history.recommendations[1].secondsAgo: must be >= 0, got -1",
      "history.recommendations[1].replicas: must be an integer, got 1.5",
      "history.recommendations[2].replicas: must be an integer, got undefined",
      'history.scaleUpEvents[0].secondsAgo: must be a finite number, got "1"',
      "history.scaleUpEvents[0].change: must be between 0 and 2147483647, got -1",
      "history.scaleUpEvents[0].outdated: must be a boolean",
      "history.scaleDownEvents[0].secondsAgo: must be a finite number, got undefined",
      "history.scaleDownEvents[0].change: must be an integer, got undefined",
      "history.scaleDownEvents[0].outdated: must be a boolean",
    ]);
  });
  it("controller settings are finite numbers ≥ 0", () => {
    expect(problems(variant((c) => (c.controller = "fast")))).toEqual(['controller: must be an object, got "fast"']);
    expect(
      problems(
        variant(
          (c) =>
            (c.controller = {
              tolerance: -0.1,
              downscaleStabilizationSeconds: "300",
              cpuInitializationPeriodSeconds: -1,
              initialReadinessDelaySeconds: false,
              metricWindowSeconds: -60,
            }),
        ),
      ),
    ).toEqual([
      "controller.tolerance: must be >= 0, got -0.1",
      'controller.downscaleStabilizationSeconds: must be a finite number, got "300"',
      "controller.cpuInitializationPeriodSeconds: must be >= 0, got -1",
      "controller.initialReadinessDelaySeconds: must be a finite number, got false",
      "controller.metricWindowSeconds: must be >= 0, got -60",
    ]);
  });
});
