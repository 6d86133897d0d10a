/**
 * The Secrets infra creates from stack config carry the key the consumers read: the
 * `secretTargetRef[].key` of a TriggerAuthentication (and the worker's `secretKeyRef.key`), never
 * the trigger parameter the value is passed to. The built-in envs use "host" for both, so these
 * cases use different words: a queue worker whose connection Secret key is "url", and a
 * TriggerAuthentication nothing in the stack declares (parameter "bearerToken", key "token").
 */
import { ApiObject } from "cdk8s";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { EnvConfigInput } from "../../stacks/config.js";
import { ENVIRONMENTS } from "../../stacks/envs/index.js";
import { envInput } from "../helpers/env.js";
import { onBuildStack } from "../helpers/stack-hook.js";
import { runProgram, stackConfig, type Registration } from "./harness.js";

vi.mock("../../stacks/stack.js", async (orig) => (await import("../helpers/stack-hook.js")).hookedStackModule(orig));

const envs = ENVIRONMENTS as Record<string, EnvConfigInput>;
const builtinProd = envs["prod"]!;
afterEach(() => {
  onBuildStack(undefined);
  envs["prod"] = builtinProd;
});

const RABBIT = "amqp://inference:SENTINEL-RABBIT-KEYS@rabbitmq.queue.svc:5672/prod";
const TOKEN = "SENTINEL-TOKEN-KEYS";
const NS = "ml-serving-prod";
const SECRETS = { kubeconfig: "apiVersion: v1\nkind: Config", rabbitmqConnection: RABBIT, grafanaAdminPassword: "SENTINEL-GRAFANA-KEYS" };

function secretsByName(regs: readonly Registration[]): Map<string, Record<string, string>> {
  return new Map(
    regs
      .filter((r) => r.type === "kubernetes:core/v1:Secret")
      .map((r) => [`${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`, r.inputs.stringData]),
  );
}

function object(regs: readonly Registration[], kind: string, name: string): Record<string, any> {
  const found = regs.filter((r) => r.inputs?.kind === kind && r.inputs?.metadata?.name === name);
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0]!.inputs;
}

describe("infra: config Secrets are keyed by secretTargetRef.key, not by the trigger parameter", () => {
  it("a queue worker whose connection Secret key is not the parameter name", async () => {
    const [worker] = builtinProd.queueWorkers as Record<string, unknown>[];
    envs["prod"] = envInput("prod", { queueWorkers: [{ ...worker, connectionSecret: { name: "broker", key: "url" } }] });
    const { registrations } = await runProgram("prod", stackConfig("prod", SECRETS));

    const ta = object(registrations, "TriggerAuthentication", "embedding-worker-rabbitmq");
    expect(ta.spec.secretTargetRef).toEqual([{ parameter: "host", name: "broker", key: "url" }]);
    const dep = object(registrations, "Deployment", "embedding-worker");
    const brokerEnv = dep.spec.template.spec.containers[0].env.find((e: any) => e.valueFrom?.secretKeyRef);
    expect(brokerEnv.valueFrom.secretKeyRef).toEqual({ name: "broker", key: "url" });

    expect(secretsByName(registrations).get(`${NS}/broker`)).toEqual({ url: RABBIT });
  });

  it("a TriggerAuthentication the stack does not declare: its Secret gets the ref's key, valued from triggerSecrets", async () => {
    onBuildStack((s) => {
      new ApiObject(
        s.charts.find((c) => c.node.id === "autoscaling")!,
        "prom-auth",
        {
          apiVersion: "keda.sh/v1alpha1",
          kind: "TriggerAuthentication",
          metadata: { name: "prom-auth", namespace: s.config.namespace },
          spec: { secretTargetRef: [{ parameter: "bearerToken", name: "prom-token", key: "token" }] },
        },
      );
    });
    const config = stackConfig("prod", { ...SECRETS, triggerSecrets: JSON.stringify({ "prom-token": { token: TOKEN } }) });
    const { registrations } = await runProgram("prod", config);
    expect(secretsByName(registrations).get(`${NS}/prom-token`)).toEqual({ token: TOKEN });
  });
});
