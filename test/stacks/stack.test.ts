/**
 * The stack holds each concern's typed result (its autoscaler, its monitoring, its extras, the
 * add-on values) instead of a bag the concerns write into: these are what the simulator, infra/
 * and the checks read, so each is held equal to what synth renders.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { Hpa } from "../../constructs/hpa.js";
import { KedaScaledObject } from "../../constructs/keda-scaled-object.js";
import { ADDON_CHART, valuesByChart } from "../../stacks/addon-values.js";
import { AutoscalingChart } from "../../stacks/autoscaling.js";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { MonitoringChart } from "../../stacks/monitoring.js";
import { ROOT } from "../helpers/cli.js";
import { buildStack } from "../../stacks/stack.js";
import { parseEnvConfig } from "../../stacks/validate.js";
import { inputForMode } from "../../simulator/simulate.js";
import { envInput, stackFor } from "../helpers/env.js";

const MODES = ["cpu-hpa", "slo-hpa", "keda"] as const;

const distDocs = (env: string, file: string): any[] =>
  parseAllDocuments(readFileSync(join(ROOT, "dist", env, file), "utf8")).map((d) => d.toJS());

describe("stack.autoscaler", () => {
  for (const env of ENV_NAMES) {
    it(`${env}: the one object in dist/${env}/autoscaling.yaml, with the HPA that runs for it`, () => {
      const stack = stackFor(env);
      const a = stack.autoscaler;
      expect(distDocs(env, "autoscaling.yaml")).toEqual([a.manifest()]);
      expect(a.name).toBe(stack.config.service.name);
      expect(a.namespace).toBe(stack.config.namespace);
      expect(stack.autoscaling).toBeInstanceOf(AutoscalingChart);
      expect(stack.autoscaling.autoscaler).toBe(a);
      if (a.kind === "ScaledObject") {
        expect(a.construct).toBeInstanceOf(KedaScaledObject);
        expect(a.hpaName).toBe(`keda-hpa-${a.name}`);
      } else {
        expect(a.construct).toBeInstanceOf(Hpa);
        expect(a.hpaName).toBe(a.name);
      }
    });
  }

  for (const mode of MODES) {
    it(`mode ${mode}: kind, name and hpaName in every env`, () => {
      for (const env of ENV_NAMES) {
        const { kind, name, hpaName, manifest } = buildStack(parseEnvConfig(inputForMode(envInput(env), mode).input, env)).autoscaler;
        expect([kind, name, hpaName], env).toEqual(
          mode === "keda" ? ["ScaledObject", "inference", "keda-hpa-inference"] : ["HorizontalPodAutoscaler", "inference", "inference"],
        );
        expect((manifest() as any).metadata.name, env).toBe(name);
      }
    });
  }

  it("is the HPA the monitoring alerts and the service's dashboard watch", () => {
    const stack = stackFor("prod");
    expect(stack.monitoring.alerts.alerts.map((r) => r.expr).join("\n")).toContain(`horizontalpodautoscaler="${stack.autoscaler.hpaName}"`);
    const dashboards = stack.extras.charts.find((c) => c.node.id === "dashboards")!;
    const json = dashboards
      .toJson()
      .map((cm) => Object.values(cm.data).join("\n"))
      .join("\n");
    expect(json).toContain(`horizontalpodautoscaler=\\"${stack.autoscaler.hpaName}\\"`);
  });
});

describe("stack.monitoring and stack.extras", () => {
  it("charts in apply order: workload, autoscaling, monitoring, the extras' sections, network policies", () => {
    const prod = stackFor("prod");
    expect(prod.charts.map((c) => c.node.id)).toEqual([
      "workload",
      "autoscaling",
      "monitoring",
      "orchestrator",
      "queue-workers",
      "dashboards",
      "network-policy",
    ]);
    expect(prod.charts.slice(3, 6)).toEqual(prod.extras.charts);
    expect(prod.charts[6]).toBe(prod.networkPolicies!.chart);
    expect(stackFor("dev", { networkPolicy: { enabled: false } }).networkPolicies).toBeUndefined();
  });

  it("holds the scrape wiring the config asks for, and the rule files synth writes", () => {
    for (const env of ENV_NAMES) {
      const stack = stackFor(env);
      const m = stack.monitoring;
      expect(m).toBeInstanceOf(MonitoringChart);
      expect(m.node.id).toBe("monitoring");
      if (stack.config.monitoring.scrape === "service-monitor") {
        expect([m.scrape, m.scrapeJob], env).toEqual([m.serviceMonitor, undefined]);
      } else {
        expect([m.scrape, m.serviceMonitor], env).toEqual([m.scrapeJob, undefined]);
      }
      const ruleFiles = [...stack.services.flatMap((s) => s.monitoring.ruleFiles), ...stack.extras.ruleFiles].map((f) => f.path);
      expect(
        stack.extraFiles.map((f) => f.path).filter((p) => p.startsWith("rules/")),
        env,
      ).toEqual(ruleFiles);
      expect(m.prometheusRules.length, env).toBe(stack.config.cluster.prometheusOperator ? m.ruleFiles.length : 0);
    }
  });

  it("the queue workers' Secrets are the stack's required Secrets", () => {
    const prod = stackFor("prod");
    expect(prod.requiredSecrets).toEqual(prod.extras.requiredSecrets);
    expect(prod.requiredSecrets.map((s) => s.name).length).toBeGreaterThan(0);
  });
});

describe("stack.addonValues", () => {
  it("prometheus-adapter: the generated rules and the env's Prometheus, for every env", () => {
    for (const env of ENV_NAMES) {
      const stack = stackFor(env);
      const adapter = stack.addonValues.prometheusAdapter!;
      expect(adapter.rules, env).toEqual({
        default: false,
        custom: stack.monitoring.adapterRules.custom,
        external: stack.monitoring.adapterRules.external,
      });
      expect(adapter.prometheus.url, env).toMatch(/^https?:\/\/[^/:]+$/);
    }
  });

  it("plain Prometheus loads every rule group from serverFiles, the extras' alert groups too", () => {
    const stack = stackFor("prod", {
      orchestrator: undefined,
      prescaling: undefined,
      cluster: { prometheusOperator: false },
      monitoring: { scrape: "pod-annotations" },
    });
    const values = stack.addonValues.prometheus!;
    const names = (file: "recording_rules.yml" | "alerting_rules.yml") => values.serverFiles[file].groups.map((g) => g["name"]);
    expect(stack.extras.alerts.length).toBeGreaterThan(0);
    expect(names("alerting_rules.yml")).toEqual(expect.arrayContaining(stack.extras.alerts.map((a) => a.group.name)));
    expect(names("recording_rules.yml")).toContain(stack.monitoring.recordings.group.name);
    expect(values.extraScrapeConfigs).toContain(`job_name: ${stack.promql.scope.job}`);
    expect(stack.addonValues.kubePrometheusStack).toBeUndefined();
  });

  it("the operator's Prometheus gets the pod-annotation job as additionalScrapeConfigs, and no plain-chart values", () => {
    const stack = stackFor("prod", { orchestrator: undefined, prescaling: undefined, monitoring: { scrape: "pod-annotations" } });
    expect(stack.addonValues.prometheus).toBeUndefined();
    expect(stack.addonValues.kubePrometheusStack!.prometheus.prometheusSpec.additionalScrapeConfigs).toEqual([
      stack.monitoring.scrapeJob!.config,
    ]);
    expect(stackFor("prod").addonValues.kubePrometheusStack).toBeUndefined();
  });

  it("by chart name for the checks: the same values under each add-on's chart", () => {
    const stack = stackFor("dev");
    expect(stack.helmValues).toEqual(valuesByChart(stack.addonValues));
    expect(Object.keys(stack.helmValues)).toEqual([ADDON_CHART.prometheus, ADDON_CHART.prometheusAdapter]);
    expect(stack.helmValues["prometheus-adapter"]).toBe(stack.addonValues.prometheusAdapter);
  });
});

describe("one ServiceMonitor builder", () => {
  it("monitoring.selectorLabels win over a standard label of the same name, on every ServiceMonitor and PrometheusRule", () => {
    const selector = { "app.kubernetes.io/part-of": "selected-by-prometheus" };
    const stack = stackFor("prod", { monitoring: { selectorLabels: selector } });
    const labelled = stack.objects().filter((o: any) => ["ServiceMonitor", "PrometheusRule"].includes(o.kind)) as any[];
    // The service's, the orchestrator's, and the workloads' rule groups.
    expect(labelled.filter((o) => o.kind === "ServiceMonitor").map((o) => o.metadata.name)).toEqual(["inference", "orchestrator"]);
    for (const o of labelled) expect(o.metadata.labels, `${o.kind} ${o.metadata.name}`).toMatchObject(selector);
  });
});

describe("no import circle between the stack and its concerns", () => {
  const importsOf = (file: string): string[] =>
    [...readFileSync(file, "utf8").matchAll(/^(?:import|export)[^;]*?from "(\.[^"]+)\.js";/gm)].map((m) =>
      resolve(dirname(file), `${m[1]}.ts`),
    );
  const closure = (file: string): Set<string> => {
    const seen = new Set<string>();
    const walk = (f: string) => {
      for (const dep of importsOf(f)) {
        if (seen.has(dep)) continue;
        seen.add(dep);
        walk(dep);
      }
    };
    walk(file);
    return seen;
  };

  it("no module the stack composes reaches stacks/stack.ts", () => {
    const stackFile = join(ROOT, "stacks/stack.ts");
    const composed = importsOf(stackFile).filter((f) => f.startsWith(join(ROOT, "stacks")));
    expect(composed.map((f) => f.slice(ROOT.length + 1))).toEqual(
      expect.arrayContaining(["stacks/autoscaling.ts", "stacks/monitoring.ts", "stacks/extras.ts", "stacks/network-policy.ts"]),
    );
    for (const f of composed) expect([...closure(f)], f).not.toContain(stackFile);
  });
});
