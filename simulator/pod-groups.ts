/**
 * The ready pods' queues over time, and the requests they still have to complete.
 *
 * Pods that became ready together are identical (kube-proxy sends each ready pod λ/N), so the
 * state is a few groups {pods, x}: x is the mean number of requests in one pod of the group,
 * advanced every second by {@link ServiceTable.step} (the fluid approximation: arrivals minus
 * what the busy slots serve). A pod that becomes ready starts empty in a new group, so a backlog
 * stays on the pods that hold it and drains at their capacity only, as with a real Service (a
 * queued request never moves to a new pod). Groups whose states meet merge. The ReplicaSet
 * deletes the most recently ready pods first: they leave from the newest group (their in-flight
 * requests finish during the grace period).
 *
 * Completions: each second's accepted requests are kept as cohorts (per group: count, row
 * position, backlog delay). A Prometheus histogram observes a request when it completes, so at a
 * scrape at the end of second s the bucket `le = b` holds the requests with latency T ≤ b that
 * completed by then: Σ count · P(T ≤ min(b, s + 1 − arrival second)). Cohorts older than the
 * longest possible response time are folded into running totals.
 */
import type { ServiceTable, TableRow } from "./service-model.js";

/** Groups kept at most; beyond, the two with the closest states merge. */
const MAX_GROUPS = 4;

export interface SecondResult {
  /** Requests served this second (all pods). */
  served: number;
  /** Requests that failed this second: the client's timeout. */
  failed: number;
  /** Latency quantile of this second's arrivals, seconds. */
  quantile: number;
  /** P(T ≤ point j) of this second's arrivals. */
  readonly cdf: Float64Array;
  /** Requests waiting for a slot, in service + waiting, busy slots (all pods, start of the second). */
  queue: number;
  inFlight: number;
  busySlots: number;
  /** Requests beyond the saturated pods' stationary queue (the fluid backlog, all pods). */
  backlog: number;
}

export class PodGroups {
  private n: number[] = [];
  private x: number[] = [];
  private readonly row: TableRow;
  private readonly rowB: TableRow;
  private readonly occ = { queue: 0, busy: 0 };
  private readonly where = { pos: 0, delay: 0 };
  private readonly xMax: number;
  // cohort ring: H seconds × MAX_GROUPS
  private readonly H: number;
  private readonly cCount: Float64Array;
  private readonly cPos: Float64Array;
  private readonly cDelay: Float64Array;
  private readonly cSecond: Float64Array;
  /** Requests folded in: per finite bucket, and in total (+Inf). */
  private readonly doneBuckets: Float64Array;
  private doneTotal = 0;
  private readonly pos: number[] = [];
  private readonly delay: number[] = [];
  readonly out: SecondResult;

  constructor(
    private readonly table: ServiceTable,
    /** Number of finite histogram buckets (the first points of the table). */
    private readonly buckets: number,
    timeoutSeconds: number,
  ) {
    this.row = table.newRow();
    this.rowB = table.newRow();
    this.xMax = table.saturatedInSystem + timeoutSeconds * table.capacity;
    this.H = Math.ceil(timeoutSeconds) + table.horizon + 2;
    const size = this.H * MAX_GROUPS;
    this.cCount = new Float64Array(size);
    this.cPos = new Float64Array(size);
    this.cDelay = new Float64Array(size);
    this.cSecond = new Float64Array(size);
    this.doneBuckets = new Float64Array(buckets);
    this.out = {
      served: 0,
      failed: 0,
      quantile: NaN,
      cdf: new Float64Array(table.points.length),
      queue: 0,
      inFlight: 0,
      busySlots: 0,
      backlog: 0,
    };
  }

  /** Ready pods in the groups. */
  get pods(): number {
    let s = 0;
    for (const k of this.n) s += k;
    return s;
  }

  /** Brings the groups to `ready` pods: new pods join empty, removed pods leave from the newest group. */
  resize(ready: number): void {
    let total = this.pods;
    if (ready > total) {
      this.n.push(ready - total);
      this.x.push(0);
      if (this.n.length > MAX_GROUPS) this.mergeClosest();
      return;
    }
    while (total > ready) {
      const last = this.n.length - 1;
      const take = Math.min(this.n[last]!, total - ready);
      this.n[last]! -= take;
      total -= take;
      if (this.n[last] === 0) {
        this.n.pop();
        this.x.pop();
      }
    }
  }

  /** No ready pod: whatever was queued is lost (connections refused / reset). */
  clear(): void {
    this.n = [];
    this.x = [];
  }

  /**
   * One second at `lambda` requests/s over the ready pods: advances every group, records the
   * arrivals as cohorts for the histogram, fills {@link out}.
   */
  advance(t: number, lambda: number): SecondResult {
    const o = this.out;
    const tb = this.table;
    const G = this.n.length;
    let pods = 0;
    for (let g = 0; g < G; g++) pods += this.n[g]!;
    const lp = lambda / pods;
    o.served = 0;
    o.failed = 0;
    o.queue = 0;
    o.inFlight = 0;
    o.busySlots = 0;
    o.backlog = 0;
    for (let g = 0; g < G; g++) {
      const k = this.n[g]!;
      const x0 = this.x[g]!;
      // gauges at the start of the second (what a scrape in this second reads)
      tb.occupancy(x0, this.occ);
      o.queue += k * this.occ.queue;
      o.busySlots += k * this.occ.busy;
      o.inFlight += k * x0;
      o.backlog += k * Math.max(0, x0 - tb.saturatedInSystem);
      let x1 = tb.step(x0, lp);
      o.served += k * Math.max(0, x0 + lp - x1);
      if (x1 > this.xMax) {
        // clients give up after the timeout: a pod never holds more than timeout × capacity of backlog
        o.failed += k * (x1 - this.xMax);
        x1 = this.xMax;
      }
      this.x[g] = x1;
      // this second's arrivals meet the state in the middle of the second
      const pm = tb.position(0.5 * (x0 + x1), this.where);
      this.pos[g] = pm.pos;
      this.delay[g] = pm.delay;
    }
    // latency of this second's arrivals: one group, or the mixture weighted by pods
    const m = o.cdf.length;
    if (G === 1) {
      tb.fill(this.pos[0]!, this.delay[0]!, this.row);
      o.quantile = this.row.quantile;
      for (let j = 0; j < m; j++) o.cdf[j] = this.row.cdf[j]!;
    } else {
      o.cdf.fill(0);
      let lo = Infinity;
      let hi = 0;
      for (let g = 0; g < G; g++) {
        const w = this.n[g]! / pods;
        tb.fill(this.pos[g]!, this.delay[g]!, this.rowB);
        for (let j = 0; j < m; j++) o.cdf[j]! += w * this.rowB.cdf[j]!;
        lo = Math.min(lo, this.rowB.quantile);
        hi = Math.max(hi, this.rowB.quantile);
      }
      o.quantile = this.mixtureQuantile(tb.q0, lo, hi, pods);
    }
    // cohorts: the accepted arrivals of this second, per group
    const accepted = lambda - o.failed;
    const slot = (((t % this.H) + this.H) % this.H) * MAX_GROUPS;
    this.fold(slot);
    for (let g = 0; g < MAX_GROUPS; g++) {
      const i = slot + g;
      this.cCount[i] = g < G ? (accepted * this.n[g]!) / pods : 0;
      this.cPos[i] = g < G ? this.pos[g]! : 0;
      this.cDelay[i] = g < G ? this.delay[g]! : 0;
      this.cSecond[i] = t;
    }
    this.mergeConverged();
    return o;
  }

  /** Adds nothing for a second without ready pods (its ring slot is folded and emptied). */
  idle(t: number): void {
    const slot = (((t % this.H) + this.H) % this.H) * MAX_GROUPS;
    this.fold(slot);
    for (let g = 0; g < MAX_GROUPS; g++) this.cCount[slot + g] = 0;
  }

  /**
   * The cumulative histogram a scrape at the end of second `t` reads: `cumulative[j]` requests
   * completed with latency ≤ bound j (the last entry: all completed requests, +Inf).
   */
  histogram(t: number, cumulative: Float64Array): void {
    const tb = this.table;
    const B = this.buckets;
    // cohorts whose requests have all completed by now are folded into the totals first
    for (let i = 0; i < this.cCount.length; i++) {
      if (this.cCount[i] === 0) continue;
      if (tb.cdfAtSeconds(this.cPos[i]!, this.cDelay[i]!, t + 1 - this.cSecond[i]!) >= 1 - 1e-12) this.foldOne(i);
    }
    for (let j = 0; j < B; j++) cumulative[j] = this.doneBuckets[j]!;
    let total = this.doneTotal;
    for (let i = 0; i < this.cCount.length; i++) {
      const c = this.cCount[i]!;
      if (c === 0) continue;
      const age = t + 1 - this.cSecond[i]!;
      const pos = this.cPos[i]!;
      const d = this.cDelay[i]!;
      const byNow = tb.cdfAtSeconds(pos, d, age);
      total += c * byNow;
      for (let j = 0; j < B; j++) {
        cumulative[j]! += c * (tb.points[j]! <= age ? tb.cdfAtPoint(pos, d, j) : byNow);
      }
    }
    cumulative[B] = total;
  }

  /** Folds the cohorts in ring slot `slot` into the running totals (they have all completed). */
  private fold(slot: number): void {
    for (let g = 0; g < MAX_GROUPS; g++) if (this.cCount[slot + g] !== 0) this.foldOne(slot + g);
  }

  /** Folds cohort `i` into the running totals (all its requests have completed). */
  private foldOne(i: number): void {
    const tb = this.table;
    const c = this.cCount[i]!;
    for (let j = 0; j < this.buckets; j++) this.doneBuckets[j]! += c * tb.cdfAtPoint(this.cPos[i]!, this.cDelay[i]!, j);
    this.doneTotal += c;
    this.cCount[i] = 0;
  }

  /** The q-quantile of the pod-weighted mixture of the groups' response times (bisection in [lo, hi]). */
  private mixtureQuantile(q: number, lo: number, hi: number, pods: number): number {
    const tb = this.table;
    const F = (t: number) => {
      let s = 0;
      for (let g = 0; g < this.n.length; g++) s += (this.n[g]! / pods) * tb.cdfAt(this.pos[g]!, this.delay[g]!, t);
      return s;
    };
    for (let i = 0; i < 40 && hi - lo > 1e-4 * hi; i++) {
      const mid = 0.5 * (lo + hi);
      if (F(mid) < q) lo = mid;
      else hi = mid;
    }
    return 0.5 * (lo + hi);
  }

  /** Merges adjacent groups whose states have met (the same x to 1 % or 0.05 requests). */
  private mergeConverged(): void {
    for (let g = this.n.length - 1; g > 0; g--) {
      const a = this.x[g - 1]!;
      const b = this.x[g]!;
      if (Math.abs(a - b) <= 0.05 + 0.01 * Math.max(a, b)) this.mergeInto(g - 1, g);
    }
  }

  private mergeClosest(): void {
    let best = 1;
    for (let g = 2; g < this.n.length; g++) {
      if (Math.abs(this.x[g]! - this.x[g - 1]!) < Math.abs(this.x[best]! - this.x[best - 1]!)) best = g;
    }
    this.mergeInto(best - 1, best);
  }

  /** Group b joins group a: the requests are conserved. */
  private mergeInto(a: number, b: number): void {
    const na = this.n[a]!;
    const nb = this.n[b]!;
    this.x[a] = (na * this.x[a]! + nb * this.x[b]!) / (na + nb);
    this.n[a] = na + nb;
    this.n.splice(b, 1);
    this.x.splice(b, 1);
  }
}
