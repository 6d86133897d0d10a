import { describe, expect, it } from "vitest";
import { ContractError } from "../../../promql/metrics.js";
import { CHECK_CODES, runChecks } from "../../../stacks/checks/index.js";
import { formatProblem, InvariantError } from "../../../problems/problem.js";
import { refusedIn } from "../../../stacks/errors.js";
import { coherent, config, hpa } from "./fixtures.js";

describe("check engine", () => {
  it("formats a finding as one line, code first", () => {
    expect(
      formatProblem({
        code: "POD_PROBE_MISSING",
        severity: "error",
        env: "prod",
        resource: "Deployment ns/x",
        path: "spec.a",
        message: "no probe",
        fix: "add one",
      }),
    ).toBe('POD_PROBE_MISSING env "prod": Deployment ns/x: spec.a: no probe. Fix: add one');
    expect(
      formatProblem({ code: "CONFIG_CONFLICT", severity: "error", env: "e", resource: "EnvConfig e", path: "", message: "m", fix: "f" }),
    ).toBe('CONFIG_CONFLICT env "e": EnvConfig e: m. Fix: f');
  });

  it("runChecks stops after config errors (as synth does) and otherwise adds the rendered checks", () => {
    const bad = config({ scaling: { keda: { p95Latency: { threshold: 2, activation: 1 } } } });
    const objects = [...coherent(), hpa()];
    expect(runChecks({ config: bad, objects }).map((f) => f.code)).toEqual(["SCALES_AFTER_ALERT"]);
    expect(runChecks({ config: config(), objects }).map((f) => f.code)).toEqual(["MULTIPLE_AUTOSCALERS"]);
  });

  it("places a construct's refusal in its environment as a coded problem about the config", () => {
    const contract = refusedIn("t", new ContractError('metric "x" is not in the contract'));
    expect(contract.problems).toMatchObject([
      { code: "CONTRACT_VIOLATION", env: "t", resource: "EnvConfig t", message: 'metric "x" is not in the contract' },
    ]);
    expect(contract.lines).toEqual([
      'CONTRACT_VIOLATION env "t": EnvConfig t: metric "x" is not in the contract. Fix: build queries from metrics, series and labels the service\'s contract exports (service.metrics)',
    ]);
    expect(refusedIn("t", new InvariantError("replicas -1 must be ≥ 0.\nmore")).problems).toMatchObject([
      { code: "CONSTRUCT_INVARIANT", message: "replicas -1 must be ≥ 0" },
    ]);
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
