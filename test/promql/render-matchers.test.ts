/**
 * renderMatchers writes the matchers of every selector the program builds: namespace, then job,
 * then the other labels sorted, values escaped as PromQL string literals. Held against the
 * definition (the earlier list-based writing, kept here as the oracle) and on examples.
 */
import { describe, expect, it } from "vitest";
import { renderMatchers, type Matchers } from "../../promql/metrics.js";

/** The definition: scope labels first (namespace before job), the rest sorted, each value escaped. */
function oracle(matchers: Matchers): string {
  const keys = Object.keys(matchers);
  const first = keys.filter((k) => k === "namespace" || k === "job");
  const rest = keys.filter((k) => k !== "namespace" && k !== "job").sort();
  const parts = [...first.sort((a, b) => (a === "namespace" ? -1 : b === "namespace" ? 1 : 0)), ...rest].map((k) => {
    const m = matchers[k]!;
    const { op, value } = typeof m === "string" ? { op: "=", value: m } : m;
    return `${k}${op}"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
  });
  return parts.length ? `{${parts.join(",")}}` : "";
}

describe("renderMatchers", () => {
  it("examples: order, operators, escapes, no matchers", () => {
    expect(renderMatchers({})).toBe("");
    expect(renderMatchers({ le: "0.5", job: "j", code: { op: "=~", value: "5.." }, namespace: "ns" })).toBe(
      '{namespace="ns",job="j",code=~"5..",le="0.5"}',
    );
    expect(renderMatchers({ job: "j" })).toBe('{job="j"}');
    expect(renderMatchers({ b: "2", a: "1" })).toBe('{a="1",b="2"}');
    expect(renderMatchers({ path: 'a"b\\c\nd' })).toBe('{path="a\\"b\\\\c\\nd"}');
    expect(renderMatchers({ x: { op: "!~", value: "" } })).toBe('{x!~""}');
  });

  it("equals the definition on generated matchers", () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const NAMES = ["namespace", "job", "le", "code", "a", "B", "_x", "path", "method", "z9", "Z"];
    const VALUES = ["", "v", "0.5", 'q"', "b\\s", "n\nl", "ü", "\\\\", '"'];
    const OPS = ["=", "!=", "=~", "!~"] as const;
    for (let i = 0; i < 500; i++) {
      const m: Record<string, Matchers[string]> = {};
      for (let n = Math.floor(random() * 6); n > 0; n--)
        m[pick(NAMES)] = random() < 0.5 ? pick(VALUES) : { op: pick(OPS), value: pick(VALUES) };
      expect(renderMatchers(m), JSON.stringify(m)).toBe(oracle(m));
    }
  });
});
