/**
 * prometheus-adapter discovery rules for the inference service, exposing exactly the names of
 * {@link CUSTOM_METRICS} (what the `slo-hpa` HPA asks for):
 *
 * - `custom.metrics.k8s.io` (Pods metrics): per-pod p95 latency and per-pod in-flight requests
 *   of the scaling endpoint. `<<.GroupBy>>` (the `pod` label) is kept beside `le`: without it
 *   histogram_quantile returns one series with no `pod` label and the adapter answers nothing;
 * - `external.metrics.k8s.io`: the service's queue length. Only where KEDA is absent: KEDA
 *   registers `v1beta1.external.metrics.k8s.io` itself and the two APIServices collide (the
 *   prometheus-adapter chart creates its external APIService only when external rules exist).
 *
 * Every metricsQuery is built through the PromQL builder, then its scoped selector is turned into
 * the adapter's template: `<<.Series>>{<<.LabelMatchers>>,<scope and filters>}`, the namespace
 * coming from the adapter. Rendered as the adapter's ConfigMap (`config.yaml`) and as the
 * prometheus-adapter chart's `rules` values.
 */
import { k8s } from "cdk8s-plus-28";
import { Construct } from "constructs";
import { yamlText } from "../kube/yaml-text.js";
import { CUSTOM_METRICS } from "../promql/custom-metrics.js";
import { ContractError, durationSeconds, renderMatchers, type Matchers, type PromQL, type SeriesSuffix } from "../promql/metrics.js";
import { assertParses, resultGrouping } from "../promql/parse.js";
import { SERVICE_METRIC } from "../rules/recording-rules.js";
import { rendered } from "../kube/rendered-text.js";
import { InvariantError } from "../problems/problem.js";
import { upSelector, whileScraped } from "../promql/scrape-guard.js";

export const ADAPTER_TEMPLATE = { series: "<<.Series>>", labelMatchers: "<<.LabelMatchers>>", groupBy: "<<.GroupBy>>" } as const;

/** One prometheus-adapter discovery rule (config.md of kubernetes-sigs/prometheus-adapter). */
export interface AdapterRule {
  readonly seriesQuery: string;
  readonly resources: { readonly overrides: Readonly<Record<string, { readonly resource: string }>> };
  readonly name: { readonly matches: string; readonly as: string };
  readonly metricsQuery: string;
}

export interface AdapterRules {
  /** `rules` (custom.metrics.k8s.io). */
  readonly custom: readonly AdapterRule[];
  /** `externalRules` (external.metrics.k8s.io); empty where KEDA serves that API. */
  readonly external: readonly AdapterRule[];
}

/** What the adapter substitutes into a metricsQuery template. */
export interface TemplateArgs {
  readonly series: string;
  readonly labelMatchers: string;
  readonly groupBy: string;
}

/** Fills a metricsQuery template the way the adapter does (text substitution of the three fields). */
export function fillTemplate(template: string, args: TemplateArgs): string {
  return template
    .split(ADAPTER_TEMPLATE.series)
    .join(args.series)
    .split(ADAPTER_TEMPLATE.labelMatchers)
    .join(args.labelMatchers)
    .split(ADAPTER_TEMPLATE.groupBy)
    .join(args.groupBy);
}

/**
 * `<<.LabelMatchers>>` as the adapter builds it for namespaced pods (pkg/naming/metrics_query.go):
 * `namespace="ns"`, then `pod="a"` for one pod or `pod=~"a|b"` for several. With no pods (an
 * external metric) only the namespace matcher.
 */
export function adapterLabelMatchers(namespace: string, pods: readonly string[] = []): string {
  const parts = [`namespace="${namespace}"`];
  if (pods.length === 1) parts.push(`pod="${pods[0]}"`);
  if (pods.length > 1) parts.push(`pod=~"${pods.join("|")}"`);
  return parts.join(",");
}

const GROUP_BY_SENTINEL = "adapter_template_group_by";

/**
 * Turns a builder-made expression into an adapter template: the one scoped selector of `metric`
 * becomes `<<.Series>>{<<.LabelMatchers>>,...}`, every other scoped selector (the histogram's
 * `_count`, the scrape's `up`) `<name>{<<.LabelMatchers>>,...}` (namespace, and pod for custom
 * metrics, left to the adapter), and the group-by sentinel becomes `<<.GroupBy>>`.
 */
function toTemplate(promql: PromQL, expr: string, metric: string, suffix: SeriesSuffix, matchers: Matchers): string {
  const selector = promql.selector(metric, suffix, matchers);
  const uses = expr.split(selector).length - 1;
  if (uses !== 1) throw new ContractError(`adapter query must read ${selector} exactly once (reads it ${uses} times): ${expr}`);
  const rest = renderMatchers({ job: promql.scope.job, ...matchers });
  const templated = `${ADAPTER_TEMPLATE.series}{${ADAPTER_TEMPLATE.labelMatchers},${rest.slice(1)}`;
  const scopePrefix = renderMatchers({ namespace: promql.scope.namespace, job: promql.scope.job }).slice(0, -1);
  const adapterPrefix = `{${ADAPTER_TEMPLATE.labelMatchers},${renderMatchers({ job: promql.scope.job }).slice(1, -1)}`;
  const out = expr
    .replace(selector, templated)
    .split(scopePrefix)
    .join(adapterPrefix)
    .split(GROUP_BY_SENTINEL)
    .join(ADAPTER_TEMPLATE.groupBy);
  if (out.includes(renderMatchers({ namespace: promql.scope.namespace }).slice(1, -1))) {
    throw new ContractError(`adapter query keeps a namespace matcher the adapter must supply: ${out}`);
  }
  return out;
}

export interface AdapterRulesProps {
  /** Builder bound to the service's contract and scrape scope. */
  readonly promql: PromQL;
  /** Endpoint (the service's `endpoint` label) the latency and in-flight metrics are about. */
  readonly endpoint: string;
  /** rate() window of the latency quantile. */
  readonly window: string;
  /** Register the external queue-length rule (false where KEDA serves external metrics). */
  readonly external: boolean;
  /** @default 0.95 */
  readonly quantile?: number;
  /** Also serve the per-pod in-flight peak over this window (the burst signal). @default not served */
  readonly burstWindow?: string;
}

const POD_RESOURCES = { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } };
const NAMESPACE_RESOURCES = { overrides: { namespace: { resource: "namespace" } } };

/** The adapter rules; each template is checked by filling it for one pod and parsing the result. */
export function prometheusAdapterRules(props: AdapterRulesProps): AdapterRules {
  const { promql, endpoint, window } = props;
  const q = props.quantile ?? 0.95;
  durationSeconds(window);
  const ep = { endpoint };
  const lat = SERVICE_METRIC.latency;
  const inFlight = SERVICE_METRIC.inFlight;
  const queue = SERVICE_METRIC.queue;

  // Per pod: the value, 0 for a pod that is scraped but idle or cold (a quantile without traffic
  // is NaN, and the adapter converts with int64(v*1000)), nothing for a pod whose scrape is lost.
  const up = upSelector(promql.scope);
  const perPod = (expr: string) => whileScraped(expr, up, [GROUP_BY_SENTINEL]);
  const custom: AdapterRule[] = [
    {
      seriesQuery: promql.selector(lat, "_bucket", ep),
      resources: POD_RESOURCES,
      name: { matches: `^${lat}_bucket$`, as: CUSTOM_METRICS.podP95Latency },
      metricsQuery: toTemplate(promql, perPod(promql.servedQuantile(q, lat, ep, window, [GROUP_BY_SENTINEL])), lat, "_bucket", ep),
    },
    {
      seriesQuery: promql.selector(inFlight, "", ep),
      resources: POD_RESOURCES,
      name: { matches: `^${inFlight}$`, as: CUSTOM_METRICS.podInFlight },
      metricsQuery: toTemplate(promql, perPod(promql.sumGauge(inFlight, ep, [GROUP_BY_SENTINEL])), inFlight, "", ep),
    },
  ];
  if (props.burstWindow !== undefined) {
    durationSeconds(props.burstWindow);
    const peak = `sum by (${GROUP_BY_SENTINEL}) (max_over_time(${promql.selector(inFlight, "", ep)}[${props.burstWindow}]))`;
    custom.push({
      seriesQuery: promql.selector(inFlight, "", ep),
      resources: POD_RESOURCES,
      name: { matches: `^${inFlight}$`, as: CUSTOM_METRICS.podInFlightBurst },
      metricsQuery: toTemplate(promql, peak, inFlight, "", ep),
    });
  }
  const external: AdapterRule[] = props.external
    ? [
        {
          seriesQuery: promql.selector(queue, "", {}),
          resources: NAMESPACE_RESOURCES,
          name: { matches: `^${queue}$`, as: CUSTOM_METRICS.queueLength },
          // External queries get no GroupBy: one series, the service's total.
          metricsQuery: toTemplate(promql, whileScraped(promql.sumGauge(queue, {}), up), queue, "", {}),
        },
      ]
    : [];

  // Invariants: every query parses once filled; per-pod queries keep exactly the pod label,
  // external ones return one series.
  const ns = promql.scope.namespace;
  for (const r of custom) {
    const filled = fillTemplate(r.metricsQuery, { series: "x", labelMatchers: adapterLabelMatchers(ns, ["p"]), groupBy: "pod" });
    assertParses(r.seriesQuery);
    assertParses(filled);
    const grouping = resultGrouping(filled);
    if (!grouping || grouping.join() !== "pod")
      throw new ContractError(
        `adapter rule ${r.name.as} must return one series per pod (grouped by pod), got ${JSON.stringify(grouping)}: ${filled}`,
      );
  }
  for (const r of external) {
    const filled = fillTemplate(r.metricsQuery, { series: "x", labelMatchers: adapterLabelMatchers(ns), groupBy: "" });
    assertParses(r.seriesQuery);
    assertParses(filled);
    if (resultGrouping(filled)?.length !== 0)
      throw new ContractError(`external adapter rule ${r.name.as} must return one series: ${filled}`);
  }
  return { custom, external };
}

/** The adapter's `config.yaml`. */
export function adapterConfigYaml(rules: AdapterRules): string {
  const data = { rules: rules.custom, ...(rules.external.length ? { externalRules: rules.external } : {}) };
  return rendered(yamlText(data), data);
}

/** The prometheus-adapter chart's values for these rules (chart `rules.*` shape, default rules off). */
export function adapterHelmValues(rules: AdapterRules): { rules: { default: false; custom: AdapterRule[]; external: AdapterRule[] } } {
  return { rules: { default: false, custom: [...rules.custom], external: [...rules.external] } };
}

export interface PrometheusAdapterConfigProps {
  /** ConfigMap name (the chart's `rules.existing`). */
  readonly name: string;
  /** Namespace the adapter runs in. */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly rules: AdapterRules;
}

/** The adapter's ConfigMap with `config.yaml`. */
export class PrometheusAdapterConfig extends Construct {
  readonly configMap: k8s.KubeConfigMap;

  constructor(scope: Construct, id: string, props: PrometheusAdapterConfigProps) {
    super(scope, id);
    this.configMap = new k8s.KubeConfigMap(this, "ConfigMap", {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      data: { "config.yaml": adapterConfigYaml(props.rules) },
    });
  }
}

/** One service's adapter rules and the scrape job its selectors name. */
export interface ServiceAdapterRules {
  readonly service: string;
  readonly job: string;
  readonly rules: AdapterRules;
}

/** Two services' rules that serve one metric name with different queries: the adapter would serve one of them. */
export class AdapterRuleCollision extends InvariantError {
  constructor(message: string, fix: string) {
    super(message, fix, "ADAPTER_RULES_COLLIDE");
  }
}

/**
 * The environment's one rule set from every service's: rules that differ only in the scrape job
 * become one rule selecting every such job (`job=~"a|b"`), so N services sharing a contract add N
 * job names, not N copies of each query. Rules serving one metric name with different queries
 * (another endpoint, window or quantile) collide: the adapter would answer one service with the
 * other's query, so that is refused naming both services.
 */
export function mergeAdapterRules(sets: readonly ServiceAdapterRules[]): AdapterRules {
  if (sets.length === 1) return sets[0]!.rules;
  const merge = (kind: "custom"): AdapterRule[] => {
    const byShape = new Map<string, { rule: AdapterRule; job: string; jobs: string[]; services: string[] }>();
    const byName = new Map<string, { shape: string; service: string }>();
    for (const s of sets) {
      const jobMatcher = `job="${s.job}"`;
      for (const r of s.rules[kind]) {
        const shape = JSON.stringify(r).split(JSON.stringify(jobMatcher).slice(1, -1)).join("job=<job>");
        const named = byName.get(r.name.as);
        if (named && named.shape !== shape) {
          throw new AdapterRuleCollision(
            `prometheus-adapter rule ${r.name.as} of service "${s.service}" differs from service "${named.service}"'s beyond the job label: one metric name cannot serve two queries`,
            `give both services the same scaling.endpoint, monitoring.queryWindow and burst window, or scale one of them with another mode`,
          );
        }
        if (!named) byName.set(r.name.as, { shape, service: s.service });
        const g = byShape.get(shape);
        if (g) {
          g.jobs.push(s.job);
          g.services.push(s.service);
        } else byShape.set(shape, { rule: r, job: s.job, jobs: [s.job], services: [s.service] });
      }
    }
    return [...byShape.values()].map(({ rule, job, jobs }) => {
      if (jobs.length === 1) return rule;
      const one = `job="${job}"`;
      const all = `job=~"${jobs.map(escapeRegex).join("|")}"`;
      const swap = (q: string) => q.split(one).join(all);
      return { ...rule, seriesQuery: swap(rule.seriesQuery), metricsQuery: swap(rule.metricsQuery) };
    });
  };
  // External metrics carry no pod to tell services apart: one sum over two services' queues would
  // scale each on both. Only one service may bring an external rule of a name.
  const external: AdapterRule[] = [];
  const externalOwner = new Map<string, string>();
  for (const s of sets) {
    for (const r of s.rules.external) {
      const owner = externalOwner.get(r.name.as);
      if (owner !== undefined) {
        throw new AdapterRuleCollision(
          `prometheus-adapter external rule ${r.name.as} is needed by service "${owner}" and service "${s.service}": an external metric has no pod label to tell them apart`,
          `set cluster.keda true (KEDA serves external metrics per ScaledObject)`,
        );
      }
      externalOwner.set(r.name.as, s.service);
      external.push(r);
    }
  }
  return { custom: merge("custom"), external };
}

/** A job name as a literal inside a PromQL regex matcher (RE2, within a double-quoted string). */
function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\\\$&");
}
