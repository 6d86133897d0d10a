/**
 * The inference pod as the env's `simulation` section describes it, shared by synth's checks
 * (stacks/checks: LATENCY_TARGET_UNREACHABLE) and the simulator (simulator/service-model.ts):
 * the slots and service time the pod really runs with, and the service time's own quantiles (an
 * idle pod's latency: nobody waits).
 *
 * With a CPU limit, a pod whose slots would together need more CPU than the limit
 * (slots × cpuSecondsPerRequest / serviceTime > limit) is throttled: it serves at most
 * limit / cpuSecondsPerRequest requests/s, modelled as round(limit × serviceTime /
 * cpuSecondsPerRequest) slots (at least 1) with the service time stretched so the capacity is
 * exactly the CPU bound. Service times are gamma distributed with mean serviceTimeSeconds and CV
 * serviceTimeCv (deterministic when the CV is 0).
 */
import { parseQuantity } from "../kube/quantity.js";
import type { EnvConfig } from "./config.js";

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; ~15 significant digits). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let s = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) s += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** ln P(a, x), the log of the regularized lower incomplete gamma function (a > 0, x ≥ 0). */
export function logLowerRegularizedGamma(a: number, x: number): number {
  if (x <= 0) return -Infinity;
  const lead = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    // series: P = e^{-x} x^a / Γ(a+1) · Σ x^n / ((a+1)…(a+n))
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let n = 0; n < 100000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-16) break;
    }
    return lead + Math.log(sum);
  }
  // continued fraction for Q = 1 - P (modified Lentz)
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  const q = Math.exp(lead) * h;
  return Math.log1p(-Math.min(q, 1));
}

/** P(a, x): the gamma(a, 1) CDF at x. */
export function lowerRegularizedGamma(a: number, x: number): number {
  return Math.exp(logLowerRegularizedGamma(a, x));
}

/** The slots and mean service time one pod runs with (CPU-limit-adjusted). */
export interface SimulatedServiceTime {
  /** Slots the tuning configures: predictMaxConcurrency × uvicornWorkers. */
  readonly configuredSlots: number;
  /** Slots that serve in parallel. */
  readonly servers: number;
  /** Mean service time, seconds (stretched when the CPU limit bounds the pod). */
  readonly serviceTimeSeconds: number;
  /** True when the CPU limit, not the slots, bounds the capacity. */
  readonly cpuBound: boolean;
  /** resources.limits.cpu, cores (undefined: no limit). */
  readonly cpuLimitCores: number | undefined;
}

export function simulatedServiceTime(config: EnvConfig): SimulatedServiceTime {
  const sim = config.simulation;
  const slots = config.service.tuning.predictMaxConcurrency * config.service.tuning.uvicornWorkers;
  const s = sim.serviceTimeSeconds;
  const limit = config.service.resources.limits?.cpu;
  const cpuLimitCores = limit === undefined ? undefined : parseQuantity(limit);
  let servers = slots;
  let serviceTime = s;
  let cpuBound = false;
  if (cpuLimitCores !== undefined && sim.cpuSecondsPerRequest > 0) {
    const cpuCapacity = cpuLimitCores / sim.cpuSecondsPerRequest;
    if (cpuCapacity < slots / s) {
      cpuBound = true;
      servers = Math.max(1, Math.min(slots, Math.round(cpuCapacity * s)));
      serviceTime = servers / cpuCapacity;
    }
  }
  return { configuredSlots: slots, servers, serviceTimeSeconds: serviceTime, cpuBound, cpuLimitCores };
}

/** The q-quantile of a gamma service time with mean `meanSeconds` and CV `cv` (0 < q < 1). */
export function serviceTimeQuantile(meanSeconds: number, cv: number, q: number): number {
  if (cv === 0) return meanSeconds;
  const alpha = 1 / (cv * cv);
  const cdf = (t: number) => lowerRegularizedGamma(alpha, (alpha / meanSeconds) * t);
  let lo = 0;
  let hi = meanSeconds;
  while (cdf(hi) < q) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (cdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
