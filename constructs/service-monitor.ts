/**
 * A ServiceMonitor (monitoring.coreos.com/v1) for the inference Service's named metrics port, for
 * clusters with the Prometheus Operator. It is also the {@link ScrapeModel} of that scrape: the
 * labels the operator's generated job gives each target, and how samples are stored.
 *
 * Label collisions: the operator's job adds an `endpoint` target label (the port name), and the
 * service exports its own `endpoint` label (the HTTP path). Without help Prometheus keeps the
 * target's (`endpoint="metrics"`) and renames the service's to `exported_endpoint`, and every
 * query matching `endpoint="/predict"` silently returns nothing. `honorLabels: true` would fix
 * that but also let a pod overwrite `namespace`, `job` and `pod` (and so feed another namespace's
 * HPA through the adapter). Instead two metric relabelings move the service's value back to
 * `endpoint` for the series that carry one; `job`, `namespace` and `pod` stay authoritative.
 */
import { InvariantError } from "../problems/problem.js";
import { ApiObject } from "cdk8s";
import { Construct } from "constructs";
import type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { formatDuration } from "../promql/metrics.js";
import {
  regexEscape,
  type PodTarget,
  type RelabelRule,
  type ScrapeBehavior,
  type ScrapeModel,
  toOperatorRelabelings,
} from "../scrape/relabeling.js";

/** The spec type of the pinned prometheus-operator models (4.x, Node 20 compatible). */
type IServiceMonitorSpec = IServiceMonitor["spec"];

/** Target labels the operator's generated job sets on every target of a Service endpoint. */
export const OPERATOR_TARGET_LABELS = ["job", "namespace", "service", "pod", "container", "endpoint", "instance"] as const;

/** Target labels the service may not override: queries and the adapter scope on them. */
const AUTHORITATIVE = new Set(["job", "namespace", "pod"]);

export interface ServiceMonitorProps {
  /** ServiceMonitor name; also the scraped Service's name (the operator names the job after it). */
  readonly serviceName: string;
  readonly namespace: string;
  /** Labels on the ServiceMonitor: the Prometheus' `serviceMonitorSelector` must match them. */
  readonly labels: Readonly<Record<string, string>>;
  /** Labels of the Service to scrape (its `metadata.labels` must contain all of them). */
  readonly serviceSelector: Readonly<Record<string, string>>;
  /** Name of the Service (and container) port serving metrics. */
  readonly portName: string;
  /** Container port number behind `portName` (used for the `instance` label). */
  readonly port: number;
  /** @default "/metrics" */
  readonly path?: string;
  /** Seconds between scrapes. @default 15 */
  readonly intervalSeconds?: number;
  /**
   * Label names the service's metrics carry (the contract's); those that collide with operator
   * target labels other than job/namespace/pod are restored from `exported_<name>`.
   * @default []
   */
  readonly exposedLabels?: readonly string[];
}

export class ServiceMonitor extends Construct implements ScrapeModel {
  readonly job: string;
  readonly namespace: string;
  readonly behavior: ScrapeBehavior;
  readonly apiObject: ApiObject;
  private readonly props: ServiceMonitorProps;

  constructor(scope: Construct, id: string, props: ServiceMonitorProps) {
    super(scope, id);
    const intervalSeconds = props.intervalSeconds ?? 15;
    if (!Number.isInteger(intervalSeconds) || intervalSeconds < 1) {
      throw new InvariantError(
        `ServiceMonitor ${props.namespace}/${props.serviceName}: interval ${intervalSeconds}s must be a whole number of seconds ≥ 1`,
      );
    }
    if (Object.keys(props.serviceSelector).length === 0) {
      throw new InvariantError(
        `ServiceMonitor ${props.namespace}/${props.serviceName}: an empty service selector would scrape every Service in the namespace`,
      );
    }
    this.props = props;
    this.job = props.serviceName;
    this.namespace = props.namespace;

    const restored = [...new Set(props.exposedLabels ?? [])]
      .filter((l) => (OPERATOR_TARGET_LABELS as readonly string[]).includes(l) && !AUTHORITATIVE.has(l))
      .sort();
    const metricRelabel: RelabelRule[] = restored.length
      ? [
          ...restored.map((l) => ({
            sourceLabels: [`exported_${l}`],
            regex: "(.+)",
            targetLabel: l,
            replacement: "$1",
            action: "replace" as const,
          })),
          { regex: `exported_(${restored.map(regexEscape).join("|")})`, action: "labeldrop" as const },
        ]
      : [];
    this.behavior = { honorLabels: false, metricRelabel };

    const spec: IServiceMonitorSpec = {
      selector: { matchLabels: { ...props.serviceSelector } },
      namespaceSelector: { matchNames: [props.namespace] },
      endpoints: [
        {
          port: props.portName,
          path: props.path ?? "/metrics",
          scheme: "http",
          interval: formatDuration(intervalSeconds),
          // Prometheus rejects a timeout longer than the interval (default timeout 10s).
          scrapeTimeout: formatDuration(Math.min(intervalSeconds, 10)),
          honorLabels: false,
          ...(metricRelabel.length ? { metricRelabelings: toOperatorRelabelings(metricRelabel) } : {}),
        },
      ],
    };
    this.apiObject = new ApiObject(this, "Resource", {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: props.serviceName, namespace: props.namespace, labels: { ...props.labels } },
      spec,
    });
  }

  /**
   * Target labels the operator's job gives `pod` (job named after the Service, no `jobLabel`),
   * or undefined when the Service does not select it or it has no such port.
   */
  targetLabels(pod: PodTarget): Record<string, string> | undefined {
    const { serviceSelector, namespace, portName, serviceName } = this.props;
    const selected = Object.entries(serviceSelector).every(([k, v]) => pod.labels[k] === v);
    if (!selected || pod.namespace !== namespace || pod.port.name !== portName) return undefined;
    return {
      job: serviceName,
      namespace,
      service: serviceName,
      pod: pod.name,
      container: pod.containerName,
      endpoint: portName,
      instance: `${pod.ip}:${pod.port.number}`,
    };
  }
}
