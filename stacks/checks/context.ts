/**
 * What the checks read, derived once per environment from the rendered objects, the extra files
 * and the Helm values: pod templates, rule groups, prometheus-adapter rules, scrape jobs and
 * every PromQL query, each with the resource and field path a finding should name.
 *
 * Nothing here depends on which construct rendered an object: a hand-edited ConfigMap holding an
 * adapter config is found the same way as the one the monitoring construct writes.
 */
import { parseAllDocuments } from "yaml";
import { stableJson, stableJsonEqual } from "../../kube/stable-json.js";
import type { MetricContract, ScrapeScope } from "../../promql/metrics.js";
import { scrapeScope } from "../../scrape/scope.js";
import type { EnvConfig } from "../config.js";
import { fillAdapterTemplate } from "./promql.js";
import type { CheckInput, K8sObject, PathSegment, RenderedFileInput } from "./types.js";
import { renderedData } from "../../kube/rendered-text.js";
import { asArray, configResource, embeddedDocument, FindingSink, fileResource, isObject, resourceOf, str } from "./util.js";
import type { Loose, LooseObject } from "../../kube/loose-json.js";

export interface PodTemplateRef {
  readonly object: K8sObject;
  readonly resource: string;
  /** Path of the pod template inside the object (`spec.template`; `[]` for a bare Pod). */
  readonly path: readonly PathSegment[];
  readonly template: K8sObject;
  /** Serving workloads need probes; Jobs do not. */
  readonly longRunning: boolean;
}

export interface RuleGroupRef {
  readonly resource: string;
  readonly path: readonly PathSegment[];
  readonly group: K8sObject;
}

/** `rules` serve custom.metrics.k8s.io, `externalRules` external.metrics.k8s.io. */
export type AdapterRuleKind = "custom" | "external";

export interface AdapterRuleRef {
  readonly resource: string;
  readonly path: readonly PathSegment[];
  readonly rule: K8sObject;
  readonly kind: AdapterRuleKind;
}

export type QueryOrigin = "keda" | "adapter-series" | "adapter-metrics" | "record" | "alert";

/** One PromQL expression somewhere in the output. */
export interface QuerySite {
  readonly resource: string;
  readonly path: readonly PathSegment[];
  /** The expression as Prometheus will run it (adapter templates filled in). */
  readonly expr: string;
  readonly origin: QueryOrigin;
  /** The KEDA trigger, rule or adapter rule the query belongs to. */
  readonly owner: K8sObject;
  /** The ScaledObject (KEDA queries). */
  readonly object?: K8sObject;
  readonly adapterKind?: AdapterRuleKind;
}

export interface ScrapeJobRef {
  readonly resource: string;
  readonly path: readonly PathSegment[];
  readonly job: K8sObject;
}

export interface ParsedFile {
  readonly path: string;
  /** The text the documents were read from. */
  readonly content: string;
  readonly docs: readonly unknown[];
}

const POD_CONTROLLERS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"]);

/**
 * Visits every value under `root`, descending into strings that hold YAML/JSON documents
 * (ConfigMap `config.yaml`, embedded scrape configs). `key` is the last path segment and
 * `container` the object, list or embedded document holding the value (the root's is the root
 * itself). `path` is one array the walk extends and shortens (no copy per value: the checks walk
 * every rendered value): valid during the call only, so a visitor that keeps it keeps a copy.
 * `descend`, when given, says which strings' documents are walked (the strings themselves are
 * visited all the same): a search for one key skips the texts that cannot hold it.
 */
export function deepWalk(
  root: unknown,
  path: readonly PathSegment[],
  visit: (value: unknown, path: readonly PathSegment[], key: PathSegment | undefined, container: unknown) => void,
  descend?: (text: string) => boolean,
): void {
  const p: PathSegment[] = [...path];
  const go = (v: unknown, container: unknown, depth: number): void => {
    if (depth > 64) return;
    visit(v, p, p[p.length - 1], container);
    if (typeof v === "string") {
      // Stryker disable next-line ConditionalExpression,LogicalOperator: a search's shortcut (walking the document finds nothing more)
      if (descend && !descend(v)) return;
      const doc = embeddedDocument(v);
      if (doc !== undefined) children(doc, depth);
    } else if (Array.isArray(v) || isObject(v)) children(v, depth);
  };
  const children = (v: Loose[] | LooseObject, depth: number): void => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (!(i in v)) continue; // holes skipped, as forEach does
        p.push(i);
        go(v[i], v, depth + 1);
        p.pop();
      }
    } else {
      for (const k of Object.keys(v)) {
        p.push(k);
        go(v[k], v, depth + 1);
        p.pop();
      }
    }
  };
  go(root, root, 0);
}

/**
 * A set of values equal up to key order (the same {@link stableJson}), for deduplication: values
 * are grouped by a cheap signature (a rule group's name and rule count, a job's name) and compared
 * member by member only with those sharing theirs. Writing the stable JSON of every rule group of
 * an environment was a tenth of the rendered checks.
 */
class EqualValues<T> {
  private readonly bySignature = new Map<string, T[]>();
  constructor(private readonly signature: (v: T) => string) {}

  /** Adds `v`; false when an equal value is already in. */
  add(v: T): boolean {
    const sig = this.signature(v);
    const same = this.bySignature.get(sig);
    if (!same) {
      this.bySignature.set(sig, [v]);
      return true;
    }
    if (same.some((e) => stableJsonEqual(e, v))) return false;
    same.push(v);
    return true;
  }
}

export class CheckContext {
  readonly config: EnvConfig;
  readonly env: string;
  readonly objects: readonly K8sObject[];
  readonly files: readonly RenderedFileInput[];
  readonly helmValues: Readonly<Record<string, Record<string, unknown>>>;
  readonly sink: FindingSink;
  private memo = new Map<string, unknown>();

  constructor(input: CheckInput) {
    this.config = input.config;
    this.env = input.config.name;
    this.objects = input.objects.filter(isObject);
    this.files = input.files ?? [];
    this.helmValues = input.helmValues ?? {};
    this.sink = new FindingSink(this.env);
  }

  private once<T>(key: string, f: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, f());
    return this.memo.get(key) as T;
  }

  get configResource(): string {
    return configResource(this.env);
  }

  /** Objects of `kind`, optionally of an API group (`keda.sh`, `monitoring.coreos.com`, `""` for core). */
  ofKind(kind: string, group?: string): K8sObject[] {
    return this.objects.filter((o) => o.kind === kind && (group === undefined || apiGroup(o) === group));
  }

  /** The metric contract the env config declares for the service. */
  get contract(): MetricContract {
    const m = this.config.service.metrics;
    return { port: m.port, portName: m.portName, path: m.path, metrics: m.metrics };
  }

  /** The job/namespace labels the program scopes queries with (scrape/scope.ts). */
  get scopeLabels(): ScrapeScope {
    return scrapeScope(this.config.monitoring.scrape, this.config.namespace, this.config.service.name);
  }

  /** The inference Service (by config name, else the first Service in the env namespace). */
  get service(): K8sObject | undefined {
    return this.once("service", () => {
      const svcs = this.ofKind("Service", "");
      return (
        svcs.find((s) => s.metadata?.name === this.config.service.name && s.metadata?.namespace === this.config.namespace) ??
        svcs.find((s) => s.metadata?.namespace === this.config.namespace)
      );
    });
  }

  /** The inference workload's pod template (the Deployment named after the service, else the first serving workload). */
  get servicePods(): PodTemplateRef | undefined {
    return this.once("servicePods", () => {
      const t = this.podTemplates().filter((p) => p.longRunning);
      return (
        t.find((p) => p.object.metadata?.name === this.config.service.name && p.object.metadata?.namespace === this.config.namespace) ??
        t[0]
      );
    });
  }

  podTemplates(): PodTemplateRef[] {
    return this.once("podTemplates", () => {
      const out: PodTemplateRef[] = [];
      for (const o of this.objects) {
        const push = (path: PathSegment[], template: unknown, longRunning: boolean) => {
          if (isObject(template)) out.push({ object: o, resource: resourceOf(o), path, template, longRunning });
        };
        if (POD_CONTROLLERS.has(o.kind)) push(["spec", "template"], o.spec?.template, true);
        else if (o.kind === "Job") push(["spec", "template"], o.spec?.template, false);
        else if (o.kind === "CronJob") push(["spec", "jobTemplate", "spec", "template"], o.spec?.jobTemplate?.spec?.template, false);
        else if (o.kind === "Pod" && apiGroup(o) === "") push([], o, true);
      }
      return out;
    });
  }

  /** Extra files parsed as YAML/JSON documents (files that do not parse are skipped). */
  parsedFiles(): ParsedFile[] {
    return this.once("parsedFiles", () =>
      this.files
        .filter((f) => /\.(ya?ml|json)$/.test(f.path))
        .map((f) => {
          const data = renderedData(f.content);
          if (data !== undefined) return { path: f.path, content: f.content, docs: [data] };
          try {
            return { path: f.path, content: f.content, docs: parseAllDocuments(f.content).map((d) => d.toJS()) };
          } catch {
            return { path: f.path, content: f.content, docs: [] };
          }
        }),
    );
  }

  /** Prometheus rule groups: PrometheusRule objects, then plain rule files and rule ConfigMaps not identical to one. */
  ruleGroups(): RuleGroupRef[] {
    return this.once("ruleGroups", () => {
      const out: RuleGroupRef[] = [];
      for (const o of this.ofKind("PrometheusRule", "monitoring.coreos.com")) {
        asArray(o.spec?.groups).forEach((g, i) => {
          if (isObject(g)) out.push({ resource: resourceOf(o), path: ["spec", "groups", i], group: g });
        });
      }
      const seen = new EqualValues((g: K8sObject) => `${str(g.name)}\u0000${asArray(g.rules).length}`);
      for (const g of out) seen.add(g.group);
      const addFileGroups = (resource: string, base: PathSegment[], doc: unknown) => {
        if (!isObject(doc) || !Array.isArray(doc.groups)) return;
        doc.groups.forEach((g: unknown, i: number) => {
          if (!isObject(g) || !Array.isArray(g.rules)) return;
          if (!seen.add(g)) return;
          out.push({ resource, path: [...base, "groups", i], group: g });
        });
      };
      for (const f of this.parsedFiles()) f.docs.forEach((d) => addFileGroups(fileResource(f.path), [], d));
      for (const cm of this.ofKind("ConfigMap", "")) {
        for (const [k, v] of Object.entries(isObject(cm.data) ? cm.data : {})) {
          if (typeof v === "string") addFileGroups(resourceOf(cm), ["data", k], embeddedDocument(v));
        }
      }
      return out;
    });
  }

  /** Recorded series name → its expression. */
  recordings(): Map<string, string> {
    return this.once("recordings", () => {
      const m = new Map<string, string>();
      for (const g of this.ruleGroups()) {
        for (const r of asArray(g.group.rules)) if (typeof r?.record === "string" && typeof r.expr === "string") m.set(r.record, r.expr);
      }
      return m;
    });
  }

  /** prometheus-adapter rules: adapter ConfigMaps (`config.yaml`) and Helm values (`rules.custom/external`). */
  adapterRules(): AdapterRuleRef[] {
    return this.once("adapterRules", () => {
      const out: AdapterRuleRef[] = [];
      const keys: [string, AdapterRuleKind][] = [
        ["rules", "custom"],
        ["externalRules", "external"],
      ];
      for (const cm of this.ofKind("ConfigMap", "")) {
        for (const [k, v] of Object.entries(isObject(cm.data) ? cm.data : {})) {
          const doc: unknown = typeof v === "string" ? embeddedDocument(v) : undefined;
          if (!isAdapterConfig(doc)) continue;
          for (const [field, kind] of keys) {
            asArray(doc[field]).forEach((rule, i) => {
              if (isObject(rule)) out.push({ resource: resourceOf(cm), path: ["data", k, field, i], rule, kind });
            });
          }
        }
      }
      const seen = new Set(out.map((r) => `${r.kind}:${stableJson(r.rule)}`));
      for (const [addon, values] of Object.entries(this.helmValues)) {
        const rules = (values as K8sObject)?.rules;
        if (!isObject(rules)) continue;
        for (const [field, kind] of [
          ["custom", "custom"],
          ["external", "external"],
        ] as const) {
          asArray(rules[field]).forEach((rule, i) => {
            if (!isObject(rule) || seen.has(`${kind}:${stableJson(rule)}`)) return;
            out.push({ resource: `HelmValues ${addon}`, path: ["rules", field, i], rule, kind });
          });
        }
      }
      return out;
    });
  }

  /** Every PromQL expression: KEDA prometheus triggers, rule groups, adapter series and metrics queries. */
  queries(): QuerySite[] {
    return this.once("queries", () => {
      const out: QuerySite[] = [];
      for (const o of this.objects) {
        if (apiGroup(o) !== "keda.sh" || (o.kind !== "ScaledObject" && o.kind !== "ScaledJob")) continue;
        asArray(o.spec?.triggers).forEach((t, i) => {
          const q = str(t?.metadata?.query);
          if (t?.type === "prometheus" && q !== undefined) {
            out.push({
              resource: resourceOf(o),
              path: ["spec", "triggers", i, "metadata", "query"],
              expr: q,
              origin: "keda",
              owner: t,
              object: o,
            });
          }
        });
      }
      for (const g of this.ruleGroups()) {
        asArray(g.group.rules).forEach((r, i) => {
          const expr = typeof r?.expr === "number" ? String(r.expr) : str(r?.expr);
          if (expr === undefined) return;
          out.push({
            resource: g.resource,
            path: [...g.path, "rules", i, "expr"],
            expr,
            origin: r.alert !== undefined ? "alert" : "record",
            owner: r,
          });
        });
      }
      for (const a of this.adapterRules()) {
        const series = str(a.rule.seriesQuery);
        if (series !== undefined)
          out.push({
            resource: a.resource,
            path: [...a.path, "seriesQuery"],
            expr: series,
            origin: "adapter-series",
            owner: a.rule,
            adapterKind: a.kind,
          });
        const mq = str(a.rule.metricsQuery);
        if (mq !== undefined) {
          out.push({
            resource: a.resource,
            path: [...a.path, "metricsQuery"],
            expr: fillAdapterTemplate(mq, a.rule, a.kind, this.config.namespace, this.config.service.name),
            origin: "adapter-metrics",
            owner: a.rule,
            adapterKind: a.kind,
          });
        }
      }
      return out;
    });
  }

  /** Plain-Prometheus scrape jobs (`job_name`) wherever they are rendered: ConfigMaps, Secrets, files, Helm values. */
  scrapeJobs(): ScrapeJobRef[] {
    return this.once("scrapeJobs", () => {
      const out: ScrapeJobRef[] = [];
      const seen = new EqualValues((job: K8sObject) => String(job.job_name));
      const collect = (resource: string, root: unknown, base: PathSegment[]) =>
        deepWalk(
          root,
          base,
          (v, p) => {
            if (!isObject(v) || typeof v.job_name !== "string") return;
            if (!seen.add(v)) return;
            out.push({ resource, path: [...p], job: v });
          },
          mayNameAJob,
        );
      for (const o of this.objects) {
        if (o.kind === "ConfigMap") collect(resourceOf(o), o.data, ["data"]);
        if (o.kind === "Secret") {
          collect(resourceOf(o), o.stringData, ["stringData"]);
          const decoded: Record<string, string> = {};
          for (const [k, v] of Object.entries(isObject(o.data) ? o.data : {}))
            if (typeof v === "string") decoded[k] = Buffer.from(v, "base64").toString("utf8");
          collect(resourceOf(o), decoded, ["data"]);
        }
      }
      for (const f of this.parsedFiles()) {
        // Stryker disable next-line ConditionalExpression: a search's shortcut (walking the file finds nothing more)
        if (!mayNameAJob(f.content)) continue;
        f.docs.forEach((d, i) => collect(fileResource(f.path), d, f.docs.length > 1 ? [i] : []));
      }
      for (const [addon, values] of Object.entries(this.helmValues)) collect(`HelmValues ${addon}`, values, []);
      return out;
    });
  }

  /** KEDA runs in the environment: declared by the config or implied by a keda.sh object. */
  get kedaPresent(): boolean {
    return this.config.cluster.keda || this.objects.some((o) => apiGroup(o) === "keda.sh");
  }
}

/**
 * Whether a YAML/JSON text may hold a `job_name` key: written as such, or through an escape that
 * can write a letter or join lines (any but JSON's `\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`).
 * A text that cannot is not parsed and walked in search of scrape jobs (most are dashboards and
 * rule files, which never hold one). Aliases and merge keys repeat a key written out elsewhere.
 */
export function mayNameAJob(text: string): boolean {
  return MAY_NAME_A_JOB.test(text);
}
const MAY_NAME_A_JOB = /job_name|\\[^"\\/bfnrt]/;

/** `keda.sh` for `keda.sh/v1alpha1`, `""` for core `v1`. */
export function apiGroup(o: K8sObject): string {
  const v = typeof o.apiVersion === "string" ? o.apiVersion : "";
  return v.includes("/") ? v.slice(0, v.indexOf("/")) : "";
}

/** A prometheus-adapter config: `rules`/`externalRules` lists whose items carry a seriesQuery or metricsQuery. */
function isAdapterConfig(doc: unknown): doc is LooseObject {
  if (!isObject(doc)) return false;
  return ["rules", "externalRules"].some((k) => asArray(doc[k]).some((r) => isObject(r) && ("seriesQuery" in r || "metricsQuery" in r)));
}
