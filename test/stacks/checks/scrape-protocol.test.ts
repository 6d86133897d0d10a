// The container port protocol a scrape job's relabeling sees (issue 21's mutation survivors of
// stacks/checks/scrape.ts: the protocol default). A file of its own so that Stryker's incremental run
// keeps scrape.test.ts's results.
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { CheckContext } from "../../../stacks/checks/context.js";
import { analyzeScrapes } from "../../../stacks/checks/scrape.js";
import { config, deployment, mutate, NS, promTrigger, scaledObject, service } from "./fixtures.js";

/** Valid scrapes of a kubernetes_sd pod job that keeps the service's metrics port of the given protocol. */
function scrapedWith(declared: string | undefined, kept: string): number {
  const job = {
    job_name: `${NS}/inference`,
    kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [NS] } }],
    relabel_configs: [
      { source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], regex: "inference", action: "keep" },
      {
        source_labels: ["__meta_kubernetes_pod_container_port_name", "__meta_kubernetes_pod_container_port_protocol"],
        regex: `metrics;${kept}`,
        action: "keep",
      },
      { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
    ],
  };
  const metricsPort = { name: "metrics", containerPort: 9090, ...(declared ? { protocol: declared } : {}) };
  const objects = mutate(
    [
      deployment(),
      service(),
      scaledObject({ triggers: [promTrigger(`sum(inference_queue_len{namespace="${NS}",job="${NS}/inference"})`)] }),
    ],
    (get) => (get("Deployment").spec.template.spec.containers[0].ports[1] = metricsPort),
  );
  const ctx = new CheckContext({
    config: config({ cluster: { prometheusOperator: false }, monitoring: { scrape: "pod-annotations" } }),
    objects,
    files: [{ path: "prometheus/scrape-config.yaml", content: stringify({ scrape_configs: [job] }) }],
  });
  return analyzeScrapes(ctx).valid.length;
}

describe("__meta_kubernetes_pod_container_port_protocol", () => {
  it("is TCP for a port that declares no protocol (Kubernetes' default)", () => {
    expect(scrapedWith(undefined, "TCP")).toBe(1);
  });

  it("is the declared protocol otherwise, not the default", () => {
    expect(scrapedWith("UDP", "TCP")).toBe(0);
    expect(scrapedWith("UDP", "UDP")).toBe(1);
    expect(scrapedWith("SCTP", "SCTP")).toBe(1);
  });
});
