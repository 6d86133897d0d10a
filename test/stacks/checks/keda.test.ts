import { describe, expect, it } from "vitest";
import { isDeclaredPrometheus } from "../../../stacks/checks/keda.js";
import { check, coherent, config, expectErrors, mutate, NS, P95, prometheusRule, promTrigger, QUEUE, rule } from "./fixtures.js";

const SCOPE = `namespace="${NS}",job="inference"`;
const withTrigger = (index: number, t: object, objects = coherent()) =>
  mutate(objects, (get) => (get("ScaledObject").spec.triggers[index] = t));
const server = (address: string | undefined) =>
  mutate(coherent(), (get) => {
    const m = get("ScaledObject").spec.triggers[1].metadata;
    if (address === undefined) delete m.serverAddress;
    else m.serverAddress = address;
  });

describe("PROMETHEUS_ADDRESS_UNDECLARED: Prometheus addresses are the declared ones", () => {
  it("accepts the declared Service in any of its in-cluster DNS forms", () => {
    for (const a of [
      "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
      "http://kube-prometheus-stack-prometheus.monitoring.svc:9090",
      "http://kube-prometheus-stack-prometheus.monitoring:9090/",
    ]) {
      expect(check(server(a)).findings, a).toEqual([]);
    }
  });

  it("PROMETHEUS_ADDRESS_UNDECLARED: another service, another port, no address", () => {
    for (const a of [
      "http://prometheus-server.monitoring.svc:80",
      "http://kube-prometheus-stack-prometheus.monitoring.svc:9091",
      "http://kube-prometheus-stack-prometheus.monitoring.svc",
    ]) {
      const [f] = expectErrors(check(server(a)), ["PROMETHEUS_ADDRESS_UNDECLARED"]);
      expect(f!.path).toBe("spec.triggers[1].metadata.serverAddress");
    }
    expect(expectErrors(check(server(undefined)), ["PROMETHEUS_ADDRESS_UNDECLARED"])[0]!.message).toMatch(/no serverAddress/);
  });

  it("accepts an external address only when monitoring.prometheus.externalUrl declares it", () => {
    const external = "https://prometheus.example.com";
    expectErrors(check(server(external)), ["PROMETHEUS_ADDRESS_UNDECLARED"]);
    expect(check(server(external), { config: config({ monitoring: { prometheus: { externalUrl: `${external}/` } } }) }).findings).toEqual(
      [],
    );
  });

  it("PROMETHEUS_ADDRESS_UNDECLARED: the prometheus-adapter Helm values' URL", () => {
    const helm = (url: string, port: number) => ({ "prometheus-adapter": { prometheus: { url, port } } });
    expect(check(coherent(), { helmValues: helm("http://kube-prometheus-stack-prometheus.monitoring.svc", 9090) }).findings).toEqual([]);
    expect(
      expectErrors(check(coherent(), { helmValues: helm("http://prometheus.monitoring.svc", 9090) }), ["PROMETHEUS_ADDRESS_UNDECLARED"])[0]!
        .resource,
    ).toBe("HelmValues prometheus-adapter");
  });

  it("isDeclaredPrometheus rejects credentials and paths", () => {
    const c = config();
    expect(isDeclaredPrometheus("http://u:p@kube-prometheus-stack-prometheus.monitoring:9090", c)).toBe(false);
    expect(isDeclaredPrometheus("http://kube-prometheus-stack-prometheus.monitoring:9090/api", c)).toBe(false);
    expect(isDeclaredPrometheus("not a url", c)).toBe(false);
  });
});

describe("KEDA_* codes: KEDA prometheus triggers", () => {
  it("KEDA_QUERY_MULTI_SERIES: grouped by pod, or not aggregated", () => {
    for (const q of [`sum by (pod) (inference_queue_len{${SCOPE}})`, `inference_queue_len{${SCOPE}}`]) {
      const [f] = expectErrors(check(withTrigger(1, promTrigger(q))), ["KEDA_QUERY_MULTI_SERIES"]);
      expect(f!.path).toBe("spec.triggers[1].metadata.query");
    }
  });

  it("KEDA_NULL_VALUES_IGNORED: an error where a fallback is declared, a warning where none is", () => {
    const unset = withTrigger(1, promTrigger(QUEUE, { ignoreNullValues: undefined }));
    const [f] = expectErrors(check(unset), ["KEDA_NULL_VALUES_IGNORED"]);
    expect(f!.path).toBe("spec.triggers[1].metadata.ignoreNullValues");
    expect(f!.message).toMatch(/fallback this ScaledObject declares never engages/);
    expectErrors(check(withTrigger(1, promTrigger(QUEUE, { ignoreNullValues: "true" }))), ["KEDA_NULL_VALUES_IGNORED"]);
    const noFallback = mutate(unset, (get) => delete get("ScaledObject").spec.fallback);
    const r = check(noFallback);
    expect(r.errors).toEqual([]);
    // (the other, null-erroring trigger also warns that nothing holds a count when it fails)
    expect(r.findings.map((x) => [x.code, x.severity]).sort()).toEqual([
      ["KEDA_NO_FALLBACK", "warning"],
      ["KEDA_NULL_VALUES_IGNORED", "warning"],
    ]);
  });

  it("KEDA_NO_FALLBACK: a prometheus trigger that errors on a lost scrape, with no fallback to hold a count", () => {
    const noFallback = mutate(coherent(), (get) => delete get("ScaledObject").spec.fallback);
    const r = check(noFallback);
    expect(r.errors).toEqual([]);
    const found = r.findings.filter((x) => x.code === "KEDA_NO_FALLBACK");
    expect(found.map((x) => [x.severity, x.path])).toEqual([["warning", "spec.fallback"]]);
    expect(check(coherent()).findings.filter((x) => x.code === "KEDA_NO_FALLBACK")).toEqual([]);
  });

  it("KEDA_AVERAGE_NON_ADDITIVE: AverageValue (explicit or KEDA's default) on a quantile, a ratio, an average", () => {
    const p95 = withTrigger(0, promTrigger(P95, { threshold: "0.5", activationThreshold: "0.3" }, { metricType: "AverageValue" }));
    expect(expectErrors(check(p95), ["KEDA_AVERAGE_NON_ADDITIVE"])[0]!.path).toBe("spec.triggers[0].metricType");
    const ratio = promTrigger(
      `sum(rate(http_request_errors_total{${SCOPE}}[2m])) / sum(rate(http_requests_total{${SCOPE}}[2m]))`,
      { threshold: "0.01", activationThreshold: "0" },
      { metricType: undefined },
    );
    expect(expectErrors(check(withTrigger(1, ratio)), ["KEDA_AVERAGE_NON_ADDITIVE"])[0]!.message).toMatch(
      /defaults to AverageValue.*divides two series/,
    );
    const avg = promTrigger(`avg(inference_queue_len{${SCOPE}})`);
    expectErrors(check(withTrigger(1, avg)), ["KEDA_AVERAGE_NON_ADDITIVE"]);
  });

  it("KEDA_AVERAGE_NON_ADDITIVE follows a recorded series to the quantile it records", () => {
    const recorded = promTrigger(`max(job:http_request_duration_seconds:p95_rate2m{${SCOPE}})`, {
      threshold: "0.5",
      activationThreshold: "0.3",
    });
    expect(expectErrors(check(withTrigger(0, recorded)), ["KEDA_AVERAGE_NON_ADDITIVE"])[0]!.message).toMatch(/max\(\)|histogram_quantile/);
    const sumOfRecorded = promTrigger(`sum(job:http_request_duration_seconds:p95_rate2m{${SCOPE}})`, {
      threshold: "0.5",
      activationThreshold: "0.3",
    });
    expect(expectErrors(check(withTrigger(0, sumOfRecorded)), ["KEDA_AVERAGE_NON_ADDITIVE"])[0]!.message).toMatch(
      /recorded series job:http_request_duration_seconds:p95_rate2m/,
    );
  });

  it("passes Value on a quantile, AverageValue on a sum, scaling by a constant", () => {
    const scaled = promTrigger(`sum(inference_queue_len{${SCOPE}}) / 2`);
    expect(check(withTrigger(1, scaled)).findings).toEqual([]);
    expect(
      check([...coherent(), prometheusRule([rule(`sum(inference_queue_len{${SCOPE}})`, undefined, { record: "q:sum" })], "rec")]).findings,
    ).toEqual([]);
  });
});
