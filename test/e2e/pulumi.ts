/**
 * `npm run e2e:pulumi`: the real Pulumi engine (CLI, Node.js language host, Kubernetes provider,
 * built from their Go modules) runs `infra/` against the local control plane, for dev and prod,
 * as a user would: stack init, config from Pulumi.<env>.yaml plus the kubeconfig and secrets,
 * add-ons declared present (their CRDs installed by the harness), then
 * preview --diff → up → live objects equal dist/<env>/ → a second up changes nothing → destroy
 * leaves none of our objects (prod: the protected Namespace holds until protection is lifted as
 * docs/e2e.md says). Also: a missing secret fails `pulumi preview` with our one-line message.
 *
 * Ends with a plain `N passed, N failed` line; exit code ≠ 0 on any failure.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { E2eSetupError, ensureBinaries, goModuleDir, type BinaryName } from "./lib/build.js";
import { startControlPlane, type ControlPlane } from "./lib/control-plane.js";
import { Kube, KubeError, waitFor, type KubeObject } from "./lib/kube.js";
import { distObjects, ref as describe } from "./lib/dist.js";
import { renderedFieldDiffs } from "./lib/live-compare.js";
import { ensurePulumiEngine, npmVersion, release } from "./lib/pulumi-build.js";
import { PulumiCommandError, PulumiWorkspace, type PulumiResult } from "./lib/pulumi-engine.js";
import { enterSandbox, inSandbox } from "./lib/sandbox.js";
import { REPO_ROOT as REPO, versions } from "./lib/versions.js";

const PROJECT = "inference-scaling";
const ALL_ENVS = ["dev", "prod"] as const;
type Env = (typeof ALL_ENVS)[number];

/** `--env dev` (or prod) runs one environment; default both. */
function selectedEnvs(argv: readonly string[]): readonly Env[] {
  const i = argv.indexOf("--env");
  if (i < 0) return ALL_ENVS;
  const e = argv[i + 1];
  if (!ALL_ENVS.includes(e as Env)) {
    console.error(`e2e:pulumi: --env must be one of ${ALL_ENVS.join(", ")} (got ${e ?? "nothing"})`);
    process.exit(2);
  }
  return [e as Env];
}
const ENVS = selectedEnvs(process.argv);
/**
 * KEDA and the prometheus-operator CRDs, when an environment renders their kinds (dev and prod
 * both do since dev scales on KEDA): read from dist/, not assumed per environment.
 */
const withKeda = ENVS.some((e) => distObjects(e).some((o) => /^(keda\.sh|monitoring\.coreos\.com)\//.test(o.apiVersion)));

const log = (line: string) => process.stderr.write(`[e2e:pulumi] ${line}\n`);
const verbose = process.argv.includes("--verbose");

/** Named checks, counted for the closing line. */
const results: { name: string; ok: boolean; detail?: string }[] = [];
async function check(name: string, body: () => Promise<string | void>): Promise<boolean> {
  const started = Date.now();
  try {
    const note = await body();
    results.push({ name, ok: true });
    log(`PASS ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)${note ? `: ${note}` : ""}`);
    return true;
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    results.push({ name, ok: false, detail });
    log(`FAIL ${name}: ${detail}`);
    return false;
  }
}

function fail(message: string): never {
  throw new Error(message);
}

/** The add-ons block of Pulumi.<env>.yaml. */
function addonsOf(env: Env): Record<string, { install?: boolean; version?: string }> {
  const doc = parse(readFileSync(join(REPO, `Pulumi.${env}.yaml`), "utf8")) as { config?: Record<string, unknown> };
  return (doc.config?.[`${PROJECT}:addons`] ?? {}) as Record<string, { install?: boolean; version?: string }>;
}

/**
 * cert-manager's CRDs at the version Pulumi.<env>.yaml pins, from the cert-manager Go module
 * (deploy/crds, the chart's CRD templates: their Helm expressions sit in comments and in labels,
 * which are dropped).
 */
function certManagerCrds(version: string): KubeObject[] {
  const dir = join(goModuleDir("github.com/cert-manager/cert-manager", version), "deploy", "crds");
  return readdirSync(dir)
    .filter((f) => f.startsWith("crd-") && f.endsWith(".yaml"))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as KubeObject | null))
    .filter((o): o is KubeObject => o !== null && o.kind === "CustomResourceDefinition")
    .map((o) => ({ ...o, metadata: { name: o.metadata.name } }));
}

async function installCrds(kube: Kube, crds: readonly KubeObject[]): Promise<void> {
  for (const crd of crds) await kube.apply(crd);
  for (const crd of crds) {
    await waitFor(`CRD ${crd.metadata.name} Established`, 60_000, async () => {
      const c = await kube.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
      );
      return (c.status?.conditions ?? []).some((x) => x.type === "Established" && x.status === "True");
    });
  }
  kube.forgetDiscovery();
}

/** Creates a namespace an add-on declared present would have (its release created it). */
async function ensureNamespace(kube: Kube, name: string): Promise<void> {
  await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
}

async function live(kube: Kube, o: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): Promise<KubeObject | undefined> {
  return kube.getOrUndefined<KubeObject>(await kube.path(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name));
}

/** Output lines of a failed run that look like a stack trace (JS or Go). */
function stackTraceLines(r: PulumiResult): string[] {
  return `${r.stdout}\n${r.stderr}`
    .split("\n")
    .filter((l) => /^\s+at .+[:(]\d+:\d+\)?$/.test(l) || /^goroutine \d+ \[/.test(l) || /node_modules\/.+\.js:\d+/.test(l));
}

/** "Resources:" summary of `pulumi up`/`preview` as counts by operation. */
function summary(r: PulumiResult): Record<string, number> {
  const out: Record<string, number> = {};
  const text = r.stdout.slice(r.stdout.lastIndexOf("Resources:"));
  for (const m of text.matchAll(
    /^\s+(?:\+|-|~|\+-)?\s*(\d+) (to create|created|to update|updated|to delete|deleted|to replace|replaced|unchanged)/gm,
  ))
    out[m[2]!] = Number(m[1]);
  return out;
}

async function runEnv(env: Env, cp: ControlPlane, ws: PulumiWorkspace): Promise<void> {
  const kube = cp.kube;
  const pulumi = (args: string[], timeoutMs?: number) =>
    ws.ok([...args, "--stack", env], { timeoutMs, log: verbose ? (c) => process.stderr.write(c) : undefined });
  const rendered = distObjects(env);
  const addons = addonsOf(env);
  ws.addStackFile(env);

  if (
    !(await check(`${env}: stack init and config a user sets`, async () => {
      await ws.ok(["stack", "init", env, "--secrets-provider", "passphrase"]);
      const kubeconfig = readFileSync(cp.kubeconfigPath, "utf8");
      const context = (parse(kubeconfig) as { "current-context": string })["current-context"];
      await pulumi(["config", "set", `${PROJECT}:kubeContext`, context]);
      await pulumi(["config", "set", "--secret", `${PROJECT}:kubeconfig`, kubeconfig]);
      // Charts cannot be downloaded here: every add-on is declared present (its CRDs pre-installed).
      for (const [name, a] of Object.entries(addons)) {
        if (a.install) await pulumi(["config", "set", "--path", `${PROJECT}:addons.${name}.install`, "false"]);
      }
      const stackFile = readFileSync(join(ws.projectDir, `Pulumi.${env}.yaml`), "utf8");
      if (stackFile.includes("apiVersion: v1") || !/secure: /.test(stackFile))
        fail(`the kubeconfig is not stored encrypted in Pulumi.${env}.yaml`);
      return `kubeContext ${context}, kubeconfig (secret), ${Object.keys(addons).join(", ")} declared present`;
    }))
  )
    return;

  if (env === "prod") {
    await check("prod: a missing secret fails `pulumi preview` with one line naming the key and the command", async () => {
      const r = await ws.run(["preview", "--stack", env]);
      const text = `${r.stdout}\n${r.stderr}`;
      if (r.code === 0) fail("preview succeeded without inference-scaling:rabbitmqConnection");
      const lines = text.split("\n").filter((l) => l.includes(`${PROJECT}:rabbitmqConnection`));
      const expected = `pulumi config set --secret ${PROJECT}:rabbitmqConnection`;
      if (!lines.some((l) => l.includes(expected)))
        fail(`no line names the key with "${expected}":\n${text.trim().split("\n").slice(-20).join("\n")}`);
      const traces = stackTraceLines(r);
      if (traces.length) fail(`the failure prints a stack trace:\n${traces.slice(0, 5).join("\n")}`);
      return lines.find((l) => l.includes(expected))!.trim();
    });
    await check("prod: secrets set with `pulumi config set --secret`", async () => {
      await pulumi([
        "config",
        "set",
        "--secret",
        `${PROJECT}:rabbitmqConnection`,
        "amqp://e2e:e2e-password@rabbitmq.queue.svc:5672/inference",
      ]);
      const stackFile = readFileSync(join(ws.projectDir, `Pulumi.${env}.yaml`), "utf8");
      if (stackFile.includes("e2e-password")) fail(`the secret is in plain text in Pulumi.${env}.yaml`);
    });
  }

  await check(`${env}: pulumi preview --diff`, async () => {
    const r = await pulumi(["preview", "--diff"]);
    const s = summary(r);
    if (!s["to create"]) fail(`preview plans no creates: ${JSON.stringify(s)}`);
    if (r.stdout.includes("e2e-password")) fail("the preview shows a secret value");
    return `${s["to create"]} to create`;
  });

  const upOk = await check(`${env}: pulumi up --yes`, async () => {
    const r = await pulumi(["up", "--yes", "--skip-preview"], 20 * 60_000);
    return `${summary(r)["created"] ?? 0} created`;
  });
  if (!upOk) return;

  await check(`${env}: live objects equal dist/${env}/ (kind, name, rendered fields)`, async () => {
    const problems: string[] = [];
    for (const o of rendered) {
      const l = await live(kube, o);
      if (!l) {
        problems.push(`${describe(o)}: not in the cluster`);
        continue;
      }
      const { status: _s, ...fields } = o as KubeObject & { status?: unknown };
      for (const d of renderedFieldDiffs(fields, l)) problems.push(`${describe(o)}: ${d}`);
    }
    if (problems.length) fail(problems.slice(0, 30).join("\n"));
    return `${rendered.length} objects`;
  });

  await check(`${env}: a second pulumi up reports no changes`, async () => {
    const r = await pulumi(["up", "--yes", "--expect-no-changes"], 20 * 60_000);
    const s = summary(r);
    const changed = Object.entries(s).filter(([k, n]) => k !== "unchanged" && n > 0);
    if (changed.length || !s["unchanged"]) fail(`second up: ${JSON.stringify(s)}`);
    return `${s["unchanged"]} unchanged`;
  });

  const ours = async () => {
    const left: string[] = [];
    for (const o of rendered) if (await live(kube, o)) left.push(describe(o));
    return left;
  };
  const namespace = rendered.find((o) => o.kind === "Namespace")!;

  if (env === "prod") {
    await check("prod: pulumi destroy stops at the protected Namespace", async () => {
      const r = await ws.run(["destroy", "--yes", "--stack", env], { timeoutMs: 20 * 60_000 });
      const text = `${r.stdout}\n${r.stderr}`;
      if (r.code === 0) fail("destroy succeeded although the Namespace is protected");
      if (!/protected/i.test(text)) fail(`destroy failed for another reason:\n${text.trim().split("\n").slice(-20).join("\n")}`);
      if (!(await live(kube, namespace))) fail(`${describe(namespace)} was deleted`);
      const line = text
        .split("\n")
        .find((l) => /protected/i.test(l))!
        .trim();
      return `${describe(namespace)} still there; engine: ${line}`;
    });
    await check("prod: protection lifted as docs/e2e.md says (protectNamespace false, pulumi up), then destroy", async () => {
      await pulumi(["config", "set", `${PROJECT}:protectNamespace`, "false"]);
      await pulumi(["up", "--yes", "--skip-preview"], 20 * 60_000);
      await pulumi(["destroy", "--yes", "--skip-preview"], 20 * 60_000);
    });
  } else {
    await check(`${env}: pulumi destroy --yes`, async () => {
      await pulumi(["destroy", "--yes", "--skip-preview"], 20 * 60_000);
    });
  }

  await check(`${env}: destroy leaves none of our objects`, async () => {
    let left: string[] = [];
    await waitFor(`every object of dist/${env}/ gone`, 180_000, async () => (left = await ours()).length === 0, {
      check: () => cp.check(),
      describe: () => left.join(", "),
    });
    const secrets = await kube.get<{ items: KubeObject[] }>(
      `/api/v1/secrets?labelSelector=${encodeURIComponent("app.kubernetes.io/managed-by=inference-scaling")}`,
    );
    if (secrets.items.length) fail(`Secrets left: ${secrets.items.map((s) => describe(s)).join(", ")}`);
    const issuers = await kube.get<{ items: KubeObject[] }>("/apis/cert-manager.io/v1/clusterissuers");
    const ourIssuers = issuers.items.filter((i) => i.metadata.name.startsWith(PROJECT));
    if (ourIssuers.length) fail(`ClusterIssuers left: ${ourIssuers.map((i) => i.metadata.name).join(", ")}`);
    return `${rendered.length} objects, config Secrets and ClusterIssuers gone`;
  });
  await ws.ok(["stack", "rm", env, "--yes"]);
}

async function main(): Promise<number> {
  const started = Date.now();
  log(
    `engine: pulumi ${release("pulumi")} (@pulumi/pulumi ${npmVersion("@pulumi/pulumi")}), pulumi-language-nodejs ${release("pulumi-language-nodejs")}, pulumi-resource-kubernetes ${release("pulumi-resource-kubernetes")} (@pulumi/kubernetes ${npmVersion("@pulumi/kubernetes")})`,
  );
  const certManagerVersions = [...new Set(ENVS.map((e) => addonsOf(e).certManager?.version).filter((v): v is string => !!v))];
  if (!inSandbox()) {
    // Everything that needs the network happens before the sandbox (which has none): builds and
    // the Go modules whose files are read (CRDs).
    await ensurePulumiEngine(log);
    const controlPlane: BinaryName[] = [
      "etcd",
      "kube-apiserver",
      "kube-controller-manager",
      ...(withKeda ? (["keda-operator", "keda-adapter", "keda-webhooks"] as const) : []),
    ];
    await ensureBinaries(controlPlane, log);
    if (withKeda) {
      const v = versions();
      goModuleDir("github.com/kedacore/keda/v2", v.keda);
      goModuleDir("github.com/prometheus-operator/prometheus-operator", v.prometheusOperator);
    }
    for (const cm of certManagerVersions) certManagerCrds(cm);
    await enterSandbox(); // re-runs this file inside the sandbox and exits with its code
  }
  const binaries = await ensurePulumiEngine(log);

  const cp = await startControlPlane({ keda: withKeda, prometheusOperatorCrds: withKeda, log });
  const ws = PulumiWorkspace.create(binaries);
  try {
    await check("CRDs of the add-ons declared present are installed", async () => {
      for (const v of certManagerVersions) await installCrds(cp.kube, certManagerCrds(v));
      for (const ns of ["cert-manager", "monitoring"]) await ensureNamespace(cp.kube, ns);
      return `cert-manager ${certManagerVersions.join(", ")}${withKeda ? "; KEDA and prometheus-operator with the control plane" : ""}`;
    });
    for (const env of ENVS) await runEnv(env, cp, ws);
  } finally {
    ws.dispose();
    await cp.stop();
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  for (const r of results.filter((x) => !x.ok)) log(`failed: ${r.name}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof E2eSetupError || e instanceof PulumiCommandError || e instanceof KubeError) console.error(`e2e:pulumi: ${e.message}`);
    else console.error(e);
    console.log(`${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length + 1} failed`);
    process.exit(1);
  },
);
