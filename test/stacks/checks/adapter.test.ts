import { describe, expect, it } from "vitest";
import type { K8sObject } from "../../../stacks/checks/index.js";
import {
  ADAPTER_P95_RULE,
  ADAPTER_QUEUE_RULE,
  adapterConfigMap,
  check,
  coherent,
  config,
  deployment,
  expectErrors,
  NS,
  service,
  serviceMonitor,
} from "./fixtures.js";

describe("ADAPTER_EXTERNAL_WITH_KEDA: no prometheus-adapter external rules where KEDA runs", () => {
  const withAdapter = (cm: object) => [...coherent().filter((o) => o.kind !== "ConfigMap"), cm];

  it("passes custom rules only", () => {
    expect(check(coherent()).findings).toEqual([]);
  });

  it("ADAPTER_EXTERNAL_WITH_KEDA: externalRules in the adapter ConfigMap while cluster.keda is true", () => {
    const [f] = expectErrors(check(withAdapter(adapterConfigMap({ rules: [ADAPTER_P95_RULE], externalRules: [ADAPTER_QUEUE_RULE] }))), [
      "ADAPTER_EXTERNAL_WITH_KEDA",
    ]);
    expect(f!.resource).toBe("ConfigMap monitoring/inference-prometheus-adapter");
    expect(f!.path).toBe('data["config.yaml"].externalRules');
    expect(f!.message).toMatch(/cluster\.keda is true/);
  });

  it("ADAPTER_EXTERNAL_WITH_KEDA: external rules in the Helm values", () => {
    const helmValues = { "prometheus-adapter": { rules: { custom: [ADAPTER_P95_RULE], external: [ADAPTER_QUEUE_RULE] } } };
    expect(expectErrors(check(coherent(), { helmValues }), ["ADAPTER_EXTERNAL_WITH_KEDA"])[0]!.path).toBe("rules.external");
  });

  it("ADAPTER_EXTERNAL_WITH_KEDA: KEDA objects rendered although the config says no KEDA", () => {
    const c = config({ cluster: { keda: false }, scaling: { mode: "slo-hpa" } });
    const objects = withAdapter(adapterConfigMap({ externalRules: [ADAPTER_QUEUE_RULE] }));
    expect(expectErrors(check(objects, { config: c }), ["ADAPTER_EXTERNAL_WITH_KEDA"])[0]!.message).toMatch(/renders KEDA objects/);
  });

  it("passes external rules where KEDA is absent", () => {
    const c = config({ cluster: { keda: false }, scaling: { mode: "slo-hpa" } });
    expect(
      check(
        [deployment(), service(), serviceMonitor(), adapterConfigMap({ rules: [ADAPTER_P95_RULE], externalRules: [ADAPTER_QUEUE_RULE] })],
        { config: c },
      ).findings,
    ).toEqual([]);
  });

  it("ADAPTER_EXTERNAL_WITH_KEDA: an APIService registering external metrics for the adapter", () => {
    const api = {
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: { name: "v1beta1.external.metrics.k8s.io" },
      spec: { service: { name: "prometheus-adapter", namespace: "monitoring" }, group: "external.metrics.k8s.io", version: "v1beta1" },
    };
    expectErrors(check([...coherent(), api]), ["ADAPTER_EXTERNAL_WITH_KEDA"]);
    const keda = { ...api, spec: { ...api.spec, service: { name: "keda-operator-metrics-apiserver", namespace: "keda" } } };
    expect(check([...coherent(), keda]).findings).toEqual([]);
    expect(NS).toBe("ml-t");
  });
});

describe("ADAPTER_EXTERNAL_WITH_KEDA: APIServices", () => {
  const api = (spec: Record<string, unknown> | undefined, name = "v1beta1.external.metrics.k8s.io"): K8sObject => ({
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    metadata: { name },
    ...(spec ? { spec } : {}),
  });

  it("names the backend registering external metrics and the field", () => {
    const [f] = expectErrors(check([...coherent(), api({ service: { name: "prometheus-adapter", namespace: "monitoring" } })]), [
      "ADAPTER_EXTERNAL_WITH_KEDA",
    ]);
    expect(f!.resource).toBe("APIService v1beta1.external.metrics.k8s.io");
    expect(f!.path).toBe("spec.service");
    expect(f!.message).toMatch(
      /registers external\.metrics\.k8s\.io for "prometheus-adapter", but KEDA runs here \(cluster\.keda is true\)/,
    );
  });

  it("a local registration (no service) is not KEDA's either", () => {
    for (const spec of [{ group: "external.metrics.k8s.io" }, undefined]) {
      const [f] = expectErrors(check([...coherent(), api(spec)]), ["ADAPTER_EXTERNAL_WITH_KEDA"]);
      expect(f!.message).toMatch(/for "",/);
    }
  });

  it("passes the adapter's custom.metrics registration, and an APIService without metadata", () => {
    expect(
      check([...coherent(), api({ service: { name: "prometheus-adapter", namespace: "monitoring" } }, "v1beta1.custom.metrics.k8s.io")])
        .errors,
    ).toEqual([]);
    const { metadata: _m, ...nameless } = api({ service: { name: "prometheus-adapter" } });
    expect(() => check([...coherent(), nameless])).not.toThrow();
  });
});
