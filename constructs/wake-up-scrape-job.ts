/**
 * The scrape of the external wake-up source (`scaling.wakeUp.source`, what wakes a service scaled to zero): a plain
 * `kubernetes_sd_configs` pod-role job named exactly as the source's `job`, limited to the
 * source's namespace, keeping the pods that opt in with `prometheus.io/scrape: "true"` (and carry
 * the optional pod labels), scraping the port and path their `prometheus.io/port` /
 * `prometheus.io/path` annotations name (the convention k3s's Traefik, ingress-nginx and most
 * gateway charts follow). Its target labels are `job` (the job name), `namespace` and `pod`: the
 * labels the wake-up query selects on. Without it a wake-up query answers nothing and a service
 * scaled to zero never wakes (or, with KEDA's fallback, never stays at zero).
 */
import { Construct } from "constructs";
import { checkedScrapeInterval, podRoleScrapeConfig } from "./scrape-config.js";
import { podAnnotationMeta, podLabelMeta, regexEscape, type RelabelRule } from "../scrape/relabeling.js";

export interface WakeUpScrapeJobProps {
  /** The `job` label the wake-up query selects (the job's name). */
  readonly job: string;
  /** Namespace of the source's pods (the `namespace` label). */
  readonly namespace: string;
  /** Pod labels the source's pods carry (all must match). @default {} (every annotated pod of the namespace) */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** @default 15 */
  readonly intervalSeconds?: number;
}

export class WakeUpScrapeJob extends Construct {
  readonly job: string;
  readonly relabelRules: readonly RelabelRule[];
  /** The `scrape_configs` entry. */
  readonly config: Readonly<Record<string, unknown>>;

  constructor(scope: Construct, id: string, props: WakeUpScrapeJobProps) {
    super(scope, id);
    const intervalSeconds = checkedScrapeInterval(`wake-up scrape job "${props.job}"`, props.intervalSeconds);
    this.job = props.job;
    const selector = Object.entries(props.podLabels ?? {}).sort(([a], [b]) => a.localeCompare(b));
    this.relabelRules = [
      ...(selector.length
        ? [
            {
              sourceLabels: selector.map(([k]) => podLabelMeta(k)),
              regex: selector.map(([, v]) => regexEscape(v)).join(";"),
              action: "keep" as const,
            },
          ]
        : []),
      { sourceLabels: [podAnnotationMeta("prometheus.io/scrape")], regex: "true", action: "keep" },
      // Running pods only (a completed or pending pod has no endpoint to scrape).
      { sourceLabels: ["__meta_kubernetes_pod_phase"], regex: "Pending|Succeeded|Failed|Completed", action: "drop" },
      { sourceLabels: [podAnnotationMeta("prometheus.io/path")], regex: "(.+)", targetLabel: "__metrics_path__", action: "replace" },
      // The annotated port on the pod's IP (every container port of the pod collapses onto it).
      {
        sourceLabels: ["__address__", podAnnotationMeta("prometheus.io/port")],
        regex: "(.+?)(?::\\d+)?;(\\d+)",
        replacement: "$1:$2",
        targetLabel: "__address__",
        action: "replace",
      },
      { sourceLabels: ["__meta_kubernetes_namespace"], targetLabel: "namespace", action: "replace" },
      { sourceLabels: ["__meta_kubernetes_pod_name"], targetLabel: "pod", action: "replace" },
    ];
    this.config = podRoleScrapeConfig(this.job, props.namespace, intervalSeconds, this.relabelRules);
  }
}
