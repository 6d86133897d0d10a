/**
 * promtool unit tests generated from an environment's config: a healthy scenario in which no
 * alert fires and every recording, adapter metricsQuery and KEDA trigger query returns exactly
 * the expected series, then one scenario per alert that must fire it with exact labels and
 * annotations.
 *
 * Expected labels, values and annotation texts are written here from the specification (README's
 * "Monitoring" section and the config), not read back from the rules under test.
 */
import { ADAPTER_TEMPLATE, adapterLabelMatchers, fillTemplate } from "../../constructs/prometheus-adapter.js";
import { CUSTOM_METRICS } from "../../promql/custom-metrics.js";
import { formatNumber } from "../../promql/metrics.js";
import { metricNames } from "../../promql/parse.js";
import { isAlertingRule } from "../../constructs/prometheus-rule.js";
import { SERVICE_METRIC } from "../../rules/recording-rules.js";
import { InferenceService } from "../../constructs/inference-service.js";
import { PLATFORM_SCRAPES } from "../../promql/platform-metrics.js";
import { storedSeriesLabels, upSeriesLabels, type Labels, type ScrapeModel } from "../../scrape/relabeling.js";
import { ServiceMonitor } from "../../constructs/service-monitor.js";
import { WORKLOAD_ALERT } from "../../rules/workload-alerts.js";
import { autoscalerName } from "../../stacks/naming.js";
import type { EnvironmentStack } from "../../stacks/stack.js";
import {
  counter,
  expectedQuantile,
  gauge,
  labelSet,
  promtoolTestYaml,
  scenarioFor,
  seriesString,
  type Observations,
  type Scenario,
  type ScenarioSpec,
} from "../scrape/scenario.js";

export interface ExprTest {
  readonly expr: string;
  readonly eval_time: string;
  readonly exp_samples: readonly { readonly labels: string; readonly value: number }[];
}

export interface AlertTest {
  readonly eval_time: string;
  readonly alertname: string;
  readonly exp_alerts: readonly { readonly exp_labels: Labels; readonly exp_annotations: Labels }[];
}

export interface TestGroup {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly { readonly series: string; readonly values: string }[];
  readonly alert_rule_test?: readonly AlertTest[];
  readonly promql_expr_test?: readonly ExprTest[];
}

export interface GeneratedTests {
  /** Rule files by path (`rules/<group>.yaml`), as synth writes them. */
  readonly ruleFiles: Record<string, string>;
  readonly groups: readonly TestGroup[];
  /** The test file (rule_files relative to the directory holding `rules/`). */
  readonly yaml: string;
}

export interface GenerateOptions {
  /** Test with another scrape model (e.g. one that breaks the labels) than the environment's. */
  readonly scrape?: ScrapeModel;
  /** Rewrite a rule file before writing it (to prove a broken rule fails). */
  readonly mutateRules?: (path: string, content: string) => string;
  /** Leave out the KEDA trigger tests (ScaledObject). */
  readonly skipKeda?: boolean;
  /** Keep only the test groups whose name matches (the healthy group is always kept). */
  readonly only?: RegExp;
}

const EVAL = "10m";

function powerOfTwoAtLeast(x: number): number {
  return 2 ** Math.ceil(Math.log2(x));
}

/** The KEDA prometheus trigger queries of the service's ScaledObject, or undefined when it is not rendered. */
export function kedaTriggerQueries(stack: EnvironmentStack): string[] | undefined {
  const { config } = stack;
  const so = stack
    .objects()
    .find(
      (o: any) => o.kind === "ScaledObject" && o.metadata?.name === autoscalerName(config) && o.metadata?.namespace === config.namespace,
    ) as any;
  if (!so) return undefined;
  return (so.spec?.triggers ?? [])
    .filter((t: any) => t.type === "prometheus" && typeof t.metadata?.query === "string")
    .map((t: any) => t.metadata.query as string);
}

/**
 * The stack as service `index` sees it: its own config view, monitoring, queries, workload and
 * autoscaler; the environment's objects, files and the one adapter rule set. The workloads beside
 * the services belong to the first service's view (their alert groups are tested once).
 */
export function stackOfService(stack: EnvironmentStack, index: number): EnvironmentStack {
  if (index === 0) return stack;
  const m = stack.services[index];
  if (!m) throw new Error(`env ${stack.config.name} has no service #${index}`);
  const view = Object.create(stack) as EnvironmentStack;
  const own = {
    config: m.config,
    monitoring: m.monitoring,
    promql: m.promql,
    service: m.service,
    autoscaling: m.autoscaling,
    autoscaler: m.autoscaler,
    extras: { queueWorkers: [], dashboards: [], alerts: [], charts: [], ruleFiles: [], requiredSecrets: [] },
  };
  for (const [k, v] of Object.entries(own)) Object.defineProperty(view, k, { value: v, enumerable: true });
  return view;
}

/** One generated test file per service of the environment (each on that service's rule files and series). */
export function generateServiceTests(stack: EnvironmentStack, opts: GenerateOptions = {}): GeneratedTests[] {
  return stack.services.map((_, i) => generateTests(stackOfService(stack, i), opts));
}

export function generateTests(stack: EnvironmentStack, opts: GenerateOptions = {}): GeneratedTests {
  const { config } = stack;
  const mon = stack.monitoring;
  // The environment renders one adapter rule set (the first service's chart holds it, selecting every service's job).
  const adapter = (stack.services[0]?.monitoring ?? mon).adapterRules;
  const sc: Scenario = scenarioFor(stack, opts.scrape);
  const ns = config.namespace;
  const job = sc.scrape.job;
  const endpoint = config.scaling.endpoint;
  const { alerts: th } = config.monitoring;
  const base = th.runbookBaseUrl;
  const interval = `${sc.intervalSeconds}s`;
  const buckets = sc.buckets;
  const pods = sc.pods.map((p) => p.name) as [string, string];
  const budget = { availability: 1 - config.slo.availability.objective / 100, latency: 1 - config.slo.latency.objective / 100 };

  // Healthy: error ratio at most half of every threshold, all latency in the first bucket.
  const rps = powerOfTwoAtLeast(2 / Math.min(th.errorRatio, budget.availability));
  const fastLatency: Observations[] = [{ bucket: 0, rate: rps }];
  const q = 0.95;
  if (expectedQuantile(q, buckets, fastLatency, 2) > th.p95LatencySeconds) {
    throw new Error(`env ${config.name}: p95 threshold ${th.p95LatencySeconds}s is below the smallest bucket; no healthy scenario exists`);
  }
  const a = 2 ** Math.floor(Math.log2(th.queueBacklog / 8));
  const minReplicas = config.scaling.minReplicas;
  const maxReplicas = config.scaling.maxReplicas;
  const healthy: ScenarioSpec = {
    rps,
    eps: 1,
    latency: fastLatency,
    inFlight: [3, 5],
    queue: [a, 2 * a],
    up: [1, 1],
    hpa: { current: minReplicas, max: maxReplicas },
    kedaErrorsPerSecond: 0,
  };
  const alertNames = [...new Set(mon.ruleFiles.flatMap((f) => f.group.rules.filter(isAlertingRule).map((r) => r.alert)))];

  // --- Healthy: nothing fires; recordings, adapter and KEDA queries return the expected series.
  const scope = { namespace: ns, job };
  const podScope = (i: 0 | 1) => ({ ...scope, pod: pods[i] });
  const rec = mon.recordings;
  const exprTests: ExprTest[] = [
    {
      expr: rec.podLatency.record,
      eval_time: EVAL,
      exp_samples: [0, 1].map((i) => ({
        labels: labelSet(rec.podLatency.record, podScope(i as 0 | 1)),
        value: expectedQuantile(q, buckets, fastLatency, 1),
      })),
    },
    {
      expr: rec.serviceLatency.record,
      eval_time: EVAL,
      exp_samples: [{ labels: labelSet(rec.serviceLatency.record, scope), value: expectedQuantile(q, buckets, fastLatency, 2) }],
    },
    {
      expr: rec.podInFlight.record,
      eval_time: EVAL,
      exp_samples: [0, 1].map((i) => ({ labels: labelSet(rec.podInFlight.record, podScope(i as 0 | 1)), value: healthy.inFlight[i]! })),
    },
    {
      expr: rec.errorRatio.record,
      eval_time: EVAL,
      exp_samples: [{ labels: labelSet(rec.errorRatio.record, scope), value: healthy.eps / healthy.rps }],
    },
    {
      expr: rec.requestRate.record,
      eval_time: EVAL,
      exp_samples: [{ labels: labelSet(rec.requestRate.record, scope), value: 2 * healthy.rps }],
    },
  ];

  // Adapter metricsQuery templates, filled as the adapter fills them for one pod and for all pods.
  for (const rule of adapter.custom) {
    const series = metricNames(rule.seriesQuery)[0]!;
    const perPod = (i: 0 | 1) =>
      rule.name.as === CUSTOM_METRICS.podP95Latency ? expectedQuantile(q, buckets, fastLatency, 1) : healthy.inFlight[i];
    if (rule.name.as !== CUSTOM_METRICS.podP95Latency && rule.name.as !== CUSTOM_METRICS.podInFlight)
      throw new Error(`no expectation for adapter metric ${rule.name.as}`);
    exprTests.push(
      {
        expr: fillTemplate(rule.metricsQuery, { series, labelMatchers: adapterLabelMatchers(ns, [pods[0]]), groupBy: "pod" }),
        eval_time: EVAL,
        exp_samples: [{ labels: labelSet(undefined, { pod: pods[0] }), value: perPod(0) }],
      },
      {
        expr: fillTemplate(rule.metricsQuery, { series, labelMatchers: adapterLabelMatchers(ns, pods), groupBy: "pod" }),
        eval_time: EVAL,
        exp_samples: [0, 1].map((i) => ({ labels: labelSet(undefined, { pod: pods[i]! }), value: perPod(i as 0 | 1) })),
      },
    );
  }
  for (const rule of adapter.external) {
    if (rule.name.as !== CUSTOM_METRICS.queueLength) throw new Error(`no expectation for external metric ${rule.name.as}`);
    if (rule.metricsQuery.includes(ADAPTER_TEMPLATE.groupBy))
      throw new Error("external metricsQuery must not depend on <<.GroupBy>> (the adapter passes none)");
    exprTests.push({
      expr: fillTemplate(rule.metricsQuery, {
        series: metricNames(rule.seriesQuery)[0]!,
        labelMatchers: adapterLabelMatchers(ns),
        groupBy: "",
      }),
      eval_time: EVAL,
      exp_samples: [{ labels: "{}", value: healthy.queue[0] + healthy.queue[1] }],
    });
  }

  // KEDA trigger queries: what the ScaledObject asks Prometheus. Each must return one series.
  const kedaExpectation = (query: string): number => {
    const names = metricNames(query);
    if (names.includes(`${SERVICE_METRIC.latency}_bucket`)) {
      const m = /histogram_quantile\(\s*([0-9.]+)/.exec(query);
      if (!m) throw new Error(`latency trigger without histogram_quantile: ${query}`);
      return expectedQuantile(Number(m[1]), buckets, fastLatency, 2);
    }
    if (names.includes(SERVICE_METRIC.queue)) return healthy.queue[0] + healthy.queue[1];
    // Concurrency and its burst path: /predict in flight summed over the pods (constant gauges: peak = value).
    if (names.includes(SERVICE_METRIC.inFlight)) return healthy.inFlight[0] + healthy.inFlight[1];
    throw new Error(`no expectation for KEDA trigger query ${query}`);
  };
  if (config.scaling.mode === "keda") {
    // The trigger expressions as the builder makes them (what the ScaledObject is built from)...
    const window = config.monitoring.queryWindow;
    const built = [
      stack.promql.histogramQuantile(q, SERVICE_METRIC.latency, { endpoint }, window),
      stack.promql.sumGauge(SERVICE_METRIC.queue),
    ];
    // ...and exactly what the rendered ScaledObject asks Prometheus.
    const rendered = opts.skipKeda ? [] : (kedaTriggerQueries(stack) ?? []);
    // The wake-up trigger reads a gateway outside the service. These series have no gateway target,
    // so it must return nothing (a lost source is a scaler error, not a 0); test/stacks/scaling-signals.test.ts
    // runs it on gateway series.
    const wakeUp = config.scaling.wakeUp?.metric.name;
    for (const query of [...built, ...rendered]) {
      const absent = wakeUp !== undefined && metricNames(query).includes(wakeUp);
      exprTests.push({ expr: query, eval_time: EVAL, exp_samples: absent ? [] : [{ labels: "{}", value: kedaExpectation(query) }] });
    }
  }

  const groups: TestGroup[] = [
    {
      name: "healthy: no alert fires, every query returns its series",
      interval,
      input_series: sc.series(healthy),
      alert_rule_test: alertNames.flatMap((alertname) =>
        ["30s", EVAL, "20m"].map((eval_time) => ({ eval_time, alertname, exp_alerts: [] })),
      ),
      promql_expr_test: exprTests,
    },
  ];

  // --- Absent and idle series (fresh pods, no errors yet, no traffic, lost scrape): what every
  // recording, SLI, adapter metricsQuery and rendered KEDA trigger answers. Never NaN: 0 where the
  // targets are up and nothing happened, nothing where there is nothing to describe or the scrape
  // is lost (see promql/scrape-guard.ts and the rule comments).
  type Want = number | "none";
  interface AbsentWant {
    readonly podLatency?: Want;
    readonly serviceLatency?: Want;
    readonly inFlight?: Want;
    readonly errorRatio?: Want;
    readonly requestRate?: Want;
    readonly availabilitySli?: Want;
    readonly latencySli?: Want;
    readonly budgetRemaining?: Want;
    /** Per-pod adapter values (p95, in-flight) and the external queue. */
    readonly adapter: { readonly p95?: Want; readonly inFlight?: Want; readonly queue?: Want };
    /**
     * KEDA triggers by what they read: the latency histogram, the queue gauge, the in-flight gauge
     * (`concurrency` and its `concurrency-burst` peak: constant gauges, so the peak is the value).
     * The `wake-up` trigger reads a gateway these series have no target of: a lost source, nothing
     * in every group (test/stacks/scaling-signals.test.ts runs it on gateway series).
     */
    readonly keda: { readonly latency?: Want; readonly queue?: Want; readonly inFlight?: Want };
  }
  const samples = (name: string | undefined, labelsOf: readonly Record<string, string>[], want: Want | undefined) =>
    want === undefined ? undefined : want === "none" ? [] : labelsOf.map((l) => ({ labels: labelSet(name, l), value: want }));
  const sloLabels = (slo: "availability" | "latency", window: string) => ({
    ...scope,
    sloth_id: `${stack.service.name}-${slo}`,
    sloth_service: stack.service.name,
    sloth_slo: slo,
    sloth_window: window,
  });
  const absentTests = (want: AbsentWant): ExprTest[] => {
    const tests: { expr: string; exp: ExprTest["exp_samples"] | undefined }[] = [
      { expr: rec.podLatency.record, exp: samples(rec.podLatency.record, [podScope(0), podScope(1)], want.podLatency) },
      { expr: rec.serviceLatency.record, exp: samples(rec.serviceLatency.record, [scope], want.serviceLatency) },
      { expr: rec.podInFlight.record, exp: samples(rec.podInFlight.record, [podScope(0), podScope(1)], want.inFlight) },
      { expr: rec.errorRatio.record, exp: samples(rec.errorRatio.record, [scope], want.errorRatio) },
      { expr: rec.requestRate.record, exp: samples(rec.requestRate.record, [scope], want.requestRate) },
      {
        expr: 'slo:sli_error:ratio_rate5m{sloth_slo="availability"}',
        exp: samples("slo:sli_error:ratio_rate5m", [sloLabels("availability", "5m")], want.availabilitySli),
      },
      {
        expr: 'slo:sli_error:ratio_rate5m{sloth_slo="latency"}',
        exp: samples("slo:sli_error:ratio_rate5m", [sloLabels("latency", "5m")], want.latencySli),
      },
      {
        expr: 'slo:period_error_budget_remaining:ratio{sloth_slo="availability"}',
        exp: samples("slo:period_error_budget_remaining:ratio", [sloLabels("availability", config.slo.period)], want.budgetRemaining),
      },
    ];
    for (const rule of adapter.custom) {
      const series = metricNames(rule.seriesQuery)[0]!;
      const w = rule.name.as === CUSTOM_METRICS.podP95Latency ? want.adapter.p95 : want.adapter.inFlight;
      tests.push({
        expr: fillTemplate(rule.metricsQuery, { series, labelMatchers: adapterLabelMatchers(ns, pods), groupBy: "pod" }),
        exp: samples(undefined, [{ pod: pods[0] }, { pod: pods[1] }], w),
      });
    }
    for (const rule of adapter.external) {
      tests.push({
        expr: fillTemplate(rule.metricsQuery, {
          series: metricNames(rule.seriesQuery)[0]!,
          labelMatchers: adapterLabelMatchers(ns),
          groupBy: "",
        }),
        exp: samples(undefined, [{}], want.adapter.queue),
      });
    }
    const wakeUpMetric = config.scaling.wakeUp?.metric.name;
    for (const query of opts.skipKeda ? [] : (kedaTriggerQueries(stack) ?? [])) {
      const reads = metricNames(query);
      if (wakeUpMetric !== undefined && reads.includes(wakeUpMetric)) {
        tests.push({ expr: query, exp: [] });
        continue;
      }
      const kind = reads.includes(`${SERVICE_METRIC.latency}_bucket`)
        ? "latency"
        : reads.includes(SERVICE_METRIC.queue)
          ? "queue"
          : reads.includes(SERVICE_METRIC.inFlight)
            ? "inFlight"
            : undefined;
      if (kind === undefined) throw new Error(`no expectation for KEDA trigger query ${query}`);
      const w = want.keda[kind];
      tests.push({ expr: query, exp: samples(undefined, [{}], w) });
    }
    // 3m: every window (2m, 5m rates; the period averaged from 5m) has data; fewer steps for promtool.
    return tests.filter((t) => t.exp !== undefined).map((t) => ({ expr: t.expr, eval_time: "3m", exp_samples: t.exp! }));
  };
  const idle = {
    podLatency: "none",
    serviceLatency: "none",
    inFlight: 0,
    errorRatio: "none",
    requestRate: 0,
    availabilitySli: "none",
    latencySli: "none",
    budgetRemaining: "none",
  } as const;
  const zero = { adapter: { p95: 0, inFlight: 0, queue: 0 }, keda: { latency: 0, queue: 0, inFlight: 0 } } as const;
  const lost = {
    adapter: { p95: "none", inFlight: "none", queue: "none" },
    keda: { latency: "none", queue: "none", inFlight: "none" },
  } as const;
  // Zero pods (no target of the job discovered at all): a service that may sit at zero replicas
  // (docs/autoscaling.md "Scale to zero that wakes up": minReplicas 0 or keda.idleReplicaCount 0) has its own
  // triggers answer 0 there, since KEDA would apply the fallback on an empty result and scale the
  // idle service back up; any other service answers nothing (a lost scrape).
  const mayIdle = config.scaling.mode === "keda" && (minReplicas === 0 || config.scaling.keda.idleReplicaCount === 0);
  const zeroPods = mayIdle ? { ...lost, keda: zero.keda } : lost;
  const absentGroups: [string, ScenarioSpec, AbsentWant][] = [
    [
      "fresh pods (scraped, probes only, no /predict or queue series yet)",
      { ...healthy, rps: 0, eps: 0, latency: [], absent: ["predict"] },
      { ...idle, ...zero },
    ],
    [
      "no traffic (series exist, nothing served in the windows)",
      { ...healthy, rps: 0, eps: 0, latency: [], inFlight: [0, 0], queue: [0, 0] },
      { ...idle, ...zero },
    ],
    [
      "no errors yet (requests, but no 5xx series or error counter)",
      { ...healthy, eps: 0, absent: ["errors"] },
      {
        errorRatio: 0,
        requestRate: 2 * healthy.rps,
        availabilitySli: 0,
        budgetRemaining: 1,
        // (in-flight differs per pod under traffic: the healthy group checks it)
        adapter: { p95: expectedQuantile(q, buckets, fastLatency, 1), queue: healthy.queue[0] + healthy.queue[1] },
        keda: {
          latency: expectedQuantile(q, buckets, fastLatency, 2),
          queue: healthy.queue[0] + healthy.queue[1],
          inFlight: healthy.inFlight[0] + healthy.inFlight[1],
        },
      },
    ],
    ["scrape lost: every target up == 0", { ...healthy, up: [0, 0] }, { ...lost }],
    ["scrape lost: no up series for the job at all (zero pods)", { ...healthy, up: "absent" }, { ...zeroPods }],
  ];
  for (const [name, spec, want] of absentGroups) {
    groups.push({ name: `absent series: ${name}`, interval, input_series: sc.series(spec), promql_expr_test: absentTests(want) });
  }

  const group = (name: string, spec: Partial<ScenarioSpec>, tests: AlertTest[]) =>
    groups.push({ name, interval, input_series: sc.series({ ...healthy, ...spec }), alert_rule_test: tests });
  const runbook = (alert: string) => `${base}#${alert}`;
  const T = formatNumber(th.p95LatencySeconds);

  // --- HighLatency: all /predict requests in the bucket above the first boundary over the threshold.
  const j = buckets.findIndex((b) => b > th.p95LatencySeconds);
  const slow: Observations[] = [{ bucket: j + 1 < buckets.length ? j + 1 : "inf", rate: rps }];
  const slowP95 = expectedQuantile(q, buckets, slow, 2);
  group("HighLatency fires above the p95 threshold", { latency: slow }, [
    { eval_time: "30s", alertname: "InferenceHighLatency", exp_alerts: [] },
    {
      eval_time: EVAL,
      alertname: "InferenceHighLatency",
      exp_alerts: [
        {
          exp_labels: { ...scope, severity: "warning" },
          exp_annotations: {
            summary: `p95 latency of ${endpoint} is above ${T}s`,
            description: `p95 latency of ${endpoint} on ${job} in ${ns} is ${slowP95.toFixed(3)}s, above ${T}s for 1m. The autoscaler may lag behind the load or the pods are saturated.`,
            runbook_url: runbook("InferenceHighLatency"),
          },
        },
      ],
    },
  ]);

  // --- HighErrorRate: half the requests fail.
  const ratio = formatNumber(th.errorRatio);
  group("HighErrorRate fires above the error ratio", { eps: rps / 2 }, [
    {
      eval_time: EVAL,
      alertname: "InferenceHighErrorRate",
      exp_alerts: [
        {
          exp_labels: { ...scope, severity: "critical" },
          exp_annotations: {
            summary: `${endpoint} answers more than ${ratio} of requests with errors`,
            description: `Error ratio of ${endpoint} on ${job} in ${ns} is 0.5000, above ${ratio} for 30s.`,
            runbook_url: runbook("InferenceHighErrorRate"),
          },
        },
      ],
    },
  ]);

  // --- QueueBacklog: each pod holds the threshold, together twice that.
  const backlog = formatNumber(th.queueBacklog);
  group("QueueBacklog fires above the backlog", { queue: [th.queueBacklog, th.queueBacklog] }, [
    { eval_time: "1m", alertname: "InferenceQueueBacklog", exp_alerts: [] },
    {
      eval_time: EVAL,
      alertname: "InferenceQueueBacklog",
      exp_alerts: [
        {
          exp_labels: { ...scope, severity: "warning" },
          exp_annotations: {
            summary: `More than ${backlog} requests wait for a model worker`,
            description: `${(2 * th.queueBacklog).toFixed(0)} requests are queued on ${job} in ${ns}, above ${backlog} for 2m.`,
            runbook_url: runbook("InferenceQueueBacklog"),
          },
        },
      ],
    },
  ]);

  // --- TargetDown: one pod's scrape fails (labels: exactly the target labels of that pod).
  const downDescription = (what: string) =>
    `Prometheus cannot scrape ${job} in ${ns}${what} for 5m: alerts, the adapter and KEDA see no fresh data.`;
  group("TargetDown fires for the pod whose scrape fails", { up: [0, 1] }, [
    {
      eval_time: EVAL,
      alertname: "InferenceTargetDown",
      exp_alerts: [
        {
          exp_labels: { ...upSeriesLabels(sc.targets[0]), severity: "warning" },
          exp_annotations: {
            summary: "Prometheus cannot scrape the inference service",
            description: downDescription(` (pod ${pods[0]})`),
            runbook_url: runbook("InferenceTargetDown"),
          },
        },
      ],
    },
  ]);
  const canScaleToZero = minReplicas === 0 || (config.scaling.mode === "keda" && config.scaling.keda.idleReplicaCount !== undefined);
  group("TargetDown fires when no target exists at all (unless the service may scale to zero)", { up: "absent" }, [
    {
      eval_time: EVAL,
      alertname: "InferenceTargetDown",
      exp_alerts: canScaleToZero
        ? []
        : [
            {
              exp_labels: { ...scope, severity: "warning" },
              exp_annotations: {
                summary: "Prometheus cannot scrape the inference service",
                description: downDescription(" (no target found)"),
                runbook_url: runbook("InferenceTargetDown"),
              },
            },
          ],
    },
  ]);

  // --- Autoscaler at its maximum for 15m.
  if (maxReplicas > minReplicas) {
    group("AutoscalerAtMaxReplicas fires after 15m at the maximum", { hpa: { current: maxReplicas, max: maxReplicas } }, [
      { eval_time: EVAL, alertname: "InferenceAutoscalerAtMaxReplicas", exp_alerts: [] },
      {
        eval_time: "20m",
        alertname: "InferenceAutoscalerAtMaxReplicas",
        exp_alerts: [
          {
            exp_labels: { namespace: ns, horizontalpodautoscaler: stack.autoscaler.hpaName, severity: "warning" },
            exp_annotations: {
              summary: `The autoscaler has run at its maximum of ${maxReplicas} replicas for 15m`,
              description: `HPA ${stack.autoscaler.hpaName} in ${ns} has run at its maximum of ${maxReplicas} replicas for 15m: it cannot add capacity. Raise scaling.maxReplicas (and the quota) or reduce the load.`,
              runbook_url: runbook("InferenceAutoscalerAtMaxReplicas"),
            },
          },
        ],
      },
    ]);
  }

  // --- KEDA unhealthy (mode keda): the ScaledObject's errors keep growing.
  if (config.scaling.mode === "keda") {
    const so = autoscalerName(config);
    group("KedaUnhealthy fires while KEDA reports errors", { kedaErrorsPerSecond: 0.5 }, [
      {
        eval_time: EVAL,
        alertname: "InferenceKedaUnhealthy",
        exp_alerts: [
          {
            exp_labels: { scaledObject: so, namespace: ns, severity: "warning" },
            exp_annotations: {
              summary: `KEDA fails to evaluate ScaledObject ${so}`,
              description: `KEDA reports 0.50 errors/s for ScaledObject ${so} in ${ns} for 2m: its triggers cannot be read, so it scales on the fallback replica count or not at all. keda_scaler_detail_errors_total names the failing trigger.`,
              runbook_url: runbook("InferenceKedaUnhealthy"),
            },
          },
        ],
      },
    ]);
  }

  // --- SLO burn-rate alerts: a constant bad ratio f fires a severity when f > factor × budget for
  // any of its window pairs (SRE workbook factors for the period, checked in rules.test.ts).
  const period = config.slo.period;
  const periodHours = Number(period.replace("d", "")) * 24;
  const pairs = [
    { severity: "page", factor: 0.02 * (periodHours / 1) },
    { severity: "page", factor: 0.05 * (periodHours / 6) },
    { severity: "ticket", factor: 0.1 * (periodHours / 24) },
    { severity: "ticket", factor: 0.1 * (periodHours / 72) },
  ];
  const sloAlert = (slo: "availability" | "latency", severity: string, description: string) => ({
    exp_labels: {
      ...scope,
      sloth_id: `${stack.service.name}-${slo}`,
      sloth_service: stack.service.name,
      sloth_slo: slo,
      severity: severity === "page" ? "critical" : "warning",
      sloth_severity: severity,
    },
    exp_annotations: {
      summary: `${stack.service.name} ${slo} SLO error budget burn rate is over expected.`,
      title: `(${severity}) ${stack.service.name} ${slo} SLO error budget burn rate is too fast.`,
      description,
      runbook_url: runbook(`Inference${slo === "availability" ? "Availability" : "Latency"}ErrorBudgetBurn`),
    },
  });
  const sloDescription = (slo: "availability" | "latency", severity: string) => {
    const objective = formatNumber(slo === "availability" ? config.slo.availability.objective : config.slo.latency.objective);
    const good =
      slo === "availability"
        ? `${endpoint} requests answered without a server error`
        : `${endpoint} requests served within ${formatNumber(config.slo.latency.thresholdSeconds)}s`;
    const how =
      severity === "page"
        ? `${formatNumber(pairs[0]!.factor)}× over 1h and 5m, or ${formatNumber(pairs[1]!.factor)}× over 6h and 30m`
        : `${formatNumber(pairs[2]!.factor)}× over 1d and 2h, or ${formatNumber(pairs[3]!.factor)}× over 3d and 6h`;
    return `The ${slo} SLO (${objective}% of ${good} over ${period}) burns its error budget too fast: ${how}. At this pace the budget is gone before the period ends.`;
  };
  const expectedSlo = (slo: "availability" | "latency", f: number) =>
    ["page", "ticket"]
      .filter((s) => pairs.some((p) => p.severity === s && f > p.factor * budget[slo]))
      .map((s) => sloAlert(slo, s, sloDescription(slo, s)));
  const thr = buckets.indexOf(config.slo.latency.thresholdSeconds);
  for (const slo of ["availability", "latency"] as const) {
    const name = `Inference${slo === "availability" ? "Availability" : "Latency"}ErrorBudgetBurn`;
    // A just-over-budget ratio: a power of two in (budget, 2 × budget] — ticket (1×), never page (≥ 6×).
    const small = 2 ** (Math.floor(Math.log2(budget[slo])) + 1);
    for (const f of [1, small]) {
      const n = Math.max(rps, 1 / small);
      const spec: Partial<ScenarioSpec> =
        slo === "availability"
          ? { rps: n, eps: f * n, latency: [{ bucket: 0, rate: n }] }
          : {
              rps: n,
              eps: n / rps,
              latency: [...(f < 1 ? [{ bucket: thr, rate: (1 - f) * n }] : []), { bucket: "inf" as const, rate: f * n }],
            };
      group(`${name} at a bad ratio of ${formatNumber(f)}`, spec, [{ eval_time: EVAL, alertname: name, exp_alerts: expectedSlo(slo, f) }]);
    }
  }

  // --- The workloads beside the service (orchestrator, GPU server, queue workers): their own
  // TargetDown and KEDA alerts, quiet when healthy, firing on a failed scrape, on no target at all
  // (unless they may scale to zero) and on a failing ScaledObject.
  const keda = PLATFORM_SCRAPES[sc.flavor].keda;
  const extras = stack.extras;
  const described: Record<string, string> = {
    ...(extras.orchestrator ? { [extras.orchestrator.service.name]: "the orchestrator" } : {}),
    ...(extras.gpu ? { [extras.gpu.name]: "the GPU LLM server" } : {}),
    ...Object.fromEntries(extras.queueWorkers.map((w) => [w.name, `queue worker ${w.name}`])),
  };
  for (const wa of extras.alerts) {
    const workload = wa.group.name.replace(/-alerts$/, "");
    const what = described[workload];
    if (!what) throw new Error(`no expectation for workload alert group ${wa.group.name}`);
    const svc = stack.app.node.findAll().find((c): c is InferenceService => c instanceof InferenceService && c.name === workload);
    const scrape = stack.app.node
      .findAll()
      .find((c): c is ServiceMonitor => c instanceof ServiceMonitor && c.job === workload && c.namespace === ns);
    const target =
      svc && scrape
        ? scrape.targetLabels({
            name: `${workload}-7d9c8b6f5-a1b2c`,
            namespace: ns,
            ip: "10.1.0.31",
            labels: svc.podLabels,
            annotations: {},
            containerName: svc.containerName,
            port: { name: svc.contract.portName, number: svc.contract.port },
          })
        : undefined;
    const so = wa.alerts.some((a) => a.alert === WORKLOAD_ALERT.kedaUnhealthy) ? workload : undefined;
    const input = (up: 0 | 1 | "absent", errorsPerSecond: number) => [
      ...(target && up !== "absent" ? [{ series: seriesString("up", upSeriesLabels(target)), values: gauge(up) }] : []),
      ...(so
        ? [
            {
              series: seriesString(
                "keda_scaled_object_errors_total",
                storedSeriesLabels(keda.target, { namespace: ns, scaledObject: so }, keda.behavior)!,
              ),
              values: counter(errorsPerSecond, sc.intervalSeconds),
            },
          ]
        : []),
      // Another workload's scrape is down and another ScaledObject fails: never this workload's alerts.
      { series: seriesString("up", { namespace: ns, job: "other", pod: "other-1" }), values: gauge(0) },
      {
        series: seriesString(
          "keda_scaled_object_errors_total",
          storedSeriesLabels(keda.target, { namespace: ns, scaledObject: "other" }, keda.behavior)!,
        ),
        values: counter(1, sc.intervalSeconds),
      },
    ];
    const names = wa.alerts.map((a) => a.alert);
    const labels = { severity: "warning", namespace: ns, workload };
    const down = (where: string) => ({
      summary: `Prometheus cannot scrape ${what}`,
      description: `Prometheus cannot scrape ${workload} (job ${scrape?.job}) in ${ns}${where} for 5m: its KEDA trigger answers nothing, so it scales on the fallback replica count.`,
      runbook_url: runbook(WORKLOAD_ALERT.targetDown),
    });
    groups.push({
      name: `workload ${workload}: healthy, no alert`,
      interval,
      input_series: input(1, 0),
      alert_rule_test: names.map((alertname) => ({ eval_time: EVAL, alertname, exp_alerts: [] })),
    });
    if (target) {
      groups.push({
        name: `workload ${workload}: TargetDown fires for the pod whose scrape fails`,
        interval,
        input_series: input(0, 0),
        alert_rule_test: [
          {
            eval_time: EVAL,
            alertname: WORKLOAD_ALERT.targetDown,
            exp_alerts: [{ exp_labels: { ...upSeriesLabels(target), ...labels }, exp_annotations: down(` (pod ${target.pod})`) }],
          },
        ],
      });
      const mayScaleToZero = !wa.alerts.some((a) => a.alert === WORKLOAD_ALERT.targetDown && a.expr.includes("absent("));
      groups.push({
        name: `workload ${workload}: TargetDown fires when no target exists (unless it may scale to zero)`,
        interval,
        input_series: input("absent", 0),
        alert_rule_test: [
          {
            eval_time: EVAL,
            alertname: WORKLOAD_ALERT.targetDown,
            exp_alerts: mayScaleToZero
              ? []
              : [{ exp_labels: { ...labels, job: scrape!.job }, exp_annotations: down(" (no target found)") }],
          },
        ],
      });
    }
    if (so) {
      groups.push({
        name: `workload ${workload}: KedaUnhealthy fires while its ScaledObject errors`,
        interval,
        input_series: input(1, 0.5),
        alert_rule_test: [
          {
            eval_time: EVAL,
            alertname: WORKLOAD_ALERT.kedaUnhealthy,
            exp_alerts: [
              {
                exp_labels: { ...labels, scaledObject: so },
                exp_annotations: {
                  summary: `KEDA fails to evaluate ScaledObject ${so}`,
                  description: `KEDA reports 0.50 errors/s for ScaledObject ${so} (${what}) in ${ns} for 2m: its triggers cannot be read, so it scales on the fallback replica count or not at all. keda_scaler_detail_errors_total names the failing trigger.`,
                  runbook_url: runbook(WORKLOAD_ALERT.kedaUnhealthy),
                },
              },
            ],
          },
        ],
      });
    }
  }

  // This service's rule files (and, for the first, the workloads' beside it): the series above are
  // this service's; every other service gets its own test file (generateServiceTests).
  const otherServices = new Set(
    stack.services.filter((m) => m.service !== stack.service).flatMap((m) => m.monitoring.ruleFiles.map((f) => f.path)),
  );
  let ruleFiles = Object.fromEntries(stack.extraFiles.filter((f) => f.path.startsWith("rules/")).map((f) => [f.path, f.content()]));
  if (opts.mutateRules) ruleFiles = Object.fromEntries(Object.entries(ruleFiles).map(([p, c]) => [p, opts.mutateRules!(p, c)]));
  const kept = opts.only ? groups.filter((g, i) => i === 0 || opts.only!.test(g.name)) : groups;
  const yaml = promtoolTestYaml(
    Object.keys(ruleFiles)
      .filter((p) => !otherServices.has(p))
      .sort(),
    interval,
    kept,
  );
  return { ruleFiles, groups: kept, yaml };
}
