/**
 * The cluster add-ons an environment's objects need: cert-manager (with a self-signed root →
 * CA certificate → CA issuer chain where KEDA is installed here, its only user), KEDA,
 * Prometheus (kube-prometheus-stack where the Prometheus Operator is used — with its Grafana
 * loading the environment's dashboards, if asked — the plain `prometheus` chart otherwise) and
 * prometheus-adapter. Each is either installed here as a pinned Helm release or declared already
 * present; the component then tells the inference stack which resource to wait for before
 * creating objects of a CRD group.
 */
import * as certmanager from "@pulumi/kubernetes-cert-manager";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GRAFANA_FOLDER_ANNOTATION } from "../constructs/dashboard.js";
import type { AddonValues } from "../stacks/addon-values.js";
import { createConfigSecret } from "./config-secret.js";

const PROMETHEUS_COMMUNITY = "https://prometheus-community.github.io/helm-charts";
const KEDA_CHARTS = "https://kedacore.github.io/charts";

/**
 * The label the dashboards' ConfigMaps carry (constructs/dashboard.ts) and the Grafana sidecar
 * selects: sidecar `label` / `labelValue`.
 */
export const GRAFANA_DASHBOARD_LABEL = { label: "grafana_dashboard", labelValue: "1" } as const;

/**
 * Makes Pulumi wait until a cert-manager resource reports `Ready=True` (@pulumi/kubernetes
 * `pulumi.com/waitFor`, form `condition=<type>[=<status>]`, status defaulting to True): without it
 * a custom resource counts as created as soon as the API server stores it, and KEDA's release
 * would start before its issuer can sign anything.
 */
export const AWAIT_READY = { "pulumi.com/waitFor": "condition=Ready" } as const;

/** The Secret Grafana reads its admin credentials from (grafana chart `admin.*`), keys as the chart's defaults. */
export const GRAFANA_ADMIN_SECRET = { name: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" } as const;

/** An add-on's chart version and namespace; `install: false` means it is already in the cluster. */
export interface AddonArgs {
  /** `true`: installed by this component; `false`: already present (nothing is created for it). */
  readonly install: boolean;
  /** Exact chart version. */
  readonly version: pulumi.Input<string>;
  /** Release namespace (created when missing). */
  readonly namespace: string;
}

export interface PrometheusArgs extends AddonArgs {
  /**
   * `kube-prometheus-stack` (Prometheus Operator: ServiceMonitor/PrometheusRule CRDs) or the plain
   * `prometheus` chart (pod-annotation scraping).
   */
  readonly chart: "kube-prometheus-stack" | "prometheus";
  /** Name of the Prometheus Service the environment's queries use. */
  readonly service: string;
  /** Port of that Service. */
  readonly port: number;
  /** Labels ServiceMonitors and PrometheusRules must carry to be picked up (operator only). */
  readonly selectorLabels: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * kube-prometheus-stack's Grafana, with the dashboards sidecar; only with `install` and chart
   * `kube-prometheus-stack`.
   * @default not installed (`grafana.enabled: false`): the dashboards need an existing Grafana
   */
  readonly grafana?: GrafanaArgs;
}

/**
 * Grafana's admin credentials come from a Secret created here before the release (grafana chart
 * `admin.existingSecret`), never from Helm values: the chart's default password is public, and
 * values are stored in the release in plain text.
 */
export interface GrafanaArgs {
  /** Admin password: a Pulumi secret from stack config. */
  readonly adminPassword: pulumi.Input<string>;
  /** @default "admin" */
  readonly adminUser?: pulumi.Input<string>;
}

/**
 * prometheus-adapter. The Prometheus it queries (`prometheus.url`/`port`/`path`) and its rules come
 * from the environment's values (`helmValues.prometheusAdapter`, stacks/monitoring.ts), the
 * single place that derives them.
 */
export type PrometheusAdapterArgs = AddonArgs;

/**
 * Values that only pass through to resources are `pulumi.Input`s; values that decide which
 * resources exist (install flags, chart, namespaces) are plain.
 */
export interface ClusterAddonsArgs {
  readonly certManager: AddonArgs;
  /** KEDA; omitted where the environment does not use it. */
  readonly keda?: AddonArgs;
  /** Prometheus; omitted where the environment uses an external one. */
  readonly prometheus?: PrometheusArgs;
  /**
   * The Prometheus Operator's CRDs exist in the cluster even though `prometheus` is omitted (an
   * external Prometheus with an operator-managed cluster). @default false
   */
  readonly prometheusOperatorCrds?: boolean;
  /** prometheus-adapter; omitted where the environment renders no adapter rules. */
  readonly prometheusAdapter?: PrometheusAdapterArgs;
  /**
   * Values the environment's objects need from the add-ons (`stack.addonValues`), one typed entry
   * per add-on, each merged over this component's own values for that release (e.g.
   * `prometheusAdapter` → its `rules` and Prometheus URL).
   * @default {} (the releases' own values only)
   */
  readonly helmValues?: AddonValues;
  /**
   * Prefix of the cluster-scoped issuer names (and of the CA Certificate and its Secret). Per
   * stack, so two stacks sharing a cluster never fight over one ClusterIssuer.
   * @default `inference-scaling-<stack>`
   */
  readonly issuerPrefix?: string;
}

/** Where the CRDs of an API group come from. */
export type CrdSource =
  /** Installed by this component: wait for the resource. */
  | { readonly kind: "installed"; readonly by: pulumi.Resource; readonly addon: string }
  /** Already in the cluster. */
  | { readonly kind: "present"; readonly addon: string };

/** Deep merge for Helm values: objects merge, everything else (arrays included) is replaced. */
export function mergeValues(base: Record<string, unknown>, over: object | undefined): Record<string, unknown> {
  if (!over) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const isObj = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
    out[k] = isObj(b) && isObj(v) ? mergeValues(b, v) : v;
  }
  return out;
}

/** kube-prometheus-stack names its Prometheus Service `<fullname>-prometheus`, fullname ≤ 26 chars. */
function kubePrometheusStackFullname(service: string): string {
  const m = /^(.{1,26})-prometheus$/.exec(service);
  if (!m || m[1]!.endsWith("-")) {
    throw new pulumi.RunError(
      `monitoring.prometheus.service "${service}" cannot be served by kube-prometheus-stack, which names its Service <fullname>-prometheus with a fullname of at most 26 characters. Fix: use a name such as kube-prometheus-stack-prometheus`,
    );
  }
  return m[1]!;
}

/**
 * The prometheus-adapter release's values: its own (generated rules only, cert-manager serving
 * certificate) with the environment's over them. Refuses values that would deploy a broken
 * adapter: rules at the top level, no Prometheus URL, external rules where KEDA serves that API.
 */
function prometheusAdapterValues(args: ClusterAddonsArgs): Record<string, unknown> {
  const values = mergeValues(
    {
      // Only the rules the monitoring constructs generate (the chart's defaults expose every series).
      rules: { default: false },
      // The chart's cert-manager mode: serving certificate issued by cert-manager, CA injected
      // into the APIServices by cainjector (instead of insecureSkipTLSVerify).
      certManager: { enabled: true },
    },
    args.helmValues?.prometheusAdapter,
  );
  for (const misplaced of ["custom", "external", "resource", "default"]) {
    if (misplaced in values) {
      throw new pulumi.RunError(
        `stack.addonValues.prometheusAdapter has a top-level "${misplaced}" key: it holds the chart's Helm values, so adapter rules belong under "rules". Fix: render { rules: { custom, external } }`,
      );
    }
  }
  if (typeof (values["prometheus"] as { url?: unknown } | undefined)?.url !== "string") {
    throw new pulumi.RunError(
      `stack.addonValues.prometheusAdapter has no prometheus.url, so the adapter would query the chart's default http://prometheus.default.svc. Fix: render the environment's Prometheus as { prometheus: { url, port, path } } (stacks/monitoring.ts does)`,
    );
  }
  const external = (values["rules"] as { external?: unknown[] } | undefined)?.external;
  if (args.keda && Array.isArray(external) && external.length > 0) {
    throw new pulumi.RunError(
      `prometheus-adapter would register external.metrics.k8s.io (${external.length} external rule(s)), which KEDA already serves in this cluster: the two APIServices collide. Fix: render adapter external rules only where cluster.keda is false`,
    );
  }
  return values;
}

/**
 * kube-prometheus-stack's fullname where this component installs it (undefined otherwise); refuses
 * a Grafana that would have no kube-prometheus-stack to come with.
 */
function installedKubePrometheusStack(args: ClusterAddonsArgs): string | undefined {
  const p = args.prometheus;
  const fullname = p?.install && p.chart === "kube-prometheus-stack" ? kubePrometheusStackFullname(p.service) : undefined;
  if (p?.grafana && !fullname) {
    throw new pulumi.RunError(
      `Grafana is installed only as part of kube-prometheus-stack, but ${p.install ? `chart ${p.chart}` : "a Prometheus already in the cluster"} is used here. Fix: omit prometheus.grafana and load the dashboards with an existing Grafana`,
    );
  }
  return fullname;
}

/** kube-prometheus-stack's Grafana: the dashboards sidecar, admin credentials from the Secret created first. */
function grafanaValues(grafana: GrafanaArgs | undefined): Record<string, unknown> {
  // Not installed: an existing Grafana loads the dashboards.
  if (!grafana) return { enabled: false };
  return {
    enabled: true,
    // Credentials from the Secret above; the chart's default password (public) is never used.
    admin: {
      existingSecret: GRAFANA_ADMIN_SECRET.name,
      userKey: GRAFANA_ADMIN_SECRET.userKey,
      passwordKey: GRAFANA_ADMIN_SECRET.passwordKey,
    },
    // Loads the dashboards ConfigMaps wherever the environments put them, each into the
    // folder its annotation names (dashboards.folder); the grafana chart ignores the
    // annotation unless both folder settings are given, and files without it land in General.
    sidecar: {
      dashboards: {
        enabled: true,
        ...GRAFANA_DASHBOARD_LABEL,
        searchNamespace: "ALL",
        folderAnnotation: GRAFANA_FOLDER_ANNOTATION,
        provider: { foldersFromFilesStructure: true },
      },
    },
  };
}

/** The Prometheus release's own values, before the environment's are merged over them. */
function prometheusOwnValues(p: PrometheusArgs, kpsFullname: string | undefined): Record<string, unknown> {
  if (p.chart === "kube-prometheus-stack") {
    return {
      // The Service the environment's queries address is <fullname>-prometheus.
      fullnameOverride: kpsFullname,
      grafana: grafanaValues(p.grafana),
      prometheus: {
        service: { port: p.port },
        prometheusSpec: {
          // Select exactly what the stack renders (monitoring.selectorLabels), in every namespace.
          serviceMonitorSelectorNilUsesHelmValues: false,
          serviceMonitorSelector: { matchLabels: p.selectorLabels },
          serviceMonitorNamespaceSelector: {},
          ruleSelectorNilUsesHelmValues: false,
          ruleSelector: { matchLabels: p.selectorLabels },
          ruleNamespaceSelector: {},
        },
      },
    };
  }
  return {
    server: { fullnameOverride: p.service, service: { servicePort: p.port } },
    // One scrape path per pod: the service's pods carry prometheus.io/* annotations for
    // the job the environment renders (extraScrapeConfigs), so the chart's generic
    // kubernetes-pods job (honor_labels: true) would scrape them a second time. Its
    // kubernetes-service-endpoints job (kube-state-metrics, KEDA) stays on.
    scrapeConfigs: { "kubernetes-pods": { enabled: false } },
  };
}

/** KEDA's own values: its metrics scraped, its certificates from the CA issuer. */
function kedaValues(
  serviceMonitorLabels: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined,
  caIssuerName: string | undefined,
): Record<string, unknown> {
  return {
    // KEDA's own metrics (scaler and ScaledObject errors) feed the KedaUnhealthy alert.
    // With the operator's CRDs: a ServiceMonitor the env's Prometheus selects. Without:
    // the chart annotates the keda-operator Service prometheus.io/scrape, port and path
    // (only when no ServiceMonitor/PodMonitor is enabled), which the plain prometheus
    // chart's kubernetes-service-endpoints job scrapes (promql/platform-metrics.ts).
    prometheus: {
      operator: {
        enabled: true,
        ...(serviceMonitorLabels ? { serviceMonitor: { enabled: true, additionalLabels: serviceMonitorLabels } } : {}),
      },
    },
    // Webhook and metrics-server certificate issued by the CA ClusterIssuer. With
    // issuer.generate=false the chart creates only that Certificate and sets
    // cert-manager.io/inject-ca-from: <namespace>/keda-operator-tls-certificates on the
    // ValidatingWebhookConfiguration and the external-metrics APIService; cainjector
    // copies the ca.crt the CA issuer writes into that Certificate's Secret. The chart
    // reads caSecretName, generateCA and secretTemplate's injection annotation only with
    // issuer.generate=true, and autoGenerated only without certManager: none is set.
    certificates: {
      certManager: {
        enabled: true,
        issuer: { generate: false, group: "cert-manager.io", kind: "ClusterIssuer", name: caIssuerName },
      },
    },
  };
}

/** The CA chain's resources (where KEDA is installed here). */
interface CaChain {
  readonly selfSignedIssuer: k8s.apiextensions.CustomResource;
  readonly caCertificate: k8s.apiextensions.CustomResource;
  readonly caIssuer: k8s.apiextensions.CustomResource;
  readonly caIssuerName: string;
}

export class ClusterAddons extends pulumi.ComponentResource {
  /** The cert-manager installation (absent when cert-manager was already present). */
  readonly certManager?: certmanager.CertManager;
  /** Self-signed ClusterIssuer that signs the CA certificate only (where KEDA is installed here). */
  readonly selfSignedIssuer?: k8s.apiextensions.CustomResource;
  /** The CA certificate (and its Secret) in cert-manager's namespace (where KEDA is installed here). */
  readonly caCertificate?: k8s.apiextensions.CustomResource;
  /** ClusterIssuer of kind CA: issues KEDA's webhook and metrics-server certificates. */
  readonly caIssuer?: k8s.apiextensions.CustomResource;
  /** Name of {@link caIssuer}, when created. */
  readonly caIssuerName?: string;
  readonly keda?: k8s.helm.v3.Release;
  readonly prometheus?: k8s.helm.v3.Release;
  readonly prometheusAdapter?: k8s.helm.v3.Release;
  /** The Secret kube-prometheus-stack's Grafana reads its admin credentials from (when Grafana is installed). */
  readonly grafanaAdminSecret?: k8s.core.v1.Secret;
  /** API group → where its CRDs come from. Groups not listed have no add-on here. */
  readonly crdSources: ReadonlyMap<string, CrdSource>;
  /** Namespaces the installed releases create → the release (objects in them wait for it). */
  readonly namespaceOwners: ReadonlyMap<string, pulumi.Resource>;
  private readonly crds = new Map<string, CrdSource>();
  private readonly owners = new Map<string, pulumi.Resource>();

  constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("inference-scaling:infra:ClusterAddons", name, {}, opts);
    this.crdSources = this.crds;
    this.namespaceOwners = this.owners;
    const prefix = args.issuerPrefix ?? `inference-scaling-${pulumi.getStack()}`;

    // Everything that can refuse the arguments runs before the first child is registered.
    const adapterValues = args.prometheusAdapter ? prometheusAdapterValues(args) : undefined;
    const kpsFullname = installedKubePrometheusStack(args);

    this.certManager = this.installCertManager(args.certManager);
    const afterCertManager = this.certManager ? [this.certManager] : [];
    const ca = args.keda?.install ? this.installCaChain(prefix, args.certManager.namespace, afterCertManager) : undefined;
    if (ca) {
      this.selfSignedIssuer = ca.selfSignedIssuer;
      this.caCertificate = ca.caCertificate;
      this.caIssuer = ca.caIssuer;
      this.caIssuerName = ca.caIssuerName;
    }
    const prometheus = args.prometheus ? this.installPrometheus(args.prometheus, kpsFullname, args.helmValues ?? {}) : undefined;
    this.prometheus = prometheus?.release;
    this.grafanaAdminSecret = prometheus?.grafanaAdminSecret;
    if (!args.prometheus && args.prometheusOperatorCrds) {
      this.crds.set("monitoring.coreos.com", { kind: "present", addon: "prometheus-operator" });
    }
    if (args.keda) this.keda = this.installKeda(args.keda, args.prometheus?.selectorLabels, ca, afterCertManager);
    if (args.prometheusAdapter?.install && adapterValues) {
      this.prometheusAdapter = this.installAdapter(args.prometheusAdapter, adapterValues, [
        ...(this.prometheus ? [this.prometheus] : []),
        ...afterCertManager,
      ]);
    }

    this.registerOutputs({
      caIssuerName: this.caIssuerName,
      keda: this.keda?.status,
      prometheus: this.prometheus?.status,
      prometheusAdapter: this.prometheusAdapter?.status,
    });
  }

  /** Records where an API group's CRDs come from. */
  private provides(group: string, source: CrdSource): void {
    this.crds.set(group, source);
  }

  /** Records the release that creates `namespace` (the first one to claim it). */
  private owns(namespace: string, resource: pulumi.Resource): void {
    if (!this.owners.has(namespace)) this.owners.set(namespace, resource);
  }

  /** cert-manager: a remote component; it does not inherit the parent's providers, pass them on. */
  private installCertManager(cm: AddonArgs): certmanager.CertManager | undefined {
    if (!cm.install) {
      this.provides("cert-manager.io", { kind: "present", addon: "cert-manager" });
      return undefined;
    }
    const k8sProvider = this.getProvider("kubernetes::Provider");
    const release = new certmanager.CertManager(
      "cert-manager",
      { installCRDs: true, helmOptions: { name: "cert-manager", namespace: cm.namespace, createNamespace: true, version: cm.version } },
      { parent: this, providers: k8sProvider ? [k8sProvider] : undefined },
    );
    this.provides("cert-manager.io", { kind: "installed", by: release, addon: "cert-manager" });
    this.owns(cm.namespace, release);
    return release;
  }

  /**
   * The CA chain, only where KEDA is installed here: its webhook and metrics-server certificates
   * are the chain's only users (prometheus-adapter's chart brings its own issuers). A CA
   * ClusterIssuer reads its key pair from cert-manager's cluster resource namespace, so the CA
   * certificate lives there. Names carry the stack: ClusterIssuers are cluster-wide. Each waits
   * for Ready (AWAIT_READY), so KEDA starts only once its issuer can sign.
   */
  private installCaChain(prefix: string, certManagerNamespace: string, afterCertManager: pulumi.Resource[]): CaChain {
    const selfSignedName = `${prefix}-selfsigned`;
    const caName = `${prefix}-ca`;
    const selfSignedIssuer = new k8s.apiextensions.CustomResource(
      "selfsigned-issuer",
      {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        metadata: { name: selfSignedName, annotations: AWAIT_READY },
        spec: { selfSigned: {} },
      },
      { parent: this, dependsOn: afterCertManager },
    );
    const caCertificate = new k8s.apiextensions.CustomResource(
      "ca-certificate",
      {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: caName, namespace: certManagerNamespace, annotations: AWAIT_READY },
        spec: {
          isCA: true,
          commonName: caName,
          secretName: caName,
          duration: "87600h",
          renewBefore: "720h",
          privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
          issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: selfSignedName },
        },
      },
      { parent: this, dependsOn: [selfSignedIssuer] },
    );
    const caIssuer = new k8s.apiextensions.CustomResource(
      "ca-issuer",
      {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        metadata: { name: caName, annotations: AWAIT_READY },
        spec: { ca: { secretName: caName } },
      },
      { parent: this, dependsOn: [caCertificate] },
    );
    return { selfSignedIssuer, caCertificate, caIssuer, caIssuerName: caName };
  }

  /** The Prometheus release (and Grafana's admin Secret before it), or where its CRDs already are. */
  private installPrometheus(
    p: PrometheusArgs,
    kpsFullname: string | undefined,
    values: AddonValues,
  ): { readonly release?: k8s.helm.v3.Release; readonly grafanaAdminSecret?: k8s.core.v1.Secret } {
    if (!p.install) {
      if (p.chart === "kube-prometheus-stack") this.provides("monitoring.coreos.com", { kind: "present", addon: p.chart });
      return {};
    }
    const grafanaAdminSecret = p.grafana ? this.createGrafanaAdminSecret(p.namespace, p.grafana) : undefined;
    const envValues = p.chart === "kube-prometheus-stack" ? values.kubePrometheusStack : values.prometheus;
    const release = new k8s.helm.v3.Release(
      "prometheus",
      {
        name: p.chart,
        chart: p.chart,
        version: p.version,
        namespace: p.namespace,
        createNamespace: true,
        repositoryOpts: { repo: PROMETHEUS_COMMUNITY },
        values: mergeValues(prometheusOwnValues(p, kpsFullname), envValues),
      },
      { parent: this, dependsOn: grafanaAdminSecret ? [grafanaAdminSecret] : [] },
    );
    if (p.chart === "kube-prometheus-stack") this.provides("monitoring.coreos.com", { kind: "installed", by: release, addon: p.chart });
    this.owns(p.namespace, release);
    return { release, ...(grafanaAdminSecret ? { grafanaAdminSecret } : {}) };
  }

  /**
   * Grafana's admin Secret must exist before the release (its pod reads it at start), so its
   * namespace must too. A NamespacePatch (server-side apply) creates the namespace when
   * missing and leaves an existing one alone; like Helm's createNamespace, it never deletes it.
   */
  private createGrafanaAdminSecret(namespace: string, grafana: GrafanaArgs): k8s.core.v1.Secret {
    const ns = new k8s.core.v1.NamespacePatch("grafana-namespace", { metadata: { name: namespace } }, { parent: this });
    return createConfigSecret(
      {
        namespace,
        name: GRAFANA_ADMIN_SECRET.name,
        stringData: {
          [GRAFANA_ADMIN_SECRET.userKey]: grafana.adminUser ?? "admin",
          [GRAFANA_ADMIN_SECRET.passwordKey]: grafana.adminPassword,
        },
      },
      { parent: this, dependsOn: [ns] },
    );
  }

  /**
   * The KEDA release, after the CA chain is Ready, and after the Prometheus release when it
   * installs the ServiceMonitor CRD KEDA's chart uses; or where its CRDs already are.
   */
  private installKeda(
    k: AddonArgs,
    selectorLabels: PrometheusArgs["selectorLabels"] | undefined,
    ca: CaChain | undefined,
    afterCertManager: pulumi.Resource[],
  ): k8s.helm.v3.Release | undefined {
    if (!k.install) {
      this.provides("keda.sh", { kind: "present", addon: "keda" });
      return undefined;
    }
    const monitored = this.crds.get("monitoring.coreos.com");
    const release = new k8s.helm.v3.Release(
      "keda",
      {
        name: "keda",
        chart: "keda",
        version: k.version,
        namespace: k.namespace,
        createNamespace: true,
        repositoryOpts: { repo: KEDA_CHARTS },
        values: kedaValues(monitored ? (selectorLabels ?? {}) : undefined, ca?.caIssuerName),
      },
      {
        parent: this,
        dependsOn: [
          ...(ca ? [ca.caCertificate, ca.caIssuer] : []),
          ...afterCertManager,
          ...(monitored?.kind === "installed" ? [monitored.by] : []),
        ],
      },
    );
    this.provides("keda.sh", { kind: "installed", by: release, addon: "keda" });
    this.owns(k.namespace, release);
    return release;
  }

  /** The prometheus-adapter release, after the Prometheus it queries and cert-manager. */
  private installAdapter(a: AddonArgs, values: Record<string, unknown>, dependsOn: pulumi.Resource[]): k8s.helm.v3.Release {
    const release = new k8s.helm.v3.Release(
      "prometheus-adapter",
      {
        name: "prometheus-adapter",
        chart: "prometheus-adapter",
        version: a.version,
        namespace: a.namespace,
        createNamespace: true,
        repositoryOpts: { repo: PROMETHEUS_COMMUNITY },
        values,
      },
      { parent: this, dependsOn },
    );
    this.owns(a.namespace, release);
    return release;
  }
}
