import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import {
  check,
  coherent,
  config,
  deployment,
  expectErrors,
  mutate,
  NS,
  P95,
  prometheusRule,
  promTrigger,
  QUEUE,
  rule,
  scaledObject,
  service,
  serviceMonitor,
} from "./fixtures.js";

const APP = "app.kubernetes.io/name";

/** A plain-Prometheus kubernetes_sd pod job (the shape constructs/scrape-config.ts documents). */
function podJob(over: { keepValue?: string; portKeep?: boolean; namespaceLabel?: boolean } = {}) {
  const relabel: object[] = [
    { source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], regex: over.keepValue ?? "inference", action: "keep" },
    ...(over.portKeep === false
      ? []
      : [{ source_labels: ["__meta_kubernetes_pod_container_port_name"], regex: "metrics", action: "keep" }]),
    ...(over.namespaceLabel === false
      ? []
      : [{ source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace", action: "replace" }]),
    { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod", action: "replace" },
  ];
  return {
    job_name: `${NS}/inference`,
    scrape_interval: "15s",
    metrics_path: "/metrics",
    kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [NS] } }],
    relabel_configs: relabel,
  };
}

/** The pod-annotations flavour: queries scoped to job `<ns>/<service>`, scraped by a file-rendered job. */
function plainPrometheus(job: object) {
  const scope = `namespace="${NS}",job="${NS}/inference"`;
  return {
    objects: [deployment(), service(), scaledObject({ triggers: [promTrigger(`sum(inference_queue_len{${scope}})`)] })],
    files: [{ path: "prometheus/scrape-config.yaml", content: stringify({ scrape_configs: [job] }) }],
    config: config({ cluster: { prometheusOperator: false }, monitoring: { scrape: "pod-annotations" } }),
  };
}

describe("METRIC_NOT_SCRAPED: the metrics a query reads are scraped", () => {
  it("passes a ServiceMonitor on the Service's metrics port", () => {
    expect(check(coherent()).findings).toEqual([]);
  });

  it("METRIC_NOT_SCRAPED: the endpoint scrapes the API port", () => {
    const objects = mutate(coherent(), (get) => (get("ServiceMonitor").spec.endpoints[0].port = "http"));
    const [f] = expectErrors(check(objects), ["METRIC_NOT_SCRAPED"]);
    expect(f!.path).toBe("spec.endpoints[0].port");
    expect(f!.message).toMatch(/container port 8000 \(http\).*metrics on 9090 \(metrics\)/);
  });

  it("METRIC_NOT_SCRAPED: the endpoint names a port the Service does not have", () => {
    const objects = mutate(coherent(), (get) => (get("ServiceMonitor").spec.endpoints[0].port = "prometheus"));
    const [f] = expectErrors(check(objects), ["METRIC_NOT_SCRAPED"]);
    expect(f!.message).toMatch(/"prometheus" is not a port name of Service ml-t\/inference \(it has "http", "metrics"\)/);
  });

  it("METRIC_NOT_SCRAPED: the selector does not match the Service's labels (reported at the Service, naming the readers)", () => {
    const objects = mutate(coherent(), (get) => (get("ServiceMonitor").spec.selector.matchLabels[APP] = "inferense"));
    const [f] = expectErrors(check(objects), ["METRIC_NOT_SCRAPED"]);
    expect(f!.resource).toBe(`Service ${NS}/inference`);
    expect(f!.message).toMatch(/ScaledObject ml-t\/inference spec\.triggers\[0\]\.metadata\.query/);
    expect(f!.message).toMatch(/"inferense"/);
  });

  it("METRIC_NOT_SCRAPED: a ServiceMonitor without the labels Prometheus selects ServiceMonitors by", () => {
    const objects = mutate(coherent(), (get) => (get("ServiceMonitor").metadata.labels = { team: "ml" }));
    const [f] = expectErrors(check(objects), ["METRIC_NOT_SCRAPED"]);
    expect(f!.path).toBe("metadata.labels");
    expect(f!.message).toMatch(/release=kube-prometheus-stack/);
  });

  it("METRIC_NOT_SCRAPED: the wrong metrics path", () => {
    const objects = mutate(coherent(), (get) => (get("ServiceMonitor").spec.endpoints[0].path = "/stats"));
    expect(expectErrors(check(objects), ["METRIC_NOT_SCRAPED"])[0]!.path).toBe("spec.endpoints[0].path");
  });

  it("METRIC_NOT_SCRAPED: no scrape at all while queries read the metrics; nothing to report when none do", () => {
    const objects = coherent().filter((o) => o.kind !== "ServiceMonitor");
    expect(expectErrors(check(objects), ["METRIC_NOT_SCRAPED"])[0]!.message).toMatch(
      /no ServiceMonitor, PodMonitor or scrape job is rendered/,
    );
    expect(check([deployment(), service()]).findings).toEqual([]);
  });

  it("passes a PodMonitor on the pods' metrics port", () => {
    const pm = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: { name: "inference", namespace: NS, labels: { release: "kube-prometheus-stack" } },
      spec: {
        selector: { matchLabels: { [APP]: "inference" } },
        jobLabel: APP,
        podMetricsEndpoints: [
          { port: "metrics", path: "/metrics", metricRelabelings: serviceMonitor().spec.endpoints[0].metricRelabelings },
        ],
      },
    };
    const objects = [...coherent().filter((o) => o.kind !== "ServiceMonitor"), pm];
    // jobLabel takes the job from the pod label (inference), so the queries' job="inference" still matches.
    expect(check(objects).errors).toEqual([]);
  });

  it("passes a plain-Prometheus pod job that keeps the app label and the metrics port", () => {
    const p = plainPrometheus(podJob());
    expect(check(p.objects, { files: p.files, config: p.config }).findings).toEqual([]);
  });

  it("METRIC_NOT_SCRAPED: a pod job whose keep rule names another app", () => {
    const p = plainPrometheus(podJob({ keepValue: "inferencer" }));
    const [f] = expectErrors(check(p.objects, { files: p.files, config: p.config }), ["METRIC_NOT_SCRAPED"]);
    expect(f!.message).toMatch(/keeps no target of Deployment ml-t\/inference/);
  });

  it("METRIC_NOT_SCRAPED: a pod job without the port keep also scrapes the API port", () => {
    const p = plainPrometheus(podJob({ portKeep: false }));
    const [f] = expectErrors(check(p.objects, { files: p.files, config: p.config }), ["METRIC_NOT_SCRAPED"]);
    expect(f!.resource).toBe("File prometheus/scrape-config.yaml");
    expect(f!.message).toMatch(/on port 8000 .* down forever/);
  });

  it("RULES_NOT_SELECTED: a PrometheusRule without monitoring.selectorLabels", () => {
    const objects = [...coherent(), prometheusRule([rule(`${QUEUE} > 50`, "Extra")], "extra", {})];
    const [f] = expectErrors(check(objects), ["RULES_NOT_SELECTED"]);
    expect(f!.resource).toBe(`PrometheusRule ${NS}/extra`);
  });
});

describe("QUERY_LABEL_MISMATCH: label matchers match the labels the scrape produces", () => {
  const withTrigger = (query: string, objects = coherent()) =>
    mutate(objects, (get) => (get("ScaledObject").spec.triggers[1] = promTrigger(query)));

  it("QUERY_LABEL_MISMATCH: the pod-annotations job name where the ServiceMonitor names the job after the Service", () => {
    const [f] = expectErrors(check(withTrigger(`sum(inference_queue_len{namespace="${NS}",job="${NS}/inference"})`)), [
      "QUERY_LABEL_MISMATCH",
    ]);
    expect(f!.path).toBe("spec.triggers[1].metadata.query");
    expect(f!.message).toMatch(/job="ml-t\/inference" cannot match: ServiceMonitor ml-t\/inference stores job="inference"/);
    expect(f!.fix).toMatch(/job="inference"/);
  });

  it("QUERY_LABEL_MISMATCH: another namespace", () => {
    expectErrors(check(withTrigger(`sum(inference_queue_len{namespace="ml-serving-prod",job="inference"})`)), ["QUERY_LABEL_MISMATCH"]);
  });

  it("passes a regex that matches the scrape's job", () => {
    expect(check(withTrigger(`sum(inference_queue_len{namespace="${NS}",job=~"inf.*"})`)).errors).toEqual([]);
  });

  it("QUERY_LABEL_MISMATCH: the service's `endpoint` label collides with the operator's and is not restored", () => {
    const objects = mutate(coherent(), (get) => delete get("ServiceMonitor").spec.endpoints[0].metricRelabelings);
    const errors = expectErrors(check(objects), ["QUERY_LABEL_MISMATCH"]);
    expect(errors[0]!.message).toMatch(/endpoint="\/predict" cannot match: .* stores endpoint="metrics" .*moved to exported_endpoint/);
    // one finding per resource and cause, counting the other expressions
    expect(errors.filter((e) => e.resource === "PrometheusRule ml-t/inference-alerts")).toHaveLength(1);
  });

  it("QUERY_LABEL_MISMATCH: a jobLabel makes the job the Service label's value", () => {
    const objects = mutate(coherent(), (get) => {
      get("ServiceMonitor").spec.jobLabel = "app.kubernetes.io/instance";
    });
    expect(expectErrors(check(objects), ["QUERY_LABEL_MISMATCH"])[0]!.message).toMatch(/stores job="inference-t"/);
  });

  it("QUERY_LABEL_MISMATCH: a matcher on a label the series does not carry", () => {
    expectErrors(check(withTrigger(`sum(rate(http_requests_total{namespace="${NS}",job="inference",model="resnet"}[2m]))`)), [
      "QUERY_LABEL_MISMATCH",
    ]);
  });

  it("QUERY_LABEL_MISMATCH: up{} of a job that does not exist", () => {
    const objects = [...coherent(), prometheusRule([rule(`up{namespace="${NS}",job="inference-api"} == 0`, "Down")], "down")];
    expect(expectErrors(check(objects), ["QUERY_LABEL_MISMATCH"])[0]!.resource).toBe(`PrometheusRule ${NS}/down`);
  });

  it("QUERY_LABEL_MISMATCH: a plain job that never sets `namespace`", () => {
    const p = plainPrometheus(podJob({ namespaceLabel: false }));
    const [f] = expectErrors(check(p.objects, { files: p.files, config: p.config }), ["QUERY_LABEL_MISMATCH"]);
    expect(f!.message).toMatch(/namespace="ml-t" cannot match: .* stores namespace=""/);
  });

  it("passes a PodMonitor only when it also restores the service's `endpoint` label", () => {
    const pm = (endpoint: object) => ({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: { name: "inference", namespace: NS, labels: { release: "kube-prometheus-stack" } },
      spec: { selector: { matchLabels: { [APP]: "inference" } }, podMetricsEndpoints: [{ port: "metrics", ...endpoint }] },
    });
    // Without jobLabel a PodMonitor's job is <namespace>/<name>.
    const latency = promTrigger(
      P95.replace('job="inference"', `job="${NS}/inference"`),
      { threshold: "0.5", activationThreshold: "0.3" },
      { metricType: "Value" },
    );
    const objects = (o: object) => [deployment(), service(), scaledObject({ triggers: [latency] }), o];
    expectErrors(check(objects(pm({}))), ["QUERY_LABEL_MISMATCH"]);
    expect(check(objects(pm({ metricRelabelings: serviceMonitor().spec.endpoints[0].metricRelabelings }))).errors).toEqual([]);
  });
});
