/**
 * A real Prometheus (Debian's `prometheus`) on 127.0.0.1:9090 — the port of the rendered
 * serverAddress, which resolves to 127.0.0.1 in the sandbox — loading dist/<env>/rules/*.yaml and
 * scraping one exporter process per running fake pod (Ready or still starting). The scrape job is what prometheus-operator
 * generates from the rendered ServiceMonitor: the same interval, timeout, path, honorLabels and
 * metricRelabelings, and the target labels of its endpoints role (job = Service name, namespace,
 * service, pod, container, endpoint = port name, instance = podIP:port). Targets are a file_sd
 * file the fleet rewrites; only the address (127.0.0.1:<exporter port>) differs from a cluster.
 */
import { writeFileSync, readdirSync, renameSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { stringify } from "yaml";
import { waitFor } from "./kube.js";
import type { ProcessGroup, Managed } from "./processes.js";
import type { FakePod } from "./pod-faker.js";
import { matchesSelector } from "./metrics-server.js";

export const PROMETHEUS_PORT = 9090;
const EXPORTER = join(dirname(fileURLToPath(import.meta.url)), "exporter.mjs");

const camelToSnake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
function relabel(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) out[camelToSnake(k)] = k === "action" ? String(v).toLowerCase() : v;
  return out;
}

export interface ScrapeTarget {
  readonly serviceMonitor: any;
  readonly service: any;
  /** The Deployment's container that declares the port, and the port's number. */
  readonly container: string;
  readonly containerPort: number;
}

/** The scrape job prometheus-operator renders for the ServiceMonitor's first endpoint, with file_sd targets. */
export function scrapeJob(t: ScrapeTarget, sdFile: string): Record<string, unknown> {
  const sm = t.serviceMonitor;
  const ep = sm.spec.endpoints[0];
  return {
    job_name: `serviceMonitor/${sm.metadata.namespace}/${sm.metadata.name}/0`,
    honor_labels: ep.honorLabels ?? false,
    scrape_interval: ep.interval ?? "30s",
    scrape_timeout: ep.scrapeTimeout ?? "10s",
    metrics_path: ep.path ?? "/metrics",
    scheme: ep.scheme ?? "http",
    file_sd_configs: [{ files: [sdFile], refresh_interval: "5s" }],
    metric_relabel_configs: (ep.metricRelabelings ?? []).map(relabel),
  };
}

export interface Prometheus {
  readonly url: string;
  readonly process: Managed;
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Active alerts (state pending|firing). */
  alerts(): Promise<{ labels: Record<string, string>; state: string }[]>;
}

export async function startPrometheus(
  group: ProcessGroup,
  opts: { dir: string; rulesDirs: readonly string[]; jobs: readonly Record<string, unknown>[] },
): Promise<Prometheus> {
  mkdirSync(opts.dir, { recursive: true });
  const ruleFiles = opts.rulesDirs.flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith(".yaml"))
      .sort()
      .map((f) => join(d, f)),
  );
  const config = {
    // kube-prometheus-stack's defaults
    global: { scrape_interval: "30s", evaluation_interval: "30s" },
    rule_files: ruleFiles,
    scrape_configs: opts.jobs,
  };
  const configFile = join(opts.dir, "prometheus.yml");
  writeFileSync(configFile, stringify(config));
  const proc = group.start("prometheus", "prometheus", [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(opts.dir, "data")}`,
    `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`,
    "--log.level=warn",
  ]);
  const url = `http://127.0.0.1:${PROMETHEUS_PORT}`;
  await waitFor("prometheus /-/ready", 90_000, async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok === true, {
    check: () => group.check(),
  });
  const api = async (path: string): Promise<any> => {
    const r = await fetch(`${url}${path}`);
    const j = (await r.json()) as { status: string; data: any; error?: string };
    if (j.status !== "success") throw new Error(`prometheus ${path}: ${j.error}`);
    return j.data;
  };
  return {
    url,
    process: proc,
    query: async (expr) => (await api(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    alerts: async () => (await api("/api/v1/alerts")).alerts,
  };
}

/**
 * The one Prometheus answers on every other port a rendered serverAddress names (dev's
 * `prometheus-server…:80`): loopback TCP forwarders to PROMETHEUS_PORT, in this process. Each
 * environment's queries select its own namespace and job, so one server serves them all. Returns
 * the function that closes them.
 */
export async function forwardToPrometheus(ports: readonly number[]): Promise<() => Promise<void>> {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  for (const port of ports.filter((p) => p !== PROMETHEUS_PORT)) {
    const server = createServer((inbound) => {
      const outbound = createConnection({ host: "127.0.0.1", port: PROMETHEUS_PORT });
      for (const sock of [inbound, outbound]) {
        sockets.add(sock);
        sock.on("close", () => sockets.delete(sock));
      }
      inbound.pipe(outbound).pipe(inbound);
      inbound.on("error", () => outbound.destroy());
      outbound.on("error", () => inbound.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    servers.push(server);
  }
  return async () => {
    for (const sock of sockets) sock.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  };
}

/** Per-pod state the exporters serve (cumulative counters and gauges). */
export interface ExporterState {
  buckets: number[];
  count: number;
  sum: number;
  requests: number;
  errors: number;
  inFlight: number;
  queue: number;
}

/**
 * One exporter process per running pod selected by the Service, Ready or not, and the file_sd
 * targets file with the labels prometheus-operator would give each target. Not-ready pods are
 * targets too, as in a cluster: the endpoints (and endpointslice) role lists a Service's
 * notReadyAddresses, prometheus-operator's ServiceMonitor job drops only Failed and Succeeded pods
 * (`filterRunning`), and the plain pod-role job keeps every pod with the labels. A starting pod's
 * container answers on its metrics port from its start (its counters at zero until it serves). `scraping = false` stops every exporter
 * (the targets stay, so `up` is 0: a lost scrape, not a vanished target).
 */
export class ExporterFleet {
  private readonly running = new Map<string, { m: Managed | undefined; port: number; pod: FakePod }>();
  private nextPort = 20000;
  private scraping = true;

  constructor(
    private readonly group: ProcessGroup,
    private readonly target: ScrapeTarget,
    private readonly sdFile: string,
    private readonly bounds: readonly number[],
  ) {
    this.writeTargets();
  }

  /** Running pods of the Service (Ready or not), as last synced. */
  pods(): FakePod[] {
    return [...this.running.values()].map((r) => r.pod);
  }

  private selected(p: FakePod): boolean {
    const svc = this.target.service;
    const sel = Object.entries(svc.spec.selector as Record<string, string>)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    return p.namespace === svc.metadata.namespace && matchesSelector(sel, p.labels);
  }

  private startExporter(pod: string, port: number): Managed {
    return this.group.start(`exporter-${pod}`, process.execPath, [EXPORTER, String(port), this.bounds.join(",")]);
  }

  /** Follow the pods: an exporter for each new running pod, none for a pod that went away. */
  async sync(pods: readonly FakePod[]): Promise<void> {
    const want = new Map(pods.filter((p) => this.selected(p)).map((p) => [p.name, p]));
    let changed = false;
    for (const [name, r] of this.running) {
      if (want.has(name)) continue;
      if (r.m) await this.group.stop(r.m);
      this.running.delete(name);
      changed = true;
    }
    for (const [name, pod] of want) {
      const r = this.running.get(name);
      if (r) {
        this.running.set(name, { ...r, pod });
        continue;
      }
      const port = this.nextPort++;
      this.running.set(name, { m: this.scraping ? this.startExporter(name, port) : undefined, port, pod });
      changed = true;
    }
    if (changed) this.writeTargets();
  }

  /** Stop every exporter (scrapes fail: `up` = 0, the targets stay) or start them again. */
  async setScraping(on: boolean): Promise<void> {
    this.scraping = on;
    for (const [name, r] of this.running) {
      if (!on && r.m) await this.group.stop(r.m);
      this.running.set(name, { ...r, m: on ? this.startExporter(name, r.port) : undefined });
    }
  }

  /** Push each pod's state to its exporter. */
  async push(state: (pod: FakePod) => ExporterState): Promise<void> {
    await Promise.all(
      [...this.running.values()]
        .filter((r) => r.m)
        .map((r) =>
          fetch(`http://127.0.0.1:${r.port}/state`, { method: "POST", body: JSON.stringify(state(r.pod)) }).catch(() => undefined),
        ),
    );
  }

  private writeTargets(): void {
    const svc = this.target.service;
    const portName = this.target.serviceMonitor.spec.endpoints[0].port as string;
    const groups = [...this.running.entries()].map(([name, r]) => ({
      targets: [`127.0.0.1:${r.port}`],
      labels: {
        // what the endpoints role + prometheus-operator's relabelling leave on a target
        instance: `${r.pod.podIP}:${this.target.containerPort}`,
        job: svc.metadata.name,
        namespace: svc.metadata.namespace,
        service: svc.metadata.name,
        pod: name,
        container: this.target.container,
        endpoint: portName,
      },
    }));
    const tmp = `${this.sdFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(groups));
    renameSync(tmp, this.sdFile);
  }

  async stopAll(): Promise<void> {
    for (const r of this.running.values()) if (r.m) await this.group.stop(r.m);
    this.running.clear();
  }
}
