// RATE_WINDOW_TOO_SHORT's boundary: a window of exactly 4 scrape intervals is enough (≥, not >), one second
// less is not. Both the rendered-query check and the config schema's own queryWindow check.
import { describe, expect, it } from "vitest";
import { check, coherent, config, expectErrors, NS, prometheusRule, rule } from "./fixtures.js";
import { runConfigChecks } from "../../../stacks/checks/index.js";

const SCOPE = `namespace="${NS}",job="inference"`;
const withRule = (window: string) => [
  ...coherent(),
  prometheusRule([rule(`sum(rate(http_request_errors_total{${SCOPE}}[${window}])) > 1`, "Errors")], "errors"),
];

describe("RATE_WINDOW_TOO_SHORT boundary: exactly 4 scrape intervals pass", () => {
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

  it("the config check accepts a queryWindow of exactly 4 intervals and refuses a shorter one", () => {
    const windows = (queryWindow: string) =>
      runConfigChecks(config({ monitoring: { scrapeIntervalSeconds: 30, queryWindow } })).filter((p) => p.code === "RATE_WINDOW_TOO_SHORT");
    expect(windows("2m")).toEqual([]);
    expect(windows("119s").map((p) => [p.code, p.path])).toEqual([["RATE_WINDOW_TOO_SHORT", "monitoring.queryWindow"]]);
  });
});
