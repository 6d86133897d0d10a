// SCALES_AFTER_ALERT's signal comparison where the quantile or the recording chain is unusual (issue 21's
// mutation survivors of stacks/checks/thresholds.ts: sameSignal's undefined quantiles, sumsOverPods' depth bound).
// A file of its own so that Stryker's incremental run keeps thresholds.test.ts's results.
import { describe, expect, it } from "vitest";
import { check, coherent, config, mutate, NS, prometheusRule, QUEUE, rule } from "./fixtures.js";

const SCOPE = `namespace="${NS}",job="inference"`;
const latencyTrigger = (threshold: string) =>
  mutate(coherent(), (get) => (get("ScaledObject").spec.triggers[0].metadata.threshold = threshold));
/** A p95 whose quantile is no literal: the check cannot tell which quantile it is. */
const ANY_QUANTILE = `histogram_quantile(scalar(vector(0.95)), sum by (le) (rate(http_request_duration_seconds_bucket{${SCOPE}}[5m])))`;

describe("SCALES_AFTER_ALERT: quantiles that are no literal, recordings that read themselves", () => {
  it("the alert's quantile is no literal: it could be the scaling one, so the trigger is held to it", () => {
    const objects = [...latencyTrigger("1"), prometheusRule([rule(`${ANY_QUANTILE} > 0.75`, "AnyQ")], "anyq")];
    // the config's alert is at 2: only the rendered 0.75 is below KEDA's threshold 1
    const run = check(objects, { config: config({ monitoring: { alerts: { p95LatencySeconds: 2 } } }) });
    expect(run.findings.map((f) => [f.code, f.path, f.message])).toEqual([
      [
        "SCALES_AFTER_ALERT",
        "spec.triggers[0].metadata.threshold",
        "trigger p95-latency threshold 1 is above the alert threshold 0.75 (alert AnyQ in PrometheusRule ml-t/anyq) for the same signal: the service pages before it scales",
      ],
    ]);
  });

  it("the trigger's quantile is no literal: it is held to the p95 alert", () => {
    const objects = mutate(latencyTrigger("2"), (get) => (get("ScaledObject").spec.triggers[0].metadata.query = ANY_QUANTILE));
    expect(check(objects).findings.map((f) => [f.code, f.path, f.message])).toEqual([
      [
        "SCALES_AFTER_ALERT",
        "spec.triggers[0].metadata.threshold",
        "trigger p95-latency threshold 2 is above the alert threshold 1 (monitoring.alerts.p95LatencySeconds) for the same signal: the service pages before it scales",
      ],
    ]);
  });

  it("an alert on a recording rule that reads itself: the per-pod test stops (no endless recursion)", () => {
    const loop = "job:inference_queue_len:loop";
    const objects = [
      ...mutate(coherent(), (get) => {
        get("ScaledObject").spec.minReplicaCount = 3;
        get("PrometheusRule", "inference-alerts").spec.groups[0].rules[2].expr = `${QUEUE} > 100`;
      }),
      prometheusRule(
        [
          rule(`inference_queue_len{${SCOPE}} + ${loop}{${SCOPE}}`, undefined, { record: loop }),
          rule(`${loop}{${SCOPE}} > 30`, "QueueLoop"),
        ],
        "loop",
      ),
    ];
    // not known to sum over the pods, so compared per pod (20 per pod is below 30: no error) and no
    // QUEUE_ALERT_BEFORE_SCALE (3 × 20 = 60 would be above a total of 30)
    expect(check(objects, { config: config({ monitoring: { alerts: { queueBacklog: 100 } } }) }).findings).toEqual([]);
  });
});
