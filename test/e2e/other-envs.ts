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
    checks.push({ name: `dist/${env} accepted`, ok: applied.final.length === 0, detail: applied.final.join("; ") || `${objects.length} objects${applied.firstPass.length ? ` (first pass refused: ${applied.firstPass.join("; ")})` : ""}` });
    const deploy = objects.find((o) => o.kind === "Deployment")!;
    const ns = deploy.metadata.namespace!;
    const name = deploy.metadata.name;
    try {
      await waitFor(`${env}: Deployment ${name} available`, 300_000, async () => {
        const d = await kube.get<any>(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
        return d.status?.readyReplicas > 0 && d.status.readyReplicas === d.spec.replicas;
      }, { check: () => cp.check(), intervalMs: 2000 });
      const so = objects.find((o) => o.kind === "ScaledObject");
      const hpaName = so ? `keda-hpa-${so.metadata.name}` : objects.find((o) => o.kind === "HorizontalPodAutoscaler")!.metadata.name;
      if (so) await waitFor(`${env}: ScaledObject Ready`, 180_000, () => scaledObjectReady(kube, ns, so.metadata.name), { check: () => cp.check() });
      // the HPA has computed a recommendation from live metrics (ScalingActive=True)
      const hpa = await waitFor(`${env}: HPA ${hpaName} ScalingActive=True`, 180_000, async () => {
        const h = await kube.getOrUndefined<any>(`/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${hpaName}`);
        const c = (h?.status?.conditions ?? []).find((x: any) => x.type === "ScalingActive");
        return c?.status === "True" ? h : undefined;
      }, { check: () => cp.check(), intervalMs: 2000 });
      const detail = `HPA ${hpaName}: ${hpa.status.currentReplicas} replicas, metrics ${(hpa.status.currentMetrics ?? []).map((m: any) => m.type).join(", ")}`;
      checks.push({ name: `${env} reconciles (${so ? "KEDA ScaledObject Ready, " : ""}HPA ScalingActive)`, ok: true, detail });
      log(`PASS ${env} reconciles: ${detail}`);
    } catch (e) {
      checks.push({ name: `${env} reconciles`, ok: false, detail: (e as Error).message });
      log(`FAIL ${env} reconciles: ${(e as Error).message}`);
    }
  }
  return checks;
}
