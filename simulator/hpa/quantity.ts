/**
 * Kubernetes resource.Quantity parsing, as done by k8s.io/apimachinery/pkg/api/resource:
 *
 *   <quantity>     ::= <signedNumber><suffix>
 *   <number>       ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *   <suffix>       ::= <binarySI> | <decimalExponent> | <decimalSI>
 *   <binarySI>     ::= Ki | Mi | Gi | Ti | Pi | Ei
 *   <decimalSI>    ::= n | u | m | "" | k | M | G | T | P | E
 *   <decimalExp>   ::= "e" <signedNumber> | "E" <signedNumber>
 *
 * What the HPA controller uses:
 *   - MilliValue(): ceil(q * 1000) rounded away from zero, as an int64 (metric values, targets,
 *     requests are all handled as int64 milli-values).
 *   - AsApproximateFloat64(): for behavior.scaleUp/scaleDown.tolerance.
 *
 * Values are parsed exactly (BigInt) once and cached by their string form.
 */

import { InvariantError } from "../../problems/problem.js";

export class QuantityError extends InvariantError {
  constructor(message: string) {
    super(message, "write a Kubernetes quantity such as 500m, 2 or 1.5Gi", "HPA_CASE_INVALID");
  }
}

export interface ParsedQuantity {
  /** The input string (after trimming). */
  readonly text: string;
  /** Quantity.MilliValue() as a JS number; exact iff `safe`. */
  readonly milli: number;
  /** Quantity.MilliValue() exactly (int64, rounded away from zero, saturated at the int64 bounds). */
  readonly milliExact: bigint;
  /** |milli| <= Number.MAX_SAFE_INTEGER, i.e. `milli` is exact. */
  readonly safe: boolean;
  /** Quantity.AsApproximateFloat64(). */
  readonly approx: number;
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Bound on |decimal exponent| accepted ("1e400"); Go would accept int32 exponents. */
const MAX_ABS_EXPONENT = 10000;

const DEC_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BIN_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_CHARS = "eEinumkKMGTP";

// ---- Go math.Pow10 (bit-identical: same tables, same operations) ----
const POW10TAB: number[] = [];
for (let i = 0; i < 32; i++) POW10TAB.push(Number(`1e${i}`));
const POW10POSTAB32: number[] = [];
for (let i = 0; i < 10; i++) POW10POSTAB32.push(Number(`1e${i * 32}`));
const POW10NEGTAB32: number[] = [];
for (let i = 0; i < 11; i++) POW10NEGTAB32.push(Number(`1e-${i * 32}`));

/** Go's math.Pow10(n). */
export function goPow10(n: number): number {
  if (n >= 0 && n <= 308) return POW10POSTAB32[n >>> 5]! * POW10TAB[n & 31]!;
  if (n <= 0 && n >= -323) return POW10NEGTAB32[-n >>> 5]! / POW10TAB[-n & 31]!;
  return n > 0 ? Infinity : 0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

interface Scanned {
  positive: boolean;
  /** the numeric part as written (sign included) - only used for error messages here */
  num: string;
  denom: string;
  suffix: string;
}

const FORMAT_ERR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** Port of apimachinery parseQuantityString (the fast scanner). */
function scan(str: string): Scanned {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end) {
    const c = str.charCodeAt(0);
    if (c === 45 /* - */) {
      positive = false;
      pos++;
    } else if (c === 43 /* + */) {
      pos++;
    }
  }
  // strip leading zeros
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, num: "0", denom: "", suffix: "" };
    if (str.charCodeAt(i) === 48) pos++;
    else break;
  }
  // numerator
  let num: string;
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, num: str.slice(pos, end), denom: "", suffix: "" };
    if (!isDigit(str.charCodeAt(i))) {
      num = str.slice(pos, i);
      pos = i;
      break;
    }
  }
  if (num.length === 0) num = "0";
  // denominator
  let denom = "";
  if (pos < end && str.charCodeAt(pos) === 46 /* . */) {
    pos++;
    for (let i = pos; ; i++) {
      if (i >= end) return { positive, num, denom: str.slice(pos, end), suffix: "" };
      if (!isDigit(str.charCodeAt(i))) {
        denom = str.slice(pos, i);
        pos = i;
        break;
      }
    }
  }
  // suffix
  const suffixStart = pos;
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, num, denom, suffix: str.slice(suffixStart, end) };
    if (!SUFFIX_CHARS.includes(str[i]!)) {
      pos = i;
      break;
    }
  }
  if (pos < end) {
    const c = str.charCodeAt(pos);
    if (c === 45 || c === 43) pos++;
  }
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, num, denom, suffix: str.slice(suffixStart, end) };
    if (!isDigit(str.charCodeAt(i))) break;
  }
  throw new QuantityError(FORMAT_ERR);
}

type Format = "DecimalSI" | "BinarySI" | "DecimalExponent";

function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: Format } {
  const d = DEC_SUFFIXES[suffix];
  // Stryker disable next-line LogicalOperator: no string of suffix characters (eEinumkKMGTP, signs, digits) names an Object.prototype member, so d is defined exactly when the key is own
  if (d !== undefined && Object.prototype.hasOwnProperty.call(DEC_SUFFIXES, suffix)) {
    // Stryker disable next-line StringLiteral: only "BinarySI" is ever compared
    return { base: 10, exponent: d, format: "DecimalSI" };
  }
  const b = BIN_SUFFIXES[suffix];
  // Stryker disable next-line LogicalOperator: as above (no Object.prototype member is spelt with suffix characters)
  if (b !== undefined && Object.prototype.hasOwnProperty.call(BIN_SUFFIXES, suffix)) {
    return { base: 2, exponent: b, format: "BinarySI" };
  }
  if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E")) {
    const rest = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(rest)) throw new QuantityError("unable to parse quantity's suffix");
    const e = Number(rest);
    if (!Number.isFinite(e) || Math.abs(e) > MAX_ABS_EXPONENT) {
      throw new QuantityError(`quantity exponent out of supported range: ${suffix}`);
    }
    // Stryker disable next-line StringLiteral: only "BinarySI" is ever compared
    return { base: 10, exponent: e, format: "DecimalExponent" };
  }
  throw new QuantityError("unable to parse quantity's suffix");
}

function pow10n(n: number): bigint {
  return 10n ** BigInt(n);
}

/** ceil(|a| / b) for a >= 0, b > 0 */
function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b === 0n ? q : q + 1n;
}

function saturate64(v: bigint): bigint {
  if (v > INT64_MAX) return INT64_MAX;
  if (v < INT64_MIN) return INT64_MIN;
  return v;
}

function parseUncached(str: string): ParsedQuantity {
  if (str.length === 0) throw new QuantityError(FORMAT_ERR);
  // Stryker disable next-line StringLiteral: a fast path: "" never gets here (refused above), and "0" parsed in full gives this same result
  if (str === "0") return { text: str, milli: 0, milliExact: 0n, safe: true, approx: 0 };

  const { positive, num, denom, suffix } = scan(str);
  const { base, exponent, format } = interpretSuffix(suffix);

  // Exact magnitude = digits * 10^e10 * 2^e2
  const digits = BigInt(num + denom);
  const e10 = (base === 10 ? exponent : 0) - denom.length;
  const e2 = base === 2 ? exponent : 0;
  const mag2 = e2 > 0 ? digits << BigInt(e2) : digits;

  // ---- MilliValue(): round |value*1000| up (away from zero), saturate at int64 ----
  const pm = e10 + 3;
  const milliMag = pm >= 0 ? mag2 * pow10n(pm) : ceilDiv(mag2, pow10n(-pm));
  // (BinarySI values are capped at 2^63-1 when parsed; their milli-value saturates anyway.)
  const milliExact = saturate64(positive ? milliMag : -milliMag);
  const safe = milliExact <= BigInt(MAX_SAFE) && milliExact >= -BigInt(MAX_SAFE);
  const milli = Number(milliExact);

  // ---- AsApproximateFloat64(): depends on the internal representation chosen by ParseQuantity ----
  let approx: number;
  let precision: number;
  let scale: number;
  let mantissa = 1n;
  if (format === "BinarySI") {
    scale = 0;
    if (exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else {
      precision = -1;
    }
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  let intPath = false;
  let intValue = 0n;
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= -9) {
      const result = digits * mantissa;
      if (result <= INT64_MAX) {
        intPath = true;
        intValue = positive ? result : -result;
      }
    }
  }
  if (intPath) {
    const baseF = Number(intValue);
    approx = scale === 0 ? baseF : baseF * goPow10(scale);
  } else {
    // inf.Dec path: value rounded away from zero to nano (scale 9), BinarySI capped at 2^63-1.
    if (mag2 === 0n) {
      approx = 0;
    } else {
      const p9 = e10 + 9;
      let nanoMag = p9 >= 0 ? mag2 * pow10n(p9) : ceilDiv(mag2, pow10n(-p9));
      if (format === "BinarySI" && nanoMag > INT64_MAX * 1_000_000_000n) {
        approx = Number(positive ? INT64_MAX : -INT64_MAX);
      } else {
        if (!positive) nanoMag = -nanoMag;
        approx = Number(nanoMag) * goPow10(-9);
      }
    }
  }
  return { text: str, milli, milliExact, safe, approx };
}

const cache = new Map<string, ParsedQuantity>();
const CACHE_LIMIT = 8192;

/**
 * apimachinery's resource.ParseQuantity: a Kubernetes quantity ("500m", "1", "2Gi", "1.5", "100Ki",
 * "1e3", "10M") with its exact milli-value and Go's approximate float (kube/quantity.ts's
 * parseQuantity is the plain-number reader for everything outside the HPA port; see there why both exist).
 * JSON numbers are accepted and converted with String(n) first (0.5 -> "0.5").
 * Throws QuantityError on malformed input.
 */
export function parseResourceQuantity(input: string | number): ParsedQuantity {
  let str: string;
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw new QuantityError(`not a finite number: ${input}`);
    str = String(input);
  } else if (typeof input === "string") {
    str = input;
  } else {
    throw new QuantityError(`expected a quantity string, got ${input === null ? "null" : typeof input}`);
  }
  const hit = cache.get(str);
  if (hit !== undefined) return hit;
  const trimmed = str.trim();
  let q: ParsedQuantity;
  try {
    q = parseUncached(trimmed);
  } catch (e) {
    if (e instanceof QuantityError) throw new QuantityError(`invalid quantity "${str}": ${e.message}`);
    throw e;
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the memo's size bound: clearing it early, late or always only costs re-parsing
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(str, q);
  return q;
}

/**
 * Empties the parse cache. For tests only: the suite runs without isolation (and so does Stryker's
 * mutation runner), so a cached result would otherwise hide a change in the parser.
 */
// Stryker disable next-line BlockStatement: the memo holds correct results, so keeping them changes no parse (for tests: see above)
export function clearQuantityCache(): void {
  cache.clear();
}

/** Quantity.MilliValue() as a number (exact for |v| <= 2^53-1). */
export function milliValue(input: string | number): number {
  return parseResourceQuantity(input).milli;
}

/** Quantity.MilliValue() exactly, as an int64 BigInt. */
export function milliValueExact(input: string | number): bigint {
  return parseResourceQuantity(input).milliExact;
}

/** Quantity.AsApproximateFloat64(): the quantity as a plain number ("500m" -> 0.5, "2Gi" -> 2147483648). */
export function quantityToNumber(input: string | number): number {
  return parseResourceQuantity(input).approx;
}

/** Quantity.Sign() */
export function quantitySign(input: string | number): -1 | 0 | 1 {
  const q = parseResourceQuantity(input);
  // milliExact is rounded away from zero, so it is 0 only for an exact zero
  return q.milliExact > 0n ? 1 : q.milliExact < 0n ? -1 : 0;
}
