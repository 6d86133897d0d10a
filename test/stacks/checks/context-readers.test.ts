/**
 * What the check context reads from rendered objects, one accessor at a time (stacks/checks/context.ts):
 * the inference Service and pod template it picks, every kind of pod template, every PromQL site
 * (KEDA triggers, rules, adapter series and metrics queries), scrape jobs wherever they are
 * written (ConfigMaps, Secrets in both forms, files, Helm values), and the files it parses.
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { CheckContext, apiGroup } from "../../../stacks/checks/context.js";
import type { K8sObject } from "../../../stacks/checks/types.js";
import { NS, SVC, config } from "./fixtures.js";

const ctx = (
  objects: K8sObject[],
  extra: { files?: { path: string; content: string }[]; helmValues?: Record<string, Record<string, unknown>> } = {},
) => new CheckContext({ config: config(), objects, ...extra });

const meta = (name: string, namespace = NS) => ({ name, namespace });
const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [{ name: app, image: "x" }] } });

describe("CheckContext readers", () => {
  it("the inference Service: the one named after the service in the env namespace, else the first in that namespace, else none", () => {
    const other = { apiVersion: "v1", kind: "Service", metadata: meta("other") };
    const named = { apiVersion: "v1", kind: "Service", metadata: meta(SVC) };
    const elsewhere = { apiVersion: "v1", kind: "Service", metadata: meta(SVC, "elsewhere") };
    expect(ctx([other, elsewhere, named]).service).toBe(named);
    expect(ctx([elsewhere, other]).service).toBe(other);
    expect(ctx([elsewhere]).service).toBeUndefined();
    // Not a core Service (another API group): not a candidate.
    expect(ctx([{ apiVersion: "serving.knative.dev/v1", kind: "Service", metadata: meta(SVC) }]).service).toBeUndefined();
  });

  it("pod templates of every controller kind, Jobs and CronJobs (not long-running) and bare Pods; the service's own is picked by name and namespace", () => {
    const objects: K8sObject[] = [
      { apiVersion: "batch/v1", kind: "Job", metadata: meta("job"), spec: { template: template("job") } },
      { apiVersion: "batch/v1", kind: "CronJob", metadata: meta("cron"), spec: { jobTemplate: { spec: { template: template("cron") } } } },
      { apiVersion: "apps/v1", kind: "StatefulSet", metadata: meta("sts"), spec: { template: template("sts") } },
      { apiVersion: "apps/v1", kind: "Deployment", metadata: meta(SVC, "elsewhere"), spec: { template: template("elsewhere") } },
      { apiVersion: "apps/v1", kind: "Deployment", metadata: meta(SVC), spec: { template: template(SVC) } },
      { apiVersion: "v1", kind: "Pod", metadata: meta("pod"), spec: { containers: [] } },
      { apiVersion: "example.com/v1", kind: "Pod", metadata: meta("custom"), spec: {} },
      { apiVersion: "apps/v1", kind: "DaemonSet", metadata: meta("no-template"), spec: {} },
    ];
    const c = ctx(objects);
    expect(c.podTemplates().map((t) => [t.resource, t.path, t.longRunning])).toEqual([
      [`Job ${NS}/job`, ["spec", "template"], false],
      [`CronJob ${NS}/cron`, ["spec", "jobTemplate", "spec", "template"], false],
      [`StatefulSet ${NS}/sts`, ["spec", "template"], true],
      [`Deployment elsewhere/${SVC}`, ["spec", "template"], true],
      [`Deployment ${NS}/${SVC}`, ["spec", "template"], true],
      [`Pod ${NS}/pod`, [], true],
    ]);
    expect(c.podTemplates()[1]!.template).toEqual(template("cron"));
    expect(c.servicePods?.resource).toBe(`Deployment ${NS}/${SVC}`);
    // Without the service's own: the first long-running one (never a Job).
    expect(ctx(objects.filter((o) => o.metadata?.namespace !== NS || o.metadata?.name !== SVC)).servicePods?.resource).toBe(
      `StatefulSet ${NS}/sts`,
    );
    expect(ctx(objects.slice(0, 2)).servicePods).toBeUndefined();
  });

  it("every PromQL site: KEDA prometheus triggers of ScaledObjects and ScaledJobs, rules (numeric expr too), adapter series and metrics queries", () => {
    const trigger = (query: unknown, type = "prometheus") => ({ type, metadata: { query } });
    const objects: K8sObject[] = [
      {
        apiVersion: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata: meta("so"),
        spec: { triggers: [trigger("up"), trigger("cpu", "cpu"), trigger(3), { type: "prometheus" }] },
      },
      { apiVersion: "keda.sh/v1alpha1", kind: "ScaledJob", metadata: meta("sj"), spec: { triggers: [trigger("sum(x)")] } },
      { apiVersion: "example.com/v1", kind: "ScaledObject", metadata: meta("not-keda"), spec: { triggers: [trigger("nope")] } },
      { apiVersion: "keda.sh/v1alpha1", kind: "TriggerAuthentication", metadata: meta("ta"), spec: { triggers: [trigger("nope")] } },
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: meta("rules"),
        spec: { groups: [{ name: "g", rules: [{ record: "r:x", expr: "sum(x)" }, { alert: "A", expr: 1 }, { alert: "B" }] }] },
      },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: meta("adapter"),
        data: {
          "config.yaml": stringify({
            rules: [{ seriesQuery: "s{}", metricsQuery: "sum(<<.Series>>{<<.LabelMatchers>>})", name: { as: "m" } }],
            externalRules: [{ metricsQuery: "q" }],
          }),
        },
      },
    ];
    const sites = ctx(objects).queries();
    expect(sites.map((q) => [q.origin, q.resource, q.path.join("."), q.expr])).toEqual([
      ["keda", `ScaledObject ${NS}/so`, "spec.triggers.0.metadata.query", "up"],
      ["keda", `ScaledJob ${NS}/sj`, "spec.triggers.0.metadata.query", "sum(x)"],
      ["record", `PrometheusRule ${NS}/rules`, "spec.groups.0.rules.0.expr", "sum(x)"],
      ["alert", `PrometheusRule ${NS}/rules`, "spec.groups.0.rules.1.expr", "1"],
      ["adapter-series", `ConfigMap ${NS}/adapter`, "data.config.yaml.rules.0.seriesQuery", "s{}"],
      ["adapter-metrics", `ConfigMap ${NS}/adapter`, "data.config.yaml.rules.0.metricsQuery", expect.stringContaining("sum(s")],
      ["adapter-metrics", `ConfigMap ${NS}/adapter`, "data.config.yaml.externalRules.0.metricsQuery", "q"],
    ]);
    expect(sites.filter((q) => q.adapterKind).map((q) => q.adapterKind)).toEqual(["custom", "custom", "external"]);
    // A recording rule's name is what it records.
    expect([...ctx(objects).recordings()]).toEqual([["r:x", "sum(x)"]]);
  });

  it("adapter rules from ConfigMaps, then Helm values not identical to one; a ConfigMap that is no adapter config is none", () => {
    const rule = { seriesQuery: "s{}", metricsQuery: "m" };
    const objects: K8sObject[] = [
      { apiVersion: "v1", kind: "ConfigMap", metadata: meta("adapter"), data: { "config.yaml": stringify({ rules: [rule] }) } },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: meta("plain"),
        data: { "config.yaml": stringify({ rules: [{ name: "x" }] }), n: "1" },
      },
    ];
    const c = ctx(objects, {
      helmValues: {
        "prometheus-adapter": { rules: { custom: [{ metricsQuery: "m", seriesQuery: "s{}" }, { seriesQuery: "t{}" }], external: [rule] } },
      },
    });
    expect(c.adapterRules().map((a) => [a.resource, a.kind, a.path.join(".")])).toEqual([
      [`ConfigMap ${NS}/adapter`, "custom", "data.config.yaml.rules.0"],
      ["HelmValues prometheus-adapter", "custom", "rules.custom.1"],
      ["HelmValues prometheus-adapter", "external", "rules.external.0"],
    ]);
  });

  it("scrape jobs in ConfigMaps, Secrets (stringData and base64 data), files and Helm values, each once", () => {
    const job = (name: string) => ({ job_name: name, static_configs: [{ targets: ["a:1"] }] });
    const config = (...jobs: object[]) => stringify({ scrape_configs: jobs });
    const objects: K8sObject[] = [
      { apiVersion: "v1", kind: "ConfigMap", metadata: meta("cm"), data: { "prometheus.yml": config(job("cm")) } },
      { apiVersion: "v1", kind: "Secret", metadata: meta("s1"), stringData: { "prometheus.yml": config(job("string-data")) } },
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: meta("s2"),
        data: { "prometheus.yml": Buffer.from(config(job("data"), job("cm"))).toString("base64"), n: 1 },
      },
      { apiVersion: "v1", kind: "Service", metadata: meta("svc"), spec: { job_name: "not read" } },
    ];
    const c = ctx(objects, {
      files: [
        { path: "prometheus/scrape.yaml", content: config(job("file")) },
        { path: "notes.txt", content: config(job("not a document")) },
      ],
      helmValues: { prometheus: { extraScrapeConfigs: [job("helm")] } },
    });
    expect(c.scrapeJobs().map((j) => [j.resource, j.job.job_name])).toEqual([
      [`ConfigMap ${NS}/cm`, "cm"],
      [`Secret ${NS}/s1`, "string-data"],
      [`Secret ${NS}/s2`, "data"],
      ["File prometheus/scrape.yaml", "file"],
      ["HelmValues prometheus", "helm"],
    ]);
  });

  it("files: YAML and JSON documents parsed (all of a multi-document file), others and unparsable ones give none", () => {
    const c = ctx([], {
      files: [
        { path: "a.yaml", content: "x: 1\n---\ny: 2\n" },
        { path: "b.json", content: '{"z": 3}' },
        { path: "c.yml", content: "k: [unclosed\n" },
        { path: "d.txt", content: "x: 1\n" },
      ],
    });
    expect(c.parsedFiles().map((f) => [f.path, f.docs])).toEqual([
      ["a.yaml", [{ x: 1 }, { y: 2 }]],
      ["b.json", [{ z: 3 }]],
      ["c.yml", expect.any(Array)],
    ]);
  });

  it("apiGroup: the part before the slash, core for none", () => {
    expect(apiGroup({ apiVersion: "keda.sh/v1alpha1" })).toBe("keda.sh");
    expect(apiGroup({ apiVersion: "v1" })).toBe("");
    expect(apiGroup({ apiVersion: 1 })).toBe("");
    expect(apiGroup({})).toBe("");
  });
});
