/**
 * promtool on everything monitoring renders, per environment:
 * - `promtool check rules` on every rule file;
 * - `promtool test rules` on tests generated from the config (test/rules/generated.ts):
 *   every alert fires with exact labels and annotations and stays quiet when healthy, and every
 *   recording, adapter metricsQuery (filled for one pod and for all pods) and KEDA trigger query
 *   returns one series per the expectation, on input series carrying exactly the labels the
 *   environment's scrape stores;
 * - proofs that promtool catches what these tests are for: a broken alert expression, a rule
 *   matching the wrong label, a scrape that renames the service's `endpoint` label.
 *
 * promtool is never skipped: without it every test here fails with the install command.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { isAlertingRule } from "../../constructs/prometheus-rule.js";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { autoscalerName } from "../../stacks/naming.js";
import { ROOT } from "../helpers/cli.js";
import { envConfig, stackFor } from "../helpers/env.js";
import { generateServiceTests, generateTests, kedaTriggerQueries, stackOfService } from "./generated.js";
import { PROMTOOL_MISSING, promtool, promtoolAsync, requirePromtool, writeTemp, type PromtoolResult } from "../helpers/promtool.js";

function ruleFilesOf(env: string): Record<string, string> {
  return Object.fromEntries(
    stackFor(env)
      .extraFiles.filter((f) => f.path.startsWith("rules/"))
      .map((f) => [f.path, f.content()]),
  );
}

async function runGenerated(files: Record<string, string>, yaml: string): Promise<PromtoolResult> {
  const dir = writeTemp({ ...files, "test.yaml": yaml });
  return promtoolAsync(["test", "rules", "test.yaml"], dir);
}

describe("promtool is required", () => {
  it("is on PATH (npm test installs it or stops)", () => {
    expect(() => requirePromtool()).not.toThrow();
  });

  it("fails with the install command when it is missing, instead of skipping", () => {
    expect(() => requirePromtool("/nonexistent/promtool")).toThrow(PROMTOOL_MISSING);
    expect(PROMTOOL_MISSING).toBe("promtool missing: apt-get update && apt-get install -y prometheus");
  });
});

// Every environment's promtool runs start together (promtool is single-threaded), when the first
// test needs one (not in a hook: a run filtered to other tests, `-t`, starts none); each test
// awaits its own result.
type EnvRuns = { generated: Promise<PromtoolResult[]>; checked: Promise<PromtoolResult> };
let started: Map<string, EnvRuns> | undefined;
const runs = {
  get(env: string): EnvRuns | undefined {
    if (!started) {
      started = new Map();
      for (const e of ENV_NAMES) {
        // One generated test file per service, each on that service's rule files.
        const gs = generateServiceTests(stackFor(e));
        const dir = writeTemp(gs[0]!.ruleFiles);
        started.set(e, {
          generated: Promise.all(gs.map((g) => runGenerated(g.ruleFiles, g.yaml))),
          checked: promtoolAsync(["check", "rules", ...Object.keys(gs[0]!.ruleFiles).sort()], dir),
        });
      }
    }
    return started.get(env);
  },
};

describe.each(ENV_NAMES)("env %s", (env) => {
  it("promtool check rules passes on every rule file", async () => {
    const files = Object.keys(ruleFilesOf(env));
    expect(files.length).toBeGreaterThanOrEqual(8);
    const r = await runs.get(env)!.checked;
    expect(r.output, r.output).toMatch(/SUCCESS/);
    expect(r.code, r.output).toBe(0);
    expect(r.output.match(/SUCCESS/g)).toHaveLength(files.length);
  });

  it("the committed dist rule files pass promtool check rules too", () => {
    const dir = join(ROOT, "dist", env, "rules");
    const files = readdirSync(dir).filter((f) => f.endsWith(".yaml"));
    expect(files.sort()).toEqual(
      Object.keys(ruleFilesOf(env))
        .map((p) => p.slice("rules/".length))
        .sort(),
    );
    const r = promtool(["check", "rules", ...files], dir);
    expect(r.code, r.output).toBe(0);
  });

  it("generated tests cover every service's rule files, each file in one service's test", () => {
    const stack = stackFor(env);
    const gs = generateServiceTests(stack);
    expect(gs).toHaveLength(stack.services.length);
    const listed = gs.flatMap((g) => (parse(g.yaml) as { rule_files: string[] }).rule_files);
    expect([...listed].sort()).toEqual(Object.keys(ruleFilesOf(env)).sort());
    stack.services.forEach((m, i) => {
      const mine = (parse(gs[i]!.yaml) as { rule_files: string[] }).rule_files;
      for (const f of m.monitoring.ruleFiles) expect(mine, `${m.name}`).toContain(f.path);
    });
  });

  it.each([0, 1, 2, 3].filter((i) => i < stackFor(env).services.length))(
    "generated tests cover every alert of service #%i with a firing case",
    (i) => {
      const stack = stackOfService(stackFor(env), i);
      const g = generateTests(stack);
      const alerts = new Set(stack.monitoring.ruleFiles.flatMap((f) => f.group.rules.filter(isAlertingRule).map((r) => r.alert)));
      // The workloads beside the service: every alert of every workload group fires in its own test group.
      const workloadAlerts = stack.extras.alerts.flatMap((w) => w.alerts.map((a) => `${w.group.name}/${a.alert}`));
      const firing = new Set(
        g.groups.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)),
      );
      expect([...firing].sort()).toEqual(
        [...new Set([...alerts, ...stack.extras.alerts.flatMap((w) => w.alerts.map((a) => a.alert))])].sort(),
      );
      const workloadFiring = g.groups.flatMap((t) =>
        (t.alert_rule_test ?? [])
          .filter((a) => a.exp_alerts.length > 0)
          .map((a) => `${a.exp_alerts[0]!.exp_labels.workload}-alerts/${a.alertname}`),
      );
      for (const w of workloadAlerts) expect(workloadFiring, w).toContain(w);
      const quiet = new Set((g.groups[0]!.alert_rule_test ?? []).filter((a) => a.exp_alerts.length === 0).map((a) => a.alertname));
      expect([...quiet].sort()).toEqual([...alerts].sort());
      const exprs = g.groups[0]!.promql_expr_test ?? [];
      // 5 recordings, 2 adapter metrics × (one pod, all pods), external queue where KEDA is absent.
      const adapter = stack.monitoring.adapterRules;
      const keda = envConfig(env).scaling.mode === "keda" ? 2 + (kedaTriggerQueries(stack)?.length ?? 0) : 0;
      expect(exprs).toHaveLength(5 + 2 * adapter.custom.length + adapter.external.length + keda);
    },
  );

  // Every environment's promtool run started together (runs.get) on a shared machine: the first
  // one awaited may wait for all of them.
  it("promtool test rules: alerts fire with exact labels and annotations, stay quiet when healthy; every query returns its series", async () => {
    const rs = await runs.get(env)!.generated;
    expect(rs).toHaveLength(stackFor(env).services.length);
    for (const r of rs) {
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/SUCCESS/);
    }
  }, 240_000);
});

describe.each(ENV_NAMES.filter((e) => envConfig(e).scaling.mode === "keda"))("env %s (mode keda)", (env) => {
  it("the KEDA trigger queries are read from the rendered ScaledObject (and tested above)", () => {
    const stack = stackFor(env);
    const queries = kedaTriggerQueries(stack);
    expect(queries, `ScaledObject ${envConfig(env).namespace}/${autoscalerName(envConfig(env))} is not rendered`).toBeDefined();
    expect(queries!.length).toBeGreaterThan(0);
    const exprs = generateTests(stack).groups[0]!.promql_expr_test!.map((t) => t.expr);
    for (const q of queries!) expect(exprs).toContain(q);
  });
});

describe("KEDA with the plain prometheus chart (no operator)", () => {
  it("KedaUnhealthy fires on KEDA's series as that chart's kubernetes-service-endpoints job stores them", async () => {
    // The KEDA release annotates its operator Service for that job (infra/cluster-addons.ts).
    const stack = stackFor("staging", { cluster: { prometheusOperator: false }, monitoring: { scrape: "pod-annotations" } });
    const g = generateTests(stack, { only: /KedaUnhealthy/ });
    expect(g.yaml).toContain("InferenceKedaUnhealthy");
    expect(g.yaml).toContain('job="kubernetes-service-endpoints"');
    const r = await runGenerated(g.ruleFiles, g.yaml);
    expect(r.code, r.output).toBe(0);
  });
});

describe("promtool catches broken rules", () => {
  const env = "prod";

  it("a syntactically broken alert expression fails promtool check rules", async () => {
    const files = ruleFilesOf(env);
    const alerts = files["rules/inference-alerts.yaml"]!;
    const broken = alerts.replace(
      'job:http_request_errors:ratio_rate2m{namespace="ml-serving-prod",job="inference"} > 0.01',
      "job:http_request_errors:ratio_rate2m{namespace= > 0.01",
    );
    expect(broken).not.toBe(alerts);
    const dir = writeTemp({ "rules/inference-alerts.yaml": broken });
    const r = await promtoolAsync(["check", "rules", "rules/inference-alerts.yaml"], dir);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/inference-alerts\.yaml/);
    expect(r.output).toMatch(/parse error|unexpected/i);
  });

  it("an alert expression with the wrong threshold fails the generated promtool tests", async () => {
    const g = generateTests(stackFor(env), {
      only: /HighErrorRate/,
      mutateRules: (path, c) =>
        path === "rules/inference-alerts.yaml" ? c.replace('job="inference"} > 0.01', 'job="inference"} > 0.5') : c,
    });
    expect(g.ruleFiles["rules/inference-alerts.yaml"]).toContain("> 0.5");
    const r = await runGenerated(g.ruleFiles, g.yaml);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/alertname: InferenceHighErrorRate/);
  });

  it("a broken alert of a further service (models: embedding) fails that service's generated tests", async () => {
    const mutateRules = (path: string, c: string) =>
      path === "rules/embedding-alerts.yaml" ? c.replace('job="embedding"} > 0.2', 'job="embedding"} > 5') : c;
    const gs = generateServiceTests(stackFor("models"), { only: /HighLatency/, mutateRules });
    expect(gs.map((g) => g.ruleFiles["rules/embedding-alerts.yaml"]!.includes("> 5"))).toEqual([true, true]);
    const [text, embedding] = await Promise.all(gs.map((g) => runGenerated(g.ruleFiles, g.yaml)));
    expect(text!.code, text!.output).toBe(0);
    expect(embedding!.code).not.toBe(0);
    expect(embedding!.output).toMatch(/alertname: InferenceHighLatency/);
  });

  it("a recording that matches the wrong endpoint fails the generated promtool tests", async () => {
    const g = generateTests(stackFor(env), {
      only: /HighErrorRate/,
      mutateRules: (path, c) =>
        path === "rules/inference-recording.yaml" ? c.replace(/(http_request_errors_total\{[^}]*endpoint=)"\/predict"/, '$1"/predikt"') : c,
    });
    expect(g.ruleFiles["rules/inference-recording.yaml"]).toContain("/predikt");
    const r = await runGenerated(g.ruleFiles, g.yaml);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/job:http_request_errors:ratio_rate2m/);
    expect(r.output).toMatch(/alertname: InferenceHighErrorRate/);
  });

  it("a scrape that renames endpoint to exported_endpoint (no relabeling) fails the adapter and KEDA query tests", async () => {
    const stack = stackFor(env);
    const real = stack.monitoring.scrape;
    const naive = { job: real.job, behavior: { honorLabels: false, metricRelabel: [] }, targetLabels: real.targetLabels.bind(real) };
    const g = generateTests(stack, { scrape: naive, only: /^$/ });
    expect(g.yaml).toContain('exported_endpoint="/predict"');
    const r = await runGenerated(g.ruleFiles, g.yaml);
    expect(r.code).not.toBe(0);
    // promtool names each failing query: the adapter's per-pod ones and the KEDA latency trigger.
    // With the targets up they answer the idle value 0 instead of the load: still a failure.
    expect(r.output).toMatch(/expr: "\(sum by \(pod\) \(http_requests_in_flight\{/);
    expect(r.output).toMatch(/expr: "\(histogram_quantile\(0\.95, sum by \(le, pod\)/);
    expect(r.output).toMatch(/expr: "\(histogram_quantile\(0\.95, sum by \(le\) \(rate/);
  });
});
