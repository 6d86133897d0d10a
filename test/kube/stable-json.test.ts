import { describe, expect, it } from "vitest";
import { stableJson } from "../../kube/stable-json.js";

describe("stableJson", () => {
  it("is the same text for values equal up to key order, at any depth", () => {
    expect(stableJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(stableJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(stableJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it("keeps array order and tells different values apart", () => {
    expect(stableJson([1, 2])).not.toBe(stableJson([2, 1]));
    expect(stableJson({ a: "1" })).not.toBe(stableJson({ a: 1 }));
    expect(stableJson(undefined)).toBe("null");
  });
});
