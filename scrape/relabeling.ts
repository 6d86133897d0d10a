/**
 * What a scrape does to labels, as Prometheus does it: relabeling (target and metric), the merge
 * of target labels with the labels a target exposes (`honor_labels`), and the synthetic `up`.
 *
 * The scrape constructs (ServiceMonitor, kubernetes_sd pod job) describe themselves with these
 * rules, and the promtool tests build their input series with {@link storedSeriesLabels}: a
 * query is then tested against exactly the labels the environment's scrape stores, so a scrape
 * that renames `endpoint` to `exported_endpoint` fails a test instead of silently emptying a
 * trigger.
 */

export type Labels = Readonly<Record<string, string>>;

/** The relabel actions this program writes (a subset of Prometheus'). */
export type RelabelAction = "replace" | "keep" | "drop" | "labeldrop" | "labelkeep";

/** One relabel rule, Prometheus semantics. */
export interface RelabelRule {
  /** Labels whose values, joined by `separator`, the regex is matched against. @default [] */
  readonly sourceLabels?: readonly string[];
  /** @default ";" */
  readonly separator?: string;
  /** RE2 regex, anchored at both ends. @default "(.*)" */
  readonly regex?: string;
  /** Label `replace` writes. Required for `replace`. */
  readonly targetLabel?: string;
  /** `$1`/`${1}` expand to regex groups. @default "$1" */
  readonly replacement?: string;
  /** @default "replace" */
  readonly action?: RelabelAction;
}

import { InvariantError } from "../problems/problem.js";

export class RelabelError extends InvariantError {
  constructor(message: string) {
    super(message, "correct the relabeling rule (regex, action, source labels)", "RELABEL_INVALID");
  }
}

function anchored(regex: string): RegExp {
  try {
    return new RegExp(`^(?:${regex})$`);
  } catch (e) {
    throw new RelabelError(`relabel regex ${JSON.stringify(regex)} is invalid: ${(e as Error).message}`);
  }
}

function expand(replacement: string, m: RegExpExecArray): string {
  return replacement.replace(/\$\{(\w+)\}|\$(\d+)/g, (_all, braced: string | undefined, bare: string | undefined) => {
    const key = braced ?? bare!;
    const v = /^\d+$/.test(key) ? m[Number(key)] : m.groups?.[key];
    return v ?? "";
  });
}

/** Escapes a literal for use inside a relabel (RE2) regex. */
export function regexEscape(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Applies `rules` in order. Returns undefined when a keep/drop rule drops the target or sample.
 * A label set to the empty string is removed, as in Prometheus.
 */
export function relabel(labels: Labels, rules: readonly RelabelRule[]): Record<string, string> | undefined {
  const out: Record<string, string> = { ...labels };
  for (const r of rules) {
    const action = r.action ?? "replace";
    const re = anchored(r.regex ?? "(.*)");
    const value = (r.sourceLabels ?? []).map((l) => out[l] ?? "").join(r.separator ?? ";");
    switch (action) {
      case "keep":
        if (!re.test(value)) return undefined;
        break;
      case "drop":
        if (re.test(value)) return undefined;
        break;
      case "replace": {
        if (!r.targetLabel) throw new RelabelError("a replace rule needs targetLabel");
        const m = re.exec(value);
        if (!m) break;
        const v = expand(r.replacement ?? "$1", m);
        if (v === "") delete out[r.targetLabel];
        else out[r.targetLabel] = v;
        break;
      }
      case "labeldrop":
        for (const k of Object.keys(out)) if (re.test(k)) delete out[k];
        break;
      case "labelkeep":
        for (const k of Object.keys(out)) if (!re.test(k)) delete out[k];
        break;
    }
  }
  for (const k of Object.keys(out)) if (out[k] === "") delete out[k];
  return out;
}

/** Rules as Prometheus' `relabel_configs` YAML (snake_case, defaults left out). */
export function toPrometheusRelabelConfigs(rules: readonly RelabelRule[]): Record<string, unknown>[] {
  return rules.map((r) => ({
    ...(r.sourceLabels ? { source_labels: [...r.sourceLabels] } : {}),
    ...(r.separator !== undefined ? { separator: r.separator } : {}),
    ...(r.regex !== undefined ? { regex: r.regex } : {}),
    ...(r.targetLabel !== undefined ? { target_label: r.targetLabel } : {}),
    ...(r.replacement !== undefined ? { replacement: r.replacement } : {}),
    action: r.action ?? "replace",
  }));
}

/** Rules as the Prometheus Operator's RelabelConfig (camelCase). */
export function toOperatorRelabelings(rules: readonly RelabelRule[]): Record<string, unknown>[] {
  return rules.map((r) => ({
    ...(r.sourceLabels ? { sourceLabels: [...r.sourceLabels] } : {}),
    ...(r.separator !== undefined ? { separator: r.separator } : {}),
    ...(r.regex !== undefined ? { regex: r.regex } : {}),
    ...(r.targetLabel !== undefined ? { targetLabel: r.targetLabel } : {}),
    ...(r.replacement !== undefined ? { replacement: r.replacement } : {}),
    action: r.action ?? "replace",
  }));
}

/**
 * A target after service discovery and target relabeling: `job`, `__address__` etc. are set
 * first, then `relabel_configs` run, then `instance` defaults to `__address__` and the `__`
 * labels are removed. Returns undefined when the rules drop the target.
 */
export function discoveredTarget(job: string, discovered: Labels, rules: readonly RelabelRule[]): Record<string, string> | undefined {
  const relabeled = relabel({ job, ...discovered }, rules);
  if (!relabeled) return undefined;
  const out: Record<string, string> = {};
  if (relabeled.instance === undefined && relabeled.__address__) out.instance = relabeled.__address__;
  for (const [k, v] of Object.entries(relabeled)) if (!k.startsWith("__")) out[k] = v;
  return out;
}

/** How one scrape job treats the samples of its targets. */
export interface ScrapeBehavior {
  /** Exposed labels win over target labels (`honor_labels`). */
  readonly honorLabels: boolean;
  /** `metric_relabel_configs` / `metricRelabelings`. */
  readonly metricRelabel: readonly RelabelRule[];
}

/**
 * The labels a sample is stored with: target labels merged with the exposed ones (a conflicting
 * exposed label becomes `exported_<name>` unless `honorLabels`), then metric relabeling.
 * Returns undefined when metric relabeling drops the sample.
 */
export function storedSeriesLabels(target: Labels, exposed: Labels, behavior: ScrapeBehavior): Record<string, string> | undefined {
  const merged: Record<string, string> = { ...exposed };
  for (const [k, v] of Object.entries(target)) {
    if (behavior.honorLabels) {
      if (!(k in merged) || merged[k] === "") merged[k] = v;
      continue;
    }
    if (k in merged && merged[k] !== "") {
      let exported = `exported_${k}`;
      while (exported in merged) exported = `exported_${exported}`;
      merged[exported] = merged[k]!;
    }
    merged[k] = v;
  }
  return relabel(merged, behavior.metricRelabel);
}

/** `up` carries the target labels only: metric relabeling does not apply to it. */
export function upSeriesLabels(target: Labels): Record<string, string> {
  return { ...target };
}

/** A discovered Kubernetes pod, enough to emulate kubernetes_sd and the operator's labels. */
export interface PodTarget {
  readonly name: string;
  readonly namespace: string;
  readonly ip: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly containerName: string;
  readonly port: { readonly name: string; readonly number: number; readonly protocol?: string };
}

function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, "_");
}

/** The `__meta_kubernetes_pod_*` labels kubernetes_sd (role pod) gives one container port. */
export function podDiscoveryLabels(pod: PodTarget): Record<string, string> {
  const out: Record<string, string> = {
    __address__: `${pod.ip}:${pod.port.number}`,
    __meta_kubernetes_namespace: pod.namespace,
    __meta_kubernetes_pod_name: pod.name,
    __meta_kubernetes_pod_ip: pod.ip,
    __meta_kubernetes_pod_ready: "true",
    __meta_kubernetes_pod_phase: "Running",
    __meta_kubernetes_pod_container_name: pod.containerName,
    __meta_kubernetes_pod_container_init: "false",
    __meta_kubernetes_pod_container_port_name: pod.port.name,
    __meta_kubernetes_pod_container_port_number: String(pod.port.number),
    __meta_kubernetes_pod_container_port_protocol: pod.port.protocol ?? "TCP",
  };
  for (const [k, v] of Object.entries(pod.labels)) {
    out[`__meta_kubernetes_pod_label_${sanitize(k)}`] = v;
    out[`__meta_kubernetes_pod_labelpresent_${sanitize(k)}`] = "true";
  }
  for (const [k, v] of Object.entries(pod.annotations)) {
    out[`__meta_kubernetes_pod_annotation_${sanitize(k)}`] = v;
    out[`__meta_kubernetes_pod_annotationpresent_${sanitize(k)}`] = "true";
  }
  return out;
}

/** The meta label kubernetes_sd gives a pod label (`app.kubernetes.io/name` → `..._app_kubernetes_io_name`). */
export function podLabelMeta(label: string): string {
  return `__meta_kubernetes_pod_label_${sanitize(label)}`;
}

/** The meta label kubernetes_sd gives a pod annotation. */
export function podAnnotationMeta(annotation: string): string {
  return `__meta_kubernetes_pod_annotation_${sanitize(annotation)}`;
}

/**
 * One way of scraping the service: its job, how a pod becomes a target, and how samples are
 * stored. Implemented by the ServiceMonitor and the kubernetes_sd pod job.
 */
export interface ScrapeModel {
  /** The `job` label of the service's series (what queries scope on). */
  readonly job: string;
  readonly behavior: ScrapeBehavior;
  /** Target labels for `pod`, or undefined when the job does not scrape it. */
  targetLabels(pod: PodTarget): Record<string, string> | undefined;
}
