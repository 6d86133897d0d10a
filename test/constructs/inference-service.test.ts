import { Chart, Testing } from "cdk8s";
import { describe, expect, it } from "vitest";
import { InferenceService } from "../../constructs/inference-service.js";

const identity = { name: "inference", instance: "inference-test", component: "inference-api", partOf: "ml-platform" };

function render(props: Partial<ConstructorParameters<typeof InferenceService>[2]> = {}, autoscaled = false) {
  const chart = new Chart(Testing.app(), "test", { disableResourceNameHashes: true });
  const svc = new InferenceService(chart, "svc", {
    namespace: "ns",
    identity,
    image: "registry.example.com/ml/inference:1.0.0",
    resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } },
    ...props,
  });
  if (autoscaled) svc.markHasAutoscaler("HorizontalPodAutoscaler/inference");
  const objs = chart.toJson();
  const get = (kind: string) => objs.find((o) => o.kind === kind);
  return { svc, objs, get, pod: get("Deployment").spec.template.spec, container: get("Deployment").spec.template.spec.containers[0] };
}

describe("InferenceService", () => {
  it("renders Deployment, Service, PDB and ServiceAccount with stable names", () => {
    const { objs } = render();
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ServiceAccount/inference",
      "Deployment/inference",
      "Service/inference",
      "PodDisruptionBudget/inference",
    ]);
  });

  it("applies defaults: ports, probes, env, replicas", () => {
    const { get, container, pod } = render();
    expect(get("Deployment").spec.replicas).toBe(1);
    expect(container.ports).toEqual([
      { name: "http", containerPort: 8000, protocol: "TCP" },
      { name: "metrics", containerPort: 9090, protocol: "TCP" },
    ]);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container.startupProbe.httpGet.path).toBe("/health");
    // 120 s model load at a 5 s period: 24 failures allowed.
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBe(120);
    expect(container.livenessProbe.httpGet.path).toBe("/health");
    expect(Object.fromEntries(container.env.map((e: any) => [e.name, e.value]))).toEqual({
      METRICS_PORT: "9090",
      PREDICT_MAX_CONCURRENCY: "4",
      PREWARM_MODEL: "true",
      READINESS_CHECK_MODEL: "true",
      UVICORN_WORKERS: "1",
    });
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(container.lifecycle.preStop.exec.command).toEqual(["sleep", "5"]);
    expect(get("Deployment").spec.template.metadata.annotations).toEqual({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": "9090",
      "prometheus.io/path": "/metrics",
    });
  });

  it("applies overrides", () => {
    const { get, container, pod } = render({
      replicas: 4,
      port: 8080,
      probes: { readinessPath: "/ready", modelLoadSeconds: 600, periodSeconds: 10 },
      tuning: { predictMaxConcurrency: 16, uvicornWorkers: 2, prewarmModel: false },
      env: { MODEL_NAME: "resnet" },
      spread: "require",
      scrapeAnnotations: false,
      maxUnavailable: 2,
    });
    expect(get("Deployment").spec.replicas).toBe(4);
    expect(container.ports[0].containerPort).toBe(8080);
    expect(container.readinessProbe.httpGet.path).toBe("/ready");
    expect(container.startupProbe.failureThreshold).toBe(60);
    expect(container.env).toContainEqual({ name: "PREDICT_MAX_CONCURRENCY", value: "16" });
    expect(container.env).toContainEqual({ name: "MODEL_NAME", value: "resnet" });
    expect(pod.topologySpreadConstraints[0].whenUnsatisfiable).toBe("DoNotSchedule");
    expect(get("Deployment").spec.template.metadata.annotations).toBeUndefined();
    expect(get("PodDisruptionBudget").spec.maxUnavailable).toBe(2);
  });

  it("meets the restricted Pod Security Standard", () => {
    const { pod, container } = render();
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
    expect(pod.volumes[0].emptyDir).toBeDefined();
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it("selects pods by the stable name/instance labels only", () => {
    const { get } = render();
    const sel = { "app.kubernetes.io/name": "inference", "app.kubernetes.io/instance": "inference-test" };
    expect(get("Deployment").spec.selector.matchLabels).toEqual(sel);
    expect(get("Service").spec.selector).toEqual(sel);
    expect(get("PodDisruptionBudget").spec.selector.matchLabels).toEqual(sel);
    expect(get("Deployment").spec.template.metadata.labels).toMatchObject({ ...sel, "app.kubernetes.io/managed-by": "inference-scaling" });
  });

  it("stops rendering replicas once an autoscaler owns the Deployment", () => {
    const { get } = render({ replicas: 3 }, true);
    expect(get("Deployment").spec).not.toHaveProperty("replicas");
  });

  it("refuses a second autoscaler on the same Deployment", () => {
    const { svc } = render({}, true);
    expect(() => svc.markHasAutoscaler("ScaledObject/inference")).toThrow(
      /already scaled by HorizontalPodAutoscaler\/inference.*AmbiguousSelector/,
    );
  });

  it("rejects invalid props with messages naming the values", () => {
    expect(() => render({ replicas: -1 })).toThrow(/replicas -1/);
    expect(() => render({ port: 9090 })).toThrow(/metrics port 9090 must differ/);
    expect(() => render({ preStopSleepSeconds: 30 })).toThrow(/preStop sleep 30s/);
    expect(() => render({ env: { UVICORN_WORKERS: "3" } })).toThrow(/UVICORN_WORKERS is set by the tuning props/);
  });

  it("matches the snapshot", () => {
    expect(render().objs).toMatchSnapshot();
  });
});
