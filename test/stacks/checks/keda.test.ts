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

describe("PROMETHEUS_ADDRESS_UNDECLARED: what counts as the declared Prometheus", () => {
  const svc = "kube-prometheus-stack-prometheus.monitoring";
  const c = config();

  it("the scheme's default port counts as the Service port only when the Service listens there", () => {
    expect(isDeclaredPrometheus(`http://${svc}`, config({ monitoring: { prometheus: { port: 80 } } }))).toBe(true);
    expect(isDeclaredPrometheus(`https://${svc}`, config({ monitoring: { prometheus: { port: 443 } } }))).toBe(true);
    expect(isDeclaredPrometheus(`https://${svc}`, config({ monitoring: { prometheus: { port: 80 } } }))).toBe(false);
    expect(isDeclaredPrometheus(`http://${svc}`, config({ monitoring: { prometheus: { port: 443 } } }))).toBe(false);
    expect(isDeclaredPrometheus(`https://${svc}:9090`, c)).toBe(true);
  });

  it("refuses other schemes, a user without password, a query string, a fragment, another host", () => {
    for (const a of [
      `ftp://${svc}:9090`,
      `http://u@${svc}:9090`,
      `http://${svc}:9090/?x=1`,
      `http://${svc}:9090/#x`,
      "http://prometheus.monitoring:9090",
    ])
      expect(isDeclaredPrometheus(a, c), a).toBe(false);
    expect(isDeclaredPrometheus(`http://${svc}.svc.cluster.local:9090`, c)).toBe(true);
    expect(isDeclaredPrometheus(`http://${svc}:9090/`, c)).toBe(true);
  });

  it("the external URL matches with or without trailing slashes, and only it", () => {
    const ext = config({ monitoring: { prometheus: { externalUrl: "https://prom.example.com/prometheus" } } });
    expect(isDeclaredPrometheus("https://prom.example.com/prometheus//", ext)).toBe(true);
    expect(isDeclaredPrometheus("https://prom.example.com/prometheus", ext)).toBe(true);
    expect(isDeclaredPrometheus("https://prom.example.com/other", ext)).toBe(false);
    // the in-cluster Service stays declared beside it
    expect(isDeclaredPrometheus(`http://${svc}:9090`, ext)).toBe(true);
  });

  it("an invalid externalUrl (the schema reports it) leaves the in-cluster Service declared", () => {
    const bad = { ...c, monitoring: { ...c.monitoring, prometheus: { ...c.monitoring.prometheus, externalUrl: "not a url" } } };
    expect(isDeclaredPrometheus(`http://${svc}:9090`, bad)).toBe(true);
    expect(isDeclaredPrometheus("https://prom.example.com", bad)).toBe(false);
  });

  it("checks ScaledJobs' prometheus triggers too, not other kinds, groups or trigger types", () => {
    const trigger = promTrigger(QUEUE, { serverAddress: "http://prometheus.example.com:9090" });
    const job = {
      apiVersion: "keda.sh/v1alpha1",
      kind: "ScaledJob",
      metadata: { name: "batch", namespace: NS },
      spec: { triggers: [trigger] },
    };
    const [f] = expectErrors(check([...coherent(), job]), ["PROMETHEUS_ADDRESS_UNDECLARED"]);
    expect(f!.resource).toBe(`ScaledJob ${NS}/batch`);
    expect(f!.path).toBe("spec.triggers[0].metadata.serverAddress");
    expect(f!.message).toMatch(
      /serverAddress "http:\/\/prometheus\.example\.com:9090" is not the environment's Prometheus \(http:\/\/kube-prometheus-stack-prometheus\.monitoring\.svc\.cluster\.local:9090\)/,
    );
    expect(f!.fix).toMatch(/use http:\/\/kube-prometheus-stack-prometheus\.monitoring\.svc\.cluster\.local:9090 .*externalUrl/);
    const other = { ...job, apiVersion: "example.com/v1" };
    const cpu = { ...job, spec: { triggers: [{ ...trigger, type: "cpu" }] } };
    const auth = { ...job, kind: "TriggerAuthentication" };
    expect(check([...coherent(), other, cpu, auth]).errors).toEqual([]);
  });

  it("no serverAddress: reported at the trigger's metadata", () => {
    const [f] = expectErrors(check(server(undefined)), ["PROMETHEUS_ADDRESS_UNDECLARED"]);
    expect(f!.path).toBe("spec.triggers[1].metadata");
  });

  it("the adapter's Helm values: url, port and path joined as the adapter joins them", () => {
    const helm = (prometheus: object) => ({ "prometheus-adapter": { prometheus } });
    const url = `http://${svc}.svc`;
    expect(check(coherent(), { helmValues: helm({ url: `${url}/`, port: 9090 }) }).errors).toEqual([]);
    expect(check(coherent(), { helmValues: helm({ url: `${url}:9090`, port: "" }) }).errors).toEqual([]);
    expect(check(coherent(), { helmValues: helm({ url: `${url}:9090` }) }).errors).toEqual([]);
    expect(check(coherent(), { helmValues: helm({ url: `${url}//`, port: 9090 }) }).errors).toEqual([]);
    expect(check(coherent(), { helmValues: { empty: null as never } }).errors).toEqual([]);
    expect(check(coherent(), { helmValues: helm({ url, port: 9090, path: "" }) }).errors).toEqual([]);
    // values without a prometheus.url are another chart's
    expect(check(coherent(), { helmValues: { keda: { prometheus: { enabled: true } }, other: { prometheus: "x" } } }).errors).toEqual([]);
    const [f] = expectErrors(check(coherent(), { helmValues: helm({ url, port: 9090, path: "/prom" }) }), [
      "PROMETHEUS_ADDRESS_UNDECLARED",
    ]);
    expect(f!.path).toBe("prometheus.url");
    expect(f!.message).toMatch(/prometheus\.url\/port "http:\/\/kube-prometheus-stack-prometheus\.monitoring\.svc:9090\/prom" is not/);
    expectErrors(check(coherent(), { helmValues: helm({ url, port: 9091 }) }), ["PROMETHEUS_ADDRESS_UNDECLARED"]);
  });
});

describe("KEDA_* codes: what each finding says", () => {
  it("KEDA_QUERY_MULTI_SERIES names the grouping or the missing aggregation", () => {
    const grouped = expectErrors(check(withTrigger(1, promTrigger(`sum by (pod, model) (inference_queue_len{${SCOPE}})`))), [
      "KEDA_QUERY_MULTI_SERIES",
    ])[0]!;
    expect(grouped.message).toMatch(/several series \(grouped by pod, model\): KEDA's prometheus scaler errors/);
    const bare = expectErrors(check(withTrigger(1, promTrigger(`inference_queue_len{${SCOPE}}`))), ["KEDA_QUERY_MULTI_SERIES"])[0]!;
    expect(bare.message).toMatch(/several series \(not aggregated\)/);
  });

  it("a query that does not parse, or none, is QUERY_SYNTAX's to report, not a KEDA finding", () => {
    const none = mutate(coherent(), (get) => delete get("ScaledObject").spec.triggers[1].metadata.query);
    expect(check(none).findings.filter((f) => f.code.startsWith("KEDA_"))).toEqual([]);
    const broken = withTrigger(1, promTrigger(`avg(inference_queue_len{${SCOPE}}`));
    expect(check(broken).findings.filter((f) => f.code.startsWith("KEDA_"))).toEqual([]);
  });

  it("KEDA_AVERAGE_NON_ADDITIVE: an explicit AverageValue is named as such; Value is never averaged", () => {
    const avg = (metricType?: string) => withTrigger(1, promTrigger(`avg(inference_queue_len{${SCOPE}})`, {}, { metricType }));
    const [f] = expectErrors(check(avg("AverageValue")), ["KEDA_AVERAGE_NON_ADDITIVE"]);
    expect(f!.message).toMatch(/^metricType is AverageValue, but the signal is not additive across pods \(it uses avg\(\)\)/);
    expect(f!.fix).toMatch(/metricType: Value/);
    expect(check(avg("Value")).findings.filter((x) => x.code === "KEDA_AVERAGE_NON_ADDITIVE")).toEqual([]);
  });

  it("KEDA_NULL_VALUES_IGNORED: the value as written, case-insensitive false", () => {
    const inv = (v: unknown) => withTrigger(1, promTrigger(QUEUE, { ignoreNullValues: v }));
    expect(expectErrors(check(inv("true")), ["KEDA_NULL_VALUES_IGNORED"])[0]!.message).toMatch(
      /^ignoreNullValues is "true": an empty result .* reads as 0 and silently scales down, so the fallback/,
    );
    expect(expectErrors(check(inv(undefined)), ["KEDA_NULL_VALUES_IGNORED"])[0]!.message).toMatch(
      /^ignoreNullValues is unset \(KEDA's default true\)/,
    );
    expect(check(inv("False")).findings).toEqual([]);
    expect(check(inv(false)).findings).toEqual([]);
    const noFallback = mutate(inv("true"), (get) => delete get("ScaledObject").spec.fallback);
    const w = check(noFallback).findings.find((x) => x.code === "KEDA_NULL_VALUES_IGNORED")!;
    expect(w.severity).toBe("warning");
    expect(w.path).toBe("spec.triggers[1].metadata.ignoreNullValues");
    expect(w.message).not.toMatch(/fallback/);
    expect(w.fix).toMatch(/declare a fallback/);
  });

  it("KEDA_NO_FALLBACK: once per ScaledObject, naming the first such trigger (by name, else by index)", () => {
    const noFallback = mutate(coherent(), (get) => delete get("ScaledObject").spec.fallback);
    const warned = check(noFallback).findings.filter((x) => x.code === "KEDA_NO_FALLBACK");
    expect(warned).toHaveLength(1);
    expect(warned[0]!.message).toMatch(/^trigger p95-latency answers nothing when its scrape is lost/);
    expect(warned[0]!.fix).toMatch(/spec\.fallback/);
    const unnamed = mutate(noFallback, (get) => delete get("ScaledObject").spec.triggers[0].name);
    expect(check(unnamed).findings.find((x) => x.code === "KEDA_NO_FALLBACK")!.message).toMatch(/^trigger 0 answers nothing/);
  });

  it("non-prometheus triggers are not read", () => {
    const cpuOnly = mutate(coherent(), (get) => {
      const so = get("ScaledObject");
      so.spec.triggers = so.spec.triggers.filter((t: { type: string }) => t.type === "cpu");
      delete so.spec.fallback;
    });
    expect(check(cpuOnly).findings.filter((f) => f.code.startsWith("KEDA_"))).toEqual([]);
  });
});
