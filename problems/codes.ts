/**
 * The one catalog of problem codes (problems/problem.ts): every code a {@link Problem} can carry,
 * in sections by where it is found, each with one line saying what it catches. docs/checks.md's
 * checks table lists the same lines.
 */

export interface CodeInfo {
  readonly summary: string;
}

/** The env config itself: reading, parsing, the schema's single-field rules, the sources of a run (stacks/validate.ts, stacks/load.ts). */
export const CONFIG_CODES = {
  CONFIG_SYNTAX: { summary: "a config file is not valid JSON or YAML" },
  CONFIG_UNREADABLE: { summary: "a config file cannot be read" },
  CONFIG_UNKNOWN_ENV: { summary: "--env names no built-in environment" },
  CONFIG_MISSING: { summary: "a required field is missing" },
  CONFIG_INVALID_TYPE: { summary: "a field has the wrong type (a string for a number, ...)" },
  CONFIG_UNKNOWN_KEY: { summary: "a field the schema does not know (usually a misspelling)" },
  CONFIG_EMPTY: { summary: "a string or list that must not be empty is" },
  CONFIG_RANGE: { summary: "a number outside its allowed range" },
  CONFIG_FORMAT: { summary: "a string that is not in its format (DNS label, quantity, duration, URL, ...)" },
  CONFIG_INVALID_VALUE: { summary: "a value outside the accepted set" },
  CONFIG_CONFLICT: { summary: "two fields contradict each other" },
  CONFIG_DUPLICATE_ENV: { summary: "two sources of one run name one environment" },
  CONFIG_NAME_MISMATCH: { summary: "a stacks/envs/index.ts key differs from the env's name" },
  CONFIG_BUILTIN_OUTPUT: { summary: "a --config file would replace a built-in environment's committed dist/<env>/" },
  CONFIG_INVALID: { summary: "a config value fails a rule not listed above" },
} as const satisfies Record<string, CodeInfo>;

export const CHECK_CODES = {
  QUERY_SYNTAX: { summary: "a query (KEDA trigger, adapter rule, recording or alert rule) does not parse as PromQL" },
  METRIC_NOT_IN_CONTRACT: { summary: "a query reads a metric or series the service's metric contract does not export" },
  CUSTOM_METRIC_NOT_SERVED: { summary: "an HPA asks for a custom/external metric no prometheus-adapter rule exposes" },
  METRIC_NOT_SCRAPED: {
    summary:
      "no ServiceMonitor/PodMonitor/scrape job scrapes the service's metrics port and path, or one that targets it has the wrong selector, port, path or labels",
  },
  RULES_NOT_SELECTED: {
    summary: "a PrometheusRule lacks the labels the Prometheus Operator selects rules by (monitoring.selectorLabels)",
  },
  QUERY_LABEL_MISMATCH: {
    summary:
      "a query's job/namespace matchers cannot match the labels the scrape produces, or it matches a label the series does not carry",
  },
  MULTIPLE_AUTOSCALERS: { summary: "two autoscalers (HPA/ScaledObject) own one workload" },
  AUTOSCALER_TARGET_MISSING: { summary: "an autoscaler's scaleTargetRef names a workload the environment does not render" },
  REPLICAS_WITH_AUTOSCALER: {
    summary: "warning: an autoscaled Deployment still sets spec.replicas (every apply resets the autoscaler's choice)",
  },
  PRESCALE_NOT_APPLIED: {
    summary:
      "warning: a pre-scaling window targets the inference service while an HPA (cpu-hpa, slo-hpa) scales it: the HPA has no schedule, the window is not applied",
  },
  RESOURCE_METRIC_WITHOUT_REQUESTS: {
    summary: "a cpu/memory utilization trigger or HPA Resource metric targets a container without that resource request",
  },
  RATE_WINDOW_TOO_SHORT: { summary: "a rate/increase/histogram_quantile window is shorter than 4× the scrape interval" },
  PLAINTEXT_CREDENTIAL: {
    summary:
      "a credential in rendered output or config: URL user:password, password=/token=, credential-named keys, known token formats, Secret data",
  },
  PROMETHEUS_ADDRESS_UNDECLARED: {
    summary: "a Prometheus serverAddress/URL is not the environment's declared Prometheus service (DNS name and port) or externalUrl",
  },
  LATENCY_THRESHOLD_NOT_BUCKET: {
    summary: "a latency threshold (scaling, SLO, alert, le matcher) is not a bucket boundary of the histogram it reads",
  },
  SCALES_AFTER_ALERT: {
    summary: "a scaling threshold is above the alert threshold of the same signal: the service pages before it scales",
  },
  LATENCY_TARGET_UNREACHABLE: {
    summary:
      "a p95 latency target (slo-hpa, KEDA trigger, HighLatency alert) at or below the p95 an idle pod already has (simulation.serviceTimeSeconds, serviceTimeCv): the autoscaler climbs to maxReplicas under no load, the alert always fires",
  },
  QUEUE_ALERT_BEFORE_SCALE: {
    summary:
      "warning: a per-pod queue target (AverageValue) × minReplicas is above the alert on the total queue: at the floor the service pages before it scales",
  },
  POD_NOT_RESTRICTED: { summary: "a pod template breaks the restricted Pod Security Standard" },
  POD_PROBE_MISSING: { summary: "a long-running container lacks a readiness or liveness probe" },
  POD_RESOURCES_MISSING: { summary: "a container lacks cpu/memory requests or a memory limit" },
  ADAPTER_RULES_COLLIDE: {
    summary:
      "two services' prometheus-adapter rules serve one metric name with different queries (the adapter would answer one service with the other's)",
  },
  ADAPTER_EXTERNAL_WITH_KEDA: {
    summary: "prometheus-adapter external rules in an environment that runs KEDA (both claim v1beta1.external.metrics.k8s.io)",
  },
  KEDA_QUERY_MULTI_SERIES: { summary: "a KEDA prometheus query can return more than one series (not aggregated)" },
  KEDA_NULL_VALUES_IGNORED: {
    summary: "a KEDA prometheus trigger leaves ignoreNullValues true (error when a fallback is meant to cover it, warning otherwise)",
  },
  KEDA_AVERAGE_NON_ADDITIVE: { summary: "a KEDA trigger uses AverageValue on a non-additive signal (quantile, ratio, average)" },
  KEDA_NO_FALLBACK: {
    summary:
      "warning: a ScaledObject whose prometheus trigger errors on a lost scrape (ignoreNullValues false) declares no fallback: it freezes at its current count",
  },
  CAPACITY_EXCEEDED: { summary: "maximum replicas × per-pod requests exceed the namespace quota (config.capacity)" },
  CAPACITY_NO_ROLLOUT_HEADROOM: {
    summary: "warning: at maximum replicas a rolling update's surge pods no longer fit the quota",
  },
  IMAGE_NOT_PINNED: {
    summary: "warning: a production environment's image has a tag but no @sha256 digest (a re-pushed tag changes what runs)",
  },
  PDB_ALLOWS_OUTAGE: {
    summary: "warning: minReplicas 1 with a PodDisruptionBudget maxUnavailable ≥ 1: one node drain takes the service down",
  },
  OBJECT_TOO_LARGE: { summary: "a rendered object is larger than the API server stores (etcd's request limit, 1.5 MiB)" },
  SCRAPE_BLOCKED_BY_POLICY: {
    summary:
      "a NetworkPolicy refuses Prometheus the metrics port a scrape targets, or refuses a declared caller the serving port (ingress or egress)",
  },
  ZERO_WITHOUT_WAKEUP: {
    summary:
      "a workload may scale to zero, but every activating trigger reads only series its own pods export (or a clock): nothing wakes it",
  },
  WAKEUP_SOURCE_NOT_SCRAPED: {
    summary:
      "the wake-up trigger's source (scaling.wakeUp.source namespace/job) is scraped by no job the environment renders, and the config does not declare it scraped externally: the trigger answers nothing",
  },
  SCHEMA_INVALID: { summary: "a rendered object fails its upstream JSON schema (or has none)" },
  OBJECT_DUPLICATE: { summary: "two constructs render the same object" },
  CONSTRUCT_INVARIANT: { summary: "a construct refused the config (an invariant checked in its constructor)" },
  CONTRACT_VIOLATION: { summary: "a construct asked the metric contract for a metric, series or label it does not export" },
} as const satisfies Record<string, CodeInfo>;

export type CheckCode = keyof typeof CHECK_CODES;

/** Everything outside the env config and its checks: the output folder, the CLIs, the simulator, the HPA port, the Pulumi stack. */
export const OTHER_CODES = {
  OUTPUT_EMPTY_FLAG: { summary: "synth's --out is empty" },
  OUTPUT_UNUSABLE: { summary: "synth's --out is a file, the root, or holds files that are not environment folders" },
  OUTPUT_UNWRITABLE: { summary: "synth's --out (or its nearest existing parent) takes no new entry" },
  OUTPUT_WRITE: { summary: "writing the output tree failed; nothing was changed" },
  USAGE: { summary: "a command line the CLI cannot run (unknown, missing or empty flag): exit 2" },
  DIFF_FAILED: {
    summary: "npm run diff could not make the diff (unknown ref, a side fails to synthesize, --markdown not writable): exit 3",
  },
  SCENARIO_INVALID: { summary: "a load scenario (built-in name or file) the simulator refuses" },
  SIMULATION_UNSUPPORTED: { summary: "the rendered autoscaler uses something the simulator does not model" },
  CRON_INVALID: { summary: "a cron expression that is not 5 valid fields" },
  RELABEL_INVALID: { summary: "a Prometheus relabeling rule the scrape model cannot apply (bad regex, unknown action)" },
  HPA_CASE_INVALID: { summary: "an hpa-step case (stdin) that is malformed: bad field, quantity or observation: exit 2" },
  INFRA_STACK_UNKNOWN: { summary: "the Pulumi stack name selects no environment" },
  INFRA_CONFIG_INVALID: { summary: "a Pulumi stack config key is missing, malformed or a plain-text credential" },
  INFRA_OBJECT_REFUSED: { summary: "the Pulumi program refuses a rendered object or add-on value it cannot deploy" },
} as const satisfies Record<string, CodeInfo>;

/** The catalog: every code a {@link Problem} may carry. */
export const PROBLEM_CODES = { ...CONFIG_CODES, ...CHECK_CODES, ...OTHER_CODES } as const;

export type ConfigCode = keyof typeof CONFIG_CODES;
export type ProblemCode = keyof typeof PROBLEM_CODES;

export function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(PROBLEM_CODES, code);
}
