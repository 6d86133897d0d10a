import { Chart, Testing } from "cdk8s";
import { describe, expect, it } from "vitest";
import {
  GrafanaDashboard,
  KUBELET_CADVISOR_CONTRACT,
  KUBE_STATE_METRICS_CONTRACT,
  platformQueries,
  type DashboardProps,
} from "../../constructs/dashboard.js";
import { ContractError, DEFAULT_CONTRACT, PromQL } from "../../promql/metrics.js";
import { metricNames, selectors, syntaxErrors } from "../../promql/parse.js";
import { validateObjects } from "../../stacks/schema.js";

const promql = new PromQL(DEFAULT_CONTRACT, { namespace: "ml", job: "inference" });
const platform = platformQueries("ml", { kubeStateMetrics: "kube-state-metrics", kubelet: "kubelet" });

const full: DashboardProps = {
  namespace: "ml",
  name: "inference-dashboard",
  uid: "prod-inference",
  title: "inference (prod)",
  promql,
  platform,
  window: "2m",
  workload: { deployment: "inference", container: "server", hpa: "keda-hpa-inference" },
  latency: { metric: "http_request_duration_seconds", matchers: { endpoint: "/predict" }, sloThresholdSeconds: 0.5 },
  requests: { metric: "http_requests_total" },
  errors: { metric: "http_request_errors_total" },
  availabilityObjective: 99.9,
  inFlight: { metric: "http_requests_in_flight" },
  queue: { metric: "inference_queue_len" },
};

function render(props: Partial<DashboardProps> = {}) {
  const chart = new Chart(Testing.app(), "t", { disableResourceNameHashes: true });
  const d = new GrafanaDashboard(chart, "d", { ...full, ...props });
  const objs = chart.toJson();
  const cm = objs[0];
  const model = JSON.parse(cm.data[`${d.model.uid}.json`]);
  const panel = (title: string) => model.panels.find((p: any) => p.title === title);
  return { d, objs, cm, model, panel };
}

describe("GrafanaDashboard", () => {
  it("is a ConfigMap the Grafana sidecar picks up, holding the dashboard JSON", () => {
    const { cm, model, d } = render({ folder: "ML serving" });
    expect(cm).toMatchObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "inference-dashboard", namespace: "ml" } });
    expect(cm.metadata.labels.grafana_dashboard).toBe("1");
    expect(cm.metadata.annotations).toEqual({ grafana_folder: "ML serving" });
    expect(Object.keys(cm.data)).toEqual(["prod-inference.json"]);
    expect(model).toEqual(d.model);
    expect(model).toMatchObject({ uid: "prod-inference", title: "inference (prod)", schemaVersion: 39 });
    expect(model.templating.list[0]).toMatchObject({ name: "datasource", type: "datasource", query: "prometheus" });
  });

  it("has every panel the issue asks for", () => {
    expect(render().model.panels.map((p: any) => p.title)).toEqual([
      "Latency p50 / p95 / p99",
      "Request and error rate",
      "Replicas: desired vs ready",
      "Error-budget burn rate",
      "Requests in flight",
      "Queue length",
      "CPU: used vs requested (cores)",
    ]);
  });

  it("draws the latency SLO as a threshold line and plots p50/p95/p99 of the endpoint", () => {
    const { panel } = render();
    const p = panel("Latency p50 / p95 / p99");
    expect(p.fieldConfig.defaults.custom.thresholdsStyle.mode).toBe("line");
    expect(p.fieldConfig.defaults.thresholds.steps).toEqual([
      { color: "green", value: null },
      { color: "red", value: 0.5 },
    ]);
    expect(p.fieldConfig.defaults.unit).toBe("s");
    expect(p.targets.map((t: any) => t.legendFormat)).toEqual(["p50", "p95", "p99"]);
    expect(p.targets[1].expr).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="ml",job="inference",endpoint="/predict"}[2m])))',
    );
  });

  it("divides the error ratio by the error budget for the burn rate, over several windows", () => {
    const p = render().panel("Error-budget burn rate");
    expect(p.targets.map((t: any) => t.legendFormat)).toEqual(["burn rate 2m", "burn rate 1h", "burn rate 6h"]);
    expect(p.targets[1].expr).toBe(
      '(sum (rate(http_request_errors_total{namespace="ml",job="inference"}[1h])) / sum (rate(http_requests_total{namespace="ml",job="inference"}[1h]))) / 0.001',
    );
    expect(p.fieldConfig.defaults.thresholds.steps.map((s: any) => s.value)).toEqual([null, 6, 14.4]);
  });

  it("compares the HPA's desired replicas with the Deployment's ready replicas (kube-state-metrics)", () => {
    const p = render().panel("Replicas: desired vs ready");
    expect(p.targets.map((t: any) => [t.legendFormat, t.expr])).toEqual([
      [
        "desired",
        'sum (kube_horizontalpodautoscaler_status_desired_replicas{namespace="ml",job="kube-state-metrics",horizontalpodautoscaler="keda-hpa-inference"})',
      ],
      [
        "max",
        'sum (kube_horizontalpodautoscaler_spec_max_replicas{namespace="ml",job="kube-state-metrics",horizontalpodautoscaler="keda-hpa-inference"})',
      ],
      ["ready", 'sum (kube_deployment_status_replicas_ready{namespace="ml",job="kube-state-metrics",deployment="inference"})'],
    ]);
    const noHpa = render({ workload: { deployment: "inference", container: "server" } }).panel("Replicas: desired vs ready");
    expect(noHpa.targets[0].expr).toBe(
      'sum (kube_deployment_spec_replicas{namespace="ml",job="kube-state-metrics",deployment="inference"})',
    );
  });

  it("selects only the Deployment's own pods for CPU (not a Deployment sharing the name prefix)", () => {
    const p = render().panel("CPU: used vs requested (cores)");
    const pod = selectors(p.targets[0].expr)[0]!.matchers.find((m) => m.name === "pod")!;
    const re = new RegExp(`^(?:${pod.value})$`);
    expect(re.test("inference-7c9f8d6b5-x2x4z")).toBe(true);
    expect(re.test("inference-gpu-7c9f8d6b5-x2x4z")).toBe(false);
    expect(p.targets[1].expr).toContain('resource="cpu"');
  });

  it("builds every query from a contract: it parses, reads contract metrics and is scoped to the namespace", () => {
    const { d } = render();
    const known = new Set(
      [...DEFAULT_CONTRACT.metrics, ...KUBE_STATE_METRICS_CONTRACT.metrics, ...KUBELET_CADVISOR_CONTRACT.metrics].map((m) => m.name),
    );
    expect(d.queries.length).toBe(15);
    for (const { expr } of d.queries) {
      expect(syntaxErrors(expr), expr).toEqual([]);
      for (const name of metricNames(expr)) expect(known.has(name.replace(/_(bucket|count|sum)$/, "")), name).toBe(true);
      for (const s of selectors(expr)) expect(s.matchers).toContainEqual({ name: "namespace", op: "=", value: "ml" });
    }
  });

  it("leaves out the panels whose signals are not given", () => {
    const { model } = render({ errors: undefined, queue: undefined, latency: undefined, availabilityObjective: undefined });
    expect(model.panels.map((p: any) => p.title)).toEqual([
      "Request rate",
      "Replicas: desired vs ready",
      "Requests in flight",
      "CPU: used vs requested (cores)",
    ]);
  });

  it("refuses a metric outside the contract and bad props", () => {
    expect(() => render({ queue: { metric: "celery_queue_length" } })).toThrow(ContractError);
    expect(() => render({ inFlight: { metric: "http_requests_total" } })).toThrow(/is a counter; sumGauge needs a gauge/);
    expect(() => render({ uid: "x".repeat(41) })).toThrow(/uid "x{41}" must be 1-40/);
    expect(() => render({ availabilityObjective: 100 })).toThrow(/availabilityObjective 100/);
  });

  it("passes the core ConfigMap schema", async () => {
    expect(await validateObjects(render().objs)).toEqual([]);
  });

  it("matches the snapshot", () => {
    expect(render().objs).toMatchSnapshot();
  });
});
