import { describe, expect, it } from "vitest";
import { credentialIn, isCredentialKey } from "../../../stacks/checks/credentials.js";
import { check, checkConfig, coherent, config, container, expectErrors, mutate, NS } from "./fixtures.js";

const withEnv = (env: object[]) => mutate(coherent(), (get) => (get("Deployment").spec.template.spec.containers = [container({ env })]));

describe("PLAINTEXT_CREDENTIAL: no plaintext credentials in rendered output", () => {
  it("passes plain settings, secret references and a TriggerAuthentication", () => {
    const ta = {
      apiVersion: "keda.sh/v1alpha1",
      kind: "TriggerAuthentication",
      metadata: { name: "rabbitmq", namespace: NS },
      spec: {
        secretTargetRef: [
          { parameter: "host", name: "rabbitmq-connection", key: "host" },
          { parameter: "password", name: "rabbitmq", key: "password" },
        ],
      },
    };
    const env = [
      { name: "PREWARM_MODEL", value: "true" },
      { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
      { name: "TOKEN_FILE", value: "/var/run/secrets/token" },
      { name: "RUNBOOK", value: "https://runbooks.example.com/inference-scaling" },
    ];
    expect(check([...withEnv(env), ta]).findings).toEqual([]);
  });

  it("PLAINTEXT_CREDENTIAL: a password in an env var, at its exact path", () => {
    const [f] = expectErrors(check(withEnv([{ name: "DB_PASSWORD", value: "hunter2" }])), ["PLAINTEXT_CREDENTIAL"]);
    expect(f!.resource).toBe(`Deployment ${NS}/inference`);
    expect(f!.path).toBe("spec.template.spec.containers[0].env[0].value");
    expect(f!.message).toMatch(/credential-named key "DB_PASSWORD"/);
  });

  it("PLAINTEXT_CREDENTIAL: a URL with user:password in an innocently named variable", () => {
    const [f] = expectErrors(check(withEnv([{ name: "BROKER_URL", value: "amqp://guest:guest@rabbitmq:5672/" }])), [
      "PLAINTEXT_CREDENTIAL",
    ]);
    expect(f!.message).toMatch(/a URL with user:password/);
  });

  it("PLAINTEXT_CREDENTIAL: inside a YAML document in a ConfigMap", () => {
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "prometheus", namespace: NS },
      data: { "prometheus.yml": "scrape_configs:\n  - job_name: x\n    basic_auth:\n      username: admin\n      password: s3cr3t\n" },
    };
    const [f] = expectErrors(check([...coherent(), cm]), ["PLAINTEXT_CREDENTIAL"]);
    expect(f!.path).toBe('data["prometheus.yml"].scrape_configs[0].basic_auth.password');
  });

  it("PLAINTEXT_CREDENTIAL: trigger metadata, an annotation with a bearer token, a Secret with data", () => {
    const trig = mutate(
      coherent(),
      (get) => (get("ScaledObject").spec.triggers[1].metadata.customHeaders = "Authorization=Bearer abcdefghijklmnopqrstuvwxyz012345"),
    );
    expect(expectErrors(check(trig), ["PLAINTEXT_CREDENTIAL"])[0]!.path).toBe("spec.triggers[1].metadata.customHeaders");
    const ann = mutate(coherent(), (get) => (get("Deployment").metadata.annotations = { "example.com/api-key": "AKIAIOSFODNN7EXAMPLE" }));
    expect(expectErrors(check(ann), ["PLAINTEXT_CREDENTIAL"])[0]!.message).toMatch(/AWS access key id/);
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "rabbitmq", namespace: NS },
      data: { host: "YW1xcDovL2d1ZXN0Omd1ZXN0QHJhYmJpdG1x" },
    };
    expect(expectErrors(check([...coherent(), secret]), ["PLAINTEXT_CREDENTIAL"])[0]!.path).toBe("data");
  });

  it("PLAINTEXT_CREDENTIAL: rendered files and Helm values", () => {
    const files = [
      {
        path: "rules/x.yaml",
        content:
          "groups:\n  - name: x\n    rules: []\n# token: ghp_abcdefghijklmnopqrstuvwxyz0123456789\nnote: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'\n",
      },
    ];
    expect(expectErrors(check(coherent(), { files }), ["PLAINTEXT_CREDENTIAL"])[0]!.resource).toBe("File rules/x.yaml");
    const helmValues = {
      "prometheus-adapter": {
        prometheus: { url: "http://kube-prometheus-stack-prometheus.monitoring.svc", port: 9090 },
        extraArgs: ["--bearer-token=abc"],
        auth: { bearer_token: "abcdef" },
      },
    };
    const errors = expectErrors(check(coherent(), { helmValues }), ["PLAINTEXT_CREDENTIAL"]);
    expect(errors.map((e) => e.path).sort()).toEqual(["auth.bearer_token", "extraArgs[0]"]);
  });

  it("PLAINTEXT_CREDENTIAL in the config, before anything renders", () => {
    const r = checkConfig(
      config({
        service: { env: { API_TOKEN: "abc123" } },
        monitoring: { prometheus: { externalUrl: "https://admin:pw@prom.example.com" } },
      }),
    );
    expect(r.errors.map((f) => [f.code, f.resource, f.path])).toEqual([
      ["PLAINTEXT_CREDENTIAL", "EnvConfig t", "service.env.API_TOKEN"],
      ["PLAINTEXT_CREDENTIAL", "EnvConfig t", "monitoring.prometheus.externalUrl"],
    ]);
    expect(checkConfig(config({ service: { env: { LOG_LEVEL: "info" } } })).findings).toEqual([]);
  });

  it("recognises credential keys and values without flagging references", () => {
    for (const k of ["password", "DB_PASSWORD", "apiToken", "client-secret", "accessKey", "credentials"])
      expect(isCredentialKey(k), k).toBe(true);
    for (const k of ["secretName", "tokenFile", "passwordRef", "name", "runbook_url"]) expect(isCredentialKey(k), k).toBe(false);
    expect(credentialIn("password", "${DB_PASSWORD}")).toBeUndefined();
    expect(credentialIn("password", "$(DB_PASSWORD)")).toBeUndefined();
    expect(credentialIn("password", "")).toBeUndefined();
    expect(credentialIn(undefined, "postgres://app:pw@db:5432/x")).toBe("a URL with user:password");
    expect(credentialIn(undefined, "postgres://app@db:5432/x")).toBeUndefined();
    expect(credentialIn(undefined, "Server=db;User Id=app;Password=pw1234;")).toBe("a password=/token= assignment");
  });
});
