/**
 * ZERO_WITHOUT_WAKEUP: a workload that may sit at zero replicas (`minReplicaCount: 0`, KEDA's
 * default, or `idleReplicaCount: 0`) needs an activating trigger whose signal exists while no pod
 * runs. Series the scaled pods export themselves (their latency, their in-flight gauge, their
 * queue) vanish with the last pod: the scaler reads 0 (or nothing) and never activates, so the
 * first request after an idle period is never served. Activating triggers are every trigger but
 * cpu/memory (which KEDA cannot activate on). A trigger counts as a wake-up when it reads a
 * system outside the pods: a broker (rabbitmq, ...) or a Prometheus series scoped to another
 * scrape job (a gateway's request counter, an upstream backlog). A cron trigger wakes on a clock,
 * not on demand, so it does not count.
 *
 * The config-phase twin reports the inference service's `scaling.minReplicas: 0` without
 * `scaling.wakeUp` at the field the user writes.
 */
import { contractSeries } from "./contract.js";
import type { CheckContext } from "./context.js";
import { matcherAccepts, safeSelectors } from "./promql.js";
import { scrapesOf } from "./scrape.js";
import type { K8sObject } from "./types.js";
import { asArray, isObject, resourceOf, str, toNumber } from "./util.js";

const RESOURCE_TRIGGERS = new Set(["cpu", "memory"]);
const FIX = "add a trigger fed from outside the scaled pods with an activationThreshold (scaling.wakeUp: a gateway/ingress request counter or the upstream queue's backlog), or keep at least one replica (minReplicas ≥ 1)";

/** Whether the Prometheus query reads something other than the scaled workload's own series. */
function readsOutside(ctx: CheckContext, query: string, ownJobs: ReadonlySet<string>, ownNamespace: string, isMain: boolean): boolean {
  const mainSeries = contractSeries(ctx.contract);
  return safeSelectors(query).some((s) => {
    if (!s.metric || s.metric === "up") return false; // target health is no demand signal
    const job = s.matchers.filter((m) => m.name === "job");
    const ns = s.matchers.filter((m) => m.name === "namespace");
    if (job.length === 0) return !(isMain && mainSeries.has(s.metric));
    const own = [...ownJobs].some((j) => job.every((m) => matcherAccepts(m, j))) && ns.every((m) => matcherAccepts(m, ownNamespace));
    return !own;
  });
}

function describeTrigger(t: K8sObject, i: number): string {
  return `spec.triggers[${i}] ${str(t.name) ?? ""} (${str(t.type) ?? "?"})`.replace("  ", " ");
}

export function checkZeroWakeUp(ctx: CheckContext): void {
  const scrapes = scrapesOf(ctx).valid;
  for (const so of ctx.ofKind("ScaledObject", "keda.sh")) {
    const spec = isObject(so.spec) ? so.spec : {};
    const min = spec.minReplicaCount === undefined ? 0 : toNumber(spec.minReplicaCount);
    const idle = spec.idleReplicaCount === undefined ? undefined : toNumber(spec.idleReplicaCount);
    if (min !== 0 && idle !== 0) continue;
    const namespace = str(so.metadata?.namespace) ?? "";
    const target = str(spec.scaleTargetRef?.name) ?? "";
    const kind = str(spec.scaleTargetRef?.kind) ?? "Deployment";
    const workload = `${kind} ${namespace}/${target}`;
    const ownJobs = new Set(scrapes.filter((s) => s.workload === workload && s.target.job !== undefined).map((s) => s.target.job!));
    const isMain = ctx.servicePods?.resource === workload;
    const triggers = asArray(spec.triggers);
    const activating = triggers.map((t, i) => ({ t, i })).filter(({ t }) => isObject(t) && !RESOURCE_TRIGGERS.has(String(t.type)));
    if (activating.length === 0) continue; // the construct refuses scale-to-zero on cpu/memory alone
    const wakes = activating.some(({ t }) => {
      if (t.type === "cron") return false;
      if (t.type !== "prometheus") return true; // brokers and other event sources live outside the pods
      const q = str(t.metadata?.query);
      return q !== undefined && readsOutside(ctx, q, ownJobs, namespace, isMain);
    });
    if (wakes) continue;
    const field = min === 0 ? "spec.minReplicaCount" : "spec.idleReplicaCount";
    ctx.sink.error(
      "ZERO_WITHOUT_WAKEUP",
      resourceOf(so),
      field,
      `${workload} may scale to zero (${min === 0 ? `minReplicaCount ${spec.minReplicaCount ?? "unset (KEDA's default 0)"}` : "idleReplicaCount 0"}), but every activating trigger (${activating
        .map(({ t, i }) => describeTrigger(t, i))
        .join(", ")}) reads only series its own pods export${activating.some(({ t }) => t.type === "cron") ? " or a clock" : ""}: at zero replicas those series are gone, and the first request never wakes it`,
      FIX,
    );
  }
}

/** Config phase: the inference service's minReplicas 0 (or idleReplicaCount 0) in mode keda without scaling.wakeUp. */
export function checkConfigWakeUp(ctx: CheckContext): void {
  const { scaling } = ctx.config;
  if (scaling.mode !== "keda" || scaling.wakeUp) return;
  const atZero = scaling.minReplicas === 0 ? "minReplicas" : scaling.keda.idleReplicaCount === 0 ? "keda.idleReplicaCount" : undefined;
  if (!atZero) return;
  ctx.sink.error(
    "ZERO_WITHOUT_WAKEUP",
    ctx.configResource,
    `scaling.${atZero}`,
    `${atZero} 0 lets the inference service scale to zero, but no trigger is fed from outside its pods: latency, queue and in-flight series vanish with the last pod, so the first request never wakes it`,
    "declare scaling.wakeUp (the gateway's request counter or the upstream backlog, with its source namespace/job and an activation), or set minReplicas ≥ 1",
  );
}

/**
 * A selector scoped to the declared external wake-up source (`scaling.wakeUp.source`): its labels
 * come from a scrape this environment does not render, so check 3 cannot compare them; the env
 * declares them (the metric's contract and the source's namespace/job).
 */
export function readsDeclaredWakeUpSource(config: CheckContext["config"], s: { readonly matchers: readonly { name: string; op: string; value: string }[] }): boolean {
  const src = config.scaling.wakeUp?.source;
  if (!src) return false;
  const eq = (name: string, value: string) => s.matchers.some((m) => m.name === name && m.op === "=" && m.value === value);
  return eq("job", src.job) && eq("namespace", src.namespace);
}
