/**
 * A KEDA ScaledObject (keda.sh/v1alpha1) with typed props for every spec field and typed
 * triggers. Numbers stay numbers in TypeScript; trigger `metadata` is rendered in KEDA's string
 * form (the API server rejects an unquoted number there).
 *
 * The constructor enforces what KEDA's admission webhook and the HPA enforce, plus the rules that
 * make a spec mean what it says (see {@link KedaScaledObject}). It follows the semantics of
 * {@link KEDA_MIN_VERSION}: from 2.18 on, fallback also works with `Value` triggers.
 */
import { ApiObject } from "cdk8s";
import type { IScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { Construct } from "constructs";
import {
  Problems,
  checkBehavior,
  claimScaleTarget,
  isWhole,
  KEDA_HPA_PREFIX,
  kedaHpaName,
  positiveQuantity,
  renderBehavior,
  requireName,
  requireRequests,
  targetApiVersion,
  targetKind,
  type ScaleTarget,
  type ScalingBehavior,
  type SignalKind,
} from "../scaling/autoscaler-common.js";
import { formatNumber } from "../promql/metrics.js";
import { resultGrouping, syntaxErrors } from "../promql/parse.js";
import type { TriggerAuthRef } from "./trigger-authentication.js";
import { isTimeZone } from "../scaling/time-zone.js";

/** The KEDA version whose rules this construct follows; the cluster must run it or later. */
export const KEDA_MIN_VERSION = "2.18";

/** KEDA names its HPA `keda-hpa-<ScaledObject>`; an object name is at most 63 characters. */
export const MAX_SCALED_OBJECT_NAME = 63 - KEDA_HPA_PREFIX.length;

interface TriggerBase {
  /** Unique within the ScaledObject; scalingModifiers formulas refer to triggers by it. @default unnamed */
  readonly name?: string;
  /** Serve the HPA the value read at the last poll instead of querying on every HPA sync. @default false */
  readonly useCachedMetrics?: boolean;
}

export type PrometheusAuthMode = "bearer" | "basic" | "tls" | "custom";

/** Trigger parameters a TriggerAuthentication must supply for each Prometheus auth mode. */
const PROMETHEUS_AUTH_PARAMETERS: Readonly<Record<PrometheusAuthMode, readonly string[]>> = {
  bearer: ["bearerToken"],
  basic: ["username", "password"],
  tls: ["cert", "key"],
  custom: ["customAuthHeader", "customAuthValue"],
};

export interface PrometheusTrigger extends TriggerBase {
  readonly type: "prometheus";
  /** Prometheus base URL (no credentials: those come from `authenticationRef`). */
  readonly serverAddress: string;
  /** PromQL that aggregates to exactly one series. */
  readonly query: string;
  /** What the query measures; decides whether `AverageValue` is allowed. */
  readonly signal: SignalKind;
  /** Target value (Value) or per-pod target (AverageValue); greater than 0. */
  readonly threshold: number;
  /** Above this the trigger is active (0 ↔ 1 scaling); below `threshold`. @default 0 */
  readonly activationThreshold?: number;
  /** @default "AverageValue" for an additive signal, "Value" otherwise */
  readonly metricType?: "Value" | "AverageValue";
  /**
   * `true` (KEDA's default) turns an empty result into 0 and silently scales down when the scrape
   * is lost; `false` makes it a scaler error that fallback and alerts see. @default false
   */
  readonly ignoreNullValues?: boolean;
  /** Tenant namespace for a multi-tenant querier (Thanos). @default none */
  readonly namespace?: string;
  /** How to authenticate; the credentials come from `authenticationRef`. @default no authentication */
  readonly authModes?: readonly PrometheusAuthMode[];
  /** The TriggerAuthentication supplying the auth modes' parameters. @default none */
  readonly authenticationRef?: TriggerAuthRef;
}

export interface ResourceTrigger extends TriggerBase {
  readonly type: "cpu" | "memory";
  /** @default "Utilization" */
  readonly metricType?: "Utilization" | "AverageValue";
  /**
   * Utilization: whole percent of the request. AverageValue: per-pod usage, a number of cores /
   * bytes or a quantity such as "500m" or "1Gi".
   */
  readonly value: number | string;
  /** Measure one container only (a ContainerResource metric). @default all containers */
  readonly containerName?: string;
}

export interface CronTrigger extends TriggerBase {
  readonly type: "cron";
  /** IANA time zone, e.g. `Europe/Berlin`. */
  readonly timezone: string;
  /** Five-field cron expression at which the window opens. */
  readonly start: string;
  /** Five-field cron expression at which the window closes. */
  readonly end: string;
  /** Replicas to hold during the window; at least 1. */
  readonly desiredReplicas: number;
}

export interface RabbitMqTrigger extends TriggerBase {
  readonly type: "rabbitmq";
  readonly queueName: string;
  /** `QueueLength`: messages per pod; `MessageRate`: publish rate per pod. */
  readonly mode: "QueueLength" | "MessageRate";
  /** Per-pod target; greater than 0. */
  readonly value: number;
  /** Above this the trigger is active; below `value`. @default 0 */
  readonly activationValue?: number;
  /** @default "auto" (KEDA) */
  readonly protocol?: "auto" | "amqp" | "http";
  /** @default the vhost in the connection string */
  readonly vhostName?: string;
  /** Supplies `host` (the connection string): a credential never sits in the trigger itself. */
  readonly authenticationRef: TriggerAuthRef;
}

export type KedaTrigger = PrometheusTrigger | ResourceTrigger | CronTrigger | RabbitMqTrigger;

export type FallbackBehavior = "static" | "currentReplicas" | "currentReplicasIfHigher" | "currentReplicasIfLower";

export interface KedaFallback {
  /** Consecutive scaler failures before the fallback applies; at least 0. */
  readonly failureThreshold: number;
  /** Replicas to hold while the scaler fails; between minReplicaCount and maxReplicaCount. */
  readonly replicas: number;
  /** @default "static" (KEDA) */
  readonly behavior?: FallbackBehavior;
}

export interface ScalingModifiers {
  /** Expression over trigger names combining them into one metric. */
  readonly formula: string;
  /** Target of the composite metric; greater than 0. */
  readonly target: number;
  /** @default 0 */
  readonly activationTarget?: number;
  /** @default "AverageValue" (KEDA) */
  readonly metricType?: "Value" | "AverageValue";
}

export interface KedaAdvanced {
  /** Put the original replica count back when the ScaledObject is deleted. @default false */
  readonly restoreToOriginalReplicaCount?: boolean;
  readonly horizontalPodAutoscalerConfig?: {
    /** @default `keda-hpa-<ScaledObject name>` */
    readonly name?: string;
    /** Copied verbatim into the HPA KEDA creates. @default Kubernetes' behavior */
    readonly behavior?: ScalingBehavior;
  };
  /** Combine the triggers into one metric with a formula. @default none */
  readonly scalingModifiers?: ScalingModifiers;
}

export interface KedaScaledObjectProps {
  /** @default scaleTarget.name */
  readonly name?: string;
  /** The workload (rendered as `spec.scaleTargetRef`); the ScaledObject lives in its namespace. */
  readonly scaleTarget: ScaleTarget;
  /** Container whose environment triggers may read. @default KEDA's: the first container */
  readonly envSourceContainerName?: string;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Seconds between trigger checks. @default 30 */
  readonly pollingInterval?: number;
  /** Seconds after the last active trigger before scaling to 0 / idle. @default 300 */
  readonly cooldownPeriod?: number;
  /** Seconds after creation before the first scale to 0. @default 0 (KEDA) */
  readonly initialCooldownPeriod?: number;
  /** Replicas while no trigger is active; below minReplicaCount (KEDA supports only 0). @default none */
  readonly idleReplicaCount?: number;
  /** @default 0 */
  readonly minReplicaCount?: number;
  /** @default 100 */
  readonly maxReplicaCount?: number;
  /** Replicas to hold while a scaler fails. @default none (a failing scaler freezes scale-down) */
  readonly fallback?: KedaFallback;
  /** @default none */
  readonly advanced?: KedaAdvanced;
  /** At least one. */
  readonly triggers: readonly KedaTrigger[];
}

/** Scale targets whose controllers publish `status.readyReplicas` (what `Value` fallback divides by). */
const READY_REPLICAS_KINDS = new Set(["Deployment", "StatefulSet", "ReplicaSet", "Rollout"]);

type RenderedTrigger = IScaledObject["spec"]["triggers"][number];

function isResource(t: KedaTrigger): t is ResourceTrigger {
  return t.type === "cpu" || t.type === "memory";
}

/** Effective metricType of a non-resource trigger. */
function metricTypeOf(t: KedaTrigger): string {
  if (t.type === "prometheus") return t.metricType ?? (t.signal === "additive" ? "AverageValue" : "Value");
  if (isResource(t)) return t.metricType ?? "Utilization";
  return "AverageValue";
}

const CRON_FIELD = /^[0-9A-Za-z*?,\-/]+$/;

/** What a trigger's constructor-level checks need from the ScaledObject. */
interface TriggerContext {
  readonly target: ScaleTarget;
  readonly namespace: string;
  readonly maxReplicaCount: number;
}

type RenderedAuthRef = RenderedTrigger["authenticationRef"];

/** A trigger's `metadata` in KEDA's string form, and the TriggerAuthentication it references. */
interface TriggerMetadata {
  readonly meta: Record<string, string>;
  readonly authenticationRef?: RenderedAuthRef;
}

/**
 * A trigger's TriggerAuthentication: in the ScaledObject's namespace (unless cluster-scoped) and
 * supplying every parameter the trigger `needs`.
 */
function checkAuthRef(ref: TriggerAuthRef, needs: readonly string[], field: string, ctx: TriggerContext, p: Problems): RenderedAuthRef {
  if (ref.kind === "TriggerAuthentication" && ref.namespace !== undefined && ref.namespace !== ctx.namespace) {
    p.add(
      field,
      `TriggerAuthentication ${ref.namespace}/${ref.name} is in another namespace than the ScaledObject (${ctx.namespace})`,
      "create it in the ScaledObject's namespace or use a ClusterTriggerAuthentication",
    );
  }
  const missing = needs.filter((n) => !ref.parameters.includes(n));
  if (missing.length) {
    p.add(
      field,
      `${ref.kind} ${ref.name} does not supply ${missing.map((m) => `"${m}"`).join(", ")} (it supplies ${ref.parameters.join(", ") || "nothing"})`,
      `add a secretTargetRef for ${missing.join(", ")}`,
    );
  }
  return { kind: ref.kind, name: ref.name };
}

/** serverAddress is an http(s) URL without inline credentials. */
function checkServerAddress(t: PrometheusTrigger, at: string, p: Problems): void {
  let url: URL | undefined;
  try {
    url = new URL(t.serverAddress);
  } catch {
    p.add(
      `${at}.metadata.serverAddress`,
      `"${t.serverAddress}" is not a URL`,
      "give the Prometheus base URL, e.g. http://prometheus.monitoring.svc.cluster.local:9090",
    );
  }
  if (url && url.protocol !== "http:" && url.protocol !== "https:") {
    p.add(`${at}.metadata.serverAddress`, `scheme ${url.protocol} is not http(s)`, "use an http:// or https:// URL");
  }
  if (url && (url.username || url.password)) {
    p.add(
      `${at}.metadata.serverAddress`,
      "the URL carries credentials inline (user:password@)",
      "remove them and supply them through a TriggerAuthentication (authModes basic)",
    );
  }
}

/** The query parses and aggregates to one series (KEDA errors on a multi-series result). */
function checkSingleSeriesQuery(t: PrometheusTrigger, at: string, p: Problems): void {
  const errors = syntaxErrors(t.query);
  if (errors.length) {
    p.add(
      `${at}.metadata.query`,
      `does not parse at offset ${errors[0]!.pos}: ${errors[0]!.message} in ${t.query}`,
      "build the query with the PromQL builder from the metric contract",
    );
    return;
  }
  const grouping = resultGrouping(t.query);
  if (grouping === undefined || grouping.length > 0) {
    p.add(
      `${at}.metadata.query`,
      `can return more than one series (${grouping === undefined ? "not aggregated" : `grouped by ${grouping.join(", ")}`}); KEDA errors on a multi-series result: ${t.query}`,
      "aggregate the whole result, e.g. sum(...) or histogram_quantile(q, sum by (le) (...))",
    );
  }
}

function prometheusMetadata(t: PrometheusTrigger, at: string, ctx: TriggerContext, p: Problems): TriggerMetadata {
  checkServerAddress(t, at, p);
  checkSingleSeriesQuery(t, at, p);
  if (metricTypeOf(t) === "AverageValue" && t.signal !== "additive") {
    p.add(
      `${at}.metricType`,
      `AverageValue on a ${t.signal} signal: the HPA would compute ceil(value / threshold) whatever the replica count, because a ${t.signal} is not additive across pods`,
      "use metricType Value (desired = ceil(value / threshold × current replicas))",
    );
  }
  p.require(
    Number.isFinite(t.threshold) && t.threshold > 0,
    `${at}.metadata.threshold`,
    `threshold ${t.threshold} must be greater than 0`,
    "give a positive threshold",
  );
  if (t.activationThreshold !== undefined) {
    p.require(
      Number.isFinite(t.activationThreshold) && t.activationThreshold >= 0 && t.activationThreshold < t.threshold,
      `${at}.metadata.activationThreshold`,
      `activationThreshold ${t.activationThreshold} must be ≥ 0 and below threshold ${t.threshold} (activation wins over the HPA: the target would be scaled to zero while the HPA still wants pods)`,
      "lower the activation value below the threshold",
    );
  }
  if (t.authModes?.length && !t.authenticationRef) {
    p.add(
      `${at}.authenticationRef`,
      `authModes ${t.authModes.join(",")} need credentials`,
      "reference a TriggerAuthentication that supplies them",
    );
  }
  if (t.authenticationRef && !t.authModes?.length) {
    p.add(
      `${at}.metadata.authModes`,
      "an authenticationRef without authModes is ignored by the prometheus scaler",
      'set authModes, e.g. ["bearer"]',
    );
  }
  const authenticationRef = t.authenticationRef
    ? checkAuthRef(
        t.authenticationRef,
        (t.authModes ?? []).flatMap((m) => PROMETHEUS_AUTH_PARAMETERS[m]),
        `${at}.authenticationRef`,
        ctx,
        p,
      )
    : undefined;
  const meta: Record<string, string> = {};
  meta.serverAddress = t.serverAddress;
  meta.query = t.query;
  meta.threshold = formatNumber(t.threshold);
  if (t.activationThreshold !== undefined) meta.activationThreshold = formatNumber(t.activationThreshold);
  meta.ignoreNullValues = String(t.ignoreNullValues ?? false);
  // Stryker disable next-line ConditionalExpression: always true renders the field as undefined, which cdk8s drops: same output as leaving it out
  if (t.namespace !== undefined) meta.namespace = t.namespace;
  if (t.authModes?.length) meta.authModes = t.authModes.join(",");
  return { meta, authenticationRef };
}

function resourceMetadata(t: ResourceTrigger, at: string, ctx: TriggerContext, p: Problems): TriggerMetadata {
  const meta: Record<string, string> = {};
  if (metricTypeOf(t) === "Utilization") {
    p.require(
      // Stryker disable next-line ConditionalExpression: isWhole refuses a string too (Number.isInteger), so the type test only narrows for TypeScript
      typeof t.value === "number" && isWhole(t.value, 1),
      `${at}.metadata.value`,
      `utilization ${JSON.stringify(t.value)} must be a whole percent ≥ 1`,
      "give a percent of the request, e.g. 80",
    );
    // Stryker disable next-line ConditionalExpression: a string value here is already refused above, so nothing is rendered
    if (typeof t.value === "number") meta.value = String(t.value);
  } else {
    const q = positiveQuantity(t.value, p, `${at}.metadata.value`);
    // Stryker disable next-line ConditionalExpression: an undefined quantity is already refused, so nothing is rendered
    if (q !== undefined) meta.value = q;
  }
  requireRequests(ctx.target, t.type, t.containerName, p, t.containerName !== undefined ? `${at}.metadata.containerName` : `${at}.type`);
  // Stryker disable next-line ConditionalExpression: always true renders the field as undefined, which cdk8s drops: same output as leaving it out
  if (t.containerName !== undefined) meta.containerName = t.containerName;
  return { meta };
}

function cronMetadata(t: CronTrigger, at: string, ctx: TriggerContext, p: Problems): TriggerMetadata {
  p.require(
    isTimeZone(t.timezone),
    `${at}.metadata.timezone`,
    `"${t.timezone}" is not an IANA time zone`,
    "use a name such as Europe/Berlin or UTC",
  );
  for (const key of ["start", "end"] as const) {
    const fields = t[key].trim().split(/\s+/);
    p.require(
      fields.length === 5 && fields.every((f) => CRON_FIELD.test(f)),
      `${at}.metadata.${key}`,
      `"${t[key]}" is not a five-field cron expression`,
      "write minute hour day-of-month month day-of-week, e.g. 0 8 * * 1-5",
    );
  }
  p.require(
    t.start.trim() !== t.end.trim(),
    `${at}.metadata.end`,
    "start and end are the same: the window never opens",
    "give different start and end times",
  );
  p.require(
    isWhole(t.desiredReplicas, 1, ctx.maxReplicaCount),
    `${at}.metadata.desiredReplicas`,
    `${t.desiredReplicas} must be a whole number from 1 to maxReplicaCount ${ctx.maxReplicaCount}`,
    "hold a count within the bounds",
  );
  return { meta: { timezone: t.timezone, start: t.start, end: t.end, desiredReplicas: String(t.desiredReplicas) } };
}

function rabbitMqMetadata(t: RabbitMqTrigger, at: string, ctx: TriggerContext, p: Problems): TriggerMetadata {
  p.require(t.queueName.trim() !== "", `${at}.metadata.queueName`, "queueName is empty", "name the queue the workers consume");
  p.require(
    Number.isFinite(t.value) && t.value > 0,
    `${at}.metadata.value`,
    `value ${t.value} must be greater than 0`,
    "give the per-pod target",
  );
  if (t.activationValue !== undefined) {
    p.require(
      Number.isFinite(t.activationValue) && t.activationValue >= 0 && t.activationValue < t.value,
      `${at}.metadata.activationValue`,
      `activationValue ${t.activationValue} must be ≥ 0 and below value ${t.value}`,
      "lower the activation value below the value",
    );
  }
  const authenticationRef = checkAuthRef(t.authenticationRef, ["host"], `${at}.authenticationRef`, ctx, p);
  const meta: Record<string, string> = { queueName: t.queueName, mode: t.mode, value: formatNumber(t.value) };
  if (t.activationValue !== undefined) meta.activationValue = formatNumber(t.activationValue);
  // Stryker disable next-line ConditionalExpression: always true renders the field as undefined, which cdk8s drops: same output as leaving it out
  if (t.protocol !== undefined) meta.protocol = t.protocol;
  // Stryker disable next-line ConditionalExpression: always true renders the field as undefined, which cdk8s drops: same output as leaving it out
  if (t.vhostName !== undefined) meta.vhostName = t.vhostName;
  return { meta, authenticationRef };
}

/** The trigger's metadata per type; adds a problem per refused field. */
function triggerMetadata(t: KedaTrigger, at: string, ctx: TriggerContext, p: Problems): TriggerMetadata {
  switch (t.type) {
    case "prometheus":
      return prometheusMetadata(t, at, ctx, p);
    case "cpu":
    case "memory":
      return resourceMetadata(t, at, ctx, p);
    case "cron":
      return cronMetadata(t, at, ctx, p);
    case "rabbitmq":
      return rabbitMqMetadata(t, at, ctx, p);
    default: {
      const unknown: never = t;
      throw new Error(`unknown KEDA trigger type ${JSON.stringify((unknown as { type: unknown }).type)}`);
    }
  }
}

/** One trigger as rendered in spec.triggers[i]. */
function renderTrigger(t: KedaTrigger, i: number, ctx: TriggerContext, p: Problems): RenderedTrigger {
  const at = `spec.triggers[${i}]`;
  if (t.useCachedMetrics && (isResource(t) || t.type === "cron")) {
    p.add(
      `${at}.useCachedMetrics`,
      `the ${t.type} scaler does not support useCachedMetrics (KEDA rejects it)`,
      "remove useCachedMetrics from this trigger",
    );
  }
  const { meta, authenticationRef } = triggerMetadata(t, at, ctx, p);
  return {
    type: t.type,
    // Stryker disable next-line ConditionalExpression: always true renders the field as undefined, which cdk8s drops: same output as leaving it out
    ...(t.name !== undefined ? { name: t.name } : {}),
    ...(t.type === "cron" ? {} : { metricType: metricTypeOf(t) }),
    // Stryker disable next-line ConditionalExpression: always true renders the field as undefined, which cdk8s drops: same output as leaving it out
    ...(t.useCachedMetrics !== undefined ? { useCachedMetrics: t.useCachedMetrics } : {}),
    metadata: meta,
    ...(authenticationRef ? { authenticationRef } : {}),
  };
}

/** The props with KEDA's defaults where this construct renders them. */
type ScaledObjectSettings = KedaScaledObjectProps & {
  readonly pollingInterval: number;
  readonly cooldownPeriod: number;
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
};

function withDefaults(props: KedaScaledObjectProps): ScaledObjectSettings {
  return {
    ...props,
    pollingInterval: props.pollingInterval ?? 30,
    cooldownPeriod: props.cooldownPeriod ?? 300,
    minReplicaCount: props.minReplicaCount ?? 0,
    maxReplicaCount: props.maxReplicaCount ?? 100,
  };
}

/** Names: KEDA's HPA is keda-hpa-<name> unless named explicitly; both are 63-character labels. */
function checkNames(props: KedaScaledObjectProps, name: string, p: Problems): void {
  const target = props.scaleTarget;
  const hpaConfig = props.advanced?.horizontalPodAutoscalerConfig;
  if (hpaConfig?.name !== undefined) {
    requireName(name, 63, p, "metadata.name");
    requireName(hpaConfig.name, 63, p, "spec.advanced.horizontalPodAutoscalerConfig.name", "an HPA name used as a label value");
  } else {
    requireName(name, MAX_SCALED_OBJECT_NAME, p, "metadata.name", `KEDA's HPA ${kedaHpaName(name)} must fit 63 characters`);
  }
  requireName(target.name, 253, p, "spec.scaleTargetRef.name");
  if (props.envSourceContainerName !== undefined && !target.containers.some((c) => c.name === props.envSourceContainerName)) {
    p.add(
      "spec.scaleTargetRef.envSourceContainerName",
      `container "${props.envSourceContainerName}" is not in ${targetKind(target)} ${target.name}`,
      `name one of its containers (${target.containers.map((c) => c.name).join(", ")})`,
    );
  }
}

/** Replica bounds (min ≤ max, idle 0 and below min) and timing. */
function checkReplicasAndTiming(d: ScaledObjectSettings, p: Problems): void {
  const { minReplicaCount, maxReplicaCount, idleReplicaCount, pollingInterval, cooldownPeriod, initialCooldownPeriod } = d;
  p.require(isWhole(minReplicaCount, 0), "spec.minReplicaCount", `${minReplicaCount} must be a whole number ≥ 0`, "use a whole number");
  p.require(
    isWhole(maxReplicaCount, 1),
    "spec.maxReplicaCount",
    `${maxReplicaCount} must be a whole number ≥ 1`,
    "use a whole number of at least 1",
  );
  if (minReplicaCount > maxReplicaCount) {
    p.add(
      "spec.minReplicaCount",
      `minReplicaCount ${minReplicaCount} is greater than maxReplicaCount ${maxReplicaCount}`,
      "lower minReplicaCount or raise maxReplicaCount",
    );
  }
  if (idleReplicaCount !== undefined) {
    if (!(idleReplicaCount < minReplicaCount)) {
      p.add(
        "spec.idleReplicaCount",
        `idleReplicaCount ${idleReplicaCount} must be below minReplicaCount ${minReplicaCount}`,
        "lower idleReplicaCount (to 0) or leave it out",
      );
    } else if (idleReplicaCount !== 0) {
      p.add(
        "spec.idleReplicaCount",
        `idleReplicaCount ${idleReplicaCount}: KEDA supports only 0 (the HPA cannot hold another idle count)`,
        "set it to 0 or leave it out",
      );
    }
  }
  p.require(
    isWhole(pollingInterval, 1),
    "spec.pollingInterval",
    `${pollingInterval} must be a whole number of seconds ≥ 1`,
    "poll every 15–30 s",
  );
  p.require(isWhole(cooldownPeriod, 0), "spec.cooldownPeriod", `${cooldownPeriod} must be a whole number of seconds ≥ 0`, "use e.g. 300");
  if (initialCooldownPeriod !== undefined) {
    p.require(
      isWhole(initialCooldownPeriod, 0),
      "spec.initialCooldownPeriod",
      `${initialCooldownPeriod} must be a whole number of seconds ≥ 0`,
      "use a whole number or leave it out",
    );
  }
}

/** Trigger names are unique; returns each name's first index (what scalingModifiers formulas may name). */
function checkTriggerNames(triggers: readonly KedaTrigger[], p: Problems): Map<string, number> {
  const names = new Map<string, number>();
  triggers.forEach((t, i) => {
    if (t.name === undefined) return;
    const first = names.get(t.name);
    if (first !== undefined)
      p.add(
        `spec.triggers[${i}].name`,
        `trigger name "${t.name}" is also used by spec.triggers[${first}]`,
        "give every trigger its own name",
      );
    else names.set(t.name, i);
  });
  return names;
}

/** Scaling to zero (or idle) needs a trigger that is not cpu/memory. */
function checkScaleToZero(d: ScaledObjectSettings, p: Problems): void {
  const { minReplicaCount, idleReplicaCount, triggers } = d;
  if ((minReplicaCount === 0 || idleReplicaCount !== undefined) && triggers.length > 0 && triggers.every(isResource)) {
    p.add(
      idleReplicaCount !== undefined ? "spec.idleReplicaCount" : "spec.minReplicaCount",
      "scaling to zero needs a trigger that is not cpu/memory (no pod, no usage to measure)",
      "set minReplicaCount ≥ 1 or add an event trigger such as prometheus",
    );
  }
}

/** Fallback, by KEDA ≥ 2.18 rules. */
function checkFallback(d: ScaledObjectSettings, fallback: KedaFallback, target: ScaleTarget, p: Problems): void {
  const { minReplicaCount, maxReplicaCount, advanced, triggers } = d;
  p.require(
    isWhole(fallback.failureThreshold, 0),
    "spec.fallback.failureThreshold",
    `${fallback.failureThreshold} must be a whole number ≥ 0`,
    "use e.g. 3",
  );
  p.require(
    isWhole(fallback.replicas, 0),
    "spec.fallback.replicas",
    `${fallback.replicas} must be a whole number ≥ 0`,
    "use a whole number",
  );
  if (fallback.replicas < minReplicaCount || fallback.replicas > maxReplicaCount) {
    p.add(
      "spec.fallback.replicas",
      `fallback replicas ${fallback.replicas} are outside minReplicaCount ${minReplicaCount} … maxReplicaCount ${maxReplicaCount} (the HPA would clamp them)`,
      "hold a count between the bounds",
    );
  }
  if (triggers.every(isResource)) {
    p.add(
      "spec.fallback",
      "fallback needs at least one trigger that is not cpu/memory (KEDA computes it only for external metrics)",
      "add a prometheus (or other event) trigger or remove the fallback",
    );
  }
  // Unset is KEDA's default AverageValue: only an explicit Value is refused.
  if (advanced?.scalingModifiers?.metricType === "Value") {
    p.add(
      "spec.advanced.scalingModifiers.metricType",
      "fallback with scalingModifiers needs the composite metric to be AverageValue",
      "use metricType AverageValue or remove the fallback",
    );
  }
  const valueTrigger = triggers.findIndex((t) => !isResource(t) && metricTypeOf(t) === "Value");
  if (valueTrigger >= 0 && !READY_REPLICAS_KINDS.has(targetKind(target))) {
    p.add(
      `spec.triggers[${valueTrigger}].metricType`,
      `fallback on a Value trigger divides by status.readyReplicas, which a ${targetKind(target)} does not publish`,
      "scale a Deployment or StatefulSet, or use AverageValue",
    );
  }
}

/** scalingModifiers: a formula naming some trigger, a positive target, activation below it. */
function checkScalingModifiers(mods: ScalingModifiers, names: ReadonlyMap<string, number>, p: Problems): void {
  const at = "spec.advanced.scalingModifiers";
  p.require(mods.formula.trim() !== "", `${at}.formula`, "formula is empty", "combine trigger names, e.g. (queue + latency) / 2");
  const referenced = [...names.keys()].filter((n) =>
    new RegExp(`(^|[^A-Za-z0-9_-])${n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^A-Za-z0-9_-])`).test(mods.formula),
  );
  p.require(
    referenced.length > 0,
    `${at}.formula`,
    `formula "${mods.formula}" names no trigger (named: ${[...names.keys()].join(", ") || "none"})`,
    "name the triggers and use those names in the formula",
  );
  p.require(
    Number.isFinite(mods.target) && mods.target > 0,
    `${at}.target`,
    `${mods.target} must be greater than 0`,
    "give the composite metric's target",
  );
  const act = mods.activationTarget ?? 0;
  p.require(
    act >= 0 && act < mods.target,
    `${at}.activationTarget`,
    `activationTarget ${act} must be ≥ 0 and below target ${mods.target}`,
    "lower activationTarget",
  );
}

/** spec.advanced: only the fields set. */
function renderAdvanced(advanced: KedaAdvanced | undefined): NonNullable<IScaledObject["spec"]["advanced"]> & Record<string, unknown> {
  const hpaConfig = advanced?.horizontalPodAutoscalerConfig;
  const mods = advanced?.scalingModifiers;
  const advancedSpec: NonNullable<IScaledObject["spec"]["advanced"]> & Record<string, unknown> = {};
  if (advanced?.restoreToOriginalReplicaCount !== undefined)
    advancedSpec.restoreToOriginalReplicaCount = advanced.restoreToOriginalReplicaCount;
  if (hpaConfig && (hpaConfig.name !== undefined || hpaConfig.behavior)) {
    advancedSpec.horizontalPodAutoscalerConfig = {
      // Stryker disable next-line ConditionalExpression: always true renders the field as undefined, which cdk8s drops: same output as leaving it out
      ...(hpaConfig.name !== undefined ? { name: hpaConfig.name } : {}),
      ...(hpaConfig.behavior ? { behavior: renderBehavior(hpaConfig.behavior) } : {}),
    };
  }
  if (mods) {
    advancedSpec.scalingModifiers = {
      formula: mods.formula,
      target: formatNumber(mods.target),
      // Stryker disable next-line ConditionalExpression: always true renders the field as undefined, which cdk8s drops: same output as leaving it out
      ...(mods.activationTarget !== undefined ? { activationTarget: formatNumber(mods.activationTarget) } : {}),
      metricType: mods.metricType ?? "AverageValue",
    };
  }
  return advancedSpec;
}

/**
 * A KEDA ScaledObject. Refuses (with one line per problem, naming the field) what KEDA's webhook
 * or the HPA would refuse, and what would scale wrongly:
 * min ≤ max; idle < min (and 0); a ScaledObject name that leaves room for `keda-hpa-`; unique
 * trigger names; activation below threshold; cpu/memory triggers only on containers with
 * requests; no scale to zero on cpu/memory alone; fallback only with a trigger that is not
 * cpu/memory; `AverageValue` only on additive signals; Prometheus queries that parse and return
 * one series; credentials only through a TriggerAuthentication; one autoscaler per workload.
 */
export class KedaScaledObject extends Construct {
  readonly name: string;
  readonly namespace: string;
  /** `ScaledObject <namespace>/<name>`, as errors and findings name it. */
  readonly resource: string;
  /** Name of the HPA KEDA creates for it. */
  readonly hpaName: string;
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  readonly triggers: readonly KedaTrigger[];
  readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: KedaScaledObjectProps) {
    super(scope, id);
    const target = props.scaleTarget;
    const name = props.name ?? target.name;
    const namespace = target.namespace;
    const resource = `ScaledObject ${namespace}/${name}`;
    const p = new Problems();
    const d = withDefaults(props);
    const {
      pollingInterval,
      cooldownPeriod,
      initialCooldownPeriod,
      idleReplicaCount,
      minReplicaCount,
      maxReplicaCount,
      fallback,
      advanced,
      triggers,
    } = d;
    const hpaConfig = advanced?.horizontalPodAutoscalerConfig;

    checkNames(props, name, p);
    checkReplicasAndTiming(d, p);
    p.require(triggers.length > 0, "spec.triggers", "a ScaledObject needs at least one trigger", "add a trigger");
    const rendered = triggers.map((t, i) => renderTrigger(t, i, { target, namespace, maxReplicaCount }, p));
    const names = checkTriggerNames(triggers, p);
    checkScaleToZero(d, p);
    if (fallback) checkFallback(d, fallback, target, p);
    if (hpaConfig?.behavior) checkBehavior(hpaConfig.behavior, p, "spec.advanced.horizontalPodAutoscalerConfig.behavior");
    const mods = advanced?.scalingModifiers;
    if (mods) checkScalingModifiers(mods, names, p);

    // One autoscaler per workload: claim last, so a refused object never takes the replica count.
    if (p.count === 0) claimScaleTarget(this, target, `ScaledObject/${name}`, p, "spec.scaleTargetRef");
    p.throwIfAny(resource);

    this.name = name;
    this.namespace = namespace;
    this.resource = resource;
    this.hpaName = hpaConfig?.name ?? kedaHpaName(name);
    this.minReplicaCount = minReplicaCount;
    this.maxReplicaCount = maxReplicaCount;
    this.triggers = triggers;

    const advancedSpec = renderAdvanced(advanced);
    const body: IScaledObject & { spec: Record<string, unknown> } = {
      apiVersion: "keda.sh/v1alpha1",
      kind: "ScaledObject",
      metadata: { name, namespace, ...(props.labels ? { labels: { ...props.labels } } : {}) },
      spec: {
        scaleTargetRef: {
          apiVersion: targetApiVersion(target),
          kind: targetKind(target),
          name: target.name,
          // Stryker disable next-line ConditionalExpression: always true renders the field as undefined, which cdk8s drops: same output as leaving it out
          ...(props.envSourceContainerName !== undefined ? { envSourceContainerName: props.envSourceContainerName } : {}),
        },
        pollingInterval,
        cooldownPeriod,
        // Stryker disable next-line ConditionalExpression: always true renders the field as undefined, which cdk8s drops: same output as leaving it out
        ...(initialCooldownPeriod !== undefined ? { initialCooldownPeriod } : {}),
        // Stryker disable next-line ConditionalExpression: always true renders the field as undefined, which cdk8s drops: same output as leaving it out
        ...(idleReplicaCount !== undefined ? { idleReplicaCount } : {}),
        minReplicaCount,
        maxReplicaCount,
        ...(fallback
          ? {
              fallback: {
                failureThreshold: fallback.failureThreshold,
                replicas: fallback.replicas,
                ...(fallback.behavior ? { behavior: fallback.behavior } : {}),
              },
            }
          : {}),
        ...(Object.keys(advancedSpec).length ? { advanced: advancedSpec } : {}),
        triggers: rendered,
      },
    };
    this.apiObject = new ApiObject(this, "Resource", body);
  }
}
