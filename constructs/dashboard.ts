/**
 * A Grafana dashboard for one service, as dashboard JSON in a ConfigMap the Grafana sidecar
 * (kube-prometheus-stack `grafana.sidecar.dashboards`) picks up by its `grafana_dashboard: "1"`
 * label. Every panel query is built by {@link PromQL} from a metric contract (the service's own,
 * or the platform's kube-state-metrics / kubelet contracts) and checked with the PromQL grammar.
 */
import { InvariantError } from "../problems/problem.js";
import { k8s } from "cdk8s-plus-28";
import { Construct } from "constructs";
import { MANAGED_BY } from "../kube/labels.js";
import { KUBE_STATE_METRICS_HPA } from "../promql/platform-metrics.js";
import { formatNumber, PromQL, type Matchers, type MetricContract, type ScrapeScope, type SeriesSuffix } from "../promql/metrics.js";
import { assertParses } from "../promql/parse.js";
import { rendered } from "../kube/rendered-text.js";

/**
 * The kube-state-metrics series the dashboards read (replicas desired vs ready, CPU requests): the
 * HPA series the alerts already declare (promql/platform-metrics.ts) plus the Deployment and
 * pod series. kube-state-metrics puts the object's namespace on each series (`honorLabels`), so
 * the usual namespace scope selects this environment's objects.
 */
export const KUBE_STATE_METRICS_CONTRACT: MetricContract = {
  port: 8080,
  portName: "http",
  path: "/metrics",
  metrics: [
    ...KUBE_STATE_METRICS_HPA,
    {
      name: "kube_horizontalpodautoscaler_status_desired_replicas",
      type: "gauge",
      labels: ["namespace", "horizontalpodautoscaler"],
      help: "Replicas the HPA (or KEDA's HPA) wants",
    },
    {
      name: "kube_deployment_status_replicas_ready",
      type: "gauge",
      labels: ["namespace", "deployment"],
      help: "Ready replicas of a Deployment",
    },
    { name: "kube_deployment_spec_replicas", type: "gauge", labels: ["namespace", "deployment"], help: "Replicas the Deployment asks for" },
    {
      name: "kube_pod_container_resource_requests",
      type: "gauge",
      labels: ["namespace", "pod", "container", "node", "resource", "unit"],
      help: "Container resource requests",
    },
  ],
};

/** The kubelet's cAdvisor series (kube-prometheus-stack scrapes them as job `kubelet`). */
export const KUBELET_CADVISOR_CONTRACT: MetricContract = {
  port: 10250,
  portName: "https-metrics",
  path: "/metrics/cadvisor",
  metrics: [
    {
      name: "container_cpu_usage_seconds_total",
      type: "counter",
      labels: ["pod", "container", "cpu", "id", "image", "name"],
      help: "CPU time",
    },
  ],
};

/** PromQL for the platform series, scoped to the environment's namespace and each exporter's job. */
export interface PlatformQueries {
  readonly kubeStateMetrics: PromQL;
  readonly kubelet: PromQL;
}

export function platformQueries(namespace: string, jobs: { readonly kubeStateMetrics: string; readonly kubelet: string }): PlatformQueries {
  const scope = (job: string): ScrapeScope => ({ namespace, job });
  return {
    kubeStateMetrics: new PromQL(KUBE_STATE_METRICS_CONTRACT, scope(jobs.kubeStateMetrics)),
    kubelet: new PromQL(KUBELET_CADVISOR_CONTRACT, scope(jobs.kubelet)),
  };
}

/** A contract metric a panel plots, with optional extra matchers (e.g. `endpoint="/predict"`). */
export interface MetricRef {
  readonly metric: string;
  /** @default {} */
  readonly matchers?: Matchers;
}

export interface LatencySignal extends MetricRef {
  /** The SLO's latency threshold, drawn as a line on the panel. @default no line */
  readonly sloThresholdSeconds?: number;
}

export interface CountSignal extends MetricRef {
  /** `_count` to count a histogram's observations. @default "" (a counter) */
  readonly suffix?: SeriesSuffix;
}

/** A gauge plotted as the sum over the service's pods. */
export interface GaugePanel extends MetricRef {
  readonly title: string;
  /** Grafana unit, e.g. `short`, `percentunit`. @default "short" */
  readonly unit?: string;
}

export interface DashboardProps {
  /** Namespace of the ConfigMap (the Grafana sidecar must watch it). */
  readonly namespace: string;
  /** ConfigMap name. */
  readonly name: string;
  /** Grafana dashboard uid (stable URL), ≤ 40 characters. */
  readonly uid: string;
  readonly title: string;
  /** Labels on the ConfigMap besides the sidecar's. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Grafana folder, via the sidecar's folder annotation. @default none (General) */
  readonly folder?: string;
  /** Dashboard tags. @default [] */
  readonly tags?: readonly string[];
  /** The service's contract and scrape scope. */
  readonly promql: PromQL;
  readonly platform: PlatformQueries;
  /** rate() / histogram_quantile() window (≥ 4× the scrape interval). */
  readonly window: string;
  /** The workload: Deployment name, server container, and the HPA that scales it. */
  readonly workload: { readonly deployment: string; readonly container: string; readonly hpa?: string };
  /** p50/p95/p99 latency panel. @default no panel */
  readonly latency?: LatencySignal;
  /** Request-rate series. @default no panel */
  readonly requests?: CountSignal;
  /** Error-rate series (a counter of failed requests). @default no error series */
  readonly errors?: MetricRef;
  /** Availability objective in percent; with `requests` and `errors` it adds the burn-rate panel. @default no panel */
  readonly availabilityObjective?: number;
  /** Requests being served. @default no panel */
  readonly inFlight?: MetricRef;
  /** Requests queued. @default no panel */
  readonly queue?: MetricRef;
  /** Further gauge panels (e.g. GPU KV-cache usage). @default [] */
  readonly extraGauges?: readonly GaugePanel[];
  /** Burn-rate windows beside `window`. @default ["1h", "6h"] */
  readonly burnRateWindows?: readonly string[];
}

/** A Grafana dashboard query. */
export interface PanelTarget {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
}

interface PanelSpec {
  readonly title: string;
  readonly unit: string;
  readonly targets: readonly { expr: string; legend: string }[];
  /** Threshold lines (value, color). */
  readonly lines?: readonly { value: number; color: string }[];
  readonly description?: string;
}

const SIDECAR_LABEL = "grafana_dashboard";

/**
 * The annotation naming a dashboard's Grafana folder. The sidecar reads it only when told to
 * (grafana chart `sidecar.dashboards.folderAnnotation` set to this name and
 * `sidecar.dashboards.provider.foldersFromFilesStructure: true`); otherwise every dashboard lands in General.
 */
export const GRAFANA_FOLDER_ANNOTATION = "grafana_folder";

const DATASOURCE = { type: "prometheus", uid: "${datasource}" } as const;
const GRAFANA_UID = /^[A-Za-z0-9_-]{1,40}$/;
const PANEL_HEIGHT = 8;

export class GrafanaDashboard extends Construct {
  readonly configMap: k8s.KubeConfigMap;
  /** The dashboard model written into the ConfigMap. */
  readonly model: Record<string, unknown>;
  /** Every panel query, in panel order (what tests and checks read). */
  readonly queries: readonly { readonly panel: string; readonly expr: string }[];

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const where = `GrafanaDashboard ${props.namespace}/${props.name}`;
    if (!GRAFANA_UID.test(props.uid))
      throw new InvariantError(`${where}: uid "${props.uid}" must be 1-40 letters, digits, '-' or '_' (Grafana's limit)`);
    if (props.availabilityObjective !== undefined && !(props.availabilityObjective > 0 && props.availabilityObjective < 100)) {
      throw new InvariantError(
        `${where}: availabilityObjective ${props.availabilityObjective} must be a percentage between 0 and 100 (exclusive)`,
      );
    }

    const panels = dashboardPanels(props, where);

    const queries: { panel: string; expr: string }[] = [];
    for (const p of panels) for (const t of p.targets) queries.push({ panel: p.title, expr: assertParses(t.expr) });
    this.queries = queries;
    this.model = dashboardModel(props, panels);

    const annotations = props.folder ? { [GRAFANA_FOLDER_ANNOTATION]: props.folder } : undefined;
    this.configMap = new k8s.KubeConfigMap(this, "ConfigMap", {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { ...props.labels, "app.kubernetes.io/managed-by": MANAGED_BY, [SIDECAR_LABEL]: "1" },
        ...(annotations ? { annotations } : {}),
      },
      data: { [`${props.uid}.json`]: rendered(JSON.stringify(this.model, null, 2) + "\n", this.model) },
    });
  }
}

/** The panels, in order: latency, request/error rate, replicas, burn rate, in flight, queue, extra gauges, CPU. */
function dashboardPanels(props: DashboardProps, where: string): PanelSpec[] {
  const { promql, window, workload } = props;
  const panels: PanelSpec[] = [];
  if (props.latency) {
    const l = props.latency;
    const q = (p: number) => promql.histogramQuantile(p, l.metric, l.matchers ?? {}, window);
    if (l.sloThresholdSeconds !== undefined && !(l.sloThresholdSeconds > 0))
      throw new InvariantError(`${where}: sloThresholdSeconds ${l.sloThresholdSeconds} must be > 0`);
    panels.push({
      title: "Latency p50 / p95 / p99",
      unit: "s",
      targets: [
        { expr: q(0.5), legend: "p50" },
        { expr: q(0.95), legend: "p95" },
        { expr: q(0.99), legend: "p99" },
      ],
      lines: l.sloThresholdSeconds !== undefined ? [{ value: l.sloThresholdSeconds, color: "red" }] : [],
      description:
        l.sloThresholdSeconds !== undefined ? `Red line: the latency SLO threshold (${formatNumber(l.sloThresholdSeconds)} s).` : undefined,
    });
  }
  if (props.requests) {
    const r = props.requests;
    const targets = [{ expr: promql.sumRate(r.metric, r.suffix ?? "", r.matchers ?? {}, window), legend: "requests/s" }];
    if (props.errors)
      targets.push({ expr: promql.sumRate(props.errors.metric, "", props.errors.matchers ?? {}, window), legend: "errors/s" });
    panels.push({ title: props.errors ? "Request and error rate" : "Request rate", unit: "reqps", targets });
  }
  const ksm = props.platform.kubeStateMetrics;
  const replicaTargets = [
    ...(workload.hpa
      ? [
          {
            expr: ksm.sumGauge("kube_horizontalpodautoscaler_status_desired_replicas", { horizontalpodautoscaler: workload.hpa }),
            legend: "desired",
          },
          {
            expr: ksm.sumGauge("kube_horizontalpodautoscaler_spec_max_replicas", { horizontalpodautoscaler: workload.hpa }),
            legend: "max",
          },
        ]
      : [{ expr: ksm.sumGauge("kube_deployment_spec_replicas", { deployment: workload.deployment }), legend: "desired" }]),
    { expr: ksm.sumGauge("kube_deployment_status_replicas_ready", { deployment: workload.deployment }), legend: "ready" },
  ];
  panels.push({ title: "Replicas: desired vs ready", unit: "short", targets: replicaTargets });

  if (props.requests && props.errors && props.availabilityObjective !== undefined) {
    const budget = 1 - props.availabilityObjective / 100;
    const windows = [...new Set([window, ...(props.burnRateWindows ?? ["1h", "6h"])])];
    const r = props.requests;
    const e = props.errors;
    panels.push({
      title: "Error-budget burn rate",
      unit: "short",
      description: `Error ratio divided by the error budget (1 − ${formatNumber(props.availabilityObjective)} %). 1 spends the budget exactly over the SLO period; lines at 14.4 and 6 are the paging burn rates.`,
      targets: windows.map((w) => ({
        expr: `(${promql.sumRate(e.metric, "", e.matchers ?? {}, w)} / ${promql.sumRate(r.metric, r.suffix ?? "", r.matchers ?? {}, w)}) / ${formatNumber(budget)}`,
        legend: `burn rate ${w}`,
      })),
      lines: [
        { value: 6, color: "orange" },
        { value: 14.4, color: "red" },
      ],
    });
  }
  if (props.inFlight) {
    panels.push({
      title: "Requests in flight",
      unit: "short",
      targets: [{ expr: promql.sumGauge(props.inFlight.metric, props.inFlight.matchers ?? {}), legend: "in flight" }],
    });
  }
  if (props.queue) {
    panels.push({
      title: "Queue length",
      unit: "short",
      targets: [{ expr: promql.sumGauge(props.queue.metric, props.queue.matchers ?? {}), legend: "queued" }],
    });
  }
  for (const g of props.extraGauges ?? []) {
    panels.push({
      title: g.title,
      unit: g.unit ?? "short",
      targets: [{ expr: promql.sumGauge(g.metric, g.matchers ?? {}), legend: g.title }],
    });
  }
  // Pods of the Deployment are `<deployment>-<replicaset hash>-<pod hash>`: the regex cannot
  // match a longer-named Deployment that shares the prefix (`inference-gpu-...`).
  const pods = { pod: { op: "=~", value: `${workload.deployment}-[a-z0-9]+-[a-z0-9]+` }, container: workload.container } as const;
  panels.push({
    title: "CPU: used vs requested (cores)",
    unit: "short",
    targets: [
      { expr: props.platform.kubelet.sumRate("container_cpu_usage_seconds_total", "", pods, window), legend: "used" },
      { expr: ksm.sumGauge("kube_pod_container_resource_requests", { ...pods, resource: "cpu" }), legend: "requested" },
    ],
  });
  return panels;
}

/** Grafana's dashboard JSON model: two panels per row, 24 grid columns wide. */
function dashboardModel(props: DashboardProps, panels: readonly PanelSpec[]): Record<string, unknown> {
  return {
    uid: props.uid,
    title: props.title,
    tags: [...(props.tags ?? [])],
    editable: false,
    schemaVersion: 39,
    version: 1,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    timezone: "browser",
    templating: {
      list: [{ name: "datasource", label: "Data source", type: "datasource", query: "prometheus", current: {}, hide: 0 }],
    },
    panels: panels.map((p, i) => ({
      id: i + 1,
      type: "timeseries",
      title: p.title,
      ...(p.description ? { description: p.description } : {}),
      datasource: DATASOURCE,
      gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * PANEL_HEIGHT, w: 12, h: PANEL_HEIGHT },
      fieldConfig: {
        defaults: {
          unit: p.unit,
          min: 0,
          custom: { drawStyle: "line", lineWidth: 1, fillOpacity: 10, thresholdsStyle: { mode: p.lines?.length ? "line" : "off" } },
          thresholds: {
            mode: "absolute",
            // Grafana's first step has no value (null = from -∞); the lines are the later steps.
            steps: [{ color: "green", value: null }, ...(p.lines ?? []).map((l) => ({ color: l.color, value: l.value }))],
          },
        },
        overrides: [],
      },
      options: { legend: { displayMode: "list", placement: "bottom" }, tooltip: { mode: "multi", sort: "none" } },
      targets: p.targets.map((t, j): PanelTarget & { datasource: typeof DATASOURCE } => ({
        refId: String.fromCharCode(65 + j),
        expr: t.expr,
        legendFormat: t.legend,
        datasource: DATASOURCE,
      })),
    })),
  };
}
