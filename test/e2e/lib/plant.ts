/**
 * The load the fake pods serve: the simulator's own queueing model of one pod (simulator/
 * service-model.ts: ServiceTable, podProfile) applied each second to the REAL number of ready pods,
 * so the real and the simulated runs differ only in the control loop (Prometheus, KEDA, the HPA
 * controller), which is what the end-to-end comparison is about. The per-second step mirrors the
 * traffic part of simulator/run.ts (random split over ready pods, a fluid backlog beyond ρ = 0.99,
 * requests failing after the client timeout); each ready pod gets an equal share of the counters.
 */
import type { EnvConfig } from "../../../stacks/config.js";
import { podProfile, SATURATION_UTILIZATION, ServiceTable, type PodProfile, type TableRow } from "../../../simulator/service-model.js";
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
  /** p95 of the requests arriving this second (model truth, not what Prometheus reports). */
  readonly latency: number;
  readonly queueTotal: number;
  readonly cpuCoresPerPod: number;
}

export class Plant {
  readonly pod: PodProfile;
  readonly bounds: number[];
  private readonly table: ServiceTable;
  private readonly row: TableRow;
  private readonly rates: Float64Array;
  private readonly timeout: number;
  private backlog = 0;
  private readonly perPod = new Map<string, ExporterState>();
  private cpuWindow: number[] = [];
  private last: PlantSecond | undefined;

  constructor(config: EnvConfig, readonly scenario: Scenario, opts: { requestTimeoutSeconds?: number; quantile?: number } = {}) {
    this.pod = podProfile(config);
    this.bounds = latencyBounds(config);
    this.table = new ServiceTable(this.pod.queue, opts.quantile ?? 0.95, this.bounds);
    this.row = this.table.newRow();
    this.rates = arrivalRates(scenario, this.pod.requestsPerUserPerSecond);
    this.timeout = opts.requestTimeoutSeconds ?? 60;
  }

  get durationSeconds(): number {
    return this.rates.length;
  }

  /** Advance one second at scenario time `t` with these ready pods (names). */
  step(t: number, readyPods: readonly string[]): PlantSecond {
    const lambda = this.rates[Math.min(Math.max(t, 0), this.rates.length - 1)]!;
    const n = readyPods.length;
    const m = this.bounds.length;
    let latency = NaN;
    let queueTotal = 0;
    let inFlightTotal = 0;
    let cores = 0;
    if (n === 0) {
      this.backlog = 0;
    } else {
      const cap = n * this.table.capacity;
      let served: number;
      let accepted = lambda;
      let failed = 0;
      if (this.backlog > 0 || lambda >= SATURATION_UTILIZATION * cap) {
        served = Math.min(cap, lambda + this.backlog);
        this.backlog = Math.max(0, this.backlog + lambda - cap);
        const maxBacklog = this.timeout * cap;
        if (this.backlog > maxBacklog) {
          failed = this.backlog - maxBacklog;
          accepted = lambda - failed;
          this.backlog = maxBacklog;
        }
        this.table.lookup(SATURATION_UTILIZATION, this.backlog / cap, this.row);
      } else {
        served = lambda;
        this.table.lookup(lambda / cap, 0, this.row);
      }
      latency = lambda > 0 ? Math.min(this.row.quantile, this.timeout) : NaN;
      queueTotal = n * this.row.queueLength + this.backlog;
      inFlightTotal = queueTotal + n * this.row.busySlots;
      cores = (served * this.pod.cpuSecondsPerRequest) / n;
      for (const name of readyPods) {
        const s = this.perPod.get(name) ?? { buckets: new Array<number>(m).fill(0), count: 0, sum: 0, requests: 0, errors: 0, inFlight: 0, queue: 0 };
        const share = accepted / n;
        for (let j = 0; j < m; j++) s.buckets[j]! += share * this.row.cdf[j]!;
        s.count += share;
        s.sum += share * (Number.isFinite(latency) ? latency : 0);
        s.requests += (accepted + failed) / n;
        s.errors += failed / n;
        s.queue = queueTotal / n;
        s.inFlight = inFlightTotal / n;
        this.perPod.set(name, s);
      }
    }
    for (const name of [...this.perPod.keys()]) if (!readyPods.includes(name)) this.perPod.delete(name);
    // metrics-server reports CPU averaged over its 15 s resolution window
    this.cpuWindow.push(cores);
    if (this.cpuWindow.length > 15) this.cpuWindow.shift();
    this.last = { t, rps: lambda, ready: n, latency, queueTotal, cpuCoresPerPod: this.cpuWindow.reduce((a, b) => a + b, 0) / this.cpuWindow.length };
    return this.last;
  }

  /** The exporter state of a ready pod (zeros for a pod that has served nothing yet). */
  state(pod: string): ExporterState {
    return this.perPod.get(pod) ?? { buckets: new Array<number>(this.bounds.length).fill(0), count: 0, sum: 0, requests: 0, errors: 0, inFlight: 0, queue: 0 };
  }

  /** CPU of a ready pod, millicores (capped at the limit), for the metrics.k8s.io server. */
  cpuMilli(): number {
    const cores = this.last?.cpuCoresPerPod ?? 0;
    return Math.min(cores, this.pod.cpuLimitCores ?? Infinity) * 1000;
  }
}
