/**
 * Prometheus rule groups as typed data, rendered two ways from the same value: a plain Prometheus
 * rule file (`groups:` YAML, what `promtool check rules` reads) and a PrometheusRule object
 * (monitoring.coreos.com/v1) for the Prometheus Operator.
 *
 * A recording rule declares the labels its series carries, so later rules select recorded series
 * through the same {@link PromQL} builder as raw ones ({@link recordedPromQL}): a rule can only
 * name a recorded series that exists, with labels it has.
 */
import { InvariantError } from "../problems/problem.js";
import { ApiObject } from "cdk8s";
import { Construct } from "constructs";
import { yamlText } from "../kube/yaml-text.js";
import type { IPrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ContractError, durationSeconds, PromQL, type MetricSpec, type ScrapeScope } from "../promql/metrics.js";
import { assertParses } from "../promql/parse.js";
import { rendered } from "../kube/rendered-text.js";
import { DNS_LABEL } from "../kube/names.js";

/** The spec type of the pinned prometheus-operator models (4.x, Node 20 compatible). */
type IPrometheusRuleSpec = IPrometheusRule["spec"];

export type RuleLabels = Readonly<Record<string, string>>;

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  /** Static labels the rule adds. @default {} */
  readonly labels?: RuleLabels;
  /** Every label the recorded series carries (from the expression's grouping plus `labels`). */
  readonly seriesLabels: readonly string[];
  /** Written as a comment above the rule in rule files, e.g. what it records when idle. @default none */
  readonly comment?: string;
}

/** Annotations every alert carries. */
export interface AlertAnnotations {
  readonly summary: string;
  readonly description: string;
  readonly runbook_url: string;
  readonly [extra: string]: string;
}

export type Severity = "critical" | "warning" | "info";

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  /** How long the condition must hold. @default fires on the first true evaluation */
  readonly for?: string;
  readonly labels: RuleLabels & { readonly severity: Severity };
  readonly annotations: AlertAnnotations;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  readonly name: string;
  /** Evaluation interval. @default the Prometheus global evaluation_interval */
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

export function isAlertingRule(r: Rule): r is AlertingRule {
  return "alert" in r;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const ALERT_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Checks a group the way Prometheus would refuse to load it, plus the house rules: every
 * expression parses, record/alert/label names are valid, alerts carry severity, summary,
 * description and runbook_url. Throws ContractError naming the group and rule.
 */
export function checkRuleGroup(group: RuleGroup): void {
  const where = (r?: Rule) => `rule group "${group.name}"${r ? `, ${isAlertingRule(r) ? `alert ${r.alert}` : `record ${r.record}`}` : ""}`;
  if (!DNS_LABEL.test(group.name))
    throw new ContractError(`${where()}: the name must be lower-case letters, digits and '-' (it names a file and an object)`);
  if (group.rules.length === 0) throw new ContractError(`${where()}: a rule group needs at least one rule`);
  if (group.interval !== undefined) durationSeconds(group.interval);
  const seen = new Set<string>();
  for (const r of group.rules) {
    try {
      assertParses(r.expr);
    } catch (e) {
      throw new ContractError(`${where(r)}: ${(e as Error).message}`);
    }
    for (const l of Object.keys(r.labels ?? {})) {
      if (!LABEL_NAME.test(l)) throw new ContractError(`${where(r)}: label name "${l}" is invalid`);
    }
    if (isAlertingRule(r)) {
      if (!ALERT_NAME.test(r.alert)) throw new ContractError(`${where(r)}: alert name must match ${ALERT_NAME}`);
      if (r.for !== undefined) durationSeconds(r.for);
      for (const a of ["summary", "description", "runbook_url"] as const) {
        if (!r.annotations[a]) throw new ContractError(`${where(r)}: annotation ${a} is required`);
      }
      if (!r.labels.severity) throw new ContractError(`${where(r)}: label severity is required`);
      // Two alerts of one name in a group are fine (Sloth's page/ticket) only with different labels.
      const key = `${r.alert}/${JSON.stringify(r.labels)}`;
      if (seen.has(key)) throw new ContractError(`${where(r)}: declared twice with the same labels`);
      seen.add(key);
    } else {
      if (!METRIC_NAME.test(r.record)) throw new ContractError(`${where(r)}: record name must match ${METRIC_NAME}`);
      const key = `${r.record}/${JSON.stringify(r.labels ?? {})}`;
      if (seen.has(key)) throw new ContractError(`${where(r)}: recorded twice with the same labels`);
      seen.add(key);
    }
  }
}

/** The group as Prometheus' rule-file / PrometheusRule YAML shape. */
export function renderRuleGroup(group: RuleGroup): Record<string, unknown> {
  return {
    name: group.name,
    ...(group.interval ? { interval: group.interval } : {}),
    rules: group.rules.map((r) =>
      isAlertingRule(r)
        ? {
            alert: r.alert,
            expr: r.expr,
            ...(r.for ? { for: r.for } : {}),
            labels: { ...r.labels },
            annotations: { ...r.annotations },
          }
        : { record: r.record, expr: r.expr, ...(r.labels && Object.keys(r.labels).length ? { labels: { ...r.labels } } : {}) },
    ),
  };
}

/** A plain Prometheus rule file holding `groups`. */
export function ruleFileYaml(groups: readonly RuleGroup[], header = ""): string {
  const data = { groups: groups.map(renderRuleGroup) as { rules: unknown[] }[] };
  // Each recording rule's comment goes above it (`# ...` lines).
  const comments = new Map<readonly unknown[], Map<number, string>>();
  groups.forEach((g, i) => {
    const byIndex = new Map<number, string>();
    g.rules.forEach((r, j) => {
      if (isAlertingRule(r) || !r.comment) return;
      byIndex.set(
        j,
        r.comment
          .split("\n")
          .map((l) => ` ${l}`)
          .join("\n"),
      );
    });
    if (byIndex.size) comments.set(data.groups[i]!.rules, byIndex);
  });
  return rendered(header + yamlText(data, comments), data);
}

/**
 * A PromQL builder over recorded series: each recording rule becomes a metric of the contract
 * with the labels its series carries, scoped like the service's own queries.
 */
export function recordedPromQL(rules: readonly RecordingRule[], scope: ScrapeScope): PromQL {
  const byName = new Map<string, Set<string>>();
  for (const r of rules) {
    const labels = byName.get(r.record) ?? new Set<string>();
    for (const l of r.seriesLabels) labels.add(l);
    byName.set(r.record, labels);
  }
  const metrics: MetricSpec[] = [...byName].map(([name, labels]) => ({ name, type: "gauge", labels: [...labels].sort() }));
  return new PromQL({ port: 0, portName: "recorded", path: "", metrics }, scope);
}

export interface PrometheusRuleProps {
  readonly name: string;
  readonly namespace: string;
  /** Labels the Prometheus' `ruleSelector` matches, plus the object's own. */
  readonly labels: Readonly<Record<string, string>>;
  readonly groups: readonly RuleGroup[];
}

/** A PrometheusRule object holding `groups` (each checked first). */
export class PrometheusRule extends Construct {
  readonly apiObject: ApiObject;
  readonly groups: readonly RuleGroup[];

  constructor(scope: Construct, id: string, props: PrometheusRuleProps) {
    super(scope, id);
    if (props.groups.length === 0)
      throw new InvariantError(`PrometheusRule ${props.namespace}/${props.name}: needs at least one rule group`);
    props.groups.forEach(checkRuleGroup);
    this.groups = props.groups;
    const spec = { groups: props.groups.map(renderRuleGroup) } as unknown as IPrometheusRuleSpec;
    this.apiObject = new ApiObject(this, "Resource", {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec,
    });
  }
}
