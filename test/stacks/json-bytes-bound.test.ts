/**
 * renderEnvironment serialises an object to measure it only when jsonBytesBound says it may be
 * over etcd's limit. That shortcut hides a too-large object if the bound is ever below the real
 * size: held here for the characters JSON escapes or widens, numbers, nesting, and every object of
 * every environment.
 */
import { describe, expect, it } from "vitest";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { jsonBytesBound } from "../../stacks/synth.js";
import { renderedEnv } from "../helpers/rendered.js";

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

describe("jsonBytesBound is never below the serialised size", () => {
  const STRINGS = [
    "",
    "plain",
    '"quoted"',
    "back\\slash",
    "\u0000\u0001\u001f", // \u00XX: 6 bytes each
    "\b\f\n\r\t",
    "é ü ß",
    "日本語",
    "😀🚀", // surrogate pairs: 4 bytes per pair in UTF-8
    "\ud800", // a lone surrogate: \ud800, 6 bytes
    "\udfff\ud800x",
    "\u2028\u2029",
    "\u007f\u0080\u07ff\u0800\uffff",
  ];
  it.each(STRINGS)("string %j, alone, as a key and in a list", (s) => {
    for (const v of [s, s.repeat(1000), { [s]: s }, [s, s], { a: [{ [s]: [s] }] }])
      expect(jsonBytesBound(v)).toBeGreaterThanOrEqual(bytes(v));
  });

  it("numbers, booleans and null, the longest ones", () => {
    for (const v of [
      0,
      -0,
      1,
      -1.5,
      2 ** 53,
      -(2 ** 53) - 2,
      1e21,
      -1.7976931348623157e308,
      -2.2250738585072014e-308,
      5e-324,
      -1.2345678901234568e-300,
      NaN,
      Infinity,
      true,
      false,
      null,
    ]) {
      expect(jsonBytesBound(v), String(v)).toBeGreaterThanOrEqual(bytes(v));
      expect(jsonBytesBound([v, v]), String(v)).toBeGreaterThanOrEqual(bytes([v, v]));
      expect(jsonBytesBound({ k: v }), String(v)).toBeGreaterThanOrEqual(bytes({ k: v }));
    }
  });

  it("empty and nested maps and lists, undefined members and items", () => {
    for (const v of [{}, [], [[]], [{}], { a: {} }, { a: undefined, b: 1 }, [undefined, null], { a: [1, [2, [3, { b: [] }]]] }])
      expect(jsonBytesBound(v), JSON.stringify(v)).toBeGreaterThanOrEqual(bytes(v));
  });

  it.each(ENV_NAMES)("%s: every rendered object, and the bound keeps them all on the fast path", async (env) => {
    for (const o of (await renderedEnv(env)).objects) {
      const b = jsonBytesBound(o);
      expect(b).toBeGreaterThanOrEqual(bytes(o));
      expect(b).toBeLessThan(1_572_864);
    }
  });
});

describe("jsonBytesBound refuses to bound what JSON.stringify may write differently", () => {
  it.each([
    ["a Date (toJSON)", new Date(0)],
    ["an object with toJSON", Object.assign(Object.create({ toJSON: () => "x".repeat(100) }) as object, {})],
    ["a Map", new Map([["a", 1]])],
    ["a function", () => 1],
    ["a symbol", Symbol("s")],
    ["a bigint", 1n],
  ])("%s: Infinity, also nested", (_, v) => {
    expect(jsonBytesBound(v)).toBe(Infinity);
    expect(jsonBytesBound({ a: [v] })).toBe(Infinity);
  });
});
