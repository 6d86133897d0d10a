/**
 * Bad stack names and bad stack config stop the program before any resource is registered, with
 * one line per problem naming the stack, the key and the fix.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { ROOT } from "../helpers/cli.js";
import { stackFor } from "../helpers/env.js";
import { installMocks, stackConfig } from "./harness.js";

const KUBECONFIG = { kubeconfig: "apiVersion: v1\nkind: Config" };
const GRAFANA_PASSWORD_FIX = "Fix: pulumi config set --secret inference-scaling:grafanaAdminPassword <value>";
const EXISTING_GRAFANA =
  'an existing Grafana whose dashboards sidecar loads ConfigMaps labelled grafana_dashboard: "1" from all namespaces';

/** Runs the program expecting a failure; returns the error and whatever got registered (must be nothing). */
async function failure(stack: string, config = stackConfig(stack, KUBECONFIG)) {
  const registrations = await installMocks(stack, config);
  const { default: deploy } = await import("../../infra/index.js");
  let error: Error | undefined;
  try {
    await deploy(stack);
  } catch (e) {
    error = e as Error;
  } finally {
    await pulumi.runtime.disconnect();
  }
  if (!error) throw new Error(`stack ${stack} deployed (${registrations.length} resources) but was expected to fail`);
  expect(
    registrations.map((r) => `${r.type} ${r.name}`),
    "nothing is registered before the error",
  ).toEqual([]);
  return error;
}

describe("pulumi program errors", () => {
  it("rejects a stack name that selects no environment, listing the known ones", async () => {
    const error = await failure("qa", stackConfig("qa", KUBECONFIG, { "inference-scaling:kubeContext": "qa" }));
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    const known = ENV_NAMES.join(", ");
    expect(known).toMatch(/^dev, staging, prod\b/);
    expect(error.message).toBe(
      `stack "qa" selects no environment: the stack name must be one of ${known}. Fix: pulumi stack select <one of ${known}>, or add stacks/envs/qa.ts (registered in stacks/envs/index.ts) and Pulumi.qa.yaml`,
    );
  });

  it("requires the addons block, naming the key and the fix", async () => {
    const error = await failure("staging", stackConfig("staging", KUBECONFIG, { "inference-scaling:addons": undefined }));
    expect(error.message).toBe(
      'stack "staging": inference-scaling:addons: is required: it pins the chart version of every add-on and says whether this program installs it. Fix: add an addons block to Pulumi.staging.yaml (docs/pulumi.md "Stack configuration" lists its keys)',
    );
  });

  it("requires every add-on the environment needs, and KEDA 2.18 or later", async () => {
    const addons = {
      certManager: { install: true, version: "v1.18.2" },
      keda: { install: true, version: "2.17.1" },
      prometheusAdapter: { install: true, version: "5.3.0" },
    };
    const error = await failure("prod", stackConfig("prod", KUBECONFIG, { "inference-scaling:addons": addons }));
    expect(error.message.split("\n")).toEqual([
      `stack "prod": inference-scaling:addons.prometheus: environment "prod" needs prometheus but the stack config does not say how it gets into the cluster. Fix: pulumi config set --path 'inference-scaling:addons.prometheus.install' true && pulumi config set --path 'inference-scaling:addons.prometheus.version' 77.1.1`,
      `stack "prod": inference-scaling:addons.keda.version: KEDA 2.17.1 is older than 2.18.0, whose admission rules the rendered ScaledObjects follow. Fix: pin 2.18.3 or later`,
      `stack "prod": inference-scaling:addons.grafana: environment "prod" renders Grafana dashboards but the stack config does not say which Grafana loads them. Fix: pulumi config set --path 'inference-scaling:addons.grafana.install' true (kube-prometheus-stack's Grafana; then pulumi config set --secret inference-scaling:grafanaAdminPassword <password>), or false for ${EXISTING_GRAFANA} (or from ml-serving-prod)`,
    ]);
  });

  it("refuses a prometheus chart older than 28.0, whose kubernetes-pods job would scrape the pods a second time", async () => {
    // Every other add-on dev needs, as Pulumi.dev.yaml pins it (KEDA since dev scales to zero).
    const addons = {
      certManager: { install: true, version: "v1.18.6" },
      keda: { install: true, version: "2.18.3" },
      prometheus: { install: true, version: "27.20.0" },
      prometheusAdapter: { install: true, version: "5.3.0" },
      grafana: { install: false },
    };
    const error = await failure("dev", stackConfig("dev", KUBECONFIG, { "inference-scaling:addons": addons }));
    expect(error.message).toBe(
      'stack "dev": inference-scaling:addons.prometheus.version: prometheus chart 27.20.0 is older than 28.0.0: it has no scrapeConfigs value, so its kubernetes-pods job cannot be switched off and would scrape the service\'s pods a second time. Fix: pin 28.16.0 or later',
    );
    // Declared as already present, the chart is not this stack's to configure.
    const present = { ...addons, prometheus: { install: false, version: "27.20.0" } };
    const { default: deploy } = await import("../../infra/index.js");
    await installMocks("dev", stackConfig("dev", KUBECONFIG, { "inference-scaling:addons": present }));
    try {
      await expect(deploy("dev")).resolves.toBeDefined();
    } finally {
      await pulumi.runtime.disconnect();
    }
  });

  it("rejects an add-on setting with a floating or missing version", async () => {
    const addons = { certManager: { install: true, version: "latest" }, prometheus: { install: "yes", version: "27.20.0" } };
    const error = await failure("dev", stackConfig("dev", KUBECONFIG, { "inference-scaling:addons": addons }));
    expect(error.message).toMatch(
      /^stack "dev": inference-scaling:addons\.certManager\.version: version must be an exact chart version such as 2\.18\.0\. Fix: /m,
    );
    expect(error.message).toMatch(
      /^stack "dev": inference-scaling:addons\.prometheus\.install: install must be true \(this program installs it\) or false \(already in the cluster\)\. Fix: /m,
    );
  });

  it("refuses a credential stored in plain text", async () => {
    const config = stackConfig("prod", KUBECONFIG, { "inference-scaling:rabbitmqConnection": "amqp://u:p@rabbit:5672" });
    const error = await failure("prod", config);
    expect(error.message).toBe(
      'stack "prod": inference-scaling:rabbitmqConnection: is a credential but is stored in plain text in the stack config. Fix: remove it (pulumi config rm rabbitmqConnection) and set it encrypted: pulumi config set --secret inference-scaling:rabbitmqConnection <value>',
    );
    expect(error.message).not.toContain("u:p@");
  });

  it("refuses to deploy without a cluster context (never the current one by accident)", async () => {
    const error = await failure("dev", stackConfig("dev", {}, { "inference-scaling:kubeContext": undefined }));
    expect(error.message).toMatch(
      /^stack "dev": inference-scaling:kubeContext: no cluster is configured \(neither kubeContext nor kubeconfig is set\)/,
    );
  });

  it("requires every secret the environment declares, saying what it is for", async () => {
    const required = stackFor("prod").requiredSecrets;
    expect(required.length, "prod runs a RabbitMQ queue worker").toBeGreaterThan(0);
    const error = await failure("prod", stackConfig("prod", KUBECONFIG));
    expect(error.message.split("\n")).toEqual([
      ...new Set(
        required.map(
          (r) =>
            `stack "prod": inference-scaling:${r.configKey}: is required: ${r.description}. Fix: pulumi config set --secret inference-scaling:${r.configKey} <value>`,
        ),
      ),
      // Listed with the others, not after they are fixed.
      `stack "prod": inference-scaling:grafanaAdminPassword: is required: admin password of the Grafana installed with kube-prometheus-stack (addons.grafana.install is true), stored in Secret monitoring/grafana-admin. ${GRAFANA_PASSWORD_FIX}`,
    ]);
    expect(required.map((r) => r.configKey)).toContain("rabbitmqConnection");
  });
});

describe("Grafana config", () => {
  const addons = (stack: string) =>
    (parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, any> }).config["inference-scaling:addons"];

  it("requires the admin password where the stack installs Grafana", async () => {
    expect(addons("staging").grafana).toEqual({ install: true });
    const error = await failure("staging", stackConfig("staging", KUBECONFIG));
    expect(error.message).toBe(
      `stack "staging": inference-scaling:grafanaAdminPassword: is required: admin password of the Grafana installed with kube-prometheus-stack (addons.grafana.install is true), stored in Secret monitoring/grafana-admin. ${GRAFANA_PASSWORD_FIX}`,
    );
  });

  it("refuses the admin password in plain text, without echoing it", async () => {
    const error = await failure(
      "staging",
      stackConfig("staging", KUBECONFIG, { "inference-scaling:grafanaAdminPassword": "hunter2-plain" }),
    );
    expect(error.message).toBe(
      'stack "staging": inference-scaling:grafanaAdminPassword: is a credential but is stored in plain text in the stack config. Fix: remove it (pulumi config rm grafanaAdminPassword) and set it encrypted: pulumi config set --secret inference-scaling:grafanaAdminPassword <value>',
    );
  });

  it("refuses to install Grafana where this stack does not install kube-prometheus-stack", async () => {
    const dev = { ...addons("dev"), grafana: { install: true } };
    const devError = await failure(
      "dev",
      stackConfig("dev", { ...KUBECONFIG, grafanaAdminPassword: "x" }, { "inference-scaling:addons": dev }),
    );
    expect(devError.message).toBe(
      `stack "dev": inference-scaling:addons.grafana.install: is true, but this program installs Grafana only as part of kube-prometheus-stack, and environment "dev" uses the prometheus chart (cluster.prometheusOperator is false), which has no Grafana. Fix: set it to false and run ${EXISTING_GRAFANA} (or from ml-serving-dev)`,
    );
    const present = { ...addons("staging"), prometheus: { install: false, version: "77.1.1" } };
    const stagingError = await failure(
      "staging",
      stackConfig("staging", { ...KUBECONFIG, grafanaAdminPassword: "x" }, { "inference-scaling:addons": present }),
    );
    expect(stagingError.message).toMatch(
      /^stack "staging": inference-scaling:addons\.grafana\.install: is true, but .* kube-prometheus-stack is already in the cluster \(addons\.prometheus\.install is false\), so its Grafana is not this stack's to configure\. Fix: set it to false/,
    );
  });

  it("requires the choice where the environment renders dashboards, and accepts only install", async () => {
    const { grafana: _, ...withoutGrafana } = addons("dev");
    const error = await failure("dev", stackConfig("dev", KUBECONFIG, { "inference-scaling:addons": withoutGrafana }));
    expect(error.message).toBe(
      `stack "dev": inference-scaling:addons.grafana: environment "dev" renders Grafana dashboards but the stack config does not say which Grafana loads them. Fix: pulumi config set --path 'inference-scaling:addons.grafana.install' false, and run ${EXISTING_GRAFANA} (or from ml-serving-dev)`,
    );
    const versioned = { ...addons("staging"), grafana: { install: true, version: "12.0.0" } };
    const bad = await failure("staging", stackConfig("staging", KUBECONFIG, { "inference-scaling:addons": versioned }));
    expect(bad.message).toMatch(/^stack "staging": inference-scaling:addons\.grafana: unknown key version\. Fix: /);
  });
});
