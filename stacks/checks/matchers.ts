/**
 * QUERY_LABEL_MISMATCH: a query's label matchers must be able to match the labels the scrape actually stores.
 * For each selector of a scraped series (anything but recorded and platform series; `up`
 * included), the labels a sample would be stored with are computed for every scrape in the
 * environment (target labels, the honor_labels merge that renames a colliding exposed label to
 * `exported_*`, metric relabeling); the selector passes when one scrape yields labels every
 * matcher accepts.
 */
import type { LabelMatcher } from "../../promql/parse.js";
import { storedSeriesLabels } from "../../scrape/relabeling.js";
import type { CheckContext, QuerySite } from "./context.js";
import { contractSeries, isPlatformSeries } from "./contract.js";
import { matcherAccepts, meantForMain, safeSelectors } from "./promql.js";
import { scrapesOf, type ProducedScrape } from "./scrape.js";
import { readsDeclaredWakeUpSource } from "./wake-up.js";

/** Stands for "some value the workload exports" where the query does not pin one. */
const ANY = "\u0000any";
const REGEX_META = /[.*+?^${}()|[\]\\]/;

function show(m: LabelMatcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

/**
 * Why `scrape` cannot store a series the matchers select, or undefined when it can.
 * @param appLabels labels the workload itself puts on the series (undefined: unknown contract,
 *   every matched label that is not a target label is assumed exported)
 */
function mismatch(
  scrape: ProducedScrape,
  appLabels: ReadonlySet<string> | undefined,
  matchers: readonly LabelMatcher[],
  isUp: boolean,
): string | undefined {
  let stored: Record<string, string> | undefined;
  if (isUp) stored = { ...scrape.target };
  else {
    const labels = appLabels ?? new Set(matchers.map((m) => m.name).filter((n) => !(n in scrape.target)));
    const exposed: Record<string, string> = {};
    for (const l of labels) {
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
    if (v.includes(ANY)) continue;
    if (!matcherAccepts(m, v)) {
      const moved = Object.keys(stored).find((k) => k === `exported_${m.name}`);
      return `${show(m)} cannot match: ${scrape.resource} stores ${m.name}=${JSON.stringify(v)} for ${scrape.workload}${moved ? ` (the exported value moved to ${moved})` : ""}`;
    }
  }
  return undefined;
}

/** QUERY_LABEL_MISMATCH. One finding per resource and cause (a scrape problem breaks many rules at once). */
export function checkQueryMatchers(ctx: CheckContext): void {
  const scrapes = scrapesOf(ctx).valid;
  if (scrapes.length === 0) return; // METRIC_NOT_SCRAPED says why
  const mainScraped = scrapes.some((p) => p.main);
  const series = contractSeries(ctx.contract);
  const recorded = ctx.recordings();
  const expected = ctx.scopeLabels;
  const found = new Map<string, { q: QuerySite; selector: string; reason: string; count: number }>();
  // The same selector recurs in many queries (a rule's, its alert's, a dashboard's): each is judged once.
  const judged = new Map<string, readonly (string | undefined)[]>();
  for (const q of ctx.queries()) {
    for (const s of safeSelectors(q.expr)) {
      if (!s.metric || recorded.has(s.metric) || readsDeclaredWakeUpSource(ctx.config, s)) continue;
      const isUp = s.metric === "up";
      if (isPlatformSeries(s.metric) && !isUp) continue;
      // The inference service unscraped: METRIC_NOT_SCRAPED reports it, other workloads' scrapes do not explain it.
      if (!mainScraped && meantForMain(ctx, s)) continue;
      const selectorKey = `${s.metric}${JSON.stringify(s.matchers)}`;
      let reasons = judged.get(selectorKey);
      // Stryker disable next-line ConditionalExpression: a cache (judging again gives the same reasons)
      if (!reasons) {
        const cs = series.get(s.metric);
        const appLabels = cs ? new Set<string>([...cs.metric.labels, ...(cs.suffix === "_bucket" ? ["le"] : [])]) : undefined;
        reasons = scrapes.map((p) => mismatch(p, p.main ? (appLabels ?? new Set()) : appLabels, s.matchers, isUp));
        judged.set(selectorKey, reasons);
      }
      if (reasons.some((r) => r === undefined)) continue;
      const reason = reasons.find((_, i) => scrapes[i]!.main) ?? reasons[0]!;
      const key = `${q.resource}|${reason}`;
      const prev = found.get(key);
      if (prev) prev.count += prev.q === q ? 0 : 1;
      else found.set(key, { q, selector: `${s.metric}{${s.matchers.map(show).join(",")}}`, reason, count: 0 });
    }
  }
  for (const { q, selector, reason, count } of found.values()) {
    ctx.sink.error(
      "QUERY_LABEL_MISMATCH",
      q.resource,
      q.path,
      `selector ${selector} can never match: ${reason}; the query silently returns nothing${count ? ` (${count} more expression${count > 1 ? "s" : ""} of this resource fail the same way)` : ""}`,
      `match the labels the scrape produces (for the inference service namespace=${JSON.stringify(expected.namespace)}, job=${JSON.stringify(expected.job)}; build queries with stack.promql)`,
    );
  }
}
