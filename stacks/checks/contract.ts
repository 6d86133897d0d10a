/**
 * METRIC_NOT_IN_CONTRACT and CUSTOM_METRIC_NOT_SERVED: every query reads only series the service's metric contract exports (or series the
 * environment records itself, or well-known platform series), and every custom/external metric an
 * HPA asks for is served by a prometheus-adapter rule. Also QUERY_SYNTAX, which every other
 * query check relies on.
 */
import { syntaxErrors } from "../../promql/parse.js";
import type { MetricContract, MetricSpec } from "../../promql/metrics.js";
import { SERVICE_METRIC } from "../../rules/recording-rules.js";
import type { CheckContext } from "./context.js";
import { adapterMetricName, meantForMain, safeSelectors, UNKNOWN_ADAPTER_SERIES } from "./promql.js";
import { asArray, resourceOf, str } from "./util.js";

export interface ContractSeries {
  readonly metric: MetricSpec;
  readonly suffix: "" | "_bucket" | "_sum" | "_count";
}

/** Series names the contract exports: gauges and counters by name, histograms as _bucket/_sum/_count. */
export function contractSeries(contract: MetricContract): Map<string, ContractSeries> {
  const out = new Map<string, ContractSeries>();
  for (const m of contract.metrics) {
    if (m.type === "histogram")
      for (const suffix of ["_bucket", "_sum", "_count"] as const) out.set(`${m.name}${suffix}`, { metric: m, suffix });
    else out.set(m.name, { metric: m, suffix: "" });
  }
  return out;
}

/**
 * Series other exporters provide that alerts legitimately read: Prometheus' own (`up`, `scrape_*`,
 * `ALERTS`), kube-state-metrics (`kube_*`), KEDA's operator (`keda_*`), cAdvisor/kubelet.
 * Their names are checked by the platform contracts the monitoring constructs build them from.
 */
const PLATFORM_SERIES =
  /^(up|ALERTS|ALERTS_FOR_STATE|scrape_.+|kube_.+|keda_.+|container_.+|kubelet_.+|node_.+|prometheus_.+|apiserver_.+)$/;

export function isPlatformSeries(name: string): boolean {
  return PLATFORM_SERIES.test(name);
}

/**
 * QUERY_SYNTAX and METRIC_NOT_IN_CONTRACT. Selectors scoped to another workload's job are not
 * read against the inference service's contract (see meantForMain).
 */
export function checkQueriesAgainstContract(ctx: CheckContext): void {
  const series = contractSeries(ctx.contract);
  const recorded = ctx.recordings();
  const exported = [...series.keys()].sort();
  for (const q of ctx.queries()) {
    const errors = syntaxErrors(q.expr);
    if (errors.length) {
      ctx.sink.error(
        "QUERY_SYNTAX",
        q.resource,
        q.path,
        `${q.expr} does not parse as PromQL: ${errors[0]!.message} at offset ${errors[0]!.pos}`,
        "correct the expression (it must parse with the official PromQL grammar)",
      );
      continue;
    }
    const reported = new Set<string>();
    for (const s of safeSelectors(q.expr)) {
      const m = s.metric;
      if (m === undefined || m === UNKNOWN_ADAPTER_SERIES || reported.has(m)) continue;
      if (series.has(m) || recorded.has(m) || isPlatformSeries(m) || !meantForMain(ctx, s)) continue;
      reported.add(m);
      const family = ctx.contract.metrics.find((x) => x.name === m || m.startsWith(`${x.name}_`));
      const why =
        family?.type === "histogram" && m === family.name
          ? `"${m}" is a histogram: only its _bucket, _sum and _count series exist`
          : family && family.type !== "histogram"
            ? `"${m}" is not a series of the ${family.type} "${family.name}"`
            : `the service's metric contract does not export "${m}"`;
      ctx.sink.error(
        "METRIC_NOT_IN_CONTRACT",
        q.resource,
        q.path,
        `${why} (exported series: ${exported.join(", ")}); the query would return nothing`,
        "read an exported series, or add the metric to service.metrics.metrics if the service really exports it",
      );
    }
  }
}

/** CUSTOM_METRIC_NOT_SERVED: an HPA's Pods/Object/External metric no adapter rule exposes. */
export function checkCustomMetricsServed(ctx: CheckContext): void {
  const served = { custom: new Set<string>(), external: new Set<string>() };
  for (const a of ctx.adapterRules()) {
    const name = adapterMetricName(a.rule);
    if (name) served[a.kind].add(name);
  }
  for (const hpa of ctx.ofKind("HorizontalPodAutoscaler", "autoscaling")) {
    asArray(hpa.spec?.metrics).forEach((m, i) => {
      const type = str(m?.type);
      const field = type === "Pods" ? "pods" : type === "Object" ? "object" : type === "External" ? "external" : undefined;
      if (!field) return;
      const name = str(m[field]?.metric?.name);
      if (name === undefined) return;
      const api = type === "External" ? "external" : "custom";
      if (served[api].has(name)) return;
      const offered = [...served[api]].sort();
      ctx.sink.error(
        "CUSTOM_METRIC_NOT_SERVED",
        resourceOf(hpa),
        ["spec", "metrics", i, field, "metric", "name"],
        `asks ${api}.metrics.k8s.io for "${name}", but no prometheus-adapter ${api === "external" ? "externalRules" : "rules"} entry exposes it (${offered.length ? `served: ${offered.join(", ")}` : "none rendered"}): the HPA reports FailedGetPodsMetric and never scales on it`,
        `use a name an adapter rule exposes (promql/custom-metrics.ts), or add the rule`,
      );
    });
  }
}

/**
 * Config phase: the metric contract declares every metric the monitoring reads (recording rules,
 * alerts, SLOs, the adapter): without one its rules would read a series the service never exports.
 */
export function checkConfigMonitoredMetrics(ctx: CheckContext): void {
  const names = new Set(ctx.config.service.metrics.metrics.map((m) => m.name));
  const missing = Object.values(SERVICE_METRIC).filter((n) => !names.has(n));
  if (missing.length) {
    ctx.sink.error(
      "CONFIG_MISSING",
      ctx.configResource,
      "service.metrics.metrics",
      `monitoring needs ${missing.join(", ")}, which the metric contract does not declare`,
      "declare them (see DEFAULT_METRICS in promql/metrics.ts)",
    );
  }
}
