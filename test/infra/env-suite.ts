/**
 * The checks every environment's stack must pass, run once per environment (one test file each,
 * so every file gets a fresh Pulumi runtime in its own process).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CHART_VALUES_KEYS, unknownValuesPaths } from "./chart-values-keys.js";
import { distObjects, isSecretEnvelope, objectKey, plainStrings, runProgram, stackConfig, type Registration } from "./harness.js";
import { stackFor } from "../helpers/env.js";

type Release = { chart: string; version: string; repo: string; namespace: string };
const COMMUNITY = "https://prometheus-community.github.io/helm-charts";

/** The pinned releases (what Pulumi.<env>.yaml pins), written out here rather than read from the code under test. */
export const PINNED = {
  keda: { chart: "keda", version: "2.18.3", repo: "https://kedacore.github.io/charts", namespace: "keda" },
  kubePrometheusStack: { chart: "kube-prometheus-stack", version: "77.1.1", repo: COMMUNITY, namespace: "monitoring" },
  prometheus: { chart: "prometheus", version: "28.16.0", repo: COMMUNITY, namespace: "monitoring" },
  prometheusAdapter: { chart: "prometheus-adapter", version: "5.3.0", repo: COMMUNITY, namespace: "monitoring" },
} as const satisfies Record<string, Release>;

/**
 * kube-prometheus-stack's Grafana values where the stack installs it, written out here: admin
 * credentials from the Secret, the dashboards sidecar loading every labelled ConfigMap into the
 * folder its `grafana_folder` annotation names.
 */
export const KPS_GRAFANA_VALUES = {
  enabled: true,
  admin: { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
  sidecar: {
    dashboards: {
      enabled: true,
      label: "grafana_dashboard",
      labelValue: "1",
      searchNamespace: "ALL",
      folderAnnotation: "grafana_folder",
      provider: { foldersFromFilesStructure: true },
    },
  },
} as const;

/** cert-manager's pinned chart version (the @pulumi/kubernetes-cert-manager component's). */
export const CERT_MANAGER_VERSION = "v1.18.6";

/** The add-ons of an environment on a Prometheus Operator cluster with KEDA. */
export const OPERATOR_WITH_KEDA = {
  keda: PINNED.keda,
  "kube-prometheus-stack": PINNED.kubePrometheusStack,
  "prometheus-adapter": PINNED.prometheusAdapter,
} as const;

/** What each environment must get, written out here rather than read from the code under test. */
export interface EnvExpectation {
  readonly env: string;
  readonly namespace: string;
  readonly kubeContext: string;
  readonly prometheusAddress: string;
  readonly protectNamespace: boolean;
  /** Helm releases by release name: chart, version, repo, namespace. */
  readonly releases: Readonly<Record<string, Release>>;
  /** Autoscaler kind once the charts render one (scaling.mode). */
  readonly autoscalerKind: "ScaledObject" | "HorizontalPodAutoscaler";
  /**
   * Which Grafana loads the dashboards: kube-prometheus-stack's, installed by the stack with its
   * admin Secret, or an existing one (the stack installs none).
   */
  readonly grafana: "installed" | "existing";
  /** The Grafana folder the env config puts its dashboards in (`dashboards.folder`). @default none */
  readonly dashboardFolder?: string;
}

const KUBECONFIG = "apiVersion: v1\nkind: Config\n# SENTINEL-KUBECONFIG-7f3a";
const RABBIT = "amqp://inference:SENTINEL-RABBIT-9c1d@rabbitmq.queue.svc:5672/prod";
const GRAFANA_PASSWORD = "SENTINEL-GRAFANA-4e8b";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CERT_MANAGER = "kubernetes-cert-manager:index:CertManager";
const STACK_COMPONENT = "inference-scaling:infra:InferenceStack";

/**
 * `Secret namespace/name` of every Secret the stack declares (stack.requiredSecrets) or a
 * TriggerAuthentication in dist/ references that dist/ does not contain. In the built-in
 * environments all of them hold the RabbitMQ connection.
 */
function configSecretKeys(env: string, dist: Record<string, any>[]): string[] {
  const rendered = new Set(dist.map(objectKey));
  const keys = dist
    .filter((o) => o.kind === "TriggerAuthentication")
    .flatMap((o) => (o.spec.secretTargetRef as { name: string }[]).map((r) => `Secret ${o.metadata.namespace}/${r.name}`))
    .concat(stackFor(env).requiredSecrets.map((r) => `Secret ${r.namespace}/${r.name}`))
    .filter((k) => !rendered.has(k));
  return [...new Set(keys)];
}

export function envSuite(x: EnvExpectation): void {
  describe(`pulumi program, stack ${x.env}`, () => {
    let regs: Registration[];
    let outputs: Awaited<ReturnType<typeof runProgram>>["outputs"];
    const byType = (t: string) => regs.filter((r) => r.type === t);
    const one = (pred: (r: Registration) => boolean, what: string) => {
      const found = regs.filter(pred);
      expect(found, what).toHaveLength(1);
      return found[0]!;
    };
    const deployed = () => {
      const stack = one((r) => r.type === STACK_COMPONENT, "InferenceStack component");
      return regs.filter((r) => r.parent === stack.urn && r.custom);
    };

    beforeAll(async () => {
      // The Grafana password only where the stack needs it: elsewhere it must not be required.
      const grafana: Record<string, string> = x.grafana === "installed" ? { grafanaAdminPassword: GRAFANA_PASSWORD } : {};
      const run = await runProgram(x.env, stackConfig(x.env, { kubeconfig: KUBECONFIG, rabbitmqConnection: RABBIT, ...grafana }));
      regs = run.registrations;
      outputs = run.outputs;
    });

    it("deploys exactly the objects of dist/<env> (kind, namespace, name), with identical content", () => {
      const dist = distObjects(x.env);
      expect(dist.length).toBeGreaterThan(0);
      const objects = deployed().filter((r) => !configSecretKeys(x.env, dist).includes(objectKey(r.inputs as any)));
      const deployedByKey = new Map(objects.map((r) => [objectKey(r.inputs as any), r.inputs]));
      expect(deployedByKey.size, "one Pulumi resource per object").toBe(objects.length);
      expect([...deployedByKey.keys()].sort()).toEqual(dist.map(objectKey).sort());
      for (const o of dist) expect(deployedByKey.get(objectKey(o)), objectKey(o)).toEqual(o);
      // Typed resources, not a generic wrapper: the Deployment is a kubernetes:apps/v1:Deployment.
      expect(objects.find((r) => r.inputs.kind === "Deployment")?.type).toBe("kubernetes:apps/v1:Deployment");
      expect(objects.find((r) => r.inputs.kind === "Namespace")?.type).toBe("kubernetes:core/v1:Namespace");
    });

    it("adds only the Secrets TriggerAuthentications read, from secret config, encrypted", () => {
      const dist = distObjects(x.env);
      const extra = deployed().filter((r) => !dist.some((o) => objectKey(o) === objectKey(r.inputs as any)));
      expect(extra.map((r) => objectKey(r.inputs as any)).sort()).toEqual(configSecretKeys(x.env, dist).sort());
      for (const r of extra) {
        expect(r.type).toBe("kubernetes:core/v1:Secret");
        expect(isSecretEnvelope((r.wire as Record<string, unknown>)["stringData"]), objectKey(r.inputs as any)).toBe(true);
        expect(Object.values(r.inputs.stringData)).toEqual([RABBIT]);
      }
    });

    it("installs the add-ons at the versions pinned in Pulumi.<env>.yaml", () => {
      const releases = Object.fromEntries(
        byType(RELEASE).map((r) => [
          r.inputs.name,
          { chart: r.inputs.chart, version: r.inputs.version, repo: r.inputs.repositoryOpts?.repo, namespace: r.inputs.namespace },
        ]),
      );
      const adapterRendered = stackFor(x.env).addonValues.prometheusAdapter !== undefined;
      const expected = { ...x.releases };
      if (!adapterRendered) delete (expected as Record<string, unknown>)["prometheus-adapter"];
      expect(releases).toEqual(expected);
      const cm = one((r) => r.type === CERT_MANAGER, "cert-manager component");
      expect(cm.remote).toBe(true);
      expect(cm.inputs.installCRDs).toBe(true);
      expect(cm.inputs.helmOptions).toMatchObject({ version: CERT_MANAGER_VERSION, namespace: "cert-manager", createNamespace: true });
    });

    it("gives prometheus-adapter the rules the monitoring constructs render, the env's Prometheus and a cert-manager certificate", () => {
      const rendered = stackFor(x.env).addonValues.prometheusAdapter;
      const adapter = regs.find((r) => r.type === RELEASE && r.inputs.chart === "prometheus-adapter");
      if (!rendered) {
        expect(adapter).toBeUndefined();
        return;
      }
      expect(adapter, "adapter release").toBeDefined();
      const values = adapter!.inputs.values;
      expect(values.rules).toEqual(rendered.rules);
      expect(values.rules.default).toBe(false);
      expect(values.certManager).toEqual({ enabled: true });
      const p = values.prometheus;
      expect(`${p.url}${p.port !== "" && p.port !== undefined ? `:${p.port}` : ""}${p.path ?? ""}`).toBe(x.prometheusAddress);
      // KEDA owns external.metrics.k8s.io wherever it runs.
      if (x.releases["keda"]) expect(values.rules.external ?? []).toEqual([]);
    });

    it("sets only values keys each pinned chart declares, read from the chart at that version (test/infra/chart-values-keys.ts)", () => {
      const releases = byType(RELEASE);
      expect(releases.length).toBeGreaterThan(0);
      for (const r of releases) {
        const known = CHART_VALUES_KEYS[r.inputs.chart];
        expect(known, `values keys of chart ${r.inputs.chart}`).toBeDefined();
        expect(r.inputs.version, `chart ${r.inputs.chart}: keys were read at ${known!.version}`).toBe(known!.version);
        expect(unknownValuesPaths(r.inputs.values, known!.keys), `chart ${r.inputs.chart} ${r.inputs.version}`).toEqual([]);
      }
      const cm = one((r) => r.type === CERT_MANAGER, "cert-manager");
      const known = CHART_VALUES_KEYS["cert-manager"]!;
      expect(cm.inputs.helmOptions.version).toBe(known.version);
      expect(unknownValuesPaths({ installCRDs: cm.inputs.installCRDs, ...cm.inputs.helmOptions.values }, known.keys)).toEqual([]);
    });

    it("creates the cert-manager chain only where KEDA is installed, named per stack, and waits for each link to be Ready", () => {
      const cm = one((r) => r.type === CERT_MANAGER, "cert-manager");
      const keda = regs.find((r) => r.type === RELEASE && r.inputs.chart === "keda");
      const chain = regs.filter((r) => String(r.type).startsWith("kubernetes:cert-manager.io/"));
      if (!x.releases["keda"]) {
        // Nothing here would use it (prometheus-adapter's chart brings its own issuers).
        expect(keda).toBeUndefined();
        expect(chain).toEqual([]);
        return;
      }
      const selfSigned = one((r) => r.inputs.kind === "ClusterIssuer" && r.inputs.spec?.selfSigned !== undefined, "self-signed issuer");
      const ca = one((r) => r.inputs.kind === "Certificate" && r.inputs.spec?.isCA === true, "CA certificate");
      const caIssuer = one((r) => r.inputs.kind === "ClusterIssuer" && r.inputs.spec?.ca !== undefined, "CA issuer");
      expect(chain).toHaveLength(3);
      expect(selfSigned.type).toBe("kubernetes:cert-manager.io/v1:ClusterIssuer");
      // Cluster-scoped names carry the stack: two stacks on one cluster never share an issuer.
      expect(selfSigned.inputs.metadata.name).toBe(`inference-scaling-${x.env}-selfsigned`);
      expect(caIssuer.inputs.metadata.name).toBe(`inference-scaling-${x.env}-ca`);
      expect(ca.inputs.spec.issuerRef).toEqual({ group: "cert-manager.io", kind: "ClusterIssuer", name: selfSigned.inputs.metadata.name });
      // A CA ClusterIssuer reads its key pair from cert-manager's own namespace.
      expect(ca.inputs.metadata.namespace).toBe("cert-manager");
      expect(caIssuer.inputs.spec.ca.secretName).toBe(ca.inputs.spec.secretName);
      for (const r of chain)
        expect(r.inputs.metadata.annotations, `${r.inputs.kind} ${r.inputs.metadata.name}`).toEqual({
          "pulumi.com/waitFor": "condition=Ready",
        });
      expect(selfSigned.dependencies).toContain(cm.urn);
      expect(ca.dependencies).toContain(selfSigned.urn);
      expect(caIssuer.dependencies).toContain(ca.urn);

      expect(keda, "KEDA release").toBeDefined();
      expect(keda!.dependencies).toEqual(expect.arrayContaining([ca.urn, caIssuer.urn]));
      // Only what the chart reads with issuer.generate=false: its Certificate from our CA issuer.
      expect(keda!.inputs.values.certificates).toEqual({
        certManager: {
          enabled: true,
          issuer: { generate: false, group: "cert-manager.io", kind: "ClusterIssuer", name: caIssuer.inputs.metadata.name },
        },
      });
      // KEDA's own metrics feed the KedaUnhealthy alert: its ServiceMonitor carries the labels
      // the operator's Prometheus selects, and waits for the release that installs that CRD.
      const kps = regs.find((r) => r.type === RELEASE && r.inputs.chart === "kube-prometheus-stack");
      if (kps) {
        expect(keda!.inputs.values.prometheus).toEqual({
          operator: {
            enabled: true,
            serviceMonitor: { enabled: true, additionalLabels: stackFor(x.env).config.monitoring.selectorLabels },
          },
        });
        expect(keda!.dependencies).toContain(kps.urn);
      } else {
        // No ServiceMonitor: the chart annotates its operator Service for annotation-based scraping.
        expect(keda!.inputs.values.prometheus).toEqual({ operator: { enabled: true } });
      }
    });

    it("makes namespaced objects wait for their Namespace and custom resources for the add-on installing their CRD", () => {
      const objects = deployed();
      const ns = one((r) => r.parent === objects[0]!.parent && r.inputs.kind === "Namespace", "the env Namespace");
      expect(ns.inputs.metadata.name).toBe(x.namespace);
      const releaseOf = (chart: string) => regs.find((r) => r.type === RELEASE && r.inputs.chart === chart);
      let crdBacked = 0;
      for (const r of objects) {
        if (r.inputs.metadata.namespace === x.namespace) expect(r.dependencies, objectKey(r.inputs as any)).toContain(ns.urn);
        const group = String(r.inputs.apiVersion).split("/")[0];
        if (group === "keda.sh") {
          crdBacked++;
          expect(r.type.startsWith("kubernetes:keda.sh/")).toBe(true);
          expect(r.dependencies, objectKey(r.inputs as any)).toContain(releaseOf("keda")!.urn);
        }
        if (group === "monitoring.coreos.com") {
          crdBacked++;
          expect(r.dependencies, objectKey(r.inputs as any)).toContain(releaseOf("kube-prometheus-stack")!.urn);
        }
      }
      const distCrdBacked = distObjects(x.env).filter((o) => /^(keda\.sh|monitoring\.coreos\.com)\//.test(o.apiVersion)).length;
      expect(crdBacked).toBe(distCrdBacked);
    });

    it("targets the configured cluster: every Kubernetes resource uses the stack's provider", () => {
      const provider = one((r) => r.type === "pulumi:providers:kubernetes", "one kubernetes provider");
      expect(provider.inputs.context).toBe(x.kubeContext);
      const k8sResources = regs.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
      expect(k8sResources.length).toBeGreaterThan(5);
      for (const r of k8sResources) expect(r.provider.startsWith(`${provider.urn}::`), `${r.type} ${r.name}`).toBe(true);
      // The remote cert-manager component gets the provider explicitly (remote components do not inherit it).
      expect(one((r) => r.type === CERT_MANAGER, "cert-manager").providers["kubernetes"]?.startsWith(provider.urn)).toBe(true);
    });

    it("puts no plaintext secret in any resource input", () => {
      const provider = one((r) => r.type === "pulumi:providers:kubernetes", "provider");
      // The kubeconfig does reach a resource, inside a secret envelope.
      expect(isSecretEnvelope((provider.wire as Record<string, unknown>)["kubeconfig"])).toBe(true);
      const credentialUrl = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;
      for (const r of regs) {
        for (const s of plainStrings(r.wire)) {
          expect(s.value, `${r.type} ${r.name} ${s.path}`).not.toMatch(/SENTINEL/);
          expect(s.value, `${r.type} ${r.name} ${s.path}`).not.toMatch(credentialUrl);
        }
      }
      // Grafana's password is set nowhere but in its Secret: no Helm value carries a password.
      const prom = regs.find((r) => r.type === RELEASE && ["kube-prometheus-stack", "prometheus"].includes(r.inputs.chart));
      expect(JSON.stringify(prom?.inputs.values ?? {})).not.toMatch(/adminPassword|SENTINEL/);
    });

    if (x.releases["prometheus"]) {
      it("scrapes the service's pods with the rendered job only: the prometheus chart's kubernetes-pods job is off", () => {
        const prom = one((r) => r.type === RELEASE && r.inputs.chart === "prometheus", "prometheus release");
        const deployment = distObjects(x.env).find((o) => o.kind === "Deployment" && o.metadata.name === "inference")!;
        // The pods opt in by annotation, which is exactly what the chart's generic job keeps.
        expect(deployment.spec.template.metadata.annotations["prometheus.io/scrape"]).toBe("true");
        expect(prom.inputs.values.scrapeConfigs).toEqual({ "kubernetes-pods": { enabled: false } });
        expect(prom.inputs.values.extraScrapeConfigs).toContain(`job_name: ${x.namespace}/inference`);
        // What the stack's typed add-on values hold, as they are: the scrape jobs and every rule group.
        const values = stackFor(x.env).addonValues.prometheus!;
        expect(prom.inputs.values.extraScrapeConfigs).toBe(values.extraScrapeConfigs);
        expect(prom.inputs.values.serverFiles).toEqual(values.serverFiles);
      });
    }

    it("renders every dashboard as a ConfigMap carrying the label the Grafana sidecar selects", () => {
      const dashboards = distObjects(x.env).filter((o) => o.kind === "ConfigMap" && o.metadata.labels?.["grafana_dashboard"] !== undefined);
      expect(dashboards.length, "every environment renders dashboards").toBeGreaterThan(0);
      for (const d of dashboards) expect(d.metadata.labels["grafana_dashboard"], objectKey(d)).toBe("1");
    });

    if (x.grafana === "installed") {
      it("installs kube-prometheus-stack's Grafana with the dashboards sidecar and admin credentials from a Secret made from secret config", () => {
        const kps = one((r) => r.type === RELEASE && r.inputs.chart === "kube-prometheus-stack", "kube-prometheus-stack release");
        expect(kps.inputs.values.grafana).toEqual(KPS_GRAFANA_VALUES);
        const secret = one(
          (r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata?.name === "grafana-admin",
          "Grafana admin Secret",
        );
        expect(secret.inputs.metadata.namespace).toBe(kps.inputs.namespace);
        expect(secret.inputs.stringData).toEqual({ "admin-user": "admin", "admin-password": GRAFANA_PASSWORD });
        expect(isSecretEnvelope((secret.wire as Record<string, unknown>)["stringData"]), "stringData is a Pulumi secret").toBe(true);
        // The Secret exists before the release (Grafana's pod reads it at start), its namespace before it.
        expect(kps.dependencies).toContain(secret.urn);
        const ns = one((r) => r.type === "kubernetes:core/v1:NamespacePatch", "namespace of the Grafana Secret");
        expect(ns.inputs.metadata).toEqual({ name: kps.inputs.namespace });
        expect(secret.dependencies).toContain(ns.urn);
        expect(outputs.grafana).toEqual({ installedHere: true, adminSecret: `${kps.inputs.namespace}/grafana-admin` });
      });

      it("puts each dashboard in the folder its ConfigMap names: the sidecar the release configures reads that annotation", () => {
        const sidecar = one((r) => r.type === RELEASE && r.inputs.chart === "kube-prometheus-stack", "kube-prometheus-stack release").inputs
          .values.grafana.sidecar.dashboards;
        // The grafana chart ignores the annotation unless it is named and folders come from the files.
        expect(sidecar.provider?.foldersFromFilesStructure).toBe(true);
        const dashboards = distObjects(x.env).filter((o) => o.kind === "ConfigMap" && o.metadata.labels?.["grafana_dashboard"] === "1");
        expect(dashboards.length).toBeGreaterThan(0);
        // Where the env names no folder, no annotation: the dashboards land in General.
        for (const d of dashboards) expect(d.metadata.annotations?.[sidecar.folderAnnotation], objectKey(d)).toBe(x.dashboardFolder);
      });
    } else {
      it("installs no Grafana: the dashboards are for an existing one", () => {
        for (const r of byType(RELEASE)) {
          const grafana = r.inputs.values?.grafana;
          if (grafana !== undefined) expect(grafana, r.inputs.chart).toEqual({ enabled: false });
        }
        expect(regs.filter((r) => r.inputs.metadata?.name === "grafana-admin" || r.type === "kubernetes:core/v1:NamespacePatch")).toEqual(
          [],
        );
        expect(outputs.grafana).toEqual({ installedHere: false });
      });
    }

    it(`${x.protectNamespace ? "protects" : "does not protect"} the environment's Namespace, and nothing else`, () => {
      const protectedOnes = regs.filter((r) => r.protect).map((r) => `${r.type} ${r.name}`);
      expect(protectedOnes).toEqual(x.protectNamespace ? [`kubernetes:core/v1:Namespace ${x.namespace}`] : []);
    });

    it("exports the namespace, service, autoscaler and Prometheus address", () => {
      const inDist = distObjects(x.env).filter(
        (o) => o.metadata.name === "inference" && ["ScaledObject", "HorizontalPodAutoscaler"].includes(o.kind),
      );
      expect(outputs).toMatchObject({ namespace: x.namespace, serviceName: "inference", prometheusAddress: x.prometheusAddress });
      // The stack's typed autoscaler, which is the one object dist/ renders for the env's scaling.mode.
      const { kind, name } = stackFor(x.env).autoscaler;
      expect(outputs.autoscaler).toEqual({ kind, name });
      // every model of the stack, each with its own autoscaler
      expect(outputs.services).toEqual(
        stackFor(x.env).services.map((m) => ({ name: m.name, autoscaler: { kind: m.autoscaler.kind, name: m.autoscaler.name } })),
      );
      expect(inDist.map((o) => [o.kind, o.metadata.name])).toEqual([[x.autoscalerKind, "inference"]]);
      expect(outputs.addons["certManager"]).toEqual({ version: CERT_MANAGER_VERSION, installedHere: true });
    });
  });
}
