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

describe("PLAINTEXT_CREDENTIAL: where values are found and what they are named after", () => {
  const cm = (data: Record<string, string>) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app", namespace: NS }, data });

  it("placeholders and references under credential keys are not credentials; anything else is", () => {
    for (const v of [
      "",
      "  ",
      "true",
      "false",
      "/etc/secret/pw",
      "${DB_PASSWORD}",
      " $(DB_PASSWORD) ",
      "{{ .Values.password }}",
      "<password>",
    ])
      expect(credentialIn("password", v), v).toBeUndefined();
    for (const v of [
      "hunter2",
      "x${DB_PASSWORD}",
      "${DB_PASSWORD}x",
      "x$(A)",
      "$(A)$(B)x",
      "x{{ a }}",
      "{{ a }}x",
      "<a<b>",
      "<pw>x",
      "TRUE1",
      "relative/path",
    ])
      expect(credentialIn("password", v), v).toBe('a value under the credential-named key "password"');
  });

  it("credential keys: exact or as a suffix, whatever the case and separators; the answer does not change on a second call", () => {
    for (const k of ["PWD", "auth-token", "Client_Secret", "signing.key", "db.connectionString", "myPrivateKey", "x-api-key"]) {
      expect(isCredentialKey(k), k).toBe(true);
      expect(isCredentialKey(k), `${k} again`).toBe(true);
    }
    for (const k of ["secretRef", "tokens", "passwordless", "keyId"]) {
      expect(isCredentialKey(k), k).toBe(false);
      expect(isCredentialKey(k), `${k} again`).toBe(false);
    }
  });

  it("a value matching several patterns is named by the first; a pattern wins over the key", () => {
    expect(credentialIn(undefined, "https://u:AKIAIOSFODNN7EXAMPLE@h")).toBe("a URL with user:password");
    expect(credentialIn("password", "AKIAIOSFODNN7EXAMPLE")).toBe("an AWS access key id");
    expect(credentialIn(undefined, "-----BEGIN RSA PRIVATE KEY-----")).toBe("a private key");
    expect(credentialIn(undefined, "plain words only")).toBeUndefined();
    expect(credentialIn("name", "plain")).toBeUndefined();
  });

  it("header and env entries are read by their sibling name; a bare `value` key or a nameless entry is not", () => {
    const headers = mutate(coherent(), (get) => {
      get("Deployment").spec.template.spec.containers[0].readinessProbe = {
        httpGet: { path: "/readyz", port: "http", httpHeaders: [{ name: "X-Api-Key", value: "k3y-v4lue" }] },
      };
    });
    const [f] = expectErrors(check(headers), ["PLAINTEXT_CREDENTIAL"]);
    expect(f!.path).toBe("spec.template.spec.containers[0].readinessProbe.httpGet.httpHeaders[0].value");
    expect(f!.message).toBe('a value under the credential-named key "X-Api-Key" in rendered output (committed to dist/)');
    expect(f!.fix).toMatch(/Secret .*secretKeyRef/);
    expect(check(withEnv([{ value: "hunter2" }, { name: 3, value: "hunter2" }])).findings).toEqual([]);
    expect(check([...coherent(), { ...cm({}), value: "hunter2" }]).findings).toEqual([]);
  });

  it("inside an embedded document: reported once, at the path inside it, env entries read by name", () => {
    const doc = "env:\n  - name: DB_PASSWORD\n    value: hunter2\n  - name: LOG_LEVEL\n    value: info\n";
    const errors = expectErrors(check([...coherent(), cm({ "app.yaml": doc })]), ["PLAINTEXT_CREDENTIAL"]);
    expect(errors.map((e) => [e.resource, e.path])).toEqual([[`ConfigMap ${NS}/app`, 'data["app.yaml"].env[0].value']]);
  });

  it("a Secret: one finding per non-empty data field, naming its keys, and nothing more", () => {
    const secret = (over: object) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: NS }, ...over });
    const both = expectErrors(check([...coherent(), secret({ data: { a: "eA==" }, stringData: { password: "hunter2", user: "app" } })]), [
      "PLAINTEXT_CREDENTIAL",
    ]);
    expect(both.map((e) => [e.resource, e.path])).toEqual([
      [`Secret ${NS}/db`, "data"],
      [`Secret ${NS}/db`, "stringData"],
    ]);
    expect(both[1]!.message).toBe("a Secret with stringData (password, user) is rendered into committed output: base64 is not encryption");
    expect(both[1]!.fix).toMatch(/out of band/);
    expect(check([...coherent(), secret({ data: {}, type: "Opaque" })]).findings).toEqual([]);
    // not a core Secret: scanned like any object
    const sealed = secret({ apiVersion: "example.com/v1", spec: { password: "hunter2" } });
    expect(expectErrors(check([...coherent(), sealed]), ["PLAINTEXT_CREDENTIAL"])[0]!.path).toBe("spec.password");
  });

  it("rendered files: YAML by document (indexed when there are several), other text by line", () => {
    const run = (path: string, content: string) =>
      expectErrors(check(coherent(), { files: [{ path, content }] }), ["PLAINTEXT_CREDENTIAL"]);
    const one = run("extra/a.yaml", "auth:\n  password: hunter2\n");
    expect(one.map((e) => [e.resource, e.path, e.message])).toEqual([
      ["File extra/a.yaml", "auth.password", 'a value under the credential-named key "password" in a rendered file'],
    ]);
    const two = run("extra/b.yaml", "a: 1\n---\nenv:\n  - name: API_TOKEN\n    value: abc123\n");
    expect(two.map((e) => e.path)).toEqual(["[1].env[0].value"]);
    const text = run("extra/c.sh", "#!/bin/sh\nexport X=1\ncurl -u admin https://admin:hunter2@example.com/\n");
    expect(text.map((e) => [e.path, e.message])).toEqual([["line 3", "a URL with user:password in a rendered file"]]);
  });

  it("Helm values and the env config name where the value sits", () => {
    const [h] = expectErrors(check(coherent(), { helmValues: { keda: { env: [{ name: "SLACK", value: "xoxb-1234567890-abcdef" }] } } }), [
      "PLAINTEXT_CREDENTIAL",
    ]);
    expect([h!.resource, h!.path, h!.message]).toEqual(["HelmValues keda", "env[0].value", "a Slack token in Helm values"]);
    const [c] = checkConfig(config({ service: { env: { API_TOKEN: "abc123" } } })).errors;
    expect(c!.message).toBe('a value under the credential-named key "API_TOKEN" in the env config (it would be rendered into dist/)');
    expect(c!.fix).toMatch(/Secret/);
  });
});

describe("credentialIn's guarded patterns answer as the ten patterns tried in order", () => {
  // The oracle: the patterns as they were read before the guards (literal each needs, minimum
  // length, one pass of the token formats) — the same kinds, first match wins.
  const ORACLE: readonly (readonly [RegExp, string])[] = [
    [/\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i, "a URL with user:password"],
    [
      /(?:^|[^A-Za-z0-9_])(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|client[_-]?secret|auth[_-]?token)\s*[=:]\s*(?!\$\{|\$\(|\{\{|<)[^\s&;,'"]{3,}/i,
      "a password=/token= assignment",
    ],
    [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
    [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
    [/\bgh[pousr]_[A-Za-z0-9]{36,}|\bgithub_pat_[A-Za-z0-9_]{22,}/, "a GitHub token"],
    [/\bxox[abprs]-[A-Za-z0-9-]{10,}/, "a Slack token"],
    [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, "a JSON Web Token"],
    [/\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/-]{16,}=*/, "an Authorization header value"],
    [/\bsk_live_[A-Za-z0-9]{16,}|\bsk-[A-Za-z0-9_-]{20,}/, "an API secret key"],
    [/\bAIza[0-9A-Za-z_-]{35}\b/, "a Google API key"],
  ];
  const oracle = (v: string) => ORACLE.find(([re]) => re.test(v))?.[1];
  const A16 = "ABCDEFGHIJKLMNOP";
  const examples = [
    "pwd=abc",
    "pwd=ab",
    "PWD=abc",
    " Token: abcdef",
    "x_token=abcdef",
    "api-key = 'x'",
    "apikey=abcdef",
    "ACCESS_KEY: abcdef",
    "ApiKey:${SECRET}",
    "secret_key: hunter22",
    "a://b:c@",
    "HTTPS://user:pw@host",
    "http://host/path?x=1",
    "amqp://guest:guest@rabbitmq:5672/",
    `AKIA${A16}`,
    `ASIA${A16}x`,
    `akia${A16}`,
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----begin private key-----",
    `ghp_${A16}${A16}abcd`,
    `github_pat_${A16}ABCDEFG`,
    "xoxb-1234567890",
    "XOXB-1234567890",
    "eyJabcdefgh.eyJabcdefgh.abcdefgh",
    `Bearer ${A16}`,
    `bearer ${A16}`,
    `Basic ${A16}==`,
    `sk_live_${A16}`,
    `sk-${A16}abcd`,
    `SK-${A16}abcd`,
    `AIza${A16}${A16}abc`,
    "job:http_requests:rate5m",
    'sum(rate(http_requests_total{job="x",token="y"}[5m]))',
    "password: <from the secret>",
    "keyword: value",
    "secret",
    "",
  ];
  it.each(examples)("%j", (v) => {
    expect(credentialIn(undefined, v)).toBe(oracle(v));
    expect(credentialIn(undefined, `prefix ${v} suffix`)).toBe(oracle(`prefix ${v} suffix`));
  });

  it("agrees on every example joined with every other (a later kind never shadows an earlier one)", () => {
    for (const a of examples) for (const b of examples) expect(credentialIn(undefined, `${a} ${b}`), `${a} ${b}`).toBe(oracle(`${a} ${b}`));
  });
});

describe("PLAINTEXT_CREDENTIAL: where the scan looks", () => {
  it("a YAML file that holds no document (comments only) is read line by line; so is a file that is not YAML", () => {
    const files = [
      { path: "rules/empty.yaml", content: "# generated\n# token=abcdefgh\n" },
      { path: "run.sh", content: "#!/bin/sh\nexport PASSWORD=hunter22\n" },
    ];
    expect(check(coherent(), { files }).errors.map((f) => [f.resource, f.path])).toEqual([
      ["File rules/empty.yaml", "line 2"],
      ["File run.sh", "line 2"],
    ]);
  });

  it("an entry's sibling `name` names its `value` from two path segments on (a document of a multi-document file), not at the root", () => {
    const files = [{ path: "env.yaml", content: "a: 1\n---\nname: DB_PASSWORD\nvalue: hunter2\n" }];
    expect(check(coherent(), { files }).errors.map((f) => [f.path, f.message])).toEqual([
      ["[1].value", 'a value under the credential-named key "DB_PASSWORD" in a rendered file'],
    ]);
    // At the root a `value` has no entry around it: read under its own key, and "hunter2" alone is no credential.
    expect(check(coherent(), { helmValues: { chart: { name: "DB_PASSWORD", value: "hunter2" } } }).errors).toEqual([]);
  });

  it("strings in lists are read by their value only (an index is no key)", () => {
    const helmValues = { chart: { args: ["--port", "8000", "--api-key=abcdef"] } };
    expect(check(coherent(), { helmValues }).errors.map((f) => f.path)).toEqual(["args[2]"]);
  });

  it("the scan stops 64 levels down (as every walk of the checks does)", () => {
    const nested = (depth: number): unknown => (depth === 0 ? { password: "hunter2" } : { a: nested(depth - 1) });
    // helmValues.chart is level 0; the password's string sits one level below its object.
    const found = (depth: number) => check(coherent(), { helmValues: { chart: nested(depth) as Record<string, unknown> } }).errors.length;
    expect(found(62)).toBe(1); // the string at level 63
    expect(found(63)).toBe(1); // level 64
    expect(found(64)).toBe(0); // level 65
    // The same bound through lists.
    const inLists = (depth: number): unknown => (depth === 0 ? ["password=hunter2"] : [inLists(depth - 1)]);
    const foundInLists = (depth: number) => check(coherent(), { helmValues: { chart: { l: inLists(depth) } } }).errors.length;
    expect(foundInLists(62)).toBe(1); // the string at level 64
    expect(foundInLists(63)).toBe(0); // level 65
  });
});
