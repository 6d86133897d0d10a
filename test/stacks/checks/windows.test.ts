import { describe, expect, it } from "vitest";
import { check, coherent, config, expectErrors, mutate, NS, prometheusRule, rule } from "./fixtures.js";
import { runConfigChecks } from "../../../stacks/checks/index.js";

const SCOPE = `namespace="${NS}",job="inference"`;

describe("RATE_WINDOW_TOO_SHORT: rate windows span at least 4 scrape intervals", () => {
  it("passes 2m windows at a 15s scrape interval", () => {
    expect(check(coherent()).findings).toEqual([]);
  });

  it("RATE_WINDOW_TOO_SHORT: rate(...[30s]) at 15s", () => {
    const objects = [...coherent(), prometheusRule([rule(`sum(rate(http_request_errors_total{${SCOPE}}[30s])) > 1`, "Errors")], "errors")];
    const [f] = expectErrors(check(objects), ["RATE_WINDOW_TOO_SHORT"]);
    expect(f!.message).toMatch(/rate\(http_request_errors_total\[30s\]\) spans fewer than 4 scrapes of 15s \(needs ≥ 1m\)/);
  });

  it("RATE_WINDOW_TOO_SHORT: the interval the rendered ServiceMonitor declares counts, not only the config's", () => {
    const objects = mutate(coherent(), (get) => (get("ServiceMonitor").spec.endpoints[0].interval = "1m"));
    const errors = expectErrors(check(objects), ["RATE_WINDOW_TOO_SHORT"]);
    expect(errors[0]!.message).toMatch(/4 scrapes of 60s \(needs ≥ 4m\)/);
  });

  it("RATE_WINDOW_TOO_SHORT: histogram_quantile's window is its rate's; a longer config interval raises the bar", () => {
    const c = config({ monitoring: { scrapeIntervalSeconds: 60, queryWindow: "4m" } });
    const errors = expectErrors(check(coherent(), { config: c }), ["RATE_WINDOW_TOO_SHORT"]);
    expect(errors.map((e) => e.resource)).toContain(`ScaledObject ${NS}/inference`);
  });

  it("ignores *_over_time windows (not a rate)", () => {
    const objects = [...coherent(), prometheusRule([rule(`avg_over_time(inference_queue_len{${SCOPE}}[30s]) > 30`, "Queue")], "queue")];
    expect(check(objects).codes()).not.toContain("RATE_WINDOW_TOO_SHORT");
  });

  it("the config check reports the config's own windows with the same code (query window: 4 scrapes; burst window: 2)", () => {
    expect(runConfigChecks(config({ monitoring: { queryWindow: "30s" } })).map((p) => [p.code, p.path])).toEqual([
      ["RATE_WINDOW_TOO_SHORT", "monitoring.queryWindow"],
    ]);
    const burst = config({
      monitoring: { scrapeIntervalSeconds: 30, queryWindow: "2m" },
      scaling: { mode: "keda", burst: { enabled: true, windowSeconds: 59 }, behavior: { scaleUp: { stabilizationWindowSeconds: 0 } } },
    });
    expect(
      runConfigChecks(burst)
        .filter((p) => p.code === "RATE_WINDOW_TOO_SHORT")
        .map((p) => p.path),
    ).toEqual(["scaling.burst.windowSeconds"]);
  });
});

describe("check 6: one finding per short window and query, in the config's terms", () => {
  const alerts = (...exprs: string[]) => [
    ...coherent(),
    prometheusRule(
      exprs.map((e, i) => rule(e, `A${i}`)),
      "errors",
    ),
  ];
  const rateWindowErrors = (objects: ReturnType<typeof coherent>, opts: Parameters<typeof check>[1] = {}) =>
    check(objects, opts)
      .errors.filter((f) => f.code === "RATE_WINDOW_TOO_SHORT")
      .map((f) => ({ resource: f.resource, path: f.path, message: f.message.replace(/ spans.*/, "") }));

  it("the same short window twice in one query is one finding; another window in it, or another query, is another", () => {
    const errors = rateWindowErrors(
      alerts(
        `sum(rate(http_request_errors_total{${SCOPE}}[30s])) / sum(rate(http_requests_total{${SCOPE}}[30s])) > 1`,
        `sum(increase(http_requests_total{${SCOPE}}[45s])) + sum(rate(http_request_errors_total{${SCOPE}}[30s])) > 1`,
      ),
    );
    const at = (i: number) => ({ resource: `PrometheusRule ${NS}/errors`, path: `spec.groups[0].rules[${i}].expr` });
    expect(errors).toEqual([
      { ...at(0), message: "rate(http_request_errors_total[30s])" },
      { ...at(1), message: "increase(http_requests_total[45s])" },
      { ...at(1), message: "rate(http_request_errors_total[30s])" },
    ]);
  });

  it("every rate-like function is checked: increase, irate, delta, idelta, deriv", () => {
    const fns = ["increase", "irate", "delta", "idelta", "deriv"];
    const errors = rateWindowErrors(alerts(...fns.map((fn) => `sum(${fn}(http_requests_total{${SCOPE}}[30s])) > 1`)));
    expect(errors.map((e) => e.message)).toEqual(fns.map((fn) => `${fn}(http_requests_total[30s])`));
  });

  it("windows and bounds that are not whole minutes are written in seconds, whole minutes in minutes", () => {
    const c = config({ monitoring: { scrapeIntervalSeconds: 25, queryWindow: "2m" } });
    const [f] = expectErrors(check(alerts(`sum(rate(http_request_errors_total{${SCOPE}}[90s])) > 1`), { config: c }), [
      "RATE_WINDOW_TOO_SHORT",
    ]);
    expect(f!.message).toBe(
      "rate(http_request_errors_total[90s]) spans fewer than 4 scrapes of 25s (needs ≥ 100s): it is noisy and empty after one missed scrape",
    );
    expect(f!.fix).toBe("use a window of at least 100s (monitoring.queryWindow), or scrape more often");
    const at45 = check(alerts(`sum(rate(http_request_errors_total{${SCOPE}}[2m])) > 1`), {
      config: config({ monitoring: { scrapeIntervalSeconds: 45, queryWindow: "3m" } }),
    });
    const g = at45.errors.find((f) => f.resource === `PrometheusRule ${NS}/errors`);
    expect(g!.message).toMatch(/^rate\(http_request_errors_total\[2m\]\) spans fewer than 4 scrapes of 45s \(needs ≥ 3m\)/);
  });

  it("a selector with no metric name is shown as ...", () => {
    const errors = rateWindowErrors(alerts(`sum(rate({__name__=~"http_requests_total",${SCOPE}}[30s])) > 1`));
    expect(errors.map((e) => e.message)).toEqual(["rate(...[30s])"]);
  });

  it("a scrape that declares no interval scrapes at the config's: it does not lower the bar", () => {
    const objects = mutate(
      alerts(`sum(rate(http_request_errors_total{${SCOPE}}[59s])) > 1`),
      (get) => delete get("ServiceMonitor").spec.endpoints[0].interval,
    );
    expect(rateWindowErrors(objects).map((e) => e.message)).toEqual(["rate(http_request_errors_total[59s])"]);
  });
});
