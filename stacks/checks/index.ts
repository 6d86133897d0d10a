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
import { checkCustomMetricsServed, checkQueriesAgainstContract } from "./contract.js";
import { checkConfigCredentials, checkRenderedCredentials } from "./credentials.js";
import { checkKedaTriggers, checkPrometheusAddresses } from "./keda.js";
import { checkQueryMatchers } from "./matchers.js";
import { checkPods } from "./pods.js";
import { checkPrescaleApplied } from "./prescaling.js";
import { checkScrapes } from "./scrape.js";
import { checkConfigLatencyReachable, checkConfigThresholds, checkRenderedBuckets, checkRenderedScaleBeforeAlert } from "./thresholds.js";
import type { CheckInput, Finding } from "./types.js";
import { checkRateWindows } from "./windows.js";
import { checkDisruptionBudget, checkImagesPinned } from "./workloads.js";
import { checkNetworkPolicies } from "./network-policy.js";
import { checkConfigWakeUp, checkWakeUpSourceScraped, checkZeroWakeUp } from "./wake-up.js";

export { CHECK_CODES, type CheckCode } from "./codes.js";
export type { CheckInput, Finding, K8sObject, Severity } from "./types.js";

type Check = (ctx: CheckContext) => void;

/** Checks on the parsed config alone (4, 7, 9, 10, 11, 14, 16). Schema invariants (2, 6) live in stacks/config.ts. */
const CONFIG_CHECKS: readonly Check[] = [checkPrescaleApplied, checkConfigCredentials, checkConfigThresholds, checkConfigLatencyReachable, checkConfigCapacity, checkImagesPinned, checkDisruptionBudget, checkConfigWakeUp];

/** Checks on the rendered output, in the issue's order. */
const RENDERED_CHECKS: readonly Check[] = [
  checkQueriesAgainstContract, // QUERY_SYNTAX, 1
  checkCustomMetricsServed, // 1
  checkScrapes, // 2
  checkQueryMatchers, // 3
  checkAutoscalerOwnership, // 4
  checkResourceMetricRequests, // 5
  checkRateWindows, // 6
  checkRenderedCredentials, // 7
  checkPrometheusAddresses, // 8
  checkRenderedBuckets, // 9
  checkRenderedScaleBeforeAlert, // 10 (and its per-pod queue warning)
  checkPods, // 11
  checkAdapterExternalRules, // 12
  checkKedaTriggers, // 13
  checkRenderedCapacity, // 14
  checkNetworkPolicies, // 15
  checkZeroWakeUp, // 16
  checkWakeUpSourceScraped, // 16
];

function run(ctx: CheckContext, checks: readonly Check[]): Finding[] {
  for (const c of checks) c(ctx);
  const seen = new Set<string>();
  return ctx.sink.findings.filter((f) => {
    const key = `${f.code}|${f.resource}|${f.path}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Config-phase findings. */
export function runConfigChecks(config: EnvConfig): Finding[] {
  return run(new CheckContext({ config, objects: [] }), CONFIG_CHECKS);
}

/** Rendered-phase findings for hand-assembled input (tests) or a stack ({@link stackInput}). */
export function runRenderedChecks(input: CheckInput): Finding[] {
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
export function runChecks(stack: StackLike | CheckInput): Finding[] {
  const input = "extraFiles" in stack ? stackInput(stack) : stack;
  const early = runConfigChecks(input.config);
  if (hasErrors(early)) return early;
  return [...early, ...runRenderedChecks(input)];
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === "error");
}

/** `CODE env "prod": Kind ns/name: path: message. Fix: fix` — one line, code first. */
export function formatFinding(f: Finding): string {
  return `${f.code} env "${f.env}": ${f.resource}: ${f.path ? `${f.path}: ` : ""}${f.message}. Fix: ${f.fix}`;
}

const JS_ERRORS = new Set(["TypeError", "RangeError", "ReferenceError", "SyntaxError", "EvalError", "URIError", "AggregateError"]);

/**
 * A construct's constructor refused the config (an invariant it checks): the finding synth
 * reports instead of a stack trace. Undefined for programming errors (TypeError, ...), which
 * must surface with their trace.
 */
export function buildErrorFinding(config: EnvConfig, e: unknown): Finding | undefined {
  if (!(e instanceof Error) || JS_ERRORS.has(e.name)) return undefined;
  const contract = e.name === "ContractError" || e.name === "PromQLError";
  return {
    code: contract ? "CONTRACT_VIOLATION" : "CONSTRUCT_INVARIANT",
    severity: "error",
    env: config.name,
    resource: `EnvConfig ${config.name}`,
    path: "",
    message: e.message.split("\n")[0]!.replace(/\.$/, ""),
    fix: contract ? "build queries from metrics, series and labels the service's contract exports (service.metrics)" : "change the config value the message names",
  };
}

/** Whether a message line already starts with a stable code (`CODE_NAME env "..."`). */
export function startsWithCode(line: string): boolean {
  return /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+ env "/.test(line);
}
