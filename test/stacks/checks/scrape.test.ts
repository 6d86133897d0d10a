import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { CheckContext } from "../../../stacks/checks/context.js";
import { analyzeScrapes, checkScrapes } from "../../../stacks/checks/scrape.js";
import {
  ADAPTER_P95_RULE,
  adapterConfigMap,
  check,
  coherent,
  config,
  container,
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

/** The scrape analysis itself: what each scrape stores for the service's pods (what QUERY_LABEL_MISMATCH and the windows read). */
function analyze(objects: object[], opts: { files?: { path: string; content: string }[]; config?: ReturnType<typeof config> } = {}) {
  return analyzeScrapes(
    new CheckContext({ config: opts.config ?? config(), objects: objects, ...(opts.files ? { files: opts.files } : {}) }),
  );
}
const withEndpoint = (over: Record<string, unknown>, drop: string[] = []) =>
  mutate(coherent(), (get) => {
    const ep = get("ServiceMonitor").spec.endpoints[0];
    Object.assign(ep, over);
    for (const k of drop) delete ep[k];
  });
const POD = "inference-5d9c7b8f6b-x2x7k";
/** What every operator scrape puts on the service's metrics port (the ServiceMonitor adds `service`). */
const POD_TARGET = { namespace: NS, pod: POD, container: "server", endpoint: "metrics", instance: "10.0.0.10:9090" };
const podMonitor = (endpoint: Record<string, unknown> = {}, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "PodMonitor",
  metadata: { name: "inference", namespace: NS, labels: { release: "kube-prometheus-stack" }, ...meta },
  spec: { selector: { matchLabels: { [APP]: "inference" } }, podMetricsEndpoints: [{ port: "metrics", ...endpoint }], ...spec },
});
const noSM = () => coherent().filter((o) => o.kind !== "ServiceMonitor");
const scrapeErrors = (objects: object[]) => expectErrors(check(objects), ["METRIC_NOT_SCRAPED"]);

describe("analyzeScrapes: ServiceMonitor targets", () => {
  it("the target labels the operator gives the service's metrics port, its interval and sample handling", () => {
    const a = analyze(coherent());
    expect(a.broken).toEqual([]);
    expect(a.unrelated).toEqual([]);
    expect(a.targetsMain).toBe(true);
    expect(a.valid).toHaveLength(1);
    const [v] = a.valid;
    expect(v!.resource).toBe(`ServiceMonitor ${NS}/inference`);
    expect(v!.path).toEqual(["spec", "endpoints", 0]);
    expect(v!.workload).toBe(`Deployment ${NS}/inference`);
    expect(v!.main).toBe(true);
    expect(v!.target).toEqual({ ...POD_TARGET, job: "inference", service: "inference" });
    expect(v!.intervalSeconds).toBe(15);
    expect(v!.behavior.honorLabels).toBe(false);
    expect(v!.behavior.metricRelabel).toEqual([
      { sourceLabels: ["exported_endpoint"], regex: "(.+)", targetLabel: "endpoint", replacement: "$1", action: "replace" },
      { sourceLabels: [], regex: "exported_endpoint", action: "labeldrop" },
    ]);
  });

  it("honorLabels only when true; no interval when none is set", () => {
    expect(analyze(withEndpoint({ honorLabels: true })).valid[0]!.behavior.honorLabels).toBe(true);
    expect(analyze(withEndpoint({ honorLabels: "true" })).valid[0]!.behavior.honorLabels).toBe(false);
    expect("intervalSeconds" in analyze(withEndpoint({}, ["interval"])).valid[0]!).toBe(false);
  });

  it("relabelings see the discovery meta labels (snake_case or camelCase rules, any action case); meta labels are not stored", () => {
    const relabelings = [
      { sourceLabels: ["__meta_kubernetes_service_label_app_kubernetes_io_instance"], targetLabel: "instance_of" },
      {
        source_labels: ["__meta_kubernetes_endpoint_port_name", "__meta_kubernetes_service_name"],
        separator: "@",
        target_label: "via",
        action: "Replace",
      },
      { sourceLabels: ["__meta_kubernetes_pod_container_port_number"], regex: "(9)(.*)", replacement: "$2-$1", targetLabel: "port" },
      { sourceLabels: ["__address__"], targetLabel: "instance", regex: "(.*):.*", replacement: "${1}" },
      { sourceLabels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], targetLabel: "app" },
    ];
    const t = analyze(withEndpoint({ relabelings })).valid[0]!.target;
    expect(t).toEqual({
      ...POD_TARGET,
      job: "inference",
      service: "inference",
      instance: "10.0.0.10",
      instance_of: "inference-t",
      via: "metrics@inference",
      port: "090-9",
      app: "inference",
    });
    expect(analyze(withEndpoint({ relabelings: ["not a rule", null] })).valid[0]!.target.instance).toBe("10.0.0.10:9090");
  });

  it("jobLabel names the job after a Service label, the Service's name when it lacks that label", () => {
    const job = (jobLabel: string) =>
      analyze(mutate(coherent(), (get) => (get("ServiceMonitor").spec.jobLabel = jobLabel))).valid[0]!.target.job;
    expect(job("app.kubernetes.io/instance")).toBe("inference-t");
    expect(job("team")).toBe("inference");
  });

  it("targetPort endpoints: by number or by name, and the wrong one is named", () => {
    expect(analyze(withEndpoint({ targetPort: 9090 }, ["port"])).valid).toHaveLength(1);
    expect(analyze(withEndpoint({ targetPort: "metrics" }, ["port"])).valid[0]!.target.endpoint).toBe("metrics");
    const [f] = scrapeErrors(withEndpoint({ targetPort: 8000 }, ["port"]));
    expect(f!.path).toBe("spec.endpoints[0].targetPort");
    expect(f!.message).toBe(
      `scrapes container port 8000 (http) of Deployment ${NS}/inference, but the service serves metrics on 9090 (metrics)`,
    );
    expect(f!.fix).toBe('scrape the port named "metrics"');
    expect(scrapeErrors(withEndpoint({ targetPort: 1234 }, ["port"]))[0]!.message).toMatch(/^scrapes container port no container port of/);
  });

  it("an endpoint naming no port", () => {
    const [f] = scrapeErrors(withEndpoint({}, ["port"]));
    expect([f!.path, f!.message, f!.fix]).toEqual(["spec.endpoints[0]", "names no port", 'set port: "metrics"']);
  });

  it("the wrong port and path name the service's own", () => {
    const [p] = scrapeErrors(withEndpoint({ port: "prometheus" }));
    expect(p!.path).toBe("spec.endpoints[0].port");
    expect(p!.fix).toBe('use the Service port name "metrics" (service.metrics.portName)');
    const [f] = scrapeErrors(withEndpoint({ path: "/stats" }));
    expect([f!.message, f!.fix]).toEqual(["scrapes /stats, but the service exposes metrics at /metrics", "set path: /metrics"]);
    expect(analyze(withEndpoint({}, ["path"])).valid).toHaveLength(1);
  });

  it("relabelings Prometheus rejects, or that drop the service's target", () => {
    const [bad] = scrapeErrors(withEndpoint({ relabelings: [{ sourceLabels: ["pod"], action: "replace" }] }));
    expect(bad!.path).toBe("spec.endpoints[0].relabelings");
    expect(bad!.message).toMatch(/^Prometheus rejects a relabeling: /);
    expect(bad!.fix).toBe("correct the relabeling");
    const [dropped] = scrapeErrors(
      withEndpoint({ relabelings: [{ sourceLabels: ["__meta_kubernetes_pod_container_port_name"], regex: "http", action: "keep" }] }),
    );
    expect([dropped!.path, dropped!.message]).toEqual(["spec.endpoints[0].relabelings", "its relabelings drop the service's target"]);
  });

  it("the Service selects no pod: reported at the Service", () => {
    const objects = mutate(coherent(), (get) => (get("Service").spec.selector = { [APP]: "inferense" }));
    const [f] = scrapeErrors(objects);
    expect([f!.resource, f!.path]).toEqual([`Service ${NS}/inference`, "spec.selector"]);
    expect(f!.message).toBe(`selects no pod of the environment: ServiceMonitor ${NS}/inference finds no endpoints to scrape`);
    expect(f!.fix).toMatch(/subset of the pod template labels/);
  });

  it("namespaceSelector: the monitor's own namespace by default, the listed ones, or any", () => {
    const inMonitoring = (nsSel?: object) =>
      mutate(coherent(), (get) => {
        const sm = get("ServiceMonitor");
        sm.metadata.namespace = "monitoring";
        if (nsSel) sm.spec.namespaceSelector = nsSel;
        else delete sm.spec.namespaceSelector;
      });
    expect(analyze(inMonitoring({ any: true })).valid).toHaveLength(1);
    expect(analyze(inMonitoring({ matchNames: [NS] })).valid).toHaveLength(1);
    expect(analyze(inMonitoring({ matchNames: ["other"] })).valid).toEqual([]);
    const [f] = scrapeErrors(inMonitoring());
    expect(f!.message).toMatch(
      /ServiceMonitor monitoring\/inference \(spec\.selector \{"matchLabels":\{.*\}\}, namespaces \["monitoring"\]\) selects no Service, not Service ml-t\/inference \(labels \{"app\.kubernetes\.io\/name":"inference","app\.kubernetes\.io\/instance":"inference-t"\}\)/,
    );
    const any = mutate(coherent(), (get) => {
      const sm = get("ServiceMonitor");
      sm.spec.namespaceSelector = { any: true };
      sm.spec.selector = { matchLabels: { team: "x" } };
    });
    expect(scrapeErrors(any)[0]!.message).toMatch(/namespaces "any"\) selects no Service/);
  });

  it("a Service port forwarding by number, or without targetPort (the same number)", () => {
    const svcPort = (p: object) => mutate(coherent(), (get) => (get("Service").spec.ports[1] = { name: "metrics", ...p }));
    expect(analyze(svcPort({ port: 80, targetPort: 9090 })).valid).toHaveLength(1);
    expect(analyze(svcPort({ port: 9090 })).valid).toHaveLength(1);
    expect(scrapeErrors(svcPort({ port: 80 }))[0]!.message).toMatch(/container port no container port/);
  });

  it("another workload's Service: a wrong port is its own problem, not the service's contract", () => {
    const orch = { "app.kubernetes.io/name": "orchestrator" };
    const objects = [
      ...coherent(),
      deployment({ name: "orchestrator", labels: orch }),
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "orchestrator", namespace: NS, labels: orch },
        spec: { selector: orch, ports: [{ name: "web", port: 8000, targetPort: 8000 }] },
      },
      serviceMonitor({ port: "nope" }, { name: "orchestrator" }),
    ];
    objects[objects.length - 1]!.spec.selector = { matchLabels: orch };
    const a = analyze(objects);
    expect(a.broken.map((b) => [b.resource, b.fix])).toEqual([[`ServiceMonitor ${NS}/orchestrator`, "use a port name of the Service"]]);
    const web = mutate(objects, (get) => (get("ServiceMonitor", "orchestrator").spec.endpoints[0].port = "web"));
    // port 8000 of the orchestrator is fine (its contract is not the env's), but the path is not checked either
    const b = analyze(web);
    expect(b.broken).toEqual([]);
    expect(b.valid.map((v) => [v.workload, v.main, v.target.job])).toEqual([
      [`Deployment ${NS}/inference`, true, "inference"],
      [`Deployment ${NS}/orchestrator`, false, "orchestrator"],
    ]);
  });
});

describe("analyzeScrapes: PodMonitor targets", () => {
  it("job <namespace>/<name>, or the jobLabel pod label; the container port's name as endpoint", () => {
    const [v] = analyze([...noSM(), podMonitor({ interval: "30s", honorLabels: true })]).valid;
    expect(v!.resource).toBe(`PodMonitor ${NS}/inference`);
    expect(v!.path).toEqual(["spec", "podMetricsEndpoints", 0]);
    expect(v!.target).toEqual({ ...POD_TARGET, job: `${NS}/inference` });
    expect(v!.intervalSeconds).toBe(30);
    expect(v!.behavior.honorLabels).toBe(true);
    expect(analyze([...noSM(), podMonitor({}, { jobLabel: APP })]).valid[0]!.target.job).toBe("inference");
    expect(analyze([...noSM(), podMonitor({}, { jobLabel: "team" })]).valid[0]!.target.job).toBe(`${NS}/inference`);
  });

  it("the wrong port, an unknown port, the wrong path", () => {
    const [p] = scrapeErrors([...noSM(), podMonitor({ port: "http" })]);
    expect([p!.path, p!.message, p!.fix]).toEqual([
      "spec.podMetricsEndpoints[0].port",
      `port "http" is 8000 (http) of Deployment ${NS}/inference, not the metrics port 9090 (metrics)`,
      'use port "metrics"',
    ]);
    expect(scrapeErrors([...noSM(), podMonitor({ port: "prom" })])[0]!.message).toMatch(/^port "prom" is no container port of/);
    const [f] = scrapeErrors([...noSM(), podMonitor({ path: "/stats" })]);
    expect([f!.path, f!.message, f!.fix]).toEqual([
      "spec.podMetricsEndpoints[0].path",
      "scrapes /stats, not /metrics",
      "set path: /metrics",
    ]);
  });

  it("without the selector labels it is never loaded", () => {
    const [f] = scrapeErrors([...noSM(), podMonitor({}, {}, { labels: { team: "ml" } })]);
    expect([f!.resource, f!.path]).toEqual([`PodMonitor ${NS}/inference`, "metadata.labels"]);
    expect(f!.message).toBe("lacks release=kube-prometheus-stack (monitoring.selectorLabels): it is never loaded");
    expect(f!.fix).toBe("add monitoring.selectorLabels to its labels");
  });

  it("selecting no pods, or the pods of another namespace", () => {
    const [f] = scrapeErrors([...noSM(), podMonitor({}, { selector: { matchLabels: { [APP]: "other" } } })]);
    expect(f!.message).toMatch(/PodMonitor ml-t\/inference selects no pods \(not those of Deployment ml-t\/inference\)/);
    const elsewhere = podMonitor({}, {}, { namespace: "monitoring" });
    expect(analyze([...noSM(), elsewhere]).valid).toEqual([]);
    expect(
      analyze([...noSM(), podMonitor({}, { namespaceSelector: { matchNames: [NS] } }, { namespace: "monitoring" })]).valid,
    ).toHaveLength(1);
  });
});

describe("analyzeScrapes: plain scrape jobs", () => {
  const run = (job: object, objects?: object[]) => {
    const p = plainPrometheus(job);
    return { p, a: analyze(objects ?? p.objects, { files: p.files, config: p.config }) };
  };

  it("a kept pod target: relabeled labels, `instance` from the address, interval and honor_labels", () => {
    const { a } = run({ ...podJob(), honor_labels: true });
    expect(a.valid).toHaveLength(1);
    const [v] = a.valid;
    expect(v!.resource).toBe("File prometheus/scrape-config.yaml");
    expect(v!.path).toEqual(["scrape_configs", 0]);
    expect(v!.target).toEqual({ job: `${NS}/inference`, namespace: NS, pod: POD, instance: "10.0.0.10:9090" });
    expect(v!.intervalSeconds).toBe(15);
    expect(v!.behavior.honorLabels).toBe(true);
    expect(a.targetsMain).toBe(true);
  });

  it("a job without kubernetes_sd_configs, or whose namespaces exclude the pods", () => {
    const { p } = run({ job_name: "static", static_configs: [{ targets: ["x:9090"] }] });
    const [f] = expectErrors(check(p.objects, { files: p.files, config: p.config }), ["METRIC_NOT_SCRAPED"]);
    expect(f!.message).toMatch(/File prometheus\/scrape-config\.yaml scrape_configs\[0\] \(job "static"\) uses no kubernetes_sd_configs/);
    const other = { ...podJob(), kubernetes_sd_configs: [{ role: "pod", namespaces: { names: ["other"] } }] };
    expect(run(other).a.valid).toEqual([]);
    expect(run({ ...podJob(), kubernetes_sd_configs: [{ role: "pod" }] }).a.valid).toHaveLength(1);
  });

  it("discovery selectors: equality and inequality on the pods' labels, for the job's role only", () => {
    const sel = (label: string, role = "pod") =>
      run({ ...podJob(), kubernetes_sd_configs: [{ role: "pod", selectors: [{ role, label }] }] }).a.valid.length;
    expect(sel(`${APP}=inference`)).toBe(1);
    expect(sel(`${APP}==inference`)).toBe(1);
    expect(sel(` ${APP} = inference , app.kubernetes.io/instance=inference-t`)).toBe(1);
    expect(sel(`${APP}=other`)).toBe(0);
    expect(sel(`${APP}!=inference`)).toBe(0);
    expect(sel(`${APP}!=other`)).toBe(1);
    expect(sel(`${APP}=other`, "node")).toBe(1);
    expect(sel(`${APP} in (other)`)).toBe(1);
  });

  it("the endpoints role: the Service's meta labels, its port name", () => {
    const job = {
      job_name: "endpoints",
      kubernetes_sd_configs: [{ role: "endpoints" }],
      relabel_configs: [
        {
          source_labels: ["__meta_kubernetes_service_name", "__meta_kubernetes_endpoint_port_name"],
          regex: "inference;metrics",
          action: "keep",
        },
        { source_labels: ["__meta_kubernetes_service_label_app_kubernetes_io_instance"], target_label: "svc_instance" },
        { source_labels: ["__meta_kubernetes_endpoints_name"], target_label: "ep" },
        { source_labels: ["__meta_kubernetes_endpoint_port_protocol", "__meta_kubernetes_endpoint_ready"], target_label: "proto" },
        { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
      ],
    };
    const { a } = run(job);
    expect(a.broken).toEqual([]);
    expect(a.valid.map((v) => v.target)).toEqual([
      { job: "endpoints", instance: "10.0.0.10:9090", svc_instance: "inference-t", ep: "inference", proto: "TCP;true", namespace: NS },
    ]);
    const annotated = mutate(
      plainPrometheus(job).objects,
      (get) => (get("Service").metadata.annotations = { "prometheus.io/scrape": "true" }),
    );
    const keepAnnotated = {
      ...job,
      relabel_configs: [
        { source_labels: ["__meta_kubernetes_service_annotation_prometheus_io_scrape"], regex: "true", action: "keep" },
        ...job.relabel_configs,
      ],
    };
    expect(run(keepAnnotated, annotated).a.valid).toHaveLength(1);
    expect(run(keepAnnotated).a.valid).toHaveLength(0);
    // no Service in front of the pods: the endpoints role finds nothing; an unknown role neither
    expect(
      run(
        job,
        plainPrometheus(job).objects.filter((o) => o.kind !== "Service"),
      ).a.valid,
    ).toEqual([]);
    expect(run({ ...job, kubernetes_sd_configs: [{ role: "node" }] }).a.valid).toEqual([]);
  });

  it("a relabel rule Prometheus rejects, a metrics path other than the contract's, the default path", () => {
    const { p } = run({ ...podJob(), relabel_configs: [{ source_labels: ["x"], action: "replace" }] });
    const [f] = expectErrors(check(p.objects, { files: p.files, config: p.config }), ["METRIC_NOT_SCRAPED"]);
    expect([f!.path, f!.fix]).toEqual(["scrape_configs[0].relabel_configs", "correct the relabel rule"]);
    expect(f!.message).toMatch(/^job "ml-t\/inference": Prometheus rejects a relabel rule: /);
    const stats = plainPrometheus({ ...podJob(), metrics_path: "/stats" });
    const [m] = expectErrors(check(stats.objects, { files: stats.files, config: stats.config }), ["METRIC_NOT_SCRAPED"]);
    expect([m!.path, m!.message, m!.fix]).toEqual([
      "scrape_configs[0].metrics_path",
      'job "ml-t/inference" scrapes /stats, but metrics are at /metrics',
      "set metrics_path: /metrics",
    ]);
    const { metrics_path: _mp, ...noPath } = podJob();
    expect(run(noPath).a.valid).toHaveLength(1);
  });

  it("the API port's target names its port and the fix", () => {
    const p = plainPrometheus(podJob({ portKeep: false }));
    const [f] = expectErrors(check(p.objects, { files: p.files, config: p.config }), ["METRIC_NOT_SCRAPED"]);
    expect(f!.path).toBe("scrape_configs[0]");
    expect(f!.message).toBe(
      `job "ml-t/inference" scrapes Deployment ml-t/inference on port 8000 (container port 8000 (http)), but metrics are served on 9090 (metrics): that target is down forever`,
    );
    expect(f!.fix).toBe('keep only __meta_kubernetes_pod_container_port_name="metrics"');
    const noPort = plainPrometheus({
      ...podJob(),
      relabel_configs: [...podJob().relabel_configs, { target_label: "__address__", replacement: "x" }],
    });
    expect(expectErrors(check(noPort.objects, { files: noPort.files, config: noPort.config }), ["METRIC_NOT_SCRAPED"])[0]!.message).toMatch(
      /on port \(none\)/,
    );
  });
});

describe("METRIC_NOT_SCRAPED / RULES_NOT_SELECTED: the findings", () => {
  it("counts the readers, lists three, and says why each scrape misses", () => {
    const objects = mutate(coherent(), (get) => (get("ServiceMonitor").spec.selector.matchLabels[APP] = "x"));
    const [f] = scrapeErrors(objects);
    expect(f!.path).toBe("metadata.labels");
    expect(f!.message).toMatch(
      /^[4-9] queries read the service's metrics \([^;]+; [^;]+; [^;]+; \.\.\.\), but nothing scrapes its metrics port 9090 \(metrics\) at \/metrics: ServiceMonitor/,
    );
    expect(f!.fix).toMatch(/endpoint port "metrics"/);
    const one = [deployment(), service(), scaledObject({ triggers: [promTrigger(QUEUE)] })];
    expect(scrapeErrors(one)[0]!.message).toMatch(
      /^1 query reads the service's metrics \(ScaledObject ml-t\/inference spec\.triggers\[0\]\.metadata\.query\), but nothing scrapes/,
    );
  });

  it("no service at all: reported at the config's monitoring.scrape; other jobs' queries make no readers", () => {
    const [f] = scrapeErrors([prometheusRule([rule(`${QUEUE} > 1000`, "Backlog")])]);
    expect([f!.resource, f!.path]).toEqual(["EnvConfig t", "monitoring.scrape"]);
    expect(f!.message).toMatch(/the environment renders no serving workload/);
    const other = [
      deployment(),
      service(),
      prometheusRule([rule(`sum(inference_queue_len{namespace="${NS}",job="orchestrator"}) > 1000`, "X")]),
    ];
    expect(check(other).findings.filter((x) => x.code === "METRIC_NOT_SCRAPED")).toEqual([]);
  });

  it("RULES_NOT_SELECTED names the missing labels and its fix", () => {
    const objects = [...coherent(), prometheusRule([rule(`${QUEUE} > 50`, "Extra")], "extra", { release: "other" })];
    const [f] = expectErrors(check(objects), ["RULES_NOT_SELECTED"]);
    expect(f!.path).toBe("metadata.labels");
    expect(f!.message).toBe(
      "lacks release=kube-prometheus-stack, the labels the Prometheus Operator selects rules by (monitoring.selectorLabels): its alerts never load",
    );
    expect(f!.fix).toBe("add monitoring.selectorLabels to the PrometheusRule's labels");
  });

  it("a ServiceMonitor without the selector labels: what it lacks and why", () => {
    const objects = mutate(coherent(), (get) => (get("ServiceMonitor").metadata.labels = { release: "other", team: "ml" }));
    const [f] = scrapeErrors(objects);
    expect(f!.message).toBe(
      "lacks release=kube-prometheus-stack, the labels Prometheus selects ServiceMonitors by (monitoring.selectorLabels): it is never loaded",
    );
    expect(f!.fix).toBe("add monitoring.selectorLabels to the ServiceMonitor's labels");
  });
});

/** The orchestrator: a second serving workload with a Service, scraped on its own (port 8000, no metrics port). */
const ORCH = { [APP]: "orchestrator" };
const orchestratorObjects = () => [
  deployment({
    name: "orchestrator",
    labels: ORCH,
    containers: [container({ name: "orch", ports: [{ name: "web", containerPort: 8000, protocol: "TCP" }] })],
  }),
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "orchestrator", namespace: NS, labels: ORCH },
    spec: { selector: ORCH, ports: [{ name: "web", port: 8000, targetPort: "web" }] },
  },
];
const orchMonitor = (endpoint: Record<string, unknown> = {}) => {
  const sm = serviceMonitor({ port: "web", ...endpoint }, { name: "orchestrator" });
  sm.spec.selector = { matchLabels: ORCH };
  return sm;
};

describe("analyzeScrapes: only the inference service is held to the metric contract", () => {
  it("a scrape of another workload alone does not scrape the service", () => {
    const objects = [...noSM(), ...orchestratorObjects(), orchMonitor()];
    const a = analyze(objects);
    expect(a.targetsMain).toBe(false);
    expect(a.valid.map((v) => [v.workload, v.main])).toEqual([[`Deployment ${NS}/orchestrator`, false]]);
    expectErrors(check(objects), ["METRIC_NOT_SCRAPED"]);
    const pm = podMonitor({ port: "web" }, { selector: { matchLabels: ORCH } });
    const b = analyze([...noSM(), ...orchestratorObjects(), pm]);
    expect(b.targetsMain).toBe(false);
    expect(b.broken).toEqual([]);
    expect(b.valid.map((v) => [v.workload, v.target.endpoint])).toEqual([[`Deployment ${NS}/orchestrator`, "web"]]);
  });

  it("another workload's Service selecting no pod, or relabelings dropping its target, are not the service's problem", () => {
    const stray = mutate(
      [...coherent(), ...orchestratorObjects(), orchMonitor()],
      (get) => (get("Service", "orchestrator").spec.selector = { [APP]: "none" }),
    );
    expect(analyze(stray).broken).toEqual([]);
    const dropped = [
      ...coherent(),
      ...orchestratorObjects(),
      orchMonitor({ relabelings: [{ sourceLabels: ["job"], regex: "orchestrator", action: "drop" }] }),
    ];
    const a = analyze(dropped);
    expect(a.broken).toEqual([]);
    expect(a.valid.map((v) => v.workload)).toEqual([`Deployment ${NS}/inference`]);
  });

  it("a scrape job reaching another workload's port is not checked against the contract; one keeping only it leaves the service unscraped", () => {
    const job = (keep: string) => ({
      job_name: "pods",
      kubernetes_sd_configs: [{ role: "pod" }],
      relabel_configs: [{ source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], regex: keep, action: "keep" }],
    });
    const objects = (keep: string) => {
      const p = plainPrometheus(job(keep));
      return { objects: [...p.objects, ...orchestratorObjects()], files: p.files, config: p.config };
    };
    const orchOnly = objects("orchestrator");
    const a = analyze(orchOnly.objects, orchOnly);
    expect(a.broken).toEqual([]);
    expect(a.targetsMain).toBe(false);
    expect(a.unrelated).toEqual([
      `File prometheus/scrape-config.yaml scrape_configs[0] (job "pods") keeps no target of Deployment ${NS}/inference (its namespaces, selectors or keep rules exclude the pods' labels {"app.kubernetes.io/name":"inference","app.kubernetes.io/instance":"inference-t"})`,
    ]);
    expectErrors(check(orchOnly.objects, orchOnly), ["METRIC_NOT_SCRAPED"]);
    const both = objects("inference|orchestrator");
    const b = analyze(both.objects, both);
    // the service's API port 8000 is a problem; the orchestrator's 8000 is its only port
    expect(b.broken.map((x) => x.message)).toEqual([expect.stringMatching(/^job "pods" scrapes Deployment ml-t\/inference on port 8000 /)]);
    expect(b.valid.map((v) => v.workload)).toEqual([`Deployment ${NS}/inference`, `Deployment ${NS}/orchestrator`]);
    expect(b.unrelated).toEqual([]);
  });

  it("a relabel rule that fails on the service's target is reported even when a later workload's target passes it", () => {
    const job = {
      job_name: "pods",
      kubernetes_sd_configs: [{ role: "pod" }],
      relabel_configs: [
        { source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], regex: "inference", action: "drop" },
        { source_labels: ["x"], action: "replace" },
      ],
    };
    const p = plainPrometheus({ ...job, relabel_configs: [...job.relabel_configs].reverse() });
    const orchFirst = {
      ...job,
      relabel_configs: [{ ...job.relabel_configs[0]!, regex: "orchestrator", action: "keep" }, job.relabel_configs[1]!],
    };
    const q = plainPrometheus(orchFirst);
    // the service first in the objects, the orchestrator (whose target the keep rule lets reach the bad rule) second
    const [f] = expectErrors(check([...q.objects, ...orchestratorObjects()], { files: q.files, config: q.config }), ["METRIC_NOT_SCRAPED"]);
    expect(f!.path).toBe("scrape_configs[0].relabel_configs");
    const badForMain = {
      ...job,
      relabel_configs: [{ ...job.relabel_configs[0]!, regex: "inference", action: "keep" }, job.relabel_configs[1]!],
    };
    const r = plainPrometheus(badForMain);
    const [g] = expectErrors(check([...r.objects, ...orchestratorObjects()], { files: r.files, config: r.config }), ["METRIC_NOT_SCRAPED"]);
    expect(g!.path).toBe("scrape_configs[0].relabel_configs");
    expect(p.files).toHaveLength(1);
  });

  it("Jobs and CronJobs are not scraped workloads", () => {
    const job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "warmup", namespace: NS },
      spec: { template: deployment().spec.template },
    };
    const a = analyze([...noSM(), podMonitor(), job]);
    expect(a.valid.map((v) => v.workload)).toEqual([`Deployment ${NS}/inference`]);
  });

  it("a Service of the same name and selector in another namespace fronts no pod here", () => {
    const twin = { ...service(), metadata: { ...service().metadata, namespace: "other" } };
    const sm = mutate(coherent(), (get) => (get("ServiceMonitor").spec.namespaceSelector = { any: true }));
    expect(analyze([...sm, twin]).valid.map((v) => v.target.namespace)).toEqual([NS]);
    const endpoints = {
      job_name: "ep",
      kubernetes_sd_configs: [{ role: "endpoints" }],
      relabel_configs: [{ source_labels: ["__meta_kubernetes_endpoint_port_name"], regex: "metrics", action: "keep" }],
    };
    const p = plainPrometheus(endpoints);
    const withTwinFirst = [
      twin,
      ...p.objects.filter((o) => o.kind !== "Service"),
      { ...service(), spec: { ...service().spec, selector: { [APP]: "none" } } },
    ];
    expect(analyze(withTwinFirst, p).valid).toEqual([]);
  });
});

describe("analyzeScrapes: discovery details", () => {
  const run = (job: object) => {
    const p = plainPrometheus(job);
    return analyze(p.objects, p);
  };

  it("the endpointslice role reads like endpoints; a Service without the metrics port has no endpoint for it", () => {
    const job = (role: string) => ({
      job_name: "eps",
      kubernetes_sd_configs: [{ role }],
      relabel_configs: [{ source_labels: ["__meta_kubernetes_endpoint_port_name"], regex: "metrics", action: "keep" }],
    });
    expect(run(job("endpointslice")).valid).toHaveLength(1);
    const p = plainPrometheus({ ...job("endpoints"), relabel_configs: [] });
    const apiOnly = mutate(p.objects, (get) => (get("Service").spec.ports = [{ name: "http", port: 8000, targetPort: "http" }]));
    const a = analyze(apiOnly, p);
    expect(a.valid).toEqual([]);
    expect(a.broken.map((b) => b.path)).toEqual([["scrape_configs", 0]]);
  });

  it("the defaults a job's targets start from: /metrics, http, the container port's protocol TCP", () => {
    const keep = (label: string, regex: string) => ({ source_labels: [label], regex, action: "keep" });
    const { metrics_path: _p, ...job } = podJob();
    const a = run({
      ...job,
      relabel_configs: [
        ...job.relabel_configs,
        keep("__metrics_path__", "/metrics"),
        keep("__scheme__", "http"),
        keep("__meta_kubernetes_pod_container_port_protocol", "TCP"),
      ],
    });
    expect(a.valid).toHaveLength(1);
    expect(run({ ...job, scheme: "https", relabel_configs: [...job.relabel_configs, keep("__scheme__", "https")] }).valid).toHaveLength(1);
  });

  it("an IPv6 pod address: the port is the one after the last colon", () => {
    const v6 = { target_label: "__address__", replacement: "[fd00::1]:9090" };
    const a = run({ ...podJob(), relabel_configs: [...podJob().relabel_configs, v6] });
    expect(a.broken).toEqual([]);
    expect(a.valid[0]!.target.instance).toBe("[fd00::1]:9090");
  });

  it("discovery selectors with trailing blanks, or without a label string, or of another shape", () => {
    const sel = (selectors: unknown[]) => run({ ...podJob(), kubernetes_sd_configs: [{ role: "pod", selectors }] }).valid.length;
    expect(sel([{ role: "pod", label: `${APP}=other ` }])).toBe(0);
    expect(sel([{ label: `${APP}=other` }])).toBe(0);
    expect(sel([{ role: "pod", field: "status.phase=Running" }, null, "x"])).toBe(1);
    expect(run({ ...podJob(), kubernetes_sd_configs: [null, { role: "pod" }] }).valid).toHaveLength(1);
  });

  it("a port entry without a containerPort number is no port", () => {
    const objects = mutate([...noSM(), podMonitor()], (get) => {
      get("Deployment").spec.template.spec.containers[0].ports = [{ name: "metrics" }, null, { name: "http", containerPort: 8000 }];
    });
    expect(scrapeErrors(objects)[0]!.message).toMatch(/^port "metrics" is no container port of/);
  });

  it("objects missing metadata, spec or lists are read without failing", () => {
    const bare = [
      { apiVersion: "apps/v1", kind: "Deployment", spec: { template: { spec: { containers: [{ name: "c", ports: null }, null] } } } },
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", namespace: NS } },
      { apiVersion: "v1", kind: "Service" },
      { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: NS } },
      { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { labels: { release: "kube-prometheus-stack" } } },
      { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", spec: { namespaceSelector: { any: true }, endpoints: [null] } },
      { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor" },
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        spec: { namespaceSelector: { any: true }, podMetricsEndpoints: [null] },
      },
      { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule" },
    ];
    for (const extra of [bare, [...coherent(), ...bare]]) {
      const ctx = new CheckContext({ config: config(), objects: extra });
      expect(() => checkScrapes(ctx)).not.toThrow();
    }
    const p = plainPrometheus({ job_name: "ep", kubernetes_sd_configs: [{ role: "endpoints" }, { role: "pod" }] });
    const ctx = new CheckContext({ config: p.config, objects: [...bare, ...p.objects] as never, files: p.files });
    expect(() => checkScrapes(ctx)).not.toThrow();
  });
});

describe("METRIC_NOT_SCRAPED: which queries make the service's metrics needed", () => {
  const unscraped = (exprs: string[]) => [deployment(), service(), prometheusRule(exprs.map((e, i) => rule(e, `A${i}`)))];
  const S = `namespace="${NS}",job="inference"`;

  it("a query reading a contract series of the service, even beside other series", () => {
    expect(scrapeErrors(unscraped([`sum(inference_queue_len{${S}}) / sum(up{${S}}) > 1000`]))[0]!.message).toMatch(/^1 query reads/);
  });

  it("not: platform series, series outside the contract, adapter seriesQuery discovery", () => {
    expect(
      check(unscraped([`up{${S}} == 0`, `sum(my_other_metric{${S}}) > 1`])).findings.filter((f) => f.code === "METRIC_NOT_SCRAPED"),
    ).toEqual([]);
    const adapterOnly = [
      deployment(),
      service(),
      adapterConfigMap({ rules: [{ ...ADAPTER_P95_RULE, metricsQuery: "sum(up{<<.LabelMatchers>>})" }] }),
    ];
    expect(check(adapterOnly).findings.filter((f) => f.code === "METRIC_NOT_SCRAPED")).toEqual([]);
  });

  it("three readers are listed without an ellipsis; more are cut after three", () => {
    const q = (i: number) => `sum(inference_queue_len{${S}}) > ${1000 + i}`;
    const three = scrapeErrors(unscraped([q(1), q(2), q(3)]))[0]!.message;
    expect(three).toMatch(/^3 queries read the service's metrics \([^)]*rules\[2\]\.expr\), but/);
    const four = scrapeErrors(unscraped([q(1), q(2), q(3), q(4)]))[0]!.message;
    expect(four).toMatch(/^4 queries read the service's metrics \([^)]*rules\[2\]\.expr; \.\.\.\), but/);
  });

  it("every missing selector label is named", () => {
    const c = config({ monitoring: { selectorLabels: { release: "kube-prometheus-stack", team: "ml" } } });
    const objects = [
      ...coherent().filter((o) => o.kind !== "ServiceMonitor"),
      serviceMonitor({}, { labels: {} }),
      podMonitor({}, {}, { labels: {} }),
      prometheusRule([rule(`${QUEUE} > 1000`, "Extra")], "extra", {}),
    ];
    const byResource = new Map(check(objects, { config: c }).errors.map((f) => [f.resource, f.message]));
    expect(byResource.get(`ServiceMonitor ${NS}/inference`)).toMatch(
      /^lacks release=kube-prometheus-stack, team=ml, the labels Prometheus/,
    );
    expect(byResource.get(`PodMonitor ${NS}/inference`)).toBe(
      "lacks release=kube-prometheus-stack, team=ml (monitoring.selectorLabels): it is never loaded",
    );
    expect(byResource.get(`PrometheusRule ${NS}/extra`)).toMatch(
      /^lacks release=kube-prometheus-stack, team=ml, the labels the Prometheus Operator/,
    );
    expect(byResource.get(`PrometheusRule ${NS}/inference-alerts`)).toMatch(/^lacks team=ml, the labels/);
  });
});

describe("METRIC_NOT_SCRAPED: messages for other workloads and unnamed ports", () => {
  it("another workload's endpoint: its own fixes, no mention of the service's metrics port", () => {
    const base = [...coherent(), ...orchestratorObjects()];
    const [noPort] = analyze([...base, orchMonitor({ port: undefined })]).broken;
    expect([noPort!.message, noPort!.fix]).toEqual(["names no port", "set port to a Service port name"]);
    const wrongTarget = mutate([...base, orchMonitor()], (get) => (get("Service", "orchestrator").spec.ports[0].targetPort = 1234));
    const [t] = analyze(wrongTarget).broken;
    expect([t!.message, t!.fix]).toEqual([
      `scrapes container port no container port of Deployment ${NS}/orchestrator`,
      "point the Service port at a container port",
    ]);
    const [pm] = analyze([...base, podMonitor({ port: "metrics" }, { selector: { matchLabels: ORCH } }, { name: "orchestrator" })]).broken;
    expect([pm!.message, pm!.fix]).toEqual([
      `port "metrics" is no container port of Deployment ${NS}/orchestrator`,
      "use a container port name",
    ]);
  });

  it("an unnamed container port is named by its number", () => {
    const objects = mutate(withEndpoint({ targetPort: 8000 }, ["port"]), (get) => {
      get("Deployment").spec.template.spec.containers[0].ports[0] = { containerPort: 8000 };
    });
    expect(scrapeErrors(objects)[0]!.message).toMatch(/^scrapes container port 8000 of Deployment/);
  });

  it("nothing to select: no Service and no pods in the environment", () => {
    const objects = [prometheusRule([rule(`${QUEUE} > 1000`, "Backlog")]), serviceMonitor(), podMonitor()];
    const [f] = scrapeErrors(objects);
    expect(f!.message).toMatch(/selects no Service, not any Service; PodMonitor ml-t\/inference selects no pods$/);
  });

  it("a job whose relabeling drops __metrics_path__ scrapes the default /metrics", () => {
    const p = plainPrometheus({
      ...podJob(),
      relabel_configs: [...podJob().relabel_configs, { regex: "__metrics_path__", action: "labeldrop" }],
    });
    expect(analyze(p.objects, p).broken).toEqual([]);
  });

  it("the endpoints role: an unnamed Service port has an empty port name", () => {
    const job = {
      job_name: "ep",
      kubernetes_sd_configs: [{ role: "endpoints" }],
      relabel_configs: [{ source_labels: ["__meta_kubernetes_endpoint_port_name"], regex: "", action: "keep" }],
    };
    const p = plainPrometheus(job);
    const objects = mutate(p.objects, (get) => (get("Service").spec.ports = [{ port: 9090, targetPort: "metrics" }]));
    expect(analyze(objects, p).valid).toHaveLength(1);
  });
});
