/**
 * The values.yaml keys of each pinned chart that the add-on releases set, read by hand from the
 * chart's own values.yaml at the pinned version (`source`). A values path the program sets must be
 * one of these keys or lie inside one whose value is a free-form map or list (labels, selectors,
 * rule lists): a typo, or a key the chart renamed or dropped, then fails a test instead of being
 * ignored by Helm. Moving a pin means re-reading the chart and updating `version` here, which the
 * tests hold equal to the pin.
 *
 * Paths are dotted; a segment containing a dot is quoted (`serverFiles."alerting_rules.yml"`).
 */
export interface ChartValuesKeys {
  readonly chart: string;
  /** The chart version the keys were read from. */
  readonly version: string;
  /** Where: repository, tag and file. */
  readonly source: string;
  readonly keys: readonly string[];
}

export const CHART_VALUES_KEYS: Readonly<Record<string, ChartValuesKeys>> = {
  keda: {
    chart: "keda",
    version: "2.18.3",
    source: "github.com/kedacore/charts tag v2.18.3, keda/values.yaml",
    keys: [
      "prometheus.operator.enabled",
      "prometheus.operator.serviceMonitor.enabled",
      "prometheus.operator.serviceMonitor.additionalLabels",
      "certificates.certManager.enabled",
      "certificates.certManager.issuer.generate",
      "certificates.certManager.issuer.group",
      "certificates.certManager.issuer.kind",
      "certificates.certManager.issuer.name",
    ],
  },
  "kube-prometheus-stack": {
    chart: "kube-prometheus-stack",
    version: "77.1.1",
    source:
      "github.com/prometheus-community/helm-charts tag kube-prometheus-stack-77.1.1, charts/kube-prometheus-stack/values.yaml; grafana.* below grafana.enabled from its dependency grafana 9.4.3 (github.com/grafana/helm-charts tag grafana-9.4.3, charts/grafana/values.yaml)",
    keys: [
      "fullnameOverride",
      "grafana.enabled",
      "grafana.admin.existingSecret",
      "grafana.admin.userKey",
      "grafana.admin.passwordKey",
      "grafana.sidecar.dashboards.enabled",
      "grafana.sidecar.dashboards.label",
      "grafana.sidecar.dashboards.labelValue",
      "grafana.sidecar.dashboards.searchNamespace",
      "grafana.sidecar.dashboards.folderAnnotation",
      "grafana.sidecar.dashboards.provider.foldersFromFilesStructure",
      "prometheus.service.port",
      "prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues",
      "prometheus.prometheusSpec.serviceMonitorSelector",
      "prometheus.prometheusSpec.serviceMonitorNamespaceSelector",
      "prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues",
      "prometheus.prometheusSpec.ruleSelector",
      "prometheus.prometheusSpec.ruleNamespaceSelector",
      "prometheus.prometheusSpec.additionalScrapeConfigs",
    ],
  },
  prometheus: {
    chart: "prometheus",
    version: "28.16.0",
    source: "github.com/prometheus-community/helm-charts tag prometheus-28.16.0, charts/prometheus/values.yaml",
    keys: [
      "server.fullnameOverride",
      "server.service.servicePort",
      "scrapeConfigs.kubernetes-pods.enabled",
      "extraScrapeConfigs",
      'serverFiles."recording_rules.yml"',
      'serverFiles."alerting_rules.yml"',
    ],
  },
  "prometheus-adapter": {
    chart: "prometheus-adapter",
    version: "5.3.0",
    source: "github.com/prometheus-community/helm-charts tag prometheus-adapter-5.3.0, charts/prometheus-adapter/values.yaml",
    keys: [
      "prometheus.url",
      "prometheus.port",
      "prometheus.path",
      "rules.default",
      "rules.custom",
      "rules.external",
      "certManager.enabled",
    ],
  },
  "cert-manager": {
    chart: "cert-manager",
    version: "v1.18.6",
    source:
      "github.com/cert-manager/cert-manager tag v1.18.6, deploy/charts/cert-manager/values.yaml (@pulumi/kubernetes-cert-manager passes its installCRDs input as the chart value installCRDs)",
    keys: ["installCRDs"],
  },
};

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `a.b."c.d"` for the segments a, b, c.d. */
export function valuesPath(segments: readonly string[]): string {
  return segments.map((s) => (s.includes(".") ? `"${s}"` : s)).join(".");
}

/** Every path to a non-map value (scalars, lists, empty maps) in Helm values. */
export function leafPaths(values: unknown, prefix: readonly string[] = []): string[] {
  if (!isMap(values) || (Object.keys(values).length === 0 && prefix.length > 0)) return [valuesPath(prefix)];
  return Object.entries(values).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
}

/** The paths in `values` that are neither a listed key nor inside one. */
export function unknownValuesPaths(values: unknown, keys: readonly string[]): string[] {
  return leafPaths(values).filter((p) => !keys.some((k) => p === k || p.startsWith(`${k}.`)));
}
