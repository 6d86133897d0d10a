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
