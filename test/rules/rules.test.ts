import { describe, expect, it } from "vitest";
import { ALERT } from "../../rules/alert-rules.js";
import { DEFAULT_METRICS } from "../../promql/metrics.js";
import { KEDA_OPERATOR_METRICS, KUBE_STATE_METRICS_HPA, PROMETHEUS_UP } from "../../promql/platform-metrics.js";
import {
  checkRuleGroup,
  isAlertingRule,
  recordedPromQL,
  ruleFileYaml,
  type AlertingRule,
  type RuleGroup,
} from "../../constructs/prometheus-rule.js";
import { assertParses, metricNames } from "../../promql/parse.js";
import { burnRateFactor, sliWindows, SRE_WORKBOOK_WINDOWS } from "../../rules/slo-rules.js";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { DEV_CPU_HPA, firstService, stackFor } from "../helpers/env.js";

const alertsOf = (env: string, patch = {}) => new Map(stackFor(env, patch).monitoring.alerts.alerts.map((a) => [a.alert, a]));
const allGroups = (env: string, patch = {}) => stackFor(env, patch).monitoring.ruleFiles.map((f) => f.group);

describe("burn-rate factors are derived from the budget share per window", () => {
  it("reproduce the SRE workbook / Sloth factors for 30 days: 14.4, 6, 3, 1", () => {
    expect(SRE_WORKBOOK_WINDOWS.map((w) => burnRateFactor(w.budgetShare, "30d", w.longWindow))).toEqual([14.4, 6, 3, 1]);
    expect(SRE_WORKBOOK_WINDOWS.map((w) => [w.severity, w.longWindow, w.shortWindow, w.budgetShare])).toEqual([
      ["page", "1h", "5m", 0.02],
      ["page", "6h", "30m", 0.05],
      ["ticket", "1d", "2h", 0.1],
      ["ticket", "3d", "6h", 0.1],
    ]);
  });

  it("scale with the period: 28 days give 13.44, 5.6, 2.8, 0.933…", () => {
    expect(SRE_WORKBOOK_WINDOWS.map((w) => burnRateFactor(w.budgetShare, "28d", w.longWindow))).toEqual([13.44, 5.6, 2.8, 0.933333333333]);
  });

  it("use the windows 5m 30m 1h 2h 6h 1d 3d", () => {
    expect(sliWindows(SRE_WORKBOOK_WINDOWS)).toEqual(["5m", "30m", "1h", "2h", "6h", "1d", "3d"]);
  });

  it("refuse shares outside (0, 1] and windows longer than the period", () => {
    expect(() => burnRateFactor(0, "30d", "1h")).toThrow(/budget share/);
    expect(() => burnRateFactor(0.1, "1d", "3d")).toThrow(/longer than the SLO period/);
  });
});

describe("SLO rules (Sloth-compatible)", () => {
  const prod = stackFor("prod").monitoring.slos;

  it("record slo:sli_error:ratio_rate<w> for every window and the period, the period averaged from 5m", () => {
    for (const s of prod) {
      const records = s.sliGroup.rules.map((r) => ("record" in r ? r.record : ""));
      expect(records).toEqual(["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"].map((w) => `slo:sli_error:ratio_rate${w}`));
      const period = s.sliGroup.rules[7]!;
      expect(period.expr).toMatch(
        /^sum_over_time\(slo:sli_error:ratio_rate5m\{[^}]*sloth_id="inference-\w+"[^}]*\}\[30d\]\)\n\/ ignoring \(sloth_window\)\ncount_over_time\(slo:sli_error:ratio_rate5m\{/,
      );
      for (const r of s.sliGroup.rules) {
        expect(r.labels).toMatchObject({
          sloth_id: s.slothId,
          sloth_service: "inference",
          sloth_slo: s.slo.name,
          namespace: "ml-serving-prod",
          job: "inference",
        });
      }
      expect(s.sliGroup.name).toBe(`sloth-slo-sli-recordings-${s.slothId}`);
      expect(s.metaGroup.name).toBe(`sloth-slo-meta-recordings-${s.slothId}`);
      expect(s.alertGroup.name).toBe(`sloth-slo-alerts-${s.slothId}`);
    }
    expect(prod.map((s) => s.slothId)).toEqual(["inference-availability", "inference-latency"]);
  });

  it("compute availability as errors / total and latency as (count − bucket{le=threshold}) / count", () => {
    const [availability, latency] = prod;
    const a5 = availability!.sliGroup.rules[0]!.expr;
    expect(metricNames(a5)).toEqual(["http_request_errors_total", "http_requests_total"]);
    expect(a5).toContain('rate(http_request_errors_total{namespace="ml-serving-prod",job="inference",endpoint="/predict"}[5m])');
    const l5 = latency!.sliGroup.rules[0]!.expr;
    expect(l5).toContain(
      'rate(http_request_duration_seconds_bucket{namespace="ml-serving-prod",job="inference",endpoint="/predict",le="0.5"}[5m])',
    );
    // Without requests the SLIs record nothing (never 0 / 0 = NaN, which would poison the period average).
    expect(l5.replace(/\s+/g, " ")).toMatch(
      /^\( sum \(rate\(http_request_duration_seconds_count\{.*\}\[5m\]\)\) - sum \(rate\(http_request_duration_seconds_bucket\{.*\}\[5m\]\)\) \) \/ \(sum \(rate\(http_request_duration_seconds_count\{.*\}\[5m\]\)\) > 0\)$/,
    );
    // Requests but no error series yet: 0, through the requests' own zero.
    const req = 'sum (rate(http_requests_total{namespace="ml-serving-prod",job="inference",endpoint="/predict"}[5m]))';
    expect(a5).toBe(
      `(sum (rate(http_request_errors_total{namespace="ml-serving-prod",job="inference",endpoint="/predict"}[5m])) or on() (${req} * 0))\n/ on()\n(${req} > 0)`,
    );
    // A whole-second threshold matches both Go's le="1" and Python's le="1.0".
    const dev = stackFor("dev").monitoring.slos[1]!.sliGroup.rules[0]!.expr;
    expect(dev).toContain('le=~"1(\\\\.0)?"');
  });

  it("record objective, budget, period, burn rates and remaining budget under Sloth's names", () => {
    const [availability] = prod;
    const meta = Object.fromEntries(availability!.metaGroup.rules.map((r) => ["record" in r ? r.record : "", r.expr]));
    expect(Object.keys(meta)).toEqual([
      "slo:objective:ratio",
      "slo:error_budget:ratio",
      "slo:time_period:days",
      "slo:current_burn_rate:ratio",
      "slo:period_burn_rate:ratio",
      "slo:period_error_budget_remaining:ratio",
      "sloth_slo_info",
    ]);
    expect(meta["slo:objective:ratio"]).toBe("vector(0.999)");
    expect(meta["slo:error_budget:ratio"]).toBe("vector(1 - 0.999)");
    expect(meta["slo:time_period:days"]).toBe("vector(30)");
    expect(meta["slo:current_burn_rate:ratio"]).toMatch(
      /^slo:sli_error:ratio_rate5m\{.*\}\n\/ on \(namespace, job, sloth_id, sloth_service, sloth_slo\) group_left\nslo:error_budget:ratio\{/,
    );
    expect(meta["slo:period_burn_rate:ratio"]).toMatch(/^slo:sli_error:ratio_rate30d\{/);
    expect(meta["slo:period_error_budget_remaining:ratio"]).toMatch(/^1 - slo:period_burn_rate:ratio\{/);
  });

  it("page at 14.4× (1h & 5m) or 6× (6h & 30m), ticket at 3× (1d & 2h) or 1× (3d & 6h) of the budget", () => {
    const [availability, latency] = prod;
    const [page, ticket] = availability!.alertGroup.rules as AlertingRule[];
    expect(page!.labels).toEqual({ severity: "critical", sloth_severity: "page" });
    expect(ticket!.labels).toEqual({ severity: "warning", sloth_severity: "ticket" });
    const cond = (w: string, f: string, b: string) =>
      new RegExp(`max\\(slo:sli_error:ratio_rate${w}\\{[^}]*\\} > \\(${f} \\* ${b}\\)\\) without \\(sloth_window\\)`);
    expect(page!.expr).toMatch(cond("5m", "14.4", "0.001"));
    expect(page!.expr).toMatch(cond("1h", "14.4", "0.001"));
    expect(page!.expr).toMatch(cond("30m", "6", "0.001"));
    expect(page!.expr).toMatch(cond("6h", "6", "0.001"));
    expect(ticket!.expr).toMatch(cond("2h", "3", "0.001"));
    expect(ticket!.expr).toMatch(cond("1d", "3", "0.001"));
    expect(ticket!.expr).toMatch(cond("6h", "1", "0.001"));
    expect(ticket!.expr).toMatch(cond("3d", "1", "0.001"));
    expect(page!.alert).toBe("InferenceAvailabilityErrorBudgetBurn");
    // latency: 99 % → budget 0.01
    expect((latency!.alertGroup.rules[0] as AlertingRule).expr).toMatch(cond("1h", "14.4", "0.01"));
    expect(availability!.factors.map((f) => f.factor)).toEqual([14.4, 6, 3, 1]);
  });

  it("a 28-day period changes the factors and the period window", () => {
    const s = stackFor("prod", { slo: { period: "28d" } }).monitoring.slos[0]!;
    expect(s.factors.map((f) => f.factor)).toEqual([13.44, 5.6, 2.8, 0.933333333333]);
    expect(s.sliGroup.rules.map((r) => ("record" in r ? r.record : "")).at(-1)).toBe("slo:sli_error:ratio_rate28d");
    expect((s.alertGroup.rules[0] as AlertingRule).expr).toContain("(13.44 * 0.001)");
    expect(s.metaGroup.rules.find((r) => "record" in r && r.record === "slo:time_period:days")!.expr).toBe("vector(28)");
  });
});

describe("recording rules", () => {
  it("record per-pod p95 and in-flight of the scaling endpoint, and the service's p95, error ratio and request rate", () => {
    const r = stackFor("prod").monitoring.recordings;
    expect(r.group.name).toBe("inference-recording");
    expect(r.podLatency).toMatchObject({
      record: "pod:http_request_duration_seconds:p95_rate2m",
      // Idle pods record nothing instead of NaN.
      expr: 'histogram_quantile(0.95, sum by (le, namespace, job, pod) (rate(http_request_duration_seconds_bucket{namespace="ml-serving-prod",job="inference",endpoint="/predict"}[2m]))) and on(namespace, job, pod) (sum by (namespace, job, pod) (rate(http_request_duration_seconds_count{namespace="ml-serving-prod",job="inference",endpoint="/predict"}[2m])) > 0)',
    });
    const up = 'sum by (namespace, job, pod) (up{namespace="ml-serving-prod",job="inference"})';
    expect(r.podInFlight.expr).toBe(
      `(sum by (namespace, job, pod) (http_requests_in_flight{namespace="ml-serving-prod",job="inference",endpoint="/predict"}) or on(namespace, job, pod) (${up} * 0)) and on(namespace, job, pod) (${up} > 0)`,
    );
    expect(r.errorRatio.record).toBe("job:http_request_errors:ratio_rate2m");
    expect(r.requestRate.record).toBe("job:http_requests_total:rate2m");
    expect(r.serviceLatency.record).toBe("job:http_request_duration_seconds:p95_rate2m");
    // The window follows monitoring.queryWindow.
    expect(stackFor("prod", { monitoring: { queryWindow: "5m" } }).monitoring.recordings.podLatency.record).toBe(
      "pod:http_request_duration_seconds:p95_rate5m",
    );
  });

  it("are selected through a builder that knows their labels", () => {
    const r = stackFor("prod").monitoring.recordings;
    expect(r.promql.selector(r.podLatency.record, "", { pod: "p" })).toBe(
      'pod:http_request_duration_seconds:p95_rate2m{namespace="ml-serving-prod",job="inference",pod="p"}',
    );
    expect(() => r.promql.selector(r.errorRatio.record, "", { model: "m" })).toThrow(
      /label "model" is not on job:http_request_errors:ratio_rate2m/,
    );
    expect(() => r.promql.selector("job:nothing:rate2m")).toThrow(/not in the service's metric contract/);
    expect(() => recordedPromQL([], { namespace: "a", job: "b" }).selector("x")).toThrow(/not in the service's metric contract/);
  });
});

describe("alerts", () => {
  it("carry severity, summary, description and runbook_url = runbookBaseUrl#AlertName", () => {
    for (const env of ENV_NAMES) {
      for (const g of allGroups(env)) {
        for (const a of g.rules.filter(isAlertingRule)) {
          expect(a.labels.severity, `${env} ${a.alert}`).toMatch(/^(critical|warning)$/);
          expect(a.annotations.summary).not.toBe("");
          expect(a.annotations.description).not.toBe("");
          expect(a.annotations.runbook_url).toBe(`https://runbooks.example.com/inference-scaling#${a.alert}`);
        }
      }
    }
    const custom = alertsOf("prod", { monitoring: { alerts: { runbookBaseUrl: "https://wiki.example.org/rb" } } });
    expect(custom.get(ALERT.highLatency)!.annotations.runbook_url).toBe("https://wiki.example.org/rb#InferenceHighLatency");
  });

  it("use the env's thresholds and the issue's durations", () => {
    const a = alertsOf("prod", { monitoring: { alerts: { p95LatencySeconds: 0.75, errorRatio: 0.02, queueBacklog: 25 } } });
    expect(a.get(ALERT.highLatency)).toMatchObject({
      expr: 'job:http_request_duration_seconds:p95_rate2m{namespace="ml-serving-prod",job="inference"} > 0.75',
      for: "1m",
    });
    expect(a.get(ALERT.highErrorRate)).toMatchObject({
      expr: 'job:http_request_errors:ratio_rate2m{namespace="ml-serving-prod",job="inference"} > 0.02',
      for: "30s",
    });
    expect(a.get(ALERT.queueBacklog)).toMatchObject({
      expr: 'sum by (namespace, job) (inference_queue_len{namespace="ml-serving-prod",job="inference"}) > 25',
      for: "2m",
    });
    expect(a.get(ALERT.targetDown)!.for).toBe("5m");
    expect(a.get(ALERT.atMaxReplicas)!.for).toBe("15m");
    expect(alertsOf("dev").get(ALERT.highLatency)!.expr).toMatch(/> 2$/);
  });

  it("watch the HPA that really runs (KEDA's keda-hpa-<name> in mode keda) through kube-state-metrics", () => {
    expect(alertsOf("prod").get(ALERT.atMaxReplicas)!.expr).toContain(
      'kube_horizontalpodautoscaler_status_current_replicas{namespace="ml-serving-prod",horizontalpodautoscaler="keda-hpa-inference"}',
    );
    expect(alertsOf("dev", DEV_CPU_HPA).get(ALERT.atMaxReplicas)!.expr).toContain(
      'kube_horizontalpodautoscaler_spec_max_replicas{namespace="ml-serving-dev",horizontalpodautoscaler="inference"}',
    );
    // min = max: the HPA always sits at its maximum; no alert that would always fire.
    expect(
      alertsOf("dev", { ...DEV_CPU_HPA, scaling: { ...DEV_CPU_HPA.scaling, minReplicas: 2, maxReplicas: 2 } }).has(ALERT.atMaxReplicas),
    ).toBe(false);
  });

  it("include KEDA health only in mode keda, from KEDA's own metrics, scoped to the ScaledObject", () => {
    const keda = alertsOf("prod").get(ALERT.kedaUnhealthy)!;
    expect(keda.expr).toBe(
      'sum by (scaledObject) (rate(keda_scaled_object_errors_total{exported_namespace="ml-serving-prod",scaledObject="inference"}[5m])) > 0',
    );
    expect(keda.labels).toEqual({ severity: "warning", namespace: "ml-serving-prod" });
    expect(alertsOf("dev", DEV_CPU_HPA).has(ALERT.kedaUnhealthy)).toBe(false);
    expect(alertsOf("staging", { scaling: { mode: "cpu-hpa", burst: { enabled: false } } }).has(ALERT.kedaUnhealthy)).toBe(false);
    // Plain Prometheus scrapes KEDA with honor_labels: the ScaledObject's namespace stays `namespace`.
    const plain = alertsOf("staging", { cluster: { prometheusOperator: false }, monitoring: { scrape: "pod-annotations" } }).get(
      ALERT.kedaUnhealthy,
    )!;
    expect(plain.expr).toContain('keda_scaled_object_errors_total{namespace="ml-serving-staging",scaledObject="inference"}');
  });

  it("TargetDown also fires on no target at all, unless the service may scale to zero", () => {
    expect(alertsOf("prod").get(ALERT.targetDown)!.expr).toBe(
      'up{namespace="ml-serving-prod",job="inference"} == 0\nor\nabsent(up{namespace="ml-serving-prod",job="inference"})',
    );
    expect(
      alertsOf("prod", { scaling: { wakeUp: firstService("dev").scaling?.wakeUp, keda: { idleReplicaCount: 0 } } }).get(ALERT.targetDown)!
        .expr,
    ).toBe('up{namespace="ml-serving-prod",job="inference"} == 0');
    expect(alertsOf("dev").get(ALERT.targetDown)!.expr).toContain('up{namespace="ml-serving-dev",job="ml-serving-dev/inference"} == 0');
  });
});

describe("every expression", () => {
  const known = new Set([
    ...DEFAULT_METRICS.flatMap((m) => (m.type === "histogram" ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`] : [m.name])),
    ...KEDA_OPERATOR_METRICS.map((m) => m.name),
    ...KUBE_STATE_METRICS_HPA.map((m) => m.name),
    PROMETHEUS_UP.name,
  ]);

  it.each(ENV_NAMES)("parses and reads only contract, platform or recorded series (%s)", (env) => {
    const groups = allGroups(env);
    const recorded = new Set(groups.flatMap((g) => g.rules.flatMap((r) => ("record" in r ? [r.record] : []))));
    for (const g of groups) {
      for (const r of g.rules) {
        expect(() => assertParses(r.expr)).not.toThrow();
        for (const m of metricNames(r.expr)) expect(known.has(m) || recorded.has(m), `${g.name}: ${m}`).toBe(true);
      }
    }
    const adapter = stackFor(env).monitoring.adapterRules;
    for (const r of [...adapter.custom, ...adapter.external]) expect(() => assertParses(r.seriesQuery)).not.toThrow();
  });
});

describe("rule groups are checked before they are rendered", () => {
  const ok: AlertingRule = {
    alert: "X",
    expr: "up == 0",
    labels: { severity: "warning" },
    annotations: { summary: "s", description: "d", runbook_url: "https://r#X" },
  };
  const group = (rules: RuleGroup["rules"], name = "g"): RuleGroup => ({ name, rules });

  it("names the group and rule of an unparsable expression", () => {
    expect(() => checkRuleGroup(group([{ ...ok, expr: "rate(x[5m]" }]))).toThrow(/rule group "g", alert X: invalid PromQL/);
  });

  it("requires the house annotations and a severity", () => {
    expect(() => checkRuleGroup(group([{ ...ok, annotations: { summary: "s", description: "d", runbook_url: "" } }]))).toThrow(
      /annotation runbook_url is required/,
    );
    expect(() => checkRuleGroup(group([{ ...ok, labels: {} as AlertingRule["labels"] }]))).toThrow(/label severity is required/);
  });

  it("refuses bad names, durations and duplicates", () => {
    expect(() => checkRuleGroup(group([ok], "Bad_Name"))).toThrow(/lower-case/);
    expect(() => checkRuleGroup(group([{ ...ok, alert: "1x" }]))).toThrow(/alert name/);
    expect(() => checkRuleGroup(group([{ ...ok, for: "5 minutes" }]))).toThrow(/invalid Prometheus duration/);
    expect(() => checkRuleGroup(group([{ record: "a-b", expr: "up", seriesLabels: [] }]))).toThrow(/record name/);
    expect(() => checkRuleGroup(group([ok, ok]))).toThrow(/declared twice/);
    expect(() => checkRuleGroup(group([]))).toThrow(/at least one rule/);
  });

  it("render as a plain Prometheus rule file (snapshot of prod's alert group)", () => {
    const alerts = stackFor("prod").monitoring.alerts.group;
    expect(ruleFileYaml([alerts])).toMatchSnapshot();
  });
});
