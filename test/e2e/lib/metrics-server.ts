/**
 * The harness's `metrics.k8s.io` server (registered as an aggregated API): PodMetrics for every pod
 * the pod faker runs, so KEDA's cpu/memory triggers (Resource/ContainerResource metrics of the HPA)
 * are live and never a broken metric. Usage per container comes from `usage` (default: 30 % of the
 * CPU request, 50 % of the memory request).
 */
import { createServer, type Server } from "node:https";
import { readFileSync } from "node:fs";
import type { FakePod } from "./pod-faker.js";

export type UsageFn = (pod: FakePod, container: FakePod["containers"][number]) => { cpuMilli: number; memoryBytes: number };

export const defaultUsage: UsageFn = (_pod, c) => ({ cpuMilli: c.cpuRequestMilli * 0.3, memoryBytes: c.memoryRequestBytes * 0.5 });

/** Matches a label selector string as the HPA sends it (k=v, k==v, k!=v, k in (a,b), k notin (a,b), k, !k). */
export function matchesSelector(selector: string, labels: Readonly<Record<string, string>>): boolean {
  if (!selector.trim()) return true;
  const terms = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return terms.every((raw) => {
    const t = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(t))) {
      const values = m[3]!.split(",").map((v) => v.trim());
      const has = m[1]! in labels && values.includes(labels[m[1]!]!);
      return m[2] === "in" ? has : !has;
    }
    if ((m = /^(\S+?)\s*(!=|==|=)\s*(\S*)$/.exec(t))) return m[2] === "!=" ? labels[m[1]!] !== m[3] : labels[m[1]!] === m[3];
    if (t.startsWith("!")) return !(t.slice(1) in labels);
    return t in labels;
  });
}

export interface MetricsServer {
  readonly port: number;
  setUsage(fn: UsageFn): void;
  close(): Promise<void>;
}

export async function startMetricsServer(opts: {
  port: number;
  cert: string;
  key: string;
  pods: () => readonly FakePod[];
}): Promise<MetricsServer> {
  let usage = defaultUsage;
  const gv = "metrics.k8s.io/v1beta1";
  const podMetrics = (p: FakePod) => ({
    kind: "PodMetrics",
    apiVersion: gv,
    metadata: { name: p.name, namespace: p.namespace, labels: p.labels, creationTimestamp: new Date().toISOString() },
    timestamp: new Date(Date.now() - 1000).toISOString(),
    window: "15s",
    containers: p.containers.map((c) => {
      const u = usage(p, c);
      return { name: c.name, usage: { cpu: `${Math.round(u.cpuMilli)}m`, memory: `${Math.round(u.memoryBytes / 1024)}Ki` } };
    }),
  });
  const server: Server = createServer({ cert: readFileSync(opts.cert), key: readFileSync(opts.key) }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://localhost");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const path = url.pathname.replace(/\/$/, "");
    if (path === "/healthz" || path === "/readyz" || path === "/livez") return void res.end("ok");
    if (path === "/apis/metrics.k8s.io/v1beta1") {
      return send(200, {
        kind: "APIResourceList",
        apiVersion: "v1",
        groupVersion: gv,
        resources: [
          { name: "pods", singularName: "", namespaced: true, kind: "PodMetrics", verbs: ["get", "list"] },
          { name: "nodes", singularName: "", namespaced: false, kind: "NodeMetrics", verbs: ["get", "list"] },
        ],
      });
    }
    const m = /^\/apis\/metrics\.k8s\.io\/v1beta1(?:\/namespaces\/([^/]+))?\/pods(?:\/([^/]+))?$/.exec(path);
    if (m) {
      const selector = url.searchParams.get("labelSelector") ?? "";
      const pods = opts
        .pods()
        .filter((p) => (!m[1] || p.namespace === m[1]) && (!m[2] || p.name === m[2]) && matchesSelector(selector, p.labels));
      if (m[2])
        return pods[0]
          ? send(200, podMetrics(pods[0]))
          : send(404, {
              kind: "Status",
              apiVersion: "v1",
              status: "Failure",
              reason: "NotFound",
              code: 404,
              message: `podmetrics "${m[2]}" not found`,
            });
      return send(200, { kind: "PodMetricsList", apiVersion: gv, metadata: {}, items: pods.map(podMetrics) });
    }
    if (/^\/apis\/metrics\.k8s\.io\/v1beta1\/nodes/.test(path))
      return send(200, { kind: "NodeMetricsList", apiVersion: gv, metadata: {}, items: [] });
    send(404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: `${path} not served` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, "127.0.0.1", () => resolve());
  });
  return {
    port: opts.port,
    setUsage: (fn) => (usage = fn),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
