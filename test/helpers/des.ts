/**
 * An independent, request-level discrete-event simulation of the inference pods, written only to
 * check the simulator's queue dynamics (simulator/service-model.ts, simulator/run.ts). It shares no
 * code with them.
 *
 *  - Arrivals: a non-homogeneous Poisson process with rate rps[⌊t⌋] (thinning of a homogeneous
 *    stream at the maximum rate).
 *  - Routing: each request goes to a ready pod chosen uniformly at random (kube-proxy's random
 *    mode); pods become ready at given times (`readyAt`) and never leave.
 *  - Each pod: c request slots, first come first served, gamma service times (mean S, CV cv;
 *    deterministic when cv = 0). Kiefer–Wolfowitz recursion: a request starts when the earliest
 *    slot frees up.
 *  - A request that would wait longer than `timeoutSeconds` gives up (never served, never
 *    observed).
 *  - Seeded (mulberry32): the same seed gives the same run.
 *
 * Outputs, averaged over replications: requests waiting for a slot at each whole second (all pods),
 * the response times of the requests arriving in each second, and the response times keyed by
 * completion time (what a Prometheus histogram observes).
 */

export interface DesInput {
  /** Arrival rate per second, index = second. */
  readonly rps: ArrayLike<number>;
  /** Time each pod becomes ready (seconds; ≤ 0: ready from the start). */
  readonly readyAt: readonly number[];
  readonly servers: number;
  readonly serviceTimeSeconds: number;
  readonly serviceTimeCv: number;
  readonly timeoutSeconds?: number;
  readonly seed?: number;
}

export interface DesRun {
  /** Requests waiting for a slot at second m (all pods). */
  readonly waiting: Float64Array;
  /** Per request: arrival time, response time (NaN: gave up), completion time. */
  readonly arrival: Float64Array;
  readonly response: Float64Array;
  readonly completion: Float64Array;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(u: () => number): number {
  // Box–Muller
  const a = Math.max(u(), 1e-300);
  return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * u());
}

/** Gamma(shape k, scale 1) sample (Marsaglia–Tsang; boosted for k < 1). */
function gamma(k: number, u: () => number): number {
  if (k < 1) return gamma(k + 1, u) * Math.pow(Math.max(u(), 1e-300), 1 / k);
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(u);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const w = u();
    if (w < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(w) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function runDes(input: DesInput): DesRun {
  const u = mulberry32(input.seed ?? 1);
  const D = input.rps.length;
  const timeout = input.timeoutSeconds ?? 60;
  const { servers: c, serviceTimeSeconds: S, serviceTimeCv: cv } = input;
  const shape = cv > 0 ? 1 / (cv * cv) : 0;
  const service = () => (cv > 0 ? gamma(shape, u) * (S / shape) : S);
  let maxRate = 0;
  for (let t = 0; t < D; t++) maxRate = Math.max(maxRate, input.rps[t]!);
  const pods = input.readyAt.map((r) => ({ readyAt: r, free: new Float64Array(c).fill(Math.max(0, r)) }));
  const arrival: number[] = [];
  const response: number[] = [];
  const completion: number[] = [];
  const diff = new Float64Array(D + 2);
  let t = 0;
  for (;;) {
    t += -Math.log(1 - u()) / maxRate;
    if (t >= D) break;
    if (u() * maxRate >= input.rps[Math.floor(t)]!) continue;
    const ready = pods.filter((p) => p.readyAt <= t);
    if (ready.length === 0) continue;
    const pod = ready[Math.floor(u() * ready.length)]!;
    let k = 0;
    for (let i = 1; i < c; i++) if (pod.free[i]! < pod.free[k]!) k = i;
    const start = Math.max(t, pod.free[k]!);
    arrival.push(t);
    if (start - t > timeout) {
      response.push(NaN);
      completion.push(NaN);
      continue;
    }
    const done = start + service();
    pod.free[k] = done;
    response.push(done - t);
    completion.push(done);
    // waiting at whole seconds m with t ≤ m < start
    const from = Math.ceil(t);
    const to = Math.min(D + 1, Math.ceil(start));
    if (to > from) {
      diff[from]! += 1;
      diff[to]! -= 1;
    }
  }
  const waiting = new Float64Array(D);
  let acc = 0;
  for (let m = 0; m < D; m++) {
    acc += diff[m]!;
    waiting[m] = acc;
  }
  return { waiting, arrival: Float64Array.from(arrival), response: Float64Array.from(response), completion: Float64Array.from(completion) };
}

/** The q-quantile of a sample (linear between order statistics). */
export function sampleQuantile(xs: readonly number[] | Float64Array, q: number): number {
  const s = Array.from(xs)
    .filter((x) => !Number.isNaN(x))
    .sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const h = (s.length - 1) * q;
  const i = Math.floor(h);
  return s[i]! + (h - i) * (s[Math.min(i + 1, s.length - 1)]! - s[i]!);
}

export interface DesSummary {
  /** Mean over replications of the requests waiting at each second. */
  readonly meanWaiting: Float64Array;
  /** Pooled response times of requests arriving in [from, to). */
  arrivalsBetween(from: number, to: number): number[];
  /** Pooled response times of requests completing in (from, to] (a histogram's rate window). */
  completionsBetween(from: number, to: number): number[];
}

/** `replications` seeded runs (seeds 1 … n) summarised. */
export function replicate(input: DesInput, replications: number): DesSummary {
  const runs: DesRun[] = [];
  for (let r = 0; r < replications; r++) runs.push(runDes({ ...input, seed: (input.seed ?? 1) * 7919 + r }));
  const D = input.rps.length;
  const meanWaiting = new Float64Array(D);
  for (const run of runs) for (let m = 0; m < D; m++) meanWaiting[m]! += run.waiting[m]! / replications;
  return {
    meanWaiting,
    arrivalsBetween(from, to) {
      const out: number[] = [];
      for (const run of runs)
        for (let i = 0; i < run.arrival.length; i++) if (run.arrival[i]! >= from && run.arrival[i]! < to) out.push(run.response[i]!);
      return out;
    },
    completionsBetween(from, to) {
      const out: number[] = [];
      for (const run of runs)
        for (let i = 0; i < run.completion.length; i++)
          if (run.completion[i]! > from && run.completion[i]! <= to) out.push(run.response[i]!);
      return out;
    },
  };
}
