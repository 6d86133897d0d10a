import { describe, expect, it } from "vitest";
import { stableJson, stableJsonEqual } from "../../kube/stable-json.js";

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

  it("stableJsonEqual says what comparing the two texts says, on generated pairs and their near misses", () => {
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const leaves = [null, undefined, 0, -0, 1, NaN, Infinity, "", "0", "a", "null", true, false, () => 1, new Date(0)];
    const gen = (depth: number): unknown => {
      const r = next();
      if (depth < 3 && r < 0.3) {
        const o: Record<string, unknown> = {};
        for (let n = Math.floor(next() * 4); n > 0; n--) o["abc"[Math.floor(next() * 3)]!] = gen(depth + 1);
        return o;
      }
      if (depth < 3 && r < 0.5) return Array.from({ length: Math.floor(next() * 3) }, () => gen(depth + 1));
      return leaves[Math.floor(next() * leaves.length)];
    };
    /** The same value with its keys in reverse order (equal), or with one leaf swapped (usually not). */
    const variant = (v: unknown, change: boolean): unknown => {
      if (Array.isArray(v)) return v.map((x, i) => variant(x, change && i === 0));
      if (v !== null && typeof v === "object" && !(v instanceof Date)) {
        const entries = Object.entries(v).reverse();
        return Object.fromEntries(entries.map(([k, x], i) => [k, variant(x, change && i === 0)]));
      }
      return change ? leaves[Math.floor(next() * leaves.length)] : v;
    };
    let equal = 0;
    let different = 0;
    for (let i = 0; i < 3000; i++) {
      const a = gen(0);
      for (const b of [variant(a, false), variant(a, true), gen(0)]) {
        const same = stableJson(a) === stableJson(b);
        expect(stableJsonEqual(a, b), `${stableJson(a)} vs ${stableJson(b)}`).toBe(same);
        if (same) equal++;
        else different++;
      }
    }
    expect(equal).toBeGreaterThan(2000);
    expect(different).toBeGreaterThan(2000);
    expect(stableJsonEqual({ a: undefined }, {})).toBe(false);
    expect(stableJsonEqual({ a: undefined }, { a: null })).toBe(true);
    expect(stableJsonEqual([1], { 0: 1 })).toBe(false);
  });
});
