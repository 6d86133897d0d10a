/** Shared fixtures for the autoscaler construct tests: a chart, a target, a valid trigger set. */
import { Chart, Testing } from "cdk8s";
import { expect } from "vitest";
import { AutoscalerError, type ScaleTarget } from "../../scaling/autoscaler-common.js";
import type { KedaTrigger, PrometheusTrigger } from "../../constructs/keda-scaled-object.js";

export function chart(): Chart {
  return new Chart(Testing.app(), "test", { disableResourceNameHashes: true });
}

/** A Deployment with one container `server` requesting cpu and memory. */
export function target(overrides: Partial<ScaleTarget> = {}): ScaleTarget {
  return {
    name: "inference",
    namespace: "ml",
    containers: [{ name: "server", requests: { cpu: "1", memory: "2Gi" } }],
    ...overrides,
  };
}

import { PROM } from "../helpers/fixtures.js";
export { PROM };

export const P95_QUERY =
  'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="ml",job="inference",endpoint="/predict"}[2m])))';
export const QUEUE_QUERY = 'sum (inference_queue_len{namespace="ml",job="inference"})';

export function latencyTrigger(over: Partial<PrometheusTrigger> = {}): PrometheusTrigger {
  return {
    type: "prometheus",
    name: "p95-latency",
    serverAddress: PROM,
    query: P95_QUERY,
    signal: "quantile",
    metricType: "Value",
    threshold: 0.5,
    activationThreshold: 0.3,
    ...over,
  };
}

export function queueTrigger(over: Partial<PrometheusTrigger> = {}): PrometheusTrigger {
  return {
    type: "prometheus",
    name: "queue-length",
    serverAddress: PROM,
    query: QUEUE_QUERY,
    signal: "additive",
    metricType: "AverageValue",
    threshold: 20,
    activationThreshold: 10,
    ...over,
  };
}

export function triggers(): KedaTrigger[] {
  return [latencyTrigger(), queueTrigger(), { type: "cpu", name: "cpu", value: 85 }, { type: "memory", name: "memory", value: 80 }];
}

/** Runs `fn`, expects an AutoscalerError, returns its problem lines. */
export function problems(fn: () => unknown): string[] {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, "expected the construct to refuse its props").toBeInstanceOf(AutoscalerError);
  return (err as AutoscalerError).message.split("\n");
}
