/**
 * KEDA in the e2e control plane: its CRDs and install manifests read from the KEDA Go module at the
 * pinned version (config/crd/bases, config/webhooks, config/metrics-server; never committed), its
 * three processes (operator, metrics API server, admission webhooks) built from that module, and
 * the prometheus-operator CRDs from that project's module.
 *
 * What differs from a Helm install, and why:
 *  - the Services KEDA's APIService and webhook configuration point at are ExternalName Services
 *    resolving to 127.0.0.1 with the port the process listens on (no kube-proxy, no Endpoints to
 *    loopback); the APIService and webhooks get the port and the harness CA as caBundle;
 *  - the webhooks' failurePolicy is Fail (upstream: Ignore), so an unreachable webhook fails the
 *    apply instead of silently admitting everything;
 *  - the processes use the admin kubeconfig (no RBAC install), certificate rotation is off (the
 *    harness issues the certificates).
 */
import { readFileSync, readdirSync, mkdirSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { goModuleDir, type BinaryName } from "./build.js";
import type { CertAuthority } from "./certs.js";
import { type Kube, type KubeObject, waitFor } from "./kube.js";
import type { ProcessGroup, Managed } from "./processes.js";
import { lastLines } from "./processes.js";
import { versions } from "./versions.js";
import { registerAggregatedApi, waitAvailable } from "./aggregation.js";
import { E2eSetupError } from "./build.js";

export const KEDA_NAMESPACE = "keda";
export const KEDA_PORTS = {
  operatorGrpc: 9666,
  operatorMetrics: 8180,
  operatorHealth: 8181,
  metricsApiserver: 6444,
  adapterMetrics: 8280,
  webhooks: 9443,
  webhooksMetrics: 8380,
  webhooksHealth: 8381,
} as const;

/** Names KEDA's processes dial (the adapter dials the operator's gRPC service by name). */
export const KEDA_SERVICE_NAMES = ["keda-operator.keda.svc.cluster.local", "keda-operator.keda.svc", "keda-operator.keda"];

function yamlDocs(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(file, "utf8"))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((d): d is KubeObject => d !== null && typeof d === "object" && "kind" in d);
}

async function applyCrds(kube: Kube, files: string[]): Promise<void> {
  const names: string[] = [];
  for (const f of files) {
    for (const crd of yamlDocs(f)) {
      await kube.apply(crd);
      names.push(crd.metadata.name);
    }
  }
  for (const n of names) {
    await waitFor(`CRD ${n} Established`, 60_000, async () => {
      const c = await kube.get<any>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${n}`);
      return (c.status?.conditions ?? []).some((x: any) => x.type === "Established" && x.status === "True");
    });
  }
  kube.forgetDiscovery();
}

export async function installPrometheusOperatorCrds(kube: Kube, log: (l: string) => void): Promise<void> {
  const v = versions().prometheusOperator;
  const dir = join(goModuleDir("github.com/prometheus-operator/prometheus-operator", v), "example", "prometheus-operator-crd");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => join(dir, f));
  await applyCrds(kube, files);
  log(`prometheus-operator ${v} CRDs installed (${files.length})`);
}

export interface KedaInstallContext {
  readonly group: ProcessGroup;
  readonly bins: Partial<Record<BinaryName, string>>;
  readonly ca: CertAuthority;
  readonly certDir: string;
  readonly kubeconfigPath: string;
  readonly log: (l: string) => void;
}

async function waitHttp(ctx: KedaInstallContext, m: Managed, url: string): Promise<void> {
  try {
    await waitFor(`${m.name} ${url}`, 120_000, async () => (await fetch(url).catch(() => undefined))?.ok === true, {
      check: () => ctx.group.check(),
    });
  } catch (e) {
    if (e instanceof E2eSetupError) throw e;
    throw new E2eSetupError(
      `${m.name} did not become ready (${(e as Error).message})\ncommand: ${m.command}\nlast lines of ${m.logFile}:\n${lastLines(m.logFile)}`,
    );
  }
}

export async function installKeda(kube: Kube, ctx: KedaInstallContext): Promise<void> {
  const version = versions().keda;
  const mod = goModuleDir("github.com/kedacore/keda/v2", version);
  const crdDir = join(mod, "config", "crd", "bases");
  await applyCrds(
    kube,
    readdirSync(crdDir)
      .filter((f) => f.endsWith(".yaml"))
      .sort()
      .map((f) => join(crdDir, f)),
  );
  ctx.log(`KEDA ${version} CRDs installed`);

  // one serving/client certificate for the three processes (gRPC between operator and adapter is mTLS)
  const kedaCerts = join(ctx.certDir, "keda");
  mkdirSync(kedaCerts, { recursive: true });
  const services = ["keda-operator", "keda-metrics-apiserver", "keda-admission-webhooks"];
  const pair = ctx.ca.issue("keda", "keda", {
    dns: [
      ...services.flatMap((s) => [`${s}.${KEDA_NAMESPACE}.svc`, `${s}.${KEDA_NAMESPACE}.svc.cluster.local`, `${s}.${KEDA_NAMESPACE}`]),
      "localhost",
    ],
    ips: ["127.0.0.1"],
  });
  copyFileSync(pair.cert, join(kedaCerts, "tls.crt"));
  copyFileSync(pair.key, join(kedaCerts, "tls.key"));
  copyFileSync(ctx.ca.cert, join(kedaCerts, "ca.crt"));

  await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: KEDA_NAMESPACE } });
  const env = {
    KUBECONFIG: ctx.kubeconfigPath,
    WATCH_NAMESPACE: "",
    POD_NAMESPACE: KEDA_NAMESPACE,
    POD_NAME: "keda-e2e",
    OPERATOR_NAME: "keda-operator",
    KEDA_CLUSTER_OBJECT_NAMESPACE: KEDA_NAMESPACE,
  };
  const P = KEDA_PORTS;
  const operator = ctx.group.start(
    "keda-operator",
    ctx.bins["keda-operator"]!,
    [
      "--leader-elect=false",
      `--metrics-bind-address=127.0.0.1:${P.operatorMetrics}`,
      `--health-probe-bind-address=127.0.0.1:${P.operatorHealth}`,
      `--metrics-service-bind-address=127.0.0.1:${P.operatorGrpc}`,
      `--cert-dir=${kedaCerts}`,
      `--ca-dir=${kedaCerts}`,
      "--enable-cert-rotation=false",
      "--enable-webhook-patching=false",
      "--zap-log-level=info",
    ],
    { env },
  );
  const webhooks = ctx.group.start(
    "keda-webhooks",
    ctx.bins["keda-webhooks"]!,
    [
      `--port=${P.webhooks}`,
      `--cert-dir=${kedaCerts}`,
      `--metrics-bind-address=127.0.0.1:${P.webhooksMetrics}`,
      `--health-probe-bind-address=127.0.0.1:${P.webhooksHealth}`,
      "--zap-log-level=info",
    ],
    { env },
  );
  await waitHttp(ctx, operator, `http://127.0.0.1:${P.operatorHealth}/healthz`);
  const adapter = ctx.group.start(
    "keda-metrics-apiserver",
    ctx.bins["keda-adapter"]!,
    [
      "--bind-address=127.0.0.1",
      `--secure-port=${P.metricsApiserver}`,
      `--cert-dir=${kedaCerts}`,
      `--tls-cert-file=${join(kedaCerts, "tls.crt")}`,
      `--tls-private-key-file=${join(kedaCerts, "tls.key")}`,
      `--client-ca-file=${join(kedaCerts, "ca.crt")}`,
      `--metrics-service-address=keda-operator.${KEDA_NAMESPACE}.svc.cluster.local:${P.operatorGrpc}`,
      `--lister-kubeconfig=${ctx.kubeconfigPath}`,
      `--authentication-kubeconfig=${ctx.kubeconfigPath}`,
      `--authorization-kubeconfig=${ctx.kubeconfigPath}`,
      `--port=${P.adapterMetrics}`,
    ],
    { env },
  );
  await waitHttp(ctx, webhooks, `http://127.0.0.1:${P.webhooksHealth}/readyz`);

  const caBundle = ctx.ca.pem();
  // the admission webhooks: upstream configuration, routed to the local process
  await kube.apply({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "keda-admission-webhooks", namespace: KEDA_NAMESPACE },
    spec: {
      type: "ExternalName",
      externalName: "127.0.0.1",
      ports: [{ name: "https", port: P.webhooks, targetPort: P.webhooks, protocol: "TCP" }],
    },
  });
  for (const cfg of yamlDocs(join(mod, "config", "webhooks", "validation_webhooks.yaml"))) {
    for (const w of (cfg as any).webhooks as any[]) {
      w.clientConfig.service.port = P.webhooks;
      w.clientConfig.caBundle = Buffer.from(caBundle).toString("base64");
      w.failurePolicy = "Fail";
    }
    await kube.apply(cfg);
  }
  // external.metrics.k8s.io → the KEDA metrics API server
  const apiService = yamlDocs(join(mod, "config", "metrics-server", "api_service.yaml"))[0] as any;
  await registerAggregatedApi(kube, {
    name: apiService.spec.service.name,
    namespace: apiService.spec.service.namespace,
    port: P.metricsApiserver,
    group: apiService.spec.group,
    version: apiService.spec.version,
    caBundle,
  });
  try {
    await waitAvailable(kube, `${apiService.spec.version}.${apiService.spec.group}`, () => ctx.group.check());
  } catch (e) {
    throw new E2eSetupError(
      `${(e as Error).message}\ncommand: ${adapter.command}\nlast lines of ${adapter.logFile}:\n${lastLines(adapter.logFile)}`,
    );
  }
  ctx.log(`KEDA ${version} running: operator pid ${operator.pid}, metrics API server pid ${adapter.pid}, webhooks pid ${webhooks.pid}`);
}
