/**
 * Which service's view checks an object in an environment of several services
 * (serviceObjectOwner, stacks/checks/index.ts): its own kinds by `app.kubernetes.io/name`, its
 * dashboard and load test by `app.kubernetes.io/instance`, the NetworkPolicy of its pods or of its
 * load test; everything else is shared (undefined: every view sees it).
 */
import { describe, expect, it } from "vitest";
import { serviceObjectOwner, type K8sObject } from "../../../stacks/checks/index.js";
import type { EnvConfig } from "../../../stacks/config.js";
import { envConfig } from "../../helpers/env.js";

const config = envConfig("models");
const views = [config, ...(config.services ?? []).slice(1)] as readonly EnvConfig[];
// Built at each call, not once when the file loads: a mutation run attributes the maps
// serviceObjectOwner builds to the tests that read them (built at load, they count as static).
const owner = (o: K8sObject) => serviceObjectOwner(views)(o);

function obj(kind: string, labels: Record<string, string> = {}, spec?: unknown) {
  return { apiVersion: "v1", kind, metadata: { name: "x", labels }, ...(spec === undefined ? {} : { spec }) };
}

describe("serviceObjectOwner", () => {
  it("the models environment's services and load tests are what the cases below name", () => {
    expect(views.map((v) => [v.service.name, v.loadTest?.name])).toEqual([
      ["inference", "locust"],
      ["embedding", "locust-embedding"],
    ]);
  });

  it("a service's own kinds belong to the service their app.kubernetes.io/name names; other names and kinds are shared", () => {
    for (const kind of [
      "Deployment",
      "Service",
      "ServiceAccount",
      "PodDisruptionBudget",
      "ScaledObject",
      "HorizontalPodAutoscaler",
      "ServiceMonitor",
      "PrometheusRule",
    ]) {
      expect(owner(obj(kind, { "app.kubernetes.io/name": "embedding" })), kind).toBe("embedding");
      expect(owner(obj(kind, { "app.kubernetes.io/name": "inference" })), kind).toBe("inference");
      expect(owner(obj(kind, { "app.kubernetes.io/name": "rabbitmq" })), kind).toBeUndefined();
      expect(owner(obj(kind)), kind).toBeUndefined();
    }
    // Not one of a service's own kinds: named after a service, still shared.
    expect(owner(obj("ConfigMap", { "app.kubernetes.io/name": "embedding" }))).toBeUndefined();
    expect(owner(obj("ResourceQuota", { "app.kubernetes.io/name": "embedding" }))).toBeUndefined();
    expect(owner({ apiVersion: "v1", kind: "Deployment" })).toBeUndefined(); // no metadata
  });

  it("a NetworkPolicy belongs to the service whose pods it selects, or whose load test's; the default deny and the others are shared", () => {
    const selecting = (matchLabels: Record<string, string>) => obj("NetworkPolicy", {}, { podSelector: { matchLabels } });
    expect(owner(selecting({ "app.kubernetes.io/name": "embedding" }))).toBe("embedding");
    expect(owner(selecting({ "app.kubernetes.io/name": "inference" }))).toBe("inference");
    expect(owner(selecting({ "app.kubernetes.io/instance": "locust-embedding-models" }))).toBe("embedding");
    expect(owner(selecting({ "app.kubernetes.io/instance": "locust-models" }))).toBe("inference");
    expect(owner(selecting({ "app.kubernetes.io/name": "rabbitmq" }))).toBeUndefined();
    expect(owner(selecting({ "app.kubernetes.io/instance": "another-models" }))).toBeUndefined();
    expect(owner(selecting({}))).toBeUndefined(); // the default deny
    expect(owner(obj("NetworkPolicy", {}, {}))).toBeUndefined();
    expect(owner(obj("NetworkPolicy"))).toBeUndefined();
    // The policy's own labels do not decide: its pod selector does.
    expect(owner(obj("NetworkPolicy", { "app.kubernetes.io/instance": "embedding-models" }, { podSelector: {} }))).toBeUndefined();
  });

  it("a dashboard ConfigMap belongs to `<service>-<env>`; a load test's objects to `<loadTest.name>-<env>`", () => {
    const dashboard = (instance: string) => obj("ConfigMap", { "app.kubernetes.io/instance": instance, grafana_dashboard: "1" });
    expect(owner(dashboard("embedding-models"))).toBe("embedding");
    expect(owner(dashboard("inference-models"))).toBe("inference");
    expect(owner(dashboard("locust-embedding-models"))).toBeUndefined(); // a dashboard is named after its service
    expect(owner(dashboard("embedding-prod"))).toBeUndefined();
    // Without the dashboard label, an instance names a load test.
    expect(owner(obj("ConfigMap", { "app.kubernetes.io/instance": "embedding-models" }))).toBeUndefined();
    expect(owner(obj("ConfigMap", { "app.kubernetes.io/instance": "locust-embedding-models" }))).toBe("embedding");
    expect(owner(obj("Job", { "app.kubernetes.io/instance": "locust-embedding-models" }))).toBe("embedding");
    expect(owner(obj("Job", { "app.kubernetes.io/instance": "locust-models" }))).toBe("inference");
    expect(owner(obj("Job", { "app.kubernetes.io/instance": "locust-prod" }))).toBeUndefined();
    expect(owner(obj("Job"))).toBeUndefined();
    expect(owner(obj("Secret", { grafana_dashboard: "1", "app.kubernetes.io/instance": "embedding-models" }))).toBeUndefined();
  });
});
