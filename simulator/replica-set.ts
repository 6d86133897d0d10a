/**
 * The Deployment's pods as its ReplicaSet keeps them: created at once when scaled up, ready after
 * the pod's start-up time, deleted not-ready first (then the most recently ready) when scaled down.
 * Every change of scale.spec.replicas at t ≥ 0 is recorded as a {@link ScaleEvent}.
 */

export interface ScaleEvent {
  readonly t: number;
  readonly from: number;
  readonly to: number;
  /** `hpa`: a reconcile; `keda-activation` / `keda-cooldown`: the KEDA operator's 0 ↔ 1. */
  readonly by: "hpa" | "keda-activation" | "keda-cooldown";
  readonly reason: string;
}

export interface Pod {
  readonly id: number;
  readonly created: number;
  readonly readyAt: number;
}

export class ReplicaSetModel {
  /** The pods that exist (starting or ready); its length is scale.spec.replicas. */
  pods: Pod[] = [];
  /** Pods ready at the last recount. */
  readyCount: number;
  /** When the next starting pod becomes ready (Infinity: none is starting). */
  nextReadyAt = Infinity;
  /** Scale changes at t ≥ 0. */
  readonly events: ScaleEvent[] = [];
  private nextId = 0;

  /** `initialReplicas` pods created at `createdAt`, counted ready (the run starts settled). */
  constructor(
    private readonly startupSeconds: number,
    initialReplicas: number,
    createdAt: number,
  ) {
    for (let i = 0; i < initialReplicas; i++)
      this.pods.push({ id: this.nextId++, created: createdAt, readyAt: createdAt + startupSeconds });
    this.readyCount = initialReplicas;
  }

  get replicas(): number {
    return this.pods.length;
  }

  /** Recounts the ready pods at `t` and finds the next one to become ready. */
  recountReady(t: number): void {
    this.readyCount = 0;
    this.nextReadyAt = Infinity;
    for (const p of this.pods) {
      if (p.readyAt <= t) this.readyCount++;
      else if (p.readyAt < this.nextReadyAt) this.nextReadyAt = p.readyAt;
    }
  }

  /** Sets scale.spec.replicas to `n` at `t`: creates or deletes pods, records the event. */
  scaleTo(n: number, t: number, by: ScaleEvent["by"], reason: string): void {
    const from = this.pods.length;
    if (n === from) return;
    if (n > from) {
      for (let i = from; i < n; i++) this.pods.push({ id: this.nextId++, created: t, readyAt: t + this.startupSeconds });
    } else {
      this.deletePods(from - n, t);
    }
    this.recountReady(t);
    if (t >= 0) this.events.push({ t, from, to: n, by, reason });
  }

  /** The ReplicaSet deletes not-ready pods first, then the most recently ready. */
  private deletePods(count: number, t: number): void {
    const order = this.pods.slice().sort((a, b) => {
      const ar = a.readyAt <= t ? 1 : 0;
      const br = b.readyAt <= t ? 1 : 0;
      return ar !== br ? ar - br : b.readyAt - a.readyAt || b.id - a.id;
    });
    const gone = new Set(order.slice(0, count).map((p) => p.id));
    this.pods = this.pods.filter((p) => !gone.has(p.id));
  }
}
