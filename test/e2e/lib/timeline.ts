/** What the real run records: replica changes at 1 s resolution and a sample every 15 s. */
export interface ReplicaChange {
  readonly t: number;
  readonly from: number;
  readonly to: number;
}

export interface Sample {
  readonly t: number;
  readonly replicas: number;
  readonly ready: number;
  readonly fallback: boolean;
  readonly rps: number;
  readonly p95: number;
  readonly queue: number;
}

export class Recorder {
  readonly changes: ReplicaChange[] = [];
  readonly samples: Sample[] = [];
  private last: number | undefined;

  observeReplicas(t: number, replicas: number): void {
    if (this.last !== undefined && replicas !== this.last) this.changes.push({ t, from: this.last, to: replicas });
    this.last = replicas;
  }

  get replicas(): number | undefined {
    return this.last;
  }

  /** First change upwards at or after `t`. */
  firstScaleUpAfter(t: number): ReplicaChange | undefined {
    return this.changes.find((c) => c.t >= t && c.to > c.from);
  }

  /** Replicas at second t (the last change at or before t). */
  replicasAt(t: number, initial: number): number {
    let r = initial;
    for (const c of this.changes) if (c.t <= t) r = c.to;
    return r;
  }
}
