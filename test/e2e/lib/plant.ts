/**
 * The load the fake pods serve: the simulator's own traffic model (simulator/service-model.ts
 * ServiceTable + simulator/pod-groups.ts PodGroups, stepped exactly as simulator/run.ts steps them)
 * applied each second to the REAL number of ready pods, so the real and the simulated runs differ
 * only in the control loop (Prometheus, KEDA, the HPA controller), which is what the end-to-end
 * comparison is about. Each ready pod gets an equal share of each second's completions (the
 * histogram observes a request when it completes, as in the simulator), requests and errors.
 */
import type { EnvConfig } from "../../../stacks/config.js";
import { podProfile, ServiceTable, type PodProfile } from "../../../simulator/service-model.js";
import { PodGroups } from "../../../simulator/pod-groups.js";
import { arrivalRates, type Scenario } from "../../../simulator/scenarios.js";
import type { ExporterState } from "./prometheus.js";

/** Bucket bounds of the service's latency histogram (finite bounds; +Inf implied). */
export function latencyBounds(config: EnvConfig): number[] {
  const h = config.service.metrics.metrics.find((m) => m.name === "http_request_duration_seconds");
  if (!h?.buckets?.length) throw new Error(`env "${config.name}": no http_request_duration_seconds histogram`);
  return [...h.buckets];
}

export interface PlantSecond {
  readonly t: number;
  readonly rps: number;
  readonly ready: number;
  /** Latency quantile of the requests arriving this second (model truth, not what Prometheus reports). */
  readonly latency: number;
  readonly queueTotal: number;
  readonly cpuCoresPerPod: number;
}

export class Plant {
  readonly pod: PodProfile;
  readonly bounds: number[];
  private readonly groups: PodGroups;
  private readonly rates: Float64Array;
  private readonly timeout: number;
  private readonly cumulative: Float64Array;
  private readonly previous: Float64Array;
  private readonly perPod = new Map<string, ExporterState>();
  private cpuWindow: number[] = [];
  private last: PlantSecond | undefined;
  /** The plant's own clock: one PodGroups second per step, also before the scenario's t = 0. */
  private second = 0;

  constructor(
    config: EnvConfig,
    readonly scenario: Scenario,
    opts: { requestTimeoutSeconds?: number; quantile?: number } = {},
  ) {
    this.pod = podProfile(config);
    this.bounds = latencyBounds(config);
    this.timeout = opts.requestTimeoutSeconds ?? 60;
    const table = new ServiceTable(this.pod.queue, opts.quantile ?? 0.95, this.bounds, this.timeout);
    this.groups = new PodGroups(table, this.bounds.length, this.timeout);
    this.rates = arrivalRates(scenario, this.pod.requestsPerUserPerSecond, this.pod.capacityRps);
    this.cumulative = new Float64Array(this.bounds.length + 1);
    this.previous = new Float64Array(this.bounds.length + 1);
  }

  get durationSeconds(): number {
    return this.rates.length;
  }

  /**
   * Advance one second at scenario time `t` (t < 0: the scenario's initial load) with these
   * ready pods (names). `idle`: no traffic this second (the harness holds the load until the
   * baseline pods are ready).
   */
  step(t: number, readyPods: readonly string[], opts: { idle?: boolean } = {}): PlantSecond {
    const lambda = opts.idle ? 0 : this.rates[Math.min(Math.max(t, 0), this.rates.length - 1)]!;
    const n = readyPods.length;
    const s = this.second++;
    let latency = NaN;
    let queueTotal = 0;
    let inFlightTotal = 0;
    let cores = 0;
    let failed: number;
    if (n === 0) {
      // a Service without ready endpoints refuses connections; whatever was queued is lost
      failed = lambda;
      this.groups.clear();
      this.groups.idle(s);
    } else {
      this.groups.resize(n);
      const o = this.groups.advance(s, lambda);
      failed = o.failed;
      latency = lambda > 0 ? Math.min(o.quantile, this.timeout) : NaN;
      queueTotal = o.queue;
      inFlightTotal = o.inFlight;
      cores = (o.served * this.pod.cpuSecondsPerRequest) / n;
    }
    // completions this second (the histogram at the end of the second minus the one before)
    this.groups.histogram(s, this.cumulative);
    const m = this.bounds.length;
    for (const name of readyPods) {
      const st = this.perPod.get(name) ?? {
        buckets: new Array<number>(m).fill(0),
        count: 0,
        sum: 0,
        requests: 0,
        errors: 0,
        inFlight: 0,
        queue: 0,
      };
      for (let j = 0; j < m; j++) st.buckets[j]! += Math.max(0, this.cumulative[j]! - this.previous[j]!) / n;
      const done = Math.max(0, this.cumulative[m]! - this.previous[m]!) / n;
      st.count += done;
      st.sum += done * (Number.isFinite(latency) ? latency : 0);
      st.requests += lambda / n;
      st.errors += failed / n;
      st.queue = queueTotal / n;
      st.inFlight = inFlightTotal / n;
      this.perPod.set(name, st);
    }
    this.previous.set(this.cumulative);
    for (const name of [...this.perPod.keys()]) if (!readyPods.includes(name)) this.perPod.delete(name);
    // metrics-server reports CPU averaged over its 15 s resolution window
    this.cpuWindow.push(cores);
    if (this.cpuWindow.length > 15) this.cpuWindow.shift();
    this.last = {
      t,
      rps: lambda,
      ready: n,
      latency,
      queueTotal,
      cpuCoresPerPod: this.cpuWindow.reduce((a, b) => a + b, 0) / this.cpuWindow.length,
    };
    return this.last;
  }

  /** The exporter state of a ready pod (zeros for a pod that has served nothing yet). */
  state(pod: string): ExporterState {
    return (
      this.perPod.get(pod) ?? {
        buckets: new Array<number>(this.bounds.length).fill(0),
        count: 0,
        sum: 0,
        requests: 0,
        errors: 0,
        inFlight: 0,
        queue: 0,
      }
    );
  }

  /** CPU of a ready pod, millicores (capped at the limit), for the metrics.k8s.io server. */
  cpuMilli(): number {
    const cores = this.last?.cpuCoresPerPod ?? 0;
    return Math.min(cores, this.pod.cpuLimitCores ?? Infinity) * 1000;
  }
}
