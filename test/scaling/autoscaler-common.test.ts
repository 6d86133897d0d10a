import { describe, expect, it } from "vitest";
import { AutoscalerError, toQuantity } from "../../scaling/autoscaler-common.js";
import { parseQuantity } from "../../kube/quantity.js";

describe("toQuantity", () => {
  it.each([
    [10, "10"],
    [0, "0"],
    [0.35, "350m"],
    [0.5, "500m"],
    [1.5, "1500m"],
    [0.0005, "500u"],
    [0.1 + 0.2, "300m"],
    [2.5e-8, "25n"],
    ["1536Mi", "1536Mi"],
  ])("%s → %s", (n, q) => {
    expect(toQuantity(n)).toBe(q);
    expect(parseQuantity(q)).toBeCloseTo(typeof n === "number" ? n : 1536 * 2 ** 20, 12);
  });

  it.each([-1, NaN, Infinity, 1e-12, 2 ** 60, "12 cores"])("refuses %s", (n) => {
    expect(() => toQuantity(n as number)).toThrow();
  });
});

describe("AutoscalerError", () => {
  it("prefixes every line with the environment", () => {
    const e = new AutoscalerError("ScaledObject ns/x", [
      { field: "spec.a", message: "bad a", fix: "fix a" },
      { field: "spec.b", message: "bad b", fix: "fix b" },
    ]);
    expect(e.lines("prod")).toEqual(['env "prod": ScaledObject ns/x: spec.a: bad a. Fix: fix a', 'env "prod": ScaledObject ns/x: spec.b: bad b. Fix: fix b']);
    expect(e.lines()).toEqual(["ScaledObject ns/x: spec.a: bad a. Fix: fix a", "ScaledObject ns/x: spec.b: bad b. Fix: fix b"]);
  });
});
