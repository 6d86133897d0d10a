/**
 * RATE_WINDOW_TOO_SHORT: a range window must hold at least 4 scrape intervals, or rate() sees two or three
 * samples, swings wildly and returns nothing after one missed scrape. The interval is the
 * slowest of the configured one and those the rendered scrapes declare.
 */
import { durationSeconds } from "../../promql/metrics.js";
import { burstWindowSeconds } from "../config.js";
import type { CheckContext } from "./context.js";
import { safeSelectors } from "./promql.js";
import { scrapesOf } from "./scrape.js";

const RATE_FUNCTIONS = new Set(["rate", "increase", "irate", "delta", "idelta", "deriv"]);

function formatSeconds(s: number): string {
  return s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}

/** RATE_WINDOW_TOO_SHORT. */
export function checkRateWindows(ctx: CheckContext): void {
  const intervals = [ctx.config.monitoring.scrapeIntervalSeconds, ...scrapesOf(ctx).valid.map((s) => s.intervalSeconds ?? 0)];
  const interval = Math.max(...intervals);
  const min = 4 * interval;
  for (const q of ctx.queries()) {
    const reported = new Set<number>();
    for (const s of safeSelectors(q.expr)) {
      if (!s.rangeFunction || !RATE_FUNCTIONS.has(s.rangeFunction)) continue;
      // Stryker disable next-line ConditionalExpression: equivalent, the parser gives a selector a rangeFunction only with its rangeSeconds (this narrows the type)
      if (s.rangeSeconds === undefined) continue;
      if (s.rangeSeconds >= min || reported.has(s.rangeSeconds)) continue;
      reported.add(s.rangeSeconds);
      ctx.sink.error(
        "RATE_WINDOW_TOO_SHORT",
        q.resource,
        q.path,
        `${s.rangeFunction}(${s.metric ?? "..."}[${formatSeconds(s.rangeSeconds)}]) spans fewer than 4 scrapes of ${interval}s (needs ≥ ${formatSeconds(min)}): it is noisy and empty after one missed scrape`,
        `use a window of at least ${formatSeconds(min)} (monitoring.queryWindow), or scrape more often`,
      );
    }
  }
}

/**
 * Config phase, RATE_WINDOW_TOO_SHORT on the windows the env declares: the query window every rate
 * reads (4 scrapes) and the burst trigger's `max_over_time` window (2 scrapes: one sample or none
 * otherwise). The rendered phase above holds every query to the same rule.
 */
export function checkConfigRateWindows(ctx: CheckContext): void {
  const { monitoring, scaling } = ctx.config;
  const interval = monitoring.scrapeIntervalSeconds;
  const windowSeconds = durationSeconds(monitoring.queryWindow);
  if (windowSeconds < 4 * interval) {
    ctx.sink.error(
      "RATE_WINDOW_TOO_SHORT",
      ctx.configResource,
      "monitoring.queryWindow",
      `query window ${monitoring.queryWindow} is shorter than 4× the scrape interval (${4 * interval}s): rate() would see too few samples`,
      `use at least ${Math.ceil((4 * interval) / 60)}m`,
    );
  }
  const burst = burstWindowSeconds(ctx.config);
  if (scaling.burst.enabled && burst < 2 * interval) {
    ctx.sink.error(
      "RATE_WINDOW_TOO_SHORT",
      ctx.configResource,
      "scaling.burst.windowSeconds",
      `burst window ${burst}s holds fewer than 2 scrapes of ${interval}s: max_over_time would see one sample or none`,
      `set windowSeconds ≥ ${2 * interval} or scrape more often`,
    );
  }
}
