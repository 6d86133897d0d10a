/**
 * Bad input a fuzzer found (leaf mutations of the built-in environments: wrong types, signs,
 * control characters, label syntax, sections of the wrong shape). Each case failed before its
 * fix: a stack trace instead of a one-line error, or an invalid config synthesized with exit 0.
 */
import { describe, expect, it } from "vitest";
import { renderEnvironment } from "../../stacks/synth.js";
import { renderMatchers } from "../../promql/metrics.js";
import { selectors } from "../../promql/parse.js";
import { envConfig } from "../helpers/env.js";

describe("control characters in label values", () => {
  it("are escaped so the PromQL reads back the value written", () => {
    for (const value of ["gateway\t", "a\u0000b", 'x\u001fy\r\n\\"']) {
      const text = renderMatchers({ job: value });
      // eslint-disable-next-line no-control-regex -- none may be written raw
      expect(text).not.toMatch(/[\x00-\x1f]/);
      expect(selectors(`up${text}`)[0]!.matchers).toEqual([{ name: "job", op: "=", value }]);
    }
  });

  it("a wake-up matcher ending in a tab (pasted) synthesizes instead of crashing", async () => {
    const dev = envConfig("dev", {
      scaling: { wakeUp: { matchers: { service: "ml-serving-dev-inference-8000@kubernetes\t" } } },
    });
    const r = await renderEnvironment(dev);
    const scaled = r.files.find((f) => f.path === "autoscaling.yaml")!.content;
    expect(scaled).toContain('service="ml-serving-dev-inference-8000@kubernetes\\t"');
  });
});
