import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { App, Chart } from "cdk8s";
import { parse } from "yaml";
import { PodScrapeJob } from "../../constructs/scrape-config.js";
import {
  discoveredTarget,
  relabel,
  storedSeriesLabels,
  toPrometheusRelabelConfigs,
  upSeriesLabels,
  type PodTarget,
} from "../../scrape/relabeling.js";
import { scrapeScope } from "../../scrape/scope.js";
import { ServiceMonitor } from "../../constructs/service-monitor.js";
import { ROOT } from "../helpers/cli.js";
import { stackFor } from "../helpers/env.js";
import { podsOf } from "./scenario.js";
import { promtool, writeTemp } from "../helpers/promtool.js";

function chart() {
  return new Chart(new App(), "test");
}

describe("relabel engine (Prometheus semantics)", () => {
  it("keeps, drops, replaces with anchored regexes and expands $1", () => {
    const l = { a: "x-1", b: "y" };
    expect(relabel(l, [{ sourceLabels: ["a"], regex: "x", action: "keep" }])).toBeUndefined(); // anchored: "x" ≠ "x-1"
    expect(relabel(l, [{ sourceLabels: ["a"], regex: "x-.*", action: "keep" }])).toEqual(l);
    expect(relabel(l, [{ sourceLabels: ["a", "b"], regex: "x-1;y", action: "drop" }])).toBeUndefined();
    expect(relabel(l, [{ sourceLabels: ["a"], regex: "x-(\\d)", targetLabel: "n", replacement: "n$1" }])).toEqual({ ...l, n: "n1" });
    expect(relabel(l, [{ sourceLabels: ["a"], regex: "nomatch", targetLabel: "a", replacement: "z" }])).toEqual(l);
    expect(relabel(l, [{ targetLabel: "c", replacement: "static" }])).toEqual({ ...l, c: "static" });
    expect(relabel(l, [{ regex: "a|b", action: "labeldrop" }])).toEqual({});
    expect(relabel(l, [{ regex: "a", action: "labelkeep" }])).toEqual({ a: "x-1" });
    // Setting a label to "" removes it.
    expect(relabel(l, [{ sourceLabels: ["missing"], targetLabel: "b" }])).toEqual({ a: "x-1" });
  });

  it("renames a conflicting exposed label to exported_<name> unless honor_labels", () => {
    const target = { job: "j", endpoint: "metrics" };
    expect(storedSeriesLabels(target, { endpoint: "/predict" }, { honorLabels: false, metricRelabel: [] })).toEqual({
      job: "j",
      endpoint: "metrics",
      exported_endpoint: "/predict",
    });
    expect(storedSeriesLabels(target, { endpoint: "/predict" }, { honorLabels: true, metricRelabel: [] })).toEqual({
      job: "j",
      endpoint: "/predict",
    });
    expect(storedSeriesLabels(target, { endpoint: "/p", exported_endpoint: "x" }, { honorLabels: false, metricRelabel: [] })).toEqual({
      job: "j",
      endpoint: "metrics",
      exported_endpoint: "x",
      exported_exported_endpoint: "/p",
    });
  });

  it("sets instance from __address__ and drops __ labels after target relabeling", () => {
    expect(
      discoveredTarget("j", { __address__: "1.2.3.4:9090", __meta_x: "y" }, [{ sourceLabels: ["__meta_x"], targetLabel: "x" }]),
    ).toEqual({
      job: "j",
      instance: "1.2.3.4:9090",
      x: "y",
    });
  });

  it("renders snake_case relabel_configs", () => {
    expect(
      toPrometheusRelabelConfigs([
        { sourceLabels: ["a"], regex: "b", action: "keep" },
        { targetLabel: "t", replacement: "v" },
      ]),
    ).toEqual([
      { source_labels: ["a"], regex: "b", action: "keep" },
      { target_label: "t", replacement: "v", action: "replace" },
    ]);
  });
});

describe("ServiceMonitor (scrape service-monitor)", () => {
  const stack = stackFor("prod");
  const sm = stack.objects().find((o: any) => o.kind === "ServiceMonitor") as any;

  it("selects the inference Service's named metrics port, every 15s, with the operator's selector labels", () => {
    expect(sm.metadata).toEqual({
      name: "inference",
      namespace: "ml-serving-prod",
      labels: {
        "app.kubernetes.io/component": "inference-api",
        "app.kubernetes.io/instance": "inference-prod",
        "app.kubernetes.io/managed-by": "inference-scaling",
        "app.kubernetes.io/name": "inference",
        "app.kubernetes.io/part-of": "ml-platform",
        release: "kube-prometheus-stack",
      },
    });
    expect(sm.spec.selector).toEqual({
      matchLabels: { "app.kubernetes.io/instance": "inference-prod", "app.kubernetes.io/name": "inference" },
    });
    expect(sm.spec.namespaceSelector).toEqual({ matchNames: ["ml-serving-prod"] });
    expect(sm.spec.endpoints).toHaveLength(1);
    const ep = sm.spec.endpoints[0];
    expect({
      port: ep.port,
      path: ep.path,
      interval: ep.interval,
      scrapeTimeout: ep.scrapeTimeout,
      honorLabels: ep.honorLabels,
      scheme: ep.scheme,
    }).toEqual({
      port: "metrics",
      path: "/metrics",
      interval: "15s",
      scrapeTimeout: "10s",
      honorLabels: false,
      scheme: "http",
    });
    // The Service exposes that port under that name.
    const svc = stack.objects().find((o: any) => o.kind === "Service" && o.metadata.name === "inference") as any;
    expect(svc.spec.ports.map((p: any) => p.name)).toContain("metrics");
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) expect(svc.metadata.labels[k]).toBe(v);
  });

  it("restores the service's endpoint label (exported_endpoint → endpoint), keeping job/namespace/pod authoritative", () => {
    expect(sm.spec.endpoints[0].metricRelabelings).toEqual([
      { sourceLabels: ["exported_endpoint"], regex: "(.+)", targetLabel: "endpoint", replacement: "$1", action: "replace" },
      { regex: "exported_(endpoint)", action: "labeldrop" },
    ]);
    const scrape = stack.monitoring.scrape;
    const [pod] = podsOf(stack);
    const target = scrape.targetLabels(pod)!;
    expect(target).toEqual({
      job: "inference",
      namespace: "ml-serving-prod",
      service: "inference",
      pod: "inference-6f7d8b9c5-abcde",
      container: "server",
      endpoint: "metrics",
      instance: "10.1.0.11:9090",
    });
    expect(storedSeriesLabels(target, { method: "POST", endpoint: "/predict", status: "200" }, scrape.behavior)).toEqual({
      ...target,
      endpoint: "/predict",
      method: "POST",
      status: "200",
    });
    // A series without the service's endpoint label keeps the port name.
    expect(storedSeriesLabels(target, { model: "default" }, scrape.behavior)).toEqual({ ...target, model: "default" });
    // A pod cannot claim another namespace or job.
    expect(storedSeriesLabels(target, { namespace: "other", job: "x" }, scrape.behavior)).toEqual({
      ...target,
      exported_namespace: "other",
      exported_job: "x",
    });
    expect(upSeriesLabels(target)).toEqual(target);
    expect(scrape.job).toBe(scrapeScope("service-monitor", "ml-serving-prod", "inference").job);
  });

  it("does not reach pods of other services or other ports", () => {
    const scrape = stack.monitoring.scrape;
    const [pod] = podsOf(stack);
    expect(scrape.targetLabels({ ...pod, labels: { ...pod.labels, "app.kubernetes.io/name": "other" } })).toBeUndefined();
    expect(scrape.targetLabels({ ...pod, port: { name: "http", number: 8000 } })).toBeUndefined();
    expect(scrape.targetLabels({ ...pod, namespace: "elsewhere" })).toBeUndefined();
  });

  it("carries the env's selectorLabels", () => {
    const s = stackFor("staging", { monitoring: { selectorLabels: { prometheus: "main" } } });
    const labels = s
      .objects()
      .filter((o: any) => o.apiVersion === "monitoring.coreos.com/v1")
      .map((o: any) => o.metadata.labels.prometheus);
    expect(labels.length).toBeGreaterThan(1);
    expect(new Set(labels)).toEqual(new Set(["main"]));
  });

  it("refuses an empty service selector and a bad interval", () => {
    const base = { serviceName: "s", namespace: "n", labels: {}, serviceSelector: { a: "b" }, portName: "metrics", port: 9090 };
    expect(() => new ServiceMonitor(chart(), "a", { ...base, serviceSelector: {} })).toThrow(/empty service selector/);
    expect(() => new ServiceMonitor(chart(), "b", { ...base, intervalSeconds: 0 })).toThrow(/interval 0s/);
  });

  it("caps the scrape timeout at the interval", () => {
    const s = new ServiceMonitor(chart(), "c", {
      serviceName: "s",
      namespace: "n",
      labels: {},
      serviceSelector: { a: "b" },
      portName: "m",
      port: 1,
      intervalSeconds: 5,
    });
    expect(s.apiObject.toJson().spec.endpoints[0]).toMatchObject({ interval: "5s", scrapeTimeout: "5s" });
  });
});

describe("kubernetes_sd pod job (scrape pod-annotations)", () => {
  const stack = stackFor("dev");
  const mon = stack.monitoring;
  const file = stack.extraFiles.find((f) => f.path === "prometheus/scrape-config.yaml")!;

  it("renders no ServiceMonitor; the pods carry the prometheus.io annotations", () => {
    expect(stack.objects().filter((o: any) => o.kind === "ServiceMonitor")).toEqual([]);
    const [pod] = podsOf(stack);
    expect(pod.annotations).toEqual({ "prometheus.io/scrape": "true", "prometheus.io/port": "9090", "prometheus.io/path": "/metrics" });
  });

  it("is one job named <namespace>/<service>, the job the queries scope on (beside the wake-up source's own job)", () => {
    const doc = parse(file.content());
    // dev's second job scrapes its wake-up source (Traefik), see test/stacks/checks/wake-up-source.test.ts.
    expect(doc.scrape_configs.map((j: { job_name: string }) => j.job_name)).toEqual(["ml-serving-dev/inference", "traefik"]);
    const job = doc.scrape_configs[0];
    expect(job.job_name).toBe("ml-serving-dev/inference");
    expect(job.job_name).toBe(scrapeScope("pod-annotations", "ml-serving-dev", "inference").job);
    expect(job.job_name).toBe(stack.promql.scope.job);
    expect(job).toMatchObject({
      scrape_interval: "15s",
      metrics_path: "/metrics",
      honor_labels: false,
      kubernetes_sd_configs: [{ role: "pod", namespaces: { names: ["ml-serving-dev"] } }],
    });
    expect(file.content()).toBe(readFileSync(join(ROOT, "dist/dev/prometheus/scrape-config.yaml"), "utf8"));
  });

  it("keeps the service's annotated pods on their metrics port and labels them job/namespace/pod/container/service", () => {
    const [pod] = podsOf(stack);
    expect(mon.scrape.targetLabels(pod)).toEqual({
      job: "ml-serving-dev/inference",
      instance: "10.1.0.11:9090",
      namespace: "ml-serving-dev",
      pod: "inference-6f7d8b9c5-abcde",
      container: "server",
      service: "inference",
    });
    // The service's endpoint label is stored unchanged (no endpoint target label to collide with).
    expect(storedSeriesLabels(mon.scrape.targetLabels(pod)!, { endpoint: "/predict" }, mon.scrape.behavior)?.endpoint).toBe("/predict");
  });

  it("drops other apps' pods, pods that opt out, and the API port", () => {
    const [pod] = podsOf(stack);
    const drop = (p: PodTarget) => mon.scrape.targetLabels(p);
    expect(drop({ ...pod, labels: { ...pod.labels, "app.kubernetes.io/instance": "inference-staging" } })).toBeUndefined();
    expect(drop({ ...pod, annotations: { ...pod.annotations, "prometheus.io/scrape": "false" } })).toBeUndefined();
    expect(drop({ ...pod, port: { name: "http", number: 8000 } })).toBeUndefined();
  });

  it("is handed to the prometheus chart as extraScrapeConfigs (and to kube-prometheus-stack when the operator scrapes annotated pods)", () => {
    expect(parse(stack.helmValues["prometheus"]!.extraScrapeConfigs as string)).toEqual(parse(file.content()).scrape_configs);
    const op = stackFor("staging", { monitoring: { scrape: "pod-annotations" } });
    expect(op.objects().filter((o: any) => o.kind === "ServiceMonitor")).toEqual([]);
    const extra = (op.helmValues["kube-prometheus-stack"] as any).prometheus.prometheusSpec.additionalScrapeConfigs;
    expect(extra.map((j: any) => j.job_name)).toEqual(["ml-serving-staging/inference"]);
  });

  it("passes promtool check config (kubernetes_sd swapped for static targets where promtool lacks it)", () => {
    const job = parse(file.content()).scrape_configs[0];
    const write = (j: unknown) =>
      writeTemp({ "prometheus.yml": JSON.stringify({ global: { scrape_interval: "15s" }, scrape_configs: [j] }) });
    const full = promtool(["check", "config", "prometheus.yml"], write(job));
    if (full.code !== 0) {
      // Debian's promtool is built without Kubernetes service discovery: check everything else.
      expect(full.output).toMatch(/kubernetes_sd_configs not found/);
      const { kubernetes_sd_configs: _sd, ...rest } = job;
      const r = promtool(["check", "config", "prometheus.yml"], write({ ...rest, static_configs: [{ targets: ["10.1.0.11:9090"] }] }));
      expect(r.code, r.output).toBe(0);
    }
    const broken = promtool(
      ["check", "config", "prometheus.yml"],
      write({
        ...job,
        kubernetes_sd_configs: undefined,
        static_configs: [{ targets: ["x:1"] }],
        relabel_configs: [{ action: "keep", regex: "(" }],
      }),
    );
    expect(broken.code).not.toBe(0);
  });

  it("refuses an empty pod selector", () => {
    expect(() => new PodScrapeJob(chart(), "j", { namespace: "n", serviceName: "s", podSelector: {}, portName: "metrics" })).toThrow(
      /empty pod selector/,
    );
  });
});
