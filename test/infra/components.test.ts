/**
 * ClusterAddons and InferenceStack on hand-written objects, so every wiring rule is exercised
 * whatever the environments render today: CRD-backed kinds wait for the release installing their
 * CRD (or for nothing when the add-on is already present), TriggerAuthentication Secrets come from
 * secret config, adapter values and their guards.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { PLATFORM_SCRAPES } from "../../promql/platform-metrics.js";
import { ClusterAddons, type ClusterAddonsArgs } from "../../infra/cluster-addons.js";
import type { AddonValues } from "../../stacks/addon-values.js";
import { CHART_VALUES_KEYS, unknownValuesPaths } from "./chart-values-keys.js";
import { KPS_GRAFANA_VALUES } from "./env-suite.js";
import { triggerSecretValue, type SecretKeyRef, type TriggerSecretSource } from "../../infra/config.js";
import {
  InferenceStack,
  unrenderedSecretRefs,
  type ChartObjects,
  type ConfigSecret,
  type KubeObject,
} from "../../infra/inference-stack.js";
import { isSecretEnvelope, plainStrings, runUnderMocks, stackConfig, type Registration } from "./harness.js";

const NS = "ml-serving-test";
const obj = (
  apiVersion: string,
  kind: string,
  name: string,
  namespace: string | undefined,
  extra: Record<string, unknown> = {},
): KubeObject => ({
  apiVersion,
  kind,
  metadata: namespace ? { name, namespace } : { name },
  ...extra,
});

const namespace = obj("v1", "Namespace", NS, undefined);
const scaledObject = obj("keda.sh/v1alpha1", "ScaledObject", "inference", NS, {
  spec: { scaleTargetRef: { name: "inference" }, triggers: [] },
});
const triggerAuth = obj("keda.sh/v1alpha1", "TriggerAuthentication", "rabbitmq", NS, {
  spec: { secretTargetRef: [{ parameter: "host", name: "rabbitmq-conn", key: "host" }] },
});
const clusterTriggerAuth = obj("keda.sh/v1alpha1", "ClusterTriggerAuthentication", "prom-token", undefined, {
  spec: { secretTargetRef: [{ parameter: "bearerToken", name: "prom-token", key: "token" }] },
});
const serviceMonitor = obj("monitoring.coreos.com/v1", "ServiceMonitor", "inference", NS, {
  spec: { endpoints: [{ port: "metrics" }], selector: {} },
});
const prometheusRule = obj("monitoring.coreos.com/v1", "PrometheusRule", "inference-alerts", NS, { spec: { groups: [] } });
const hpa = obj("autoscaling/v2", "HorizontalPodAutoscaler", "worker", NS, {
  spec: { maxReplicas: 3, scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "worker" } },
});
const configMap = obj("v1", "ConfigMap", "adapter-config", NS, { data: { "config.yaml": "rules: []\n" } });
const rbacRole = obj("rbac.authorization.k8s.io/v1", "Role", "reader", NS, { rules: [] });

const PLAIN_PROMETHEUS = {
  install: true,
  version: "28.16.0",
  namespace: "monitoring",
  chart: "prometheus",
  service: "prometheus-server",
  port: 80,
  selectorLabels: {},
} as const;

const RABBIT = "amqp://inference:SENTINEL-RABBIT@rabbitmq:5672/";
const TOKEN = "SENTINEL-TOKEN";

const ADAPTER_PROMETHEUS = { url: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local", port: 9090, path: "" };
/** Adapter values from loose rule fixtures (the component reads their shape only), or deliberately malformed ones. */
const adapter = (values: Record<string, unknown>): AddonValues => ({ prometheusAdapter: values }) as unknown as AddonValues;
const ADAPTER_RULES = {
  prometheus: ADAPTER_PROMETHEUS,
  rules: {
    custom: [
      {
        seriesQuery: "inference_requests_in_flight",
        name: { as: "inference_requests_in_flight" },
        metricsQuery: "sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)",
      },
    ],
  },
};

function addonArgs(overrides: Partial<ClusterAddonsArgs> = {}): ClusterAddonsArgs {
  return {
    certManager: { install: true, version: "v1.18.6", namespace: "cert-manager" },
    keda: { install: true, version: "2.18.3", namespace: "keda" },
    prometheus: {
      install: true,
      version: "77.1.1",
      namespace: "monitoring",
      chart: "kube-prometheus-stack",
      service: "kube-prometheus-stack-prometheus",
      port: 9090,
      selectorLabels: { release: "kube-prometheus-stack" },
    },
    prometheusAdapter: { install: true, version: "5.3.0", namespace: "monitoring" },
    helmValues: adapter(ADAPTER_RULES),
    ...overrides,
  };
}

function secretSource(): TriggerSecretSource {
  return {
    rabbitmqConnection: pulumi.secret(RABBIT),
    byName: pulumi.secret<Record<string, Record<string, string>>>({ "prom-token": { token: TOKEN } }),
    available: { "prom-token": ["token"] },
  };
}

function resolveSecrets(charts: readonly ChartObjects[], source: TriggerSecretSource): ConfigSecret[] {
  const out = new Map<string, { namespace: string; name: string; stringData: Record<string, pulumi.Output<string>> }>();
  for (const ref of unrenderedSecretRefs(charts, "keda")) {
    const v = triggerSecretValue(source, ref);
    if (!pulumi.Output.isInstance(v)) throw new Error(v.message);
    const s = out.get(`${ref.namespace}/${ref.secretName}`) ?? { namespace: ref.namespace, name: ref.secretName, stringData: {} };
    s.stringData[ref.key] = v;
    out.set(`${ref.namespace}/${ref.secretName}`, s);
  }
  return [...out.values()];
}

async function deployFixtures(objects: KubeObject[], args: ClusterAddonsArgs = addonArgs(), stack = "test") {
  const charts: ChartObjects[] = [{ chart: "fixture", objects }];
  return runUnderMocks(stack, stackConfig(stack), async () => {
    const addons = new ClusterAddons("addons", args);
    return new InferenceStack("test", {
      charts,
      crdSources: addons.crdSources,
      namespaceOwners: addons.namespaceOwners,
      secrets: resolveSecrets(charts, secretSource()),
      kedaNamespace: "keda",
    });
  });
}

const find = (regs: Registration[], pred: (r: Registration) => boolean, what: string) => {
  const found = regs.filter(pred);
  expect(found, what).toHaveLength(1);
  return found[0]!;
};
const release = (regs: Registration[], chart: string) =>
  find(regs, (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === chart, `${chart} release`);
const object = (regs: Registration[], kind: string, name: string) =>
  find(regs, (r) => r.custom && r.inputs.kind === kind && r.inputs.metadata?.name === name, `${kind} ${name}`);

describe("InferenceStack with installed add-ons", () => {
  it("makes KEDA objects wait for KEDA, operator objects for Prometheus, namespaced objects for their Namespace", async () => {
    const { registrations: regs } = await deployFixtures([
      namespace,
      scaledObject,
      triggerAuth,
      clusterTriggerAuth,
      serviceMonitor,
      prometheusRule,
      hpa,
      configMap,
      rbacRole,
    ]);
    const ns = object(regs, "Namespace", NS);
    const keda = release(regs, "keda");
    const prom = release(regs, "kube-prometheus-stack");
    for (const [kind, name] of [
      ["ScaledObject", "inference"],
      ["TriggerAuthentication", "rabbitmq"],
    ] as const) {
      const r = object(regs, kind, name);
      expect(r.type).toBe(`kubernetes:keda.sh/v1alpha1:${kind}`);
      expect(r.dependencies).toEqual(expect.arrayContaining([ns.urn, keda.urn]));
    }
    // Cluster-scoped: waits for KEDA only.
    expect(object(regs, "ClusterTriggerAuthentication", "prom-token").dependencies).toContain(keda.urn);
    for (const [kind, name] of [
      ["ServiceMonitor", "inference"],
      ["PrometheusRule", "inference-alerts"],
    ] as const) {
      const r = object(regs, kind, name);
      expect(r.dependencies).toEqual(expect.arrayContaining([ns.urn, prom.urn]));
      expect(r.dependencies).not.toContain(keda.urn);
    }
    const built = object(regs, "HorizontalPodAutoscaler", "worker");
    expect(built.type).toBe("kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
    expect(built.dependencies).toEqual([ns.urn]);
    expect(object(regs, "Role", "reader").type).toBe("kubernetes:rbac.authorization.k8s.io/v1:Role");
    expect(object(regs, "ConfigMap", "adapter-config").inputs.data).toEqual({ "config.yaml": "rules: []\n" });
    expect(ns.dependencies).toEqual([]);
  });

  it("creates the Secrets TriggerAuthentications read from secret config, encrypted, before the objects that read them", async () => {
    const { registrations: regs } = await deployFixtures([namespace, triggerAuth, clusterTriggerAuth]);
    const secrets = regs.filter((r) => r.type === "kubernetes:core/v1:Secret");
    expect(secrets.map((r) => `${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`).sort()).toEqual([
      "keda/prom-token",
      `${NS}/rabbitmq-conn`,
    ]);
    const rabbit = secrets.find((r) => r.inputs.metadata.name === "rabbitmq-conn")!;
    expect(rabbit.inputs.stringData).toEqual({ host: RABBIT });
    expect(isSecretEnvelope((rabbit.wire as Record<string, unknown>)["stringData"])).toBe(true);
    expect(object(regs, "TriggerAuthentication", "rabbitmq").dependencies).toContain(rabbit.urn);
    expect(object(regs, "ClusterTriggerAuthentication", "prom-token").dependencies).toContain(
      secrets.find((r) => r.inputs.metadata.name === "prom-token")!.urn,
    );
    for (const r of regs) for (const s of plainStrings(r.wire)) expect(s.value, `${r.type} ${r.name} ${s.path}`).not.toMatch(/SENTINEL/);
  });

  it("passes the adapter the environment's rules, its Prometheus and a cert-manager certificate", async () => {
    const { registrations: regs } = await deployFixtures([namespace]);
    const adapter = release(regs, "prometheus-adapter");
    expect(adapter.inputs.values).toEqual({
      prometheus: ADAPTER_PROMETHEUS,
      rules: { default: false, custom: ADAPTER_RULES.rules.custom },
      certManager: { enabled: true },
    });
    expect(adapter.dependencies).toEqual(
      expect.arrayContaining([
        release(regs, "kube-prometheus-stack").urn,
        find(regs, (r) => r.type === "kubernetes-cert-manager:index:CertManager", "cert-manager").urn,
      ]),
    );
    const kps = release(regs, "kube-prometheus-stack");
    expect(kps.inputs.values.fullnameOverride).toBe("kube-prometheus-stack");
    expect(kps.inputs.values.prometheus.prometheusSpec).toMatchObject({
      serviceMonitorSelector: { matchLabels: { release: "kube-prometheus-stack" } },
      ruleSelector: { matchLabels: { release: "kube-prometheus-stack" } },
      serviceMonitorSelectorNilUsesHelmValues: false,
      ruleSelectorNilUsesHelmValues: false,
    });
  });
});

describe("Grafana", () => {
  const GRAFANA_PASSWORD = "SENTINEL-GRAFANA";
  const withGrafana = (overrides: Partial<NonNullable<ClusterAddonsArgs["prometheus"]>> = {}) =>
    addonArgs({ prometheus: { ...addonArgs().prometheus!, grafana: { adminPassword: pulumi.secret(GRAFANA_PASSWORD) }, ...overrides } });

  it("is off in kube-prometheus-stack unless asked for, with no admin Secret", async () => {
    const { registrations: regs } = await deployFixtures([namespace]);
    expect(release(regs, "kube-prometheus-stack").inputs.values.grafana).toEqual({ enabled: false });
    expect(regs.filter((r) => r.type === "kubernetes:core/v1:Secret" || r.type === "kubernetes:core/v1:NamespacePatch")).toEqual([]);
  });

  it("loads the dashboards through the sidecar and reads its admin credentials from a Secret created first, encrypted", async () => {
    const { registrations: regs } = await deployFixtures([namespace], withGrafana());
    const kps = release(regs, "kube-prometheus-stack");
    expect(kps.inputs.values.grafana).toEqual(KPS_GRAFANA_VALUES);
    const secret = find(regs, (r) => r.type === "kubernetes:core/v1:Secret", "admin Secret");
    expect(secret.inputs.metadata).toMatchObject({ name: "grafana-admin", namespace: "monitoring" });
    expect(secret.inputs.stringData).toEqual({ "admin-user": "admin", "admin-password": GRAFANA_PASSWORD });
    expect(isSecretEnvelope((secret.wire as Record<string, unknown>)["stringData"])).toBe(true);
    const ns = find(regs, (r) => r.type === "kubernetes:core/v1:NamespacePatch", "monitoring namespace");
    expect(ns.inputs.metadata).toEqual({ name: "monitoring" });
    expect(secret.dependencies).toContain(ns.urn);
    expect(kps.dependencies).toContain(secret.urn);
    for (const r of regs) for (const v of plainStrings(r.wire)) expect(v.value, `${r.type} ${r.name} ${v.path}`).not.toMatch(/SENTINEL/);
  });

  it("keeps the admin user configurable and the environment's kube-prometheus-stack values merged over the component's own", async () => {
    const args = withGrafana({ grafana: { adminPassword: pulumi.secret(GRAFANA_PASSWORD), adminUser: "ops" } });
    const job = { job_name: "ml-serving-test/inference", kubernetes_sd_configs: [{ role: "pod" }] };
    const kubePrometheusStack = { prometheus: { prometheusSpec: { additionalScrapeConfigs: [job] } } };
    const { registrations: regs } = await deployFixtures([namespace], { ...args, helmValues: { ...args.helmValues, kubePrometheusStack } });
    expect(find(regs, (r) => r.type === "kubernetes:core/v1:Secret", "admin Secret").inputs.stringData["admin-user"]).toBe("ops");
    const values = release(regs, "kube-prometheus-stack").inputs.values;
    expect(values.prometheus.prometheusSpec.additionalScrapeConfigs).toEqual([job]);
    // Deep merge: the component's own selectors and Grafana sidecar stay beside the environment's jobs.
    expect(values.prometheus.prometheusSpec.serviceMonitorSelector).toEqual({ matchLabels: { release: "kube-prometheus-stack" } });
    expect(values.grafana.sidecar.dashboards).toEqual({
      enabled: true,
      label: "grafana_dashboard",
      labelValue: "1",
      searchNamespace: "ALL",
      folderAnnotation: "grafana_folder",
      provider: { foldersFromFilesStructure: true },
    });
  });

  it("is refused with the plain prometheus chart or a Prometheus already present, before anything is registered", async () => {
    const plain = withGrafana({ chart: "prometheus", service: "prometheus-server", port: 80 });
    await expect(deployFixtures([namespace], plain)).rejects.toThrow(
      "Grafana is installed only as part of kube-prometheus-stack, but chart prometheus is used here. Fix: omit prometheus.grafana and load the dashboards with an existing Grafana",
    );
    await expect(deployFixtures([namespace], withGrafana({ install: false }))).rejects.toThrow(
      /but a Prometheus already in the cluster is used here/,
    );
  });
});

describe("InferenceStack with add-ons already in the cluster", () => {
  it("creates no release and no CRD dependency, only the Namespace one", async () => {
    const present = addonArgs({
      certManager: { install: false, version: "v1.18.6", namespace: "cert-manager" },
      keda: { install: false, version: "2.18.3", namespace: "keda" },
      prometheus: { ...addonArgs().prometheus!, install: false },
      prometheusAdapter: { ...addonArgs().prometheusAdapter!, install: false },
    });
    const { registrations: regs } = await deployFixtures([namespace, scaledObject, serviceMonitor], present);
    expect(regs.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" || r.type.startsWith("kubernetes-cert-manager:"))).toEqual([]);
    const ns = object(regs, "Namespace", NS);
    expect(object(regs, "ScaledObject", "inference").dependencies).toEqual([ns.urn]);
    expect(object(regs, "ServiceMonitor", "inference").dependencies).toEqual([ns.urn]);
    // KEDA, the CA chain's only user, is not installed here: no cluster-wide issuer either.
    expect(regs.filter((r) => r.type.startsWith("kubernetes:cert-manager.io/"))).toEqual([]);
  });

  it("accepts operator objects with an external Prometheus when the cluster has the operator's CRDs", async () => {
    const external = addonArgs({ prometheus: undefined, prometheusAdapter: undefined, prometheusOperatorCrds: true });
    const { registrations: regs } = await deployFixtures([namespace, serviceMonitor], external);
    expect(regs.some((r) => r.inputs.chart === "kube-prometheus-stack")).toBe(false);
    expect(object(regs, "ServiceMonitor", "inference").dependencies).toEqual([object(regs, "Namespace", NS).urn]);
  });

  it("installs the plain prometheus chart where there is no operator, serving the env's Service name and port", async () => {
    const plain = addonArgs({
      keda: undefined,
      prometheus: PLAIN_PROMETHEUS,
    });
    const { registrations: regs } = await deployFixtures([namespace], plain);
    expect(release(regs, "prometheus").inputs.values).toEqual({
      server: { fullnameOverride: "prometheus-server", service: { servicePort: 80 } },
      scrapeConfigs: { "kubernetes-pods": { enabled: false } },
    });
    expect(regs.some((r) => r.inputs.chart === "keda")).toBe(false);
  });
});

describe("cert-manager chain and KEDA", () => {
  const chainOf = (regs: Registration[]) => regs.filter((r) => r.type.startsWith("kubernetes:cert-manager.io/"));

  it("names the cluster-wide issuers and the CA per stack, so two stacks sharing a cluster never clash", async () => {
    const names = async (stack: string) =>
      chainOf((await deployFixtures([namespace], addonArgs(), stack)).registrations).map(
        (r) => `${r.inputs.kind} ${r.inputs.metadata.name}`,
      );
    const staging = await names("staging");
    const prod = await names("prod");
    expect(staging.sort()).toEqual([
      "Certificate inference-scaling-staging-ca",
      "ClusterIssuer inference-scaling-staging-ca",
      "ClusterIssuer inference-scaling-staging-selfsigned",
    ]);
    expect(prod.filter((n) => staging.includes(n))).toEqual([]);
  });

  it("makes Pulumi wait for the CA Certificate and both ClusterIssuers to be Ready, and KEDA for both CA links", async () => {
    const { registrations: regs } = await deployFixtures([namespace]);
    const chain = chainOf(regs);
    expect(chain).toHaveLength(3);
    // @pulumi/kubernetes waits for nothing on a custom resource unless told: condition=Ready means Ready=True.
    for (const r of chain)
      expect(r.inputs.metadata.annotations, `${r.inputs.kind} ${r.inputs.metadata.name}`).toEqual({
        "pulumi.com/waitFor": "condition=Ready",
      });
    const ca = object(regs, "Certificate", "inference-scaling-test-ca");
    const caIssuer = object(regs, "ClusterIssuer", "inference-scaling-test-ca");
    expect(release(regs, "keda").dependencies).toEqual(expect.arrayContaining([ca.urn, caIssuer.urn]));
    expect(release(regs, "keda").inputs.values.certificates.certManager.issuer.name).toBe("inference-scaling-test-ca");
  });

  it("creates no issuer where nothing uses one (KEDA absent)", async () => {
    const { registrations: regs } = await deployFixtures([namespace], addonArgs({ keda: undefined }));
    expect(chainOf(regs)).toEqual([]);
    // cert-manager itself stays: prometheus-adapter's chart issues its serving certificate with it.
    expect(release(regs, "prometheus-adapter").dependencies).toContain(
      find(regs, (r) => r.type === "kubernetes-cert-manager:index:CertManager", "cert-manager").urn,
    );
  });

  it("has KEDA with the plain prometheus chart expose its metrics on an annotated Service, which that chart's endpoints job still scrapes", async () => {
    const { registrations: regs } = await deployFixtures(
      [namespace],
      addonArgs({ prometheus: PLAIN_PROMETHEUS, helmValues: adapter({ prometheus: ADAPTER_PROMETHEUS, rules: { custom: [] } }) }),
    );
    // keda chart: prometheus.operator.enabled with no ServiceMonitor/PodMonitor → the keda-operator
    // Service carries prometheus.io/scrape, port and path (templates/manager/service.yaml).
    expect(release(regs, "keda").inputs.values.prometheus).toEqual({ operator: { enabled: true } });
    const scrapeConfigs = release(regs, "prometheus").inputs.values.scrapeConfigs as Record<string, { enabled?: boolean }>;
    // The job the alerts' KEDA series are modelled on (promql/platform-metrics.ts) stays on.
    expect(PLATFORM_SCRAPES.plain.keda.target["job"]).toBe("kubernetes-service-endpoints");
    expect(scrapeConfigs["kubernetes-service-endpoints"]?.enabled).not.toBe(false);
    expect(scrapeConfigs["kubernetes-pods"]).toEqual({ enabled: false });
  });

  it("gives every release, in every combination, only values keys its pinned chart declares", async () => {
    const variants: [string, ClusterAddonsArgs][] = [
      ["operator, KEDA, adapter", addonArgs()],
      ["with Grafana", addonArgs({ prometheus: { ...addonArgs().prometheus!, grafana: { adminPassword: pulumi.secret("pw") } } })],
      [
        "plain prometheus with KEDA",
        addonArgs({ prometheus: PLAIN_PROMETHEUS, helmValues: adapter({ prometheus: ADAPTER_PROMETHEUS, rules: { custom: [] } }) }),
      ],
      [
        "plain prometheus, adapter with external rules",
        addonArgs({
          keda: undefined,
          prometheus: PLAIN_PROMETHEUS,
          helmValues: adapter({ prometheus: ADAPTER_PROMETHEUS, rules: { custom: [], external: [{ seriesQuery: "q" }] } }),
        }),
      ],
    ];
    for (const [name, args] of variants) {
      const { registrations: regs } = await deployFixtures([namespace], args);
      for (const r of regs.filter((x) => x.type === "kubernetes:helm.sh/v3:Release")) {
        const known = CHART_VALUES_KEYS[r.inputs.chart]!;
        expect(r.inputs.version, `${name}: ${r.inputs.chart}`).toBe(known.version);
        expect(unknownValuesPaths(r.inputs.values, known.keys), `${name}: ${r.inputs.chart}`).toEqual([]);
      }
    }
  });

  it("catches a misspelt or dropped values key", () => {
    const keys = CHART_VALUES_KEYS["kube-prometheus-stack"]!.keys;
    expect(unknownValuesPaths({ grafana: { sidecar: { dashboards: { folderAnnotation: "grafana_folder" } } } }, keys)).toEqual([]);
    expect(unknownValuesPaths({ grafana: { sidecar: { dashboards: { foldersAnnotation: "grafana_folder" } } } }, keys)).toEqual([
      "grafana.sidecar.dashboards.foldersAnnotation",
    ]);
    // Free-form maps and lists under a declared key are the user's.
    expect(unknownValuesPaths({ prometheus: { prometheusSpec: { ruleSelector: { matchLabels: { release: "x" } } } } }, keys)).toEqual([]);
    expect(
      unknownValuesPaths(
        { serverFiles: { "recording_rules.yml": { groups: [] }, "rules.yml": {} } },
        CHART_VALUES_KEYS["prometheus"]!.keys,
      ),
    ).toEqual(['serverFiles."rules.yml"']);
  });

  it("reads each chart's keys as precise leaves: no listed key contains another", () => {
    for (const { chart, keys } of Object.values(CHART_VALUES_KEYS)) {
      for (const k of keys)
        expect(
          keys.filter((o) => o.startsWith(`${k}.`)),
          `${chart} ${k}`,
        ).toEqual([]);
    }
  });
});

describe("refusals", () => {
  it("refuses a custom resource whose CRD no add-on provides", async () => {
    const widget = obj("example.com/v1", "Widget", "w", NS);
    await expect(deployFixtures([namespace, widget])).rejects.toThrow(
      "Widget ml-serving-test/w (chart fixture) is a example.com custom resource, but no add-on of this environment provides that CRD. Fix: enable the add-on in the env config (cluster.*) or stop rendering the object",
    );
    const noOperator = addonArgs({ prometheus: { ...addonArgs().prometheus!, chart: "prometheus", service: "prometheus-server" } });
    await expect(deployFixtures([namespace, serviceMonitor], noOperator)).rejects.toThrow(
      /ServiceMonitor ml-serving-test\/inference \(chart fixture\) is a monitoring\.coreos\.com custom resource/,
    );
  });

  it("refuses a built-in apiVersion @pulumi/kubernetes cannot deploy", async () => {
    await expect(deployFixtures([obj("apps/v0", "Deployment", "x", NS)])).rejects.toThrow(
      /Deployment ml-serving-test\/x \(chart fixture\) has apiVersion apps\/v0 kind Deployment/,
    );
  });

  it("refuses adapter external rules where KEDA serves external.metrics.k8s.io", async () => {
    const values = adapter({ prometheus: ADAPTER_PROMETHEUS, rules: { custom: [], external: [{ seriesQuery: "q" }] } });
    await expect(deployFixtures([namespace], addonArgs({ helmValues: values }))).rejects.toThrow(
      /external\.metrics\.k8s\.io \(1 external rule\(s\)\), which KEDA already serves/,
    );
    // Without KEDA the adapter serves them.
    const { registrations } = await deployFixtures([namespace], addonArgs({ keda: undefined, helmValues: values }));
    expect(release(registrations, "prometheus-adapter").inputs.values.rules.external).toEqual([{ seriesQuery: "q" }]);
  });

  it("refuses adapter values that do not say which Prometheus to query", async () => {
    const values = adapter({ rules: ADAPTER_RULES.rules });
    await expect(deployFixtures([namespace], addonArgs({ helmValues: values }))).rejects.toThrow(
      /has no prometheus\.url, so the adapter would query the chart's default/,
    );
  });

  it("refuses adapter rules given outside `rules`", async () => {
    const values = adapter({ custom: [] });
    await expect(deployFixtures([namespace], addonArgs({ helmValues: values }))).rejects.toThrow(/has a top-level "custom" key/);
  });

  it("refuses a Prometheus Service name kube-prometheus-stack cannot produce", async () => {
    const bad = addonArgs({ prometheus: { ...addonArgs().prometheus!, service: "prom" } });
    await expect(deployFixtures([namespace], bad)).rejects.toThrow(
      /monitoring\.prometheus\.service "prom" cannot be served by kube-prometheus-stack/,
    );
  });
});

describe("TriggerAuthentication secrets", () => {
  const ref = (parameter: string, secretName: string, key: string): SecretKeyRef => ({
    namespace: NS,
    secretName,
    key,
    parameter,
    referencedBy: "TriggerAuthentication ml-serving-test/x",
  });
  const empty: TriggerSecretSource = { available: {} };

  it("lists only referenced Secrets no chart renders", () => {
    const rendered = obj("v1", "Secret", "rabbitmq-conn", NS);
    expect(unrenderedSecretRefs([{ chart: "c", objects: [triggerAuth, rendered] }])).toEqual([]);
    expect(unrenderedSecretRefs([{ chart: "c", objects: [triggerAuth, clusterTriggerAuth] }], "keda-system")).toEqual([
      { namespace: NS, secretName: "rabbitmq-conn", key: "host", parameter: "host", referencedBy: `TriggerAuthentication ${NS}/rabbitmq` },
      {
        namespace: "keda-system",
        secretName: "prom-token",
        key: "token",
        parameter: "bearerToken",
        referencedBy: "ClusterTriggerAuthentication prom-token",
      },
    ]);
  });

  it("says which `pulumi config set --secret` supplies a missing value", () => {
    expect(triggerSecretValue(empty, ref("host", "rabbitmq-conn", "host"))).toMatchObject({
      code: "INFRA_CONFIG_INVALID",
      path: "rabbitmqConnection",
      message: `TriggerAuthentication ml-serving-test/x reads parameter "host" from Secret ${NS}/rabbitmq-conn key "host", which nothing provides`,
      fix: "pulumi config set --secret inference-scaling:rabbitmqConnection <value>",
    });
    expect(triggerSecretValue(empty, ref("bearerToken", "prom-token", "token"))).toMatchObject({
      path: "triggerSecrets.prom-token.token",
      fix: "pulumi config set --secret --path 'inference-scaling:triggerSecrets.prom-token.token' <value>",
    });
  });
});
