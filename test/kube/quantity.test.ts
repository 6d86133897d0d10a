/**
 * kube/quantity.ts (plain numbers for checks and the pod model) and simulator/hpa/quantity.ts (the
 * apimachinery port the HPA controller port computes with) read the same grammar, except that the
 * port, like Go's parser, also takes digit-less forms ("Mi", "-", ".") as 0 and trims whitespace,
 * which config validation rightly refuses. Their values differ only where the port reproduces Go's
 * AsApproximateFloat64 (rounded to nano, saturated at int64, float artifacts), as kube/quantity.ts explains.
 */
import { describe, expect, it } from "vitest";
import { isQuantity, parseQuantity, quantityOrUndefined } from "../../kube/quantity.js";
import { parseResourceQuantity, quantityToNumber } from "../../simulator/hpa/quantity.js";

const NUMBERS = ["0", "1", "12", "500", "1024", "0.1", "0.5", "1.5", "3.3", ".5", "1.", "007"];
const SUFFIXES = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "e3", "E-2", "e+1"];
const MALFORMED = [
  "",
  " ",
  "abc",
  "1.2.3",
  "1Kb",
  "1ki",
  "1K",
  "1e",
  "1e+",
  "--1",
  "+-1",
  "1 m",
  "0x10",
  "1_000",
  "1,5",
  "∞",
  "1mm",
  "1.5.Gi",
];
/** What Go's resource.ParseQuantity (and so the port) reads as 0 or trims, and the light parser refuses. */
const GO_ONLY = ["Mi", "e3", ".", "+", "-", "m", "Ki", "-m", ".e3", " 1 "];

const accepts = (parse: (s: string) => unknown, s: string) => {
  try {
    parse(s);
    return true;
  } catch {
    return false;
  }
};

describe("the two quantity parsers", () => {
  const valid = NUMBERS.flatMap((n) => SUFFIXES.flatMap((s) => ["", "-", "+"].map((sign) => `${sign}${n}${s}`)));

  it("accept the same strings, but for the digit-less forms only Go's parser takes", () => {
    for (const q of [...valid, ...MALFORMED]) expect(accepts(parseResourceQuantity, q), q).toBe(isQuantity(q));
    expect(valid.every((q) => isQuantity(q) && accepts(parseQuantity, q))).toBe(true);
    expect(MALFORMED.some((q) => isQuantity(q) || accepts(parseQuantity, q))).toBe(false);
    for (const q of GO_ONLY) {
      expect(isQuantity(q), q).toBe(false);
      expect(accepts(parseResourceQuantity, q), q).toBe(true);
    }
  });

  it("agree on the value up to the port's rounding to nano-units", () => {
    for (const q of valid) {
      const a = parseQuantity(q);
      if (Math.abs(a) >= 2 ** 63 / 1000) continue; // the port saturates at int64 (MilliValue, and binary quantities' float)
      const b = quantityToNumber(q);
      expect(Math.abs(a - b), q).toBeLessThanOrEqual(1e-9 + Math.abs(a) * 1e-15);
    }
  });

  it("differ where the port reproduces Go's float artifacts, which only the HPA arithmetic should see", () => {
    expect(parseQuantity("3.3")).toBe(3.3);
    expect(quantityToNumber("3.3")).toBe(3.3000000000000003);
    expect(parseQuantity("0.5n")).toBe(5e-10);
    expect(quantityToNumber("0.5n")).toBe(1e-9);
  });
});

describe("quantityOrUndefined", () => {
  it("a quantity's base units; undefined for a missing, malformed or non-string value", () => {
    expect(quantityOrUndefined("500m")).toBe(0.5);
    expect(quantityOrUndefined(2)).toBe(2);
    expect(quantityOrUndefined(" 1Ki ")).toBe(1024);
    for (const v of [undefined, null, "abc", "", {}, true]) expect(quantityOrUndefined(v), String(v)).toBeUndefined();
  });
});
