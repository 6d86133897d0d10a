/**
 * A Celery-style queue worker: a restricted Deployment consuming a RabbitMQ queue, scaled by KEDA
 * on the queue's length. The broker connection string is a credential, so it exists only in a
 * Secret the construct references (never renders): the worker reads it through `secretKeyRef`,
 * KEDA through a TriggerAuthentication's `secretTargetRef`.
 */
import { InvariantError } from "../problems/problem.js";
import { k8s } from "cdk8s-plus-28";
import { Construct } from "constructs";
import type { ScalingBehavior } from "../scaling/autoscaler-common.js";
import type { ResourceSpec } from "./inference-service.js";
import { KedaScaledObject, type KedaFallback, type KedaScaledObjectProps, type KedaTrigger } from "./keda-scaled-object.js";
import { selectorLabels, standardLabels, type ServiceIdentity } from "../kube/labels.js";
import { TriggerAuthentication } from "./trigger-authentication.js";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../kube/pod-security.js";

/** Where the broker connection string (`amqp://user:password@host:5672/vhost`) is kept. */
export interface ConnectionSecretRef {
  /** Secret name. */
  readonly name: string;
  /** Key holding the connection string. */
  readonly key: string;
}

export interface QueueWorkerProps {
  readonly namespace: string;
  readonly identity: ServiceIdentity;
  /** Worker image with a tag or digest. */
  readonly image: string;
  /** Celery application (`celery -A <app>`), e.g. `tasks.app`. */
  readonly app: string;
  /** RabbitMQ queue the worker consumes and KEDA measures. */
  readonly queueName: string;
  readonly resources: ResourceSpec;
  /** Tasks each worker process runs at once (`--concurrency`). @default 4 */
  readonly concurrency?: number;
  /** The Secret with the connection string. @default `<name>-rabbitmq`, key `host` */
  readonly connectionSecret?: ConnectionSecretRef;
  /** @default 2 */
  readonly minReplicas?: number;
  /** @default 20 */
  readonly maxReplicas?: number;
  /** `QueueLength`: ready messages per replica; `MessageRate`: publish rate per replica. @default "QueueLength" */
  readonly mode?: "QueueLength" | "MessageRate";
  /** Per-replica target of `mode`. @default 20 */
  readonly targetPerReplica?: number;
  /** Above this the trigger is active (below `targetPerReplica`). @default 5 */
  readonly activationValue?: number;
  /** @default 15 */
  readonly pollingInterval?: number;
  /** @default 300 */
  readonly cooldownPeriod?: number;
  /** Replicas to hold while the RabbitMQ scaler fails. @default none */
  readonly fallback?: KedaFallback;
  /** HPA behavior KEDA copies. @default scale down one pod per minute after 5 minutes */
  readonly behavior?: ScalingBehavior;
  /** Further triggers, e.g. pre-scaling cron windows. @default [] */
  readonly extraTriggers?: readonly KedaTrigger[];
  /** Time to finish running tasks on SIGTERM (Celery warm shutdown). @default 300 */
  readonly terminationGracePeriodSeconds?: number;
  /** Extra plain environment variables (never credentials). @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

const CONTAINER = "worker";
/** Env var Celery reads the broker URL from. */
export const BROKER_URL_ENV = "CELERY_BROKER_URL";

export class QueueWorker extends Construct {
  readonly name: string;
  readonly namespace: string;
  readonly deployment: k8s.KubeDeployment;
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly triggerAuthentication: TriggerAuthentication;
  readonly scaledObject: KedaScaledObject;
  /** The Secret the worker and KEDA read; it must exist in the cluster, it is not rendered. */
  readonly connectionSecret: ConnectionSecretRef;

  constructor(scope: Construct, id: string, props: QueueWorkerProps) {
    super(scope, id);
    const { namespace, identity, concurrency = 4, terminationGracePeriodSeconds = 300, env = {} } = props;
    const name = identity.name;
    checkProps(`QueueWorker ${namespace}/${name}`, props, concurrency, env);
    this.name = name;
    this.namespace = namespace;
    this.connectionSecret = props.connectionSecret ?? { name: `${name}-rabbitmq`, key: "host" };
    const labels = { ...props.labels, ...standardLabels(identity) };
    const meta = { name, namespace, labels };
    const q = (v: string) => k8s.Quantity.fromString(v);

    this.serviceAccount = new k8s.KubeServiceAccount(this, "ServiceAccount", { metadata: meta, automountServiceAccountToken: false });

    this.deployment = new k8s.KubeDeployment(this, "Deployment", {
      metadata: meta,
      spec: {
        // No spec.replicas: KEDA owns the count from the start (its minimum).
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels(identity) },
        strategy: {
          type: "RollingUpdate",
          rollingUpdate: { maxSurge: k8s.IntOrString.fromString("25%"), maxUnavailable: k8s.IntOrString.fromNumber(0) },
        },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds,
            securityContext: restrictedPodSecurityContext(),
            containers: [workerContainer(props, this.connectionSecret, concurrency, env)],
            volumes: [{ name: "tmp", emptyDir: { sizeLimit: q("1Gi") } }],
          },
        },
      },
    });

    this.triggerAuthentication = new TriggerAuthentication(this, "TriggerAuthentication", {
      name: `${name}-rabbitmq`,
      namespace,
      labels,
      secretTargetRef: [{ parameter: "host", name: this.connectionSecret.name, key: this.connectionSecret.key }],
    });

    this.scaledObject = new KedaScaledObject(this, "ScaledObject", scaledObjectProps(props, labels, this.triggerAuthentication));
  }
}

/** What the constructor refuses: each message names the worker and what to write instead. */
function checkProps(where: string, props: QueueWorkerProps, concurrency: number, env: Readonly<Record<string, string>>): void {
  if (!/^[A-Za-z_][A-Za-z0-9_.:]*$/.test(props.app))
    throw new InvariantError(`${where}: app "${props.app}" must be a Python module path, e.g. tasks.app`);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InvariantError(`${where}: concurrency ${concurrency} must be a whole number ≥ 1`);
  if (!props.resources.requests.cpu || !props.resources.requests.memory)
    throw new InvariantError(`${where}: resources.requests.cpu and .memory are required`);
  if (BROKER_URL_ENV in env)
    throw new InvariantError(`${where}: env ${BROKER_URL_ENV} is a credential; it comes from the connection Secret, not a plain value`);
}

/** The celery worker container: broker URL from the connection Secret, probes by `celery inspect ping`. */
function workerContainer(
  props: QueueWorkerProps,
  connectionSecret: ConnectionSecretRef,
  concurrency: number,
  env: Readonly<Record<string, string>>,
): k8s.Container {
  const q = (v: string) => k8s.Quantity.fromString(v);
  // `celery inspect ping` asks this worker (celery@<pod name>) over the broker: it fails when the
  // worker is wedged or has lost the broker, which is what a restart can fix.
  const ping = {
    exec: { command: ["sh", "-c", `celery -A ${props.app} inspect ping --destination celery@$HOSTNAME --timeout 10`] },
    timeoutSeconds: 20,
  };
  const limits: Record<string, k8s.Quantity> = {};
  if (props.resources.limits?.cpu) limits.cpu = q(props.resources.limits.cpu);
  if (props.resources.limits?.memory) limits.memory = q(props.resources.limits.memory);
  const plainEnv = Object.keys(env)
    .sort()
    .map((k) => ({ name: k, value: env[k]! }));
  return {
    name: CONTAINER,
    image: props.image,
    imagePullPolicy: "IfNotPresent",
    command: ["celery"],
    args: [
      "-A",
      props.app,
      "worker",
      "--queues",
      props.queueName,
      "--concurrency",
      String(concurrency),
      "--loglevel",
      "INFO",
      "--without-gossip",
      "--without-mingle",
    ],
    env: [
      {
        name: BROKER_URL_ENV,
        valueFrom: { secretKeyRef: { name: connectionSecret.name, key: connectionSecret.key } },
      },
      ...plainEnv,
    ],
    resources: {
      requests: { cpu: q(props.resources.requests.cpu), memory: q(props.resources.requests.memory) },
      ...(Object.keys(limits).length ? { limits } : {}),
    },
    startupProbe: { ...ping, periodSeconds: 10, failureThreshold: 30 },
    readinessProbe: { ...ping, periodSeconds: 30, failureThreshold: 3 },
    livenessProbe: { ...ping, periodSeconds: 60, failureThreshold: 3 },
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
  };
}

/** The ScaledObject on the queue's length, through the TriggerAuthentication (never a plain connection string). */
function scaledObjectProps(
  props: QueueWorkerProps,
  labels: Readonly<Record<string, string>>,
  triggerAuthentication: TriggerAuthentication,
): KedaScaledObjectProps {
  return {
    scaleTarget: {
      name: props.identity.name,
      namespace: props.namespace,
      containers: [{ name: CONTAINER, requests: props.resources.requests }],
    },
    labels,
    pollingInterval: props.pollingInterval ?? 15,
    cooldownPeriod: props.cooldownPeriod ?? 300,
    minReplicaCount: props.minReplicas ?? 2,
    maxReplicaCount: props.maxReplicas ?? 20,
    ...(props.fallback ? { fallback: props.fallback } : {}),
    advanced: {
      horizontalPodAutoscalerConfig: {
        behavior: props.behavior ?? {
          scaleUp: {
            stabilizationWindowSeconds: 0,
            policies: [
              { type: "Pods", value: 4, periodSeconds: 30 },
              { type: "Percent", value: 100, periodSeconds: 30 },
            ],
          },
          // Removing a busy worker costs a warm shutdown: shrink slowly once the backlog is gone.
          scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] },
        },
      },
    },
    triggers: [
      {
        type: "rabbitmq",
        name: "queue",
        queueName: props.queueName,
        mode: props.mode ?? "QueueLength",
        value: props.targetPerReplica ?? 20,
        activationValue: props.activationValue ?? 5,
        protocol: "amqp",
        authenticationRef: triggerAuthentication,
      },
      ...(props.extraTriggers ?? []),
    ],
  };
}
