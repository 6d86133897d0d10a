/**
 * The three scaling modes as the stack renders them, for every environment; the stack-level error
 * path (SynthError lines naming env, resource and field); and the KEDA queries evaluated by
 * promtool against synthetic series.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { Chart } from "cdk8s";
import { CUSTOM_METRICS } from "../../promql/custom-metrics.js";
import { Hpa } from "../../constructs/hpa.js";
import { KedaScaledObject } from "../../constructs/keda-scaled-object.js";
import { DEFAULT_METRICS, durationSeconds } from "../../promql/metrics.js";
import { metricNames, returnsSingleSeries, selectors, syntaxErrors } from "../../promql/parse.js";
import { fallbackReplicas, latencyP95Query, queueLengthQuery } from "../../stacks/autoscaling.js";
import { autoscalerName, prometheusAddress } from "../../stacks/naming.js";
import { validateObjects } from "../../stacks/schema.js";
import type { EnvironmentStack } from "../../stacks/stack.js";
import { toYaml } from "../../stacks/synth.js";
import { SynthError } from "../../stacks/errors.js";
import { ConfigError } from "../../stacks/validate.js";
import { runScript, ROOT } from "../helpers/cli.js";
import { envConfig, envInput, firstService, stackFor } from "../helpers/env.js";
import { builtStack } from "../helpers/rendered.js";

const ENVS = ["dev", "staging", "prod"] as const;
const MODES = ["cpu-hpa", "slo-hpa", "keda"] as const;
type Mode = (typeof MODES)[number];

/**
 * The env switched to `mode` (switching to keda turns KEDA on too; an HPA mode keeps at least one
 * replica and drops dev's KEDA wake-up trigger, since an HPA cannot scale to zero).
 */
function build(env: string, mode: Mode, patch: Record<string, unknown> = {}): EnvironmentStack {
  const hpa =
    mode === "keda"
      ? {}
      : {
          minReplicas: Math.max(1, envConfig(env).scaling.minReplicas),
          wakeUp: undefined,
          ...(mode === "cpu-hpa" ? { burst: { enabled: false } } : {}),
        };
  const scaling = { ...hpa, ...((patch.scaling as object) ?? {}), mode };
  return stackFor(env, { ...patch, scaling, ...(mode === "keda" ? { cluster: { keda: true } } : {}) });
}

function autoscalingObjects(stack: EnvironmentStack): any[] {
  const chart = stack.charts.find((c) => c.node.id === "autoscaling");
  expect(chart, "chart autoscaling").toBeDefined();
  return chart!.toJson();
}

// Reviewed by hand against the issue: per env, what each mode must render.
const EXPECTED = {
  // dev scales to zero in its own mode (keda); the HPA modes keep one replica. inFlight: predictMaxConcurrency × uvicornWorkers × 70 %.
  dev: {
    namespace: "ml-serving-dev",
    job: "ml-serving-dev/inference",
    min: 1,
    kedaMin: 0,
    inFlight: "1400m",
    max: 2,
    fallback: 1,
    prometheus: "http://prometheus-server.monitoring.svc.cluster.local:80",
  },
  // staging tries the burst path: its peak metric at 2 × 2.8 and no scale-up stabilization.
  staging: {
    namespace: "ml-serving-staging",
    job: "inference",
    min: 2,
    kedaMin: 2,
    inFlight: "2800m",
    burst: "5600m",
    upWindow: 0,
    max: 8,
    fallback: 4,
    prometheus: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
  },
  prod: {
    namespace: "ml-serving-prod",
    job: "inference",
    min: 3,
    kedaMin: 3,
    inFlight: "5600m",
    max: 20,
    fallback: 10,
    prometheus: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
  },
} as const;

/** The env's behavior: the shared defaults, with staging's scale-up window of 0 for its burst trigger. */
const behaviorOf = (x: object) => ({
  ...BEHAVIOR,
  scaleUp: { ...BEHAVIOR.scaleUp, stabilizationWindowSeconds: "upWindow" in x ? x.upWindow : 60 },
});

const BEHAVIOR = {
  scaleUp: {
    stabilizationWindowSeconds: 60,
    selectPolicy: "Max",
    policies: [
      { type: "Pods", value: 2, periodSeconds: 30 },
      { type: "Percent", value: 50, periodSeconds: 30 },
    ],
  },
  scaleDown: {
    stabilizationWindowSeconds: 300,
    selectPolicy: "Min",
    policies: [
      { type: "Pods", value: 1, periodSeconds: 60 },
      { type: "Percent", value: 10, periodSeconds: 120 },
    ],
  },
};

function synthError(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SynthError);
    return [...(e as SynthError).lines];
  }
  throw new Error("expected a SynthError");
}

describe("scaling modes: each env through all three", () => {
  for (const env of ENVS) {
    for (const mode of MODES) {
      describe(`${env} / ${mode}`, () => {
        const stack = build(env, mode);
        const x = EXPECTED[env];
        const objs = autoscalingObjects(stack);

        it("renders exactly one autoscaler, named after the service, owning the Deployment", async () => {
          const kind = mode === "keda" ? "ScaledObject" : "HorizontalPodAutoscaler";
          expect(objs.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([`${kind}/${x.namespace}/inference`]);
          expect(objs[0].metadata.name).toBe(autoscalerName(stack.config));
          expect(objs[0].spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "inference" });
          expect(objs[0].metadata.labels["app.kubernetes.io/instance"]).toBe(`inference-${env}`);
          const deployment = stack.objects().find((o: any) => o.kind === "Deployment") as any;
          expect(deployment.spec).not.toHaveProperty("replicas");
          expect(stack.service.autoscaledBy).toBe(`${kind}/inference`);
          expect(await validateObjects(stack.objects())).toEqual([]);
        });

        if (mode === "cpu-hpa") {
          it("HPA v2 on CPU utilization 70 % with explicit behavior", () => {
            expect(objs[0].apiVersion).toBe("autoscaling/v2");
            expect(objs[0].spec).toEqual({
              scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "inference" },
              minReplicas: x.min,
              maxReplicas: x.max,
              metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
              behavior: behaviorOf(x),
            });
            expect(stack.autoscaler.hpaName).toBe("inference");
          });
        }

        if (mode === "slo-hpa") {
          it("HPA v2 on the adapter's per-pod p95 latency and in-flight, CPU 80 % backstop", () => {
            expect(objs[0].spec.metrics).toEqual([
              {
                type: "Pods",
                pods: { metric: { name: "inference_request_latency_p95_seconds" }, target: { type: "AverageValue", averageValue: "500m" } },
              },
              {
                type: "Pods",
                pods: { metric: { name: "inference_requests_in_flight" }, target: { type: "AverageValue", averageValue: x.inFlight } },
              },
              ...("burst" in x
                ? [
                    {
                      type: "Pods",
                      pods: {
                        metric: { name: "inference_requests_in_flight_burst" },
                        target: { type: "AverageValue", averageValue: x.burst },
                      },
                    },
                  ]
                : []),
              { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } },
            ]);
            // The names the HPA asks for are the names the adapter rules expose.
            expect(objs[0].spec.metrics.slice(0, 2).map((m: any) => m.pods.metric.name)).toEqual([
              CUSTOM_METRICS.podP95Latency,
              CUSTOM_METRICS.podInFlight,
            ]);
            expect(objs[0].spec.behavior).toEqual(behaviorOf(x));
            expect([objs[0].spec.minReplicas, objs[0].spec.maxReplicas]).toEqual([x.min, x.max]);
          });
        }

        if (mode === "keda") {
          it("ScaledObject: latency (Value) and queue (AverageValue) from Prometheus, cpu/memory guardrails, fallback, behavior", () => {
            const spec = objs[0].spec;
            expect(objs[0].apiVersion).toBe("keda.sh/v1alpha1");
            expect({ ...spec, triggers: undefined }).toEqual({
              scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "inference" },
              pollingInterval: 15,
              cooldownPeriod: 300,
              minReplicaCount: x.kedaMin,
              maxReplicaCount: x.max,
              fallback: { failureThreshold: 3, replicas: x.fallback },
              advanced: { horizontalPodAutoscalerConfig: { behavior: behaviorOf(x) } },
              triggers: undefined,
            });
            const byName = Object.fromEntries(spec.triggers.map((t: any) => [t.name, t]));
            // At minReplicas 0 the pods' own queries answer 0 when no target exists (stacks/scaling-signals.ts).
            const queue = `(sum (inference_queue_len{namespace="${x.namespace}",job="${x.job}"}) or on() (sum (up{namespace="${x.namespace}",job="${x.job}"}) * 0)) and on() (sum (up{namespace="${x.namespace}",job="${x.job}"}) > 0)`;
            // prod declares a business-hours pre-scaling window for the service: one cron trigger more.
            const cron = env === "prod" ? ["prescale-business-hours"] : [];
            // dev may sit at zero: the gateway's request counter wakes it.
            const wake = env === "dev" ? ["wake-up"] : [];
            const burst = "burst" in x ? ["concurrency-burst"] : [];
            expect(Object.keys(byName)).toEqual([
              "p95-latency",
              "queue-length",
              "cpu",
              "memory",
              ...cron,
              "concurrency",
              ...burst,
              ...wake,
            ]);
            expect({ ...byName["p95-latency"], metadata: { ...byName["p95-latency"].metadata, query: "(checked below)" } }).toEqual({
              type: "prometheus",
              name: "p95-latency",
              metricType: "Value",
              metadata: {
                serverAddress: x.prometheus,
                query: "(checked below)",
                threshold: "0.5",
                activationThreshold: "0.3",
                ignoreNullValues: "false",
              },
            });
            expect(byName["queue-length"]).toEqual({
              type: "prometheus",
              name: "queue-length",
              metricType: "AverageValue",
              metadata: {
                serverAddress: x.prometheus,
                query:
                  x.kedaMin === 0
                    ? `(${queue}) or on() (vector(0) unless on() count(up{namespace="${x.namespace}",job="${x.job}"}))`
                    : queue,
                threshold: "20",
                activationThreshold: "10",
                ignoreNullValues: "false",
              },
            });
            expect(byName.cpu).toEqual({
              type: "cpu",
              name: "cpu",
              metricType: "Utilization",
              metadata: { value: "85", containerName: "server" },
            });
            expect(byName.memory).toEqual({
              type: "memory",
              name: "memory",
              metricType: "Utilization",
              metadata: { value: "80", containerName: "server" },
            });
            expect(x.prometheus).toBe(prometheusAddress(stack.config));
          });

          it("every prometheus query parses, returns one series, reads only the contract's metrics scoped to this service", () => {
            // The wake-up trigger reads the gateway, outside the service (test/stacks/scaling-signals.test.ts).
            const queries = objs[0].spec.triggers
              .filter((t: any) => t.type === "prometheus" && t.name !== "wake-up")
              .map((t: any) => t.metadata.query);
            expect(queries).toHaveLength("burst" in x ? 4 : 3);
            const contract = new Set([
              "up",
              ...DEFAULT_METRICS.flatMap((m) =>
                m.type === "histogram" ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`] : [m.name],
              ),
            ]);
            for (const q of queries) {
              expect(syntaxErrors(q), q).toEqual([]);
              expect(returnsSingleSeries(q), q).toBe(true);
              // The contract's series, and the scrape's own `up` (the idle / lost-scrape guard).
              for (const name of metricNames(q)) expect(contract.has(name) || name === "up", name).toBe(true);
              for (const s of selectors(q)) {
                const m = Object.fromEntries(s.matchers.map((l) => [l.name, `${l.op}${l.value}`]));
                expect(m.namespace, q).toBe(`=${x.namespace}`);
                expect(m.job, q).toBe(`=${x.job}`);
                // rate windows hold ≥ 4 scrapes; the burst trigger's max_over_time peak ≥ 2 (stacks/scaling-signals.ts)
                const scrapes = q.includes("max_over_time") ? 2 : 4;
                if (s.rangeSeconds !== undefined)
                  expect(s.rangeSeconds).toBeGreaterThanOrEqual(scrapes * stack.config.monitoring.scrapeIntervalSeconds);
              }
            }
            const latency = selectors(queries[0]).filter((s) => s.metric !== "up");
            expect(latency.map((s) => s.metric)).toEqual(["http_request_duration_seconds_bucket", "http_request_duration_seconds_count"]);
            for (const s of latency) expect(s.matchers).toContainEqual({ name: "endpoint", op: "=", value: "/predict" });
          });

          it("KEDA's HPA keeps the name the stack's autoscaler announces (keda-hpa-<name>)", () => {
            const so = stack.charts.find((c) => c.node.id === "autoscaling")!.node.children[0] as KedaScaledObject;
            expect(so).toBeInstanceOf(KedaScaledObject);
            expect(so.hpaName).toBe(stack.autoscaler.hpaName);
            expect(stack.autoscaler.hpaName).toBe(`keda-hpa-${autoscalerName(stack.config)}`);
            expect(objs[0].spec.advanced.horizontalPodAutoscalerConfig).not.toHaveProperty("name");
          });
        }

        it("matches the reviewed snapshot", () => {
          expect(toYaml(objs)).toMatchSnapshot();
        });
      });
    }
  }

  it("the built-in envs all pick keda (dev to scale to zero)", () => {
    expect(ENVS.map((e) => [e, autoscalingObjects(stackFor(e))[0].kind])).toEqual([
      ["dev", "ScaledObject"],
      ["staging", "ScaledObject"],
      ["prod", "ScaledObject"],
    ]);
  });

  it("the prod latency query, spelled out", () => {
    const q = autoscalingObjects(builtStack("prod"))[0].spec.triggers[0].metadata.query;
    const sel = (suffix: string) =>
      `http_request_duration_seconds_${suffix}{namespace="ml-serving-prod",job="inference",endpoint="/predict"}`;
    const up = 'up{namespace="ml-serving-prod",job="inference"}';
    expect(q).toBe(
      `(histogram_quantile(0.95, sum by (le) (rate(${sel("bucket")}[2m]))) and on() (sum (rate(${sel("count")}[2m])) > 0) or on() (sum (${up}) * 0)) and on() (sum (${up}) > 0)`,
    );
  });
});

describe("scaling config reaches the rendered autoscaler", () => {
  it("behavior, thresholds and guardrails come from config", () => {
    const patch = {
      scaling: {
        behavior: {
          scaleUp: { pods: 4, percent: 100, periodSeconds: 15, stabilizationWindowSeconds: 0 },
          scaleDown: { stabilizationWindowSeconds: 600 },
        },
        keda: {
          p95Latency: { threshold: 0.75, activation: 0.5 },
          queueLength: { threshold: 8, activation: 2 },
          cpuUtilization: 90,
          memoryUtilization: 75,
          pollingInterval: 10,
          cooldownPeriod: 120,
          initialCooldownPeriod: 60,
        },
        concurrency: { utilization: 50 },
      },
    };
    const so = autoscalingObjects(build("prod", "keda", patch))[0].spec;
    expect(so.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp).toEqual({
      stabilizationWindowSeconds: 0,
      selectPolicy: "Max",
      policies: [
        { type: "Pods", value: 4, periodSeconds: 15 },
        { type: "Percent", value: 100, periodSeconds: 15 },
      ],
    });
    expect(so.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
    const metricTriggers = so.triggers.filter((t: any) => t.type !== "cron");
    expect(metricTriggers.map((t: any) => [t.metadata.threshold ?? t.metadata.value, t.metadata.activationThreshold])).toEqual([
      ["0.75", "0.5"],
      ["8", "2"],
      ["90", undefined],
      ["75", undefined],
      // 4 predictions × 2 workers × 50 %
      ["4", undefined],
    ]);
    expect([so.pollingInterval, so.cooldownPeriod, so.initialCooldownPeriod]).toEqual([10, 120, 60]);

    const hpa = autoscalingObjects(
      build("staging", "slo-hpa", { scaling: { sloHpa: { p95LatencySeconds: 0.35, inFlightPerPod: 6, cpuUtilization: 75 } } }),
    )[0].spec;
    // staging's burst path: the peak target is 2 × the explicit in-flight target.
    expect(hpa.metrics.map((m: any) => m.pods?.target.averageValue ?? m.resource.target.averageUtilization)).toEqual([
      "350m",
      "6",
      "12",
      75,
    ]);
    const cpu = autoscalingObjects(build("dev", "cpu-hpa", { scaling: { cpuHpa: { cpuUtilization: 60 } } }))[0].spec;
    expect(cpu.metrics[0].resource.target.averageUtilization).toBe(60);
  });

  it("fallback replicas default to max(minReplicas, ceil(maxReplicas / 2))", () => {
    const noFallbackReplicas = { scaling: { keda: { fallback: { replicas: undefined } } } };
    expect(autoscalingObjects(build("prod", "keda", noFallbackReplicas))[0].spec.fallback).toEqual({ failureThreshold: 3, replicas: 10 });
    expect(
      autoscalingObjects(
        build("prod", "keda", { scaling: { minReplicas: 12, keda: { fallback: { replicas: undefined } } }, prescaling: undefined }),
      )[0].spec.fallback.replicas,
    ).toBe(12);
    expect(
      autoscalingObjects(build("staging", "keda", { scaling: { maxReplicas: 9, keda: { fallback: { replicas: undefined } } } }))[0].spec
        .fallback.replicas,
    ).toBe(5);
    expect(fallbackReplicas(envConfig("prod").scaling)).toBe(10);
  });

  it("idleReplicaCount 0 with minReplicas ≥ 1 renders; scale-to-zero with minReplicas 0 keeps the prometheus triggers", () => {
    // Scaling to zero needs a signal from outside the pods (ZERO_WITHOUT_WAKEUP): dev's gateway counter.
    const wakeUp = firstService("dev").scaling?.wakeUp;
    const idle = autoscalingObjects(build("prod", "keda", { scaling: { wakeUp, keda: { idleReplicaCount: 0 } } }))[0].spec;
    expect(idle.idleReplicaCount).toBe(0);
    const zero = autoscalingObjects(
      build("staging", "keda", { scaling: { minReplicas: 0, wakeUp, keda: { fallback: { replicas: 4 } } } }),
    )[0].spec;
    expect(zero.minReplicaCount).toBe(0);
  });
});

describe("rules enforced at synth: errors name env, resource and field", () => {
  // One rule, one code: the config check refuses fallback replicas outside [minReplicas, maxReplicas]
  // at the field the user wrote, so the ScaledObject's own guard is never reached from a config.
  it("fallback replicas below minReplicas", () => {
    expect(synthError(() => build("prod", "keda", { scaling: { keda: { fallback: { replicas: 2 } } } }))).toEqual([
      'CONFIG_CONFLICT env "prod": EnvConfig prod: services[0].scaling.keda.fallback.replicas: service "inference": fallback replicas 2 is outside minReplicas 3 … maxReplicas 20 (the HPA would clamp it). Fix: hold a count between the bounds',
    ]);
  });

  it("fallback replicas above maxReplicas: the same code and field", () => {
    expect(synthError(() => build("prod", "keda", { scaling: { keda: { fallback: { replicas: 21 } } } }))).toEqual([
      'CONFIG_CONFLICT env "prod": EnvConfig prod: services[0].scaling.keda.fallback.replicas: service "inference": fallback replicas 21 is outside minReplicas 3 … maxReplicas 20 (the HPA would clamp it). Fix: hold a count between the bounds',
    ]);
  });

  it("idleReplicaCount other than 0 is a field rule: the schema refuses it before any object is built", () => {
    let thrown: unknown;
    try {
      build("prod", "keda", { scaling: { keda: { idleReplicaCount: 1 } } });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).not.toBeInstanceOf(SynthError);
    expect((thrown as ConfigError).message).toBe(
      'CONFIG_RANGE env "prod": services[0].scaling.keda.idleReplicaCount: service "inference": must be 0, not 1: KEDA supports only 0 (the HPA cannot hold another idle count). Fix: set it to 0 for scale to zero, or leave it out',
    );
    // 0 itself stays valid.
    expect(() =>
      build("prod", "keda", { scaling: { keda: { idleReplicaCount: 0 }, wakeUp: firstService("dev").scaling!.wakeUp } }),
    ).not.toThrow();
  });

  it("a service name that leaves no room for keda-hpa-", () => {
    const name = "inference-" + "x".repeat(45); // 55 characters: a valid Deployment name, too long for KEDA
    const lines = synthError(() => build("staging", "keda", { service: { name } }));
    expect(lines).toEqual([
      // the config check names the field before the ScaledObject construct refuses the name (its own invariant)
      `CONFIG_RANGE env "staging": EnvConfig staging: services[0].name: service "${name}": the name is 55 characters; KEDA scales the workload through an HPA named keda-hpa-<name>, which must fit 63, so at most 54 fit. Fix: shorten it to 54 characters or fewer`,
    ]);
    // The same name is fine for an HPA mode.
    expect(() => build("staging", "cpu-hpa", { service: { name } })).not.toThrow();
  });

  it("a trigger whose metric the service does not export: the config check names the contract field before any construct runs", () => {
    const metrics = DEFAULT_METRICS.filter((m) => m.name !== "inference_queue_len").map((m) => ({
      ...m,
      labels: [...m.labels],
      buckets: m.buckets ? [...m.buckets] : undefined,
    }));
    const lines = synthError(() => build("prod", "keda", { service: { metrics: { metrics } } }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^CONFIG_MISSING env "prod": EnvConfig prod: services\[0\]\.metrics\.metrics: service "inference": monitoring needs inference_queue_len, .* Fix: /,
    );
  });

  it("a second autoscaler on the Deployment", () => {
    const stack = build("prod", "keda");
    const chart = new Chart(stack.app, "extra");
    expect(
      () =>
        new Hpa(chart, "Hpa", {
          scaleTarget: { name: "inference", namespace: "ml-serving-prod", containers: [{ name: "server", requests: { cpu: "2" } }] },
          maxReplicas: 4,
          metrics: [{ type: "Resource", resource: "cpu", target: { type: "Utilization", averageUtilization: 70 } }],
        }),
    ).toThrow(
      /HorizontalPodAutoscaler ml-serving-prod\/inference: spec\.scaleTargetRef: Deployment ml-serving-prod\/inference is already scaled by ScaledObject\/inference/,
    );
  });

  it("`npm run synth` prints the line cleanly, exits 1 and leaves dist/ untouched", () => {
    const dir = mkdtempSync(join(tmpdir(), "autoscaling-"));
    const out = join(dir, "dist");
    cpSync(join(ROOT, "dist"), out, { recursive: true });
    const snapshot = () => listFiles(out).map((p) => [p, readFileSync(p, "utf8")]);
    const before = snapshot();
    const file = join(dir, "prod.json");
    writeFileSync(file, JSON.stringify(envInput("prod", { scaling: { keda: { fallback: { replicas: 2 } } } })));
    const r = runScript("scripts/synth.ts", ["--config", file, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'error: CONFIG_CONFLICT env "prod": EnvConfig prod: services[0].scaling.keda.fallback.replicas: service "inference": fallback replicas 2 is outside minReplicas 3 … maxReplicas 20 (the HPA would clamp it). Fix: hold a count between the bounds',
    );
    expect(snapshot()).toEqual(before);
    rmSync(dir, { recursive: true });
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((n) => (statSync(join(dir, n)).isDirectory() ? listFiles(join(dir, n)) : [join(dir, n)]))
    .sort();
}

/**
 * promtool evaluates the KEDA queries against synthetic series: the latency query answers the
 * p95 under traffic; 0 while the targets are up and nothing was served (series idle, or absent as
 * on a pod that has not served its first request); nothing when the scrape is lost (no `up`
 * series, or `up == 0` on every target), which KEDA counts as an error its fallback and alerts see.
 */
describe("KEDA queries evaluated by promtool", () => {
  function promtool(tests: unknown[]): { code: number | null; out: string } {
    const dir = mkdtempSync(join(tmpdir(), "promtool-"));
    const file = join(dir, "test.yaml");
    writeFileSync(file, stringify({ rule_files: [], evaluation_interval: "15s", tests }, { lineWidth: 0 }));
    const r = spawnSync("promtool", ["test", "rules", file], { encoding: "utf8" });
    rmSync(dir, { recursive: true });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  }

  it("latency p95 and queue length in prod", () => {
    const config = envConfig("prod");
    const stack = builtStack("prod");
    const latency = latencyP95Query(stack.promql, config);
    const queue = queueLengthQuery(stack.promql);
    const scope = 'namespace="ml-serving-prod",job="inference"';
    const bucket = (le: string, values: string, extra = "") => ({
      series: `http_request_duration_seconds_bucket{${scope},endpoint="/predict",le="${le}"${extra}}`,
      values,
    });
    const count = (values: string) => ({ series: `http_request_duration_seconds_count{${scope},endpoint="/predict"}`, values });
    const up = (pod: string, values: string) => ({ series: `up{${scope},pod="${pod}"}`, values });
    // Probe traffic a cold pod serves from its first second (prometheus_client creates these series).
    const probes = [
      { series: `http_request_duration_seconds_count{${scope},endpoint="/health"}`, values: "0+4x20" },
      { series: `http_request_duration_seconds_bucket{${scope},endpoint="/health",le="+Inf"}`, values: "0+4x20" },
    ];
    const both = (exp: number | undefined) => [
      { expr: latency, eval_time: "4m", exp_samples: exp === undefined ? [] : [{ labels: "{}", value: exp }] },
      { expr: queue, eval_time: "4m", exp_samples: exp === undefined ? [] : [{ labels: "{}", value: exp }] },
    ];
    const r = promtool([
      {
        // Per 15 s: 10 requests ≤ 0.1 s, 10 more ≤ 0.5 s. Rank 19 of 20 lies 9/10 into (0.1, 0.5]: p95 = 0.46.
        interval: "15s",
        input_series: [
          bucket("0.1", "0+10x20"),
          bucket("0.5", "0+20x20"),
          bucket("+Inf", "0+20x20"),
          count("0+20x20"),
          up("a", "1+0x20"),
          // Another namespace's series must not count.
          {
            series: 'http_request_duration_seconds_bucket{namespace="other",job="inference",endpoint="/predict",le="+Inf"}',
            values: "0+999x20",
          },
        ],
        // round(): promtool 2.42 compares floats exactly; rounding keeps empty empty and 0 at 0.
        promql_expr_test: [{ expr: `round(${latency}, 0.001)`, eval_time: "4m", exp_samples: [{ labels: "{}", value: 0.46 }] }],
      },
      {
        // Idle: series present, no requests in the window: 0, not NaN.
        interval: "15s",
        input_series: [
          bucket("0.1", "5+0x20"),
          bucket("0.5", "7+0x20"),
          bucket("+Inf", "7+0x20"),
          count("7+0x20"),
          up("a", "1+0x20"),
          up("b", "1+0x20"),
        ],
        promql_expr_test: [{ expr: latency, eval_time: "4m", exp_samples: [{ labels: "{}", value: 0 }] }],
      },
      {
        // Cold rollout: pods scraped (up 1), only probe traffic, no /predict or queue series yet: 0, not empty.
        interval: "15s",
        input_series: [up("a", "1+0x20"), up("b", "1+0x20"), ...probes],
        promql_expr_test: both(0),
      },
      {
        // One pod's scrape fails, the other is up and cold: still 0 (some target answers).
        interval: "15s",
        input_series: [up("a", "0+0x20"), up("b", "1+0x20"), ...probes],
        promql_expr_test: both(0),
      },
      {
        // Scrape lost, every target down: nothing, even though the rate window still holds traffic.
        interval: "15s",
        input_series: [
          bucket("0.1", "0+10x20"),
          bucket("+Inf", "0+20x20"),
          count("0+20x20"),
          up("a", "0+0x20"),
          up("b", "0+0x20"),
          { series: `inference_queue_len{${scope},pod="a",model="m"}`, values: "3+0x20" },
        ],
        promql_expr_test: both(undefined),
      },
      {
        // Scrape lost, no up series for this job at all (never scraped): nothing.
        interval: "15s",
        input_series: [{ series: 'up{namespace="ml-serving-prod",job="other"}', values: "1+0x20" }],
        promql_expr_test: both(undefined),
      },
      {
        // Queue: the sum over this service's pods only.
        interval: "15s",
        input_series: [
          up("a", "1+0x20"),
          { series: `inference_queue_len{${scope},pod="a",model="m"}`, values: "3+0x20" },
          { series: `inference_queue_len{${scope},pod="b",model="m"}`, values: "4+0x20" },
          { series: 'inference_queue_len{namespace="ml-serving-staging",job="inference",pod="c",model="m"}', values: "100+0x20" },
        ],
        promql_expr_test: [{ expr: queue, eval_time: "4m", exp_samples: [{ labels: "{}", value: 7 }] }],
      },
    ]);
    expect(r.code, r.out).toBe(0);
  });

  it("the window the queries use is the config's (≥ 4× scrape interval)", () => {
    for (const env of ENVS) {
      const c = envConfig(env);
      expect(durationSeconds(c.monitoring.queryWindow)).toBeGreaterThanOrEqual(4 * c.monitoring.scrapeIntervalSeconds);
      expect(latencyP95Query(builtStack(env).promql, c)).toContain(`[${c.monitoring.queryWindow}]`);
    }
  });
});
