/**
 * Reads PromQL with the official grammar (@prometheus-io/lezer-promql): syntax errors, the
 * selectors an expression reads (metric, label matchers, range window), and whether it can
 * return more than one series. Every query the program writes goes through here.
 */
import { parser } from "@prometheus-io/lezer-promql";
import { InvariantError } from "../problems/problem.js";
import { CONTRACT_FIX, durationSeconds } from "./metrics.js";
import { TemplateStore } from "./template-store.js";

type Tree = ReturnType<typeof parser.parse>;
export type Node = Tree["topNode"];

// The same expressions are read many times (constructs, then every check): parse each once.
const TREES = new Map<string, Tree>();
const TREE_CACHE_LIMIT = 5000;

/** The syntax tree of `expr` itself (cached). The readers below use {@link parsedExpr}, which parses less. */
export function parseTree(expr: string): Tree {
  return cached(TREES, expr, () => parser.parse(expr));
}

/** `cache.get(expr)`, computed once; the cache is emptied when it reaches its limit. */
function cached<T>(cache: Map<string, T>, expr: string, compute: () => T): T {
  let v = cache.get(expr);
  if (v === undefined) {
    if (cache.size >= TREE_CACHE_LIMIT) cache.clear();
    v = compute();
    cache.set(expr, v);
  }
  return v;
}

/**
 * A parsed expression: a syntax tree with the same shape as `expr`'s, and the text of `expr` a
 * node of that tree stands for. Most expressions differ only in their string literals (label
 * values: namespace, job, service), and a string literal is one token whatever it holds, so the
 * expressions that differ only there share one tree: the tree of the expression with every
 * string literal emptied (its "template"), whose positions {@link text} maps back. An
 * environment's ~500 queries are ~130 templates; 100 services × every environment, the same 130.
 */
export interface ParsedExpr {
  readonly tree: Tree;
  /** The text of `expr` that node `n` of {@link tree} spans. */
  text(n: { readonly from: number; readonly to: number }): string;
}

interface Template {
  readonly tree: Tree;
  readonly errorFree: boolean;
}

const TEMPLATES = new Map<string, Template>();
const PARSED = new Map<string, ParsedExpr>();

interface TemplateOf {
  readonly key: string;
  readonly ends: number[];
  readonly deltas: number[];
  readonly literals: string[];
}
/** templateOf's results (null: none): every reader of an expression asks for it. */
const TEMPLATE_OF = new Map<string, TemplateOf | null>();

/** The template of `expr` and where each emptied literal ends in it, or undefined when `expr` has none to share (a comment, an unterminated string). */
function templateOf(expr: string): TemplateOf | undefined {
  return cached(TEMPLATE_OF, expr, () => scanTemplate(expr) ?? null) ?? undefined;
}

/** Where a string literal or a comment may start. */
const LITERAL_OR_COMMENT = /["'`#]/g;

function scanTemplate(expr: string): TemplateOf | undefined {
  const parts: string[] = [];
  let keyLength = 0;
  let last = 0;
  const literals: string[] = [];
  const ends: number[] = [];
  const deltas: number[] = [];
  let delta = 0;
  const next = new RegExp(LITERAL_OR_COMMENT); // its own lastIndex
  for (let m = next.exec(expr); m; m = next.exec(expr)) {
    const i = m.index;
    const c = m[0];
    if (c === "#") return undefined; // a comment: its quotes are not literals
    // lezer-promql's StringLiteral token: "…" and '…' with backslash escapes, no newline; `…` raw.
    let j = i + 1;
    if (c === "`") {
      j = expr.indexOf("`", j);
      if (j < 0) return undefined;
    } else {
      for (; j < expr.length && expr[j] !== c; j++) {
        if (expr[j] === "\\") j++;
        else if (expr[j] === "\n") return undefined;
      }
      if (j >= expr.length) return undefined;
    }
    parts.push(expr.slice(last, i), '""');
    keyLength += i - last + 2;
    literals.push(expr.slice(i, j + 1));
    delta += j - i - 1;
    ends.push(keyLength);
    deltas.push(delta);
    last = j + 1;
    next.lastIndex = last;
  }
  if (ends.length === 0) return undefined;
  parts.push(expr.slice(last));
  return { key: parts.join(""), ends, deltas, literals };
}

/** The CLIs' template trees kept between runs (promql/template-store.ts); null: none (library use). */
let store: TemplateStore | null | undefined;

function template(key: string): Template {
  return cached(TEMPLATES, key, () => {
    if (store === undefined) store = TemplateStore.open() ?? null;
    const stored = store?.get(key);
    if (stored) return { tree: stored, errorFree: true };
    const tree = parser.parse(key);
    let errorFree = true;
    tree.iterate({
      enter(n) {
        if (n.type.isError) errorFree = false;
        return errorFree;
      },
    });
    if (errorFree) store?.add(key, tree);
    return { tree, errorFree };
  });
}

/** `expr` parsed: through its template when it has one and that parses, else itself. */
export function parsedExpr(expr: string): ParsedExpr {
  return cached(PARSED, expr, () => {
    const t = templateOf(expr);
    if (t) {
      const tmpl = template(t.key);
      // A template with a syntax error: the error's position and text are the expression's own.
      if (tmpl.errorFree) {
        const { ends, deltas } = t;
        const at = (pos: number): number => {
          let d = 0;
          for (let k = 0; k < ends.length && ends[k]! <= pos; k++) d = deltas[k]!;
          return pos + d;
        };
        return { tree: tmpl.tree, text: (n) => expr.slice(at(n.from), at(n.to)) };
      }
    }
    return { tree: parseTree(expr), text: (n) => expr.slice(n.from, n.to) };
  });
}

// Walking a tree costs as much as parsing it: what the walks find is kept too (copied out).
const SYNTAX_ERRORS = new Map<string, readonly PromQLSyntaxError[]>();
const SELECTORS = new Map<string, readonly SelectorUse[]>();

export interface PromQLSyntaxError {
  readonly pos: number;
  readonly message: string;
}

export interface LabelMatcher {
  readonly name: string;
  readonly op: "=" | "!=" | "=~" | "!~";
  readonly value: string;
}

export interface SelectorUse {
  /** Metric name, or undefined for `{__name__=~...}`-style selectors. */
  readonly metric: string | undefined;
  readonly matchers: readonly LabelMatcher[];
  /** Range of a matrix selector in seconds (`[2m]` → 120). */
  readonly rangeSeconds?: number;
  /** Function the range feeds (`rate`, `increase`, ...), when it is a direct argument. */
  readonly rangeFunction?: string;
}

/** A query that does not parse: the first syntax error and the query. */
export class PromQLError extends InvariantError {
  constructor(
    readonly expr: string,
    readonly errors: readonly PromQLSyntaxError[],
  ) {
    super(`invalid PromQL at offset ${errors[0]?.pos}: ${errors[0]?.message}\n  ${expr}`, CONTRACT_FIX, "CONTRACT_VIOLATION");
  }
}

/** Syntax errors of `expr` (empty when it parses). */
export function syntaxErrors(expr: string): PromQLSyntaxError[] {
  return [...cachedSyntaxErrors(expr)];
}

/** The cached list itself (callers that only read it). */
function cachedSyntaxErrors(expr: string): readonly PromQLSyntaxError[] {
  return cached(SYNTAX_ERRORS, expr, () => walkSyntaxErrors(expr));
}

function walkSyntaxErrors(expr: string): PromQLSyntaxError[] {
  const errors: PromQLSyntaxError[] = [];
  if (expr.trim() === "") return [{ pos: 0, message: "empty expression" }];
  const t = templateOf(expr);
  if (t && template(t.key).errorFree) return errors; // its template parses, so it does
  parseTree(expr).iterate({
    enter(n) {
      if (n.type.isError) {
        errors.push({ pos: n.from, message: `unexpected ${JSON.stringify(expr.slice(n.from, n.from + 12) || "end of input")}` });
      }
    },
  });
  return errors;
}

/** Throws {@link PromQLError} unless `expr` parses. */
export function assertParses(expr: string): string {
  const errors = cachedSyntaxErrors(expr);
  if (errors.length) throw new PromQLError(expr, errors);
  return expr;
}

/** Backslashes and control characters: a literal without them reads as its text between the quotes. */
// eslint-disable-next-line no-control-regex -- control characters are what JSON.parse refuses
const NEEDS_DECODING = /[\\\x00-\x1f]/;

function unquote(s: string): string {
  if (s.startsWith("`")) return s.slice(1, -1);
  const inner = s.slice(1, -1);
  // The common case (label values the program writes), without JSON.parse: same result.
  if (!NEEDS_DECODING.test(inner)) return inner;
  return JSON.parse(s.startsWith("'") ? `"${s.slice(1, -1).replace(/"/g, '\\"')}"` : s) as string;
}

/** Every selector the expression reads, with its matchers and range. */
export function selectors(expr: string): SelectorUse[] {
  return [...cached(SELECTORS, expr, () => readSelectors(expr))];
}

/**
 * A string literal of a selector: its text, or (in a template's selectors) the index of the
 * expression's literal it stands for.
 */
type LiteralRef = string | number;

/** A selector as the tree gives it, before its literals are read (shared by a template's expressions). */
interface RawSelector {
  readonly ident: string | undefined;
  readonly matchers: readonly { readonly name: LiteralRef; readonly op: LabelMatcher["op"]; readonly value: LiteralRef }[];
  readonly rangeSeconds?: number;
  readonly rangeFunction?: string;
}

const RAW_SELECTORS = new Map<string, readonly RawSelector[]>();

function readSelectors(expr: string): SelectorUse[] {
  const t = templateOf(expr);
  if (t && template(t.key).errorFree) {
    const { key, ends, literals } = t;
    const raw = cached(RAW_SELECTORS, key, () => {
      const index = new Map(ends.map((e, k) => [e - 2, k]));
      return walkSelectors(
        template(key).tree,
        (n) => key.slice(n.from, n.to),
        (n) => index.get(n.from) ?? key.slice(n.from, n.to),
      );
    });
    return raw.map((r) => resolveSelector(r, literals));
  }
  const text = (n: { from: number; to: number }) => expr.slice(n.from, n.to);
  return walkSelectors(parseTree(expr), text, text).map((r) => resolveSelector(r, []));
}

function resolveSelector(r: RawSelector, literals: readonly string[]): SelectorUse {
  const lit = (ref: LiteralRef) => (typeof ref === "number" ? literals[ref]! : ref);
  let metric = r.ident;
  const matchers: LabelMatcher[] = [];
  for (const raw of r.matchers) {
    const rawName = lit(raw.name);
    const name = rawName.startsWith('"') || rawName.endsWith('"') ? rawName.replace(/^"|"$/g, "") : rawName;
    const m = { name, op: raw.op, value: unquote(lit(raw.value)) };
    if (m.name === "__name__" && m.op === "=") metric = m.value;
    else matchers.push(m);
  }
  return {
    metric,
    matchers,
    ...(r.rangeSeconds !== undefined ? { rangeSeconds: r.rangeSeconds } : {}),
    ...(r.rangeFunction ? { rangeFunction: r.rangeFunction } : {}),
  };
}

/** The selectors of `tree`: `text` reads a node, `literal` a string literal (or quoted label name). */
function walkSelectors(
  tree: Tree,
  text: (n: { from: number; to: number }) => string,
  literal: (n: { from: number; to: number }) => LiteralRef,
): RawSelector[] {
  const out: RawSelector[] = [];
  tree.iterate({
    enter(ref) {
      if (ref.name !== "VectorSelector") return;
      const node = ref.node;
      const ident = node.getChild("Identifier");
      const matchers: RawSelector["matchers"][number][] = [];
      const lm = node.getChild("LabelMatchers");
      if (lm) {
        for (let c = lm.firstChild; c; c = c.nextSibling) {
          if (c.name !== "UnquotedLabelMatcher" && c.name !== "QuotedLabelMatcher") continue;
          const label = c.getChild("LabelName");
          const name = label ?? c.getChild("QuotedLabelName");
          const op = c.getChild("MatchOp");
          const value = c.getChild("StringLiteral");
          if (!name || !op || !value) continue;
          matchers.push({ name: label ? text(name) : literal(name), op: text(op) as LabelMatcher["op"], value: literal(value) });
        }
      }
      let rangeSeconds: number | undefined;
      let rangeFunction: string | undefined;
      const parent = node.parent;
      if (parent?.name === "MatrixSelector") {
        const d = parent.getChild("DurationExpr") ?? parent.lastChild;
        if (d) {
          try {
            rangeSeconds = durationSeconds(text(d).trim());
          } catch {
            rangeSeconds = undefined;
          }
        }
        const call = parent.parent?.parent;
        if (call?.name === "FunctionCall") {
          const id = call.getChild("FunctionIdentifier");
          if (id) rangeFunction = text(id);
        }
      }
      out.push({
        ident: ident ? text(ident) : undefined,
        matchers,
        ...(rangeSeconds !== undefined ? { rangeSeconds } : {}),
        ...(rangeFunction ? { rangeFunction } : {}),
      });
    },
  });
  return out;
}

/** Metric names the expression reads. */
export function metricNames(expr: string): string[] {
  return [
    ...new Set(
      selectors(expr)
        .map((s) => s.metric)
        .filter((m): m is string => m !== undefined),
    ),
  ];
}

const SINGLE_SERIES_FUNCS = new Set(["scalar", "vector", "time", "pi"]);
const MANY_AGGREGATES = new Set(["topk", "bottomk", "limitk", "limit_ratio", "count_values"]);

/**
 * Labels that survive an expression, as far as cardinality goes: `[]` means at most one series;
 * `undefined` means any number of series. Conservative: when unsure, says "many".
 */
function groupLabels(p: ParsedExpr, n: Node | null): string[] | undefined {
  if (!n) return [];
  switch (n.name) {
    case "PromQL":
    case "ParenExpr":
    case "SubqueryExpr":
    case "StepInvariantExpr":
    case "OffsetExpr":
      return groupLabels(p, firstExpr(n));
    case "NumberDurationLiteral":
    case "NumberLiteral":
    case "StringLiteral":
      return [];
    case "VectorSelector":
    case "MatrixSelector":
      return undefined;
    case "AggregateExpr": {
      const op = n.getChild("AggregateOp");
      const opName = op ? p.text(op) : "";
      if (MANY_AGGREGATES.has(opName)) return undefined;
      const mod = n.getChild("AggregateModifier");
      if (!mod) return [];
      if (mod.getChild("Without")) return undefined;
      const labels = mod.getChild("GroupingLabels");
      const names: string[] = [];
      for (let c = labels?.firstChild ?? null; c; c = c.nextSibling) if (c.name === "LabelName") names.push(p.text(c));
      return names;
    }
    case "FunctionCall": {
      const id = n.getChild("FunctionIdentifier");
      const fn = id ? p.text(id) : "";
      if (SINGLE_SERIES_FUNCS.has(fn)) return [];
      const args = functionArgs(n);
      if (fn === "histogram_quantile") {
        const inner = groupLabels(p, args[1] ?? null);
        return inner === undefined ? undefined : inner.filter((l) => l !== "le");
      }
      const vectorArg = args.find((a) => a.name !== "NumberDurationLiteral" && a.name !== "NumberLiteral" && a.name !== "StringLiteral");
      return vectorArg ? groupLabels(p, vectorArg) : [];
    }
    case "UnaryExpr":
      return groupLabels(p, n.lastChild);
    case "BinaryExpr": {
      const [l, r] = exprChildren(n);
      const a = groupLabels(p, l ?? null);
      const b = groupLabels(p, r ?? null);
      if (a === undefined || b === undefined) return undefined;
      return a.length === 0 ? b : b.length === 0 ? a : [...new Set([...a, ...b])];
    }
    default:
      return undefined;
  }
}

/** The expression children of a node (operands, arguments), without durations and keywords. */
export function exprChildren(n: Node): Node[] {
  const out: Node[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) {
    if (EXPR_NODE.test(c.name) && c.name !== "DurationExpr") out.push(c);
  }
  return out;
}

/** Grammar node names that are expressions (as opposed to operators, keywords, modifiers). */
export const EXPR_NODE = /Expr$|Selector$|Literal$|^FunctionCall$/;

function firstExpr(n: Node): Node | null {
  return exprChildren(n)[0] ?? null;
}

function functionArgs(call: Node): Node[] {
  const body = call.getChild("FunctionCallBody");
  return body ? exprChildren(body) : [];
}

/**
 * True when the expression returns at most one series whatever the data: the whole result is
 * aggregated (`sum(...)`, `histogram_quantile(q, sum by (le) (...))`, `scalar`, `vector`).
 * KEDA's prometheus scaler errors on a multi-series result.
 */
export function returnsSingleSeries(expr: string): boolean {
  const p = parsedExpr(expr);
  const labels = groupLabels(p, p.tree.topNode);
  return labels !== undefined && labels.length === 0;
}

/** Labels the result is grouped by (`undefined`: not aggregated). */
export function resultGrouping(expr: string): string[] | undefined {
  const p = parsedExpr(expr);
  return groupLabels(p, p.tree.topNode);
}
