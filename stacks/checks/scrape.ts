/**
 * Check 2 (is the service scraped?) and what checks 3 and 6 need from it: the target labels and
 * sample-merging behaviour of every scrape that reaches the service's metrics port.
 *
 * Scrapes are read from the rendered output whatever produced them: ServiceMonitors and
 * PodMonitors (Prometheus Operator) and plain `scrape_configs` jobs (kubernetes_sd, pod and
 * endpoints roles), simulated with the relabel engine of constructs/scrape-labels.ts.
 */
import {
  podDiscoveryLabels,
  relabel,
  type Labels,
  type PodTarget,
  type RelabelRule,
  type ScrapeBehavior,
} from "../../constructs/scrape-labels.js";
import type { CheckContext, PodTemplateRef } from "./context.js";
import { contractSeries } from "./contract.js";
import { safeSelectors } from "./promql.js";
import type { K8sObject, PathSegment } from "./types.js";
import { asArray, formatPath, isObject, promDurationSeconds, resourceOf, selectorMatches, str } from "./util.js";

/** One way the service's metrics port is scraped, as seen by the series it stores. */
export interface ProducedScrape {
  readonly resource: string;
  readonly path: readonly PathSegment[];
  /** Target labels one service pod's metrics port gets (job, namespace, pod, ...). */
  readonly target: Labels;
  readonly behavior: ScrapeBehavior;
  readonly intervalSeconds?: number;
}

interface ScrapeProblem {
  readonly resource: string;
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly fix: string;
}

export interface ScrapeAnalysis {
  /** Scrapes that reach the metrics port at the contract's path. */
  readonly valid: readonly ProducedScrape[];
  /** Scrapes that target the service but are wrong (always errors). */
  readonly broken: readonly ScrapeProblem[];
  /** Why the scrapes that reach nothing of the service do not (reported when nothing scrapes it). */
  readonly unrelated: readonly string[];
}

const POD_IP = "10.0.0.10";

/** A relabel rule as rendered (Prometheus snake_case or operator camelCase). */
export function toRelabelRule(r: unknown): RelabelRule | undefined {
  if (!isObject(r)) return undefined;
  const action = (str(r.action) ?? "replace").toLowerCase();
  return {
    sourceLabels: asArray(r.source_labels ?? r.sourceLabels).map(String),
    ...(r.separator !== undefined ? { separator: String(r.separator) } : {}),
    ...(r.regex !== undefined ? { regex: String(r.regex) } : {}),
    ...((r.target_label ?? r.targetLabel) !== undefined ? { targetLabel: String(r.target_label ?? r.targetLabel) } : {}),
    ...(r.replacement !== undefined ? { replacement: String(r.replacement) } : {}),
    action: action as RelabelRule["action"],
  };
}

function rules(list: unknown): RelabelRule[] {
  return asArray(list).map(toRelabelRule).filter((r): r is RelabelRule => r !== undefined);
}

/** Runs relabel rules; a rule Prometheus would reject (bad regex, replace without target) is a problem. */
function safeRelabel(labels: Labels, rs: readonly RelabelRule[]): { labels?: Record<string, string>; error?: string } {
  try {
    const out = relabel(labels, rs);
    return out ? { labels: out } : {};
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function stripMeta(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  if (labels.instance === undefined && labels.__address__) out.instance = labels.__address__;
  for (const [k, v] of Object.entries(labels)) if (!k.startsWith("__")) out[k] = v;
  return out;
}

interface ContainerPort {
  readonly container: string;
  readonly name: string;
  readonly number: number;
  readonly protocol: string;
}

function containerPorts(pods: PodTemplateRef): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const c of asArray(pods.template.spec?.containers)) {
    for (const p of asArray(c?.ports)) {
      if (typeof p?.containerPort === "number") out.push({ container: String(c.name), name: str(p.name) ?? "", number: p.containerPort, protocol: str(p.protocol) ?? "TCP" });
    }
  }
  return out;
}

function podName(pods: PodTemplateRef): string {
  return `${pods.object.metadata?.name ?? "pod"}-5d9c7b8f6b-x2x7k`;
}

function podTarget(pods: PodTemplateRef, port: ContainerPort): PodTarget {
  return {
    name: podName(pods),
    namespace: String(pods.object.metadata?.namespace ?? ""),
    ip: POD_IP,
    labels: labelsOf(pods.template.metadata?.labels),
    annotations: labelsOf(pods.template.metadata?.annotations),
    containerName: port.container,
    port: { name: port.name, number: port.number, protocol: port.protocol },
  };
}

function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
  return out;
}

function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, "_");
}

/** The container port a Service port forwards to. */
function serviceTargetPort(svcPort: K8sObject, ports: readonly ContainerPort[]): ContainerPort | undefined {
  const tp = svcPort.targetPort ?? svcPort.port;
  return typeof tp === "string" ? ports.find((p) => p.name === tp) : ports.find((p) => p.number === tp);
}

function describePort(p: ContainerPort | undefined): string {
  return p ? `${p.number}${p.name ? ` (${p.name})` : ""}` : "no container port";
}

/** Analyses every scrape in the environment against the service's Service and pods. */
export function analyzeScrapes(ctx: CheckContext): ScrapeAnalysis {
  const valid: ProducedScrape[] = [];
  const broken: ScrapeProblem[] = [];
  const unrelated: string[] = [];
  const svc = ctx.service;
  const pods = ctx.servicePods;
  const { port: metricsPort, portName, path: metricsPath } = ctx.contract;
  if (!pods) return { valid, broken, unrelated: ["the environment renders no serving workload"] };
  const ports = containerPorts(pods);
  const podLabels = labelsOf(pods.template.metadata?.labels);
  const ns = String(pods.object.metadata?.namespace ?? ctx.config.namespace);
  const selectorLabels = ctx.config.monitoring.selectorLabels;
  const metricsPortText = `${metricsPort} (${portName})`;

  const missingSelectorLabels = (o: K8sObject) => Object.entries(selectorLabels).filter(([k, v]) => labelsOf(o.metadata?.labels)[k] !== v);

  // ServiceMonitors: Service selected by labels and namespace; endpoint port names a Service port.
  for (const sm of ctx.ofKind("ServiceMonitor", "monitoring.coreos.com")) {
    const res = resourceOf(sm);
    const smNs = str(sm.metadata?.namespace) ?? "";
    if (!svc) {
      unrelated.push(`${res}: the environment renders no Service for it to select`);
      continue;
    }
    const svcNs = str(svc.metadata?.namespace) ?? "";
    const nsSel = sm.spec?.namespaceSelector;
    const nsOk = nsSel?.any === true || (Array.isArray(nsSel?.matchNames) ? nsSel.matchNames.includes(svcNs) : smNs === svcNs);
    const svcLabels = labelsOf(svc.metadata?.labels);
    if (!nsOk) {
      unrelated.push(`${res} watches namespaces ${JSON.stringify(nsSel?.matchNames ?? [smNs])}, not ${svcNs}`);
      continue;
    }
    if (!selectorMatches(sm.spec?.selector, svcLabels)) {
      unrelated.push(`${res} spec.selector ${JSON.stringify(sm.spec?.selector ?? {})} does not select Service ${svcNs}/${svc.metadata?.name} (labels ${JSON.stringify(svcLabels)})`);
      continue;
    }
    const missing = missingSelectorLabels(sm);
    if (missing.length) {
      broken.push({
        resource: res,
        path: ["metadata", "labels"],
        message: `lacks ${missing.map(([k, v]) => `${k}=${v}`).join(", ")}, the labels Prometheus selects ServiceMonitors by (monitoring.selectorLabels): it is never loaded`,
        fix: "add monitoring.selectorLabels to the ServiceMonitor's labels",
      });
      continue;
    }
    if (!selectorMatches({ matchLabels: svc.spec?.selector ?? {} }, podLabels) || !isObject(svc.spec?.selector)) {
      broken.push({
        resource: resourceOf(svc),
        path: ["spec", "selector"],
        message: `selects no pod of ${pods.resource} (pod labels ${JSON.stringify(podLabels)}): ${res} finds no endpoints to scrape`,
        fix: "make the Service selector a subset of the pod template labels",
      });
      continue;
    }
    asArray(sm.spec?.endpoints).forEach((ep, i) => {
      const path: PathSegment[] = ["spec", "endpoints", i];
      const svcPorts = asArray(svc.spec?.ports);
      let target: ContainerPort | undefined;
      if (ep?.port !== undefined) {
        const sp = svcPorts.find((p) => p?.name === ep.port);
        if (!sp) {
          broken.push({
            resource: res,
            path: [...path, "port"],
            message: `port ${JSON.stringify(ep.port)} is not a port name of Service ${svcNs}/${svc.metadata?.name} (it has ${svcPorts.map((p) => JSON.stringify(p?.name)).join(", ")})`,
            fix: `use the Service port name "${portName}" (service.metrics.portName)`,
          });
          return;
        }
        target = serviceTargetPort(sp, ports);
      } else if (ep?.targetPort !== undefined) {
        target = typeof ep.targetPort === "string" ? ports.find((p) => p.name === ep.targetPort) : ports.find((p) => p.number === ep.targetPort);
      } else {
        broken.push({ resource: res, path, message: "names no port", fix: `set port: "${portName}"` });
        return;
      }
      if (target?.number !== metricsPort) {
        broken.push({
          resource: res,
          path: [...path, ep?.port !== undefined ? "port" : "targetPort"],
          message: `scrapes container port ${describePort(target)}, but the service serves metrics on ${metricsPortText}`,
          fix: `scrape the port named "${portName}"`,
        });
        return;
      }
      const epPath = str(ep?.path) ?? "/metrics";
      if (epPath !== metricsPath) {
        broken.push({ resource: res, path: [...path, "path"], message: `scrapes ${epPath}, but the service exposes metrics at ${metricsPath}`, fix: `set path: ${metricsPath}` });
        return;
      }
      const svcName = String(svc.metadata?.name);
      const jobLabel = str(sm.spec?.jobLabel);
      const meta: Record<string, string> = {
        ...podDiscoveryLabels(podTarget(pods, target)),
        __meta_kubernetes_service_name: svcName,
        __meta_kubernetes_endpoint_port_name: String(ep.port ?? ""),
        job: jobLabel && svcLabels[jobLabel] ? svcLabels[jobLabel]! : svcName,
        namespace: svcNs,
        service: svcName,
        pod: podName(pods),
        container: target.container,
        endpoint: String(ep.port ?? target.name),
      };
      for (const [k, v] of Object.entries(svcLabels)) meta[`__meta_kubernetes_service_label_${sanitize(k)}`] = v;
      const r = safeRelabel(meta, rules(ep.relabelings));
      if (r.error) {
        broken.push({ resource: res, path: [...path, "relabelings"], message: `Prometheus rejects a relabeling: ${r.error}`, fix: "correct the relabeling" });
        return;
      }
      if (!r.labels) {
        broken.push({ resource: res, path: [...path, "relabelings"], message: "its relabelings drop the service's target", fix: "keep the service's pods in the relabelings" });
        return;
      }
      valid.push({
        resource: res,
        path,
        target: stripMeta(r.labels),
        behavior: { honorLabels: ep.honorLabels === true, metricRelabel: rules(ep.metricRelabelings) },
        ...(promDurationSeconds(ep.interval) !== undefined ? { intervalSeconds: promDurationSeconds(ep.interval)! } : {}),
      });
    });
  }

  // PodMonitors: pods selected directly; port names a container port.
  for (const pm of ctx.ofKind("PodMonitor", "monitoring.coreos.com")) {
    const res = resourceOf(pm);
    const pmNs = str(pm.metadata?.namespace) ?? "";
    const nsSel = pm.spec?.namespaceSelector;
    const nsOk = nsSel?.any === true || (Array.isArray(nsSel?.matchNames) ? nsSel.matchNames.includes(ns) : pmNs === ns);
    if (!nsOk || !selectorMatches(pm.spec?.selector, podLabels)) {
      unrelated.push(`${res} does not select the pods of ${pods.resource}`);
      continue;
    }
    const missing = missingSelectorLabels(pm);
    if (missing.length) {
      broken.push({ resource: res, path: ["metadata", "labels"], message: `lacks ${missing.map(([k, v]) => `${k}=${v}`).join(", ")} (monitoring.selectorLabels): it is never loaded`, fix: "add monitoring.selectorLabels to its labels" });
      continue;
    }
    asArray(pm.spec?.podMetricsEndpoints).forEach((ep, i) => {
      const path: PathSegment[] = ["spec", "podMetricsEndpoints", i];
      const target = ports.find((p) => p.name === ep?.port);
      if (target?.number !== metricsPort) {
        broken.push({ resource: res, path: [...path, "port"], message: `port ${JSON.stringify(ep?.port)} is ${describePort(target)}, not the metrics port ${metricsPortText}`, fix: `use port "${portName}"` });
        return;
      }
      if ((str(ep.path) ?? "/metrics") !== metricsPath) {
        broken.push({ resource: res, path: [...path, "path"], message: `scrapes ${str(ep.path) ?? "/metrics"}, not ${metricsPath}`, fix: `set path: ${metricsPath}` });
        return;
      }
      const jobLabel = str(pm.spec?.jobLabel);
      valid.push({
        resource: res,
        path,
        target: {
          job: jobLabel && podLabels[jobLabel] ? podLabels[jobLabel]! : `${pmNs}/${pm.metadata?.name}`,
          namespace: ns,
          pod: podName(pods),
          container: target.container,
          endpoint: target.name,
          instance: `${POD_IP}:${target.number}`,
        },
        behavior: { honorLabels: ep.honorLabels === true, metricRelabel: rules(ep.metricRelabelings) },
        ...(promDurationSeconds(ep.interval) !== undefined ? { intervalSeconds: promDurationSeconds(ep.interval)! } : {}),
      });
    });
  }

  // Plain Prometheus scrape jobs: kubernetes_sd discovery of the service's pods, then relabeling.
  for (const { resource, path, job } of ctx.scrapeJobs()) {
    const name = String(job.job_name);
    const where = `${resource} ${formatPath(path)} (job ${JSON.stringify(name)})`;
    const sds = asArray(job.kubernetes_sd_configs).filter(isObject);
    if (sds.length === 0) {
      unrelated.push(`${where} uses no kubernetes_sd_configs`);
      continue;
    }
    const kept: { port: ContainerPort; labels: Record<string, string> }[] = [];
    let relabelError: string | undefined;
    for (const sd of sds) {
      const role = str(sd.role);
      const names = sd.namespaces?.names;
      if (Array.isArray(names) && !names.includes(ns)) continue;
      if (!selectorsAllow(sd.selectors, role, podLabels)) continue;
      for (const port of ports) {
        let discovered: Record<string, string>;
        if (role === "pod") discovered = podDiscoveryLabels(podTarget(pods, port));
        else if (role === "endpoints" || role === "endpointslice") {
          const sp = svc ? asArray(svc.spec?.ports).find((p) => serviceTargetPort(p, ports) === port) : undefined;
          if (!svc || !sp || !selectorMatches({ matchLabels: svc.spec?.selector ?? {} }, podLabels)) continue;
          discovered = {
            ...podDiscoveryLabels(podTarget(pods, port)),
            __meta_kubernetes_service_name: String(svc.metadata?.name),
            __meta_kubernetes_endpoints_name: String(svc.metadata?.name),
            __meta_kubernetes_endpoint_port_name: str(sp.name) ?? "",
            __meta_kubernetes_endpoint_port_protocol: str(sp.protocol) ?? "TCP",
            __meta_kubernetes_endpoint_ready: "true",
          };
          for (const [k, v] of Object.entries(labelsOf(svc.metadata?.labels))) discovered[`__meta_kubernetes_service_label_${sanitize(k)}`] = v;
          for (const [k, v] of Object.entries(labelsOf(svc.metadata?.annotations))) discovered[`__meta_kubernetes_service_annotation_${sanitize(k)}`] = v;
        } else continue;
        const r = safeRelabel(
          { job: name, __metrics_path__: str(job.metrics_path) ?? "/metrics", __scheme__: str(job.scheme) ?? "http", ...discovered },
          rules(job.relabel_configs),
        );
        if (r.error) relabelError = r.error;
        else if (r.labels) kept.push({ port, labels: r.labels });
      }
    }
    if (relabelError) {
      broken.push({ resource, path: [...path, "relabel_configs"], message: `job ${JSON.stringify(name)}: Prometheus rejects a relabel rule: ${relabelError}`, fix: "correct the relabel rule" });
      continue;
    }
    if (kept.length === 0) {
      unrelated.push(`${where} keeps no target of ${pods.resource} (its namespaces, selectors or keep rules exclude the pods' labels ${JSON.stringify(podLabels)})`);
      continue;
    }
    const interval = promDurationSeconds(job.scrape_interval);
    for (const k of kept) {
      const port = Number(/:(\d+)$/.exec(k.labels.__address__ ?? "")?.[1]);
      if (port !== metricsPort) {
        broken.push({
          resource,
          path,
          message: `job ${JSON.stringify(name)} scrapes ${pods.resource} on port ${Number.isFinite(port) ? port : "(none)"} (container port ${describePort(k.port)}), but metrics are served on ${metricsPortText}: that target is down forever`,
          fix: `keep only __meta_kubernetes_pod_container_port_name="${portName}"`,
        });
        continue;
      }
      if ((k.labels.__metrics_path__ ?? "/metrics") !== metricsPath) {
        broken.push({ resource, path: [...path, "metrics_path"], message: `job ${JSON.stringify(name)} scrapes ${k.labels.__metrics_path__}, but metrics are at ${metricsPath}`, fix: `set metrics_path: ${metricsPath}` });
        continue;
      }
      valid.push({
        resource,
        path,
        target: stripMeta(k.labels),
        behavior: { honorLabels: job.honor_labels === true, metricRelabel: rules(job.metric_relabel_configs) },
        ...(interval !== undefined ? { intervalSeconds: interval } : {}),
      });
    }
  }
  return { valid, broken, unrelated };
}

/** kubernetes_sd `selectors` of the discovery role: only label equality selectors are read. */
function selectorsAllow(selectors: unknown, role: string | undefined, podLabels: Labels): boolean {
  for (const s of asArray(selectors)) {
    if (!isObject(s) || (s.role !== undefined && s.role !== role) || typeof s.label !== "string") continue;
    for (const term of s.label.split(",")) {
      const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(\S*)\s*$/.exec(term);
      if (!m) continue;
      const equal = podLabels[m[1]!] === m[3];
      if ((m[2] === "!=") === equal) return false;
    }
  }
  return true;
}

const cache = new WeakMap<CheckContext, ScrapeAnalysis>();

/** {@link analyzeScrapes}, once per context. */
export function scrapesOf(ctx: CheckContext): ScrapeAnalysis {
  let a = cache.get(ctx);
  if (!a) {
    a = analyzeScrapes(ctx);
    cache.set(ctx, a);
  }
  return a;
}

/** Query sites that read the service's contract series (what makes a missing scrape an error). */
function contractReaders(ctx: CheckContext, isContractSeries: (m: string) => boolean): string[] {
  const out = new Set<string>();
  for (const q of ctx.queries()) {
    if (q.origin === "adapter-series") continue;
    if (metricsIn(q.expr).some(isContractSeries)) out.add(`${q.resource} ${formatPath(q.path)}`);
  }
  return [...out];
}

function metricsIn(expr: string): string[] {
  return safeSelectors(expr).map((s) => s.metric).filter((m): m is string => m !== undefined);
}

/** Check 2: METRIC_NOT_SCRAPED and RULES_NOT_SELECTED. */
export function checkScrapes(ctx: CheckContext): void {
  const a = scrapesOf(ctx);
  for (const b of a.broken) ctx.sink.error("METRIC_NOT_SCRAPED", b.resource, b.path, b.message, b.fix);
  const series = contractSeries(ctx.contract);
  const readers = contractReaders(ctx, (m) => series.has(m));
  if (a.valid.length === 0 && a.broken.length === 0 && readers.length > 0) {
    const svc = ctx.service;
    ctx.sink.error(
      "METRIC_NOT_SCRAPED",
      svc ? resourceOf(svc) : ctx.configResource,
      svc ? "metadata.labels" : "monitoring.scrape",
      `${readers.length} quer${readers.length === 1 ? "y reads" : "ies read"} the service's metrics (${readers.slice(0, 3).join("; ")}${readers.length > 3 ? "; ..." : ""}), but nothing scrapes its metrics port ${ctx.contract.port} (${ctx.contract.portName}) at ${ctx.contract.path}${a.unrelated.length ? `: ${a.unrelated.join("; ")}` : ": no ServiceMonitor, PodMonitor or scrape job is rendered"}`,
      `render a ServiceMonitor selecting the Service's labels with endpoint port "${ctx.contract.portName}" (monitoring.scrape: service-monitor), or a scrape job keeping the pods' app label and that port (pod-annotations)`,
    );
  }
  const wanted = Object.entries(ctx.config.monitoring.selectorLabels);
  for (const pr of ctx.ofKind("PrometheusRule", "monitoring.coreos.com")) {
    const labels = labelsOf(pr.metadata?.labels);
    const missing = wanted.filter(([k, v]) => labels[k] !== v);
    if (missing.length) {
      ctx.sink.error(
        "RULES_NOT_SELECTED",
        resourceOf(pr),
        "metadata.labels",
        `lacks ${missing.map(([k, v]) => `${k}=${v}`).join(", ")}, the labels the Prometheus Operator selects rules by (monitoring.selectorLabels): its alerts never load`,
        "add monitoring.selectorLabels to the PrometheusRule's labels",
      );
    }
  }
}
