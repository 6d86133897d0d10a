/** dev (cpu-hpa) and staging (KEDA) applied unchanged next to prod; each reconciles. */
import type { ControlPlane } from "./lib/control-plane.js";
import { waitFor } from "./lib/kube.js";
import { distObjects } from "./lib/dist.js";
import { applyEnv, scaledObjectReady, type Check } from "./prod.js";

export async function runOtherEnvs(cp: ControlPlane, log: (l: string) => void): Promise<Check[]> {
  const checks: Check[] = [];
  const { kube } = cp;
  for (const env of ["dev", "staging"]) {
    const objects = distObjects(env);
    const applied = await applyEnv(kube, env, log);
    checks.push({
      name: `dist/${env} accepted`,
      ok: applied.final.length === 0,
      detail:
        applied.final.join("; ") ||
        `${objects.length} objects${applied.firstPass.length ? ` (first pass refused: ${applied.firstPass.join("; ")})` : ""}`,
    });
    const deploy = objects.find((o) => o.kind === "Deployment")!;
    const ns = deploy.metadata.namespace!;
    const name = deploy.metadata.name;
    const so = objects.find((o) => o.kind === "ScaledObject");
    // minReplicaCount 0 (dev's wake-up trigger): with no request yet KEDA scales the Deployment to zero
    // and the HPA stops (ScalingActive=False, ScalingDisabled): reconciled, not stuck
    const scalesToZero = (so as any)?.spec?.minReplicaCount === 0;
    const deployPath = `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
    try {
      await waitFor(
        `${env}: Deployment ${name} available${scalesToZero ? " or at zero" : ""}`,
        300_000,
        async () => {
          const d = await kube.get<any>(deployPath);
          return (d.status?.readyReplicas > 0 && d.status.readyReplicas === d.spec.replicas) || (scalesToZero && d.spec.replicas === 0);
        },
        { check: () => cp.check(), intervalMs: 2000 },
      );
      const hpaName = so ? `keda-hpa-${so.metadata.name}` : objects.find((o) => o.kind === "HorizontalPodAutoscaler")!.metadata.name;
      if (so)
        await waitFor(`${env}: ScaledObject Ready`, 180_000, () => scaledObjectReady(kube, ns, so.metadata.name), {
          check: () => cp.check(),
        });
      // the HPA has computed a recommendation from live metrics (ScalingActive=True)
      const hpa = await waitFor(
        `${env}: HPA ${hpaName} ScalingActive=True`,
        180_000,
        async () => {
          const h = await kube.getOrUndefined<any>(`/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${hpaName}`);
          const c = (h?.status?.conditions ?? []).find((x: any) => x.type === "ScalingActive");
          if (c?.status === "True") return h;
          if (scalesToZero && h && (await kube.get<any>(deployPath)).spec.replicas === 0) return h;
          return undefined;
        },
        { check: () => cp.check(), intervalMs: 2000 },
      );
      const current = hpa.status.currentReplicas ?? 0; // the API server omits a 0
      const detail = `HPA ${hpaName}: ${current} replicas${current === 0 ? " (scaled to zero by KEDA: no trigger active)" : ""}, metrics ${(hpa.status.currentMetrics ?? []).map((m: any) => m.type).join(", ")}`;
      checks.push({ name: `${env} reconciles (${so ? "KEDA ScaledObject Ready, " : ""}HPA ScalingActive)`, ok: true, detail });
      log(`PASS ${env} reconciles: ${detail}`);
    } catch (e) {
      checks.push({ name: `${env} reconciles`, ok: false, detail: (e as Error).message });
      log(`FAIL ${env} reconciles: ${(e as Error).message}`);
    }
  }
  return checks;
}
