/**
 * infra's Secret wiring (infra/secret-wiring.ts) on its own: which Secrets are created, under which
 * keys, from which reads, and which problems are reported. Values are plain `pulumi.output`s and
 * compared by identity: the wiring never looks inside them. createConfigSecret (infra/config-secret.ts)
 * is registered under mocks: its resource name, labels, type and encrypted data.
 */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it, vi } from "vitest";
import { createConfigSecret } from "../../infra/config-secret.js";
import type { SecretKeyRef } from "../../infra/config.js";
import { problem, type Problem } from "../../problems/problem.js";
import { SecretWiring, wireConfigSecrets, type SecretRead, type SecretReaders } from "../../infra/secret-wiring.js";
import type { RequiredSecret } from "../../stacks/stack.js";
import { isSecretEnvelope, plainStrings, runUnderMocks, stackConfig } from "./harness.js";

const NS = "ml-serving-test";
const required = (name: string, key: string, configKey: string, namespace = NS): RequiredSecret => ({
  namespace,
  name,
  key,
  configKey,
  description: `${configKey} of ${name}`,
});
const ref = (secretName: string, key: string, parameter: string, namespace = NS): SecretKeyRef => ({
  namespace,
  secretName,
  key,
  parameter,
  referencedBy: `TriggerAuthentication ${namespace}/ta`,
});
const missing = (key: string, message = "is required"): Problem =>
  problem({ code: "INFRA_CONFIG_INVALID", path: key, message, fix: `pulumi config set --secret ${key} <value>` });

/** Readers answering from fixed tables: a config key or `secretName.key` → a value or a problem. */
function readers(declared: Record<string, SecretRead>, triggers: Record<string, SecretRead> = {}) {
  return {
    declared: vi.fn((configKey: string, _description: string) => declared[configKey] ?? missing(configKey)),
    trigger: vi.fn((r: SecretKeyRef) => triggers[`${r.secretName}.${r.key}`] ?? missing(`triggerSecrets.${r.secretName}.${r.key}`)),
  } satisfies SecretReaders;
}

describe("wireConfigSecrets", () => {
  it("a declared Secret is keyed by its key and read from its config key with its description", () => {
    const conn = pulumi.output("amqp://x");
    const read = readers({ rabbitmqConnection: conn });
    const w = wireConfigSecrets([required("broker", "url", "rabbitmqConnection")], [], read);
    expect(read.declared).toHaveBeenCalledExactlyOnceWith("rabbitmqConnection", "rabbitmqConnection of broker");
    expect(w.secrets).toEqual([{ namespace: NS, name: "broker", stringData: { url: conn } }]);
    expect(w.secrets[0]!.stringData["url"]).toBe(conn);
    expect(w.problems).toEqual([]);
  });

  it("a TriggerAuthentication's Secret is keyed by the ref's key, not by the trigger parameter, in the ref's namespace", () => {
    const token = pulumi.output("t");
    const read = readers({}, { "prom-token.token": token });
    const w = wireConfigSecrets([], [ref("prom-token", "token", "bearerToken", "keda")], read);
    expect(read.trigger).toHaveBeenCalledExactlyOnceWith(ref("prom-token", "token", "bearerToken", "keda"));
    expect(w.secrets).toEqual([{ namespace: "keda", name: "prom-token", stringData: { token } }]);
  });

  it("a ref to exactly a declared Secret key is that Secret: not read again", () => {
    const conn = pulumi.output("amqp://x");
    const read = readers({ rabbitmqConnection: conn });
    const w = wireConfigSecrets([required("broker", "host", "rabbitmqConnection")], [ref("broker", "host", "host")], read);
    expect(read.trigger).not.toHaveBeenCalled();
    expect(w.secrets).toEqual([{ namespace: NS, name: "broker", stringData: { host: conn } }]);
    expect(w.problems).toEqual([]);
  });

  it.each([
    ["another namespace", ref("broker", "host", "host", "other"), { [`${NS}/broker`]: ["host"], "other/broker": ["host"] }],
    ["another Secret", ref("broker-2", "host", "host"), { [`${NS}/broker`]: ["host"], [`${NS}/broker-2`]: ["host"] }],
    ["another key of the same Secret", ref("broker", "password", "password"), { [`${NS}/broker`]: ["host", "password"] }],
  ])("a ref differing from the declared Secret only in %s is read from trigger config", (_what, r, keysBySecret) => {
    const read = readers({ rabbitmqConnection: pulumi.output("amqp://x") }, { [`${r.secretName}.${r.key}`]: pulumi.output("v") });
    const w = wireConfigSecrets([required("broker", "host", "rabbitmqConnection")], [r], read);
    expect(read.trigger).toHaveBeenCalledExactlyOnceWith(r);
    expect(Object.fromEntries(w.secrets.map((s) => [`${s.namespace}/${s.name}`, Object.keys(s.stringData)]))).toEqual(keysBySecret);
  });

  it("two keys of one Secret make one Secret; the first value put under a key wins", () => {
    const first = pulumi.output("1");
    const second = pulumi.output("2");
    const user = pulumi.output("u");
    const read = readers({ a: first, b: second }, { "creds.user": user });
    const w = wireConfigSecrets(
      [required("creds", "password", "a"), required("creds", "password", "b")],
      [ref("creds", "user", "username")],
      read,
    );
    expect(w.secrets).toHaveLength(1);
    expect(Object.keys(w.secrets[0]!.stringData)).toEqual(["password", "user"]);
    expect(w.secrets[0]!.stringData["password"]).toBe(first);
    expect(w.secrets[0]!.stringData["user"]).toBe(user);
  });

  it("a value that cannot be read creates no Secret and is a problem; problems are reported in order, each once", () => {
    const read = readers({ ok: pulumi.output("v") });
    const w = wireConfigSecrets(
      [required("a", "k", "missingA"), required("ok", "k", "ok"), required("a2", "k", "missingA")],
      [ref("t", "token", "bearerToken"), ref("t", "token", "bearerToken", "other")],
      read,
    );
    expect(w.secrets.map((s) => s.name)).toEqual(["ok"]);
    // missingA read twice, triggerSecrets.t.token read twice (two namespaces): one problem each.
    expect(w.problems).toEqual([missing("missingA"), missing("triggerSecrets.t.token")]);
  });
});

describe("SecretWiring.valueOf", () => {
  it("passes a value through and records nothing", () => {
    const w = new SecretWiring();
    const v = pulumi.output("x");
    expect(w.valueOf(v)).toBe(v);
    expect(w.problems).toEqual([]);
  });

  it("records a problem once per key and message: the same key with another message is a second problem", () => {
    const w = new SecretWiring();
    expect(w.valueOf(missing("grafanaAdminPassword"))).toBeUndefined();
    w.valueOf(missing("grafanaAdminPassword"));
    w.valueOf(missing("grafanaAdminPassword", "is stored in plain text"));
    w.valueOf(missing("other"));
    expect(w.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "grafanaAdminPassword: is required",
      "grafanaAdminPassword: is stored in plain text",
      "other: is required",
    ]);
  });
});

describe("createConfigSecret", () => {
  it("registers an Opaque Secret named namespace/name, labelled managed-by, its data encrypted", async () => {
    const { registrations } = await runUnderMocks("dev", stackConfig("dev"), async () => {
      createConfigSecret({ namespace: NS, name: "broker", stringData: { url: "amqp://SENTINEL-CONFIG-SECRET" } }, {});
    });
    expect(registrations).toHaveLength(1);
    const [r] = registrations;
    expect(r!.type).toBe("kubernetes:core/v1:Secret");
    expect(r!.name).toBe(`${NS}/broker`);
    expect(r!.inputs.metadata).toEqual({ name: "broker", namespace: NS, labels: { "app.kubernetes.io/managed-by": "inference-scaling" } });
    expect(r!.inputs.type).toBe("Opaque");
    expect(r!.inputs.stringData).toEqual({ url: "amqp://SENTINEL-CONFIG-SECRET" });
    expect(isSecretEnvelope((r!.wire as Record<string, unknown>)["stringData"])).toBe(true);
    expect(plainStrings(r!.wire).filter((s) => s.value.includes("SENTINEL"))).toEqual([]);
  });
});
