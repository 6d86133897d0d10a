/**
 * Validation of a case read from JSON: the autoscaling/v2 API validation the API server would apply to
 * the spec (so that only objects a real cluster accepts reach the calculator), plus the shape of the
 * observations / history / controller sections.
 */

import { parseResourceQuantity, QuantityError } from "./quantity.js";
import { problem, UserError, type Problem } from "../../problems/problem.js";
import type { HpaCase } from "./types.js";

/** A malformed hpa-step case: every problem found, each `<path>: <message>`. */
export class CaseValidationError extends UserError {
  constructor(problems: readonly Problem[]) {
    const lines = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
    super(problems, lines.length === 1 ? lines[0]! : `${lines.length} problems:\n  - ${lines.join("\n  - ")}`, 2);
  }
}

/** A problem of an hpa-step case at `path` (the HorizontalPodAutoscaler API's field path). */
export function caseProblem(path: string, message: string): Problem {
  return problem({
    code: "HPA_CASE_INVALID",
    path,
    message,
    fix: "correct the case as the autoscaling/v2 API and simulator/hpa/types.ts describe it",
  });
}

const MAX_INT32 = 2147483647;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
const MAX_PERIOD_SECONDS = 1800;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "object") return "an object";
  return String(v);
}

class Checker {
  readonly problems: Problem[] = [];
  err(path: string, msg: string): void {
    this.problems.push(caseProblem(path, msg));
  }
  obj(v: unknown, path: string): v is Obj {
    if (!isObj(v)) {
      this.err(path, `must be an object, got ${describe(v)}`);
      return false;
    }
    return true;
  }
  arr(v: unknown, path: string): v is unknown[] {
    if (!Array.isArray(v)) {
      this.err(path, `must be an array, got ${describe(v)}`);
      return false;
    }
    return true;
  }
  int(v: unknown, path: string, min: number, max = MAX_INT32): boolean {
    if (typeof v !== "number" || !Number.isInteger(v)) {
      this.err(path, `must be an integer, got ${describe(v)}`);
      return false;
    }
    if (v < min || v > max) {
      this.err(path, `must be between ${min} and ${max}, got ${v}`);
      return false;
    }
    return true;
  }
  optInt(v: unknown, path: string, min: number, max = MAX_INT32): void {
    if (v != null) this.int(v, path, min, max);
  }
  num(v: unknown, path: string, min = 0): boolean {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      this.err(path, `must be a finite number, got ${describe(v)}`);
      return false;
    }
    if (v < min) {
      this.err(path, `must be >= ${min}, got ${v}`);
      return false;
    }
    return true;
  }
  optNum(v: unknown, path: string, min = 0): void {
    if (v !== undefined && v !== null) this.num(v, path, min);
  }
  bool(v: unknown, path: string): void {
    if (typeof v !== "boolean") this.err(path, `must be true or false, got ${describe(v)}`);
  }
  str(v: unknown, path: string): boolean {
    if (typeof v !== "string" || v.length === 0) {
      this.err(path, `must be a non-empty string, got ${describe(v)}`);
      return false;
    }
    return true;
  }
  /** returns the sign of the quantity, or null if invalid */
  quantity(v: unknown, path: string): -1 | 0 | 1 | null {
    if (typeof v !== "string" && typeof v !== "number") {
      this.err(path, `must be a quantity string such as "500m" or "2Gi", got ${describe(v)}`);
      return null;
    }
    try {
      const q = parseResourceQuantity(v);
      return q.milliExact > 0n ? 1 : q.milliExact < 0n ? -1 : 0;
    } catch (e) {
      if (e instanceof QuantityError) {
        this.err(path, e.message);
        return null;
      }
      throw e;
    }
  }
  oneOf(v: unknown, path: string, allowed: readonly string[]): boolean {
    if (typeof v !== "string" || !allowed.includes(v)) {
      this.err(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${describe(v)}`);
      return false;
    }
    return true;
  }
}

const SOURCE_FIELD: Record<string, string> = {
  Resource: "resource",
  ContainerResource: "containerResource",
  Pods: "pods",
  Object: "object",
  External: "external",
};
const SOURCE_TYPES = Object.keys(SOURCE_FIELD);

function checkTarget(c: Checker, t: unknown, path: string): Obj | null {
  if (!c.obj(t, path)) return null;
  c.oneOf(t.type, `${path}.type`, ["Utilization", "Value", "AverageValue"]);
  if (t.value != null && c.quantity(t.value, `${path}.value`) !== null) {
    if (parseResourceQuantity(t.value as string).milliExact <= 0n) c.err(`${path}.value`, "must be positive");
  }
  if (t.averageValue != null && c.quantity(t.averageValue, `${path}.averageValue`) !== null) {
    if (parseResourceQuantity(t.averageValue as string).milliExact <= 0n) c.err(`${path}.averageValue`, "must be positive");
  }
  if (t.averageUtilization != null) c.int(t.averageUtilization, `${path}.averageUtilization`, 1);
  return t;
}

function checkMetricIdentifier(c: Checker, m: unknown, path: string): void {
  if (!c.obj(m, path)) return;
  c.str(m.name, `${path}.name`);
}

/** validateMetricSpec */
function checkMetricSpec(c: Checker, m: unknown, path: string): void {
  if (!c.obj(m, path)) return;
  if (!c.oneOf(m.type, `${path}.type`, SOURCE_TYPES)) return;
  const field = SOURCE_FIELD[m.type as string]!;
  for (const other of Object.values(SOURCE_FIELD)) {
    if (other !== field && m[other] != null) c.err(`${path}.${other}`, "must populate the given metric source only");
  }
  const src = m[field];
  const sp = `${path}.${field}`;
  if (src == null) {
    c.err(sp, "must populate information for the given metric source");
    return;
  }
  if (!c.obj(src, sp)) return;
  switch (m.type) {
    case "Resource":
    case "ContainerResource": {
      c.str(src.name, `${sp}.name`);
      if (m.type === "ContainerResource") c.str(src.container, `${sp}.container`);
      const t = checkTarget(c, src.target, `${sp}.target`);
      if (t) {
        if (t.averageUtilization == null && t.averageValue == null) {
          c.err(`${sp}.target.averageUtilization`, "must set either a target raw value or a target utilization");
        }
        if (t.averageUtilization != null && t.averageValue != null) {
          c.err(`${sp}.target.averageValue`, "may not set both a target raw value and a target utilization");
        }
      }
      break;
    }
    case "Pods": {
      checkMetricIdentifier(c, src.metric, `${sp}.metric`);
      const t = checkTarget(c, src.target, `${sp}.target`);
      if (t && t.averageValue == null) c.err(`${sp}.target.averageValue`, "must specify a positive target averageValue");
      break;
    }
    case "Object": {
      if (src.describedObject != null && c.obj(src.describedObject, `${sp}.describedObject`)) {
        c.str(src.describedObject.kind, `${sp}.describedObject.kind`);
        c.str(src.describedObject.name, `${sp}.describedObject.name`);
      }
      checkMetricIdentifier(c, src.metric, `${sp}.metric`);
      const t = checkTarget(c, src.target, `${sp}.target`);
      if (t && t.value == null && t.averageValue == null) {
        c.err(`${sp}.target.averageValue`, "must set either a target value or averageValue");
      }
      break;
    }
    case "External": {
      checkMetricIdentifier(c, src.metric, `${sp}.metric`);
      const t = checkTarget(c, src.target, `${sp}.target`);
      if (t && t.value == null && t.averageValue == null) {
        c.err(`${sp}.target.averageValue`, "must set either a target value for metric or a per-pod target");
      }
      if (t && t.value != null && t.averageValue != null) {
        c.err(`${sp}.target.value`, "may not set both a target value for metric and a per-pod target");
      }
      break;
    }
  }
}

function checkScalingRules(c: Checker, r: unknown, path: string): void {
  if (r == null || !c.obj(r, path)) return;
  c.optInt(r.stabilizationWindowSeconds, `${path}.stabilizationWindowSeconds`, 0, MAX_STABILIZATION_WINDOW_SECONDS);
  if (r.selectPolicy != null) c.oneOf(r.selectPolicy, `${path}.selectPolicy`, ["Max", "Min", "Disabled"]);
  if (r.policies != null && c.arr(r.policies, `${path}.policies`)) {
    if (r.policies.length === 0) c.err(`${path}.policies`, "must specify at least one Policy");
    r.policies.forEach((p, i) => {
      const pp = `${path}.policies[${i}]`;
      if (!c.obj(p, pp)) return;
      c.oneOf(p.type, `${pp}.type`, ["Pods", "Percent"]);
      c.int(p.value, `${pp}.value`, 1);
      c.int(p.periodSeconds, `${pp}.periodSeconds`, 1, MAX_PERIOD_SECONDS);
    });
  }
  if (r.tolerance != null) {
    const s = c.quantity(r.tolerance, `${path}.tolerance`);
    if (s === -1) c.err(`${path}.tolerance`, "must be greater than or equal to 0");
  }
}

const PHASES = ["Pending", "Running", "Succeeded", "Failed", "Unknown"];

function checkPod(c: Checker, p: unknown, path: string, needsValue: boolean): void {
  if (!c.obj(p, path)) return;
  if (p.name != null && typeof p.name !== "string") c.err(`${path}.name`, "must be a string");
  if (needsValue && p.value != null) c.quantity(p.value, `${path}.value`);
  if (p.request != null) {
    const s = c.quantity(p.request, `${path}.request`);
    if (s === -1) c.err(`${path}.request`, "must be greater than or equal to 0");
  }
  // (a pod without a request is a metric error in the controller, not a malformed case)
  if (p.ready != null) c.bool(p.ready, `${path}.ready`);
  if (p.phase != null) c.oneOf(p.phase, `${path}.phase`, PHASES);
  if (p.startedSecondsAgo != null) c.num(p.startedSecondsAgo, `${path}.startedSecondsAgo`);
  if (p.readyChangedSecondsAgo != null) c.num(p.readyChangedSecondsAgo, `${path}.readyChangedSecondsAgo`);
  if (p.deleting != null) c.bool(p.deleting, `${path}.deleting`);
  if (p.sampleSecondsAgo != null) c.num(p.sampleSecondsAgo, `${path}.sampleSecondsAgo`);
  if (p.sampleWindowSeconds != null) c.num(p.sampleWindowSeconds, `${path}.sampleWindowSeconds`);
}

function checkPods(c: Checker, pods: unknown, path: string, needsValue: boolean): void {
  if (!c.arr(pods, path)) return;
  pods.forEach((p, i) => checkPod(c, p, `${path}[${i}]`, needsValue));
}

/** Does this metric take the "Value" path that multiplies by the ready pod count? */
function usesReadyPodCount(m: Obj): boolean {
  if (m.type === "Object" && isObj(m.object) && isObj(m.object.target)) {
    return m.object.target.type === "Value" && m.object.target.value != null;
  }
  if (m.type === "External" && isObj(m.external) && isObj(m.external.target)) {
    return m.external.target.averageValue == null && m.external.target.value != null;
  }
  return false;
}

function checkObservation(c: Checker, o: unknown, path: string, m: unknown, root: Obj): void {
  if (!c.obj(o, path)) return;
  if (o.error != null) {
    if (typeof o.error !== "string") c.err(`${path}.error`, "must be a string");
    return;
  }
  if (!isObj(m) || typeof m.type !== "string") return;
  switch (m.type) {
    case "Resource":
    case "ContainerResource":
    case "Pods":
      if (o.pods === undefined) {
        c.err(`${path}.pods`, `required for a ${m.type} metric (or give "error")`);
      } else {
        checkPods(c, o.pods, `${path}.pods`, true);
      }
      break;
    case "Object":
    case "External": {
      if (o.values != null) {
        if (m.type !== "External") c.err(`${path}.values`, "only External metrics take a list of series values");
        else if (c.arr(o.values, `${path}.values`)) {
          o.values.forEach((v, i) => c.quantity(v, `${path}.values[${i}]`));
        }
        if (o.value != null) c.err(`${path}.value`, "give either value or values, not both");
      } else if (o.value == null) {
        c.err(`${path}.value`, `required for an ${m.type} metric (or give "error")`);
      } else {
        c.quantity(o.value, `${path}.value`);
      }
      if (o.readyPods != null) c.int(o.readyPods, `${path}.readyPods`, 0);
      if (o.pods != null) checkPods(c, o.pods, `${path}.pods`, false);
      if (usesReadyPodCount(m) && o.readyPods == null && o.pods == null && root.pods == null && root.currentReplicas !== 0) {
        c.err(
          path,
          `a ${m.type} metric with a Value target multiplies by the ready pod count: give readyPods or pods here, or a top-level pods list`,
        );
      }
      break;
    }
  }
}

function checkEntries(c: Checker, v: unknown, path: string, field: "replicas" | "change"): void {
  if (v == null || !c.arr(v, path)) return;
  v.forEach((e, i) => {
    const p = `${path}[${i}]`;
    if (!c.obj(e, p)) return;
    c.num(e.secondsAgo, `${p}.secondsAgo`);
    c.int(e[field], `${p}.${field}`, 0);
    if (field === "change" && e.outdated != null && typeof e.outdated !== "boolean") c.err(`${p}.outdated`, "must be a boolean");
  });
}

/**
 * Validate an untrusted value (parsed JSON) as a case. Returns it typed, or throws a
 * CaseValidationError listing every problem found.
 */
export function validateCase(input: unknown): HpaCase {
  const c = new Checker();
  if (!c.obj(input, "case")) throw new CaseValidationError(c.problems);
  const root = input;

  // spec
  let metrics: unknown[] = [];
  if (c.obj(root.spec, "spec")) {
    const spec = root.spec;
    c.int(spec.maxReplicas, "spec.maxReplicas", 1);
    if (spec.minReplicas != null && c.int(spec.minReplicas, "spec.minReplicas", 0)) {
      if (typeof spec.maxReplicas === "number" && spec.maxReplicas < (spec.minReplicas as number)) {
        c.err("spec.maxReplicas", "must be greater than or equal to `minReplicas`");
      }
    }
    if (spec.metrics != null && c.arr(spec.metrics, "spec.metrics")) {
      metrics = spec.metrics;
      metrics.forEach((m, i) => checkMetricSpec(c, m, `spec.metrics[${i}]`));
    }
    if (metrics.length === 0) {
      // defaulting: cpu utilization 80%
      metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }];
    }
    if (spec.minReplicas === 0) {
      const hasObjOrExt = metrics.some((m) => isObj(m) && (m.type === "Object" || m.type === "External"));
      if (!hasObjOrExt) {
        c.err("spec.metrics", "must specify at least one Object or External metric to support scaling to zero replicas");
      }
    }
    if (spec.behavior != null && c.obj(spec.behavior, "spec.behavior")) {
      checkScalingRules(c, spec.behavior.scaleUp, "spec.behavior.scaleUp");
      checkScalingRules(c, spec.behavior.scaleDown, "spec.behavior.scaleDown");
    }
  }

  c.int(root.currentReplicas, "currentReplicas", 0);
  if (root.statusReplicas != null) c.int(root.statusReplicas, "statusReplicas", 0);

  if (root.pods != null) checkPods(c, root.pods, "pods", false);

  if (c.arr(root.observations, "observations")) {
    const obs = root.observations;
    if (obs.length !== metrics.length) {
      c.err(
        "observations",
        `must have one entry per metric, in spec.metrics order: ${metrics.length} metric(s)${
          isObj(root.spec) && (root.spec.metrics == null || (Array.isArray(root.spec.metrics) && root.spec.metrics.length === 0))
            ? " (the default cpu utilization 80% metric)"
            : ""
        }, got ${obs.length}`,
      );
    }
    obs.forEach((o, i) => checkObservation(c, o, `observations[${i}]`, metrics[i], root));
  }

  if (root.history != null && c.obj(root.history, "history")) {
    checkEntries(c, root.history.recommendations, "history.recommendations", "replicas");
    checkEntries(c, root.history.scaleUpEvents, "history.scaleUpEvents", "change");
    checkEntries(c, root.history.scaleDownEvents, "history.scaleDownEvents", "change");
  }

  if (root.controller != null && c.obj(root.controller, "controller")) {
    const k = root.controller;
    c.optNum(k.tolerance, "controller.tolerance");
    c.optNum(k.downscaleStabilizationSeconds, "controller.downscaleStabilizationSeconds");
    c.optNum(k.cpuInitializationPeriodSeconds, "controller.cpuInitializationPeriodSeconds");
    c.optNum(k.initialReadinessDelaySeconds, "controller.initialReadinessDelaySeconds");
    c.optNum(k.metricWindowSeconds, "controller.metricWindowSeconds");
  }

  if (c.problems.length > 0) throw new CaseValidationError(c.problems);
  return input as unknown as HpaCase;
}
