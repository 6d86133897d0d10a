import { beforeEach, describe, expect, it } from "vitest";
import {
  clearQuantityCache,
  goPow10,
  milliValue,
  milliValueExact,
  parseResourceQuantity,
  QuantityError,
  quantitySign,
  quantityToNumber,
} from "../../../simulator/hpa/quantity.js";

describe("quantity: MilliValue", () => {
  it("parses decimal SI, binary SI and exponent suffixes", () => {
    expect(milliValue("500m")).toBe(500); // 500 * 10^-3 * 1000
    expect(milliValue("1")).toBe(1000); // 1 * 1000
    expect(milliValue("1.5")).toBe(1500); // 1.5 * 1000
    expect(milliValue("2Gi")).toBe(2147483648000); // 2 * 2^30 = 2147483648, * 1000
    expect(milliValue("100Ki")).toBe(102400000); // 100 * 1024 = 102400, * 1000
    expect(milliValue("1e3")).toBe(1000000); // 1 * 10^3 = 1000, * 1000
    expect(milliValue("10M")).toBe(10000000000); // 10 * 10^6 = 1e7, * 1000 = 1e10
    expect(milliValue("250u")).toBe(1); // 0.00025 * 1000 = 0.25 -> rounded up to 1
    expect(milliValue("0")).toBe(0);
    expect(milliValue("+3k")).toBe(3000000); // 3000 * 1000
    expect(milliValue("1E")).toBe(Number(9223372036854775807n)); // 1e18 * 1000 = 1e21 > int64 -> saturated
  });

  it("rounds fractional milli-values up, away from zero (ceil for positives)", () => {
    expect(milliValue("0.5m")).toBe(1); // 0.5 -> 1
    expect(milliValue("1.0001m")).toBe(2); // 1.0001 -> 2
    expect(milliValue("1n")).toBe(1); // 0.000001 milli -> 1
    expect(milliValue("-0.5m")).toBe(-1); // away from zero
    expect(milliValue("-1.5")).toBe(-1500); // exact
  });

  it("accepts JSON numbers (converted with String())", () => {
    expect(milliValue(0.25)).toBe(250); // "0.25" -> 250
    expect(milliValue(3)).toBe(3000);
  });

  it("is exact beyond 2^53 through milliValueExact", () => {
    // 10Ti = 10 * 2^40 = 10995116277760 bytes; * 1000 = 10995116277760000 > 2^53-1 (9007199254740991)
    const q = parseResourceQuantity("10Ti");
    expect(q.safe).toBe(false);
    expect(milliValueExact("10Ti")).toBe(10995116277760000n);
  });

  it("rejects malformed quantities", () => {
    for (const bad of ["", "abc", "1.5.5", "1ki", "12Mb", "1e", "5 m", "1e1.5"]) {
      expect(() => parseResourceQuantity(bad), bad).toThrow(QuantityError);
    }
  });
});

describe("quantity: AsApproximateFloat64 (tolerances)", () => {
  it("gives the float value", () => {
    expect(quantityToNumber("0.05")).toBe(0.05); // int64Amount{5, -2}: 5 * 10^-2
    expect(quantityToNumber("500m")).toBe(0.5); // 500 * 10^-3
    expect(quantityToNumber("1.5")).toBe(1.5); // 15 * 10^-1
    expect(quantityToNumber("2Gi")).toBe(2147483648);
    expect(quantityToNumber("1e3")).toBe(1000);
  });
});

describe("quantity: the scanner's edges, as apimachinery parses them", () => {
  it("numbers written with a leading or trailing point, leading zeros and signs", () => {
    expect(milliValue("5.")).toBe(5000);
    expect(milliValue(".5")).toBe(500);
    expect(milliValue("007")).toBe(7000);
    expect(milliValue("-0")).toBe(0);
    expect(milliValue("0.0")).toBe(0);
    expect(milliValue("1.5Gi")).toBe(1610612736000); // 1.5 * 2^30
    expect(milliValue("1e-3")).toBe(1);
    expect(milliValue("1E2")).toBe(100000);
    expect(milliValue("1e+2")).toBe(100000);
    expect(milliValueExact("-1E")).toBe(-(1n << 63n)); // saturated at int64's minimum
  });

  it("says which part is wrong", () => {
    expect(() => parseResourceQuantity("1kM")).toThrow(`invalid quantity "1kM": unable to parse quantity's suffix`);
    expect(() => parseResourceQuantity("1Z")).toThrow(/^invalid quantity "1Z": quantities must match/);
    expect(() => parseResourceQuantity("1e+")).toThrow(`invalid quantity "1e+": unable to parse quantity's suffix`);
    expect(() => parseResourceQuantity("1e400000")).toThrow(
      `invalid quantity "1e400000": quantity exponent out of supported range: e400000`,
    );
    expect(() => parseResourceQuantity("1m5")).toThrow(`invalid quantity "1m5": unable to parse quantity's suffix`);
    expect(() => parseResourceQuantity("1m5x")).toThrow(/^invalid quantity "1m5x": quantities must match the regular expression/);
    expect(() => parseResourceQuantity(Infinity)).toThrow("not a finite number: Infinity");
    expect(() => parseResourceQuantity(null as unknown as string)).toThrow("expected a quantity string, got null");
    expect(() => parseResourceQuantity(true as unknown as string)).toThrow("expected a quantity string, got boolean");
  });

  it("is exact (safe) up to 2^53 - 1 milli", () => {
    expect(parseResourceQuantity("9007199254740991m")).toMatchObject({ milli: 9007199254740991, safe: true });
    expect(parseResourceQuantity("9007199254740992m").safe).toBe(false);
    expect(parseResourceQuantity("-9007199254740991m").safe).toBe(true);
    expect(parseResourceQuantity("-9007199254740992m").safe).toBe(false);
  });

  it("quantitySign", () => {
    expect([quantitySign("-1n"), quantitySign("0.0"), quantitySign("1n"), quantitySign("-0")]).toEqual([-1, 0, 1, 0]);
  });
});

describe("quantity: AsApproximateFloat64 on each internal representation", () => {
  it("int64Amount with a scale down to nano", () => {
    expect(quantityToNumber("1n")).toBe(1e-9);
    expect(quantityToNumber("1Ki")).toBe(1024);
    expect(quantityToNumber("-3k")).toBe(-3000);
    expect(quantityToNumber("0.0")).toBe(0);
    expect(quantityToNumber("0")).toBe(0);
  });

  it("inf.Dec: below nano, rounded away from zero to nano", () => {
    expect(quantityToNumber("0.1n")).toBe(1e-9);
    expect(quantityToNumber("-0.1n")).toBe(-1e-9);
    expect(quantityToNumber("1e-10")).toBe(1e-9);
  });

  it("inf.Dec: more than 18 digits, and binary SI with a fraction", () => {
    expect(quantityToNumber("123456789012345678901")).toBe(Number("123456789012345678901"));
    expect(quantityToNumber("1.5Ki")).toBe(1536);
  });

  it("binary SI beyond int64 is capped at 2^63 - 1", () => {
    // Number(2^63 - 1) is the float 2^63
    expect(quantityToNumber("8Ei")).toBe(Number((1n << 63n) - 1n));
    expect(quantityToNumber("-8Ei")).toBe(-Number((1n << 63n) - 1n));
    expect(quantityToNumber("4Ei")).toBe(4611686018427387904);
  });
});

describe("quantity: the parser itself, not its cache", () => {
  // The suite runs without isolation: a result cached by an earlier test would hide a parser change.
  beforeEach(() => clearQuantityCache());

  it("refuses with the HPA case code and a fix that shows a quantity", () => {
    const err = (() => {
      try {
        parseResourceQuantity("1x");
      } catch (e) {
        return e as QuantityError;
      }
      throw new Error("no error");
    })();
    expect(err).toBeInstanceOf(QuantityError);
    expect(err.problems[0]).toMatchObject({
      code: "HPA_CASE_INVALID",
      fix: "write a Kubernetes quantity such as 500m, 2 or 1.5Gi",
    });
  });

  it("zero, with its fast path", () => {
    expect(parseResourceQuantity("0")).toEqual({ text: "0", milli: 0, milliExact: 0n, safe: true, approx: 0 });
    // all-zero spellings through the scanner
    expect(parseResourceQuantity("000")).toMatchObject({ milli: 0, milliExact: 0n, safe: true, approx: 0 });
    expect(quantityToNumber("0.0000000000000000000")).toBe(0); // 20 digits: the inf.Dec path's zero
  });

  it("suffixes: each table, exponents at their bound", () => {
    expect(milliValue("1Ki")).toBe(1024_000);
    expect(quantityToNumber("1Ki")).toBe(1024);
    expect(milliValue("1k")).toBe(1_000_000);
    expect(milliValue("1e3")).toBe(1_000_000);
    expect(quantityToNumber("2.5e-1")).toBe(0.25);
    expect(milliValueExact("1e10000")).toBe((1n << 63n) - 1n); // the largest exponent accepted, saturated
    expect(milliValue("1e-10000")).toBe(1); // rounded up, away from zero
    expect(() => parseResourceQuantity("1e10001")).toThrow(/exponent out of supported range: e10001/);
    // a suffix that is not e<number> after its first letter
    expect(() => parseResourceQuantity("1M5")).toThrow(/unable to parse quantity's suffix/);
    expect(() => parseResourceQuantity("1i5")).toThrow(/unable to parse quantity's suffix/);
    expect(() => parseResourceQuantity("1ee5")).toThrow(/unable to parse quantity's suffix/);
  });

  it("MilliValue rounds up only when the division is inexact", () => {
    expect(milliValue("2.0m")).toBe(2); // 20 / 10: exact
    expect(milliValue("1.5m")).toBe(2);
    expect(milliValue("1.0001m")).toBe(2);
    expect(milliValue("-1.5m")).toBe(-2);
  });

  it("trims surrounding spaces", () => {
    expect(milliValue(" 1 ")).toBe(1000);
  });

  it("leading zeros do not count as digits of precision", () => {
    // 18 zeros then a 1: after stripping, one digit (int64Amount path: exactly 1)
    expect(quantityToNumber("0000000000000000001")).toBe(1);
    // 19 zeros: counted, they would send it to the inf.Dec path, 3e7 * 1e-9 = 0.030000000000000002
    expect(quantityToNumber("0000000000000000000.03")).toBe(0.03); // 3 * 10^-2
  });

  it("AsApproximateFloat64's path by digits of precision: 18 decimal digits take the int64Amount path, 19 inf.Dec", () => {
    // int64Amount: 123456789123456789 * 10^-7; inf.Dec: 12345678912345678900 nano * 1e-9 = 12345678912.34568
    expect(quantityToNumber("12345678912.3456789")).toBe(12345678912.345678);
    // 19 digits: inf.Dec (the int64Amount path would give 1234567891234.5679)
    expect(quantityToNumber("1234567891234.567891")).toBe(1234567891234.568);
  });

  it("binary SI: precision 15 - digits - int(exponent * 3 / 10) - 1 chooses the path (≥ 0: exact integer, < 0: via nano)", () => {
    expect(quantityToNumber("14606Gi")).toBe(15683073081344); // precision 0: exact (via nano: ….002)
    expect(quantityToNumber("116828Gi")).toBe(125443109814272.02); // precision -1: via nano
    expect(quantityToNumber("123Ti")).toBe(135239930216448.02); // 15 - 3 - 12 - 1 = -1
    expect(quantityToNumber("999Gi")).toBe(1072668082176); // 15 - 3 - 9 - 1 = 2 (via nano: ….0001)
    expect(quantityToNumber("123456789Ki")).toBe(126419751936); // 15 - 9 - 3 - 1 = 2 (via nano: ….00002)
  });

  it("an empty numerator counts as the one digit 0 (Go's parseQuantityString): 19 digits go the inf.Dec way", () => {
    // "0." and 18 decimals: num "0" + 18 = 19 digits > 18 -> inf.Dec, 7000 nano * 1e-9; counted as 18 it would be 7 * 1e-6
    expect(quantityToNumber("0.000000000000000007T")).toBe(0.000007000000000000001);
    expect(quantityToNumber(".000000000000000003e16")).toBe(0.030000000000000002);
    // 17 decimals: 18 digits, the int64Amount path
    expect(quantityToNumber("0.00000000000000003P")).toBe(0.03);
  });

  it("binary SI beyond int64 is capped at 2^63 - 1", () => {
    expect(quantityToNumber("9Ei")).toBe(2 ** 63);
    expect(quantityToNumber("-9Ei")).toBe(-(2 ** 63));
    expect(quantityToNumber("7Ei")).toBe(7 * 2 ** 60);
  });
});

describe("quantity: goPow10 (Go's math.Pow10)", () => {
  it("over its table ranges and outside them", () => {
    expect(goPow10(0)).toBe(1);
    expect(goPow10(5)).toBe(1e5);
    expect(goPow10(-5)).toBe(1e-5);
    expect(goPow10(308)).toBe(1e308);
    expect(goPow10(309)).toBe(Infinity);
    expect(goPow10(320)).toBe(Infinity);
    expect(goPow10(400)).toBe(Infinity);
    expect(goPow10(-323)).toBe(1e-323);
    expect(goPow10(-324)).toBe(0);
    expect(goPow10(-400)).toBe(0);
  });
});
