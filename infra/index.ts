/**
 * The Pulumi program (`Pulumi.yaml` → `main: infra/index.ts`): the stack name selects the
 * environment in stacks/envs/, whose charts are rendered in memory exactly as `npm run synth`
 * renders them, then deployed object by object after the cluster add-ons they need.
 *
 * The module's only export is the program function: the Node.js language host calls a default
 * export and uses its result as the stack outputs. Tests call it with mocks and a stack name.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { EnvConfig } from "../stacks/config.js";
import { ENV_NAMES } from "../stacks/envs/index.js";
import { builtinSources, parseSources } from "../stacks/load.js";
import { prometheusAddress } from "../stacks/naming.js";
import { renderEnvironment } from "../stacks/synth.js";
import { UserError } from "../problems/problem.js";
import { ClusterAddons, GRAFANA_ADMIN_SECRET } from "./cluster-addons.js";
import { addonNeeds, declaredSecretValue, GRAFANA_PASSWORD_KEY, InfraConfigError, readInfraConfig, triggerSecretValue } from "./config.js";
import { InferenceStack, unrenderedSecretRefs, type ChartObjects, type KubeObject } from "./inference-stack.js";
import { wireConfigSecrets } from "./secret-wiring.js";

/** What `pulumi stack output` shows. */
export interface StackOutputs {
  readonly namespace: string;
  readonly serviceName: string;
  /** The ScaledObject or HorizontalPodAutoscaler owning the Deployment (the stack's autoscaler). */
  readonly autoscaler: { readonly kind: "ScaledObject" | "HorizontalPodAutoscaler"; readonly name: string };
  /** Every inference service (model) the stack deploys, with the autoscaler owning its Deployment; the first is serviceName's. */
  readonly services: readonly {
    readonly name: string;
    readonly autoscaler: { readonly kind: "ScaledObject" | "HorizontalPodAutoscaler"; readonly name: string };
  }[];
  /** In-cluster address of the environment's Prometheus. */
  readonly prometheusAddress: string;
  /** Each add-on: chart version, and whether this stack installs it or found it present. */
  readonly addons: Readonly<Record<string, { readonly version: string; readonly installedHere: boolean }>>;
  /**
   * The Grafana loading the environment's dashboards: kube-prometheus-stack's, installed here (admin
   * credentials in `adminSecret`), or an existing one. Null where the environment renders none.
   */
  readonly grafana: { readonly installedHere: true; readonly adminSecret: string } | { readonly installedHere: false } | null;
}

/** A user error (config, checks, a refused construct, the stack config) becomes a RunError: the CLI prints its lines, each naming the stack, without a stack trace. */
function asRunError(stack: string, e: unknown): unknown {
  if (e instanceof UserError) return new pulumi.RunError(e.lines.map((l) => `stack "${stack}": ${l}`).join("\n"));
  return e;
}

function environmentFor(stack: string): EnvConfig {
  if (!ENV_NAMES.includes(stack)) {
    throw new pulumi.RunError(
      `stack "${stack}" selects no environment: the stack name must be one of ${ENV_NAMES.join(", ")}. Fix: pulumi stack select <one of ${ENV_NAMES.join(", ")}>, or add stacks/envs/${stack}.ts (registered in stacks/envs/index.ts) and Pulumi.${stack}.yaml`,
    );
  }
  return parseSources(builtinSources([stack]))[0]!;
}

/**
 * Deploys environment `stack` (default: the selected Pulumi stack). Everything that can be wrong
 * with the environment or the stack config is checked before the first resource is registered.
 */
export default async function deploy(stack: string = pulumi.getStack()): Promise<StackOutputs> {
  try {
    return await deployEnvironment(stack);
  } catch (e) {
    throw asRunError(stack, e);
  }
}

/** The program for environment `stack`; its user errors reach {@link deploy} as UserErrors. */
async function deployEnvironment(stack: string): Promise<StackOutputs> {
  const config = environmentFor(stack);
  const rendered = await renderEnvironment(config);
  const envStack = rendered.stack;
  const charts: ChartObjects[] = envStack.charts.map((c) => ({ chart: c.node.id, objects: c.toJson() as KubeObject[] }));
  const infra = readInfraConfig(stack, config, addonNeeds(config, envStack.addonValues));

  // Secrets the objects reference but dist/ never contains: those the stack declares
  // (stack.requiredSecrets), then any other key a TriggerAuthentication reads.
  const wiring = wireConfigSecrets(envStack.requiredSecrets, unrenderedSecretRefs(charts, infra.addons.keda?.namespace), {
    declared: declaredSecretValue,
    trigger: (ref) => triggerSecretValue(infra.triggerSecrets, ref),
  });
  // Grafana's admin password: read like every other secret; ClusterAddons creates its Secret.
  const { certManager, keda, prometheus, prometheusAdapter, grafana } = infra.addons;
  const grafanaAdminPassword = grafana?.install
    ? wiring.valueOf(
        declaredSecretValue(
          GRAFANA_PASSWORD_KEY,
          `admin password of the Grafana installed with kube-prometheus-stack (addons.grafana.install is true), stored in Secret ${prometheus?.namespace}/${GRAFANA_ADMIN_SECRET.name}`,
        ),
      )
    : undefined;
  if (wiring.problems.length) throw new InfraConfigError(stack, wiring.problems);
  const autoscaler = { kind: envStack.autoscaler.kind, name: envStack.autoscaler.name };
  for (const unused of infra.unusedAddons) {
    void pulumi.log.warn(`addons.${unused} is configured but environment "${config.name}" does not use it: not installed`);
  }

  const provider = new k8s.Provider("cluster", { context: infra.kubeContext, kubeconfig: infra.kubeconfig });
  const p = config.monitoring.prometheus;
  const addons = new ClusterAddons(
    "addons",
    {
      certManager,
      keda,
      prometheus: prometheus && {
        ...prometheus,
        chart: config.cluster.prometheusOperator ? "kube-prometheus-stack" : "prometheus",
        service: p.service,
        port: p.port,
        selectorLabels: config.monitoring.selectorLabels,
        grafana: grafanaAdminPassword && { adminPassword: grafanaAdminPassword },
      },
      prometheusOperatorCrds: config.cluster.prometheusOperator,
      prometheusAdapter,
      helmValues: envStack.addonValues,
    },
    { providers: [provider] },
  );
  new InferenceStack(
    config.name,
    {
      charts,
      crdSources: addons.crdSources,
      namespaceOwners: addons.namespaceOwners,
      protectNamespace: infra.protectNamespace,
      secrets: wiring.secrets,
      kedaNamespace: keda?.namespace,
    },
    { providers: [provider] },
  );

  return {
    namespace: config.namespace,
    serviceName: config.service.name,
    autoscaler,
    // Every model the stack deploys, with the autoscaler owning its Deployment.
    services: envStack.services.map((m) => ({ name: m.name, autoscaler: { kind: m.autoscaler.kind, name: m.autoscaler.name } })),
    prometheusAddress: prometheusAddress(config),
    addons: Object.fromEntries(
      Object.entries({ certManager, keda, prometheus, prometheusAdapter })
        .filter(([, a]) => a !== undefined)
        .map(([k, a]) => [k, { version: a!.version, installedHere: a!.install }]),
    ),
    grafana: !grafana
      ? null
      : grafana.install
        ? { installedHere: true, adminSecret: `${prometheus!.namespace}/${GRAFANA_ADMIN_SECRET.name}` }
        : { installedHere: false },
  };
}
