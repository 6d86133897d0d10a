/**
 * Resource-level diff of two synth outputs (`dist/`-shaped folders): per environment, the
 * Kubernetes objects added, removed and changed (keyed by apiVersion/kind/namespace/name, so an
 * object moving between chart files is no change), plus the plain files written beside the charts
 * (rule files, scrape configs). A change lists field paths with old → new values.
 *
 * Ordering noise is ignored: maps compare by key; arrays whose items are all named (`name`,
 * `alert`, `record`, `job_name`) compare by that name — `containers[name=server]`,
 * `rules[alert=HighLatency]` — so reordering is no change and paths stay readable; strings holding
 * YAML/JSON documents (ConfigMap `config.yaml`, dashboards) are compared as documents.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import { stableJson } from "../kube/stable-json.js";
import { ruleFileOwner } from "./naming.js";

export type ChangeKind = "added" | "removed" | "changed";

export interface FieldChange {
  readonly kind: ChangeKind;
  /** Field path, e.g. `spec.triggers[name=p95-latency].metadata.threshold`; "" for the whole value. */
  readonly path: string;
  readonly old?: unknown;
  readonly new?: unknown;
}

export interface ResourceChange {
  readonly kind: ChangeKind;
  /** `Kind namespace/name (apiVersion)` for objects, `File <path>` for plain files. */
  readonly resource: string;
  /** Field changes (changed resources only). */
  readonly fields: readonly FieldChange[];
  /**
   * The inference service (or workload) the object belongs to, from its `app.kubernetes.io/name`
   * label: with several models in one environment, which model a change is about. @default none (shared objects, files)
   */
  readonly service?: string;
}

export interface EnvDiff {
  readonly env: string;
  /** `added`/`removed` when the whole environment is new or gone. */
  readonly kind: ChangeKind;
  readonly resources: readonly ResourceChange[];
}

/** One environment's rendered output: objects by identity, plain files by path. */
export interface EnvSnapshot {
  readonly resources: ReadonlyMap<string, unknown>;
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isK8sObject(v: unknown): v is Obj {
  return isObject(v) && typeof v.apiVersion === "string" && typeof v.kind === "string" && isObject(v.metadata);
}

/** `Kind namespace/name (apiVersion)`: the identity an object is matched by across the two sides. */
export function objectKey(o: Obj): string {
  const meta = o.metadata as Obj;
  const ns = typeof meta.namespace === "string" && meta.namespace ? `${meta.namespace}/` : "";
  return `${o.kind} ${ns}${String(meta.name ?? "(unnamed)")} (${o.apiVersion})`;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}

/** Parses one rendered file: its Kubernetes objects, or its content as a document (or text). */
function readRendered(path: string, into: Map<string, unknown>, display: string): void {
  const text = readFileSync(path, "utf8");
  if (/\.(ya?ml)$/.test(path)) {
    const docs = parseAllDocuments(text);
    if (!docs.some((d) => d.errors.length)) {
      const values = docs.map((d) => d.toJS() as unknown).filter((v) => v !== null && v !== undefined);
      if (values.length > 0 && values.every(isK8sObject)) {
        for (const o of values) into.set(objectKey(o), o);
        return;
      }
      into.set(`File ${display}`, values.length === 1 ? values[0] : values);
      return;
    }
  }
  if (path.endsWith(".json")) {
    try {
      into.set(`File ${display}`, JSON.parse(text));
      return;
    } catch {
      // compared as text below
    }
  }
  into.set(`File ${display}`, text);
}

/** Reads a synth output folder: one snapshot per environment folder. */
export function readDist(dir: string): Map<string, EnvSnapshot> {
  const out = new Map<string, EnvSnapshot>();
  if (!existsSync(dir)) return out;
  for (const env of readdirSync(dir).sort()) {
    const envDir = join(dir, env);
    if (env.startsWith(".") || !statSync(envDir).isDirectory()) continue;
    const resources = new Map<string, unknown>();
    for (const f of listFiles(envDir)) readRendered(f, resources, relative(envDir, f).split("\\").join("/"));
    out.set(env, { resources });
  }
  return out;
}

const NAME_KEYS = ["name", "alert", "record", "job_name"] as const;

/** The field that names every item of an array uniquely, if there is one. */
function namingKey(items: readonly unknown[]): string | undefined {
  if (items.length === 0 || !items.every(isObject)) return undefined;
  for (const k of NAME_KEYS) {
    const names = (items as Obj[]).map((i) => i[k]);
    if (names.every((n) => typeof n === "string") && new Set(names).size === names.length) return k;
  }
  return undefined;
}

function embedded(v: string): unknown {
  if (!v.includes("\n") && !/^\s*[[{]/.test(v)) return undefined;
  try {
    const doc = parseYaml(v);
    return isObject(doc) || Array.isArray(doc) ? doc : undefined;
  } catch {
    return undefined;
  }
}

const PLAIN = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function childPath(path: string, key: string): string {
  if (PLAIN.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Field-level differences between two values (empty when equal up to ordering noise). */
export function diffValues(a: unknown, b: unknown, path = ""): FieldChange[] {
  if (stableJson(a) === stableJson(b)) return [];
  if (isObject(a) && isObject(b)) {
    const out: FieldChange[] = [];
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const p = childPath(path, k);
      if (!(k in b)) out.push({ kind: "removed", path: p, old: a[k] });
      else if (!(k in a)) out.push({ kind: "added", path: p, new: b[k] });
      else out.push(...diffValues(a[k], b[k], p));
    }
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const ka = namingKey(a);
    const kb = namingKey(b);
    // Named on both sides by the same field (an empty side takes the other's).
    const by = a.length === 0 ? kb : b.length === 0 ? ka : ka === kb ? ka : undefined;
    if (by !== undefined) {
      const ma = new Map((a as Obj[]).map((i) => [i[by] as string, i]));
      const mb = new Map((b as Obj[]).map((i) => [i[by] as string, i]));
      const out: FieldChange[] = [];
      for (const n of [...new Set([...ma.keys(), ...mb.keys()])].sort()) {
        const p = `${path}[${by}=${n}]`;
        if (!mb.has(n)) out.push({ kind: "removed", path: p, old: ma.get(n) });
        else if (!ma.has(n)) out.push({ kind: "added", path: p, new: mb.get(n) });
        else out.push(...diffValues(ma.get(n), mb.get(n), p));
      }
      return out;
    }
    const out: FieldChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const p = `${path}[${i}]`;
      if (i >= b.length) out.push({ kind: "removed", path: p, old: a[i] });
      else if (i >= a.length) out.push({ kind: "added", path: p, new: b[i] });
      else out.push(...diffValues(a[i], b[i], p));
    }
    return out;
  }
  if (typeof a === "string" && typeof b === "string") {
    const da = embedded(a);
    const db = embedded(b);
    if (da !== undefined && db !== undefined) return diffValues(da, db, path);
  }
  return [{ kind: "changed", path, old: a, new: b }];
}

function diffEnv(env: string, base: EnvSnapshot | undefined, head: EnvSnapshot | undefined): ResourceChange[] {
  const a = base?.resources ?? new Map<string, unknown>();
  const b = head?.resources ?? new Map<string, unknown>();
  const out: ResourceChange[] = [];
  const names = workloadNames([a, b]);
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const owner = serviceOf(key, b.get(key) ?? a.get(key), { env, names });
    const service = owner !== undefined ? { service: owner } : {};
    if (!b.has(key)) out.push({ kind: "removed", resource: key, fields: [], ...service });
    else if (!a.has(key)) out.push({ kind: "added", resource: key, fields: [], ...service });
    else {
      const fields = diffValues(a.get(key), b.get(key));
      if (fields.length) out.push({ kind: "changed", resource: key, fields, ...service });
    }
  }
  return out;
}

/** The services and workloads of an environment: the `app.kubernetes.io/name` of its Deployments (either side). */
function workloadNames(sides: readonly ReadonlyMap<string, unknown>[]): ReadonlySet<string> {
  const names = new Set<string>();
  for (const side of sides)
    for (const v of side.values()) {
      const name = isK8sObject(v) && v.kind === "Deployment" ? label(v, "app.kubernetes.io/name") : undefined;
      if (name !== undefined) names.add(name);
    }
  return names;
}

function label(v: Obj, key: string): string | undefined {
  const meta = v.metadata;
  const labels = isObject(meta) && isObject(meta.labels) ? meta.labels : undefined;
  const value = labels?.[key];
  return typeof value === "string" ? value : undefined;
}

/**
 * The inference service (or workload) a rendered resource belongs to: its `app.kubernetes.io/name`
 * label; else its `app.kubernetes.io/instance` (`<name>-<env>`, the dashboards); a NetworkPolicy's
 * selected pods; a plain rule file's group (`rules/<service>-alerts.yaml`, …). None for what every
 * service shares: the namespace, the quota, the prometheus-adapter rule set (which the first
 * service's chart holds for all), the scrape config.
 */
function serviceOf(key: string, v: unknown, where: { readonly env: string; readonly names: ReadonlySet<string> }): string | undefined {
  if (key.startsWith("File ")) return ruleFileOwner(key.slice("File ".length), where.names);
  if (!isObject(v) || !isObject(v.metadata)) return undefined;
  if (v.kind === "ConfigMap" && isAdapterConfigMap(v)) return undefined;
  const name = label(v, "app.kubernetes.io/name");
  if (name !== undefined) return name;
  const instance = label(v, "app.kubernetes.io/instance");
  const suffix = `-${where.env}`;
  if (instance?.endsWith(suffix) && where.names.has(instance.slice(0, -suffix.length))) return instance.slice(0, -suffix.length);
  if (v.kind === "NetworkPolicy") {
    const spec = isObject(v.spec) ? v.spec : {};
    const selector = isObject(spec.podSelector) && isObject(spec.podSelector.matchLabels) ? spec.podSelector.matchLabels : {};
    const selected = selector["app.kubernetes.io/name"];
    if (typeof selected === "string") return selected;
  }
  return undefined;
}

/** The prometheus-adapter's rules ConfigMap: one rule set for every service. */
function isAdapterConfigMap(v: Obj): boolean {
  const data = isObject(v.data) ? v.data : {};
  return typeof data["config.yaml"] === "string" && /\bseriesQuery:/.test(data["config.yaml"]);
}

/** ` for <service>` after a resource, when it belongs to one. */
function forService(r: ResourceChange): string {
  return r.service !== undefined ? ` for ${r.service}` : "";
}

/** Per-environment differences (environments without any are left out). */
export function diffDists(
  base: ReadonlyMap<string, EnvSnapshot>,
  head: ReadonlyMap<string, EnvSnapshot>,
  envs?: readonly string[],
): EnvDiff[] {
  const names = [...new Set([...base.keys(), ...head.keys()])].filter((e) => !envs || envs.includes(e)).sort();
  const out: EnvDiff[] = [];
  for (const env of names) {
    const resources = diffEnv(env, base.get(env), head.get(env));
    if (resources.length === 0) continue;
    out.push({ env, kind: !base.has(env) ? "added" : !head.has(env) ? "removed" : "changed", resources });
  }
  return out;
}

/** A value on one line, shortened (strings as they are, everything else as JSON). */
export function showValue(v: unknown, max = 120): string {
  const s = typeof v === "string" ? (v.includes("\n") ? JSON.stringify(v) : v) : JSON.stringify(v);
  const text = s ?? String(v);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function counts(d: EnvDiff): string {
  const n = (k: ChangeKind) => d.resources.filter((r) => r.kind === k).length;
  return `${n("added")} added, ${n("removed")} removed, ${n("changed")} changed`;
}

const SIGN: Record<ChangeKind, string> = { added: "+", removed: "-", changed: "~" };

function fieldLine(f: FieldChange): string {
  const at = f.path || "(value)";
  if (f.kind === "added") return `${at}: (absent) -> ${showValue(f.new)}`;
  if (f.kind === "removed") return `${at}: ${showValue(f.old)} -> (absent)`;
  return `${at}: ${showValue(f.old)} -> ${showValue(f.new)}`;
}

/** Terminal output. */
export function renderText(diffs: readonly EnvDiff[]): string {
  if (diffs.length === 0) return "no differences in rendered output\n";
  const lines: string[] = [];
  for (const d of diffs) {
    lines.push(`${d.env}${d.kind === "changed" ? "" : ` (environment ${d.kind})`}: ${counts(d)}`);
    for (const r of d.resources) {
      lines.push(`  ${SIGN[r.kind]} ${r.resource}${forService(r)}`);
      for (const f of r.fields) lines.push(`      ${fieldLine(f)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function code(s: string): string {
  const t = s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return t.includes("`") ? `\`\` ${t} \`\`` : `\`${t}\``;
}

/** GitHub's comment limit is 65536 characters; stay well below it. */
const MARKDOWN_LIMIT = 60_000;

/** A PR-comment-ready summary: a table of counts, then each environment's changes. */
export function renderMarkdown(diffs: readonly EnvDiff[], refs: { readonly base: string; readonly head: string }): string {
  const head = `### Rendered diff: ${code(refs.base)} → ${refs.head}\n`;
  if (diffs.length === 0) return `${head}\nNo differences in rendered output.\n`;
  const out: string[] = [head, "| environment | added | removed | changed |", "| --- | ---: | ---: | ---: |"];
  for (const d of diffs) {
    const n = (k: ChangeKind) => d.resources.filter((r) => r.kind === k).length;
    out.push(`| ${d.env}${d.kind === "changed" ? "" : ` (${d.kind})`} | ${n("added")} | ${n("removed")} | ${n("changed")} |`);
  }
  for (const d of diffs) {
    out.push("", `#### ${d.env}`, "");
    for (const r of d.resources) {
      out.push(`- **${r.kind}** ${code(r.resource)}${forService(r)}`);
      for (const f of r.fields) {
        const at = code(f.path || "(value)");
        if (f.kind === "added") out.push(`  - ${at}: added ${code(showValue(f.new))}`);
        else if (f.kind === "removed") out.push(`  - ${at}: removed (was ${code(showValue(f.old))})`);
        else out.push(`  - ${at}: ${code(showValue(f.old))} → ${code(showValue(f.new))}`);
      }
    }
  }
  let text = `${out.join("\n")}\n`;
  if (text.length > MARKDOWN_LIMIT) {
    text = `${text.slice(0, MARKDOWN_LIMIT).replace(/\n[^\n]*$/, "")}\n\n_… truncated; run \`npm run diff -- --base ${refs.base}\` for the full diff._\n`;
  }
  return text;
}
