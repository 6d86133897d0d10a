/**
 * The PromQL readings the checks rely on (stacks/checks/promql.ts): how a matcher accepts a value,
 * which comparisons an alert makes, which histograms a quantile reads, what signal an expression
 * measures, why an average over pods is meaningless, and how prometheus-adapter fills its rule
 * templates and names its metrics.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_CONTRACT } from "../../../promql/metrics.js";
import {
  adapterMetricName,
  fillAdapterTemplate,
  hasVectorDivision,
  histogramQuantiles,
  literalComparisons,
  matcherAccepts,
  meantForMain,
  nonAdditiveReason,
  operatorsUsed,
  parses,
  safeSelectors,
  signalOf,
  UNKNOWN_ADAPTER_SERIES,
} from "../../../stacks/checks/promql.js";

/** Recording rules r:1 → r:2 → … → r:6 → `last`: `last` is six levels below r:1, five below r:2. */
const chain = (last: string) => new Map([1, 2, 3, 4, 5].map((i) => [`r:${i}`, `r:${i + 1}`] as [string, string]).concat([["r:6", last]]));

const m = (op: string, value: string) => ({ name: "job", op, value }) as Parameters<typeof matcherAccepts>[0];

describe("matcherAccepts: Prometheus label matcher semantics", () => {
  // [op, matcher value, label value, accepted]
  const cases: [string, string, string, boolean][] = [
    // = and != compare the whole value; a missing label is the empty string
    ["=", "inference", "inference", true],
    ["=", "inference", "inference-api", false],
    ["!=", "inference", "inference", false],
    ["!=", "inference", "", true],
    ["=", "", "", true],
    // regexes are fully anchored, alternations included
    ["=~", "inf.*", "inference", true],
    ["=~", "inf", "inference", false],
    ["=~", "ference", "inference", false],
    ["=~", "a|inference", "inference", true],
    ["=~", "inference|a", "xinference", false],
    ["!~", "inf.*", "inference", false],
    ["!~", "inf", "inference", true],
    // an invalid regex accepts nothing, negated or not
    ["=~", "(", "(", false],
    ["!~", "(", "x", false],
  ];
  it.each(cases)("%s %j on %j: %s", (op, pattern, value, accepted) => {
    expect(matcherAccepts(m(op, pattern), value)).toBe(accepted);
  });

  it("meantForMain: every job matcher accepts the service's job; no job matcher means the service", () => {
    const ctx = { scopeLabels: { job: "inference" } };
    const sel = (...ms: ReturnType<typeof m>[]) => ({ matchers: ms }) as unknown as Parameters<typeof meantForMain>[1];
    expect(meantForMain(ctx, sel())).toBe(true);
    expect(meantForMain(ctx, sel({ name: "namespace", op: "=", value: "x" } as never))).toBe(true);
    expect(meantForMain(ctx, sel(m("=", "inference"), m("=~", "inf.*")))).toBe(true);
    expect(meantForMain(ctx, sel(m("=", "inference"), m("=", "orchestrator")))).toBe(false);
    expect(meantForMain(ctx, sel(m("=", "orchestrator")))).toBe(false);
  });
});

describe("parses / safeSelectors / operatorsUsed", () => {
  it("a syntax error parses to no selectors", () => {
    expect(parses("sum(up")).toBe(false);
    expect(safeSelectors("sum(up")).toEqual([]);
    expect(parses("sum(up)")).toBe(true);
    expect(safeSelectors('sum(up{job="x"})').map((s) => s.metric)).toEqual(["up"]);
  });

  it("lists functions and aggregations, not metric names or labels", () => {
    expect([...operatorsUsed('histogram_quantile(0.95, sum by (le) (rate(x_bucket{job="max"}[2m])))')].sort()).toEqual([
      "histogram_quantile",
      "rate",
      "sum",
    ]);
    expect([...operatorsUsed("avg_over_time(x[5m]) + max(y)")].sort()).toEqual(["avg_over_time", "max"]);
  });
});

describe("literalComparisons: `<vector> <op> <number>`, read with the vector on the left", () => {
  it("reads each comparison operator", () => {
    for (const op of [">", "<", ">=", "<=", "==", "!="])
      expect(literalComparisons(`sum(x) ${op} 5`), op).toEqual([{ vector: "sum(x)", op, value: 5 }]);
  });

  it("flips a literal on the left", () => {
    const flipped: Record<string, string> = { ">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!=" };
    for (const [op, want] of Object.entries(flipped))
      expect(literalComparisons(`5 ${op} sum(x)`), op).toEqual([{ vector: "sum(x)", op: want, value: 5 }]);
  });

  it("reads parenthesised and negated literals, and `bool`", () => {
    expect(literalComparisons("sum(x) > (2)")).toEqual([{ vector: "sum(x)", op: ">", value: 2 }]);
    expect(literalComparisons("sum(x) > -2")).toEqual([{ vector: "sum(x)", op: ">", value: -2 }]);
    expect(literalComparisons("sum(x) > +2")).toEqual([{ vector: "sum(x)", op: ">", value: 2 }]);
    expect(literalComparisons("sum(x) > -(2)")).toEqual([{ vector: "sum(x)", op: ">", value: -2 }]);
    expect(literalComparisons("sum(x) > bool 0.5")).toEqual([{ vector: "sum(x)", op: ">", value: 0.5 }]);
  });

  it("ignores arithmetic, vector-vector and literal-literal comparisons; finds nested ones", () => {
    expect(literalComparisons("sum(x) * 2")).toEqual([]);
    expect(literalComparisons("sum(x) > sum(y)")).toEqual([]);
    expect(literalComparisons("1 > 2")).toEqual([]);
    expect(literalComparisons("sum(x) > Inf")).toEqual([]);
    expect(literalComparisons("(sum(x) > 3) and (sum(y) < 4)")).toEqual([
      { vector: "sum(x)", op: ">", value: 3 },
      { vector: "sum(y)", op: "<", value: 4 },
    ]);
  });
});

describe("hasVectorDivision: a ratio or an average, not a scaling by a constant", () => {
  it("vector / vector", () => {
    expect(hasVectorDivision("sum(rate(a_sum[2m])) / sum(rate(a_count[2m]))")).toBe(true);
    expect(hasVectorDivision("sum(x) + sum(y) / sum(z)")).toBe(true);
    expect(hasVectorDivision("sum(x) / 2")).toBe(false);
    expect(hasVectorDivision("2 / sum(x)")).toBe(false);
    expect(hasVectorDivision("sum(x) * sum(y)")).toBe(false);
    expect(hasVectorDivision("sum(x) - sum(y)")).toBe(false);
  });
});

describe("histogramQuantiles: each histogram_quantile with the histograms it reads", () => {
  it("the quantile and the bucket family, through recording rules", () => {
    const rec = new Map([["job:lat:rate2m", "sum by (le) (rate(http_request_duration_seconds_bucket[2m]))"]]);
    expect(histogramQuantiles("histogram_quantile(0.9, job:lat:rate2m)", rec)).toEqual([
      { quantile: 0.9, histograms: ["http_request_duration_seconds"] },
    ]);
    expect(histogramQuantiles("histogram_quantile(0.9, job:lat:rate2m)")).toEqual([{ quantile: 0.9, histograms: [] }]);
    expect(histogramQuantiles("quantile(0.9, x_bucket)")).toEqual([]);
    expect(histogramQuantiles("histogram_quantile(0.5, sum by (le) (rate(a_bucket[1m]) + rate(b_bucket[1m])))")).toEqual([
      { quantile: 0.5, histograms: ["a", "b"] },
    ]);
    expect(histogramQuantiles("histogram_quantile(q, a_bucket)")[0]!.quantile).toBeUndefined();
  });

  it("stops following recordings after five levels (a cycle)", () => {
    const rec = new Map([
      ["r:a", "r:b"],
      ["r:b", "r:a + x_bucket"],
    ]);
    expect(histogramQuantiles("histogram_quantile(0.5, r:a)", rec)).toEqual([{ quantile: 0.5, histograms: ["x"] }]);
    const deep = chain("deep_bucket");
    expect(histogramQuantiles("histogram_quantile(0.5, r:5)", deep)[0]!.histograms).toEqual(["deep"]);
    expect(histogramQuantiles("histogram_quantile(0.5, r:1)", deep)[0]!.histograms).toEqual([]);
  });
});

describe("signalOf: what a threshold is compared on", () => {
  const rec = new Map([
    ["job:queue:sum", "sum(inference_queue_len)"],
    ["job:p95", "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[2m])))"],
    ["job:rate", "sum(rate(http_requests_total[2m]))"],
  ]);
  it("latency: the first quantile over a histogram", () => {
    expect(signalOf("histogram_quantile(0.95, sum by (le) (rate(inference_latency_seconds_bucket[2m])))", DEFAULT_CONTRACT, rec)).toEqual({
      kind: "latency",
      histogram: "inference_latency_seconds",
      quantile: 0.95,
    });
    expect(signalOf("job:p95 > 1", DEFAULT_CONTRACT, rec)).toEqual({
      kind: "latency",
      histogram: "http_request_duration_seconds",
      quantile: 0.95,
    });
  });

  it("queue: a contract gauge named like a queue, directly or recorded", () => {
    expect(signalOf("sum(inference_queue_len)", DEFAULT_CONTRACT, rec)).toEqual({ kind: "queue", metric: "inference_queue_len" });
    expect(signalOf("job:queue:sum", DEFAULT_CONTRACT, rec)).toEqual({ kind: "queue", metric: "inference_queue_len" });
    expect(signalOf("job:rate + sum(inference_queue_len)", DEFAULT_CONTRACT, rec)).toEqual({
      kind: "queue",
      metric: "inference_queue_len",
    });
  });

  it("other: gauges that are no queue, counters, unknown series, syntax errors", () => {
    for (const e of [
      "sum(inference_worker_utilization)",
      "sum(rate(http_requests_total[2m]))",
      "job:rate",
      "sum(my_queue_depth)",
      "sum(",
      "histogram_quantile(0.9, job:rate)",
    ])
      expect(signalOf(e, DEFAULT_CONTRACT, rec), e).toEqual({ kind: "other" });
  });

  it("queue: only a gauge of the contract, its name matched case-insensitively", () => {
    const contract = {
      ...DEFAULT_CONTRACT,
      metrics: [
        { name: "Backlog_QUEUE_depth", type: "gauge" as const, labels: [] },
        { name: "queue_items_total", type: "counter" as const, labels: [] },
        { name: "workers_busy", type: "gauge" as const, labels: [] },
      ],
    };
    expect(signalOf("sum(Backlog_QUEUE_depth)", contract, new Map())).toEqual({ kind: "queue", metric: "Backlog_QUEUE_depth" });
    expect(signalOf("sum(rate(queue_items_total[2m]))", contract, new Map())).toEqual({ kind: "other" });
    expect(signalOf("sum(workers_busy)", contract, new Map())).toEqual({ kind: "other" });
    expect(signalOf("sum(inference_queue_len)", contract, new Map())).toEqual({ kind: "other" });
  });

  it("follows recordings five levels deep at most", () => {
    const rec = chain("sum(inference_queue_len)");
    expect(signalOf("r:2", DEFAULT_CONTRACT, rec)).toEqual({ kind: "queue", metric: "inference_queue_len" });
    expect(signalOf("r:1", DEFAULT_CONTRACT, rec)).toEqual({ kind: "other" });
  });
});

describe("nonAdditiveReason: why dividing by the replica count is meaningless", () => {
  it("names the non-additive operator", () => {
    for (const op of ["quantile", "avg", "stddev", "stdvar", "min", "max"])
      expect(nonAdditiveReason(op === "quantile" ? "quantile(0.9, x)" : `${op}(x)`), op).toBe(`it uses ${op}()`);
    expect(nonAdditiveReason("histogram_quantile(0.9, sum by (le) (rate(x_bucket[2m])))")).toBe("it uses histogram_quantile()");
    expect(nonAdditiveReason("sum(avg_over_time(x[5m]))")).toBe("it uses avg_over_time()");
    expect(nonAdditiveReason("sum(quantile_over_time(0.9, x[5m]))")).toBe("it uses quantile_over_time()");
  });

  it("a ratio of two series", () => {
    expect(nonAdditiveReason("sum(rate(a_sum[2m])) / sum(rate(a_count[2m]))")).toBe("it divides two series (a ratio or an average)");
  });

  it("sums and counts are additive; a syntax error says nothing", () => {
    expect(nonAdditiveReason("sum(x)")).toBeUndefined();
    expect(nonAdditiveReason("count(x) * 2")).toBeUndefined();
    expect(nonAdditiveReason("sum(")).toBeUndefined();
  });

  it("follows recorded series, five levels deep at most", () => {
    const rec = new Map([
      ["r:avg", "avg(x)"],
      ["r:sum", "sum(x)"],
      ["r:outer", "sum(r:avg)"],
    ]);
    expect(nonAdditiveReason("sum(r:avg)", rec)).toBe("it reads recorded series r:avg, and it uses avg()");
    expect(nonAdditiveReason("sum(r:outer)", rec)).toBe(
      "it reads recorded series r:outer, and it reads recorded series r:avg, and it uses avg()",
    );
    expect(nonAdditiveReason("sum(r:sum) + sum(r:avg)", rec)).toMatch(/r:avg/);
    expect(nonAdditiveReason("sum(r:sum)", rec)).toBeUndefined();
    const deep = chain("avg(x)");
    expect(nonAdditiveReason("r:2", deep)).toMatch(/it uses avg\(\)$/);
    expect(nonAdditiveReason("r:1", deep)).toBeUndefined();
  });
});

describe("fillAdapterTemplate: the metricsQuery as prometheus-adapter fills it for the service's pods", () => {
  const tpl = "sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)";
  it("custom rules: the namespace, the service's pods, grouped by pod", () => {
    const rule = {
      seriesQuery: 'inference_queue_len{namespace!=""}',
      resources: { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } },
    };
    expect(fillAdapterTemplate(tpl, rule, "custom", "ml", "inference")).toBe(
      'sum(inference_queue_len{namespace="ml",pod=~"inference-.*"}) by (pod)',
    );
  });

  it("external rules: the namespace only, unless not namespaced; no grouping", () => {
    const rule = { seriesQuery: "inference_queue_len", resources: { overrides: { kubernetes_namespace: { resource: "namespace" } } } };
    expect(fillAdapterTemplate(tpl, rule, "external", "ml", "inference")).toBe('sum(inference_queue_len{kubernetes_namespace="ml"}) by ()');
    expect(fillAdapterTemplate(tpl, { ...rule, resources: { ...rule.resources, namespaced: false } }, "external", "ml", "inference")).toBe(
      "sum(inference_queue_len{}) by ()",
    );
  });

  it("a resources.template names the labels; overrides win; placeholder spacing is free", () => {
    const rule = { seriesQuery: "q_len", resources: { template: "kube_<<.Resource>>" } };
    expect(fillAdapterTemplate("<< .Series >>{<<.LabelMatchers>>} by <<.GroupBy>>", rule, "custom", "ml", "svc")).toBe(
      'q_len{kube_namespace="ml",kube_pod=~"svc-.*"} by kube_pod',
    );
    const both = { seriesQuery: "q_len", resources: { template: "kube_<<.Resource>>", overrides: { ns: { resource: "namespace" } } } };
    expect(fillAdapterTemplate("<<.LabelMatchers>>", both, "custom", "ml", "svc")).toBe('ns="ml",kube_pod=~"svc-.*"');
    const odd = { seriesQuery: "q_len", resources: { overrides: { x: null, y: { resource: "service" }, p: { resource: "pod" } } } };
    expect(fillAdapterTemplate("<<.LabelMatchers>>", odd, "custom", "ml", "svc")).toBe('namespace="ml",p=~"svc-.*"');
  });

  it("a seriesQuery without a metric name, and unknown placeholders", () => {
    expect(fillAdapterTemplate("<<.Series>>|<<.Unknown>>|", { seriesQuery: '{__name__=~"a|b"}' }, "custom", "ml", "s")).toBe(
      `${UNKNOWN_ADAPTER_SERIES}||`,
    );
    expect(fillAdapterTemplate("<<.Series>>", {}, "custom", "ml", "s")).toBe(UNKNOWN_ADAPTER_SERIES);
  });
});

describe("adapterMetricName: the name an adapter rule exposes", () => {
  it("`as` applied to the series name's captures; the adapter's default `as`", () => {
    expect(adapterMetricName({ seriesQuery: "http_requests_total", name: { matches: "^(.*)_total$", as: "${1}_per_second" } })).toBe(
      "http_requests_per_second",
    );
    expect(adapterMetricName({ seriesQuery: "http_requests_total", name: { matches: "^(.*)_total$", as: "$1_ps" } })).toBe(
      "http_requests_ps",
    );
    expect(adapterMetricName({ seriesQuery: "http_requests_total", name: { matches: "^(.*)_total$" } })).toBe("http_requests");
    expect(adapterMetricName({ seriesQuery: "http_requests_total", name: { matches: "_total$" } })).toBe("_total");
    expect(adapterMetricName({ seriesQuery: "http_requests_total", name: { matches: "^(.*)_total$", as: "$2x" } })).toBe("x");
  });

  it("without `matches`: `as`, else the series", () => {
    expect(adapterMetricName({ seriesQuery: "inference_queue_len", name: { as: "queue" } })).toBe("queue");
    expect(adapterMetricName({ seriesQuery: "inference_queue_len" })).toBe("inference_queue_len");
  });

  it("no name when `matches` does not match or is invalid", () => {
    expect(adapterMetricName({ seriesQuery: "inference_queue_len", name: { matches: "^http_" } })).toBeUndefined();
    expect(adapterMetricName({ seriesQuery: "inference_queue_len", name: { matches: "(" } })).toBeUndefined();
  });

  it("a seriesQuery without a metric: only a literal `as` names it", () => {
    expect(adapterMetricName({ seriesQuery: '{__name__=~"a|b"}', name: { as: "queue" } })).toBe("queue");
    expect(adapterMetricName({ seriesQuery: '{__name__=~"a|b"}', name: { as: "$1" } })).toBeUndefined();
    expect(adapterMetricName({ seriesQuery: '{__name__=~"a|b"}' })).toBeUndefined();
  });
});
