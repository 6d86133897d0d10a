import { Chart, Testing } from "cdk8s";
import { describe, expect, it } from "vitest";
import { AutoscalerError } from "../../scaling/autoscaler-common.js";
import { KedaScaledObject } from "../../constructs/keda-scaled-object.js";
import { QueueWorker, type QueueWorkerProps } from "../../constructs/queue-worker.js";
import { validateObjects } from "../../stacks/schema.js";

const identity = { name: "embedder", instance: "embedder-test", component: "queue-worker", partOf: "ml-platform" };

function render(over: Partial<QueueWorkerProps> = {}, chart = new Chart(Testing.app(), "t", { disableResourceNameHashes: true })) {
  const worker = new QueueWorker(chart, "w", {
    namespace: "ns",
    identity,
    image: "registry.example.com/ml/worker:1.0.0",
    app: "worker.celery_app",
    queueName: "embeddings",
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "512Mi" } },
    ...over,
  });
  const objs = chart.toJson();
  const get = (kind: string) => objs.find((o) => o.kind === kind);
  return { worker, objs, get, container: get("Deployment").spec.template.spec.containers[0], chart };
}

describe("QueueWorker", () => {
  it("renders ServiceAccount, Deployment, TriggerAuthentication and ScaledObject", () => {
    expect(render().objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ServiceAccount/embedder",
      "Deployment/embedder",
      "TriggerAuthentication/embedder-rabbitmq",
      "ScaledObject/embedder",
    ]);
  });

  it("scales on RabbitMQ queue length, min 2 / max 20 by default, KEDA owning the replica count", () => {
    const { get } = render();
    const so = get("ScaledObject");
    expect(get("Deployment").spec).not.toHaveProperty("replicas");
    expect(so.spec.minReplicaCount).toBe(2);
    expect(so.spec.maxReplicaCount).toBe(20);
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "embedder" });
    expect(so.spec.triggers).toEqual([
      {
        type: "rabbitmq",
        name: "queue",
        metricType: "AverageValue",
        metadata: { queueName: "embeddings", mode: "QueueLength", value: "20", activationValue: "5", protocol: "amqp" },
        authenticationRef: { kind: "TriggerAuthentication", name: "embedder-rabbitmq" },
      },
    ]);
  });

  it("reads the connection only from the Secret: secretTargetRef for KEDA, secretKeyRef for the worker", () => {
    const { get, container, objs, worker } = render();
    expect(get("TriggerAuthentication").spec).toEqual({ secretTargetRef: [{ parameter: "host", name: "embedder-rabbitmq", key: "host" }] });
    expect(container.env).toEqual([{ name: "CELERY_BROKER_URL", valueFrom: { secretKeyRef: { name: "embedder-rabbitmq", key: "host" } } }]);
    // The Secret is referenced, never rendered, and no value of it appears anywhere.
    expect(objs.some((o) => o.kind === "Secret")).toBe(false);
    expect(JSON.stringify(objs)).not.toMatch(/amqps?:\/\//);
    expect(worker.connectionSecret).toEqual({ name: "embedder-rabbitmq", key: "host" });
  });

  it("uses a named connection Secret and key when given", () => {
    const { get, container } = render({ connectionSecret: { name: "rabbitmq-shared", key: "url" } });
    expect(get("TriggerAuthentication").spec.secretTargetRef).toEqual([{ parameter: "host", name: "rabbitmq-shared", key: "url" }]);
    expect(container.env[0].valueFrom.secretKeyRef).toEqual({ name: "rabbitmq-shared", key: "url" });
  });

  it("runs a Celery worker on the queue, with broker-based probes, restricted", () => {
    const { container, get } = render({ concurrency: 8, terminationGracePeriodSeconds: 600 });
    expect(container.command).toEqual(["celery"]);
    expect(container.args).toEqual([
      "-A",
      "worker.celery_app",
      "worker",
      "--queues",
      "embeddings",
      "--concurrency",
      "8",
      "--loglevel",
      "INFO",
      "--without-gossip",
      "--without-mingle",
    ]);
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      expect(container[probe].exec.command[2]).toBe("celery -A worker.celery_app inspect ping --destination celery@$HOSTNAME --timeout 10");
    }
    const pod = get("Deployment").spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(600);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.resources).toEqual({ requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "512Mi" } });
  });

  it("appends extra triggers (pre-scaling windows) after the queue trigger", () => {
    const { get } = render({
      minReplicas: 1,
      maxReplicas: 8,
      extraTriggers: [
        { type: "cron", name: "prescale-nightly", timezone: "UTC", start: "0 1 * * *", end: "0 5 * * *", desiredReplicas: 6 },
      ],
    });
    const triggers = get("ScaledObject").spec.triggers;
    expect(triggers.map((t: any) => t.name)).toEqual(["queue", "prescale-nightly"]);
    expect(triggers[1].metadata).toEqual({ timezone: "UTC", start: "0 1 * * *", end: "0 5 * * *", desiredReplicas: "6" });
  });

  it("passes the core and KEDA schemas", async () => {
    expect(await validateObjects(render().objs)).toEqual([]);
  });

  it("refuses a second autoscaler on its Deployment", () => {
    const { chart } = render();
    expect(
      () =>
        new KedaScaledObject(chart, "other", {
          name: "embedder-2",
          scaleTarget: { name: "embedder", namespace: "ns", containers: [{ name: "worker" }] },
          triggers: [{ type: "cron", timezone: "UTC", start: "0 1 * * *", end: "0 2 * * *", desiredReplicas: 3 }],
        }),
    ).toThrow(/already scaled by ScaledObject\/embedder/);
  });

  it("rejects invalid props naming the values", () => {
    expect(() => render({ env: { CELERY_BROKER_URL: "amqp://u:p@rabbit:5672/" } })).toThrow(/CELERY_BROKER_URL is a credential/);
    expect(() => render({ app: "worker celery" })).toThrow(/app "worker celery" must be a Python module path/);
    expect(() => render({ concurrency: 0 })).toThrow(/concurrency 0/);
    expect(() => render({ minReplicas: 5, maxReplicas: 3 })).toThrow(AutoscalerError);
    expect(() => render({ targetPerReplica: 5, activationValue: 5 })).toThrow(/activationValue 5 must be ≥ 0 and below value 5/);
  });

  it("matches the snapshot", () => {
    expect(render().objs).toMatchSnapshot();
  });
});
