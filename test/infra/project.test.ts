/**
 * The Pulumi project files: how the Node.js language host will load the program, and that every
 * environment has a stack file with no credential in it.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PINNED_VERSIONS, SECRET_KEYS } from "../../infra/config.js";
import { envConfig } from "../helpers/env.js";
import { CHART_VALUES_KEYS } from "./chart-values-keys.js";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { ROOT } from "../helpers/cli.js";

const project = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8"));

/** `Pulumi.<stack>.yaml` config as the language host passes it: objects as JSON strings. */
function stackConfigJson(stack: string): Record<string, string> {
  const { config } = parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

describe("Pulumi project", () => {
  it("runs infra/index.ts through tsx instead of Pulumi's ts-node", () => {
    expect(project.name).toBe("inference-scaling");
    expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: false, nodeargs: "--import tsx" } });
    expect(project.main).toBe("infra/index.ts");
    expect(existsSync(join(ROOT, project.main))).toBe(true);
  });

  it("loads and runs the way the language host runs it: node <nodeargs>, dynamic import of main, default export only", () => {
    // @pulumi/pulumi's cmd/run imports `main` by file URL when package.json has "type": "module",
    // refuses a module with both a default and named exports, and calls a default function.
    // Here the same node flags load it outside vitest (no vite transform) and run it under mocks.
    const main = new URL(`file://${join(ROOT, project.main)}`).href;
    const pulumiUrl = new URL(`file://${join(ROOT, "node_modules/@pulumi/pulumi/index.js")}`).href;
    const script = `
      import * as pulumi from ${JSON.stringify(pulumiUrl)};
      const types = [];
      await pulumi.runtime.setMocks({ newResource: (a) => { types.push(a.type); return { id: a.name, state: a.inputs }; }, call: (a) => a.inputs }, "inference-scaling", "prod", true);
      pulumi.runtime.setAllConfig(${JSON.stringify({ ...stackConfigJson("prod"), "inference-scaling:rabbitmqConnection": "amqp://u:p@rabbitmq:5672/", "inference-scaling:grafanaAdminPassword": "pw" })}, ["inference-scaling:rabbitmqConnection", "inference-scaling:grafanaAdminPassword"]);
      const m = await import(${JSON.stringify(main)});
      const outputs = await m.default();
      await pulumi.runtime.disconnect();
      console.log(JSON.stringify({ keys: Object.keys(m), type: typeof m.default, namespace: outputs.namespace, types }));`;
    const r = spawnSync(process.execPath, [...project.runtime.options.nodeargs.split(" "), "--input-type=module", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(result).toMatchObject({ keys: ["default"], type: "function", namespace: "ml-serving-prod" });
    expect(result.types).toEqual(
      expect.arrayContaining([
        "kubernetes:apps/v1:Deployment",
        "kubernetes:helm.sh/v3:Release",
        "kubernetes-cert-manager:index:CertManager",
      ]),
    );
    expect(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).type).toBe("module");
  });

  it("has a stack file for dev, staging, prod, gpu and loadtest (and only for environments), each tested by its own env suite, with no credential in plain text", () => {
    const stackFiles = readdirSync(ROOT)
      .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
      .map((f) => f.split(".")[1]!);
    expect(stackFiles).toEqual(expect.arrayContaining(["dev", "staging", "prod", "gpu", "loadtest"]));
    for (const env of stackFiles) {
      expect(ENV_NAMES, `Pulumi.${env}.yaml names no environment`).toContain(env);
      const suite = join(ROOT, "test/infra", `${env}.test.ts`);
      expect(
        existsSync(suite) && readFileSync(suite, "utf8").includes(`env: "${env}"`),
        `test/infra/${env}.test.ts runs envSuite for ${env}`,
      ).toBe(true);
      const file = join(ROOT, `Pulumi.${env}.yaml`);
      expect(existsSync(file), `Pulumi.${env}.yaml`).toBe(true);
      const config = (parse(readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
      const plain = Object.keys(config).filter((k) => !SECRET_KEYS.some((s) => k === `inference-scaling:${s}`));
      expect(plain.sort(), env).toEqual([
        "inference-scaling:addons",
        "inference-scaling:kubeContext",
        "inference-scaling:protectNamespace",
      ]);
      // `pulumi config set --secret` writes ciphertext ({ secure: ... }); anything else is plain text.
      for (const s of SECRET_KEYS) {
        const v = config[`inference-scaling:${s}`];
        if (v !== undefined) expect(v, `${env} ${s}`).toEqual({ secure: expect.any(String) });
      }
      expect(config["inference-scaling:protectNamespace"], env).toBe(env === "prod");
    }
  });

  it("pins every add-on at the versions the program was checked against (PINNED_VERSIONS, the chart values keys)", () => {
    const charts: Record<keyof typeof PINNED_VERSIONS, string> = {
      certManager: "cert-manager",
      keda: "keda",
      kubePrometheusStack: "kube-prometheus-stack",
      prometheus: "prometheus",
      prometheusAdapter: "prometheus-adapter",
    };
    for (const [key, chart] of Object.entries(charts))
      expect(CHART_VALUES_KEYS[chart]?.version, chart).toBe(PINNED_VERSIONS[key as keyof typeof PINNED_VERSIONS]);
    for (const env of ENV_NAMES) {
      const addons = (parse(readFileSync(join(ROOT, `Pulumi.${env}.yaml`), "utf8")) as { config: Record<string, any> }).config[
        "inference-scaling:addons"
      ];
      const operator = envConfig(env).cluster.prometheusOperator;
      for (const [key, setting] of Object.entries(addons as Record<string, { version?: string }>)) {
        if (setting.version === undefined) continue;
        const pinned =
          key === "prometheus" && operator ? PINNED_VERSIONS.kubePrometheusStack : PINNED_VERSIONS[key as keyof typeof PINNED_VERSIONS];
        expect(setting.version, `Pulumi.${env}.yaml addons.${key}.version`).toBe(pinned);
      }
    }
  });

  it("previews every stack on pull requests with a PR comment, and runs up only on main (.github/workflows/preview.yml)", () => {
    const wf = parse(readFileSync(join(ROOT, ".github/workflows/preview.yml"), "utf8"));
    const pulumiStep = (job: string) => wf.jobs[job].steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));
    expect(Object.keys(wf.on).sort()).toEqual(["pull_request", "push"]);
    expect(wf.jobs.preview.if).toBe("github.event_name == 'pull_request'");
    expect(wf.jobs.preview.strategy.matrix.stack).toEqual(["dev", "staging", "prod"]);
    expect(pulumiStep("preview").with).toMatchObject({
      command: "preview",
      "stack-name": "${{ matrix.stack }}",
      diff: true,
      "comment-on-pr": true,
    });
    expect(wf.jobs.up.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(wf.jobs.up.strategy).toMatchObject({ "max-parallel": 1, "fail-fast": true, matrix: { stack: ["dev", "staging", "prod"] } });
    expect(pulumiStep("up").with.command).toBe("up");
    for (const job of ["preview", "up"]) expect(wf.jobs[job].needs).toBe("test");
  });
});
