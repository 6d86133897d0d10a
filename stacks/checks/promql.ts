/**
 * What the checks need to know about a PromQL expression beyond promql/parse.ts
 * (selectors, single-series): which functions and aggregations it uses, which histograms it takes
 * quantiles of, where it compares a result to a number. Same official grammar
 * (@prometheus-io/lezer-promql); syntax errors are reported by the QUERY_SYNTAX check, so these
 * helpers may assume a parsing expression.
 */
import {
  EXPR_NODE,
  exprChildren,
  parsedExpr,
  selectors,
  syntaxErrors,
  type LabelMatcher,
  type Node,
  type ParsedExpr,
  type SelectorUse,
} from "../../promql/parse.js";
import type { MetricContract } from "../../promql/metrics.js";
import type { AdapterRuleKind } from "./context.js";
import { isObject, str } from "./util.js";
import type { LooseObject } from "../../kube/loose-json.js";

/** Visits every node of `expr`'s tree; `p.text(n)` is the text of `expr` a node spans. */
function visit(expr: string, names: ReadonlySet<string>, f: (n: Node, p: ParsedExpr) => void): void {
  const p = parsedExpr(expr);
  // A node object only for the nodes asked for: the walk itself reads names off the cursor.
  p.tree.iterate({ enter: (ref) => void (names.has(ref.name) && f(ref.node, p)) });
}

const OPERATOR_NODES: ReadonlySet<string> = new Set(["FunctionIdentifier", "AggregateOp"]);
const BINARY_EXPR: ReadonlySet<string> = new Set(["BinaryExpr"]);
const FUNCTION_CALL: ReadonlySet<string> = new Set(["FunctionCall"]);

/** Whether a label matcher accepts `value` (a missing label is ""); regexes are fully anchored. */
export function matcherAccepts(m: LabelMatcher, value: string): boolean {
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

/**
 * Whether a selector is meant for the inference service (whose contract the config declares):
 * its `job` matcher, if any, accepts the job the program scopes that service with. Selectors
 * scoped to another workload's job (orchestrator, GPU server) are read against that workload's
 * own contract, which the env config does not carry.
 */
export function meantForMain(ctx: { readonly scopeLabels: { readonly job: string } }, s: SelectorUse): boolean {
  return s.matchers.filter((m) => m.name === "job").every((m) => matcherAccepts(m, ctx.scopeLabels.job));
}

export function parses(expr: string): boolean {
  return syntaxErrors(expr).length === 0;
}

/** Selectors of a parsing expression, `[]` otherwise. */
export function safeSelectors(expr: string): SelectorUse[] {
  return parses(expr) ? selectors(expr) : [];
}

/** Function names and aggregation operators the expression uses (`rate`, `sum`, `histogram_quantile`...). */
export function operatorsUsed(expr: string): Set<string> {
  const out = new Set<string>();
  visit(expr, OPERATOR_NODES, (n, p) => {
    out.add(p.text(n));
  });
  return out;
}

/** The number a literal node (possibly parenthesised or negated) stands for. */
function literalValue(p: ParsedExpr, n: Node | null | undefined): number | undefined {
  if (!n) return undefined;
  if (n.name === "ParenExpr") return literalValue(p, exprChildren(n)[0]);
  if (n.name === "UnaryExpr") {
    const inner = literalValue(p, exprChildren(n)[0]);
    return inner === undefined ? undefined : p.text(n).trim().startsWith("-") ? -inner : inner;
  }
  if (n.name === "NumberDurationLiteral" || n.name === "NumberLiteral") {
    const v = Number(p.text(n));
    return Number.isFinite(v) ? v : undefined;
  }
  return undefined;
}

const COMPARISONS = new Set([">", "<", ">=", "<=", "==", "!="]);

export interface LiteralComparison {
  /** Text of the non-literal side. */
  readonly vector: string;
  /** Operator as read with the vector on the left (`1 < x` is returned as `x > 1`). */
  readonly op: string;
  readonly value: number;
}

const FLIP: Record<string, string> = { ">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!=" };

/** Every `<expr> <cmp> <number>` in the expression (alert conditions). */
export function literalComparisons(expr: string): LiteralComparison[] {
  const out: LiteralComparison[] = [];
  visit(expr, BINARY_EXPR, (n, p) => {
    const [l, r] = exprChildren(n);
    let op: string | undefined;
    for (let c = n.firstChild; c; c = c.nextSibling) {
      const t = p.text(c);
      if (!EXPR_NODE.test(c.name) && COMPARISONS.has(t)) op = t;
    }
    if (!op || !l || !r) return;
    const lv = literalValue(p, l);
    const rv = literalValue(p, r);
    if (rv !== undefined && lv === undefined) out.push({ vector: p.text(l), op, value: rv });
    else if (lv !== undefined && rv === undefined) out.push({ vector: p.text(r), op: FLIP[op]!, value: lv });
  });
  return out;
}

/** A division of two vectors (a ratio or an average), not a scaling by a constant. */
export function hasVectorDivision(expr: string): boolean {
  let found = false;
  visit(expr, BINARY_EXPR, (n, p) => {
    if (found) return;
    let div = false;
    for (let c = n.firstChild; c; c = c.nextSibling) if (c.name === "Div") div = true;
    const [l, r] = exprChildren(n);
    if (div && literalValue(p, l) === undefined && literalValue(p, r) === undefined) found = true;
  });
  return found;
}

export interface QuantileUse {
  readonly quantile: number | undefined;
  /** Histogram family names (without `_bucket`) the quantile is taken over. */
  readonly histograms: readonly string[];
}

/** `histogram_quantile(q, ...)` calls with the histograms each reads (through recording rules too). */
export function histogramQuantiles(expr: string, recordings: ReadonlyMap<string, string> = new Map()): QuantileUse[] {
  const out: QuantileUse[] = [];
  visit(expr, FUNCTION_CALL, (n, p) => {
    const id = n.getChild("FunctionIdentifier");
    if (!id || p.text(id) !== "histogram_quantile") return;
    const body = n.getChild("FunctionCallBody");
    const [q, v] = body ? exprChildren(body) : [];
    out.push({ quantile: literalValue(p, q), histograms: v ? bucketFamilies(p.text(v), recordings, 0) : [] });
  });
  return out;
}

function bucketFamilies(expr: string, recordings: ReadonlyMap<string, string>, depth: number): string[] {
  const out = new Set<string>();
  for (const s of safeSelectors(expr)) {
    if (!s.metric) continue;
    if (s.metric.endsWith("_bucket")) out.add(s.metric.slice(0, -"_bucket".length));
    else if (depth < 5 && recordings.has(s.metric))
      for (const f of bucketFamilies(recordings.get(s.metric)!, recordings, depth + 1)) out.add(f);
  }
  return [...out];
}

/** What an expression measures, for comparing a scaling threshold with an alert threshold. */
export type Signal =
  | { readonly kind: "latency"; readonly histogram: string; readonly quantile: number | undefined }
  | { readonly kind: "queue"; readonly metric: string }
  | { readonly kind: "other" };

/**
 * A quantile of a histogram ("latency"), a queue-length gauge ("queue"), or something else.
 * Recorded series are followed to the expression that records them.
 */
export function signalOf(expr: string, contract: MetricContract, recordings: ReadonlyMap<string, string>, depth = 0): Signal {
  if (!parses(expr)) return { kind: "other" };
  const hq = histogramQuantiles(expr, recordings).find((h) => h.histograms.length > 0);
  if (hq) return { kind: "latency", histogram: hq.histograms[0]!, quantile: hq.quantile };
  for (const s of selectors(expr)) {
    if (s.metric && depth < 5 && recordings.has(s.metric)) {
      const inner = signalOf(recordings.get(s.metric)!, contract, recordings, depth + 1);
      if (inner.kind !== "other") return inner;
    }
    const m = contract.metrics.find((x) => x.name === s.metric);
    if (m && m.type === "gauge" && /queue/i.test(m.name)) return { kind: "queue", metric: m.name };
  }
  return { kind: "other" };
}

const NON_ADDITIVE = ["histogram_quantile", "quantile", "avg", "quantile_over_time", "avg_over_time", "stddev", "stdvar", "min", "max"];

/**
 * Why dividing the query's value by the replica count (KEDA's AverageValue) is meaningless, or
 * undefined when the value is additive across pods (a sum or count).
 */
export function nonAdditiveReason(expr: string, recordings: ReadonlyMap<string, string> = new Map(), depth = 0): string | undefined {
  if (!parses(expr)) return undefined;
  const ops = operatorsUsed(expr);
  const op = NON_ADDITIVE.find((o) => ops.has(o));
  if (op) return `it uses ${op}()`;
  if (hasVectorDivision(expr)) return "it divides two series (a ratio or an average)";
  if (depth < 5) {
    for (const s of selectors(expr)) {
      const rec = s.metric ? recordings.get(s.metric) : undefined;
      const inner = rec !== undefined ? nonAdditiveReason(rec, recordings, depth + 1) : undefined;
      if (inner) return `it reads recorded series ${s.metric}, and ${inner}`;
    }
  }
  return undefined;
}

/** Series name used where the adapter's seriesQuery does not name one metric. */
export const UNKNOWN_ADAPTER_SERIES = "__adapter_series__";

/**
 * A prometheus-adapter metricsQuery with its template filled in the way the adapter fills it for
 * the service's pods: `<<.Series>>` from the seriesQuery, `<<.LabelMatchers>>` with the namespace
 * (and, for custom metrics, the pods), `<<.GroupBy>>` with the pod label.
 */
export function fillAdapterTemplate(
  template: string,
  rule: LooseObject,
  kind: AdapterRuleKind,
  namespace: string,
  service: string,
): string {
  const seriesQuery = str(rule.seriesQuery) ?? "";
  const series = safeSelectors(seriesQuery).find((s) => s.metric)?.metric ?? UNKNOWN_ADAPTER_SERIES;
  let nsLabel = "namespace";
  let podLabel = "pod";
  const res = isObject(rule.resources) ? rule.resources : {};
  if (typeof res.template === "string") {
    nsLabel = res.template.replace(/<<\s*\.Resource\s*>>/g, "namespace");
    podLabel = res.template.replace(/<<\s*\.Resource\s*>>/g, "pod");
  }
  for (const [label, target] of Object.entries(isObject(res.overrides) ? res.overrides : {})) {
    if (target?.resource === "namespace") nsLabel = label;
    if (target?.resource === "pod") podLabel = label;
  }
  const namespaced = res.namespaced !== false;
  const matchers =
    kind === "custom" ? [`${nsLabel}="${namespace}"`, `${podLabel}=~"${service}-.*"`] : namespaced ? [`${nsLabel}="${namespace}"`] : [];
  const values: Record<string, string> = {
    Series: series,
    LabelMatchers: matchers.join(","),
    GroupBy: kind === "custom" ? podLabel : "",
  };
  return template.replace(/<<\s*\.(\w+)\s*>>/g, (_, name: string) => values[name] ?? "");
}

/** Names an adapter rule exposes its metric under (`name.as` applied to the series name). */
export function adapterMetricName(rule: LooseObject): string | undefined {
  const series = safeSelectors(str(rule.seriesQuery) ?? "").find((s) => s.metric)?.metric;
  const name = isObject(rule.name) ? rule.name : {};
  const matches = str(name.matches);
  const as = str(name.as);
  if (series === undefined) return as && !as.includes("$") ? as : undefined;
  if (!matches) return as ?? series;
  let re: RegExp;
  try {
    re = new RegExp(matches);
  } catch {
    return undefined;
  }
  const m = re.exec(series);
  if (!m) return undefined;
  // The adapter's default `as`: `$1` with one capture group, `$0` without.
  const replacement = as ?? (m.length > 1 ? "$1" : "$0");
  return replacement.replace(/\$(\d+)|\$\{(\d+)\}/g, (_, a: string | undefined, b: string | undefined) => m[Number(a ?? b)] ?? "");
}
