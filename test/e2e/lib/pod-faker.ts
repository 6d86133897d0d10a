/**
 * The kubelet stand-in: one fake Ready Node; pods are bound to it, marked Running with a pod IP,
 * and Ready once their startup probe could first have passed (or after `readyAfterSeconds`).
 * Terminating pods are removed at once (there is no container to stop). The node-lifecycle
 * controller is not run, so the node's Lease needs no heartbeat.
 */
import { KubeError, type Kube } from "./kube.js";
import { parseQuantity } from "../../../kube/quantity.js";

export const FAKE_NODE = "e2e-node-0";

export interface FakePod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly podIP: string;
  readonly ready: boolean;
  /** Containers with their resource requests (millicores, bytes). */
  readonly containers: readonly { name: string; cpuRequestMilli: number; memoryRequestBytes: number }[];
  readonly raw: any;
}

/** Time until the startup probe first succeeds: initialDelaySeconds + periodSeconds of the first container's probe. */
export function startupProbeSeconds(pod: any): number {
  const c = pod.spec?.containers?.[0];
  const probe = c?.startupProbe ?? c?.readinessProbe;
  if (!probe) return 0;
  return (probe.initialDelaySeconds ?? 0) + (probe.periodSeconds ?? 10);
}

export interface PodFakerOptions {
  /** Seconds from a pod's binding to Ready; default: startupProbeSeconds(pod). */
  readonly readyAfterSeconds?: (pod: any) => number;
  readonly log?: (line: string) => void;
}

export class PodFaker {
  private timer: NodeJS.Timeout | undefined;
  private nextIP = 1;
  private readonly ips = new Map<string, string>();
  private readonly boundAt = new Map<string, number>();
  private snapshot: FakePod[] = [];
  private running: Promise<void> | undefined;
  private lastError: unknown;
  /** Pods whose last round failed, with the message (logged once per change). */
  private failing = new Map<string, string>();

  constructor(
    private readonly kube: Kube,
    private readonly opts: PodFakerOptions = {},
  ) {}

  async start(): Promise<void> {
    const capacity = { cpu: "1000", memory: "4Ti", pods: "1000", "ephemeral-storage": "10Ti" };
    await this.kube.apply({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: FAKE_NODE, labels: { "kubernetes.io/hostname": FAKE_NODE, "kubernetes.io/os": "linux" } },
    });
    const now = new Date().toISOString();
    await this.kube.request(
      "PATCH",
      `/api/v1/nodes/${FAKE_NODE}/status`,
      {
        status: {
          capacity,
          allocatable: capacity,
          conditions: [
            {
              type: "Ready",
              status: "True",
              reason: "KubeletReady",
              message: "fake node of the e2e harness",
              lastHeartbeatTime: now,
              lastTransitionTime: now,
            },
          ],
          addresses: [{ type: "InternalIP", address: "127.0.0.1" }],
          nodeInfo: {
            kubeletVersion: "v0.0.0-e2e",
            architecture: "amd64",
            operatingSystem: "linux",
            bootID: "",
            containerRuntimeVersion: "",
            kernelVersion: "",
            kubeProxyVersion: "",
            machineID: "",
            osImage: "",
            systemUUID: "",
          },
        },
      },
      "application/merge-patch+json",
    );
    const tick = () => {
      this.running = this.reconcile().catch((e) => {
        this.lastError = e;
        this.opts.log?.(`pod faker: ${(e as Error).message}`);
      });
      void this.running.finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, 1000);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = undefined;
    if (t) clearTimeout(t);
    await this.running;
  }

  /** The pods as of the last reconcile round. */
  pods(): readonly FakePod[] {
    return this.snapshot;
  }

  private ipFor(uid: string): string {
    let ip = this.ips.get(uid);
    if (!ip) {
      const n = this.nextIP++;
      ip = `10.244.${Math.floor(n / 250)}.${(n % 250) + 1}`;
      this.ips.set(uid, ip);
    }
    return ip;
  }

  /**
   * One round over every pod. Each pod has its own try/catch: a pod the API server refuses to
   * bind or patch (a race with its deletion, a conflict) is logged and retried next round, and
   * never stops the round for the others. Only a failing list fails the round.
   */
  private async reconcile(): Promise<void> {
    const list = await this.kube.get<{ items: any[] }>("/api/v1/pods");
    const pods: FakePod[] = [];
    const now = Date.now();
    const failing = new Map<string, string>();
    for (const pod of list.items) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      try {
        const p = await this.reconcilePod(pod, now);
        if (p) pods.push(p);
      } catch (e) {
        const message = (e as Error).message;
        failing.set(key, message);
        // once per pod and message, not every second
        if (this.failing.get(key) !== message) this.opts.log?.(`pod faker: ${key}: ${message} (retrying; the other pods go on)`);
        // a pod that was already running keeps its last observed state in the snapshot
        const known = this.snapshot.find((x) => `${x.namespace}/${x.name}` === key);
        if (known && !pod.metadata.deletionTimestamp) pods.push(known);
      }
    }
    this.failing = failing;
    this.snapshot = pods;
  }

  /** Binds, deletes or marks one pod; returns it when it runs on the fake node. */
  private async reconcilePod(pod: any, now: number): Promise<FakePod | undefined> {
    const ns = pod.metadata.namespace as string;
    const name = pod.metadata.name as string;
    const uid = pod.metadata.uid as string;
    const base = `/api/v1/namespaces/${ns}/pods/${name}`;
    if (pod.metadata.deletionTimestamp) {
      // The kubelet's final delete: without it a terminating pod (and its Namespace) never goes.
      await this.kube.request("DELETE", base, { apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0 }).catch((e: unknown) => {
        if (!(e instanceof KubeError && e.status === 404)) throw e;
      });
      this.boundAt.delete(uid);
      return undefined;
    }
    if (!pod.spec.nodeName) {
      await this.kube.request("POST", `${base}/binding`, {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name, namespace: ns },
        target: { apiVersion: "v1", kind: "Node", name: FAKE_NODE },
      });
      this.boundAt.set(uid, now);
      return undefined;
    }
    if (!this.boundAt.has(uid)) {
      const started = pod.status?.startTime ? Date.parse(pod.status.startTime) : now;
      this.boundAt.set(uid, started);
    }
    const since = this.boundAt.get(uid)!;
    const readyAfter = (this.opts.readyAfterSeconds ?? startupProbeSeconds)(pod) * 1000;
    const ready = now - since >= readyAfter;
    const isReady = pod.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") === true;
    const podIP = pod.status?.podIP ?? this.ipFor(uid);
    if (pod.status?.phase !== "Running" || ready !== isReady) {
      const startTime = new Date(since).toISOString();
      const t = new Date(now).toISOString();
      const cond = (type: string, status: boolean) => ({
        type,
        status: status ? "True" : "False",
        lastProbeTime: null,
        lastTransitionTime: t,
      });
      await this.kube.request(
        "PATCH",
        `${base}/status`,
        {
          status: {
            phase: "Running",
            hostIP: "127.0.0.1",
            hostIPs: [{ ip: "127.0.0.1" }],
            podIP,
            podIPs: [{ ip: podIP }],
            startTime,
            conditions: [cond("PodScheduled", true), cond("Initialized", true), cond("ContainersReady", ready), cond("Ready", ready)],
            containerStatuses: (pod.spec.containers as any[]).map((c) => ({
              name: c.name,
              image: c.image,
              imageID: "",
              ready,
              started: ready,
              restartCount: 0,
              state: { running: { startedAt: startTime } },
            })),
          },
        },
        "application/merge-patch+json",
      );
    }
    return {
      namespace: ns,
      name,
      labels: pod.metadata.labels ?? {},
      podIP,
      ready,
      containers: (pod.spec.containers as any[]).map((c) => ({
        name: c.name,
        cpuRequestMilli: parseQuantity(c.resources?.requests?.cpu ?? 0) * 1000,
        memoryRequestBytes: parseQuantity(c.resources?.requests?.memory ?? 0),
      })),
      raw: pod,
    };
  }

  /** Throws the last reconcile error, if the faker is failing. */
  check(): void {
    if (this.lastError) {
      const e = this.lastError;
      this.lastError = undefined;
      throw e;
    }
  }
}
