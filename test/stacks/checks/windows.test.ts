import { describe, expect, it } from "vitest";
import { check, coherent, config, expectErrors, input, mutate, NS, prometheusRule, rule } from "./fixtures.js";
import { ConfigError, parseEnvConfig } from "../../../stacks/validate.js";

const SCOPE = `namespace="${NS}",job="inference"`;

describe("check 6: rate windows span at least 4 scrape intervals", () => {
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

  it("the schema reports the config's own window with the same code", () => {
    try {
      parseEnvConfig(input({ monitoring: { queryWindow: "30s" } }), "t");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems.map((p) => p.code)).toEqual(["RATE_WINDOW_TOO_SHORT"]);
    }
  });
});
