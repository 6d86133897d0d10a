/**
 * SLO rules in Sloth's shape (https://sloth.dev), generated from a typed SLO config:
 *
 * - SLI recordings `slo:sli_error:ratio_rate<w>` for every alert window (5m 30m 1h 2h 6h 1d 3d) and
 *   the SLO period, the period one averaged from the 5m series as Sloth does;
 * - metadata recordings `slo:objective:ratio`, `slo:error_budget:ratio`, `slo:time_period:days`,
 *   `slo:current_burn_rate:ratio`, `slo:period_burn_rate:ratio`,
 *   `slo:period_error_budget_remaining:ratio`, `sloth_slo_info`;
 * - multi-window multi-burn-rate alerts (Google SRE workbook, ch. 5) whose factors are derived,
 *   not typed in: a window pair may spend `budgetShare` of the period's budget within its long
 *   window, so `factor = budgetShare × period / longWindow` (2 % of 30 d in 1 h → 14.4).
 *
 * Series carry Sloth's labels (`sloth_id`, `sloth_service`, `sloth_slo`, `sloth_window`) plus the
 * service's scrape scope (`namespace`, `job`) so two environments in one Prometheus never mix.
 */
import { ContractError, durationSeconds, formatNumber, type MatcherValue, type PromQL } from "../promql/metrics.js";
import { recordedPromQL, type AlertingRule, type RecordingRule, type RuleGroup } from "../constructs/prometheus-rule.js";
import { errorRatioExpr, IDLE, SERVICE_METRIC } from "./recording-rules.js";

/** One multi-window alert condition: both windows must burn faster than the derived factor. */
export interface BurnRateWindow {
  readonly severity: "page" | "ticket";
  readonly longWindow: string;
  readonly shortWindow: string;
  /** Share of the period's error budget this pair may consume within `longWindow` (0–1). */
  readonly budgetShare: number;
}

/** The SRE workbook's (and Sloth's default) window pairs: 2 %, 5 %, 10 %, 10 % of the budget. */
export const SRE_WORKBOOK_WINDOWS: readonly BurnRateWindow[] = [
  { severity: "page", longWindow: "1h", shortWindow: "5m", budgetShare: 0.02 },
  { severity: "page", longWindow: "6h", shortWindow: "30m", budgetShare: 0.05 },
  { severity: "ticket", longWindow: "1d", shortWindow: "2h", budgetShare: 0.1 },
  { severity: "ticket", longWindow: "3d", shortWindow: "6h", budgetShare: 0.1 },
];

/** `budgetShare × period / window`: the burn rate that spends that share of the budget in the window. */
export function burnRateFactor(budgetShare: number, period: string, longWindow: string): number {
  if (!(budgetShare > 0 && budgetShare <= 1)) throw new ContractError(`budget share ${budgetShare} must be in (0, 1]`);
  const p = durationSeconds(period);
  const w = durationSeconds(longWindow);
  if (w > p) throw new ContractError(`alert window ${longWindow} is longer than the SLO period ${period}`);
  return Number((budgetShare * (p / w)).toPrecision(12));
}

/** Every SLI window the alerts read, shortest first (the period comes on top). */
export function sliWindows(windows: readonly BurnRateWindow[]): string[] {
  const all = new Set(windows.flatMap((w) => [w.shortWindow, w.longWindow]));
  return [...all].sort((a, b) => durationSeconds(a) - durationSeconds(b));
}

const SEVERITY = { page: "critical", ticket: "warning" } as const;
const SLI_RECORD = (w: string) => `slo:sli_error:ratio_rate${w}`;

/**
 * SLI error ratios record nothing while no request was served in the window (never 0 / 0 = NaN):
 * the period ratio averages the 5m series with sum_over_time / count_over_time, and one NaN
 * sample would turn the whole period, the burn rates and the remaining budget into NaN for the
 * length of the period. With requests and no error they record 0.
 */
export interface SloSpec {
  /** `sloth_slo`, e.g. `availability`. */
  readonly name: string;
  /** Objective in percent, e.g. 99.9. */
  readonly objective: number;
  /** What a good event is, for descriptions. */
  readonly description: string;
  /** Error ratio (bad / total) over `window`. */
  readonly errorRatio: (window: string) => string;
}

export interface SloRulesProps {
  /** `sloth_service`. */
  readonly service: string;
  /** Builder over the service's contract and scrape scope. */
  readonly promql: PromQL;
  readonly period: string;
  /** Endpoint whose requests the SLIs count. */
  readonly endpoint: string;
  readonly availability: { readonly objective: number };
  readonly latency: { readonly objective: number; readonly thresholdSeconds: number };
  readonly runbookBaseUrl: string;
  /** @default SRE_WORKBOOK_WINDOWS */
  readonly windows?: readonly BurnRateWindow[];
}

export interface SloRuleSet {
  readonly slo: SloSpec;
  readonly slothId: string;
  readonly alertName: string;
  readonly sliGroup: RuleGroup;
  readonly metaGroup: RuleGroup;
  readonly alertGroup: RuleGroup;
  /** Derived factor of every window pair, in `windows` order. */
  readonly factors: readonly { readonly window: BurnRateWindow; readonly factor: number }[];
}

/** The `le` matcher of a bucket boundary: Go clients print `1`, Python's prometheus_client `1.0`. */
function leMatcher(boundary: number): MatcherValue {
  const s = formatNumber(boundary);
  return Number.isInteger(boundary) ? { op: "=~", value: `${s}(\\.0)?` } : s;
}

/** The availability and latency SLOs of the service, from the typed SLO config. */
export function sloSpecs(props: SloRulesProps): SloSpec[] {
  const { promql, endpoint } = props;
  const ep = { endpoint };
  const t = props.latency.thresholdSeconds;
  // The threshold is a bucket boundary of the latency histogram: a rule checked once, by the config
  // checks (stacks/checks/thresholds.ts, LATENCY_THRESHOLD_NOT_BUCKET) before anything is built, and
  // on the rendered `le` matcher this builds.
  for (const [name, o] of [
    ["availability", props.availability.objective],
    ["latency", props.latency.objective],
  ] as const) {
    if (!(o > 0 && o < 100)) throw new ContractError(`${name} SLO objective ${o} must be a percentage between 0 and 100 (exclusive)`);
  }
  const lat = SERVICE_METRIC.latency;
  return [
    {
      name: "availability",
      objective: props.availability.objective,
      description: `${endpoint} requests answered without a server error`,
      // 0 while requests exist and no 5xx has happened yet (the error series is absent until then).
      errorRatio: (w) =>
        errorRatioExpr(promql.sumRate(SERVICE_METRIC.errors, "", ep, w), promql.sumRate(SERVICE_METRIC.requests, "", ep, w)),
    },
    {
      name: "latency",
      objective: props.latency.objective,
      description: `${endpoint} requests served within ${formatNumber(t)}s`,
      errorRatio: (w) =>
        `(\n  ${promql.sumRate(lat, "_count", ep, w)}\n  -\n  ${promql.sumRate(lat, "_bucket", { ...ep, le: leMatcher(t) }, w)}\n)\n/\n(${promql.sumRate(lat, "_count", ep, w)} > 0)`,
    },
  ];
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Sloth-style rule groups (SLI recordings, metadata recordings, alerts) for each SLO. */
export function sloRules(props: SloRulesProps): SloRuleSet[] {
  const windows = props.windows ?? SRE_WORKBOOK_WINDOWS;
  if (windows.length === 0) throw new ContractError("SLO alerts need at least one burn-rate window pair");
  const periodDays = durationSeconds(props.period) / 86400;
  if (!Number.isInteger(periodDays)) throw new ContractError(`SLO period ${props.period} must be whole days`);
  for (const w of windows) {
    if (durationSeconds(w.shortWindow) >= durationSeconds(w.longWindow)) {
      throw new ContractError(`burn-rate short window ${w.shortWindow} must be shorter than its long window ${w.longWindow}`);
    }
  }
  const scope = props.promql.scope;
  const scopeLabels = { namespace: scope.namespace, job: scope.job };
  const on = "on (namespace, job, sloth_id, sloth_service, sloth_slo)";

  const shared: SloShared = { windows, periodDays, scopeLabels, on };
  return sloSpecs(props).map((slo) => sloRuleSet(props, shared, slo));
}

/** What every SLO of one service shares: the burn-rate windows, the period, the scope labels and the vector match. */
interface SloShared {
  readonly windows: readonly BurnRateWindow[];
  readonly periodDays: number;
  readonly scopeLabels: Readonly<Record<string, string>>;
  readonly on: string;
}

/** One SLO's rule groups: its SLIs per window, the meta recordings, the multi-window burn-rate alerts. */
function sloRuleSet(props: SloRulesProps, shared: SloShared, slo: SloSpec): SloRuleSet {
  const { windows, periodDays, scopeLabels, on } = shared;
  const scope = props.promql.scope;
  const slothId = `${props.service}-${slo.name}`;
  const ids = { sloth_id: slothId, sloth_service: props.service, sloth_slo: slo.name };
  const baseLabels = { ...scopeLabels, ...ids };
  const sliLabelNames = [...Object.keys(baseLabels), "sloth_window"];
  const objective = formatNumber(slo.objective / 100);
  const budget = formatNumber(1 - slo.objective / 100);

  // SLI error ratios: every alert window from the raw series, the period averaged from 5m.
  const alertWindows = sliWindows(windows);
  const shortest = alertWindows[0]!;
  const sliRules: RecordingRule[] = alertWindows.map((w) => ({
    record: SLI_RECORD(w),
    expr: slo.errorRatio(w),
    comment:
      slo.name === "availability"
        ? IDLE.errorRatio
        : "Requests but none slower than the threshold: records 0. No requests: records nothing, never NaN.",
    labels: { ...ids, sloth_window: w },
    seriesLabels: sliLabelNames,
  }));
  const sliSeries = recordedPromQL(sliRules, scope);
  const sel = (w: string) => sliSeries.selector(SLI_RECORD(w), "", ids);
  const periodRule: RecordingRule = {
    record: SLI_RECORD(props.period),
    expr: `sum_over_time(${sel(shortest)}[${props.period}])\n/ ignoring (sloth_window)\ncount_over_time(${sel(shortest)}[${props.period}])`,
    labels: { ...ids, sloth_window: props.period },
    seriesLabels: sliLabelNames,
    comment: `Average of the ${shortest} SLI's samples over the period: idle stretches (no sample) are skipped, never averaged as NaN.`,
  };
  sliRules.push(periodRule);
  // Static namespace/job labels: the ratios are sums without them.
  const withScope = (r: RecordingRule): RecordingRule => ({ ...r, labels: { ...scopeLabels, ...r.labels } });
  const sliGroup: RuleGroup = { name: `sloth-slo-sli-recordings-${slothId}`, rules: sliRules.map(withScope) };

  // Metadata: objective, budget, burn rates, remaining budget. Each rule selects the ones
  // before it through a builder over the rules recorded so far.
  const metaRules: RecordingRule[] = [];
  // Burn rates divide an SLI series by the budget: like Sloth's, they keep its sloth_window.
  const addMeta = (
    record: string,
    expr: (m: (record: string) => string) => string,
    extra: Record<string, string> = {},
    keepsWindow = false,
    comment?: string,
  ) => {
    // Made when the expression first selects a series (a `vector(...)` selects none), before this rule is added.
    let known: PromQL | undefined;
    const m = (r: string) => (known ??= recordedPromQL([...sliRules, ...metaRules], scope)).selector(r, "", ids);
    const labels = { ...baseLabels, ...extra };
    metaRules.push({
      record,
      expr: expr(m),
      labels,
      seriesLabels: [...Object.keys(labels), ...(keepsWindow ? ["sloth_window"] : [])],
      ...(comment ? { comment } : {}),
    });
  };
  addMeta("slo:objective:ratio", () => `vector(${objective})`);
  addMeta("slo:error_budget:ratio", () => `vector(1 - ${objective})`);
  addMeta("slo:time_period:days", () => `vector(${periodDays})`);
  addMeta("slo:current_burn_rate:ratio", (m) => `${m(SLI_RECORD(shortest))}\n/ ${on} group_left\n${m("slo:error_budget:ratio")}`, {}, true);
  addMeta(
    "slo:period_burn_rate:ratio",
    (m) => `${m(SLI_RECORD(props.period))}\n/ ${on} group_left\n${m("slo:error_budget:ratio")}`,
    {},
    true,
  );
  addMeta(
    "slo:period_error_budget_remaining:ratio",
    (m) => `1 - ${m("slo:period_burn_rate:ratio")}`,
    {},
    true,
    "Requests and no errors in the period: records 1 (the whole budget). No request in the period: records nothing.",
  );
  addMeta("sloth_slo_info", () => "vector(1)", { sloth_mode: "inference-scaling", sloth_objective: formatNumber(slo.objective) });
  const metaGroup: RuleGroup = { name: `sloth-slo-meta-recordings-${slothId}`, rules: metaRules };

  // Multi-window multi-burn-rate alerts, one per severity (Sloth: same name, sloth_severity label).
  const factors = windows.map((window) => ({ window, factor: burnRateFactor(window.budgetShare, props.period, window.longWindow) }));
  const alertName = `Inference${capitalize(slo.name)}ErrorBudgetBurn`;
  const alerts: AlertingRule[] = (["page", "ticket"] as const)
    .map((severity) => {
      const pairs = factors.filter((f) => f.window.severity === severity);
      if (pairs.length === 0) return undefined;
      const cond = (w: string, factor: number) => `max(${sel(w)} > (${formatNumber(factor)} * ${budget})) without (sloth_window)`;
      const expr = pairs
        .map((p) => `(\n  ${cond(p.window.shortWindow, p.factor)}\n  and\n  ${cond(p.window.longWindow, p.factor)}\n)`)
        .join("\nor\n");
      const how = pairs.map((p) => `${formatNumber(p.factor)}× over ${p.window.longWindow} and ${p.window.shortWindow}`).join(", or ");
      const rule: AlertingRule = {
        alert: alertName,
        expr,
        labels: { severity: SEVERITY[severity], sloth_severity: severity },
        annotations: {
          summary: "{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is over expected.",
          title: `(${severity}) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.`,
          description: `The ${slo.name} SLO (${formatNumber(slo.objective)}% of ${slo.description} over ${props.period}) burns its error budget too fast: ${how}. At this pace the budget is gone before the period ends.`,
          runbook_url: `${props.runbookBaseUrl}#${alertName}`,
        },
      };
      return rule;
    })
    .filter((r): r is AlertingRule => r !== undefined);
  const alertGroup: RuleGroup = { name: `sloth-slo-alerts-${slothId}`, rules: alerts };
  return { slo, slothId, alertName, sliGroup, metaGroup, alertGroup, factors };
}
