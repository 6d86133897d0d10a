/**
 * `npm run e2e`: dist/ on a real control plane (etcd, kube-apiserver, kube-controller-manager,
 * KEDA, Prometheus, RabbitMQ) built from upstream Go modules and run on loopback inside a private
 * network namespace; then the same scenario through the simulator, and e2e-report.md.
 * Exit 0 only when every check passes. See docs/e2e.md.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARIES, checkGo, ensureBinaries, E2eSetupError, goModuleDir, type BinaryName } from "./lib/build.js";
import { enterSandbox, inSandbox } from "./lib/sandbox.js";
import { startControlPlane, HPA_CONTROLLER_FLAGS } from "./lib/control-plane.js";
import { startupProbeSeconds } from "./lib/pod-faker.js";
import { serverAddressHosts, serverAddressPorts } from "./lib/dist.js";
import { forwardToPrometheus } from "./lib/prometheus.js";
import { versions, REPO_ROOT } from "./lib/versions.js";
import { ENVIRONMENTS } from "../../stacks/envs/index.js";
import { parseEnvConfig } from "../../stacks/validate.js";
import { runProd, type Check, NS as PROD_NS } from "./prod.js";
import { compare, simulateScenario, writeReport } from "./report.js";
import { runOtherEnvs } from "./other-envs.js";
import { runQueueWorkers } from "./queue.js";

const log = (l: string) => process.stderr.write(`[e2e ${new Date().toISOString().slice(11, 19)}] ${l}\n`);

async function prepare(): Promise<void> {
  const started = Date.now();
  try {
    log(checkGo());
    const v = versions();
    await ensureBinaries(Object.keys(BINARIES) as BinaryName[], log);
    goModuleDir("github.com/kedacore/keda/v2", v.keda);
    goModuleDir("github.com/prometheus-operator/prometheus-operator", v.prometheusOperator);
  } catch (e) {
    console.error(e instanceof E2eSetupError ? e.message : `e2e setup failed: ${(e as Error).message}`);
    process.exit(1);
  }
  process.env.INFERENCE_SCALING_E2E_BUILD_SECONDS = String((Date.now() - started) / 1000);
}

async function main(): Promise<number> {
  const started = Date.now();
  if (!inSandbox()) {
    await prepare();
    await enterSandbox(); // re-runs this file inside the sandbox and exits with its code
  }
  const v = versions();
  const work = mkdtempSync(join(tmpdir(), "inference-scaling-e2e-run-"));
  const startupByNamespace = new Map<string, number>();
  for (const env of ["prod", "staging", "dev"]) {
    const c = parseEnvConfig(ENVIRONMENTS[env]!, env);
    startupByNamespace.set(c.namespace, c.simulation.podStartupSeconds);
  }
  const cp = await startControlPlane({
    keda: true,
    loopbackNames: serverAddressHosts(["prod", "staging", "dev"]),
    // the service's pods get ready after the startup time the simulator assumes for the env; others after their startup probe
    pods: {
      readyAfterSeconds: (pod) =>
        (pod.metadata?.labels?.["app.kubernetes.io/component"] === "inference-api"
          ? startupByNamespace.get(pod.metadata.namespace)
          : undefined) ?? startupProbeSeconds(pod),
    },
    log,
  });
  const checks: Check[] = [];
  let ok: boolean;
  let closeForwarders = async () => {};
  try {
    closeForwarders = await forwardToPrometheus(serverAddressPorts(["prod", "staging", "dev"]));
    // the add-ons' namespace (kube-prometheus-stack creates it in a cluster), before any env is
    // applied: dev's and staging's prometheus-adapter ConfigMaps live there, and the envs apply in parallel
    await cp.kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "monitoring" } });
    const [prod, others, queue] = await Promise.all([
      runProd(cp, log, { workDir: work }),
      runOtherEnvs(cp, log),
      runQueueWorkers(cp, log, { workDir: work, prodNamespace: PROD_NS }),
    ]);
    checks.push(...prod.checks, ...others, ...queue.checks);
    log("running the same scenario through npm run simulate");
    const sim = simulateScenario(prod.scenario, work);
    const comparison = compare(prod, sim, { syncSeconds: 15, pollingSeconds: 15 });
    for (const c of comparison.checks) log(`${c.ok ? "PASS" : "FAIL"} ${c.name}: ${c.detail}`);
    checks.push(...comparison.checks);
    const build = process.env.INFERENCE_SCALING_E2E_BUILD_SECONDS;
    writeReport(join(REPO_ROOT, "e2e-report.md"), {
      versions: { Kubernetes: v.kubernetes, etcd: v.etcd, KEDA: v.keda, "prometheus-operator CRDs": v.prometheusOperator },
      buildSeconds: build ? Number(build) : null,
      totalSeconds: (Date.now() - started) / 1000 + (build ? Number(build) : 0),
      checks,
      prod,
      sim,
      comparison,
      extra: [
        "## Settings",
        "",
        `kube-controller-manager: ${Object.entries(HPA_CONTROLLER_FLAGS)
          .map(([k, x]) => `--${k}=${x}`)
          .join(" ")} (upstream defaults, nothing changed).`,
        "",
        ...queue.report,
      ],
    });
    log(`wrote e2e-report.md`);
    ok = checks.every((c) => c.ok);
  } finally {
    await closeForwarders();
    await cp.stop();
    rmSync(work, { recursive: true, force: true });
  }
  const failed = checks.filter((c) => !c.ok);
  log(
    failed.length
      ? `${failed.length} of ${checks.length} checks failed: ${failed.map((c) => c.name).join("; ")}`
      : `all ${checks.length} checks passed`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof E2eSetupError ? e.message : ((e as Error).stack ?? String(e)));
    process.exit(1);
  },
);
