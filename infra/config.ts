/**
 * Typed reading of the Pulumi stack configuration (`Pulumi.<stack>.yaml` + secrets). Everything the
 * program needs from config is read and checked here, before any resource is created, so a bad or
 * missing value stops `pulumi preview` with one line per problem naming the stack, the key and the
 * fix, and nothing is half-registered.
 *
 * What the environment needs (KEDA or not, which Prometheus chart, an adapter or not) comes from the
 * env config in stacks/; this file only says how each of those add-ons gets into the cluster.
 */
import * as pulumi from "@pulumi/pulumi";
import { DNS_LABEL } from "../kube/names.js";
import { z } from "zod";
import type { EnvConfig } from "../stacks/config.js";
import type { AddonValues } from "../stacks/addon-values.js";
import { GRAFANA_DASHBOARD_LABEL } from "./cluster-addons.js";
import { problem, UserError, type Problem } from "../problems/problem.js";

/** The Pulumi project name (`Pulumi.yaml`); config keys are `inference-scaling:<key>`. */
export const PROJECT = "inference-scaling";

/**
 * Add-on chart versions this program was written and tested against (docs/pulumi.md, Pulumi.<stack>.yaml,
 * whose pins tests hold equal to these). The values it sets are checked against each chart's
 * values.yaml keys at exactly these versions (test/infra/chart-values-keys.ts).
 */
export const PINNED_VERSIONS = {
  certManager: "v1.18.6",
  keda: "2.18.3",
  kubePrometheusStack: "77.1.1",
  prometheus: "28.16.0",
  prometheusAdapter: "5.3.0",
} as const;

/**
 * KEDA versions older than this reject `fallback` on ScaledObjects whose triggers use
 * `metricType: Value`, which the autoscaling constructs render (stacks/ follows 2.18's admission
 * and fallback rules). The pin is the latest 2.18 patch (2.18.3 fixes CVE-2025-68476).
 */
export const MIN_KEDA_VERSION = "2.18.0";

/**
 * The plain `prometheus` chart gained `scrapeConfigs` (each default job switchable) in 28.0; before
 * it, its kubernetes-pods job cannot be switched off and scrapes the annotated pods a second time.
 */
export const MIN_PROMETHEUS_CHART_VERSION = "28.0.0";

/** The add-ons this program can install, by config key. */
export type AddonKey = "certManager" | "keda" | "prometheus" | "prometheusAdapter";

/**
 * Grafana is not a release of its own: where this program installs kube-prometheus-stack it can
 * enable the chart's Grafana (version pinned by the kube-prometheus-stack chart); anywhere else the
 * dashboards need a Grafana that is already running with the dashboards sidecar.
 */
export interface GrafanaSetting {
  /** `true`: kube-prometheus-stack's Grafana, installed here; `false`: an existing Grafana loads the dashboards. */
  readonly install: boolean;
}

/** Secret config key holding the admin password of the Grafana this program installs. */
export const GRAFANA_PASSWORD_KEY = "grafanaAdminPassword";

/** How one add-on gets into the cluster. */
export interface AddonSetting {
  /** `true`: this program installs the Helm release; `false`: it is already in the cluster. */
  readonly install: boolean;
  /** Pinned chart version (installed, or expected to be present). */
  readonly version: string;
  /** Namespace of the release (or of the existing installation). */
  readonly namespace: string;
}

export interface InfraConfig {
  /** The Pulumi stack name, which is also the environment name. */
  readonly stack: string;
  /** kubeconfig context the provider targets. */
  readonly kubeContext?: string;
  /** kubeconfig contents or path, secret (CI); otherwise the ambient kubeconfig file is used. */
  readonly kubeconfig?: pulumi.Output<string>;
  /** Protect the environment's Namespace from deletion (prod). */
  readonly protectNamespace: boolean;
  /** The add-ons this environment needs, each installed or already present. */
  readonly addons: {
    readonly certManager: AddonSetting;
    readonly keda?: AddonSetting;
    readonly prometheus?: AddonSetting;
    readonly prometheusAdapter?: AddonSetting;
    /** Where the environment renders Grafana dashboards: which Grafana loads them. */
    readonly grafana?: GrafanaSetting;
  };
  /** Add-ons configured for this stack that the environment does not use (reported, not installed). */
  readonly unusedAddons: readonly (AddonKey | "grafana")[];
  /** Secret values for Secrets that rendered TriggerAuthentications reference, see {@link triggerSecretValue}. */
  readonly triggerSecrets: TriggerSecretSource;
}

/** A bad value of stack config key `path` (`inference-scaling:<path>`). */
export function keyProblem(p: Pick<Problem, "path" | "message" | "fix">): Problem {
  return problem({ code: "INFRA_CONFIG_INVALID", ...p });
}

/** A credential key set in plain text: refused, without echoing the value. */
function plainTextProblem(key: string): Problem {
  return keyProblem({
    path: key,
    message: "is a credential but is stored in plain text in the stack config",
    fix: `remove it (pulumi config rm ${key}) and set it encrypted: pulumi config set --secret ${PROJECT}:${key} <value>`,
  });
}

/**
 * A user error in the stack configuration, one line per problem; the program turns it (like every
 * UserError) into a `RunError` the Pulumi CLI shows without a stack trace, each line naming the stack.
 */
export class InfraConfigError extends UserError {
  constructor(
    readonly stack: string,
    problems: readonly Problem[],
  ) {
    super(
      problems.map((p) => ({ ...p, env: stack })),
      problems.map((p) => `${PROJECT}:${p.path}: ${p.message}. Fix: ${p.fix}`).join("\n"),
    );
  }
}

const VERSION = /^v?\d+\.\d+\.\d+$/;

const AddonInput = z.strictObject({
  install: z.boolean({ error: "install must be true (this program installs it) or false (already in the cluster)" }),
  version: z.string({ error: "version is required" }).regex(VERSION, { error: "version must be an exact chart version such as 2.18.0" }),
  namespace: z.string().max(63).regex(DNS_LABEL, { error: "namespace must be a DNS label" }).optional(),
});
const GrafanaInput = z.strictObject({
  install: z.boolean({
    error: "install must be true (kube-prometheus-stack's Grafana, installed here) or false (an existing Grafana loads the dashboards)",
  }),
});
const AddonsInput = z.strictObject({
  certManager: AddonInput.optional(),
  keda: AddonInput.optional(),
  prometheus: AddonInput.optional(),
  prometheusAdapter: AddonInput.optional(),
  grafana: GrafanaInput.optional(),
});
type AddonsInput = z.output<typeof AddonsInput>;

/** Compares dotted versions numerically (`v` prefix ignored). */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, "").split(".").map(Number);
  const pb = b.replace(/^v/, "").split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Secret config keys: set with `pulumi config set --secret`, never in a stack file in plain text. */
export const SECRET_KEYS = ["kubeconfig", "rabbitmqConnection", "triggerSecrets", GRAFANA_PASSWORD_KEY] as const;

/**
 * True when the key was set in plain text. The language host passes the names of encrypted keys to
 * the program; older SDKs without that hook are given the benefit of the doubt.
 */
function setInPlainText(key: string): boolean {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
  const full = `${PROJECT}:${key}`;
  return pulumi.runtime.getConfig(full) !== undefined && runtime.isConfigSecret !== undefined && !runtime.isConfigSecret(full);
}

/** Which add-ons an environment needs, from its env config and what its stack renders. */
export interface AddonNeeds {
  readonly keda: boolean;
  readonly prometheus: boolean;
  readonly prometheusAdapter: boolean;
  /** The environment renders Grafana dashboards (ConfigMaps for the Grafana sidecar). */
  readonly grafana: boolean;
}

export function addonNeeds(env: EnvConfig, values: AddonValues): AddonNeeds {
  return {
    keda: env.cluster.keda,
    // An explicitly declared external Prometheus is not ours to install.
    prometheus: env.monitoring.prometheus.externalUrl === undefined,
    prometheusAdapter: values.prometheusAdapter !== undefined,
    grafana: env.dashboards !== undefined,
  };
}

const DEFAULT_NAMESPACES: Record<AddonKey, (env: EnvConfig) => string> = {
  certManager: () => "cert-manager",
  keda: () => "keda",
  prometheus: (env) => env.monitoring.prometheus.namespace,
  prometheusAdapter: (env) => env.monitoring.prometheus.namespace,
};

const EXAMPLE_VERSION: Record<AddonKey, (env: EnvConfig) => string> = {
  certManager: () => PINNED_VERSIONS.certManager,
  keda: () => PINNED_VERSIONS.keda,
  prometheus: (env) => (env.cluster.prometheusOperator ? PINNED_VERSIONS.kubePrometheusStack : PINNED_VERSIONS.prometheus),
  prometheusAdapter: () => PINNED_VERSIONS.prometheusAdapter,
};

/** protectNamespace: true or false (default false). */
function readProtectNamespace(cfg: pulumi.Config, problems: Problem[]): boolean {
  const rawProtect = cfg.get("protectNamespace");
  if (rawProtect === undefined) return false;
  if (rawProtect !== "true" && rawProtect !== "false") {
    problems.push(
      keyProblem({
        path: "protectNamespace",
        message: `must be true or false (got "${rawProtect}")`,
        fix: `pulumi config set ${PROJECT}:protectNamespace true`,
      }),
    );
    return false;
  }
  return rawProtect === "true";
}

/** The required addons block, parsed (JSON, or the raw value) and checked; undefined when it is missing. */
function readAddonsBlock(cfg: pulumi.Config, stack: string, problems: Problem[]): AddonsInput | undefined {
  const rawAddons = cfg.get("addons");
  if (rawAddons === undefined) {
    problems.push(
      keyProblem({
        path: "addons",
        message: "is required: it pins the chart version of every add-on and says whether this program installs it",
        fix: `add an addons block to Pulumi.${stack}.yaml (docs/pulumi.md "Stack configuration" lists its keys)`,
      }),
    );
    return undefined;
  }
  let parsedJson: unknown;
  try {
    parsedJson = JSON.parse(rawAddons);
  } catch {
    parsedJson = rawAddons;
  }
  const parsed = AddonsInput.safeParse(parsedJson);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const path = ["addons", ...issue.path.map(String)].join(".");
    const message =
      issue.code === "unrecognized_keys" ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}` : issue.message;
    problems.push(keyProblem({ path, message, fix: "see docs/pulumi.md (Stack configuration) for the addons keys" }));
  }
  return {};
}

/** Each add-on the environment needs, as the block sets it (namespace defaulted); blocks it does not need go to `unused`. */
function resolveAddons(
  env: EnvConfig,
  needs: AddonNeeds,
  input: AddonsInput,
  unused: (AddonKey | "grafana")[],
  problems: Problem[],
): Partial<Record<AddonKey, AddonSetting>> {
  const needed: Record<AddonKey, boolean> = {
    certManager: true,
    keda: needs.keda,
    prometheus: needs.prometheus,
    prometheusAdapter: needs.prometheusAdapter,
  };
  const addons: Partial<Record<AddonKey, AddonSetting>> = {};
  for (const key of Object.keys(needed) as AddonKey[]) {
    const setting = input[key];
    if (!needed[key]) {
      if (setting) unused.push(key);
      continue;
    }
    if (!setting) {
      problems.push(
        keyProblem({
          path: `addons.${key}`,
          message: `environment "${env.name}" needs ${key} but the stack config does not say how it gets into the cluster`,
          fix: `pulumi config set --path '${PROJECT}:addons.${key}.install' true && pulumi config set --path '${PROJECT}:addons.${key}.version' ${EXAMPLE_VERSION[key](env)}`,
        }),
      );
      continue;
    }
    addons[key] = { install: setting.install, version: setting.version, namespace: setting.namespace ?? DEFAULT_NAMESPACES[key](env) };
  }
  return addons;
}

/** Minimum versions (KEDA's admission rules, the prometheus chart's scrapeConfigs value) and Prometheus' namespace. */
function checkAddonSettings(env: EnvConfig, addons: Partial<Record<AddonKey, AddonSetting>>, problems: Problem[]): void {
  const keda = addons.keda;
  if (keda && compareVersions(keda.version, MIN_KEDA_VERSION) < 0) {
    problems.push(
      keyProblem({
        path: "addons.keda.version",
        message: `KEDA ${keda.version} is older than ${MIN_KEDA_VERSION}, whose admission rules the rendered ScaledObjects follow`,
        fix: `pin ${PINNED_VERSIONS.keda} or later`,
      }),
    );
  }
  const prom = addons.prometheus;
  if (prom?.install && !env.cluster.prometheusOperator && compareVersions(prom.version, MIN_PROMETHEUS_CHART_VERSION) < 0) {
    problems.push(
      keyProblem({
        path: "addons.prometheus.version",
        message: `prometheus chart ${prom.version} is older than ${MIN_PROMETHEUS_CHART_VERSION}: it has no scrapeConfigs value, so its kubernetes-pods job cannot be switched off and would scrape the service's pods a second time`,
        fix: `pin ${PINNED_VERSIONS.prometheus} or later`,
      }),
    );
  }
  if (prom && prom.namespace !== env.monitoring.prometheus.namespace) {
    problems.push(
      keyProblem({
        path: "addons.prometheus.namespace",
        message: `is "${prom.namespace}" but the environment's queries and adapter use Prometheus in "${env.monitoring.prometheus.namespace}" (monitoring.prometheus.namespace)`,
        fix: "remove the namespace key or change monitoring.prometheus.namespace in the env config",
      }),
    );
  }
}

/** addons.grafana: required when the environment renders dashboards; install only with kube-prometheus-stack. */
function readGrafana(
  env: EnvConfig,
  needs: AddonNeeds,
  addonsInput: AddonsInput,
  prom: AddonSetting | undefined,
  unused: (AddonKey | "grafana")[],
  problems: Problem[],
): GrafanaSetting | undefined {
  const input = addonsInput.grafana;
  const reason = grafanaNotInstallable(env, prom);
  const sidecar = `an existing Grafana whose dashboards sidecar loads ConfigMaps labelled ${GRAFANA_DASHBOARD_LABEL.label}: "${GRAFANA_DASHBOARD_LABEL.labelValue}" from all namespaces (or from ${env.dashboards?.namespace ?? env.namespace})`;
  if (!needs.grafana) {
    if (input) unused.push("grafana");
    return undefined;
  }
  if (!input) {
    problems.push(
      keyProblem({
        path: "addons.grafana",
        message: `environment "${env.name}" renders Grafana dashboards but the stack config does not say which Grafana loads them`,
        fix: reason
          ? `pulumi config set --path '${PROJECT}:addons.grafana.install' false, and run ${sidecar}`
          : `pulumi config set --path '${PROJECT}:addons.grafana.install' true (kube-prometheus-stack's Grafana; then pulumi config set --secret ${PROJECT}:${GRAFANA_PASSWORD_KEY} <password>), or false for ${sidecar}`,
      }),
    );
    return undefined;
  }
  if (input.install && reason) {
    problems.push(
      keyProblem({
        path: "addons.grafana.install",
        message: `is true, but this program installs Grafana only as part of kube-prometheus-stack, and ${reason}`,
        fix: `set it to false and run ${sidecar}`,
      }),
    );
  }
  return { install: input.install };
}

/**
 * Reads and checks this stack's config for environment `env`. Throws {@link InfraConfigError}
 * listing every problem at once.
 */
export function readInfraConfig(stack: string, env: EnvConfig, needs: AddonNeeds): InfraConfig {
  const cfg = new pulumi.Config(PROJECT);
  const problems: Problem[] = [];

  for (const key of SECRET_KEYS) {
    if (setInPlainText(key)) {
      problems.push(plainTextProblem(key));
    }
  }

  const kubeContext = cfg.get("kubeContext");
  const kubeconfig = setInPlainText("kubeconfig") ? undefined : cfg.getSecret("kubeconfig");
  if (!kubeContext && !kubeconfig) {
    problems.push(
      keyProblem({
        path: "kubeContext",
        message:
          "no cluster is configured (neither kubeContext nor kubeconfig is set), so the deploy would target whatever context is current",
        fix: `pulumi config set ${PROJECT}:kubeContext <context> (or pulumi config set --secret ${PROJECT}:kubeconfig <file contents>)`,
      }),
    );
  }

  const protectNamespace = readProtectNamespace(cfg, problems);
  const addonsInput = readAddonsBlock(cfg, stack, problems);
  const unusedAddons: (AddonKey | "grafana")[] = [];
  // Without the block, the problem above says it all.
  const addons = addonsInput ? resolveAddons(env, needs, addonsInput, unusedAddons, problems) : {};
  checkAddonSettings(env, addons, problems);
  const grafana = addonsInput ? readGrafana(env, needs, addonsInput, addons.prometheus, unusedAddons, problems) : undefined;

  if (problems.length) throw new InfraConfigError(stack, problems);
  return {
    stack,
    kubeContext,
    kubeconfig,
    protectNamespace,
    addons: { ...addons, certManager: addons.certManager!, ...(grafana ? { grafana } : {}) },
    unusedAddons,
    triggerSecrets: {
      rabbitmqConnection: cfg.getSecret("rabbitmqConnection"),
      byName: cfg.getSecretObject<Record<string, Record<string, string>>>("triggerSecrets"),
      // Only which Secret names and keys exist is read here; the values stay inside `byName`, a secret.
      available: Object.fromEntries(
        Object.entries(parsePlainObject(pulumi.runtime.getConfig(`${PROJECT}:triggerSecrets`))).map(([name, keys]) => [
          name,
          Object.keys(parsePlainObject(keys)),
        ]),
      ),
    },
  };
}

/** Why this stack cannot install Grafana (it comes with kube-prometheus-stack only), or undefined. */
function grafanaNotInstallable(env: EnvConfig, prometheus: AddonSetting | undefined): string | undefined {
  if (!env.cluster.prometheusOperator)
    return `environment "${env.name}" uses the prometheus chart (cluster.prometheusOperator is false), which has no Grafana`;
  if (env.monitoring.prometheus.externalUrl !== undefined)
    return `environment "${env.name}" uses an external Prometheus (monitoring.prometheus.externalUrl)`;
  // A missing addons.prometheus is reported on its own.
  if (prometheus && !prometheus.install)
    return "kube-prometheus-stack is already in the cluster (addons.prometheus.install is false), so its Grafana is not this stack's to configure";
  return undefined;
}

function parsePlainObject(v: unknown): Record<string, unknown> {
  if (typeof v === "string") {
    try {
      return parsePlainObject(JSON.parse(v));
    } catch {
      return {};
    }
  }
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * Where the values of Secrets that TriggerAuthentications reference come from: never dist/, always
 * encrypted stack config.
 * - `rabbitmqConnection`: the AMQP URL for the rabbitmq scaler's `host` parameter.
 * - `triggerSecrets`: `{ <secretName>: { <key>: <value> } }` for any other Secret key
 *   (`pulumi config set --secret --path 'inference-scaling:triggerSecrets.<secret>.<key>' <value>`).
 */
export interface TriggerSecretSource {
  readonly rabbitmqConnection?: pulumi.Output<string>;
  readonly byName?: pulumi.Output<Record<string, Record<string, string>>>;
  /** Secret name → keys present in `triggerSecrets` (names are not secret; the values are). */
  readonly available: Readonly<Record<string, readonly string[]>>;
}

/**
 * The value of a secret config key the stack declares (`stack.requiredSecrets[].configKey`), or a
 * problem saying how to set it. A value stored in plain text is refused like any credential.
 */
export function declaredSecretValue(key: string, description: string): pulumi.Output<string> | Problem {
  if (setInPlainText(key)) {
    return plainTextProblem(key);
  }
  const value = new pulumi.Config(PROJECT).getSecret(key);
  return (
    value ?? keyProblem({ path: key, message: `is required: ${description}`, fix: `pulumi config set --secret ${PROJECT}:${key} <value>` })
  );
}

/** A Secret key a rendered TriggerAuthentication reads. */
export interface SecretKeyRef {
  readonly namespace: string;
  readonly secretName: string;
  readonly key: string;
  /** The trigger parameter it supplies (`host`, `bearerToken`, ...). */
  readonly parameter: string;
  /** `Kind namespace/name` of the object that references it. */
  readonly referencedBy: string;
}

/** Trigger parameters with a dedicated secret config key. */
const PARAMETER_KEYS: Readonly<Record<string, "rabbitmqConnection">> = { host: "rabbitmqConnection" };

/**
 * The secret value for `ref`, or a problem saying which `pulumi config set --secret` supplies it.
 * `triggerSecrets.<secret>.<key>` wins over the per-parameter key.
 */
export function triggerSecretValue(source: TriggerSecretSource, ref: SecretKeyRef): pulumi.Output<string> | Problem {
  if (source.byName && source.available[ref.secretName]?.includes(ref.key)) {
    return source.byName.apply((all) => all[ref.secretName]![ref.key]!);
  }
  const dedicated = PARAMETER_KEYS[ref.parameter];
  if (dedicated && source[dedicated]) return source[dedicated];
  const fix = dedicated
    ? `pulumi config set --secret ${PROJECT}:${dedicated} <value>`
    : `pulumi config set --secret --path '${PROJECT}:triggerSecrets.${ref.secretName}.${ref.key}' <value>`;
  return keyProblem({
    path: dedicated ?? `triggerSecrets.${ref.secretName}.${ref.key}`,
    message: `${ref.referencedBy} reads parameter "${ref.parameter}" from Secret ${ref.namespace}/${ref.secretName} key "${ref.key}", which nothing provides`,
    fix,
  });
}
