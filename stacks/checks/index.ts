/**
 * Cross-resource checks: the failures that break autoscaling in production span several objects
 * (a trigger reads a metric nothing scrapes, an alert fires before the scaler reacts, a quota
 * refuses the autoscaler's last pods). Schema validation sees one object at a time; these see the
 * whole environment.
 *
 * Two phases: config checks read only the parsed EnvConfig and run before any construct (so a
 * threshold the env declares wrongly is reported as such, not as a construct's refusal);
 * rendered checks read the objects, extra files and Helm values — whatever construct produced
 * them, so hand-edited or future constructs are held to the same rules.
 */
import type { EnvConfig } from "../config.js";
import { sourceOfViewPath } from "../services.js";
import { ruleFileOwner } from "../naming.js";
import { fieldPath } from "../validate.js";
import { checkAdapterExternalRules } from "./adapter.js";
import { checkAutoscalerOwnership, checkResourceMetricRequests } from "./autoscalers.js";
import { checkConfigCapacity, checkRenderedCapacity } from "./capacity.js";
import { CheckContext } from "./context.js";
import { checkConfigMonitoredMetrics, checkCustomMetricsServed, checkQueriesAgainstContract } from "./contract.js";
import { checkConfigCredentials, checkRenderedCredentials } from "./credentials.js";
import { checkKedaTriggers, checkPrometheusAddresses } from "./keda.js";
import { checkQueryMatchers } from "./matchers.js";
import { checkPods } from "./pods.js";
import { checkPrescaleApplied } from "./prescaling.js";
import { checkScrapes } from "./scrape.js";
import {
  checkConfigAlertBelowLargestBucket,
  checkConfigLatencyReachable,
  checkConfigThresholds,
  checkRenderedBuckets,
  checkRenderedScaleBeforeAlert,
} from "./thresholds.js";
import type { CheckInput, K8sObject } from "./types.js";
import type { Problem } from "../../problems/problem.js";
import { checkConfigRateWindows, checkRateWindows } from "./windows.js";
import { checkDisruptionBudget, checkImagesPinned } from "./workloads.js";
import { checkNetworkPolicies } from "./network-policy.js";
import {
  checkConfigKedaTriggers,
  checkConfigMetricContract,
  checkConfigReplicas,
  checkConfigScrapeMode,
  checkConfigServicePod,
} from "./settings.js";
import { checkConfigBurstWakeUpPolicy, checkConfigExtras } from "./workload-settings.js";
import { checkConfigWakeUp, checkWakeUpSourceScraped, checkZeroWakeUp, wakeUpJobsAcrossServices } from "./wake-up.js";

export { CHECK_CODES, type CheckCode } from "../../problems/codes.js";
export type { CheckInput, K8sObject } from "./types.js";

type Check = (ctx: CheckContext) => void;

/**
 * Cross-field rules the other checks (and the constructs) take for granted: two fields that
 * contradict each other (min > max, a histogram without buckets). When one fails, the checks after
 * them do not run: they would read a contradiction as something else.
 */
const CONFIG_CONFLICT_CHECKS: readonly Check[] = [
  checkConfigExtras,
  checkConfigBurstWakeUpPolicy,
  checkConfigReplicas,
  checkConfigServicePod,
  checkConfigMetricContract,
  checkConfigKedaTriggers,
  checkConfigScrapeMode,
];

/**
 * Checks on the parsed config alone: the cross-field rules (single-field rules live in the zod schema,
 * stacks/config.ts). buildStack runs them before any construct, so every entry point reports them alike.
 */
const CONFIG_CHECKS: readonly Check[] = [
  checkConfigMonitoredMetrics,
  checkPrescaleApplied,
  checkConfigCredentials,
  checkConfigRateWindows,
  checkConfigThresholds,
  checkConfigAlertBelowLargestBucket,
  checkConfigLatencyReachable,
  checkConfigCapacity,
  checkImagesPinned,
  checkDisruptionBudget,
  checkConfigWakeUp,
];

/** Checks on the rendered output, grouped by subject: queries, scrapes, autoscalers, pods, KEDA, capacity, policies, wake-up. */
const RENDERED_CHECKS: readonly Check[] = [
  checkQueriesAgainstContract, // also QUERY_SYNTAX
  checkCustomMetricsServed,
  checkScrapes,
  checkQueryMatchers,
  checkAutoscalerOwnership,
  checkResourceMetricRequests,
  checkRateWindows,
  checkRenderedCredentials,
  checkPrometheusAddresses,
  checkRenderedBuckets,
  checkRenderedScaleBeforeAlert, // and its per-pod queue warning
  checkPods,
  checkAdapterExternalRules,
  checkKedaTriggers,
  checkRenderedCapacity,
  checkNetworkPolicies,
  checkZeroWakeUp,
  checkWakeUpSourceScraped,
];

function run(ctx: CheckContext, checks: readonly Check[]): Problem[] {
  for (const c of checks) c(ctx);
  return dedupe(ctx.sink.findings);
}

/** Config-phase results by parsed config: buildStack and synth ask for the same config's (a parsed config is never changed). */
const configResults = new WeakMap<EnvConfig, readonly Problem[]>();

/** Config-phase findings (computed once per parsed config). */
export function runConfigChecks(config: EnvConfig): Problem[] {
  let found = configResults.get(config);
  if (!found) {
    // Stryker disable next-line ArrayDeclaration: the config checks read the config only, never the rendered objects
    const ctx = new CheckContext({ config, objects: [] });
    found = run(ctx, CONFIG_CONFLICT_CHECKS);
    if (!hasErrors(found)) found = run(ctx, CONFIG_CHECKS);
    configResults.set(config, found);
  }
  return [...found];
}

/** The config itself (the first service's view) and every other service's view. */
function serviceViews(config: EnvConfig): readonly EnvConfig[] {
  return [config, ...(config.services ?? []).slice(1)];
}

/**
 * Where a finding about a service's view sits in the user's input, as the schema's problems say it
 * (stacks/services.ts): `scaling.…`, `slo.…` and `service.…` are `services[i].…` (or `defaults.…`
 * when the value came from there), in an environment of one service as of many, and the message
 * names the service. Findings on env-level fields stay as they are.
 */
function placedIn(config: EnvConfig, index: number, found: readonly Problem[]): Problem[] {
  const name = (config.services?.[index] ?? config).service.name;
  return found.map((f) => {
    if (!f.resource.startsWith("EnvConfig ")) return f;
    const source = sourceOfViewPath(config, index, f.path);
    if (source[0] !== "services" && source[0] !== "defaults") return f;
    const who = source[0] === "services" ? `service "${name}"` : `for service "${name}"`;
    return { ...f, path: fieldPath(source), message: `${who}: ${f.message}` };
  });
}

/** runServiceConfigChecks' results by parsed config, as runConfigChecks keeps its own: buildStack and synth both ask. */
const serviceConfigResults = new WeakMap<EnvConfig, readonly Problem[]>();

/** Config-phase findings of every service of the environment (each service's view, then the env-wide ones once). */
export function runServiceConfigChecks(config: EnvConfig): Problem[] {
  let found = serviceConfigResults.get(config);
  if (!found) {
    const views = serviceViews(config);
    const across = wakeUpJobsAcrossServices(views).flatMap(({ index, finding }) => placedIn(config, index, [finding]));
    found = dedupe([...views.flatMap((view, i) => placedIn(config, i, runConfigChecks(view))), ...across]);
    serviceConfigResults.set(config, found);
  }
  return [...found];
}

/** Findings without repeats (same code, resource, path and message), first ones kept. */
function dedupe(found: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return found.filter((f) => {
    const key = `${f.code}|${f.resource}|${f.path}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Rendered-phase findings for hand-assembled input (tests) or a stack ({@link stackInput}). */
export function runRenderedChecks(input: CheckInput): Problem[] {
  return run(new CheckContext(input), RENDERED_CHECKS);
}

/**
 * Rendered-phase findings of every service: each service's view sees every object (cross-service
 * findings, e.g. two autoscalers on one Deployment or the quota, come from each view and are
 * reported once).
 */
export function runServiceRenderedChecks(input: CheckInput): Problem[] {
  const views = serviceViews(input.config);
  if (views.length === 1) return placedIn(input.config, 0, runRenderedChecks(input));
  const names = new Set(views.map((v) => v.service.name));
  // A service's checks see the shared objects and its own, not another service's (whose
  // thresholds and alerts are that service's business); what spans services runs on everything.
  // Grouped once: every view's input is the shared part plus its own (linear in services).
  const objectOwner = serviceObjectOwner(views);
  const objects = groupBy(input.objects, objectOwner);
  const files = input.files ? groupBy(input.files, (f) => ruleFileOwner(f.path, names)) : undefined;
  const perService = views.flatMap((view, i) => {
    const mine = view.service.name;
    const own = { objects: [...(objects.get(undefined) ?? []), ...(objects.get(mine) ?? [])] };
    const ownFiles = files ? { files: [...(files.get(undefined) ?? []), ...(files.get(mine) ?? [])] } : {};
    return placedIn(input.config, i, run(new CheckContext({ ...input, config: view, ...own, ...ownFiles }), PER_SERVICE_CHECKS));
  });
  const across = run(new CheckContext(input), ACROSS_SERVICES);
  return dedupe([...perService, ...across]);
}

/**
 * The service whose view checks an object (undefined: every view, the environment's shared
 * objects): its own kinds by `app.kubernetes.io/name`; its dashboard (`app.kubernetes.io/instance`
 * `<service>-<env>`) and load test (`<loadTest.name>-<env>`); the NetworkPolicy of its pods or its
 * load test's. Every view seeing every service's would make the checks quadratic in services.
 */
export function serviceObjectOwner(views: readonly EnvConfig[]): (o: K8sObject) => string | undefined {
  const names = new Set(views.map((v) => v.service.name));
  const dashboards = new Map<string, string>(views.map((v) => [`${v.service.name}-${v.name}`, v.service.name]));
  const loadTests = new Map<string, string>(
    views.flatMap((v) => (v.loadTest ? [[`${v.loadTest.name}-${v.name}`, v.service.name] as const] : [])),
  );
  return (o) => {
    const labels = (o.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {};
    const owner = labels["app.kubernetes.io/name"];
    if (PER_SERVICE_KINDS.has(String(o.kind)) && owner !== undefined && names.has(owner)) return owner;
    if (o.kind === "NetworkPolicy") {
      // The default deny and the other workloads' policies are everyone's.
      const selected = (o.spec as { podSelector?: { matchLabels?: Record<string, string> } } | undefined)?.podSelector?.matchLabels ?? {};
      const name = selected["app.kubernetes.io/name"];
      if (name !== undefined && names.has(name)) return name;
      const of = selected["app.kubernetes.io/instance"];
      return of === undefined ? undefined : loadTests.get(of);
    }
    const instance = labels["app.kubernetes.io/instance"];
    if (instance === undefined) return undefined;
    if (o.kind === "ConfigMap" && labels.grafana_dashboard !== undefined) return dashboards.get(instance);
    return loadTests.get(instance);
  };
}

function groupBy<T>(items: readonly T[], key: (t: T) => string | undefined): Map<string | undefined, T[]> {
  const out = new Map<string | undefined, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}

/** Kinds each service renders for itself (a shared object, e.g. the adapter's ConfigMap, is every service's). */
const PER_SERVICE_KINDS = new Set([
  "Deployment",
  "Service",
  "ServiceAccount",
  "PodDisruptionBudget",
  "ScaledObject",
  "HorizontalPodAutoscaler",
  "ServiceMonitor",
  "PrometheusRule",
]);

/**
 * Checks whose finding spans services: two autoscalers on one workload, the quota all maxima must
 * fit. They run once on every object, never on one service's view (where another service's
 * Deployment is out of sight, so its autoscaler's target would look missing).
 */
const ACROSS_SERVICES: readonly Check[] = [checkAutoscalerOwnership, checkRenderedCapacity];
/** What each service's view runs when the environment has several. */
const PER_SERVICE_CHECKS: readonly Check[] = RENDERED_CHECKS.filter((c) => !ACROSS_SERVICES.includes(c));

/** What the checks need of an EnvironmentStack (kept structural: no import cycle with stack.ts). */
export interface StackLike {
  readonly config: EnvConfig;
  objects(): Record<string, unknown>[];
  readonly extraFiles: readonly { readonly path: string; readonly content: () => string }[];
  readonly helmValues: Readonly<Record<string, Record<string, unknown>>>;
}

export function stackInput(stack: StackLike): CheckInput {
  return {
    config: stack.config,
    objects: stack.objects(),
    files: stack.extraFiles.map((f) => ({ path: f.path, content: f.content() })),
    helmValues: stack.helmValues,
  };
}

/**
 * All checks of one environment, in synth's order: config checks, then — unless they found
 * errors, which synth stops on — the rendered checks.
 */
export function runChecks(stack: StackLike | CheckInput): Problem[] {
  const input = "extraFiles" in stack ? stackInput(stack) : stack;
  const early = runServiceConfigChecks(input.config);
  if (hasErrors(early)) return early;
  return [...early, ...runServiceRenderedChecks(input)];
}

export function hasErrors(findings: readonly Problem[]): boolean {
  return findings.some((f) => f.severity === "error");
}
