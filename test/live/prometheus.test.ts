/**
 * Live: a real Prometheus (Debian's `prometheus` package; written against 2.42.0+ds) scrapes
 * exporter processes that expose each workload's metric contract the way Python's
 * prometheus_client does (labelled series appear on first use, `le="1.0"`, probe traffic on
 * /health and /readyz), with the environments' own scrape wiring and rule files:
 *
 * - ServiceMonitor scrapes (prod, gpu): the operator's job for the rendered ServiceMonitor — its
 *   target labels (job = Service, namespace, service, pod, container, endpoint = port name,
 *   instance) and its rendered metricRelabelings as metric_relabel_configs;
 * - the kubernetes_sd pod job (dev): the rendered `scrape_configs` entry with its relabel_configs
 *   unchanged, kubernetes_sd replaced by a static target carrying the `__meta_kubernetes_pod_*`
 *   labels kubernetes_sd would give the pod;
 * - every rule file the environments render (dist/<env>/rules), loaded by Prometheus.
 *
 * Scrape and rule evaluation run every second; the queries keep their production windows (2m
 * rate windows have data after two scrapes). Every KEDA prometheus trigger query (read from the
 * rendered ScaledObjects) and every prometheus-adapter query (read from the rendered adapter
 * ConfigMap, filled as the adapter fills it) is asserted over the HTTP API in the phases
 * cold (scraped, probes only), idle (series pre-initialised, no traffic), load (no error yet),
 * errors, partly lost scrape and lost scrape. Every process is stopped by PID in afterAll.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { InferenceService } from "../../constructs/inference-service.js";
import { seriesToPreinitialise, type MetricSpec } from "../../promql/metrics.js";
import { adapterLabelMatchers, fillTemplate } from "../../constructs/prometheus-adapter.js";
import { metricNames, selectors } from "../../promql/parse.js";
import { PodScrapeJob } from "../../constructs/scrape-config.js";
import { podDiscoveryLabels, type PodTarget, type ScrapeModel } from "../../scrape/relabeling.js";
import { ServiceMonitor } from "../../constructs/service-monitor.js";
import { WORKLOAD_ALERT } from "../../rules/workload-alerts.js";
import { ALERT } from "../../rules/alert-rules.js";
import type { EnvironmentStack } from "../../stacks/stack.js";
import { stackFor } from "../helpers/env.js";
import {
  PROMETHEUS_MISSING,
  Processes,
  prometheusVersion,
  query,
  startExporter,
  startPrometheus,
  waitFor,
  type Exporter,
  type ExporterOp,
  type PrometheusServer,
  type Sample,
} from "./harness.js";

const ENVS = ["prod", "gpu", "dev"] as const;
/** Scrape and rule evaluation interval of the live Prometheus. */
const INTERVAL = "1s";
/** Each condition gets this long to hold (generous: 2 shared cores, several suites at once). */
const WAIT_MS = 25_000;

interface Pod {
  readonly target: PodTarget;
  readonly exporter: Exporter;
}

interface Workload {
  readonly env: string;
  readonly namespace: string;
  readonly job: string;
  readonly service: InferenceService;
  readonly metrics: readonly MetricSpec[];
  readonly scrape: ScrapeModel;
  readonly pods: Pod[];
  /** What the workload's traffic looks like. */
  readonly kind: "http" | "vllm";
}

interface NamedQuery {
  readonly name: string;
  readonly expr: string;
  readonly workload: Workload;
  /** Per-pod adapter query: one series per pod, labelled `pod`. */
  readonly perPod?: readonly string[];
}

// Traffic while loaded: per pod and tick (250 ms), 4 /predict requests of 0.3 s, so every one lands
// in the (0.2, 0.35] bucket and the p95 is 0.2 + 0.15 × 0.95 = 0.3425 exactly.
const P95_UNDER_LOAD = 0.2 + 0.15 * 0.95;
const IN_FLIGHT = [3, 5];
const QUEUE = [2, 7];
const WAITING = 4;

const predict = (status: string) => ({ method: "POST", endpoint: "/predict", status });
const probe = (endpoint: string) => ({ method: "GET", endpoint, status: "200" });

/** Kubelet probes from the first second: what prometheus_client records for /health and /readyz. */
function probeOps(kind: Workload["kind"]): ExporterOp[] {
  if (kind === "vllm") return [];
  return ["/health", "/readyz"].flatMap((endpoint) => [
    { op: "observe", metric: "http_request_duration_seconds", labels: probe(endpoint), value: 0.003 },
    { op: "inc", metric: "http_requests_total", labels: probe(endpoint) },
    { op: "set", metric: "http_requests_in_flight", labels: { method: "GET", endpoint }, value: 0 },
  ]);
}

/**
 * The labelled series a service creates at start-up, as the metric contract asks
 * (seriesToPreinitialise). `lazyErrors` leaves out the 5xx series and the error counter, as a
 * service that does not pre-initialise them: they appear only with the first error.
 */
function initOps(w: Workload, lazyErrors: boolean): ExporterOp[] {
  return seriesToPreinitialise(w.service.contract, "/predict", { model: w.kind === "vllm" ? w.service.name : "default" })
    .filter((s) => !(lazyErrors && (s.labels.status === "500" || s.metric === "http_request_errors_total")))
    .map((s) => ({ op: "init", metric: s.metric, labels: s.labels }));
}

/** Load on pod `i`: /predict traffic, in-flight requests, queued requests; errors when asked. */
function loadOps(w: Workload, i: number, errors: boolean): ExporterOp[] {
  const has = (m: string) => w.metrics.some((s) => s.name === m);
  if (w.kind === "vllm")
    return [
      ...probeOps(w.kind),
      { op: "set", metric: "vllm:num_requests_waiting", labels: { model_name: w.service.name }, value: WAITING },
    ];
  return [
    ...probeOps(w.kind),
    { op: "observe", metric: "http_request_duration_seconds", labels: predict("200"), value: 0.3, count: 4 },
    { op: "inc", metric: "http_requests_total", labels: predict("200"), value: 4 },
    { op: "set", metric: "http_requests_in_flight", labels: { method: "POST", endpoint: "/predict" }, value: IN_FLIGHT[i % 2]! },
    ...(has("inference_queue_len")
      ? [{ op: "set" as const, metric: "inference_queue_len", labels: { model: "default" }, value: QUEUE[i % 2]! }]
      : []),
    // One failed request per tick (not in the latency histogram): 1 of 5 requests.
    ...(errors
      ? [
          { op: "inc" as const, metric: "http_requests_total", labels: predict("500") },
          { op: "inc" as const, metric: "http_request_errors_total", labels: predict("500") },
        ]
      : []),
  ];
}

/** Every scrape of every environment, with the service it reaches. */
function workloadsOf(env: string, stack: EnvironmentStack): Omit<Workload, "pods">[] {
  const all = stack.app.node.findAll();
  const services = all.filter((c): c is InferenceService => c instanceof InferenceService);
  const scrapes = all.filter((c): c is ServiceMonitor | PodScrapeJob => c instanceof ServiceMonitor || c instanceof PodScrapeJob);
  return scrapes.map((scrape) => {
    const service = services.find((s) => scrape.targetLabels(podOf(s, 0)) !== undefined);
    if (!service) throw new Error(`${env}: scrape job ${scrape.job} reaches no service`);
    const metrics = service.contract.metrics;
    return {
      env,
      namespace: service.namespace,
      job: scrape.job,
      service,
      metrics,
      scrape,
      kind: metrics.some((m) => m.name.startsWith("vllm:")) ? ("vllm" as const) : ("http" as const),
    };
  });
}

function podOf(s: InferenceService, i: number): PodTarget {
  return {
    name: `${s.name}-5d8f7c6b9-live${i}`,
    namespace: s.namespace,
    ip: `10.7.0.${10 + i}`,
    labels: s.podLabels,
    annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(s.contract.port), "prometheus.io/path": s.contract.path },
    containerName: s.containerName,
    port: { name: s.contract.portName, number: s.contract.port },
  };
}

/** Operator RelabelConfig (camelCase) → Prometheus relabel_config (snake_case). */
function snakeRelabel(r: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
}

/** The `scrape_configs` entry Prometheus runs for a workload, pointed at its exporter processes. */
function scrapeConfig(stack: EnvironmentStack, w: Workload): Record<string, unknown> {
  if (w.scrape instanceof PodScrapeJob) {
    const { kubernetes_sd_configs: _sd, ...job } = w.scrape.config as Record<string, unknown>;
    return {
      ...job,
      scrape_interval: INTERVAL,
      scrape_timeout: INTERVAL,
      static_configs: w.pods.map((p) => {
        const { __address__: _a, ...meta } = podDiscoveryLabels(p.target);
        return { targets: [`127.0.0.1:${p.exporter.port}`], labels: meta };
      }),
    };
  }
  // The operator's generated job for the rendered ServiceMonitor (named as the operator names it).
  const sm = stack
    .objects()
    .find((o: any) => o.kind === "ServiceMonitor" && o.metadata.name === w.job && o.metadata.namespace === w.namespace) as any;
  if (!sm) throw new Error(`${w.env}: no rendered ServiceMonitor ${w.namespace}/${w.job}`);
  const ep = sm.spec.endpoints[0];
  return {
    job_name: `serviceMonitor/${w.namespace}/${w.job}/0`,
    scrape_interval: INTERVAL,
    scrape_timeout: INTERVAL,
    metrics_path: ep.path,
    scheme: ep.scheme,
    honor_labels: ep.honorLabels ?? false,
    static_configs: w.pods.map((p) => ({ targets: [`127.0.0.1:${p.exporter.port}`], labels: w.scrape.targetLabels(p.target)! })),
    metric_relabel_configs: (ep.metricRelabelings ?? []).map(snakeRelabel),
  };
}

/**
 * The KEDA prometheus trigger queries of every rendered ScaledObject, except a `scaling.wakeUp`
 * trigger: it reads a gateway outside the service (dev: Traefik in kube-system), which no
 * exporter here plays; test/stacks/scaling-signals.test.ts runs it with promtool on gateway series.
 */
function kedaQueries(env: string, stack: EnvironmentStack, workloads: readonly Workload[]): NamedQuery[] {
  const wakeUp = stack.config.scaling.wakeUp?.metric.name;
  return (stack.objects() as any[])
    .filter((o) => o.kind === "ScaledObject")
    .flatMap((so) =>
      so.spec.triggers
        .filter((t: any) => t.type === "prometheus" && !(wakeUp !== undefined && metricNames(t.metadata.query).includes(wakeUp)))
        .map((t: any) => {
          const expr = t.metadata.query as string;
          const job = selectors(expr)
            .flatMap((s) => s.matchers)
            .find((m) => m.name === "job")!.value;
          const workload = workloads.find((w) => w.env === env && w.namespace === so.metadata.namespace && w.job === job);
          if (!workload)
            throw new Error(`${env}: ScaledObject ${so.metadata.name} trigger ${t.name} reads job ${job}, which no live workload serves`);
          return { name: `${env} ScaledObject ${so.metadata.name} trigger ${t.name}`, expr, workload };
        }),
    );
}

/** The rendered adapter ConfigMap's rules, filled as prometheus-adapter fills them. */
function adapterQueries(env: string, stack: EnvironmentStack, workloads: readonly Workload[]): NamedQuery[] {
  const cm = (stack.objects() as any[]).find((o) => o.kind === "ConfigMap" && o.metadata.name.endsWith("-prometheus-adapter"));
  const config = parse(cm.data["config.yaml"]) as { rules?: any[]; externalRules?: any[] };
  const workload = workloads.find((w) => w.env === env && w.service.name === stack.service.name)!;
  const pods = workload.pods.map((p) => p.target.name);
  const ns = workload.namespace;
  return [
    ...(config.rules ?? []).map((r) => ({
      name: `${env} adapter ${r.name.as}`,
      expr: fillTemplate(r.metricsQuery, {
        series: metricNames(r.seriesQuery)[0]!,
        labelMatchers: adapterLabelMatchers(ns, pods),
        groupBy: "pod",
      }),
      workload,
      perPod: pods,
    })),
    ...(config.externalRules ?? []).map((r) => ({
      name: `${env} adapter external ${r.name.as}`,
      expr: fillTemplate(r.metricsQuery, { series: metricNames(r.seriesQuery)[0]!, labelMatchers: adapterLabelMatchers(ns), groupBy: "" }),
      workload,
    })),
  ];
}

const procs = new Processes();
let dir = "";
let prom: PrometheusServer;
let version = "";
const workloads: Workload[] = [];
const queries: NamedQuery[] = [];

beforeAll(async () => {
  version = prometheusVersion();
  dir = mkdtempSync(join(tmpdir(), "live-prometheus-"));
  const ruleFiles: string[] = [];
  const scrapeConfigs: Record<string, unknown>[] = [];
  const stacks = ENVS.map((env) => [env, stackFor(env)] as const);
  for (const [env, stack] of stacks) {
    for (const w of workloadsOf(env, stack)) {
      const workload: Workload = { ...w, pods: [] };
      const count = env === "prod" && w.service.name === stack.service.name ? 2 : 1;
      for (let i = 0; i < count; i++) {
        // Cold: only the probes run; no /predict series, no error counter, no queue gauge yet.
        workload.pods.push({ target: podOf(w.service, i), exporter: await startExporter(procs, w.metrics, probeOps(w.kind)) });
      }
      workloads.push(workload);
      scrapeConfigs.push(scrapeConfig(stack, workload));
    }
    for (const f of stack.extraFiles.filter((x) => x.path.startsWith("rules/"))) {
      const path = join(dir, env, f.path);
      mkdirSync(join(dir, env, "rules"), { recursive: true });
      writeFileSync(path, f.content());
      ruleFiles.push(path);
    }
    queries.push(...kedaQueries(env, stack, workloads), ...adapterQueries(env, stack, workloads));
  }
  const configFile = join(dir, "prometheus.yml");
  writeFileSync(
    configFile,
    stringify(
      {
        global: { scrape_interval: INTERVAL, scrape_timeout: INTERVAL, evaluation_interval: INTERVAL },
        rule_files: ruleFiles,
        scrape_configs: scrapeConfigs,
      },
      { lineWidth: 0 },
    ),
  );
  prom = await startPrometheus(procs, configFile, join(dir, "data"));
}, 60_000);

afterAll(async () => {
  await procs.stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const allPods = () => workloads.flatMap((w) => w.pods);
const q = (expr: string) => query(prom.url, expr);

/** Every KEDA and adapter query answers `expected(query)`: a number (one series, or one per pod) or nothing. */
async function expectQueries(expected: (nq: NamedQuery) => number | readonly (number | undefined)[] | undefined): Promise<void> {
  await waitFor(async () => {
    for (const nq of queries) {
      const got = await q(nq.expr);
      const want = expected(nq);
      const label = `${nq.name}: ${nq.expr}`;
      for (const s of got) expect(Number.isNaN(s.value), `${label} answered NaN`).toBe(false);
      if (want === undefined) {
        expect(got, label).toEqual([]);
      } else if (typeof want === "number") {
        expect(got.length, label).toBe(1);
        expect(got[0]!.value, label).toBeCloseTo(want, 6);
      } else {
        const byPod = new Map(got.map((s) => [s.metric.pod, s.value]));
        expect(got.length, label).toBe(want.filter((v) => v !== undefined).length);
        nq.perPod!.forEach((pod, i) => {
          if (want[i] === undefined) expect(byPod.has(pod), `${label} (${pod})`).toBe(false);
          else expect(byPod.get(pod), `${label} (${pod})`).toBeCloseTo(want[i], 6);
        });
      }
    }
  }, WAIT_MS);
}

/** Recorded series of the service in `namespace` (pod:/job:/slo: rules): never NaN. */
async function recorded(namespace: string): Promise<Sample[]> {
  const got = await q(`{__name__=~"(pod|job|slo):.+", namespace="${namespace}"}`);
  for (const s of got) expect(Number.isNaN(s.value), `${s.metric.__name__} recorded NaN`).toBe(false);
  return got;
}

function only(samples: readonly Sample[], name: string, match: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.metric.__name__ === name && Object.entries(match).every(([k, v]) => s.metric[k] === v));
}

describe("live Prometheus (Debian package) scraping prometheus_client-like exporters", () => {
  it("fails with the install command when prometheus is missing, instead of skipping", () => {
    expect(() => prometheusVersion("/nonexistent/prometheus")).toThrow(PROMETHEUS_MISSING);
  });

  it("runs the Debian prometheus binary and scrapes every target of every environment", async () => {
    expect(version).toMatch(/^prometheus, version 2\./);
    expect(queries.filter((x) => !x.perPod && x.name.includes("ScaledObject")).length).toBeGreaterThanOrEqual(5);
    await waitFor(async () => expect((await q("up == 1")).length).toBe(allPods().length), WAIT_MS);
    // Target labels as the scrapes build them: the operator's job is the Service name, the pod job `<ns>/<svc>`.
    const up = await q('up{namespace="ml-serving-prod",job="inference"}');
    expect(up.map((s) => s.metric.pod).sort()).toEqual(["inference-5d8f7c6b9-live0", "inference-5d8f7c6b9-live1"]);
    expect((await q('up{namespace="ml-serving-dev",job="ml-serving-dev/inference"}')).length).toBe(1);
    // The probes' series are stored with the service's own `endpoint` label (restored by the ServiceMonitor's relabeling).
    await waitFor(
      async () => expect((await q('http_requests_total{namespace="ml-serving-prod",job="inference",endpoint="/readyz"}')).length).toBe(2),
      WAIT_MS,
    );
  });

  it("cold (scraped, probes only, no /predict series yet): every trigger and adapter query answers 0", async () => {
    await expectQueries((nq) => (nq.perPod ? nq.perPod.map(() => 0) : 0));
    await waitFor(async () => {
      const rec = await recorded("ml-serving-prod");
      // Nothing served: no latency and no error ratio to record; in-flight and request rate are 0.
      expect(only(rec, "job:http_request_duration_seconds:p95_rate2m")).toEqual([]);
      expect(only(rec, "job:http_request_errors:ratio_rate2m")).toEqual([]);
      expect(only(rec, "job:http_requests_total:rate2m").map((s) => s.value)).toEqual([0]);
      expect(only(rec, "pod:http_requests_in_flight:sum").map((s) => s.value)).toEqual([0, 0]);
      expect(only(rec, "slo:sli_error:ratio_rate5m")).toEqual([]);
    }, WAIT_MS);
  });

  it("idle (labelled series pre-initialised at 0, no traffic): still 0, never NaN", async () => {
    // Every pod as the contract asks, except the second prod pod: its error series stay lazy.
    for (const w of workloads) for (const [i, p] of w.pods.entries()) await p.exporter.once(initOps(w, i === 1));
    await waitFor(
      async () =>
        expect(
          (await q('http_request_duration_seconds_count{namespace="ml-serving-prod",job="inference",endpoint="/predict",status="200"}'))
            .length,
        ).toBe(2),
      WAIT_MS,
    );
    await expectQueries((nq) => (nq.perPod ? nq.perPod.map(() => 0) : 0));
    await waitFor(async () => {
      const rec = await recorded("ml-serving-prod");
      expect(only(rec, "pod:http_request_duration_seconds:p95_rate2m")).toEqual([]);
      expect(only(rec, "job:http_request_errors:ratio_rate2m")).toEqual([]);
      expect(only(rec, "job:http_requests_total:rate2m").map((s) => s.value)).toEqual([0]);
    }, WAIT_MS);
  });

  it("load, no error yet (one pod's error counter does not exist): the p95, the sums, and an error ratio of 0", async () => {
    for (const w of workloads) await Promise.all(w.pods.map((p, i) => p.exporter.program(loadOps(w, i, false))));
    await expectQueries((nq) => {
      const w = nq.workload;
      if (nq.perPod) return nq.name.includes("latency") ? nq.perPod.map(() => P95_UNDER_LOAD) : nq.perPod.map((_, i) => IN_FLIGHT[i]!);
      if (w.kind === "vllm") return WAITING;
      if (nq.expr.includes("histogram_quantile")) return P95_UNDER_LOAD;
      if (nq.expr.includes("inference_queue_len")) return w.pods.reduce((s, _, i) => s + QUEUE[i]!, 0);
      return w.pods.reduce((s, _, i) => s + IN_FLIGHT[i]!, 0);
    });
    // The first prod pod pre-initialised its error counter (0), the second has none yet.
    expect((await q('http_request_errors_total{namespace="ml-serving-prod",job="inference"}')).map((s) => [s.metric.pod, s.value])).toEqual(
      [["inference-5d8f7c6b9-live0", 0]],
    );
    await waitFor(async () => {
      const rec = await recorded("ml-serving-prod");
      expect(only(rec, "job:http_request_duration_seconds:p95_rate2m")[0]?.value).toBeCloseTo(P95_UNDER_LOAD, 6);
      expect(only(rec, "job:http_request_errors:ratio_rate2m").map((s) => s.value)).toEqual([0]);
      expect(only(rec, "slo:sli_error:ratio_rate5m", { sloth_slo: "availability" }).map((s) => s.value)).toEqual([0]);
      expect(only(rec, "slo:sli_error:ratio_rate5m", { sloth_slo: "latency" }).map((s) => s.value)).toEqual([0]);
      expect(only(rec, "slo:period_error_budget_remaining:ratio", { sloth_slo: "availability" }).map((s) => s.value)).toEqual([1]);
    }, WAIT_MS);
  });

  it("errors: the ratio, the SLI and the remaining budget see them", async () => {
    for (const w of workloads) await Promise.all(w.pods.map((p, i) => p.exporter.program(loadOps(w, i, true))));
    await waitFor(async () => {
      const rec = await recorded("ml-serving-prod");
      const ratio = only(rec, "job:http_request_errors:ratio_rate2m")[0]?.value ?? 0;
      // 1 of 5 requests fails from now on; the 2m window still holds the error-free load before.
      expect(ratio).toBeGreaterThan(0);
      expect(ratio).toBeLessThanOrEqual(0.2 + 1e-9);
      expect(only(rec, "slo:sli_error:ratio_rate5m", { sloth_slo: "availability" })[0]?.value ?? 0).toBeGreaterThan(0);
      expect(only(rec, "slo:period_error_budget_remaining:ratio", { sloth_slo: "availability" })[0]?.value ?? 1).toBeLessThan(1);
    }, WAIT_MS);
  });

  it("one prod pod's scrape lost: the triggers still answer, the adapter answers for the pod that is up", async () => {
    const prodService = workloads.find((w) => w.env === "prod" && w.job === "inference")!;
    await procs.stop(prodService.pods[1]!.exporter.child);
    await waitFor(async () => expect((await q('up{namespace="ml-serving-prod",job="inference"} == 0')).length).toBe(1), WAIT_MS);
    await waitFor(async () => {
      for (const nq of queries.filter((x) => x.workload === prodService)) {
        const got = await q(nq.expr);
        if (nq.perPod)
          expect(
            got.map((s) => s.metric.pod),
            nq.name,
          ).toEqual([prodService.pods[0]!.target.name]);
        else expect(got.length, nq.name).toBe(1);
      }
    }, WAIT_MS);
  });

  it("scrape lost (every target down): every trigger and adapter query answers nothing, and TargetDown is pending for every workload", async () => {
    await Promise.all(allPods().map((p) => procs.stop(p.exporter.child)));
    await waitFor(async () => expect((await q("up == 1")).length).toBe(0), WAIT_MS);
    await expectQueries(() => undefined);
    await waitFor(async () => {
      const pending = await q('ALERTS{alertstate="pending"}');
      const names = (alert: string) => pending.filter((s) => s.metric.alertname === alert);
      expect(
        names(ALERT.targetDown)
          .map((s) => s.metric.namespace)
          .sort(),
      ).toEqual(["ml-serving-dev", "ml-serving-gpu", "ml-serving-prod", "ml-serving-prod"]);
      expect(
        names(WORKLOAD_ALERT.targetDown)
          .map((s) => s.metric.workload)
          .sort(),
      ).toEqual(["llm", "orchestrator"]);
    }, WAIT_MS);
  });
});
