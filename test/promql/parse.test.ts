import { describe, expect, it } from "vitest";
import { assertParses, metricNames, returnsSingleSeries, selectors, syntaxErrors } from "../../promql/parse.js";

describe("promql-parse", () => {
  it("accepts valid PromQL and rejects broken PromQL", () => {
    expect(syntaxErrors('sum(rate(http_requests_total{job="a"}[2m]))')).toEqual([]);
    expect(syntaxErrors("sum(rate(x[5m])").length).toBeGreaterThan(0);
    expect(syntaxErrors("")).toEqual([{ pos: 0, message: "empty expression" }]);
    expect(() => assertParses("rate(x[5m]")).toThrow(/invalid PromQL/);
  });

  it("lists selectors with matchers, range and the function the range feeds", () => {
    const q = 'histogram_quantile(0.95, sum by (le) (rate(h_bucket{namespace="a",endpoint=~"/p.*"}[2m])))';
    expect(selectors(q)).toEqual([
      {
        metric: "h_bucket",
        matchers: [
          { name: "namespace", op: "=", value: "a" },
          { name: "endpoint", op: "=~", value: "/p.*" },
        ],
        rangeSeconds: 120,
        rangeFunction: "rate",
      },
    ]);
    expect(metricNames("sum(rate(a[5m])) / sum(rate(b[5m])) + a")).toEqual(["a", "b"]);
  });

  it("tells single-series results from multi-series ones", () => {
    for (const q of [
      "sum(x)",
      "histogram_quantile(0.95, sum by (le) (rate(x[1m])))",
      "sum(a) / sum(b)",
      "sum(x) or vector(0)",
      "scalar(x)",
    ]) {
      expect(returnsSingleSeries(q), q).toBe(true);
    }
    for (const q of [
      "x",
      "rate(x[1m])",
      "sum by (pod) (x)",
      "histogram_quantile(0.95, sum by (le, pod) (rate(x[1m])))",
      "sum without (pod) (x)",
      "topk(1, x)",
    ]) {
      expect(returnsSingleSeries(q), q).toBe(false);
    }
  });
});
