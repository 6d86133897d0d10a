/**
 * JSON with object keys sorted: two values equal up to key order give the same text. The diff
 * compares rendered objects with it, the checks deduplicate rule groups and rules written twice
 * (a PrometheusRule and a plain rule file) with it.
 */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/**
 * `stableJson(a) === stableJson(b)` without writing either text: compares member by member and
 * stops at the first difference (the checks' deduplication compares large rule groups).
 */
export function stableJsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const aArray = Array.isArray(a);
  if (aArray || Array.isArray(b)) {
    if (!aArray || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!stableJsonEqual(a[i], b[i])) return false;
    return true;
  }
  const aObject = a !== null && typeof a === "object";
  const bObject = b !== null && typeof b === "object";
  if (aObject || bObject) {
    if (!aObject || !bObject) return false;
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = Object.keys(ao);
    const bKeys = Object.keys(bo);
    if (keys.length !== bKeys.length) return false;
    const inB = new Set(bKeys);
    for (const k of keys) if (!inB.has(k) || !stableJsonEqual(ao[k], bo[k])) return false;
    return true;
  }
  if (typeof a === "string" && typeof b === "string") return a === b;
  return (JSON.stringify(a) ?? "null") === (JSON.stringify(b) ?? "null");
}
