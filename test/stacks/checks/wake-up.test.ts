/**
 * ZERO_WITHOUT_WAKEUP: a ScaledObject that may sit at zero needs an activating trigger whose
 * signal exists while no pod runs. Hand-built ScaledObjects on the coherent environment.
 */
import { describe, expect, it } from "vitest";
import { check, checkConfig, coherent, config, expectErrors, input, mutate, NS, P95, promTrigger, QUEUE, type Run } from "./fixtures.js";
import type { K8sObject } from "../../../stacks/checks/index.js";
import { readsDeclaredWakeUpSource, wakeUpJobsAcrossServices } from "../../../stacks/checks/wake-up.js";

const GATEWAY =
  'sum(rate(nginx_ingress_controller_requests{namespace="ingress-nginx",job="ingress-nginx-controller-metrics",ingress="inference"}[2m]))';

function atZero(triggers: K8sObject[], spec: Record<string, unknown> = { minReplicaCount: 0 }): Run {
  const objects = mutate(coherent(), (get) => {
    const so = get("ScaledObject");
    Object.assign(so.spec, spec);
    so.spec.triggers = triggers;
    delete so.spec.fallback;
  });
  return check(objects);
}

const cpu = { type: "cpu", metricType: "Utilization", metadata: { value: "85", containerName: "server" } };
const latency = promTrigger(P95, { threshold: "0.5", activationThreshold: "0.3" }, { name: "p95-latency", metricType: "Value" });
const queue = promTrigger(QUEUE, {}, { name: "queue-length" });

describe("ZERO_WITHOUT_WAKEUP", () => {
  it("minReplicaCount 0 with only the pods' own latency and queue series", () => {
    const [e] = expectErrors(atZero([latency, queue, cpu]), ["ZERO_WITHOUT_WAKEUP"]);
    expect(e!.resource).toBe(`ScaledObject ${NS}/inference`);
    expect(e!.path).toBe("spec.minReplicaCount");
    expect(e!.message).toMatch(
      /triggers\[0\] p95-latency \(prometheus\), spec\.triggers\[1\] queue-length \(prometheus\)\) reads only series its own pods export/,
    );
    expect(e!.fix).toMatch(/scaling\.wakeUp/);
  });

  it("minReplicaCount left out is KEDA's default 0; idleReplicaCount 0 counts too", () => {
    expectErrors(atZero([latency, cpu], { minReplicaCount: undefined }), ["ZERO_WITHOUT_WAKEUP"]);
    const [e] = expectErrors(atZero([latency, cpu], { minReplicaCount: 1, idleReplicaCount: 0 }), ["ZERO_WITHOUT_WAKEUP"]);
    expect(e!.path).toBe("spec.idleReplicaCount");
  });

  it("a cron trigger is a clock, not a wake-up", () => {
    const cron = {
      type: "cron",
      name: "office",
      metadata: { timezone: "UTC", start: "0 8 * * 1-5", end: "0 18 * * 1-5", desiredReplicas: "2" },
    };
    const [e] = expectErrors(atZero([latency, cron]), ["ZERO_WITHOUT_WAKEUP"]);
    expect(e!.message).toMatch(/or a clock/);
  });

  it("a query without job matcher on a contract metric is the pods' own series", () => {
    expectErrors(atZero([promTrigger('sum(inference_queue_len{namespace="ml-t"})', {}, { name: "queue" })]), ["ZERO_WITHOUT_WAKEUP"]);
  });

  it("passes with a gateway counter scoped to another job, a broker trigger, or minReplicaCount ≥ 1", () => {
    expect(
      atZero([latency, promTrigger(GATEWAY, { threshold: "5", activationThreshold: "0" }, { name: "wake-up" })]).codes(),
    ).not.toContain("ZERO_WITHOUT_WAKEUP");
    const rabbit = {
      type: "rabbitmq",
      name: "q",
      metricType: "AverageValue",
      metadata: { queueName: "jobs", mode: "QueueLength", value: "20" },
      authenticationRef: { name: "rabbit" },
    };
    expect(atZero([latency, rabbit]).codes()).not.toContain("ZERO_WITHOUT_WAKEUP");
    expect(atZero([latency, cpu], { minReplicaCount: 1 }).codes()).not.toContain("ZERO_WITHOUT_WAKEUP");
  });

  it("config phase: scaling.minReplicas 0 in mode keda without scaling.wakeUp names the field", () => {
    const [e] = expectErrors(checkConfig(config({ scaling: { minReplicas: 0 } })), ["ZERO_WITHOUT_WAKEUP"]);
    expect(e!.resource).toBe("EnvConfig t");
    expect(e!.path).toBe("scaling.minReplicas");
    // minReplicas 2: at 1 the disruption-budget warning (PDB_ALLOWS_OUTAGE) rightly joins in.
    expect(checkConfig(config({ scaling: { minReplicas: 2, keda: { idleReplicaCount: 0 } } })).codes()).toEqual(["ZERO_WITHOUT_WAKEUP"]);
    const wakeUp = {
      source: { namespace: "ingress-nginx", job: "ingress-nginx-controller-metrics" },
      metric: { name: "nginx_ingress_controller_requests", type: "counter", labels: ["ingress", "status"] },
      matchers: { ingress: "inference" },
      threshold: 5,
    };
    expect(checkConfig(config({ scaling: { minReplicas: 0, wakeUp } })).findings).toEqual([]);
  });
});

describe("ZERO_WITHOUT_WAKEUP (rendered): what counts as at zero, as activating, as reading outside the pods", () => {
  const zero = (triggers: unknown[], spec: Record<string, unknown> = { minReplicaCount: 0 }) =>
    atZero(triggers as K8sObject[], spec).errors.filter((e) => e.code === "ZERO_WITHOUT_WAKEUP");
  const prom = (query: string, name = "q") => promTrigger(query, {}, { name });

  it("the whole message: the workload, why it may sit at zero, each activating trigger, and the fix", () => {
    const [e] = zero([latency, cpu, { type: "prometheus", metadata: { query: QUEUE } }], { minReplicaCount: "0" });
    expect(e!.message).toBe(
      "Deployment ml-t/inference may scale to zero (minReplicaCount 0), but every activating trigger (spec.triggers[0] p95-latency (prometheus), spec.triggers[2] (prometheus)) reads only series its own pods export: at zero replicas those series are gone, and the first request never wakes it",
    );
    expect(e!.fix).toBe(
      "add a trigger fed from outside the scaled pods with an activationThreshold (scaling.wakeUp: a gateway/ingress request counter or the upstream queue's backlog), or keep at least one replica (minReplicas ≥ 1)",
    );
    const [unset] = zero([latency], { minReplicaCount: undefined });
    expect(unset!.message).toMatch(/may scale to zero \(minReplicaCount unset \(KEDA's default 0\)\)/);
    const [idle] = zero([latency], { minReplicaCount: 1, idleReplicaCount: "0" });
    expect(idle!.path).toBe("spec.idleReplicaCount");
    expect(idle!.message).toMatch(/may scale to zero \(idleReplicaCount 0\), but/);
    expect(idle!.message).not.toMatch(/or a clock/);
  });

  it("not at zero: minReplicaCount ≥ 1 with idleReplicaCount unset or not 0", () => {
    expect(zero([latency], { minReplicaCount: 1, idleReplicaCount: 1 })).toEqual([]);
    expect(zero([latency], { minReplicaCount: "2" })).toEqual([]);
  });

  it("a trigger without type or name is shown as such; cpu/memory alone and non-objects are no activating triggers", () => {
    const [e] = zero([{ metadata: { query: QUEUE } }, cpu]);
    // An untyped trigger is no prometheus trigger: KEDA refuses it, this check takes it for an outside source.
    expect(e).toBeUndefined();
    expect(zero([cpu, { type: "memory", metricType: "Utilization", metadata: { value: "80" } }, "x"])).toEqual([]);
    const [c] = zero([{ type: "cron", metadata: {} }]);
    expect(c!.message).toMatch(/\(spec\.triggers\[0\] \(cron\)\) reads only series its own pods export or a clock:/);
  });

  it("a prometheus trigger without query, or reading only `up` or no metric name, wakes nothing", () => {
    expect(zero([{ type: "prometheus", name: "none", metadata: {} }])).toHaveLength(1);
    expect(zero([prom('sum(up{job="ingress-nginx-controller-metrics"})')])).toHaveLength(1);
    expect(zero([prom('count({job="ingress-nginx-controller-metrics"})')])).toHaveLength(1);
  });

  it("the pods' own job (as the scrape stores it) is theirs in their namespace; another namespace, another job or another metric wakes", () => {
    expect(zero([prom('sum(inference_queue_len{job="inference"})')])).toHaveLength(1);
    expect(zero([prom('sum(inference_queue_len{job=~"inf.*",namespace="ml-t"})')])).toHaveLength(1);
    expect(zero([prom('sum(inference_queue_len{job="inference",namespace="other"})')])).toEqual([]);
    expect(zero([prom('sum(inference_queue_len{job="gateway"})')])).toEqual([]);
    expect(zero([prom('sum(inference_queue_len{job="inference",job!="x"})')])).toHaveLength(1);
    // No job matcher: a series the contract does not know is someone else's.
    expect(zero([prom('sum(rate(gateway_requests_total{namespace="ml-t"}[2m]))')])).toEqual([]);
    // One selector reading outside is enough.
    expect(zero([prom(`${QUEUE} + sum(gateway_backlog{job="gateway"})`)])).toEqual([]);
  });

  it("a contract series without job matcher is the own pods' only for the inference service's workload", () => {
    const other = mutate(coherent(), (get) => {
      const so = get("ScaledObject");
      so.spec.minReplicaCount = 0;
      so.spec.scaleTargetRef = { kind: "StatefulSet", name: "batch" };
      so.spec.triggers = [prom('sum(inference_queue_len{namespace="ml-t"})')];
      delete so.spec.fallback;
    });
    expect(check(other).errors.filter((e) => e.code === "ZERO_WITHOUT_WAKEUP")).toEqual([]);
    // The same ScaledObject's own job selects nothing of it: another workload has no scrape here.
    const own = mutate(other, (get) => (get("ScaledObject").spec.triggers = [prom('sum(inference_queue_len{job="inference"})')]));
    expect(check(own).errors.filter((e) => e.code === "ZERO_WITHOUT_WAKEUP")).toEqual([]);
  });
});

describe("ZERO_WITHOUT_WAKEUP (config)", () => {
  it("names minReplicas or keda.idleReplicaCount, with why and the fix; not outside mode keda", () => {
    const [e] = checkConfig(config({ scaling: { minReplicas: 0 } })).errors;
    expect(e!.message).toBe(
      "minReplicas 0 lets the inference service scale to zero, but no trigger is fed from outside its pods: latency, queue and in-flight series vanish with the last pod, so the first request never wakes it",
    );
    expect(e!.fix).toBe(
      "declare scaling.wakeUp (the gateway's request counter or the upstream backlog, with its source namespace/job and an activation), or set minReplicas ≥ 1",
    );
    const [i] = checkConfig(config({ scaling: { minReplicas: 2, keda: { idleReplicaCount: 0 } } })).errors;
    expect(i!.path).toBe("scaling.keda.idleReplicaCount");
    expect(i!.message).toMatch(/^keda\.idleReplicaCount 0 lets the inference service scale to zero/);
    expect(checkConfig(config({ scaling: { mode: "cpu-hpa", minReplicas: 2, keda: { idleReplicaCount: 0 } } })).codes()).not.toContain(
      "ZERO_WITHOUT_WAKEUP",
    );
  });
});

const WAKE_UP = {
  source: { namespace: "ingress-nginx", job: "gateway" },
  metric: { name: "nginx_ingress_controller_requests", type: "counter", labels: ["ingress"] },
  matchers: { ingress: "inference" },
  threshold: 5,
};

describe("WAKEUP_SOURCE_NOT_SCRAPED: some rendered job of that name discovers the source's namespace", () => {
  const findings = (jobs: unknown[], source: Record<string, unknown> = {}) =>
    check(coherent(), {
      config: config({ scaling: { minReplicas: 0, wakeUp: { ...WAKE_UP, source: { ...WAKE_UP.source, ...source } } } }),
      helmValues: { prometheus: { extraScrapeConfigs: jobs } },
    }).findings.filter((f) => f.code === "WAKEUP_SOURCE_NOT_SCRAPED");

  it("accepted: pod discovery in every namespace or in the source's, static targets, or a scrape declared external", () => {
    expect(findings([{ job_name: "gateway", kubernetes_sd_configs: [{ role: "pod" }] }])).toEqual([]);
    expect(
      findings([{ job_name: "gateway", kubernetes_sd_configs: [{ role: "pod", namespaces: { names: ["x", "ingress-nginx"] } }] }]),
    ).toEqual([]);
    expect(findings([{ job_name: "gateway", kubernetes_sd_configs: [{ role: "pod", namespaces: {} }] }])).toEqual([]);
    expect(findings([{ job_name: "gateway", static_configs: [{ targets: ["gw:9100"] }] }])).toEqual([]);
    expect(findings([], { scrapedBy: "external" })).toEqual([]);
  });

  it("refused: no job of that name, or jobs of that name that reach other namespaces or nothing", () => {
    const [none] = findings([{ job_name: "other", kubernetes_sd_configs: [{ role: "pod" }] }]);
    expect(none!.severity).toBe("error");
    expect(none!.resource).toBe("EnvConfig t");
    expect(none!.path).toBe("scaling.wakeUp.source");
    expect(none!.message).toBe(
      'the wake-up trigger reads {namespace="ingress-nginx", job="gateway"}, but no scrape job this environment renders is named "gateway": the query answers nothing, so KEDA never activates on it (and counts errors towards its fallback)',
    );
    expect(none!.fix).toMatch(
      /^give scaling\.wakeUp\.source a job name of its own .* declare scaling\.wakeUp\.source\.scrapedBy: external$/,
    );
    const [elsewhere] = findings([
      { job_name: "gateway", kubernetes_sd_configs: [{ role: "pod", namespaces: { names: ["kube-system"] } }, "x"] },
    ]);
    expect(elsewhere!.message).toMatch(
      /but the rendered job "gateway" discovers no pods in namespace ingress-nginx: the query answers nothing/,
    );
    expect(findings([{ job_name: "gateway", static_configs: [] }])).toHaveLength(1);
    expect(findings([{ job_name: "gateway" }])).toHaveLength(1);
  });

  it("not checked without scaling.wakeUp", () => {
    expect(check(coherent(), { helmValues: { prometheus: { extraScrapeConfigs: [] } } }).findings).toEqual([]);
  });
});

describe("readsDeclaredWakeUpSource: a selector scoped to the declared source by equality on both labels", () => {
  const cfg = config({ scaling: { minReplicas: 0, wakeUp: WAKE_UP } });
  const sel = (...m: [string, string, string][]) => ({ matchers: m.map(([name, op, value]) => ({ name, op, value })) });
  it("both labels by equality, nothing else", () => {
    expect(readsDeclaredWakeUpSource(cfg, sel(["job", "=", "gateway"], ["namespace", "=", "ingress-nginx"]))).toBe(true);
    expect(readsDeclaredWakeUpSource(cfg, sel(["job", "=", "gateway"]))).toBe(false);
    expect(readsDeclaredWakeUpSource(cfg, sel(["namespace", "=", "ingress-nginx"]))).toBe(false);
    expect(readsDeclaredWakeUpSource(cfg, sel(["job", "=~", "gateway"], ["namespace", "=", "ingress-nginx"]))).toBe(false);
    expect(readsDeclaredWakeUpSource(cfg, sel(["job", "=", "gateway"], ["namespace", "=", "ml-t"]))).toBe(false);
    expect(readsDeclaredWakeUpSource(cfg, sel(["job", "=", "other"], ["namespace", "=", "ingress-nginx"]))).toBe(false);
    expect(readsDeclaredWakeUpSource(cfg, sel(["instance", "=", "gateway"], ["namespace", "=", "ingress-nginx"]))).toBe(false);
    expect(readsDeclaredWakeUpSource(config(), sel(["job", "=", "gateway"], ["namespace", "=", "ingress-nginx"]))).toBe(false);
  });
});

describe("wakeUpJobsAcrossServices: one job name, one set of source pods", () => {
  const svc = (name: string, source?: Record<string, unknown>) => ({
    ...input().services[0],
    name,
    scaling: {
      mode: "keda",
      minReplicas: 2,
      maxReplicas: 4,
      ...(source ? { wakeUp: { ...WAKE_UP, source: { ...WAKE_UP.source, ...source } } } : {}),
    },
  });
  const views = (scrape: string, ...services: unknown[]) =>
    config({ monitoring: { scrape, alerts: { p95LatencySeconds: 1, queueBacklog: 40 } }, services }).services!;
  const across = (scrape: string, ...services: unknown[]) =>
    wakeUpJobsAcrossServices(views(scrape, ...services)).map(({ index, finding }) => ({ index, ...finding }));

  it("services sharing a gateway's job and pods: one job, fine; a scrape declared external is not rendered", () => {
    expect(across("pod-annotations", svc("a", {}), svc("b", {}), svc("c"))).toEqual([]);
    expect(across("pod-annotations", svc("a", {}), svc("b", { namespace: "other", scrapedBy: "external" }))).toEqual([]);
  });

  it("one job name for other pods: refused on the later service, with both sources and the fix", () => {
    const found = across("pod-annotations", svc("a", {}), svc("b", { podLabels: { app: "gw" } }), svc("c", { namespace: "edge" }));
    expect(found.map((f) => [f.index, f.code, f.severity, f.env, f.resource, f.path])).toEqual([
      [1, "CONFIG_CONFLICT", "error", "t", "EnvConfig t", "scaling.wakeUp.source.job"],
      [2, "CONFIG_CONFLICT", "error", "t", "EnvConfig t", "scaling.wakeUp.source.job"],
    ]);
    expect(found[0]!.message).toBe(
      'the wake-up source\'s job "gateway" (namespace ingress-nginx, podLabels {"app":"gw"}) is service a\'s wake-up job for other pods (namespace ingress-nginx, podLabels {}): Prometheus refuses two scrape jobs with one job_name',
    );
    expect(found[0]!.fix).toBe("give both services the same source (namespace, podLabels), or another job name");
    expect(found[1]!.message).toMatch(
      /\(namespace edge, podLabels \{\}\) is service a's wake-up job for other pods \(namespace ingress-nginx,/,
    );
  });

  it("a wake-up job named like another service's own pod job (plain Prometheus) is refused; its own job is left to WAKEUP_SOURCE_NOT_SCRAPED", () => {
    const found = across("pod-annotations", svc("a"), svc("b", { job: "ml-t/a", namespace: "ml-t" }));
    expect(found.map((f) => f.index)).toEqual([1]);
    expect(found[0]!.message).toBe(
      "the wake-up source's job \"ml-t/a\" is service a's own scrape job: the environment would render two scrape jobs named ml-t/a",
    );
    expect(found[0]!.fix).toBe("wake up on a gateway's job, not another service's (or set scaling.wakeUp.source.scrapedBy: external)");
    expect(across("pod-annotations", svc("a", { job: "ml-t/a", namespace: "ml-t" }))).toEqual([]);
    // With ServiceMonitors the services' jobs are no rendered scrape jobs of this kind.
    expect(across("service-monitor", svc("a"), svc("b", { job: "a", namespace: "ml-t" }))).toEqual([]);
  });
});

describe("ZERO_WITHOUT_WAKEUP, WAKEUP_SOURCE_NOT_SCRAPED: every matcher, any discovery", () => {
  it("a selector is the pods' own only when every job matcher accepts their job", () => {
    const q = promTrigger('sum(inference_queue_len{job=~"inf.*",job!="inference"})', {}, { name: "q" });
    expect(atZero([q]).errors.filter((e) => e.code === "ZERO_WITHOUT_WAKEUP")).toEqual([]);
  });

  it("one of several discovery configs reaching the source's namespace is enough", () => {
    const jobs = [
      {
        job_name: "gateway",
        kubernetes_sd_configs: [
          { role: "pod", namespaces: { names: ["kube-system"] } },
          { role: "pod", namespaces: { names: ["ingress-nginx"] } },
        ],
      },
    ];
    const run = check(coherent(), {
      config: config({ scaling: { minReplicas: 0, wakeUp: WAKE_UP } }),
      helmValues: { prometheus: { extraScrapeConfigs: jobs } },
    });
    expect(run.findings.filter((f) => f.code === "WAKEUP_SOURCE_NOT_SCRAPED")).toEqual([]);
  });
});
