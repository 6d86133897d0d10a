/**
 * Kubernetes resource quantities ("500m", "2", "1.5Gi", "10M", "1e3") as plain numbers of the
 * base unit (cores, bytes). Enough for comparisons (request ≤ limit, quota capacity) and for the
 * simulator's pod model; the API server keeps the canonical form, we only read it.
 *
 * Why a second parser beside simulator/hpa/quantity.ts (the port of apimachinery's
 * resource.Quantity, `parseResourceQuantity`): that one reproduces what the HPA controller computes,
 * bit for bit — int64 milli-values rounded away from zero and Go's AsApproximateFloat64, artifacts
 * included ("3.3" → 3.3000000000000003, "0.5n" → 1e-9). Those belong in the controller's arithmetic
 * only; a config check or a capacity sum wants the written decimal as the nearest double ("3.3" →
 * 3.3). The grammar is the same, except that Go's parser (and so the port) also takes digit-less
 * forms such as "Mi" as 0, which config validation refuses: test/kube/quantity.test.ts holds them to it.
 */
import { InvariantError } from "../problems/problem.js";

const SUFFIX: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export const QUANTITY_PATTERN = /^([+-]?[0-9]+(?:\.[0-9]*)?|[+-]?\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]+))?$/;

/** True when `s` is a syntactically valid Kubernetes quantity. */
export function isQuantity(s: string): boolean {
  return QUANTITY_PATTERN.test(s);
}

/** A quantity's number of base units, or undefined for anything that is not a quantity (a missing or malformed value). */
export function quantityOrUndefined(v: unknown): number | undefined {
  if (typeof v !== "string" && typeof v !== "number") return undefined;
  try {
    return parseQuantity(v);
  } catch {
    // not a quantity
  }
  return undefined;
}

/** Parses a quantity into a number of base units; throws on a malformed string. */
export function parseQuantity(s: string | number): number {
  if (typeof s === "number") return s;
  const m = QUANTITY_PATTERN.exec(s.trim());
  if (!m) throw new InvariantError(`"${s}" is not a Kubernetes quantity (e.g. 500m, 2, 1.5Gi)`);
  const base = Number(m[1]);
  if (m[3] !== undefined) return base * 10 ** Number(m[3]);
  return base * SUFFIX[m[2] ?? ""]!;
}
