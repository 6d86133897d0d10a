/**
 * QUERY_LABEL_MISMATCH (stacks/checks/matchers.ts): which selectors it reads, which labels a scrape
 * stores for them, which scrape's reason it names, and how it counts the expressions of one
 * resource that fail the same way. (The basic cases live in scrape.test.ts.)
 */
import { describe, expect, it } from "vitest";
import {
  check,
  coherent,
  deployment,
  expectErrors,
  mutate,
  NS,
  prometheusRule,
  QUEUE,
  rule,
  serviceMonitor,
  type Run,
} from "./fixtures.js";
import type { K8sObject } from "../../../stacks/checks/index.js";

const SCOPE = `namespace="${NS}",job="inference"`;
const ORCH_LABELS = { "app.kubernetes.io/name": "orchestrator", "app.kubernetes.io/instance": "orchestrator-t" };

/** A second serving workload (an orchestrator) with its own Service and ServiceMonitor: job "orchestrator". */
function orchestrator(): K8sObject[] {
  const sm = serviceMonitor();
  sm.metadata.name = "orchestrator";
  sm.spec.selector.matchLabels = { ...ORCH_LABELS };
  return [
    deployment({ name: "orchestrator", labels: ORCH_LABELS }),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "orchestrator", namespace: NS, labels: { ...ORCH_LABELS } },
      spec: { selector: { ...ORCH_LABELS }, ports: [{ name: "metrics", port: 9090, targetPort: "metrics" }] },
    },
    sm,
  ];
}

/** coherent() plus an alert group with the given expressions. */
function withAlerts(exprs: string[], objects = coherent()): K8sObject[] {
  return [
    ...objects,
    prometheusRule(
      exprs.map((e, i) => rule(e, `Extra${i}`)),
      "extra",
    ),
  ];
}

const mismatches = (run: Run) => run.errors.filter((f) => f.code === "QUERY_LABEL_MISMATCH");

describe("QUERY_LABEL_MISMATCH: the labels a scrape stores", () => {
  /** The service's metric relabeling also drops its /health series (after restoring `endpoint`). */
  const dropsHealth = () =>
    mutate(coherent(), (get) =>
      get("ServiceMonitor").spec.endpoints[0].metricRelabelings.push({ sourceLabels: ["endpoint"], regex: "/health", action: "drop" }),
    );
  const endpointAlert = (m: string) => `sum(rate(http_requests_total{${SCOPE},${m}}[2m])) > 5`;

  it("a selector pinning a value the metric relabeling drops can never match; other values and non-pinning matchers pass", () => {
    for (const m of ['endpoint="/health"', 'endpoint=~"/health"']) {
      const [f] = expectErrors(check(withAlerts([endpointAlert(m)], dropsHealth())), ["QUERY_LABEL_MISMATCH"]);
      expect(f!.resource).toBe(`PrometheusRule ${NS}/extra`);
      expect(f!.message).toMatch(/metric relabeling drops the series/);
    }
    for (const m of ['endpoint="/predict"', 'endpoint!="/health"', 'endpoint=~"/health|/predict"', 'endpoint=~"/h.*"'])
      expect(check(withAlerts([endpointAlert(m)], dropsHealth())).errors, m).toEqual([]);
  });

  it("an invalid metric relabeling is named", () => {
    const objects = mutate(coherent(), (get) =>
      get("ServiceMonitor").spec.endpoints[0].metricRelabelings.push({ sourceLabels: ["endpoint"], regex: "(", action: "drop" }),
    );
    const f = mismatches(check(objects));
    expect(f.length).toBeGreaterThan(0);
    expect(f[0]!.message).toMatch(/ServiceMonitor ml-t\/inference's metric relabeling is invalid/);
  });

  it("a regex on a label the service exports matches (its value is not known); a plain value it cannot carry does not", () => {
    expect(check(withAlerts([endpointAlert('endpoint=~"/pred.*"')])).errors).toEqual([]);
    expect(check(withAlerts([endpointAlert('status=~"5.."')])).errors).toEqual([]);
  });

  it("`le` is a label of a histogram's buckets only", () => {
    expect(check(withAlerts([`sum(rate(http_request_duration_seconds_bucket{${SCOPE},le="0.5"}[2m])) > 1`])).errors).toEqual([]);
    const [f] = expectErrors(check(withAlerts([`sum(inference_queue_len{${SCOPE},le="0.5"}) > 1000`])), ["QUERY_LABEL_MISMATCH"]);
    expect(f!.message).toMatch(/le="0\.5" cannot match: ServiceMonitor ml-t\/inference stores le="" for Deployment ml-t\/inference; /);
  });

  it("`up` carries the target labels: metric relabeling does not apply to it", () => {
    const objects = mutate(coherent(), (get) =>
      get("ServiceMonitor").spec.endpoints[0].metricRelabelings.push({ regex: "container", action: "labeldrop" }),
    );
    expect(check(withAlerts([`up{${SCOPE},container="server"} == 0`], objects)).errors).toEqual([]);
    // the service's own series lose `container`
    expectErrors(check(withAlerts([`sum(inference_queue_len{${SCOPE},container="server"}) > 1000`], objects)), ["QUERY_LABEL_MISMATCH"]);
  });
});

describe("QUERY_LABEL_MISMATCH: which selectors are read", () => {
  it("recorded series carry what their rule keeps, not what the scrape stores", () => {
    const objects = [
      ...coherent(),
      prometheusRule(
        [
          rule(`sum by (model, tier) (label_replace(${QUEUE}, "tier", "gpu", "", ""))`, undefined, {
            record: "job:inference_queue_len:sum",
          }),
          rule(`job:inference_queue_len:sum{${SCOPE},tier="gpu"} > 40`, "TierBacklog"),
        ],
        "recorded",
      ),
    ];
    expect(mismatches(check(objects))).toEqual([]);
  });

  it("platform series (kube-state-metrics, Prometheus' own) are not read against the service's scrape", () => {
    expect(
      mismatches(check(withAlerts([`kube_deployment_status_replicas_available{namespace="${NS}",deployment="inference"} < 1`]))),
    ).toEqual([]);
  });

  it("nothing scraped at all: METRIC_NOT_SCRAPED alone, also for selectors of other jobs", () => {
    const objects = withAlerts(
      [`sum(orchestrator_jobs{namespace="${NS}",job="orchestrator"}) > 1`],
      coherent().filter((o) => o.kind !== "ServiceMonitor"),
    );
    expectErrors(check(objects), ["METRIC_NOT_SCRAPED"]);
  });
});

describe("QUERY_LABEL_MISMATCH: several scraped workloads", () => {
  it("a selector passes when one scrape can store it", () => {
    const run = check([...coherent(), ...orchestrator()]);
    expect(run.errors).toEqual([]);
  });

  it("another workload's series: labels it exports are assumed, its job and namespace are checked", () => {
    const objects = [...coherent(), ...orchestrator()];
    expect(check(withAlerts([`sum(orchestrator_jobs{namespace="${NS}",job="orchestrator",model="a"}) > 1`], objects)).errors).toEqual([]);
    expectErrors(check(withAlerts([`sum(orchestrator_jobs{namespace="${NS}",job="orchestrator",model="a",pod="x"}) > 1`], objects)), [
      "QUERY_LABEL_MISMATCH",
    ]);
  });

  it("a query assumes another workload exports its own labels, never its target labels (even under honorLabels)", () => {
    const objects = mutate(
      [...coherent(), ...orchestrator()],
      (get) => (get("ServiceMonitor", "orchestrator").spec.endpoints[0].honorLabels = true),
    );
    expect(check(withAlerts([`sum(orchestrator_jobs{namespace="${NS}",job="orchestrator",model="a"}) > 1`], objects)).errors).toEqual([]);
    expectErrors(check(withAlerts([`sum(orchestrator_jobs{namespace="${NS}",job="orchestrator-v2"}) > 1`], objects)), [
      "QUERY_LABEL_MISMATCH",
    ]);
  });

  it("the service's queries are read while another workload is scraped too", () => {
    const objects = withAlerts(
      [`sum(inference_queue_len{namespace="ml-other",job="inference"}) > 1000`],
      [...coherent(), ...orchestrator()],
    );
    const [f] = expectErrors(check(objects), ["QUERY_LABEL_MISMATCH"]);
    expect(f!.message).toMatch(/namespace="ml-other" cannot match: ServiceMonitor ml-t\/inference stores namespace="ml-t"/);
  });

  it("the inference service's scrape is the reason named, whichever scrape is listed first", () => {
    const objects = withAlerts(
      [`sum(inference_queue_len{namespace="${NS}",job="inference-api"}) > 1000`],
      [...orchestrator(), ...coherent()],
    );
    const [f] = expectErrors(check(objects), ["QUERY_LABEL_MISMATCH"]);
    expect(f!.message).toMatch(
      /job="inference-api" cannot match: ServiceMonitor ml-t\/inference stores job="inference" for Deployment ml-t\/inference;/,
    );
  });

  it("the service's own scrape broken: METRIC_NOT_SCRAPED, and its queries are not read against the other workload's scrape", () => {
    const objects = mutate(
      [...coherent(), ...orchestrator()],
      (get) => (get("ServiceMonitor", "inference").spec.endpoints[0].path = "/stats"),
    );
    const [f] = expectErrors(check(objects), ["METRIC_NOT_SCRAPED"]);
    expect(f!.path).toBe("spec.endpoints[0].path");
  });
});

describe("QUERY_LABEL_MISMATCH: the finding", () => {
  const bad = `inference_queue_len{namespace="${NS}",job="inference-api"}`;
  // (alert thresholds above the queue trigger's, so the alerts page only after KEDA scaled)

  it("names the selector; one expression: nothing more counted", () => {
    const [f] = expectErrors(check(withAlerts([`sum(${bad}) > 1000`])), ["QUERY_LABEL_MISMATCH"]);
    expect(f!.path).toBe("spec.groups[0].rules[0].expr");
    expect(f!.message).toMatch(/^selector inference_queue_len\{namespace="ml-t",job="inference-api"\} can never match: /);
    expect(f!.message).toMatch(/the query silently returns nothing$/);
    expect(f!.fix).toMatch(/namespace="ml-t", job="inference"/);
  });

  it("the same selector twice in one expression counts once", () => {
    const [f] = expectErrors(check(withAlerts([`sum(${bad}) / sum(${bad}) > 1000`])), ["QUERY_LABEL_MISMATCH"]);
    expect(f!.message).toMatch(/returns nothing$/);
  });

  it("other expressions of the resource failing the same way are counted in the one finding", () => {
    const two = mismatches(check(withAlerts([`sum(${bad}) > 1000`, `max(${bad}) > 2000`])));
    expect(two).toHaveLength(1);
    expect(two[0]!.message).toMatch(/returns nothing \(1 more expression of this resource fails? the same way\)$/);
    const three = mismatches(check(withAlerts([`sum(${bad}) > 1000`, `max(${bad}) > 2000`, `min(${bad}) > 3000`])));
    expect(three).toHaveLength(1);
    expect(three[0]!.message).toMatch(/returns nothing \(2 more expressions of this resource fail the same way\)$/);
  });
});
