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
import { asArray, configResource, isObject, resourceOf, str, toNumber } from "./util.js";
import { scrapeScope } from "../../scrape/scope.js";
import { stableJson } from "../../kube/stable-json.js";
import type { EnvConfig } from "../config.js";
import type { Problem } from "../../problems/problem.js";

const RESOURCE_TRIGGERS = new Set(["cpu", "memory"]);
const FIX =
  "add a trigger fed from outside the scaled pods with an activationThreshold (scaling.wakeUp: a gateway/ingress request counter or the upstream queue's backlog), or keep at least one replica (minReplicas ≥ 1)";

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
        .join(
          ", ",
        )}) reads only series its own pods export${activating.some(({ t }) => t.type === "cron") ? " or a clock" : ""}: at zero replicas those series are gone, and the first request never wakes it`,
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
 * WAKEUP_SOURCE_NOT_SCRAPED: the wake-up trigger selects `{namespace, job}` of its source; unless
 * the config declares that scrape external (`scaling.wakeUp.source.scrapedBy: external`), some
 * rendered scrape job must be named `job` and discover pods in `namespace` (kubernetes_sd without
 * a namespace list, or with it listed). Otherwise the query answers nothing: KEDA counts errors,
 * falls back, and the service never sits at zero (or never wakes) — the founding failure,
 * "Prometheus never scraped the pods", by the wake-up road.
 */
export function checkWakeUpSourceScraped(ctx: CheckContext): void {
  const src = ctx.config.scaling.wakeUp?.source;
  if (!src || src.scrapedBy === "external") return;
  const named = ctx.scrapeJobs().filter(({ job }) => job.job_name === src.job);
  const reaches = named.some(({ job }) => {
    const sd = asArray(job.kubernetes_sd_configs).filter(isObject);
    if (sd.length === 0) return asArray(job.static_configs).length > 0; // static targets: labels are the config's word
    return sd.some((c) => {
      const names = isObject(c.namespaces) ? asArray(c.namespaces.names) : [];
      return names.length === 0 || names.includes(src.namespace);
    });
  });
  if (reaches) return;
  ctx.sink.error(
    "WAKEUP_SOURCE_NOT_SCRAPED",
    ctx.configResource,
    "scaling.wakeUp.source",
    `the wake-up trigger reads {namespace="${src.namespace}", job="${src.job}"}, but ${
      named.length
        ? `the rendered job "${src.job}" discovers no pods in namespace ${src.namespace}`
        : `no scrape job this environment renders is named "${src.job}"`
    }: the query answers nothing, so KEDA never activates on it (and counts errors towards its fallback)`,
    `give scaling.wakeUp.source a job name of its own (not the service's job) so the environment renders its scrape, or, when a Prometheus scrape outside this program already stores the source under that namespace/job, declare scaling.wakeUp.source.scrapedBy: external`,
  );
}

/**
 * A selector scoped to the declared wake-up source (`scaling.wakeUp.source`): its series are the
 * source's (a gateway's counter), not the service's contract, so QUERY_LABEL_MISMATCH cannot compare them; that
 * the source is scraped at all is WAKEUP_SOURCE_NOT_SCRAPED's business.
 */
export function readsDeclaredWakeUpSource(
  config: CheckContext["config"],
  s: { readonly matchers: readonly { name: string; op: string; value: string }[] },
): boolean {
  const src = config.scaling.wakeUp?.source;
  if (!src) return false;
  const eq = (name: string, value: string) => s.matchers.some((m) => m.name === name && m.op === "=" && m.value === value);
  return eq("job", src.job) && eq("namespace", src.namespace);
}

/**
 * Across services (plain-Prometheus jobs): services waking up on one gateway share its scrape job,
 * rendered once; two services declaring one job name for different pods (namespace or podLabels),
 * or a wake-up job named like another service's own pod job, would be two scrape jobs with one
 * job_name, which Prometheus refuses. Found on each later service's `scaling.wakeUp.source.job`
 * (`index` → its findings as a view's, placed by the caller).
 */
export function wakeUpJobsAcrossServices(views: readonly EnvConfig[]): { index: number; finding: Problem }[] {
  const out: { index: number; finding: Problem }[] = [];
  const ownJobs = new Map(
    views.flatMap((v) =>
      v.monitoring.scrape === "pod-annotations" ? [[scrapeScope("pod-annotations", v.namespace, v.service.name).job, v.service.name]] : [],
    ),
  );
  const first = new Map<string, { name: string; source: { namespace: string; podLabels: Record<string, string> } }>();
  views.forEach((v, index) => {
    const src = v.scaling.wakeUp?.source;
    if (!src || src.scrapedBy !== "this-env") return;
    const own = scrapeScope(v.monitoring.scrape, v.namespace, v.service.name).job;
    if (src.job === own) return; // not rendered: WAKEUP_SOURCE_NOT_SCRAPED reports it
    const clash = ownJobs.get(src.job);
    const seen = first.get(src.job);
    const fail = (message: string, fix: string) =>
      out.push({
        index,
        finding: {
          code: "CONFIG_CONFLICT",
          severity: "error",
          env: v.name,
          resource: configResource(v.name),
          path: "scaling.wakeUp.source.job",
          message,
          fix,
        },
      });
    if (clash !== undefined) {
      fail(
        `the wake-up source's job "${src.job}" is service ${clash}'s own scrape job: the environment would render two scrape jobs named ${src.job}`,
        `wake up on a gateway's job, not another service's (or set scaling.wakeUp.source.scrapedBy: external)`,
      );
    } else if (!seen) {
      first.set(src.job, { name: v.service.name, source: { namespace: src.namespace, podLabels: src.podLabels } });
    } else if (seen.source.namespace !== src.namespace || stableJson(seen.source.podLabels) !== stableJson(src.podLabels)) {
      fail(
        `the wake-up source's job "${src.job}" (namespace ${src.namespace}, podLabels ${stableJson(src.podLabels)}) is service ${seen.name}'s wake-up job for other pods (namespace ${seen.source.namespace}, podLabels ${stableJson(seen.source.podLabels)}): Prometheus refuses two scrape jobs with one job_name`,
        `give both services the same source (namespace, podLabels), or another job name`,
      );
    }
  });
  return out;
}
