/**
 * Compares the objects `pulumi up` left in the cluster with dist/<env>/: every rendered field must
 * be present in the live object with the same value (the API server adds defaults and status;
 * those are not ours). Quantities compare by value ("0.5" equals "500m"), as the API server
 * normalises them.
 */
import { isQuantity, parseQuantity } from "../../../kube/quantity.js";
/** A quantity's value (kube/quantity.ts, the grammar config validation accepts); undefined for other values. */
function quantityValue(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  return typeof v === "string" && isQuantity(v) ? parseQuantity(v) : undefined;
}

function isEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : v !== null && typeof v === "object" && Object.keys(v).length === 0;
}

/** Paths (`spec.template.spec.containers[0].image`) where `live` differs from `rendered`. */
export function renderedFieldDiffs(rendered: unknown, live: unknown, path = ""): string[] {
  // The API server omits empty lists and objects (`omitempty`): `env: []` is stored as no env.
  if (live === undefined && isEmpty(rendered)) return [];
  if (Array.isArray(rendered)) {
    if (!Array.isArray(live)) return [`${path}: rendered a list, live has ${JSON.stringify(live)}`];
    if (live.length !== rendered.length) return [`${path}: rendered ${rendered.length} items, live has ${live.length}`];
    return rendered.flatMap((r, i) => renderedFieldDiffs(r, live[i], `${path}[${i}]`));
  }
  if (rendered !== null && typeof rendered === "object") {
    if (live === null || typeof live !== "object" || Array.isArray(live))
      return [`${path}: rendered an object, live has ${JSON.stringify(live)}`];
    return Object.entries(rendered).flatMap(([k, v]) =>
      renderedFieldDiffs(v, (live as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
    );
  }
  if (rendered === live) return [];
  const q = quantityValue(rendered);
  if (q !== undefined && q === quantityValue(live) && typeof live !== "boolean") return [];
  return [`${path}: rendered ${JSON.stringify(rendered)}, live ${JSON.stringify(live)}`];
}
