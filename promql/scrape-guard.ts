/**
 * What an autoscaler query answers when its series are missing, decided once for every
 * KEDA trigger and prometheus-adapter query (and the recordings that describe load):
 *
 * - the value, where the expression has one;
 * - **0 while the workload is scraped but has nothing to report**: at least one of its targets
 *   is up (`up == 1`) and the series are absent or carry no traffic — a cold pod before its first
 *   request, a quiet period, a labelled series prometheus_client creates only on first use;
 * - **nothing when the scrape is lost**: no `up` series for the scope at all (never scraped,
 *   ServiceMonitor not selected, targets gone) or `up == 0` on every target. An empty result is
 *   what KEDA (with `ignoreNullValues: "false"`) counts as a scaler error, so the fallback and the
 *   KedaUnhealthy alert see a lost scrape, and never see a cold or idle service.
 *
 * Both the zero and the gate are anchored on the scrape's own `up` series of the same
 * namespace/job scope the queries use, so "scraped" means exactly the targets the query reads.
 */
import type { ScrapeScope } from "./metrics.js";
import { PLATFORM_METRIC, upPromQL } from "./platform-metrics.js";

/** `up{namespace, job}` of `scope`'s targets. */
export function upSelector(scope: ScrapeScope): string {
  return upPromQL(scope).selector(PLATFORM_METRIC.up);
}

/**
 * `(<expr> or on(by) (sum by (by) (up) * 0)) and on(by) (sum by (by) (up) > 0)`: `expr` where it
 * has a value, 0 where a group's targets are up but `expr` has none, nothing where no target of
 * the group is up. `by` is the grouping of `expr` (`[]` for one series, `["pod"]` per pod).
 * @param up the `up` selector of the scope `expr` reads (see {@link upSelector})
 */
export function whileScraped(expr: string, up: string, by: readonly string[] = []): string {
  const on = `on(${by.join(", ")})`;
  const targets = `sum${by.length ? ` by (${by.join(", ")})` : ""} (${up})`;
  return `(${expr} or ${on} (${targets} * 0)) and ${on} (${targets} > 0)`;
}
