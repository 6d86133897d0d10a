/** Small helpers every check module uses: field paths, object names, label selectors, embedded YAML. */
import { parse as parseYaml } from "yaml";
import { renderedData } from "../../kube/rendered-text.js";
import { describeObject } from "../schema.js";
import type { ProblemCode } from "../../problems/codes.js";
import type { Problem, Severity } from "../../problems/problem.js";
import type { K8sObject, PathSegment } from "./types.js";
import type { Loose, LooseObject } from "../../kube/loose-json.js";

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `["spec", "triggers", 0, "metadata", "prometheus.io/port"]` → `spec.triggers[0].metadata["prometheus.io/port"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const s of segments) {
    // Stryker disable next-line ConditionalExpression: a number read as a key is written [n] too (JSON.stringify(0) is 0)
    if (typeof s === "number") out += `[${s}]`;
    else if (PLAIN_KEY.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** `Kind namespace/name` of a rendered object. */
export function resourceOf(o: K8sObject): string {
  return describeObject(o);
}

export function fileResource(path: string): string {
  return `File ${path}`;
}

export function configResource(env: string): string {
  return `EnvConfig ${env}`;
}

/** Collects the problems the checks find in one environment. */
export class FindingSink {
  readonly findings: Problem[] = [];
  constructor(readonly env: string) {}

  add(code: ProblemCode, severity: Severity, resource: string, path: string | readonly PathSegment[], message: string, fix: string): void {
    this.findings.push({ code, severity, env: this.env, resource, path: typeof path === "string" ? path : formatPath(path), message, fix });
  }
  error(code: ProblemCode, resource: string, path: string | readonly PathSegment[], message: string, fix: string): void {
    this.add(code, "error", resource, path, message, fix);
  }
  warning(code: ProblemCode, resource: string, path: string | readonly PathSegment[], message: string, fix: string): void {
    this.add(code, "warning", resource, path, message, fix);
  }
}

export function isObject(v: unknown): v is LooseObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function asArray(v: unknown): Loose[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/**
 * A string that holds a YAML/JSON document (ConfigMap `config.yaml`, embedded scrape configs),
 * parsed; undefined for plain strings. Only multi-line or bracketed strings are tried.
 */
export function embeddedDocument(s: string): LooseObject | Loose[] | undefined {
  // Most strings the checks walk: one line, not a flow collection (no trimmed copy made). A fast
  // path of the test on the trimmed text below (equivalent mutants: the answer is the same).
  // Stryker disable next-line ConditionalExpression,StringLiteral,BlockStatement: a fast path (see above)
  if (!s.includes("\n")) {
    const first = s.trimStart().charAt(0);
    // Stryker disable next-line ConditionalExpression: a fast path (see above)
    if (first !== "{" && first !== "[") return undefined;
  }
  // Text this program rendered: its data, not the text parsed back (kube/rendered-text.ts). The
  // very string rendered first: a trimmed copy is a new string, hashed again at every lookup
  // (rendered() remembers the trimmed text with the same data, so skipping this changes nothing).
  const exact = renderedData(s);
  // Stryker disable next-line ConditionalExpression: the trimmed lookup below finds the same data
  if (exact !== undefined) return isObject(exact) || Array.isArray(exact) ? exact : undefined;
  const t = s.trim();
  if (!t.includes("\n") && !t.startsWith("{") && !t.startsWith("[")) return undefined;
  const data = renderedData(t);
  if (data !== undefined) return isObject(data) || Array.isArray(data) ? data : undefined;
  // Multi-line PromQL and scripts are most strings here: one that cannot be a map or a list is not
  // parsed (necessary conditions: parsing such a text gives no map or list either).
  // Stryker disable next-line ConditionalExpression,LogicalOperator: necessary conditions (see above)
  if (!MAYBE_COLLECTION.test(t) || !FIRST_LINE_MAY_START_COLLECTION.test(firstContentLine(t))) return undefined;
  // Several checks read the same strings (dashboards, adapter config): parse each once.
  // Stryker disable next-line ConditionalExpression: a cache (parsing again gives an equal document)
  if (EMBEDDED.has(t)) return EMBEDDED.get(t);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: the cache's bound
  if (EMBEDDED.size >= 2000) EMBEDDED.clear();
  let doc: LooseObject | Loose[] | undefined;
  try {
    // A user's text with an unknown tag (`!t`) is read as the package reads it, without a
    // YAMLWarning on the CLI's stderr (its error channel).
    // Stryker disable next-line StringLiteral: the package warns only at "warn" and "debug" (yaml/dist/log.js), so "" is as quiet
    const v = parseYaml(t, { logLevel: "error" });
    doc = isObject(v) || Array.isArray(v) ? v : undefined;
  } catch {
    // not YAML: doc stays undefined
  }
  EMBEDDED.set(t, doc);
  return doc;
}

/**
 * A necessary condition for YAML/JSON text to be a map or a list: a flow collection, tag, anchor
 * or directive first, or somewhere a `key:` indicator (colon then space or line end), a `- ` item
 * or a `? ` explicit key. PromQL's `a:b:c` names and `[5m:1m]` subqueries do not match.
 */
const MAYBE_COLLECTION = /^[{[!&%]|^---|:(?:\s|$)|^\s*[-?](?:\s|$)/m;

/**
 * A document's root collection starts on its first line that is not blank or a comment: a flow
 * collection, tag, anchor, alias, directive or `---` there, a `- ` item or `? ` key, or a key and
 * its colon (implicit keys are one line). Multi-line PromQL with a binary operator on a line of
 * its own (`-`) matches MAYBE_COLLECTION but starts with `(` or a function: not parsed.
 */
const FIRST_LINE_MAY_START_COLLECTION = /^\s*(?:[{[!&%*]|---|[-?](?:\s|$))|:/;

function firstContentLine(t: string): string {
  for (const line of t.split("\n")) if (!/^\s*(?:#|$)/.test(line)) return line;
  // Stryker disable next-line StringLiteral: no other text without a colon starts a collection either
  return "";
}

const EMBEDDED = new Map<string, LooseObject | Loose[] | undefined>();

/** Empties the parsed-document cache (the mutation runs: test/helpers/clear-caches.ts). */
// Stryker disable next-line BlockStatement: used by the mutation runs' setup only
export function clearEmbeddedDocuments(): void {
  EMBEDDED.clear();
}

/** Whether a Kubernetes label selector (`matchLabels`/`matchExpressions`) selects `labels`. */
export function selectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!isObject(selector)) return false;
  const ml = isObject(selector.matchLabels) ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  for (const e of asArray(selector.matchExpressions)) {
    const has = Object.prototype.hasOwnProperty.call(labels, e?.key);
    const values = asArray(e?.values);
    switch (e?.operator) {
      case "In":
        if (!has || !values.includes(labels[e.key])) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[e.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Equality of bucket boundaries and thresholds read from strings (`0.35` vs `0.35000000001`). */
export function sameNumber(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Numbers in KEDA metadata and rule files are strings; undefined when not a finite number. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v !== "string" || v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Stable text for a value in a message. */
export function show(v: unknown): string {
  // Stryker disable next-line ConditionalExpression,StringLiteral: JSON.stringify of a string is never undefined (the ternary saves the ??)
  return typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
}
