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
    expect(runConfigChecks(config({ monitoring: { queryWindow: "30s" } })).map((p) => [p.code, p.path])).toEqual([["RATE_WINDOW_TOO_SHORT", "monitoring.queryWindow"]]);
    const burst = config({ monitoring: { scrapeIntervalSeconds: 30, queryWindow: "2m" }, scaling: { mode: "keda", burst: { enabled: true, windowSeconds: 59 }, behavior: { scaleUp: { stabilizationWindowSeconds: 0 } } } });
    expect(runConfigChecks(burst).filter((p) => p.code === "RATE_WINDOW_TOO_SHORT").map((p) => p.path)).toEqual(["scaling.burst.windowSeconds"]);
  });
});
