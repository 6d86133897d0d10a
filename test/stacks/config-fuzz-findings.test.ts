/**
 * Bad input a fuzzer found (leaf mutations of the built-in environments: wrong types, signs,
 * control characters, label syntax, sections of the wrong shape). Each case failed before its
 * fix: a stack trace instead of a one-line error, or an invalid config synthesized with exit 0.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { builtinSources, fileSource } from "../../stacks/load.js";
import { inputForMode } from "../../simulator/simulate.js";
import { renderEnvironment } from "../../stacks/synth.js";
import { renderMatchers } from "../../promql/metrics.js";
import { selectors } from "../../promql/parse.js";
import { ConfigError, parseEnvConfig } from "../../stacks/validate.js";
import { SynthError } from "../../stacks/errors.js";
import type { Problem } from "../../problems/problem.js";
import { envConfig, envInput } from "../helpers/env.js";

/** The ConfigError parsing `input` throws; fails the test when it parses. */
function configError(env: string, input: unknown): ConfigError {
  try {
    parseEnvConfig(input, env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`${env}: the config parsed`);
}

/** The one-line problems `input` is refused with (parse, then render); fails the test when it synthesizes. */
async function refusal(env: string, input: unknown): Promise<readonly Problem[]> {
  try {
    await renderEnvironment(parseEnvConfig(input, env));
  } catch (e) {
    if (e instanceof ConfigError || e instanceof SynthError) return e.problems;
    throw e;
  }
  throw new Error(`${env}: the config was accepted`);
}

describe("control characters in label values", () => {
  it("are escaped so the PromQL reads back the value written", () => {
    for (const value of ["gateway\t", "a\u0000b", 'x\u001fy\r\n\\"']) {
      const text = renderMatchers({ job: value });
      // eslint-disable-next-line no-control-regex -- none may be written raw
      expect(text).not.toMatch(/[\x00-\x1f]/);
      expect(selectors(`up${text}`)[0]!.matchers).toEqual([{ name: "job", op: "=", value }]);
    }
  });

  it("a wake-up matcher ending in a tab (pasted) synthesizes instead of crashing", async () => {
    const dev = envConfig("dev", {
      scaling: { wakeUp: { matchers: { service: "ml-serving-dev-inference-8000@kubernetes\t" } } },
    });
    const r = await renderEnvironment(dev);
    const scaled = r.files.find((f) => f.path === "autoscaling.yaml")!.content;
    expect(scaled).toContain('service="ml-serving-dev-inference-8000@kubernetes\\t"');
  });
});

describe("quantities", () => {
  // Each was synthesized with exit 0; the API server refuses a negative request, limit, quota or volume size.
  const negative: [string, Record<string, unknown>, string][] = [
    ["prod", { service: { resources: { requests: { cpu: "-1" } } } }, "services[0].resources.requests.cpu"],
    ["prod", { service: { resources: { requests: { memory: "-2Gi" } } } }, "services[0].resources.requests.memory"],
    ["prod", { orchestrator: { resources: { limits: { memory: "-1Gi" } } } }, "orchestrator.resources.limits.memory"],
    ["prod", { capacity: { cpu: "-16" } }, "capacity.cpu"],
    ["gpu", { gpu: { shmSize: "-2Gi" } }, "gpu.shmSize"],
    ["loadtest", { loadTest: { statsStorage: "-1Gi" } }, "loadTest.statsStorage"],
  ];
  it.each(negative)("%s: a negative quantity at %j is refused", async (env, patch, path) => {
    const problems = await refusal(env, envInput(env, patch));
    expect(problems.map((p) => [p.code, p.env, p.path])).toEqual([["CONFIG_RANGE", env, path]]);
    expect(problems[0]!.message).toMatch(/must not be negative/);
  });

  it("a load test's statistics volume of 0 is refused (a PersistentVolumeClaim needs storage > 0)", async () => {
    const problems = await refusal("loadtest", envInput("loadtest", { loadTest: { statsStorage: "0" } }));
    expect(problems.map((p) => [p.code, p.path])).toEqual([["CONFIG_RANGE", "loadTest.statsStorage"]]);
  });

  it.each([
    ["requests", "cpu"],
    ["requests", "memory"],
  ])("a %s.%s of 0 is no request: POD_RESOURCES_MISSING (utilization targets divide by it)", async (kind, resource) => {
    const problems = await refusal("prod", envInput("prod", { service: { resources: { [kind]: { [resource]: "0" } } } }));
    expect(problems.map((p) => p.code)).toEqual(["POD_RESOURCES_MISSING"]);
    expect(problems[0]!.message).toContain(`lacks ${kind}.${resource} ("0" is none)`);
  });
});

describe("pod label selectors of the network policy peers and the wake-up source", () => {
  // Each was synthesized with exit 0: a NetworkPolicy whose podSelector the API server refuses, or a
  // scrape job keeping pods by a label no pod can carry.
  const cases: [string, Record<string, unknown>, string][] = [
    [
      "prod",
      { networkPolicy: { rabbitmq: { podLabels: { "app.kubernetes.io/name": "rabbit mq" } } } },
      "networkPolicy.rabbitmq.podLabels.app.kubernetes.io/name",
    ],
    ["prod", { networkPolicy: { rabbitmq: { podLabels: { "bad key!": "rabbitmq" } } } }, "networkPolicy.rabbitmq.podLabels.bad key!"],
    [
      "dev",
      { networkPolicy: { ingressController: { podLabels: { "app.kubernetes.io/name": "traefik\n" } } } },
      "networkPolicy.ingressController.podLabels.app.kubernetes.io/name",
    ],
    [
      "prod",
      { networkPolicy: { prometheusPodLabels: { "app.kubernetes.io/name": "x".repeat(64) } } },
      "networkPolicy.prometheusPodLabels.app.kubernetes.io/name",
    ],
    [
      "prod",
      { networkPolicy: { callers: [{ namespace: "gateway", podLabels: { app: "", "-x": "y" } }] } },
      "networkPolicy.callers[0].podLabels.-x",
    ],
    [
      "dev",
      { scaling: { wakeUp: { source: { podLabels: { "app.kubernetes.io/name": "træfik" } } } } },
      "services[0].scaling.wakeUp.source.podLabels.app.kubernetes.io/name",
    ],
  ];
  it.each(cases)("%s: %j is an error naming the label", async (env, patch, path) => {
    const problems = await refusal(env, envInput(env, patch));
    expect(problems.map((p) => [p.env, p.path])).toEqual([[env, path]]);
    // a value over 63 characters is CONFIG_RANGE, any other malformed key or value CONFIG_FORMAT
    expect(problems[0]!.code).toMatch(/^CONFIG_(FORMAT|RANGE)$/);
    expect(problems[0]!.message).toMatch(/label value|qualified name|at most 63/);
  });
});

describe("sections a service's own section is merged over", () => {
  // models' services set their own slo, scaling and (here) alerts, simulation and loadTest: a section of
  // the wrong shape under them was dropped by the merge, and the environment synthesized with exit 0.
  const own = (patch: Record<string, unknown>) => {
    const input = envInput("models") as unknown as { services: Record<string, unknown>[] } & Record<string, unknown>;
    for (const s of input.services) {
      s.alerts = { queueBacklog: 50 };
      s.simulation = { serviceTimeSeconds: 0.02, cpuSecondsPerRequest: 0.015 };
      s.loadTest = { payload: '{"inputs": "x"}' };
    }
    return { ...input, ...patch };
  };
  const cases: [string, (i: Record<string, any>) => void, string][] = [
    ["defaults.slo as a list", (i) => (i.defaults.slo = [{ period: "28d" }]), "defaults.slo"],
    ["defaults.alerts as null", (i) => (i.defaults.alerts = null), "defaults.alerts"],
    ["monitoring.alerts as a string", (i) => (i.monitoring.alerts = "p95 1s"), "monitoring.alerts"],
    ["simulation as a number", (i) => (i.simulation = 0.1), "simulation"],
    ["loadTest as a list", (i) => (i.loadTest = [i.loadTest]), "loadTest"],
  ];
  it.each(cases)("%s is CONFIG_INVALID_TYPE at its own path", async (_, edit, path) => {
    const input = own({});
    edit(input);
    const problems = await refusal("models", input);
    // first (a list under loadTest also leaves the services' load tests without stages, said next)
    expect([problems[0]!.code, problems[0]!.env, problems[0]!.path]).toEqual(["CONFIG_INVALID_TYPE", "models", path]);
    expect(problems[0]!.message).toMatch(/^must be a mapping \(key: value\), not /);
  });

  it("the same config with every section a mapping synthesizes", async () => {
    await expect(renderEnvironment(parseEnvConfig(own({}), "models"))).resolves.toBeDefined();
  });
});

describe("config files", () => {
  const dir = mkdtempSync(join(tmpdir(), "fuzz-findings-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it("a JSON file starting with a byte order mark reads like one without (it was CONFIG_SYNTAX: Unexpected token '\uFEFF')", () => {
    const text = JSON.stringify(envInput("staging"));
    expect(fileSource(file("bom.json", `\uFEFF${text}`)).input).toEqual(fileSource(file("plain.json", text)).input);
  });

  it("input nested deeper than any config is refused before the simulator copies it (it overflowed the stack)", () => {
    const deep = file("deep.json", `${"[".repeat(20000)}${"]".repeat(20000)}`);
    try {
      fileSource(deep);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const [p] = (e as ConfigError).problems;
      expect([p!.code, p!.env]).toEqual(["CONFIG_INVALID", "deep"]);
      expect(p!.message).toMatch(/nests values more than 64 levels deep/);
    }
    expect(() => inputForMode(fileSource(file("ok.json", JSON.stringify(envInput("prod")))).input as never, "keda")).not.toThrow();
  });
});

describe("one problem, one line", () => {
  it("a key with a line break is quoted escaped (the unknown-field line broke in two)", () => {
    const input = envInput("prod") as unknown as Record<string, any>;
    input.cost = { "pricePerPodHour\n": 0.1 };
    input.networkPolicy.rabbitmq.podLabels = { "app.kubernetes.io/name\n": "rabbitmq" };
    const lines = configError("prod", input).lines;
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^CONFIG_(UNKNOWN_KEY|FORMAT) env "prod": (cost|networkPolicy\.rabbitmq\.podLabels)/);
    expect(lines.join("\n")).toContain('unknown field "pricePerPodHour\\n"');
  });

  it("a quantity that overflows to Infinity (1e309) is refused where it is written", async () => {
    const problems = await refusal("prod", envInput("prod", { service: { resources: { requests: { cpu: "1e309" } } } }));
    expect(problems.map((p) => [p.code, p.path])).toEqual([["CONFIG_RANGE", "services[0].resources.requests.cpu"]]);
  });
});

describe("names KEDA's HPA must fit", () => {
  // A 55–63 character name passed the schema (a DNS label) and was refused by the ScaledObject
  // construct, naming the object (CONSTRUCT_INVARIANT) rather than the config field.
  const long = "s".repeat(55);
  const cases: [string, string, Record<string, unknown>][] = [
    ["staging", "services[0].name", { service: { name: long } }],
    ["prod", "queueWorkers[0].name", { queueWorkers: [{ ...envInput("prod").queueWorkers![0]!, name: long }], prescaling: [] }],
  ];
  it.each(cases)("%s: a 55-character name at %s is CONFIG_RANGE there", async (env, path, patch) => {
    const problems = await refusal(env, envInput(env, patch));
    expect(problems.map((p) => [p.code, p.env, p.path])).toEqual([["CONFIG_RANGE", env, path]]);
    expect(problems[0]!.message).toMatch(/the name is 55 characters; .*at most 54 fit/);
  });

  it("54 characters fit", async () => {
    await expect(renderEnvironment(envConfig("staging", { service: { name: "s".repeat(54) } }))).resolves.toBeDefined();
  });
});

describe("a load test named from its service", () => {
  it("too long is reported at the service's name, not at the env's loadTest.name the user did not lengthen", () => {
    // models' second service's load test is named locust-<service>: 7 + 57 characters.
    const input = envInput("models") as unknown as { services: { name?: string }[] };
    input.services[1]!.name = "e".repeat(57);
    const problems = configError("models", input).problems;
    expect(problems.map((p) => [p.code, p.path])).toEqual([["CONFIG_RANGE", "services[1].name"]]);
    expect(problems[0]!.message).toContain(`names its load test "locust-${"e".repeat(57)}", 64 characters`);
  });
});

describe("a queue worker's RabbitMQ queue name", () => {
  const worker = (queueName: string) => ({ queueWorkers: [{ ...envInput("prod").queueWorkers![0]!, queueName }] });
  it("over 255 bytes (AMQP's short string) is CONFIG_RANGE; it synthesized a trigger RabbitMQ can never answer", async () => {
    const problems = await refusal("prod", envInput("prod", worker("é".repeat(128))));
    expect(problems.map((p) => [p.code, p.path])).toEqual([["CONFIG_RANGE", "queueWorkers[0].queueName"]]);
  });
  it("255 bytes fit", async () => {
    await expect(renderEnvironment(parseEnvConfig(envInput("prod", worker("q".repeat(255))), "prod"))).resolves.toBeDefined();
  });
});

describe("a config file given to --env", () => {
  it("is told to use --config (the fix was: add stacks/envs/my-env.yaml.ts)", () => {
    try {
      builtinSources(["my-env.yaml"]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems[0]!.fix).toMatch(/^give a config file with --config my-env\.yaml/);
    }
    expect(() => builtinSources(["nope"])).toThrow(/add stacks\/envs\/nope\.ts/);
  });
});
