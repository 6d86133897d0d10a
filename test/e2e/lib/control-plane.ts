/**
 * A throw-away Kubernetes control plane on 127.0.0.1 inside the e2e sandbox (see sandbox.ts):
 * etcd, kube-apiserver, kube-controller-manager (the deployment, replicaset and
 * horizontal-pod-autoscaler controllers and the few the objects need), the pod faker and the
 * harness's metrics.k8s.io server; KEDA (operator, metrics API server, admission webhooks) and the
 * prometheus-operator CRDs when asked. Everything is stopped by PID in stop(), also when start
 * fails half-way.
 *
 *   await enterSandbox();                       // once, at the top of the entry point, after builds
 *   const cp = await startControlPlane({ keda: true });
 *   try { … cp.kubeconfigPath … } finally { await cp.stop(); }
 */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ensureBinaries, E2eSetupError, type BinaryName } from "./build.js";
import { CertAuthority, serviceAccountKeys } from "./certs.js";
import { Kube, waitFor } from "./kube.js";
import { lastLines, ProcessGroup, type Managed } from "./processes.js";
import { PodFaker, type PodFakerOptions } from "./pod-faker.js";
import { startMetricsServer, type MetricsServer } from "./metrics-server.js";
import { inSandbox, resolveToLoopback } from "./sandbox.js";
import { installKeda, installPrometheusOperatorCrds, KEDA_SERVICE_NAMES } from "./keda.js";
import { registerAggregatedApi, waitAvailable } from "./aggregation.js";

/** Fixed ports: the sandbox has a loopback interface of its own. */
export const PORTS = {
  etcdClient: 2379,
  etcdPeer: 2380,
  apiserver: 6443,
  controllerManager: 10257,
  metricsServer: 4443,
} as const;

/**
 * kube-controller-manager's HPA settings: upstream defaults, written out so the record is explicit
 * (the simulator assumes the same).
 */
export const HPA_CONTROLLER_FLAGS = {
  "horizontal-pod-autoscaler-sync-period": "15s",
  "horizontal-pod-autoscaler-tolerance": "0.1",
  "horizontal-pod-autoscaler-downscale-stabilization": "5m0s",
  "horizontal-pod-autoscaler-initial-readiness-delay": "30s",
  "horizontal-pod-autoscaler-cpu-initialization-period": "5m0s",
} as const;

/** Controllers run: no node-lifecycle (the fake node sends no heartbeats), no kubelet-facing ones. */
export const CONTROLLERS = [
  "deployment-controller",
  "replicaset-controller",
  "horizontal-pod-autoscaler-controller",
  "garbage-collector-controller",
  "namespace-controller",
  "serviceaccount-controller",
  "serviceaccount-token-controller",
  "resourcequota-controller",
  "disruption-controller",
  "root-ca-certificate-publisher-controller",
  // Endpoints of Services with a selector (fake pod IPs): Pulumi's Service await waits for them (e2e:pulumi).
  "endpoints-controller",
] as const;

export interface ControlPlaneOptions {
  /** Also start KEDA and install its CRDs (default false). */
  readonly keda?: boolean;
  /** Install the prometheus-operator CRDs (ServiceMonitor, PrometheusRule, …); default: same as keda. */
  readonly prometheusOperatorCrds?: boolean;
  /** In-cluster names (e.g. a Prometheus serverAddress host) that must resolve to 127.0.0.1. */
  readonly loopbackNames?: readonly string[];
  /** Pod faker options (time to Ready). */
  readonly pods?: PodFakerOptions;
  /** Progress lines (default: stderr). */
  readonly log?: (line: string) => void;
  /** Keep the temp dir (certs, logs, data) after stop() (default: only when start failed). */
  readonly keepDir?: boolean;
}

export interface ControlPlane {
  readonly kubeconfigPath: string;
  readonly server: string;
  /** The run's temp dir: certs/, logs/, etcd data. */
  readonly dir: string;
  readonly logDir: string;
  readonly kube: Kube;
  readonly pods: PodFaker;
  readonly metrics: MetricsServer;
  readonly processes: ProcessGroup;
  readonly ca: CertAuthority;
  /** Throws if a component exited or KEDA broke (call while waiting). */
  check(): void;
  stop(): Promise<void>;
}

function kubeconfig(server: string, ca: string, cert: string, key: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "e2e", cluster: { server, "certificate-authority": ca } }],
    users: [{ name: "e2e-admin", user: { "client-certificate": cert, "client-key": key } }],
    contexts: [{ name: "e2e", context: { cluster: "e2e", user: "e2e-admin" } }],
    "current-context": "e2e",
  });
}

/** Waits until `m` serves, reporting the component, command and last log lines on timeout. */
async function waitServing(group: ProcessGroup, m: Managed, what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  try {
    await waitFor(what, timeoutMs, async () => (await probe()) || undefined, { check: () => group.check() });
  } catch (e) {
    if (e instanceof E2eSetupError) throw e;
    throw new E2eSetupError(
      `${m.name} did not become ready (${(e as Error).message})\ncommand: ${m.command}\nlast lines of ${m.logFile}:\n${lastLines(m.logFile)}`,
    );
  }
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  if (!inSandbox())
    throw new E2eSetupError(
      "startControlPlane runs inside the e2e sandbox: call `await enterSandbox()` (test/e2e/lib/sandbox.ts) first, after any Go builds",
    );
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const names: BinaryName[] = ["etcd", "kube-apiserver", "kube-controller-manager"];
  if (opts.keda) names.push("keda-operator", "keda-adapter", "keda-webhooks");
  const bins = await ensureBinaries(names, log);

  const dir = mkdtempSync(join(tmpdir(), "inference-scaling-e2e-"));
  const certDir = join(dir, "certs");
  const logDir = join(dir, "logs");
  mkdirSync(certDir);
  mkdirSync(logDir);
  const group = new ProcessGroup(logDir);
  let faker: PodFaker | undefined;
  let metrics: MetricsServer | undefined;
  const stop = async (keep: boolean) => {
    await faker?.stop();
    await metrics?.close();
    await group.stopAll();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  };

  try {
    resolveToLoopback([...(opts.loopbackNames ?? []), ...(opts.keda ? KEDA_SERVICE_NAMES : [])], dir);
    // certificates
    const ca = new CertAuthority(certDir, "cluster-ca");
    const frontProxyCa = new CertAuthority(certDir, "front-proxy-ca");
    const serving = ca.issue("apiserver", "kube-apiserver", {
      dns: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"],
      ips: ["127.0.0.1", "10.96.0.1"],
    });
    const admin = ca.issue("admin", "e2e-admin", { orgs: ["system:masters"] });
    const proxyClient = frontProxyCa.issue("front-proxy-client", "front-proxy-client");
    const sa = serviceAccountKeys(certDir);
    const metricsCert = ca.issue("metrics-server", "e2e-metrics-server", {
      dns: ["e2e-metrics-server.kube-system.svc", "localhost"],
      ips: ["127.0.0.1"],
    });
    const server = `https://127.0.0.1:${PORTS.apiserver}`;
    const kubeconfigPath = join(dir, "kubeconfig");
    writeFileSync(kubeconfigPath, kubeconfig(server, ca.cert, admin.cert, admin.key));

    // etcd
    const etcd = group.start("etcd", bins.etcd, [
      "--name=e2e",
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=http://127.0.0.1:${PORTS.etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${PORTS.etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${PORTS.etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${PORTS.etcdPeer}`,
      `--initial-cluster=e2e=http://127.0.0.1:${PORTS.etcdPeer}`,
      "--listen-metrics-urls=",
      "--unsafe-no-fsync",
      "--log-level=warn",
    ]);
    await waitServing(group, etcd, "etcd /health", 60_000, async () => {
      const r = await fetch(`http://127.0.0.1:${PORTS.etcdClient}/health`).catch(() => undefined);
      return r?.ok === true;
    });
    log(`etcd ready (pid ${etcd.pid})`);

    // kube-apiserver
    const apiserver = group.start("kube-apiserver", bins["kube-apiserver"], [
      `--etcd-servers=http://127.0.0.1:${PORTS.etcdClient}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${PORTS.apiserver}`,
      `--tls-cert-file=${serving.cert}`,
      `--tls-private-key-file=${serving.key}`,
      `--client-ca-file=${ca.cert}`,
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${sa.publicKey}`,
      `--service-account-signing-key-file=${sa.privateKey}`,
      "--service-cluster-ip-range=10.96.0.0/16",
      "--authorization-mode=RBAC",
      "--endpoint-reconciler-type=none",
      `--requestheader-client-ca-file=${frontProxyCa.cert}`,
      "--requestheader-allowed-names=front-proxy-client",
      "--requestheader-username-headers=X-Remote-User",
      "--requestheader-group-headers=X-Remote-Group",
      "--requestheader-extra-headers-prefix=X-Remote-Extra-",
      `--proxy-client-cert-file=${proxyClient.cert}`,
      `--proxy-client-key-file=${proxyClient.key}`,
      "--profiling=false",
      "--v=1",
    ]);
    const kube = new Kube({ server, ca: ca.cert, cert: admin.cert, key: admin.key });
    await waitServing(
      group,
      apiserver,
      "kube-apiserver /readyz",
      180_000,
      async () =>
        await kube.request("GET", "/readyz").then(
          () => true,
          () => false,
        ),
    );
    log(`kube-apiserver ready on ${server} (pid ${apiserver.pid})`);

    // kube-controller-manager
    const kcm = group.start("kube-controller-manager", bins["kube-controller-manager"], [
      `--kubeconfig=${kubeconfigPath}`,
      `--authentication-kubeconfig=${kubeconfigPath}`,
      `--authorization-kubeconfig=${kubeconfigPath}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${PORTS.controllerManager}`,
      "--leader-elect=false",
      `--controllers=${CONTROLLERS.join(",")}`,
      `--service-account-private-key-file=${sa.privateKey}`,
      `--root-ca-file=${ca.cert}`,
      "--use-service-account-credentials=false",
      ...Object.entries(HPA_CONTROLLER_FLAGS).map(([k, v]) => `--${k}=${v}`),
      "--profiling=false",
      "--v=2",
    ]);
    await waitServing(
      group,
      kcm,
      "kube-controller-manager (the default ServiceAccount)",
      120_000,
      async () => (await kube.getOrUndefined("/api/v1/namespaces/default/serviceaccounts/default")) !== undefined,
    );
    log(`kube-controller-manager ready (pid ${kcm.pid})`);

    // pods and their metrics
    faker = new PodFaker(kube, { log, ...opts.pods });
    await faker.start();
    const f = faker;
    metrics = await startMetricsServer({ port: PORTS.metricsServer, cert: metricsCert.cert, key: metricsCert.key, pods: () => f.pods() });
    await registerAggregatedApi(kube, {
      name: "e2e-metrics-server",
      namespace: "kube-system",
      port: PORTS.metricsServer,
      group: "metrics.k8s.io",
      version: "v1beta1",
      caBundle: ca.pem(),
    });
    await waitAvailable(kube, "v1beta1.metrics.k8s.io", () => group.check());
    log("metrics.k8s.io available (harness metrics server)");

    if (opts.prometheusOperatorCrds ?? opts.keda) await installPrometheusOperatorCrds(kube, log);
    if (opts.keda) await installKeda(kube, { group, bins, ca, certDir, kubeconfigPath, log });

    const processes = group;
    return {
      kubeconfigPath,
      server,
      dir,
      logDir,
      kube,
      pods: faker,
      metrics,
      processes,
      ca,
      check: () => processes.check(),
      stop: () => stop(opts.keepDir ?? false),
    };
  } catch (e) {
    await stop(true);
    if (e instanceof Error && !(e instanceof E2eSetupError)) e.message += ` (logs kept in ${logDir})`;
    throw e;
  }
}
