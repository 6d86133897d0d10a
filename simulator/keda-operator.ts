/**
 * The KEDA operator, every pollingInterval: the cache for useCachedMetrics triggers, then
 * activation and deactivation as KEDA v2.18.3 decides them (pkg/scaling/scale_handler.go
 * getScaledObjectState, pkg/scaling/executor/scale_scaledobjects.go RequestScale).
 */
import type { KedaSettings, SimMetric } from "./autoscaler.js";
import { promQuery, type MetricSources } from "./metrics-apis.js";
import type { ReplicaSetModel } from "./replica-set.js";

/** What the triggers said at one poll. */
interface TriggerStates {
  /** Some trigger is above its activation threshold (or a cron window is open). */
  readonly active: boolean;
  /** Some scaler errors. */
  readonly error: boolean;
}

export class KedaOperator {
  /** lastActiveTime (-Infinity: unset). */
  private lastActive = -Infinity;
  /** Only cpu/memory triggers: always active unless a scaler errors. */
  private readonly onlyCpuMemory: boolean;

  constructor(
    private readonly keda: KedaSettings,
    private readonly metrics: readonly SimMetric[],
    private readonly sources: MetricSources,
    private readonly replicas: ReplicaSetModel,
    /** When the ScaledObject was created (the initialCooldownPeriod counts from there). */
    private readonly createdAt: number,
  ) {
    this.onlyCpuMemory = metrics.every((m) => m.source === "metrics-server");
  }

  /** One poll at `t` (`up`: Prometheus answers). */
  poll(t: number, up: boolean): void {
    const { active, error } = this.triggerStates(t, up);
    if (active) this.onActive(t, error);
    else this.onInactive(t, error);
  }

  /** Queries every trigger once, caching Prometheus results for useCachedMetrics. */
  private triggerStates(t: number, up: boolean): TriggerStates {
    let active = false;
    let error = false;
    for (const m of this.metrics) {
      if (m.signal.kind === "cron") {
        if (this.sources.crons[m.index]!.at(t)) active = true;
        continue;
      }
      // cpu/memory triggers are Resource metrics: getScalerState skips them (no activity, no error)
      if (!m.trigger || m.source !== "prometheus") continue;
      let r = promQuery(this.sources.prom, m, t, up);
      if (!r.ok && r.reason === "empty" && m.trigger.ignoreNullValues) r = { ok: true, value: 0 };
      this.sources.cached[m.index] = r;
      if (!r.ok) error = true;
      else if (r.value > m.trigger.activationThreshold) active = true;
    }
    if (this.onlyCpuMemory && !error) active = true;
    return { active, error };
  }

  private onActive(t: number, error: boolean): void {
    const current = this.replicas.replicas;
    const min = this.keda.minReplicaCount;
    if ((this.keda.idleReplicaCount !== undefined && current < min) || current === 0) {
      // scaleFromZeroOrIdle: to minReplicaCount (at least 1), whether or not another trigger errors
      const to = min > 0 ? min : 1;
      this.replicas.scaleTo(
        to,
        t,
        "keda-activation",
        `a trigger is active: scale from ${current === 0 ? "zero" : `idle ${current}`} to ${to}`,
      );
      this.lastActive = t;
    } else if (!error) {
      this.lastActive = t; // updateLastActiveTime (not while some trigger errors)
    }
  }

  private onInactive(t: number, error: boolean): void {
    const keda = this.keda;
    // a scaler errors: hold (the HPA's fallback takes over); with fallback.replicas 0 it falls through
    if (error && (keda.fallback === null || keda.fallback.replicas !== 0)) return;
    const current = this.replicas.replicas;
    const min = keda.minReplicaCount;
    const idle = keda.idleReplicaCount;
    if ((idle !== undefined && current > idle) || (current > 0 && min === 0)) {
      // scaleToZeroOrIdle after the cooldown (initialCooldownPeriod while lastActiveTime is unset)
      const since =
        this.lastActive === -Infinity ? this.createdAt + keda.initialCooldownPeriodSeconds : this.lastActive + keda.cooldownPeriodSeconds;
      const to = idle ?? min;
      if (since < t)
        this.replicas.scaleTo(
          to,
          t,
          "keda-cooldown",
          `no trigger active for cooldownPeriod ${keda.cooldownPeriodSeconds}s: scale to ${idle !== undefined ? `idleReplicaCount ${to}` : to}`,
        );
    } else if (current < min && idle === undefined) {
      this.replicas.scaleTo(min, t, "keda-activation", `below minReplicaCount: scale to ${min}`);
    }
  }
}
