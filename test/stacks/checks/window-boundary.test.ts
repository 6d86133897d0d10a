// Check 6's boundary: a window of exactly 4 scrape intervals is enough (≥, not >), one second
// less is not. Both the rendered-query check and the config schema's own queryWindow check.
import { describe, expect, it } from "vitest";
import { check, coherent, config, expectErrors, NS, prometheusRule, rule } from "./fixtures.js";
import { configProblems } from "../../helpers/env.js";
import { input } from "./fixtures.js";

const SCOPE = `namespace="${NS}",job="inference"`;
const withRule = (window: string) => [...coherent(), prometheusRule([rule(`sum(rate(http_request_errors_total{${SCOPE}}[${window}])) > 1`, "Errors")], "errors")];

describe("check 6 boundary: exactly 4 scrape intervals pass", () => {
  it("rate(...[1m]) at a 15s interval passes; [59s] does not", () => {
    expect(check(withRule("1m")).codes()).not.toContain("RATE_WINDOW_TOO_SHORT");
    const [f] = expectErrors(check(withRule("59s")), ["RATE_WINDOW_TOO_SHORT"]);
    expect(f!.message).toMatch(/\[59s\]\) spans fewer than 4 scrapes of 15s \(needs ≥ 1m\)/);
  });

  it("at a 20s interval, 80s passes and 79s does not", () => {
    const c = config({ monitoring: { scrapeIntervalSeconds: 20, queryWindow: "2m" } });
    expect(check(withRule("80s"), { config: c }).codes()).not.toContain("RATE_WINDOW_TOO_SHORT");
    expectErrors(check(withRule("79s"), { config: c }), ["RATE_WINDOW_TOO_SHORT"]);
  });

  it("the schema accepts a queryWindow of exactly 4 intervals and refuses a shorter one", () => {
    expect(() => config({ monitoring: { scrapeIntervalSeconds: 30, queryWindow: "2m" } })).not.toThrow();
    const problems = configProblems(input({ monitoring: { scrapeIntervalSeconds: 30, queryWindow: "119s" } }), "t");
    expect(problems.map((p) => [p.code, p.field])).toEqual([["RATE_WINDOW_TOO_SHORT", "monitoring.queryWindow"]]);
  });
});
