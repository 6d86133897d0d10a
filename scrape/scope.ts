/**
 * The `job` and `namespace` labels a scrape gives the service's series. Queries are scoped with
 * exactly these, so they can neither match another service nor miss their own.
 */
import type { ScrapeScope } from "../promql/metrics.js";

export type ScrapeMode = "service-monitor" | "pod-annotations";

/**
 * - `service-monitor`: the Prometheus Operator names the job after the Service (no `jobLabel`).
 * - `pod-annotations`: the rendered kubernetes_sd job is named `<namespace>/<service>`.
 */
export function scrapeScope(mode: ScrapeMode, namespace: string, serviceName: string): ScrapeScope {
  return { namespace, job: mode === "service-monitor" ? serviceName : `${namespace}/${serviceName}` };
}
