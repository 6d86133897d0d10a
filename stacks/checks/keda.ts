/**
 * PROMETHEUS_ADDRESS_UNDECLARED (Prometheus addresses are the declared ones) and the KEDA_* trigger
 * checks (KEDA prometheus triggers that return several series, hide empty results, or average a
 * non-additive signal).
 */
import { resultGrouping, returnsSingleSeries } from "../../promql/parse.js";
import type { EnvConfig } from "../config.js";
import { prometheusAddress } from "../naming.js";
import type { CheckContext } from "./context.js";
import { apiGroup } from "./context.js";
import { nonAdditiveReason, parses } from "./promql.js";
import { asArray, isObject, resourceOf, str } from "./util.js";
import type { LooseObject } from "../../kube/loose-json.js";

/** The declared Prometheus: in-cluster Service (any of its DNS forms) and the optional external URL. */
export function isDeclaredPrometheus(address: string, config: EnvConfig): boolean {
  const p = config.monitoring.prometheus;
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return false;
  }
  const trimmed = (u: string) => u.replace(/\/+$/, "");
  if (p.externalUrl !== undefined) {
    try {
      if (trimmed(new URL(p.externalUrl).href) === trimmed(url.href)) return true;
    } catch {
      // an invalid externalUrl is the schema's to report
    }
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  if (url.username || url.password || url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) return false;
  const hosts = [`${p.service}.${p.namespace}`, `${p.service}.${p.namespace}.svc`, `${p.service}.${p.namespace}.svc.cluster.local`];
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  return hosts.includes(url.hostname) && port === p.port;
}

/** PROMETHEUS_ADDRESS_UNDECLARED. */
export function checkPrometheusAddresses(ctx: CheckContext): void {
  const expected = prometheusAddress(ctx.config);
  const fix = `use ${expected} (stacks/naming.ts prometheusAddress), or declare the other server as monitoring.prometheus.externalUrl`;
  for (const o of ctx.objects) {
    if (apiGroup(o) !== "keda.sh" || (o.kind !== "ScaledObject" && o.kind !== "ScaledJob")) continue;
    asArray(o.spec?.triggers).forEach((t, i) => {
      if (t?.type !== "prometheus") return;
      const address = str(t.metadata?.serverAddress);
      if (address === undefined) {
        ctx.sink.error(
          "PROMETHEUS_ADDRESS_UNDECLARED",
          resourceOf(o),
          ["spec", "triggers", i, "metadata"],
          "prometheus trigger has no serverAddress",
          fix,
        );
      } else if (!isDeclaredPrometheus(address, ctx.config)) {
        ctx.sink.error(
          "PROMETHEUS_ADDRESS_UNDECLARED",
          resourceOf(o),
          ["spec", "triggers", i, "metadata", "serverAddress"],
          `serverAddress ${JSON.stringify(address)} is not the environment's Prometheus (${expected}): the scaler would read another server's data, or none`,
          fix,
        );
      }
    });
  }
  // The prometheus-adapter chart's values: prometheus.url + prometheus.port (+ path).
  for (const [addon, values] of Object.entries(ctx.helmValues)) {
    const p = (values as LooseObject)?.prometheus;
    if (!isObject(p) || typeof p.url !== "string") continue;
    const address = `${p.url.replace(/\/+$/, "")}${p.port !== undefined && p.port !== "" ? `:${p.port}` : ""}${str(p.path) ?? ""}`;
    if (!isDeclaredPrometheus(address, ctx.config)) {
      ctx.sink.error(
        "PROMETHEUS_ADDRESS_UNDECLARED",
        `HelmValues ${addon}`,
        "prometheus.url",
        `prometheus.url/port ${JSON.stringify(address)} is not the environment's Prometheus (${expected})`,
        fix,
      );
    }
  }
}

/** KEDA_QUERY_MULTI_SERIES, KEDA_NULL_VALUES_IGNORED, KEDA_AVERAGE_NON_ADDITIVE, KEDA_NO_FALLBACK. */
export function checkKedaTriggers(ctx: CheckContext): void {
  const recordings = ctx.recordings();
  for (const so of ctx.ofKind("ScaledObject", "keda.sh")) {
    const resource = resourceOf(so);
    const hasFallback = isObject(so.spec?.fallback);
    let warnedNoFallback = false;
    asArray(so.spec?.triggers).forEach((t, i) => {
      if (t?.type !== "prometheus") return;
      const base = ["spec", "triggers", i];
      const query = str(t.metadata?.query);
      if (query !== undefined && parses(query)) {
        if (!returnsSingleSeries(query)) {
          const by = resultGrouping(query);
          ctx.sink.error(
            "KEDA_QUERY_MULTI_SERIES",
            resource,
            [...base, "metadata", "query"],
            `the query can return several series (${by === undefined ? "not aggregated" : `grouped by ${by.join(", ")}`}): KEDA's prometheus scaler errors on a multi-series result`,
            "aggregate to one series, e.g. sum(...) or histogram_quantile(q, sum by (le) (...))",
          );
        }
        const metricType = str(t.metricType) ?? "AverageValue";
        const reason = metricType === "AverageValue" ? nonAdditiveReason(query, recordings) : undefined;
        if (reason) {
          ctx.sink.error(
            "KEDA_AVERAGE_NON_ADDITIVE",
            resource,
            [...base, "metricType"],
            `metricType ${str(t.metricType) === undefined ? "defaults to AverageValue" : "is AverageValue"}, but the signal is not additive across pods (${reason}): KEDA would ask for ceil(value / threshold) replicas whatever the current count`,
            "set metricType: Value (desired = ceil(value / threshold × current replicas))",
          );
        }
      }
      const inv = t.metadata?.ignoreNullValues;
      const ignores = inv === undefined || String(inv).toLowerCase() !== "false";
      if (ignores) {
        const msg = `ignoreNullValues is ${inv === undefined ? "unset (KEDA's default true)" : JSON.stringify(inv)}: an empty result (lost scrape, renamed metric) reads as 0 and silently scales down`;
        if (hasFallback) {
          ctx.sink.error(
            "KEDA_NULL_VALUES_IGNORED",
            resource,
            [...base, "metadata", "ignoreNullValues"],
            `${msg}, so the fallback this ScaledObject declares never engages`,
            'set ignoreNullValues: "false"',
          );
        } else {
          ctx.sink.warning(
            "KEDA_NULL_VALUES_IGNORED",
            resource,
            [...base, "metadata", "ignoreNullValues"],
            msg,
            'set ignoreNullValues: "false" and declare a fallback',
          );
        }
      } else if (!hasFallback && !warnedNoFallback) {
        warnedNoFallback = true;
        ctx.sink.warning(
          "KEDA_NO_FALLBACK",
          resource,
          ["spec", "fallback"],
          `trigger ${str(t.name) ?? i} answers nothing when its scrape is lost (ignoreNullValues "false"), and no fallback is declared: KEDA counts errors and the HPA freezes at its current replica count`,
          "declare spec.fallback (failureThreshold 3, replicas between minReplicaCount and maxReplicaCount)",
        );
      }
    });
  }
}
