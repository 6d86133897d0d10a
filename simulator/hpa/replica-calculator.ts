/**
 * Per-metric replica proposals: pkg/controller/podautoscaler/replica_calculator.go,
 * metrics/utilization.go and horizontal.go computeReplicasForMetric / computeStatusFor*Metric.
 *
 * All metric values, targets and requests are int64 milli-values (Quantity.MilliValue()). Integer
 * arithmetic is done on JS numbers while it is exact (|x| <= 2^53-1) and on BigInt otherwise, so the
 * results equal the controller's int64 / big.Int arithmetic.
 */

import { InvariantError } from "../../problems/problem.js";
import { isWithin, MAX_INT32, MIN_INT32, type Tolerances } from "./behavior.js";
import { parseResourceQuantity, type ParsedQuantity } from "./quantity.js";
import type {
  MetricEvaluation,
  MetricStatus,
  MetricValueStatus,
  MetricObservation,
  MetricSpec,
  MetricTarget,
  PodObservation,
  ResolvedControllerConfig,
} from "./types.js";

export class HpaCaseError extends InvariantError {
  constructor(message: string) {
    super(message, "correct the case as the autoscaling/v2 API and simulator/hpa/types.ts describe it", "HPA_CASE_INVALID");
  }
}

export interface MetricContext {
  /** scale.spec.replicas */
  specReplicas: number;
  /** scale.status.replicas */
  statusReplicas: number;
  tolerances: Tolerances;
  controller: ResolvedControllerConfig;
  /** case-level pod list (ready-pod count for Object/External Value targets) */
  sharedPods: readonly PodObservation[] | null;
}

interface Proposal {
  replicas: number;
  error: string | null;
  detail: string;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * The current value of the metric being evaluated, as computeStatusFor*Metric puts it into
 * status.currentMetrics (milli-values; set by the calculators, read by computeReplicasForMetric).
 */
let currentStatus: { averageUtilization?: number; averageValue?: Int; value?: Int } | null = null;
const INT64_MAX = (1n << 63n) - 1n;
/** Default age of a pod's start time when startedSecondsAgo is absent ("long ago"). */
export const DEFAULT_STARTED_SECONDS_AGO = 1e9;

// ------------------------------------------------------------------ exact integer helpers

type Int = number | bigint;

/** Sum of int64 values, exact: number while it stays a safe integer, then BigInt. */
class IntSum {
  n = 0;
  big: bigint | null = null;
  addQ(q: ParsedQuantity): void {
    if (this.big !== null) {
      this.big += q.milliExact;
    } else if (!q.safe) {
      this.big = BigInt(this.n) + q.milliExact;
    } else {
      this.addN(q.milli);
    }
  }
  /** x must be a safe integer */
  addN(x: number): void {
    if (this.big !== null) {
      this.big += BigInt(x);
      return;
    }
    const s = this.n + x;
    if (s > MAX_SAFE || s < -MAX_SAFE) this.big = BigInt(this.n) + BigInt(x);
    else this.n = s;
  }
  addB(x: bigint): void {
    if (this.big === null) this.big = BigInt(this.n);
    this.big += x;
  }
  copyFrom(o: IntSum): void {
    this.n = o.n;
    this.big = o.big;
  }
  get value(): Int {
    return this.big === null ? this.n : this.big;
  }
}

/** Go int64 division (truncated toward zero) of exact integers. */
function divTrunc(a: Int, b: Int): Int {
  // Stryker disable next-line StringLiteral,BlockStatement: leaving the number path sends safe integers down the BigInt path, which returns the same quotient (as a number when safe)
  if (typeof a === "number" && typeof b === "number") {
    let q = Math.trunc(a / b);
    const r = a - q * b;
    // |a| <= 2^53-1 and |b| >= 1: q*b is exact enough for the sign/size test below
    // Stryker disable next-line BlockStatement: the correction below never applies (next lines), so skipping it changes nothing
    if (r !== 0) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator,UnaryOperator: s is read only by the two corrections below, which never apply: for |a| <= 2^53 - 1 the correctly rounded a / b truncates to the exact quotient, so r has the sign of a and |r| < |b|
      const s = a < 0 !== b < 0 ? -1 : 1;
      // Stryker disable next-line AssignmentOperator: never reached (see s above)
      if (r < 0 !== a < 0) q -= s;
      // Stryker disable next-line AssignmentOperator: never reached (see s above)
      else if (Math.abs(r) >= Math.abs(b)) q += s;
    }
    return q;
  }
  const q = BigInt(a) / BigInt(b);
  return Number.isSafeInteger(Number(q)) ? Number(q) : q;
}

function isZero(x: Int): boolean {
  return typeof x === "number" ? x === 0 : x === 0n;
}

/** float64(int64) */
function toFloat(x: Int): number {
  // Stryker disable next-line StringLiteral: Number(x) of a number is x
  return typeof x === "number" ? x : Number(x);
}

/** req * fallback / 100 (int64, truncated) */
function scaledRequest(q: ParsedQuantity, fallbackUtilization: number): Int {
  // Stryker disable next-line ConditionalExpression,BlockStatement: an unsafe q makes p = milli * fallback (>= 100) unsafe too, so either way an unsafe product takes the BigInt line below, which also gives a safe product exactly
  if (q.safe) {
    const p = q.milli * fallbackUtilization;
    if (Number.isSafeInteger(p)) return divTrunc(p, 100);
  }
  return (q.milliExact * BigInt(fallbackUtilization)) / 100n;
}

/** int32(math.Ceil(x)) - out-of-range values are clamped to the int32 range (Go leaves them undefined). */
function ceilInt32(x: number): number {
  if (Number.isNaN(x)) return 0;
  const c = Math.ceil(x);
  if (c > MAX_INT32) return MAX_INT32;
  if (c < MIN_INT32) return MIN_INT32;
  return c === 0 ? 0 : c; // no -0
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

// ------------------------------------------------------------------ pod grouping

const READY = 0;
const UNREADY = 1;
const MISSING = 2;
const IGNORED = 3;

// Scratch buffers reused across calls (hpaStep is synchronous and not re-entrant).
let stateBuf = new Uint8Array(64);
const valueBuf: (ParsedQuantity | null)[] = [];
const requestBuf: (ParsedQuantity | null)[] = [];

function ensureCapacity(n: number): void {
  // Stryker disable next-line ArithmeticOperator: the buffer grows only when n exceeds its length, so max(n, length / 2) is n: large enough, only sooner regrown
  if (stateBuf.length < n) stateBuf = new Uint8Array(Math.max(n, stateBuf.length * 2));
  // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: valueBuf and requestBuf are plain arrays that grow on assignment; pre-sizing (or truncating) them changes no element read
  if (valueBuf.length < n) {
    valueBuf.length = n;
    requestBuf.length = n;
  }
}

interface Groups {
  ready: number;
  unready: number;
  missing: number;
  ignored: number;
}

function podName(p: PodObservation, i: number): string {
  return p.name ?? `pods[${i}]`;
}

function parsePodQuantity(v: unknown, what: string, p: PodObservation, i: number): ParsedQuantity {
  try {
    return parseResourceQuantity(v as string | number);
  } catch (e) {
    throw new HpaCaseError(`pod ${podName(p, i)}: ${what}: ${(e as Error).message}`);
  }
}

/**
 * The CPU-only readiness rules of groupPods for a pod with a sample: no PodReady condition or
 * start time → unready; while initializing (started < cpuInitializationPeriod) the sample is ignored
 * if the pod is not ready or one full metric window was not collected since the last readiness
 * transition; afterwards only if the pod is unready and has never been ready.
 */
function cpuSampleUnready(p: PodObservation, ctrl: ResolvedControllerConfig): boolean {
  const cond = p.ready === undefined ? true : p.ready; // null: no PodReady condition
  const started = p.startedSecondsAgo === undefined ? DEFAULT_STARTED_SECONDS_AGO : p.startedSecondsAgo;
  if (cond === null || started === null) return true;
  const changed = p.readyChangedSecondsAgo ?? started;
  if (started < ctrl.cpuInitializationPeriodSeconds) {
    const sampleAgo = p.sampleSecondsAgo ?? 0;
    const window = p.sampleWindowSeconds ?? ctrl.metricWindowSeconds;
    return cond === false || sampleAgo > changed - window;
  }
  return cond === false && changed > started - ctrl.initialReadinessDelaySeconds;
}

/**
 * groupPods: classifies each pod (into stateBuf) and parses its sample (into valueBuf).
 *   deleting or phase Failed/Succeeded  -> ignored
 *   phase Pending                       -> unready
 *   no sample                           -> missing
 *   CPU only: PodReady/startTime rules  -> unready
 *   otherwise                           -> ready
 */
function groupPods(pods: readonly PodObservation[], isCpu: boolean, ctrl: ResolvedControllerConfig): Groups {
  const g: Groups = { ready: 0, unready: 0, missing: 0, ignored: 0 };
  ensureCapacity(pods.length);
  for (let i = 0; i < pods.length; i++) {
    const p = pods[i]!;
    // Stryker disable next-line StringLiteral: a phase of "" is read like "Running" (neither terminal nor Pending)
    const phase = p.phase ?? "Running";
    let state: number;
    valueBuf[i] = null;
    // terminal pods are ignored: Failed (v1.34.4 groupPods) and Succeeded (kubernetes#141302, merged
    // upstream after v1.34.4, which still counts a Succeeded pod as missing)
    if (p.deleting === true || phase === "Failed" || phase === "Succeeded") {
      state = IGNORED;
    } else if (phase === "Pending") {
      state = UNREADY;
    } else if (p.value == null) {
      state = MISSING;
    } else {
      valueBuf[i] = parsePodQuantity(p.value, "value", p, i);
      state = isCpu && cpuSampleUnready(p, ctrl) ? UNREADY : READY;
    }
    stateBuf[i] = state;
    if (state === READY) g.ready++;
    else if (state === UNREADY) g.unready++;
    else if (state === MISSING) g.missing++;
    else g.ignored++;
  }
  return g;
}

function groupsText(g: Groups): string {
  const parts = [`${g.ready} ready`];
  if (g.missing > 0) parts.push(`${g.missing} missing`);
  if (g.unready > 0) parts.push(`${g.unready} unready`);
  if (g.ignored > 0) parts.push(`${g.ignored} ignored`);
  return parts.join(", ");
}

// ------------------------------------------------------------------ Resource / ContainerResource, Utilization

/** metrics.GetResourceUtilizationRatio's integer part: int32(metricsTotal*100/requestsTotal) */
function utilizationPercent(metricsTotal: Int, requestsTotal: Int): number | string {
  if (isZero(requestsTotal)) return "no metrics returned matched known pods";
  let pct: Int;
  // Stryker disable next-line StringLiteral: the BigInt path gives the same percent for a number total
  if (typeof metricsTotal === "number" && Number.isSafeInteger(metricsTotal * 100)) {
    pct = divTrunc(metricsTotal * 100, requestsTotal);
  } else {
    pct = (BigInt(metricsTotal) * 100n) / BigInt(requestsTotal);
  }
  const v = toFloat(pct);
  if (v > MAX_INT32 || v < MIN_INT32) return `resource utilization ${String(pct)} is outside the int32 range`;
  return v;
}

/** ReplicaCalculator.GetResourceReplicas */
function getResourceReplicas(
  pods: readonly PodObservation[],
  targetUtilization: number,
  resourceName: string,
  ctx: MetricContext,
): Proposal {
  const current = ctx.specReplicas;
  if (pods.length === 0) return fail("no pods returned by selector while calculating replica count");
  const g = groupPods(pods, resourceName === "cpu", ctx.controller);
  if (g.ready === 0) return fail(`did not receive metrics for targeted pods (pods might be unready) [${groupsText(g)}]`);

  // calculateRequests: every pod of the selector needs a request for the resource
  for (let i = 0; i < pods.length; i++) {
    const p = pods[i]!;
    if (p.request == null) return fail(`missing request for ${resourceName} in pod ${podName(p, i)}`);
    requestBuf[i] = parsePodQuantity(p.request, "request", p, i);
  }

  const sumM = new IntSum();
  const sumR = new IntSum();
  for (let i = 0; i < pods.length; i++) {
    if (stateBuf[i] !== READY) continue;
    sumM.addQ(valueBuf[i]!);
    sumR.addQ(requestBuf[i]!);
  }
  const util = utilizationPercent(sumM.value, sumR.value);
  if (typeof util === "string") return fail(util);
  // GetResourceUtilizationRatio: currentUtilization and rawAverageValue = metricsTotal / ready pods
  currentStatus = { averageUtilization: util, averageValue: divTrunc(sumM.value, g.ready) };
  const usageRatio = util / targetUtilization;
  const head = `${resourceName} utilization ${util}% of request vs target ${targetUtilization}% (ratio ${fmt(usageRatio)}; pods: ${groupsText(g)})`;

  const scaleUpWithUnready = g.unready > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && g.missing === 0) {
    if (isWithin(ctx.tolerances, usageRatio)) return ok(current, `${head}; within tolerance -> ${current}`);
    const r = ceilInt32(usageRatio * g.ready);
    return ok(r, `${head}; ceil(${fmt(usageRatio)} * ${g.ready}) = ${r}`);
  }

  // fill in the missing / unready pods conservatively and recompute
  const sumM2 = new IntSum();
  const sumR2 = new IntSum();
  sumM2.copyFrom(sumM);
  sumR2.copyFrom(sumR);
  let count = g.ready;
  const notes: string[] = [];
  if (g.missing > 0) {
    if (usageRatio < 1.0) {
      // scale-down: missing pods use 100% of their request (or the target if the target is above 100%)
      const fallback = Math.max(100, targetUtilization);
      for (let i = 0; i < pods.length; i++) {
        if (stateBuf[i] !== MISSING) continue;
        const req = requestBuf[i]!;
        const v = scaledRequest(req, fallback);
        if (typeof v === "number") sumM2.addN(v);
        else sumM2.addB(v);
        sumR2.addQ(req);
        count++;
      }
      notes.push(`missing pods counted at ${fallback}% of request`);
    } else if (usageRatio > 1.0) {
      // scale-up: missing pods use 0%
      for (let i = 0; i < pods.length; i++) {
        if (stateBuf[i] !== MISSING) continue;
        sumR2.addQ(requestBuf[i]!);
        count++;
      }
      notes.push("missing pods counted at 0%");
    }
  }
  if (scaleUpWithUnready) {
    // scale-up: unready pods use 0%
    for (let i = 0; i < pods.length; i++) {
      if (stateBuf[i] !== UNREADY) continue;
      sumR2.addQ(requestBuf[i]!);
      count++;
    }
    notes.push("unready pods counted at 0%");
  }
  const newUtil = utilizationPercent(sumM2.value, sumR2.value);
  // Stryker disable next-line StringLiteral: unreachable: the recomputed utilization averages the ready pods' (checked above) with fill-ins at 0 % or at max(100, target) % <= int32, and the requests already summed to non-zero
  if (typeof newUtil === "string") return fail(newUtil);
  const newUsageRatio = newUtil / targetUtilization;
  const head2 = `${head}; ${notes.join(", ")}: ${newUtil}% (ratio ${fmt(newUsageRatio)}) over ${count} pods`;
  return afterRecompute(ctx, usageRatio, newUsageRatio, count, current, head2);
}

// ------------------------------------------------------------------ plain (average value) metrics

/** ReplicaCalculator.calcPlainMetricReplicas (Resource AverageValue via GetRawResourceReplicas, Pods via GetMetricReplicas) */
function calcPlainMetricReplicas(
  pods: readonly PodObservation[],
  target: ParsedQuantity,
  resourceName: string,
  what: string,
  ctx: MetricContext,
): Proposal {
  const current = ctx.specReplicas;
  if (pods.length === 0) return fail("no pods returned by selector while calculating replica count");
  const g = groupPods(pods, resourceName === "cpu", ctx.controller);
  if (g.ready === 0) return fail(`did not receive metrics for targeted pods (pods might be unready) [${groupsText(g)}]`);

  const sum = new IntSum();
  for (let i = 0; i < pods.length; i++) if (stateBuf[i] === READY) sum.addQ(valueBuf[i]!);
  const targetF = toFloat(target.safe ? target.milli : target.milliExact);
  const usage = divTrunc(sum.value, g.ready);
  currentStatus = { averageValue: usage };
  const usageRatio = toFloat(usage) / targetF;
  const head = `${what} average ${String(usage)}m vs target ${target.text} = ${String(target.safe ? target.milli : target.milliExact)}m (ratio ${fmt(usageRatio)}; pods: ${groupsText(g)})`;

  const scaleUpWithUnready = g.unready > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && g.missing === 0) {
    if (isWithin(ctx.tolerances, usageRatio)) return ok(current, `${head}; within tolerance -> ${current}`);
    const r = ceilInt32(usageRatio * g.ready);
    return ok(r, `${head}; ceil(${fmt(usageRatio)} * ${g.ready}) = ${r}`);
  }

  const sum2 = new IntSum();
  sum2.copyFrom(sum);
  let count = g.ready;
  const notes: string[] = [];
  if (g.missing > 0) {
    if (usageRatio < 1.0) {
      // scale-down: missing pods use exactly the target
      for (let i = 0; i < g.missing; i++) sum2.addQ(target);
      count += g.missing;
      notes.push("missing pods counted at the target");
    } else if (usageRatio > 1.0) {
      count += g.missing;
      notes.push("missing pods counted at 0");
    }
  }
  if (scaleUpWithUnready) {
    count += g.unready;
    notes.push("unready pods counted at 0");
  }
  const newUsage = divTrunc(sum2.value, count);
  const newUsageRatio = toFloat(newUsage) / targetF;
  const head2 = `${head}; ${notes.join(", ")}: average ${String(newUsage)}m (ratio ${fmt(newUsageRatio)}) over ${count} pods`;
  return afterRecompute(ctx, usageRatio, newUsageRatio, count, current, head2);
}

// ------------------------------------------------------------------ Object / External

/** getReadyPodsCount: pods with phase Running and PodReady=True. null = "no pods returned by selector". */
function readyPodCount(obs: MetricObservation, ctx: MetricContext): number | null {
  if ("readyPods" in obs && typeof obs.readyPods === "number") return obs.readyPods;
  // Stryker disable next-line LogicalOperator: with "pods" in obs but no array, obs.pods is null or undefined, which `??` reads as null
  const pods = ("pods" in obs && Array.isArray(obs.pods) ? obs.pods : null) ?? ctx.sharedPods;
  if (pods === null) throw new HpaCaseError("a Value target needs the ready pod count: give readyPods or pods");
  if (pods.length === 0) return null;
  let n = 0;
  for (let i = 0; i < pods.length; i++) {
    const p = pods[i]!;
    if ((p.phase ?? "Running") === "Running" && (p.ready === undefined || p.ready === true)) n++;
  }
  return n;
}

/** getUsageRatioReplicaCount (Object Value / External Value): ratio * ready pods, or ceil(ratio) from zero. */
function getUsageRatioReplicaCount(usageRatio: number, head: string, obs: MetricObservation, ctx: MetricContext): Proposal {
  const current = ctx.specReplicas;
  if (current !== 0) {
    if (isWithin(ctx.tolerances, usageRatio)) return ok(current, `${head}; within tolerance -> ${current}`);
    const ready = readyPodCount(obs, ctx);
    if (ready === null) return fail("unable to calculate ready pods: no pods returned by selector while calculating replica count");
    const f = usageRatio * ready;
    const r = f > MAX_INT32 ? MAX_INT32 : ceilInt32(f);
    return ok(r, `${head}; ceil(${fmt(usageRatio)} * ${ready} ready pods) = ${r}`);
  }
  // scale from zero: no tolerance, no pod count
  const r = ceilInt32(usageRatio);
  return ok(r, `${head}; current replicas 0: ceil(${fmt(usageRatio)}) = ${r}`);
}

function quantityOf(v: unknown, what: string): ParsedQuantity {
  try {
    return parseResourceQuantity(v as string | number);
  } catch (e) {
    throw new HpaCaseError(`${what}: ${(e as Error).message}`);
  }
}

function objectValue(obs: MetricObservation): ParsedQuantity {
  if (!("value" in obs) || obs.value == null) throw new HpaCaseError("Object metric observation needs a value");
  return quantityOf(obs.value, "observation value");
}

/** Sum of the external series, as GetExternalMetricReplicas (perPod=false) or GetExternalPerPodMetricReplicas (perPod=true). */
function externalUsage(obs: MetricObservation, perPod: boolean): bigint {
  let vals: readonly (string | number)[];
  if ("values" in obs && Array.isArray(obs.values)) vals = obs.values;
  else if ("value" in obs && obs.value != null) vals = [obs.value];
  else throw new HpaCaseError("External metric observation needs value or values");
  let usage = 0n;
  for (let i = 0; i < vals.length; i++) {
    const val = quantityOf(vals[i], "observation value").milliExact;
    if (perPod) {
      usage += val;
      if (usage < 0n) {
        // the controller treats a negative running sum as an int64 overflow
        usage = INT64_MAX;
        break;
      }
    } else {
      if (val > 0n && usage > INT64_MAX - val) {
        usage = INT64_MAX;
        break;
      }
      usage += val;
    }
  }
  return usage;
}

/** GetObjectPerPodMetricReplicas / GetExternalPerPodMetricReplicas */
function perPodReplicas(usage: Int, target: ParsedQuantity, capInt32: boolean, head: string, ctx: MetricContext): Proposal {
  const status = ctx.statusReplicas;
  const usageF = toFloat(usage);
  const targetF = toFloat(target.safe ? target.milli : target.milliExact);
  // GetObjectPerPodMetricReplicas / GetExternalPerPodMetricReplicas report ceil(usage / statusReplicas)
  currentStatus = { averageValue: Math.ceil(usageF / status) };
  const usageRatio = usageF / (targetF * status);
  const h = `${head} (ratio ${fmt(usageRatio)} over ${status} status replicas)`;
  if (isWithin(ctx.tolerances, usageRatio)) return ok(status, `${h}; within tolerance -> status replicas ${status}`);
  const f = Math.ceil(usageF / targetF);
  const r = capInt32 && f > MAX_INT32 ? MAX_INT32 : ceilInt32(f);
  return ok(r, `${h}; ceil(${fmt(usageF)} / ${fmt(targetF)}) = ${r}`);
}

/**
 * The end of the controller's recompute with missing/unready pods filled in: keep the current
 * count when the new ratio is within tolerance or flips the direction, or when the rounded
 * proposal would move against it; otherwise the new proposal.
 */
function afterRecompute(
  ctx: MetricContext,
  usageRatio: number,
  newUsageRatio: number,
  count: number,
  current: number,
  head: string,
): Proposal {
  if (isWithin(ctx.tolerances, newUsageRatio) || (usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0)) {
    return ok(current, `${head}; within tolerance or direction reversed -> ${current}`);
  }
  const newReplicas = ceilInt32(newUsageRatio * count);
  if ((newUsageRatio < 1.0 && newReplicas > current) || (newUsageRatio > 1.0 && newReplicas < current)) {
    return ok(current, `${head}; ceil(${fmt(newUsageRatio)} * ${count}) = ${newReplicas} reverses direction -> ${current}`);
  }
  return ok(newReplicas, `${head}; ceil(${fmt(newUsageRatio)} * ${count}) = ${newReplicas}`);
}

function ok(replicas: number, detail: string): Proposal {
  return { replicas, error: null, detail };
}

function fail(error: string): Proposal {
  return { replicas: 0, error, detail: error };
}

// ------------------------------------------------------------------ dispatcher

export function metricLabel(spec: MetricSpec): string {
  switch (spec.type) {
    case "Resource":
      return `Resource ${spec.resource.name}`;
    case "ContainerResource":
      return `ContainerResource ${spec.containerResource.name}/${spec.containerResource.container}`;
    case "Pods":
      return `Pods ${spec.pods.metric.name}`;
    case "Object": {
      const o = spec.object.describedObject;
      return `Object ${o ? `${o.kind}/${o.name} ` : ""}${spec.object.metric.name}`;
    }
    case "External":
      return `External ${spec.external.metric.name}`;
    default:
      return `unknown ${(spec as { type: string }).type}`;
  }
}

function targetQuantity(v: MetricTarget["value"], what: string): ParsedQuantity {
  return quantityOf(v, what);
}

function podsOf(obs: MetricObservation): readonly PodObservation[] {
  if ("pods" in obs && Array.isArray(obs.pods)) return obs.pods;
  throw new HpaCaseError("observation needs a pods array for this metric type");
}

function resourceLike(target: MetricTarget, resourceName: string, obs: MetricObservation, ctx: MetricContext): Proposal {
  // computeStatusForResourceMetricGeneric: averageValue first, then averageUtilization
  if (target.averageValue != null) {
    const t = targetQuantity(target.averageValue, "target.averageValue");
    return calcPlainMetricReplicas(podsOf(obs), t, resourceName, `${resourceName} usage`, ctx);
  }
  if (target.averageUtilization == null) {
    return fail("invalid resource metric source: neither an average utilization target nor an average value (usage) target was set");
  }
  return getResourceReplicas(podsOf(obs), target.averageUtilization, resourceName, ctx);
}

/** computeReplicasForMetric: the proposal of one metric. */
export function computeReplicasForMetric(index: number, spec: MetricSpec, obs: MetricObservation, ctx: MetricContext): MetricEvaluation {
  const label = metricLabel(spec);
  let p: Proposal;
  currentStatus = null;
  if (obs != null && typeof obs === "object" && "error" in obs && obs.error != null) {
    p = fail(`unable to fetch metrics: ${String(obs.error)}`);
  } else {
    switch (spec.type) {
      case "Resource":
        p = resourceLike(spec.resource.target, spec.resource.name, obs, ctx);
        break;
      case "ContainerResource":
        p = resourceLike(spec.containerResource.target, spec.containerResource.name, obs, ctx);
        break;
      case "Pods": {
        const t = spec.pods.target;
        if (t.averageValue == null) {
          p = fail("invalid pods metric source: no average value target was set");
        } else {
          const tq = targetQuantity(t.averageValue, "target.averageValue");
          p = calcPlainMetricReplicas(podsOf(obs), tq, "", `${spec.pods.metric.name}`, ctx);
        }
        break;
      }
      case "Object": {
        const t = spec.object.target;
        if (t.type === "Value" && t.value != null) {
          const tq = targetQuantity(t.value, "target.value");
          const usage = objectValue(obs);
          currentStatus = { value: usage.safe ? usage.milli : usage.milliExact };
          const ratio = toFloat(usage.safe ? usage.milli : usage.milliExact) / toFloat(tq.safe ? tq.milli : tq.milliExact);
          p = getUsageRatioReplicaCount(ratio, `value ${usage.text} vs target value ${tq.text} (ratio ${fmt(ratio)})`, obs, ctx);
        } else if (t.type === "AverageValue" && t.averageValue != null) {
          const tq = targetQuantity(t.averageValue, "target.averageValue");
          const usage = objectValue(obs);
          p = perPodReplicas(
            usage.safe ? usage.milli : usage.milliExact,
            tq,
            // Stryker disable next-line BooleanLiteral: the int32 cap and ceilInt32 clamp alike
            false,
            `value ${usage.text} vs target averageValue ${tq.text}`,
            ctx,
          );
        } else {
          p = fail("invalid object metric source: neither a value target nor an average value target was set");
        }
        break;
      }
      case "External": {
        const t = spec.external.target;
        if (t.averageValue != null) {
          const tq = targetQuantity(t.averageValue, "target.averageValue");
          const usage = externalUsage(obs, true);
          const u: Int = usage <= BigInt(MAX_SAFE) ? Number(usage) : usage;
          // Stryker disable next-line BooleanLiteral: the int32 cap and ceilInt32 clamp alike
          p = perPodReplicas(u, tq, true, `sum ${String(u)}m vs target averageValue ${tq.text}`, ctx);
        } else if (t.value != null) {
          const tq = targetQuantity(t.value, "target.value");
          const usage = externalUsage(obs, false);
          // Stryker disable next-line ConditionalExpression,EqualityOperator: the status value is read through toFloat: Number(usage) and usage give the same float
          currentStatus = { value: usage <= BigInt(MAX_SAFE) ? Number(usage) : usage };
          const ratio = Number(usage) / toFloat(tq.safe ? tq.milli : tq.milliExact);
          p = getUsageRatioReplicaCount(ratio, `sum ${String(usage)}m vs target value ${tq.text} (ratio ${fmt(ratio)})`, obs, ctx);
        } else {
          p = fail("invalid external metric source: neither a value target nor an average value target was set");
        }
        break;
      }
      default:
        p = fail(`unknown metric source type "${(spec as { type: string }).type}"`);
    }
  }
  return {
    index,
    type: spec.type,
    label,
    proposal: p.error === null ? p.replicas : null,
    error: p.error,
    detail: p.detail,
    status: p.error === null && currentStatus !== null ? metricStatus(spec, currentStatus) : { type: "" },
  };
}

/** milli-value -> number in the metric's unit (what kubectl prints as a quantity, as a number). */
function fromMilli(v: Int): number {
  return toFloat(v) / 1000;
}

/**
 * The entry of status.currentMetrics that computeStatusFor*Metric (horizontal.go) writes, with the
 * quantities as numbers (the milli-value / 1000). A metric that could not be computed leaves the
 * controller's empty MetricStatus: {"type": ""}.
 */
function metricStatus(spec: MetricSpec, c: NonNullable<typeof currentStatus>): MetricStatus {
  const cur: MetricValueStatus = {};
  if (c.averageUtilization !== undefined) cur.averageUtilization = c.averageUtilization;
  if (c.averageValue !== undefined) cur.averageValue = fromMilli(c.averageValue);
  if (c.value !== undefined) cur.value = fromMilli(c.value);
  switch (spec.type) {
    case "Resource":
      return { type: "Resource", resource: { name: spec.resource.name, current: cur } };
    case "ContainerResource":
      return {
        type: "ContainerResource",
        containerResource: { name: spec.containerResource.name, container: spec.containerResource.container, current: cur },
      };
    case "Pods":
      return { type: "Pods", pods: { metric: spec.pods.metric, current: cur } };
    case "Object":
      return { type: "Object", object: { describedObject: spec.object.describedObject, metric: spec.object.metric, current: cur } };
    case "External":
      return { type: "External", external: { metric: spec.external.metric, current: cur } };
    // Stryker disable next-line ConditionalExpression: unreachable (below)
    default:
      // Stryker disable next-line ObjectLiteral,StringLiteral: unreachable: metricStatus is called only for a computed metric, of one of the five types above
      return { type: "" };
  }
}
