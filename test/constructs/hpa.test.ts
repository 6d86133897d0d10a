import { describe, expect, it } from "vitest";
import { Hpa, type HpaProps } from "../../constructs/hpa.js";
import { validateObjects } from "../../stacks/schema.js";
import { chart, problems, target } from "./fixtures.js";

const cpu70 = { type: "Resource", resource: "cpu", target: { type: "Utilization", averageUtilization: 70 } } as const;

function hpa(props: Partial<HpaProps> = {}) {
  const c = chart();
  const obj = new Hpa(c, "hpa", { scaleTarget: target(), minReplicas: 2, maxReplicas: 20, metrics: [cpu70], ...props });
  return { obj, json: c.toJson()[0] };
}

const hpaProblems = (props: Partial<HpaProps>) => problems(() => hpa(props));

describe("Hpa rendering", () => {
  it("renders every metric kind with quantities in Kubernetes form", async () => {
    const { json } = hpa({
      labels: { team: "ml" },
      metrics: [
        cpu70,
        { type: "ContainerResource", resource: "memory", container: "server", target: { type: "AverageValue", averageValue: "1536Mi" } },
        { type: "Pods", metric: "inference_request_latency_p95_seconds", averageValue: 0.35 },
        { type: "Pods", metric: "inference_requests_in_flight", averageValue: 10, selector: { endpoint: "/predict" } },
        { type: "External", metric: "inference_queue_length", signal: "additive", target: { type: "AverageValue", averageValue: 20 } },
        { type: "External", metric: "p95", signal: "quantile", target: { type: "Value", value: 0.5 } },
      ],
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: 60,
          selectPolicy: "Max",
          policies: [
            { type: "Pods", value: 2, periodSeconds: 30 },
            { type: "Percent", value: 50, periodSeconds: 30 },
          ],
        },
        scaleDown: { selectPolicy: "Disabled" },
      },
    });
    expect(json).toEqual({
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "inference", namespace: "ml", labels: { team: "ml" } },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "inference" },
        minReplicas: 2,
        maxReplicas: 20,
        metrics: [
          { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
          {
            type: "ContainerResource",
            containerResource: { name: "memory", container: "server", target: { type: "AverageValue", averageValue: "1536Mi" } },
          },
          {
            type: "Pods",
            pods: { metric: { name: "inference_request_latency_p95_seconds" }, target: { type: "AverageValue", averageValue: "350m" } },
          },
          {
            type: "Pods",
            pods: {
              metric: { name: "inference_requests_in_flight", selector: { matchLabels: { endpoint: "/predict" } } },
              target: { type: "AverageValue", averageValue: "10" },
            },
          },
          {
            type: "External",
            external: { metric: { name: "inference_queue_length" }, target: { type: "AverageValue", averageValue: "20" } },
          },
          { type: "External", external: { metric: { name: "p95" }, target: { type: "Value", value: "500m" } } },
        ],
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 60,
            selectPolicy: "Max",
            policies: [
              { type: "Pods", value: 2, periodSeconds: 30 },
              { type: "Percent", value: 50, periodSeconds: 30 },
            ],
          },
          scaleDown: { selectPolicy: "Disabled" },
        },
      },
    });
    expect(await validateObjects([json])).toEqual([]);
  });

  it("defaults minReplicas to 1 and the name to the target's", () => {
    const c = chart();
    const h = new Hpa(c, "hpa", { scaleTarget: target(), maxReplicas: 3, metrics: [cpu70] });
    expect(c.toJson()[0].spec.minReplicas).toBe(1);
    expect(h.resource).toBe("HorizontalPodAutoscaler ml/inference");
  });
});

describe("Hpa rules (each a failing spec)", () => {
  it("minReplicas ≥ 1 and ≤ maxReplicas", () => {
    expect(hpaProblems({ minReplicas: 0 })).toEqual([
      "HorizontalPodAutoscaler ml/inference: spec.minReplicas: 0 must be a whole number ≥ 1 (an HPA cannot scale to zero without an alpha feature gate). Fix: set minReplicas ≥ 1 or use KEDA to scale to zero",
    ]);
    expect(hpaProblems({ minReplicas: 5, maxReplicas: 4 })).toEqual([
      "HorizontalPodAutoscaler ml/inference: spec.minReplicas: minReplicas 5 is greater than maxReplicas 4. Fix: lower minReplicas or raise maxReplicas",
    ]);
  });

  it("at least one metric (an empty list silently means 80 % CPU)", () => {
    expect(hpaProblems({ metrics: [] })[0]).toMatch(/spec\.metrics: no metrics: the HPA would silently fall back to 80 % CPU/);
  });

  it("one target per metric", () => {
    expect(hpaProblems({ metrics: [cpu70, { ...cpu70, target: { type: "Utilization", averageUtilization: 80 } }] })[0]).toMatch(
      /spec\.metrics\[1\]: Resource cpu is already spec\.metrics\[0\]/,
    );
  });

  it("Resource metrics need requests on every container; ContainerResource on its container", () => {
    const noCpu = target({ containers: [{ name: "server", requests: { memory: "1Gi" } }] });
    expect(hpaProblems({ scaleTarget: noCpu })).toEqual([
      'HorizontalPodAutoscaler ml/inference: spec.metrics[0].resource.name: a cpu target needs a cpu request on every container, but "server" has none. Fix: set resources.requests.cpu on the container (service.resources.requests.cpu)',
    ]);
    const cr = {
      type: "ContainerResource",
      resource: "cpu",
      container: "proxy",
      target: { type: "Utilization", averageUtilization: 70 },
    } as const;
    expect(hpaProblems({ metrics: [cr] })[0]).toMatch(
      /spec\.metrics\[0\]\.containerResource\.container: container "proxy" is not in Deployment inference/,
    );
  });

  it("utilization is a whole percent; values are positive quantities", () => {
    expect(hpaProblems({ metrics: [{ ...cpu70, target: { type: "Utilization", averageUtilization: 0 } }] })[0]).toMatch(
      /spec\.metrics\[0\]\.resource\.target\.averageUtilization: 0 must be a whole percent/,
    );
    expect(hpaProblems({ metrics: [{ type: "Pods", metric: "m", averageValue: 0 }] })[0]).toMatch(
      /spec\.metrics\[0\]\.pods\.target\.averageValue: target 0 must be greater than 0/,
    );
    expect(hpaProblems({ metrics: [{ type: "Pods", metric: "m", averageValue: -1 }] })[0]).toMatch(/averageValue: -1 is not a quantity/);
    expect(hpaProblems({ metrics: [{ type: "Pods", metric: "has space", averageValue: 1 }] })[0]).toMatch(
      /spec\.metrics\[0\]\.pods\.metric\.name: "has space" is not a metric name/,
    );
  });

  it.each(["quantile", "ratio", "average"] as const)("External AverageValue is refused on a %s signal", (signal) => {
    expect(
      hpaProblems({ metrics: [{ type: "External", metric: "m", signal, target: { type: "AverageValue", averageValue: 1 } }] }),
    ).toEqual([
      `HorizontalPodAutoscaler ml/inference: spec.metrics[0].external.target.type: AverageValue on a ${signal} signal: the HPA would compute ceil(value / target) whatever the replica count. Fix: use target type Value`,
    ]);
  });

  it("behavior is validated", () => {
    expect(hpaProblems({ behavior: { scaleDown: { stabilizationWindowSeconds: -1 } } })[0]).toMatch(
      /spec\.behavior\.scaleDown\.stabilizationWindowSeconds: -1 must be a whole number of seconds from 0 to 3600/,
    );
  });

  it("name fits a label value (kube-state-metrics puts it in one)", () => {
    expect(hpaProblems({ name: "h".repeat(64) })[0]).toMatch(/metadata\.name: "h{64}" is 64 characters; at most 63 fit/);
  });

  it("one autoscaler per workload: two HPAs on one Deployment", () => {
    const c = chart();
    new Hpa(c, "a", { scaleTarget: target(), maxReplicas: 4, metrics: [cpu70] });
    expect(problems(() => new Hpa(c, "b", { name: "inference-2", scaleTarget: target(), maxReplicas: 4, metrics: [cpu70] }))[0]).toMatch(
      /spec\.scaleTargetRef: Deployment ml\/inference is already scaled by HorizontalPodAutoscaler\/inference/,
    );
  });

  it("surfaces the workload's own refusal of a second owner", () => {
    const t = target({
      markHasAutoscaler: () => {
        throw new Error("Deployment ml/inference is already scaled by ScaledObject/x");
      },
    });
    expect(hpaProblems({ scaleTarget: t })[0]).toMatch(
      /spec\.scaleTargetRef: Deployment ml\/inference is already scaled by ScaledObject\/x\. Fix: keep one autoscaler per workload/,
    );
  });
});

describe("Hpa: every problem at once, each at its field with its fix", () => {
  const R = "HorizontalPodAutoscaler ml/inference";

  it("names, replica bounds, metric names and targets, in order", () => {
    const lines = hpaProblems({
      scaleTarget: target({ name: "Inference", containers: [{ name: "server" }] }),
      name: "inference",
      minReplicas: 1.5,
      maxReplicas: 0,
      metrics: [
        cpu70,
        { type: "ContainerResource", resource: "memory", container: "server", target: { type: "AverageValue", averageValue: 0 } },
        { type: "Pods", metric: "1bad", averageValue: "x" },
        { type: "External", metric: "bad name", signal: "additive", target: { type: "Value", value: 0 } },
        { type: "External", metric: "queue", signal: "additive", target: { type: "AverageValue", averageValue: "-1" } },
      ],
    });
    expect(lines).toEqual([
      `${R}: spec.scaleTargetRef.name: "Inference" is not a DNS subdomain (lower-case letters, digits and '-', dot-separated). Fix: use a name such as inference`,
      `${R}: spec.minReplicas: 1.5 must be a whole number ≥ 1 (an HPA cannot scale to zero without an alpha feature gate). Fix: set minReplicas ≥ 1 or use KEDA to scale to zero`,
      `${R}: spec.maxReplicas: 0 must be a whole number ≥ 1. Fix: use a whole number of at least 1`,
      `${R}: spec.minReplicas: minReplicas 1.5 is greater than maxReplicas 0. Fix: lower minReplicas or raise maxReplicas`,
      `${R}: spec.metrics[0].resource.name: a cpu target needs a cpu request on every container, but "server" has none. Fix: set resources.requests.cpu on the container (service.resources.requests.cpu)`,
      `${R}: spec.metrics[1].containerResource.container: a memory target needs a memory request, but container "server" has none. Fix: set resources.requests.memory on the container (service.resources.requests.memory)`,
      `${R}: spec.metrics[1].containerResource.target.averageValue: target 0 must be greater than 0. Fix: give a positive target`,
      `${R}: spec.metrics[2].pods.metric.name: "1bad" is not a metric name. Fix: use the name the metrics adapter serves`,
      expect.stringMatching(
        new RegExp(
          `^${R}: spec\\.metrics\\[2\\]\\.pods\\.target\\.averageValue: "x" is not a quantity: .*\\. Fix: give a positive number or a quantity such as 500m or 2Gi$`,
        ),
      ),
      `${R}: spec.metrics[3].external.metric.name: "bad name" is not a metric name. Fix: use the name the metrics adapter serves`,
      `${R}: spec.metrics[3].external.target.value: target 0 must be greater than 0. Fix: give a positive target`,
      `${R}: spec.metrics[4].external.target.averageValue: target "-1" must be greater than 0. Fix: give a positive target`,
    ]);
  });

  it("a name too long for a label value, and minReplicas equal to maxReplicas is fine", () => {
    expect(hpaProblems({ name: "h".repeat(64) })).toEqual([
      `HorizontalPodAutoscaler ml/${"h".repeat(64)}: metadata.name: "${"h".repeat(64)}" is 64 characters; at most 63 fit (a label value). Fix: shorten it to 63 characters or fewer`,
    ]);
    expect(hpa({ minReplicas: 3, maxReplicas: 3 }).json.spec).toMatchObject({ minReplicas: 3, maxReplicas: 3 });
  });

  it("a duplicate is the same kind, resource and container (or metric name): another container or metric is not", () => {
    const cr = (container: string) =>
      ({ type: "ContainerResource", resource: "cpu", container, target: { type: "Utilization", averageUtilization: 70 } }) as const;
    const two = target({
      containers: [
        { name: "server", requests: { cpu: "1" } },
        { name: "proxy", requests: { cpu: "100m" } },
      ],
    });
    expect(hpa({ scaleTarget: two, metrics: [cr("server"), cr("proxy"), cpu70] }).json.spec.metrics).toHaveLength(3);
    expect(hpaProblems({ scaleTarget: two, metrics: [cr("server"), cpu70, cr("server")] })).toEqual([
      "HorizontalPodAutoscaler ml/inference: spec.metrics[2]: ContainerResource cpu server is already spec.metrics[0]. Fix: keep one target per metric",
    ]);
    const ext = (metric: string) => ({ type: "External", metric, signal: "additive", target: { type: "Value", value: 1 } }) as const;
    expect(hpa({ metrics: [ext("a"), ext("b"), { type: "Pods", metric: "a", averageValue: 1 }] }).json.spec.metrics).toHaveLength(3);
    expect(hpaProblems({ metrics: [ext("a"), ext("a")] })).toEqual([
      "HorizontalPodAutoscaler ml/inference: spec.metrics[1]: External a is already spec.metrics[0]. Fix: keep one target per metric",
    ]);
  });

  it("a refused HPA does not claim its workload: a correct one on the same Deployment is accepted afterwards", () => {
    const c = chart();
    expect(problems(() => new Hpa(c, "bad", { scaleTarget: target(), maxReplicas: 0, metrics: [cpu70] }))).toHaveLength(2);
    expect(() => new Hpa(c, "good", { scaleTarget: target(), maxReplicas: 4, metrics: [cpu70] })).not.toThrow();
  });

  it("renders an External metric's selector as matchLabels", () => {
    const { json } = hpa({
      metrics: [
        {
          type: "External",
          metric: "queue",
          selector: { queue: "inference" },
          signal: "additive",
          target: { type: "AverageValue", averageValue: 20 },
        },
      ],
    });
    expect(json.spec.metrics).toEqual([
      {
        type: "External",
        external: {
          metric: { name: "queue", selector: { matchLabels: { queue: "inference" } } },
          target: { type: "AverageValue", averageValue: "20" },
        },
      },
    ]);
  });
});
