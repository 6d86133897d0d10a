import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ContractError } from "../../../promql/metrics.js";
import { CHECK_CODES, runChecks } from "../../../stacks/checks/index.js";
import { formatProblem, InvariantError } from "../../../problems/problem.js";
import { refusedIn } from "../../../stacks/errors.js";
import { coherent, config, hpa } from "./fixtures.js";
import { ROOT } from "../../helpers/cli.js";

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

  it("every catalog entry says what it catches, and every check code is one the source can report", () => {
    const source = ["stacks", "constructs", "promql", "rules", "scaling", "problems"]
      .flatMap((d) =>
        readdirSync(join(ROOT, d), { recursive: true })
          .map(String)
          .filter((f) => f.endsWith(".ts"))
          .map((f) => join(ROOT, d, f)),
      )
      .filter((f) => !f.endsWith(join("problems", "codes.ts")))
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    for (const [code, info] of Object.entries(CHECK_CODES)) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z]+)+$/);
      expect(info.summary.length).toBeGreaterThan(20);
      expect(source, `no source reports ${code}`).toContain(`"${code}"`);
    }
  });
});
