/**
 * METRIC_NOT_SCRAPED (is the service scraped?) and what QUERY_LABEL_MISMATCH (matchers.ts) and
 * RATE_WINDOW_TOO_SHORT (windows.ts) need from it: the target labels, intervals and
 * sample-merging behaviour of every scrape that reaches the service's metrics port.
 *
 * Scrapes are read from the rendered output whatever produced them: ServiceMonitors and
 * PodMonitors (Prometheus Operator) and plain `scrape_configs` jobs (kubernetes_sd, pod and
 * endpoints roles), simulated with the relabel engine of scrape/relabeling.ts (replace,
 * keep, drop, labeldrop, labelkeep; other actions such as labelmap are not applied). The pod
 * stands for every replica: one placeholder name and IP, its template's labels and ports.
 */
import {
  podDiscoveryLabels,
  relabel,
  type Labels,
  type PodTarget,
  type RelabelRule,
  type ScrapeBehavior,
} from "../../scrape/relabeling.js";
import type { CheckContext, PodTemplateRef } from "./context.js";
import { contractSeries } from "./contract.js";
import { meantForMain, safeSelectors } from "./promql.js";
import type { K8sObject, PathSegment } from "./types.js";
import { asArray, formatPath, isObject, resourceOf, selectorMatches, str } from "./util.js";
import { parseDurationSeconds } from "../../promql/metrics.js";

/** One way the service's metrics port is scraped, as seen by the series it stores. */
export interface ProducedScrape {
  readonly resource: string;
  readonly path: readonly PathSegment[];
  /** `Kind namespace/name` of the scraped workload. */
  readonly workload: string;
  /** The workload is the inference service (whose metric contract the config declares). */
  readonly main: boolean;
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
  /** Some scrape selects the inference service (valid or broken). */
  readonly targetsMain: boolean;
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
  return asArray(list)
    .map(toRelabelRule)
    .filter((r): r is RelabelRule => r !== undefined);
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
      if (typeof p?.containerPort === "number")
        out.push({ container: String(c.name), name: str(p.name) ?? "", number: p.containerPort, protocol: str(p.protocol) ?? "TCP" });
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

/** Services (in the pods' namespace) whose selector picks the pods. */
function servicesOf(ctx: CheckContext, pods: PodTemplateRef): K8sObject[] {
  const labels = labelsOf(pods.template.metadata?.labels);
  return ctx
    .ofKind("Service", "")
    .filter(
      (s) =>
        s.metadata?.namespace === pods.object.metadata?.namespace &&
        isObject(s.spec?.selector) &&
        selectorMatches({ matchLabels: s.spec.selector }, labels),
    );
}

/** What every part of the analysis reads: the environment, its inference service and contract. */
interface ScrapeScope {
  readonly ctx: CheckContext;
  /** The inference service's pods and Service (undefined when the env renders none). */
  readonly main: PodTemplateRef | undefined;
  readonly mainSvc: K8sObject | undefined;
  readonly metricsPort: number;
  readonly portName: string;
  readonly metricsPath: string;
  /** `9090 (metrics)`, for messages. */
  readonly metricsPortText: string;
  /** The long-running workloads a scrape may reach. */
  readonly workloads: readonly PodTemplateRef[];
}

/** The analysis as it is built: each part appends, in the order of the rendered objects. */
interface ScrapeFindings {
  readonly valid: ProducedScrape[];
  readonly broken: ScrapeProblem[];
  readonly unrelated: string[];
  targetsMain: boolean;
}

/** Scrape settings of one endpoint or job: whether it honours the pods' labels, its metric relabeling, its interval. */
interface ScrapeSettings {
  readonly honorLabels: unknown;
  readonly metricRelabelings: unknown;
  readonly interval: unknown;
}

function produce(
  s: ScrapeScope,
  out: ScrapeFindings,
  resource: string,
  path: readonly PathSegment[],
  pods: PodTemplateRef,
  target: Labels,
  settings: ScrapeSettings,
): void {
  const seconds = parseDurationSeconds(settings.interval);
  const behavior: ScrapeBehavior = { honorLabels: settings.honorLabels === true, metricRelabel: rules(settings.metricRelabelings) };
  out.valid.push({
    resource,
    path,
    workload: pods.resource,
    main: pods === s.main,
    target,
    behavior,
    ...(seconds !== undefined ? { intervalSeconds: seconds } : {}),
  });
}

/** The monitoring.selectorLabels a ServiceMonitor or PodMonitor lacks (Prometheus never loads it). */
function missingSelectorLabels(s: ScrapeScope, o: K8sObject): [string, string][] {
  return Object.entries(s.ctx.config.monitoring.selectorLabels).filter(([k, v]) => labelsOf(o.metadata?.labels)[k] !== v);
}

/** The namespaces a monitor's spec.namespaceSelector admits (its own namespace by default). */
function namespaceAdmits(monitor: K8sObject): (ns: string) => boolean {
  const own = str(monitor.metadata?.namespace) ?? "";
  const nsSel = monitor.spec?.namespaceSelector;
  return (ns) => nsSel?.any === true || (Array.isArray(nsSel?.matchNames) ? nsSel.matchNames.includes(ns) : own === ns);
}

/**
 * Analyses every scrape in the environment against every serving workload. Port and path are
 * checked against the metric contract for the inference service (the only workload whose
 * contract the env config declares); other workloads count as scraped when a target survives.
 */
export function analyzeScrapes(ctx: CheckContext): ScrapeAnalysis {
  const { port: metricsPort, portName, path: metricsPath } = ctx.contract;
  const s: ScrapeScope = {
    ctx,
    main: ctx.servicePods,
    mainSvc: ctx.service,
    metricsPort,
    portName,
    metricsPath,
    metricsPortText: `${metricsPort} (${portName})`,
    workloads: ctx.podTemplates().filter((p) => p.longRunning),
  };
  const out: ScrapeFindings = { valid: [], broken: [], unrelated: [], targetsMain: false };
  if (!s.main) out.unrelated.push("the environment renders no serving workload");
  for (const sm of ctx.ofKind("ServiceMonitor", "monitoring.coreos.com")) analyzeServiceMonitor(s, out, sm);
  for (const pm of ctx.ofKind("PodMonitor", "monitoring.coreos.com")) analyzePodMonitor(s, out, pm);
  for (const job of ctx.scrapeJobs()) analyzeScrapeJob(s, out, job);
  const { valid, broken, unrelated, targetsMain } = out;
  return { valid, broken, unrelated, targetsMain };
}

/** ServiceMonitors: Services selected by labels and namespace; endpoint port names a Service port. */
function analyzeServiceMonitor(s: ScrapeScope, out: ScrapeFindings, sm: K8sObject): void {
  const res = resourceOf(sm);
  const nsOk = namespaceAdmits(sm);
  const selected = s.ctx
    .ofKind("Service", "")
    .filter((svc) => nsOk(str(svc.metadata?.namespace) ?? "") && selectorMatches(sm.spec?.selector, labelsOf(svc.metadata?.labels)));
  if (selected.length === 0) {
    const mainSvc = s.mainSvc;
    const nsSel = sm.spec?.namespaceSelector;
    const svcText = mainSvc
      ? `Service ${mainSvc.metadata?.namespace}/${mainSvc.metadata?.name} (labels ${JSON.stringify(labelsOf(mainSvc.metadata?.labels))})`
      : "any Service";
    out.unrelated.push(
      `${res} (spec.selector ${JSON.stringify(sm.spec?.selector ?? {})}, namespaces ${JSON.stringify(nsSel?.any ? "any" : (nsSel?.matchNames ?? [str(sm.metadata?.namespace) ?? ""]))}) selects no Service, not ${svcText}`,
    );
    return;
  }
  if (s.mainSvc && selected.includes(s.mainSvc)) out.targetsMain = true;
  const missing = missingSelectorLabels(s, sm);
  if (missing.length) {
    out.broken.push({
      resource: res,
      path: ["metadata", "labels"],
      message: `lacks ${missing.map(([k, v]) => `${k}=${v}`).join(", ")}, the labels Prometheus selects ServiceMonitors by (monitoring.selectorLabels): it is never loaded`,
      fix: "add monitoring.selectorLabels to the ServiceMonitor's labels",
    });
    return;
  }
  for (const svc of selected) {
    const pods = s.workloads.find((w) => servicesOf(s.ctx, w).includes(svc));
    if (pods) asArray(sm.spec?.endpoints).forEach((ep, i) => analyzeServiceEndpoint(s, out, sm, svc, pods, ep, i));
    else if (svc === s.mainSvc) {
      out.broken.push({
        resource: resourceOf(svc),
        path: ["spec", "selector"],
        message: `selects no pod of the environment: ${res} finds no endpoints to scrape`,
        fix: "make the Service selector a subset of the pod template labels",
      });
    }
  }
}

/** The container port a ServiceMonitor endpoint scrapes through `svc`, or the problem that stops it. */
function endpointContainerPort(
  s: ScrapeScope,
  res: string,
  svc: K8sObject,
  pods: PodTemplateRef,
  ep: K8sObject | undefined,
  path: readonly PathSegment[],
): { port: ContainerPort | undefined } | { problem: ScrapeProblem } {
  const isMain = pods === s.main;
  const ports = containerPorts(pods);
  if (ep?.port !== undefined) {
    const svcPorts = asArray(svc.spec?.ports);
    const sp = svcPorts.find((p) => p?.name === ep.port);
    if (sp) return { port: serviceTargetPort(sp, ports) };
    return {
      problem: {
        resource: res,
        path: [...path, "port"],
        message: `port ${JSON.stringify(ep.port)} is not a port name of Service ${str(svc.metadata?.namespace) ?? ""}/${String(svc.metadata?.name)} (it has ${svcPorts.map((p) => JSON.stringify(p?.name)).join(", ")})`,
        fix: isMain ? `use the Service port name "${s.portName}" (service.metrics.portName)` : "use a port name of the Service",
      },
    };
  }
  if (ep?.targetPort !== undefined) {
    return {
      port: typeof ep.targetPort === "string" ? ports.find((p) => p.name === ep.targetPort) : ports.find((p) => p.number === ep.targetPort),
    };
  }
  return {
    problem: {
      resource: res,
      path,
      message: "names no port",
      fix: isMain ? `set port: "${s.portName}"` : "set port to a Service port name",
    },
  };
}

/** One endpoint of a ServiceMonitor through one selected Service: port, path, then the relabelings. */
function analyzeServiceEndpoint(
  s: ScrapeScope,
  out: ScrapeFindings,
  sm: K8sObject,
  svc: K8sObject,
  pods: PodTemplateRef,
  ep: K8sObject | undefined,
  i: number,
): void {
  const res = resourceOf(sm);
  const path: PathSegment[] = ["spec", "endpoints", i];
  const isMain = pods === s.main;
  const resolved = endpointContainerPort(s, res, svc, pods, ep, path);
  if ("problem" in resolved) {
    out.broken.push(resolved.problem);
    return;
  }
  const target = resolved.port;
  if (!target || (isMain && target.number !== s.metricsPort)) {
    out.broken.push({
      resource: res,
      path: [...path, ep?.port !== undefined ? "port" : "targetPort"],
      message: `scrapes container port ${describePort(target)} of ${pods.resource}${isMain ? `, but the service serves metrics on ${s.metricsPortText}` : ""}`,
      fix: isMain ? `scrape the port named "${s.portName}"` : "point the Service port at a container port",
    });
    return;
  }
  const epPath = str(ep?.path) ?? "/metrics";
  if (isMain && epPath !== s.metricsPath) {
    out.broken.push({
      resource: res,
      path: [...path, "path"],
      message: `scrapes ${epPath}, but the service exposes metrics at ${s.metricsPath}`,
      fix: `set path: ${s.metricsPath}`,
    });
    return;
  }
  const r = safeRelabel(serviceEndpointMeta(sm, svc, pods, ep!, target), rules(ep!.relabelings));
  if (r.error) {
    out.broken.push({
      resource: res,
      path: [...path, "relabelings"],
      message: `Prometheus rejects a relabeling: ${r.error}`,
      fix: "correct the relabeling",
    });
    return;
  }
  if (!r.labels) {
    if (isMain)
      out.broken.push({
        resource: res,
        path: [...path, "relabelings"],
        message: "its relabelings drop the service's target",
        fix: "keep the service's pods in the relabelings",
      });
    return;
  }
  produce(s, out, res, path, pods, stripMeta(r.labels), {
    honorLabels: ep!.honorLabels,
    metricRelabelings: ep!.metricRelabelings,
    interval: ep!.interval,
  });
}

/** The labels the Prometheus Operator gives a ServiceMonitor endpoint's target before its relabelings. */
function serviceEndpointMeta(
  sm: K8sObject,
  svc: K8sObject,
  pods: PodTemplateRef,
  ep: K8sObject,
  target: ContainerPort,
): Record<string, string> {
  const svcName = String(svc.metadata?.name);
  const svcLabels = labelsOf(svc.metadata?.labels);
  const jobLabel = str(sm.spec?.jobLabel);
  const meta: Record<string, string> = {
    ...podDiscoveryLabels(podTarget(pods, target)),
    __meta_kubernetes_service_name: svcName,
    __meta_kubernetes_endpoint_port_name: String(ep.port ?? ""),
    job: jobLabel && svcLabels[jobLabel] ? svcLabels[jobLabel] : svcName,
    namespace: str(svc.metadata?.namespace) ?? "",
    service: svcName,
    pod: podName(pods),
    container: target.container,
    endpoint: String(ep.port ?? target.name),
  };
  for (const [k, v] of Object.entries(svcLabels)) meta[`__meta_kubernetes_service_label_${sanitize(k)}`] = v;
  return meta;
}

/** PodMonitors: pods selected directly; port names a container port. */
function analyzePodMonitor(s: ScrapeScope, out: ScrapeFindings, pm: K8sObject): void {
  const res = resourceOf(pm);
  const nsOk = namespaceAdmits(pm);
  const selected = s.workloads.filter(
    (w) => nsOk(str(w.object.metadata?.namespace) ?? "") && selectorMatches(pm.spec?.selector, labelsOf(w.template.metadata?.labels)),
  );
  if (selected.length === 0) {
    out.unrelated.push(`${res} selects no pods${s.main ? ` (not those of ${s.main.resource})` : ""}`);
    return;
  }
  if (s.main && selected.includes(s.main)) out.targetsMain = true;
  const missing = missingSelectorLabels(s, pm);
  if (missing.length) {
    out.broken.push({
      resource: res,
      path: ["metadata", "labels"],
      message: `lacks ${missing.map(([k, v]) => `${k}=${v}`).join(", ")} (monitoring.selectorLabels): it is never loaded`,
      fix: "add monitoring.selectorLabels to its labels",
    });
    return;
  }
  for (const pods of selected) asArray(pm.spec?.podMetricsEndpoints).forEach((ep, i) => analyzePodEndpoint(s, out, pm, pods, ep, i));
}

/** One endpoint of a PodMonitor on one selected workload. */
function analyzePodEndpoint(
  s: ScrapeScope,
  out: ScrapeFindings,
  pm: K8sObject,
  pods: PodTemplateRef,
  ep: K8sObject | undefined,
  i: number,
): void {
  const res = resourceOf(pm);
  const isMain = pods === s.main;
  const path: PathSegment[] = ["spec", "podMetricsEndpoints", i];
  const target = containerPorts(pods).find((p) => p.name === ep?.port);
  if (!target || (isMain && target.number !== s.metricsPort)) {
    out.broken.push({
      resource: res,
      path: [...path, "port"],
      message: `port ${JSON.stringify(ep?.port)} is ${describePort(target)} of ${pods.resource}${isMain ? `, not the metrics port ${s.metricsPortText}` : ""}`,
      fix: isMain ? `use port "${s.portName}"` : "use a container port name",
    });
    return;
  }
  if (isMain && (str(ep!.path) ?? "/metrics") !== s.metricsPath) {
    out.broken.push({
      resource: res,
      path: [...path, "path"],
      message: `scrapes ${str(ep!.path) ?? "/metrics"}, not ${s.metricsPath}`,
      fix: `set path: ${s.metricsPath}`,
    });
    return;
  }
  const podLabels = labelsOf(pods.template.metadata?.labels);
  const jobLabel = str(pm.spec?.jobLabel);
  const labels = {
    job: jobLabel && podLabels[jobLabel] ? podLabels[jobLabel] : `${str(pm.metadata?.namespace) ?? ""}/${pm.metadata?.name}`,
    namespace: String(pods.object.metadata?.namespace ?? ""),
    pod: podName(pods),
    container: target.container,
    endpoint: target.name,
    instance: `${POD_IP}:${target.number}`,
  };
  produce(s, out, res, path, pods, labels, {
    honorLabels: ep!.honorLabels,
    metricRelabelings: ep!.metricRelabelings,
    interval: ep!.interval,
  });
}

/** Plain Prometheus scrape jobs: kubernetes_sd discovery of each workload's pods, then relabeling. */
function analyzeScrapeJob(
  s: ScrapeScope,
  out: ScrapeFindings,
  { resource, path, job }: { resource: string; path: readonly PathSegment[]; job: K8sObject },
): void {
  const name = String(job.job_name);
  const where = `${resource} ${formatPath(path)} (job ${JSON.stringify(name)})`;
  const sds = asArray(job.kubernetes_sd_configs).filter(isObject);
  if (sds.length === 0) {
    out.unrelated.push(`${where} uses no kubernetes_sd_configs`);
    return;
  }
  let relabelError: string | undefined;
  let keptMain = false;
  for (const pods of s.workloads) {
    const kept = discover(s.ctx, job, sds, pods);
    if (kept.error) relabelError = kept.error;
    if (pods === s.main && kept.targets.length > 0) keptMain = true;
    for (const k of kept.targets) {
      const problem = pods === s.main ? jobTargetProblem(s, resource, path, name, pods, k) : undefined;
      if (problem) out.broken.push(problem);
      else
        produce(s, out, resource, path, pods, stripMeta(k.labels), {
          honorLabels: job.honor_labels,
          metricRelabelings: job.metric_relabel_configs,
          interval: job.scrape_interval,
        });
    }
  }
  if (relabelError) {
    out.broken.push({
      resource,
      path: [...path, "relabel_configs"],
      message: `job ${JSON.stringify(name)}: Prometheus rejects a relabel rule: ${relabelError}`,
      fix: "correct the relabel rule",
    });
    return;
  }
  if (keptMain) out.targetsMain = true;
  if (!keptMain && s.main) {
    out.unrelated.push(
      `${where} keeps no target of ${s.main.resource} (its namespaces, selectors or keep rules exclude the pods' labels ${JSON.stringify(labelsOf(s.main.template.metadata?.labels))})`,
    );
  }
}

/** What is wrong with a job's target on the inference service's pods: a port or path other than the contract's. */
function jobTargetProblem(
  s: ScrapeScope,
  resource: string,
  path: readonly PathSegment[],
  name: string,
  pods: PodTemplateRef,
  k: DiscoveredTarget,
): ScrapeProblem | undefined {
  const port = Number(/:(\d+)$/.exec(k.labels.__address__ ?? "")?.[1]);
  if (port !== s.metricsPort) {
    return {
      resource,
      path,
      message: `job ${JSON.stringify(name)} scrapes ${pods.resource} on port ${Number.isFinite(port) ? port : "(none)"} (container port ${describePort(k.port)}), but metrics are served on ${s.metricsPortText}: that target is down forever`,
      fix: `keep only __meta_kubernetes_pod_container_port_name="${s.portName}"`,
    };
  }
  if ((k.labels.__metrics_path__ ?? "/metrics") !== s.metricsPath) {
    return {
      resource,
      path: [...path, "metrics_path"],
      message: `job ${JSON.stringify(name)} scrapes ${k.labels.__metrics_path__}, but metrics are at ${s.metricsPath}`,
      fix: `set metrics_path: ${s.metricsPath}`,
    };
  }
  return undefined;
}

/** A target a kubernetes_sd job keeps: the container port it reaches and its labels after relabeling. */
interface DiscoveredTarget {
  readonly port: ContainerPort;
  readonly labels: Record<string, string>;
}

/** Targets a kubernetes_sd job keeps among one workload's container ports (pod and endpoints roles). */
function discover(
  ctx: CheckContext,
  job: K8sObject,
  sds: readonly K8sObject[],
  pods: PodTemplateRef,
): { targets: DiscoveredTarget[]; error?: string } {
  const targets: DiscoveredTarget[] = [];
  const ns = String(pods.object.metadata?.namespace ?? "");
  const podLabels = labelsOf(pods.template.metadata?.labels);
  const ports = containerPorts(pods);
  const svc = servicesOf(ctx, pods)[0];
  let error: string | undefined;
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
        if (!svc || !sp) continue;
        discovered = {
          ...podDiscoveryLabels(podTarget(pods, port)),
          __meta_kubernetes_service_name: String(svc.metadata?.name),
          __meta_kubernetes_endpoints_name: String(svc.metadata?.name),
          __meta_kubernetes_endpoint_port_name: str(sp.name) ?? "",
          __meta_kubernetes_endpoint_port_protocol: str(sp.protocol) ?? "TCP",
          __meta_kubernetes_endpoint_ready: "true",
        };
        for (const [k, v] of Object.entries(labelsOf(svc.metadata?.labels)))
          discovered[`__meta_kubernetes_service_label_${sanitize(k)}`] = v;
        for (const [k, v] of Object.entries(labelsOf(svc.metadata?.annotations)))
          discovered[`__meta_kubernetes_service_annotation_${sanitize(k)}`] = v;
      } else continue;
      const r = safeRelabel(
        {
          job: String(job.job_name),
          __metrics_path__: str(job.metrics_path) ?? "/metrics",
          __scheme__: str(job.scheme) ?? "http",
          ...discovered,
        },
        rules(job.relabel_configs),
      );
      if (r.error) error = r.error;
      else if (r.labels) targets.push({ port, labels: r.labels });
    }
  }
  return error !== undefined ? { targets, error } : { targets };
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

/** Query sites that read the inference service's contract series (what makes a missing scrape an error). */
function contractReaders(ctx: CheckContext): string[] {
  const series = contractSeries(ctx.contract);
  const out = new Set<string>();
  for (const q of ctx.queries()) {
    if (q.origin === "adapter-series") continue;
    if (safeSelectors(q.expr).some((s) => s.metric !== undefined && series.has(s.metric) && meantForMain(ctx, s)))
      out.add(`${q.resource} ${formatPath(q.path)}`);
  }
  return [...out];
}

/** METRIC_NOT_SCRAPED and RULES_NOT_SELECTED. */
export function checkScrapes(ctx: CheckContext): void {
  const a = scrapesOf(ctx);
  for (const b of a.broken) ctx.sink.error("METRIC_NOT_SCRAPED", b.resource, b.path, b.message, b.fix);
  const readers = contractReaders(ctx);
  if (!a.targetsMain && readers.length > 0) {
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
