/**
 * ADAPTER_EXTERNAL_WITH_KEDA: KEDA serves external.metrics.k8s.io itself (its metrics apiserver registers the
 * APIService v1beta1.external.metrics.k8s.io). prometheus-adapter external rules register the same
 * APIService: whichever registration wins, the other's external metrics disappear.
 */
import type { CheckContext } from "./context.js";
import { resourceOf, str } from "./util.js";

/** ADAPTER_EXTERNAL_WITH_KEDA. */
export function checkAdapterExternalRules(ctx: CheckContext): void {
  if (!ctx.kedaPresent) return;
  const why = ctx.config.cluster.keda ? "cluster.keda is true" : "the environment renders KEDA objects";
  const reported = new Set<string>();
  for (const a of ctx.adapterRules()) {
    if (a.kind !== "external" || reported.has(a.resource)) continue;
    reported.add(a.resource);
    ctx.sink.error(
      "ADAPTER_EXTERNAL_WITH_KEDA",
      a.resource,
      a.path.slice(0, -1),
      `prometheus-adapter external rules, but KEDA runs here (${why}): both register v1beta1.external.metrics.k8s.io and one side's external metrics disappear`,
      "drop the adapter's externalRules where KEDA is installed (let KEDA serve external metrics), or set cluster.keda false",
    );
  }
  for (const svc of ctx.ofKind("APIService", "apiregistration.k8s.io")) {
    if (svc.metadata?.name !== "v1beta1.external.metrics.k8s.io") continue;
    const backend = str(svc.spec?.service?.name) ?? "";
    if (/keda/.test(backend)) continue;
    ctx.sink.error(
      "ADAPTER_EXTERNAL_WITH_KEDA",
      resourceOf(svc),
      "spec.service",
      `registers external.metrics.k8s.io for ${JSON.stringify(backend)}, but KEDA runs here (${why}) and serves that API`,
      "do not register external metrics where KEDA is installed",
    );
  }
}
