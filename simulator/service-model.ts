/**
 * The queueing model of one inference pod, and what the environment's config says about it.
 *
 * Model (stated in docs/simulator.md and every report):
 *  - kube-proxy spreads requests at random over the ready endpoints, and a random split of a
 *    Poisson stream is Poisson: each ready pod is an independent M/G/c queue with arrival rate
 *    λ/N, c = predictMaxConcurrency × uvicornWorkers request slots, service time with mean
 *    serviceTimeSeconds and coefficient of variation serviceTimeCv (a gamma distribution;
 *    deterministic when cv = 0).
 *  - The probability that a request waits is Erlang C; the mean wait is Allen–Cunneen's M/G/c
 *    approximation Wq ≈ C(c, a) / (cμ − λ) × (1 + cv²) / 2 (exact for M/M/c and, via
 *    Pollaczek–Khinchine, for M/G/1). A waiting request waits an exponential time with that mean
 *    (exact for M/M/c), so the response time is wait + service and its distribution is
 *    F_T(t) = F_S(t) − C · ∫₀ᵗ f_S(s) e^{−θ(t−s)} ds, θ = (cμ − λ) / k, k = (1 + cv²) / 2 —
 *    exactly the textbook M/M/c response-time distribution when cv = 1.
 *  - Stationary formulas describe a pool in equilibrium. Over time the pod's mean number of
 *    requests x follows the pointwise stationary fluid flow approximation (see ServiceTable):
 *    dx/dt = arrivals − service, so queues build up during overload and drain in recovery
 *    instead of jumping to the long-run state. Above ρ_cap = 0.99 the pool is saturated: the
 *    excess x − L(ρ_cap) is a fluid backlog B that drains at capacity, and a request arriving now
 *    waits B / capacity on top of the saturated pool's response time. p95 = quantile of that
 *    shifted distribution.
 *
 * Why: it is closed-form (24 h at 1 s resolution must run in well under a second), it is exact
 * where textbooks give exact answers (M/M/1, M/M/c, M/G/1 means), and the fluid part covers the
 * overload a spike causes, which no stationary formula describes.
 */
import type { EnvConfig } from "../stacks/config.js";
import { parseQuantity } from "../kube/quantity.js";
import { lnGamma, logLowerRegularizedGamma, lowerRegularizedGamma, simulatedServiceTime } from "../stacks/service-time.js";

/** Parameters of one pod as a queue. */
export interface PodServiceParams {
  /** Request slots that serve in parallel (c). */
  readonly servers: number;
  /** Mean service time of one request, seconds (1/μ). */
  readonly serviceTimeSeconds: number;
  /** Coefficient of variation of the service time (0 = deterministic, 1 = exponential). */
  readonly serviceTimeCv: number;
}

// ------------------------------------------------------------------ special functions

// ln Γ and the regularized incomplete gamma live with the env's pod model (stacks/service-time.ts),
// which synth's checks read too
export { lnGamma, logLowerRegularizedGamma, lowerRegularizedGamma } from "../stacks/service-time.js";

/** Σₙ Poisson(n; x) / (a + n): the scaled series of ∫₀ᵗ s^{a−1} e^{βs} ds (all terms positive). */
function poissonWeightedReciprocal(a: number, x: number): number {
  if (x < 1e-12) return 1 / a;
  const mode = Math.floor(x);
  const logPm = -x + mode * Math.log(x) - lnGamma(mode + 1);
  const pm = Math.exp(logPm);
  let sum = pm / (a + mode);
  let p = pm;
  for (let n = mode + 1; n < mode + 100000; n++) {
    p *= x / n;
    const term = p / (a + n);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  p = pm;
  for (let n = mode; n > 0; n--) {
    p *= n / x;
    const term = p / (a + n - 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

// ------------------------------------------------------------------ Erlang C and Allen–Cunneen

/** Erlang B blocking probability for c servers and offered load a (stable recursion). */
export function erlangB(c: number, a: number): number {
  let b = 1;
  for (let n = 1; n <= c; n++) b = (a * b) / (n + a * b);
  return b;
}

/** Erlang C: probability that an arrival waits in an M/M/c queue with offered load a = λ/μ < c. */
export function erlangC(c: number, a: number): number {
  if (a <= 0) return 0;
  if (a >= c) return 1;
  const b = erlangB(c, a);
  return (c * b) / (c - a * (1 - b));
}

/** Steady state of one pod receiving `arrivalRate` requests/s (must be below capacity). */
export interface PodSteadyState {
  /** Utilization ρ = λ / (cμ). */
  readonly utilization: number;
  /** Offered load a = λ / μ: mean busy slots. */
  readonly busySlots: number;
  /** Probability that a request waits for a slot (Erlang C). */
  readonly waitProbability: number;
  /** Mean wait for a slot, seconds (Allen–Cunneen). */
  readonly meanWaitSeconds: number;
  /** Rate of the exponential conditional wait: P(W > t | W > 0) = e^{−θt}. */
  readonly waitRate: number;
  /** Mean requests waiting for a slot (Little: λ·Wq). */
  readonly meanQueueLength: number;
  /** Mean response time (Wq + S). */
  readonly meanResponseSeconds: number;
}

export function podSteadyState(p: PodServiceParams, arrivalRate: number): PodSteadyState {
  const { servers: c, serviceTimeSeconds: s, serviceTimeCv: cv } = p;
  const mu = 1 / s;
  const a = arrivalRate * s;
  if (!(a < c)) throw new RangeError(`arrival rate ${arrivalRate}/s is at or above the pod's capacity ${c * mu}/s: no steady state`);
  const C = erlangC(c, a);
  const k = (1 + cv * cv) / 2;
  const slack = c * mu - arrivalRate;
  const wq = (C * k) / slack;
  return {
    utilization: a / c,
    busySlots: a,
    waitProbability: C,
    meanWaitSeconds: wq,
    waitRate: slack / k,
    meanQueueLength: arrivalRate * wq,
    meanResponseSeconds: wq + s,
  };
}

/** P(S ≤ t) for the service time. */
export function serviceTimeCdf(p: PodServiceParams, t: number): number {
  if (t <= 0) return 0;
  if (p.serviceTimeCv === 0) return t >= p.serviceTimeSeconds ? 1 : 0;
  const alpha = 1 / (p.serviceTimeCv * p.serviceTimeCv);
  return lowerRegularizedGamma(alpha, (alpha / p.serviceTimeSeconds) * t);
}

/** ∫₀ᵗ f_S(s) e^{−θ(t−s)} ds: the service density smoothed by the exponential wait. */
function smoothedService(p: PodServiceParams, theta: number, t: number): number {
  if (t <= 0) return 0;
  const s = p.serviceTimeSeconds;
  if (p.serviceTimeCv === 0) return t >= s ? Math.exp(-theta * (t - s)) : 0;
  const alpha = 1 / (p.serviceTimeCv * p.serviceTimeCv);
  const r = alpha / s;
  const beta = theta - r;
  if (beta >= 0) {
    const logPre = -r * t + alpha * Math.log(r * t) - lnGamma(alpha);
    return Math.exp(logPre) * poissonWeightedReciprocal(alpha, beta * t);
  }
  const y = -beta * t;
  return Math.exp(-theta * t + alpha * Math.log(r / -beta) + logLowerRegularizedGamma(alpha, y));
}

/** P(T ≤ t) for the response time T = wait + service of one pod at `arrivalRate`. */
export function responseTimeCdf(p: PodServiceParams, arrivalRate: number, t: number): number {
  const ss = podSteadyState(p, arrivalRate);
  return cdfWith(p, ss, t);
}

function cdfWith(p: PodServiceParams, ss: PodSteadyState, t: number): number {
  if (t <= 0) return 0;
  const f = serviceTimeCdf(p, t) - ss.waitProbability * smoothedService(p, ss.waitRate, t);
  return f < 0 ? 0 : f > 1 ? 1 : f;
}

/** The q-quantile of the response time of one pod at `arrivalRate` (0 < q < 1). */
export function responseTimeQuantile(p: PodServiceParams, arrivalRate: number, q: number): number {
  const ss = podSteadyState(p, arrivalRate);
  return quantileWith(p, ss, q);
}

function quantileWith(p: PodServiceParams, ss: PodSteadyState, q: number): number {
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile ${q} must be between 0 and 1`);
  const s = p.serviceTimeSeconds;
  if (p.serviceTimeCv === 0) {
    const C = ss.waitProbability;
    return q <= 1 - C ? s : s + Math.log(C / (1 - q)) / ss.waitRate;
  }
  let lo = 0;
  let hi = s;
  while (cdfWith(p, ss, hi) < q) {
    lo = hi;
    hi *= 2;
    if (hi > 1e9) return Infinity;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (cdfWith(p, ss, mid) < q) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

// ------------------------------------------------------------------ the table the simulator reads

/** The index i with a[i] ≤ v < a[i + 1] in an increasing array (clamped to 0 … length − 2). */
function bracket(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! <= v) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Utilization above which a pool counts as saturated (stationary formulas stop, the fluid backlog starts). */
export const SATURATION_UTILIZATION = 0.99;

/** What {@link ServiceTable.lookup} fills in (one reused object: no per-second allocation). */
export interface TableRow {
  /** Response-time quantile the table was built for, seconds. */
  quantile: number;
  /** Mean requests waiting for a slot, per pod. */
  queueLength: number;
  /** Mean busy slots per pod. */
  busySlots: number;
  /** P(T ≤ point[j]) for each evaluation point. */
  readonly cdf: Float64Array;
}

/**
 * The pod model precomputed over utilization: one row per ρ on a grid uniform in −ln(1 − ρ)
 * (dense where latency explodes), linearly interpolated. The saturated row also keeps its CDF on
 * a time grid, so a backlog delay D can shift it: P(T ≤ b) = F_sat(b − D).
 *
 * Queue dynamics (pointwise stationary fluid flow approximation, PSFFA: Wang, Perry & Ryan 1996;
 * Tipper & Sundareshan 1990). The state of a pod is x, the mean number of requests in it (in
 * service + waiting). It moves as dx/dt = λ − μ·busy(x), where busy(x) = c·ρ(x) and ρ(x) inverts
 * the stationary mean number in system L(ρ) = cρ + Lq(ρ) of the same M/G/c model. In a steady
 * load x settles at L(λ/cμ) (the stationary answer); when the load jumps, x — and with it the
 * queue, the in-flight gauge and the latency of new arrivals — rises at the rate arrivals exceed
 * what the busy slots serve, and drains the same way. Beyond L(ρ_cap) every slot is busy: the
 * excess x − L(ρ_cap) is a fluid backlog served at capacity cμ, adding (x − L(ρ_cap)) / cμ to
 * the latency (the saturated row, shifted). A request arriving at state x sees the stationary
 * response-time distribution of the ρ(x) with the same mean number in system.
 */
export class ServiceTable {
  static readonly ROWS = 1024;
  /** Implicit (backward Euler) sub-steps per simulated second of {@link step}. */
  static readonly SUBSTEPS = 4;
  /** Rows between the rows whose whole-second CDF is tabulated. */
  static readonly TCDF_STRIDE = 8;
  private readonly uMax = -Math.log(1 - SATURATION_UTILIZATION);
  private readonly q: Float64Array;
  private readonly lq: Float64Array;
  private readonly cdf: Float64Array;
  private readonly rho: Float64Array;
  /** L(ρ_i): mean requests in a pod (busy + waiting). */
  private readonly inSystem: Float64Array;
  /** L(ρ_i) + dt·cμ·ρ_i for the implicit step (dt = 1 / SUBSTEPS). */
  private readonly phi: Float64Array;
  /** P(T ≤ k + 1) for k < horizon, per row (completion-time bookkeeping). */
  private readonly tcdf: Float64Array;
  private readonly satGrid: Float64Array;
  private readonly satGridMax: number;
  /** Response-time quantile of the saturated pool, seconds. */
  readonly saturatedQuantile: number;
  /** Requests per second one pod serves at most. */
  readonly capacity: number;
  /** L(ρ_cap): mean requests in a pod when it saturates; more is fluid backlog. */
  readonly saturatedInSystem: number;
  /** Whole seconds of response time tabulated per row (beyond: every unsaturated request is done). */
  readonly horizon: number;
  private readonly scratchPos = { pos: 0, delay: 0 };
  private static readonly SHARED = new Map<string, ServiceTable>();

  /**
   * The table for these arguments, built once per process: a table never changes after its
   * constructor, and `--compare` runs of one env (or the bench's repeated runs) tabulate the same
   * pod. Each table takes about 0.1 s to build.
   */
  static shared(params: PodServiceParams, q0: number, points: readonly number[], horizonSeconds = 60): ServiceTable {
    const key = JSON.stringify([params.servers, params.serviceTimeSeconds, params.serviceTimeCv, q0, points, horizonSeconds]);
    let t = ServiceTable.SHARED.get(key);
    if (t === undefined) {
      if (ServiceTable.SHARED.size >= 16) ServiceTable.SHARED.clear();
      t = new ServiceTable(
        { servers: params.servers, serviceTimeSeconds: params.serviceTimeSeconds, serviceTimeCv: params.serviceTimeCv },
        q0,
        [...points],
        horizonSeconds,
      );
      ServiceTable.SHARED.set(key, t);
    }
    return t;
  }

  constructor(
    readonly params: PodServiceParams,
    /** The quantile tabulated (e.g. 0.95). */
    readonly q0: number,
    /** Latency values the CDF is evaluated at (histogram bucket bounds, the SLO threshold). */
    readonly points: readonly number[],
    /** Longest response time tracked to completion, seconds (the client timeout). @default 60 */
    horizonSeconds = 60,
  ) {
    const n = ServiceTable.ROWS;
    const m = points.length;
    this.capacity = params.servers / params.serviceTimeSeconds;
    this.q = new Float64Array(n);
    this.lq = new Float64Array(n);
    this.cdf = new Float64Array(n * m);
    this.rho = new Float64Array(n);
    this.inSystem = new Float64Array(n);
    this.phi = new Float64Array(n);
    const sat = podSteadyState(params, SATURATION_UTILIZATION * this.capacity);
    this.satGridMax = quantileWith(params, sat, 1 - 1e-6);
    this.horizon = Math.max(1, Math.min(Math.ceil(horizonSeconds), Math.ceil(this.satGridMax)));
    const K = this.horizon;
    this.tcdf = new Float64Array((Math.floor((n - 1) / ServiceTable.TCDF_STRIDE) + 1) * K);
    const dt = 1 / ServiceTable.SUBSTEPS;
    for (let i = 0; i < n; i++) {
      const rho = 1 - Math.exp(-(i / (n - 1)) * this.uMax);
      const ss = podSteadyState(params, rho * this.capacity);
      this.rho[i] = rho;
      this.q[i] = quantileWith(params, ss, q0);
      this.lq[i] = ss.meanQueueLength;
      this.inSystem[i] = rho * params.servers + ss.meanQueueLength;
      this.phi[i] = this.inSystem[i]! + dt * this.capacity * rho;
      for (let j = 0; j < m; j++) this.cdf[i * m + j] = cdfWith(params, ss, points[j]!);
      // F(k + 1 s) on every TCDF_STRIDE-th row (whole seconds matter only for the slow tail);
      // once it reaches 1 (to 1e-12) it stays there
      if (i % ServiceTable.TCDF_STRIDE === 0) {
        const r = i / ServiceTable.TCDF_STRIDE;
        let done = false;
        for (let k = 0; k < K; k++) {
          const v = done ? 1 : cdfWith(params, ss, k + 1);
          if (v >= 1 - 1e-12) done = true;
          this.tcdf[r * K + k] = done ? 1 : v;
        }
      }
    }
    this.saturatedQuantile = this.q[n - 1]!;
    this.saturatedInSystem = this.inSystem[n - 1]!;
    this.satGrid = new Float64Array(4096);
    for (let i = 0; i < this.satGrid.length; i++) this.satGrid[i] = cdfWith(params, sat, (i / (this.satGrid.length - 1)) * this.satGridMax);
  }

  /** A row object to pass to {@link lookup}. */
  newRow(): TableRow {
    return { quantile: 0, queueLength: 0, busySlots: 0, cdf: new Float64Array(this.points.length) };
  }

  /**
   * Fills `out` for utilization `rho` (clamped to [0, ρ_cap]) plus a fluid backlog delay
   * `delaySeconds` (only meaningful for the saturated pool: pass rho ≥ ρ_cap with it).
   */
  lookup(rho: number, delaySeconds: number, out: TableRow): void {
    const n = ServiceTable.ROWS;
    if (delaySeconds > 0 || rho >= SATURATION_UTILIZATION) {
      this.fill(n - 1, delaySeconds, out);
      return;
    }
    const r = rho > 0 ? rho : 0;
    this.fill((-Math.log(1 - r) / this.uMax) * (n - 1), 0, out);
    out.busySlots = r * this.params.servers;
  }

  /**
   * The row position (0 … ROWS − 1, fractional) and backlog delay of a pod holding `x` requests
   * on average: ρ(x) = L⁻¹(x) below saturation; above, the saturated row and (x − L(ρ_cap)) / cμ.
   */
  position(x: number, out: { pos: number; delay: number } = { pos: 0, delay: 0 }): { pos: number; delay: number } {
    const n = ServiceTable.ROWS;
    out.delay = 0;
    if (!(x > 0)) {
      out.pos = 0;
      return out;
    }
    if (x >= this.saturatedInSystem) {
      out.pos = n - 1;
      out.delay = (x - this.saturatedInSystem) / this.capacity;
      return out;
    }
    const L = this.inSystem;
    const lo = bracket(L, x);
    out.pos = lo + (x - L[lo]!) / (L[lo + 1]! - L[lo]!);
    return out;
  }

  /**
   * Mean requests waiting for a slot and mean busy slots of a pod holding `x` requests (the gauges;
   * cheaper than {@link fill}: no latency distribution). Writes into `out`.
   */
  occupancy(x: number, out: { queue: number; busy: number }): void {
    const n = ServiceTable.ROWS;
    if (!(x > 0)) {
      out.queue = 0;
      out.busy = 0;
      return;
    }
    if (x >= this.saturatedInSystem) {
      out.queue = this.lq[n - 1]! + (x - this.saturatedInSystem);
      out.busy = SATURATION_UTILIZATION * this.params.servers;
      return;
    }
    const pos = this.position(x, this.scratchPos).pos;
    const i = Math.min(Math.floor(pos), n - 2);
    const f = pos - i;
    out.queue = this.lq[i]! + f * (this.lq[i + 1]! - this.lq[i]!);
    out.busy = (this.rho[i]! + f * (this.rho[i + 1]! - this.rho[i]!)) * this.params.servers;
  }

  /** Fills `out` for a row position and backlog delay (see {@link position}). */
  fill(pos: number, delaySeconds: number, out: TableRow): void {
    const n = ServiceTable.ROWS;
    const m = this.points.length;
    if (pos >= n - 1) {
      out.quantile = this.saturatedQuantile + delaySeconds;
      out.queueLength = this.lq[n - 1]! + delaySeconds * this.capacity;
      out.busySlots = SATURATION_UTILIZATION * this.params.servers;
      for (let j = 0; j < m; j++) out.cdf[j] = this.saturatedCdf(this.points[j]! - delaySeconds);
      return;
    }
    const i = Math.min(Math.floor(pos), n - 2);
    const f = pos - i;
    out.quantile = this.q[i]! + f * (this.q[i + 1]! - this.q[i]!);
    out.queueLength = this.lq[i]! + f * (this.lq[i + 1]! - this.lq[i]!);
    out.busySlots = (this.rho[i]! + f * (this.rho[i + 1]! - this.rho[i]!)) * this.params.servers;
    const a = i * m;
    const b = a + m;
    for (let j = 0; j < m; j++) out.cdf[j] = this.cdf[a + j]! + f * (this.cdf[b + j]! - this.cdf[a + j]!);
  }

  /** P(T ≤ t) at a row position and delay, for a whole number of seconds t ≥ 1 (completion bookkeeping). */
  cdfAtSeconds(pos: number, delaySeconds: number, t: number): number {
    const n = ServiceTable.ROWS;
    if (pos >= n - 1) return this.saturatedCdf(t - delaySeconds);
    const K = this.horizon;
    if (t > K) return 1;
    const rows = this.tcdf.length / K;
    const r = pos / ServiceTable.TCDF_STRIDE;
    const i = Math.min(Math.floor(r), rows - 1);
    const a = this.tcdf[i * K + t - 1]!;
    if (i === rows - 1)
      return a + ((pos - i * ServiceTable.TCDF_STRIDE) / (n - 1 - i * ServiceTable.TCDF_STRIDE)) * (this.saturatedCdf(t) - a);
    return a + (r - i) * (this.tcdf[(i + 1) * K + t - 1]! - a);
  }

  /** P(T ≤ b_j) at a row position and delay, for evaluation point j. */
  cdfAtPoint(pos: number, delaySeconds: number, j: number): number {
    const n = ServiceTable.ROWS;
    const m = this.points.length;
    if (pos >= n - 1) return this.saturatedCdf(this.points[j]! - delaySeconds);
    const i = Math.min(Math.floor(pos), n - 2);
    const f = pos - i;
    const a = this.cdf[i * m + j]!;
    return a + f * (this.cdf[(i + 1) * m + j]! - a);
  }

  /** P(T ≤ t) for any t at a row position and delay (exact model, not the table; for mixtures). */
  cdfAt(pos: number, delaySeconds: number, t: number): number {
    const n = ServiceTable.ROWS;
    if (pos >= n - 1) return this.saturatedCdf(t - delaySeconds);
    const i = Math.min(Math.floor(pos), n - 2);
    const f = pos - i;
    const rho = this.rho[i]! + f * (this.rho[i + 1]! - this.rho[i]!);
    return cdfWith(this.params, podSteadyState(this.params, rho * this.capacity), t);
  }

  /**
   * One simulated second of a pod's state x under `arrivalRate` requests/s: SUBSTEPS backward
   * Euler steps of dx/dt = λ − cμ·ρ(x) (unconditionally stable: the relaxation time 1/μ of an
   * unloaded pod is far below a second). Above L(ρ_cap) every slot serves (rate cμ); between the
   * two rates the state holds at L(ρ_cap).
   */
  step(x: number, arrivalRate: number): number {
    const n = ServiceTable.ROWS;
    const dt = 1 / ServiceTable.SUBSTEPS;
    const L = this.inSystem;
    const phi = this.phi;
    for (let s = 0; s < ServiceTable.SUBSTEPS; s++) {
      const R = x + dt * arrivalRate;
      if (R >= phi[n - 1]!) {
        x = Math.max(this.saturatedInSystem, R - dt * this.capacity);
        continue;
      }
      const lo = bracket(phi, R);
      const f = (R - phi[lo]!) / (phi[lo + 1]! - phi[lo]!);
      x = L[lo]! + f * (L[lo + 1]! - L[lo]!);
    }
    return x;
  }

  private saturatedCdf(t: number): number {
    if (t <= 0) return 0;
    if (t >= this.satGridMax) return 1;
    const g = this.satGrid;
    const x = (t / this.satGridMax) * (g.length - 1);
    const i = Math.floor(x);
    return g[i]! + (x - i) * (g[i + 1]! - g[i]!);
  }
}

// ------------------------------------------------------------------ from the env config

/** The pod as the environment configures it. */
export interface PodProfile {
  /** The queue the simulator runs (CPU-limit-adjusted, see {@link podProfile}). */
  readonly queue: PodServiceParams;
  /** Slots the tuning configures: predictMaxConcurrency × uvicornWorkers. */
  readonly configuredSlots: number;
  /** simulation.serviceTimeSeconds: mean service time on an idle pod. */
  readonly configuredServiceTimeSeconds: number;
  /** Requests/s one pod serves at most. */
  readonly capacityRps: number;
  /** True when the CPU limit, not the slots, bounds the capacity. */
  readonly cpuBound: boolean;
  readonly cpuSecondsPerRequest: number;
  /** resources.requests.cpu, cores. */
  readonly cpuRequestCores: number;
  /** resources.limits.cpu, cores (undefined: no limit). */
  readonly cpuLimitCores: number | undefined;
  /** resources.requests.memory, bytes. */
  readonly memoryRequestBytes: number;
  /** Image pull + model load until ready, seconds. */
  readonly startupSeconds: number;
  readonly requestsPerUserPerSecond: number;
}

/**
 * The pod the env config describes. With a CPU limit, a pod whose slots would together need more
 * CPU than the limit (slots × cpuSecondsPerRequest / serviceTime > limit) is throttled: it serves at
 * most limit / cpuSecondsPerRequest requests/s. The simulator then runs the queue with
 * round(limit × serviceTime / cpuSecondsPerRequest) slots (at least 1) and stretches the service
 * time so that the capacity is exactly the CPU bound.
 */
export function podProfile(config: EnvConfig): PodProfile {
  const sim = config.simulation;
  const st = simulatedServiceTime(config);
  return {
    queue: { servers: st.servers, serviceTimeSeconds: st.serviceTimeSeconds, serviceTimeCv: sim.serviceTimeCv },
    configuredSlots: st.configuredSlots,
    configuredServiceTimeSeconds: sim.serviceTimeSeconds,
    capacityRps: st.servers / st.serviceTimeSeconds,
    cpuBound: st.cpuBound,
    cpuSecondsPerRequest: sim.cpuSecondsPerRequest,
    cpuRequestCores: parseQuantity(config.service.resources.requests.cpu),
    cpuLimitCores: st.cpuLimitCores,
    memoryRequestBytes: parseQuantity(config.service.resources.requests.memory),
    startupSeconds: sim.podStartupSeconds,
    requestsPerUserPerSecond: sim.requestsPerUserPerSecond,
  };
}
