/**
 * Check 3: a query's label matchers must be able to match the labels the scrape actually stores.
 * For each selector of a contract series (or `up`), the labels a sample of the service would be
 * stored with are computed from every scrape that reaches the metrics port (target labels, the
 * honor_labels merge that renames colliding labels to `exported_*`, metric relabeling); the
 * selector passes when one scrape yields labels every matcher accepts.
 */
import { storedSeriesLabels } from "../../constructs/scrape-labels.js";
import type { LabelMatcher } from "../../constructs/promql-parse.js";
import type { CheckContext } from "./context.js";
import { contractSeries } from "./contract.js";
import { safeSelectors } from "./promql.js";
import { scrapesOf, type ProducedScrape } from "./scrape.js";

/** Stands for "some value the service exports" where the query does not pin one. */
const ANY = "\u0000any";
const REGEX_META = /[.*+?^${}()|[\]\\]/;

function matches(m: LabelMatcher, value: string): boolean {
  if (m.op === "=") return value === m.value;
  if (m.op === "!=") return value !== m.value;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${m.value})$`);
  } catch {
    return false;
  }
  return m.op === "=~" ? re.test(value) : !re.test(value);
}

function show(m: LabelMatcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

/** Why `scrape` cannot store a series the matchers select, or undefined when it can. */
function mismatch(scrape: ProducedScrape, appLabels: ReadonlySet<string>, matchers: readonly LabelMatcher[], isUp: boolean): string | undefined {
  let stored: Record<string, string> | undefined;
  if (isUp) stored = { ...scrape.target };
  else {
    const exposed: Record<string, string> = {};
    for (const l of appLabels) {
      const pinned = matchers.find((m) => m.name === l && (m.op === "=" || (m.op === "=~" && !REGEX_META.test(m.value))));
      exposed[l] = pinned ? pinned.value : ANY;
    }
    try {
      stored = storedSeriesLabels(scrape.target, exposed, scrape.behavior);
    } catch (e) {
      return `${scrape.resource}'s metric relabeling is invalid: ${(e as Error).message}`;
    }
    if (!stored) return `${scrape.resource}'s metric relabeling drops the series`;
  }
  for (const m of matchers) {
    const v = stored[m.name] ?? "";
    if (v === ANY || v.includes(ANY)) continue;
    if (!matches(m, v)) {
      const moved = Object.entries(stored).find(([k, x]) => k === `exported_${m.name}` && x !== ANY);
      return `${show(m)} cannot match: ${scrape.resource} stores ${m.name}=${JSON.stringify(v)}${moved ? ` (the service's own value moved to ${moved[0]})` : ""}`;
    }
  }
  return undefined;
}

/** QUERY_LABEL_MISMATCH. */
export function checkQueryMatchers(ctx: CheckContext): void {
  const scrapes = scrapesOf(ctx).valid;
  if (scrapes.length === 0) return; // METRIC_NOT_SCRAPED says why
  const series = contractSeries(ctx.contract);
  const expected = ctx.scopeLabels;
  for (const q of ctx.queries()) {
    const reported = new Set<string>();
    for (const s of safeSelectors(q.expr)) {
      if (!s.metric) continue;
      const cs = series.get(s.metric);
      const isUp = s.metric === "up";
      if (!cs && !isUp) continue;
      const appLabels = new Set<string>(cs ? [...cs.metric.labels, ...(cs.suffix === "_bucket" ? ["le"] : [])] : []);
      const reasons = scrapes.map((p) => mismatch(p, appLabels, s.matchers, isUp));
      if (reasons.some((r) => r === undefined)) continue;
      const reason = reasons[0]!;
      if (reported.has(reason)) continue;
      reported.add(reason);
      ctx.sink.error(
        "QUERY_LABEL_MISMATCH",
        q.resource,
        q.path,
        `selector ${s.metric}{${s.matchers.map(show).join(",")}} can never match: ${reason}; the query silently returns nothing`,
        `match the labels the scrape produces (namespace=${JSON.stringify(expected.namespace)}, job=${JSON.stringify(expected.job)}; build the query with stack.promql)`,
      );
    }
  }
}
