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
import type { CheckInput } from "./types.js";
import type { Problem } from "../../problems/problem.js";
import { checkConfigRateWindows, checkRateWindows } from "./windows.js";
import { checkDisruptionBudget, checkImagesPinned } from "./workloads.js";
import { checkNetworkPolicies } from "./network-policy.js";
import { checkConfigWakeUp, checkWakeUpSourceScraped, checkZeroWakeUp } from "./wake-up.js";

export { CHECK_CODES, type CheckCode } from "../../problems/codes.js";
export type { CheckInput, K8sObject } from "./types.js";

type Check = (ctx: CheckContext) => void;

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
  const seen = new Set<string>();
  return ctx.sink.findings.filter((f) => {
    const key = `${f.code}|${f.resource}|${f.path}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Config-phase results by parsed config: buildStack and synth ask for the same config's (a parsed config is never changed). */
const configResults = new WeakMap<EnvConfig, readonly Problem[]>();

/** Config-phase findings (computed once per parsed config). */
export function runConfigChecks(config: EnvConfig): Problem[] {
  let found = configResults.get(config);
  if (!found) configResults.set(config, (found = run(new CheckContext({ config, objects: [] }), CONFIG_CHECKS)));
  return [...found];
}

/** Rendered-phase findings for hand-assembled input (tests) or a stack ({@link stackInput}). */
export function runRenderedChecks(input: CheckInput): Problem[] {
  return run(new CheckContext(input), RENDERED_CHECKS);
}

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
  const early = runConfigChecks(input.config);
  if (hasErrors(early)) return early;
  return [...early, ...runRenderedChecks(input)];
}

export function hasErrors(findings: readonly Problem[]): boolean {
  return findings.some((f) => f.severity === "error");
}
