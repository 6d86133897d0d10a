import { describe, expect, it } from "vitest";
import { ContractError } from "../../../promql/metrics.js";
import { buildErrorFinding, CHECK_CODES, formatFinding, runChecks, startsWithCode } from "../../../stacks/checks/index.js";
import { coherent, config, hpa } from "./fixtures.js";

describe("check engine", () => {
  it("formats a finding as one line, code first", () => {
    expect(
      formatFinding({ code: "POD_PROBE_MISSING", severity: "error", env: "prod", resource: "Deployment ns/x", path: "spec.a", message: "no probe", fix: "add one" }),
    ).toBe('POD_PROBE_MISSING env "prod": Deployment ns/x: spec.a: no probe. Fix: add one');
    expect(formatFinding({ code: "X_Y", severity: "error", env: "e", resource: "EnvConfig e", path: "", message: "m", fix: "f" })).toBe('X_Y env "e": EnvConfig e: m. Fix: f');
  });

  it("runChecks stops after config errors (as synth does) and otherwise adds the rendered checks", () => {
    const bad = config({ scaling: { keda: { p95Latency: { threshold: 2, activation: 1 } } } });
    const objects = [...coherent(), hpa()];
    expect(runChecks({ config: bad, objects }).map((f) => f.code)).toEqual(["SCALES_AFTER_ALERT"]);
    expect(runChecks({ config: config(), objects }).map((f) => f.code)).toEqual(["MULTIPLE_AUTOSCALERS"]);
  });

  it("turns a construct's refusal into a coded finding, and leaves programming errors alone", () => {
    const c = config();
    expect(buildErrorFinding(c, new ContractError('metric "x" is not in the contract'))).toMatchObject({ code: "CONTRACT_VIOLATION", env: "t", message: 'metric "x" is not in the contract' });
    expect(buildErrorFinding(c, new Error("replicas -1 must be ≥ 0.\nmore"))).toMatchObject({ code: "CONSTRUCT_INVARIANT", message: "replicas -1 must be ≥ 0" });
    expect(buildErrorFinding(c, new TypeError("x is undefined"))).toBeUndefined();
    expect(buildErrorFinding(c, "a string")).toBeUndefined();
  });

  it("recognises lines that already carry a code", () => {
    expect(startsWithCode('SCALES_AFTER_ALERT env "prod": x')).toBe(true);
    expect(startsWithCode('env "prod": ScaledObject x')).toBe(false);
    expect(startsWithCode('KEDA env "prod": x')).toBe(false);
  });

  it("every catalog entry names its check and says what it catches", () => {
    for (const [code, info] of Object.entries(CHECK_CODES)) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z]+)+$/);
      expect(info.check).toBeGreaterThanOrEqual(0);
      expect(info.check).toBeLessThanOrEqual(16);
      expect(info.summary.length).toBeGreaterThan(20);
    }
    const checks = new Set(Object.values(CHECK_CODES).map((i) => i.check));
    for (let n = 1; n <= 14; n++) expect(checks, `check ${n}`).toContain(n);
  });
});
