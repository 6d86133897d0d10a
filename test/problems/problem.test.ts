/**
 * The one problem model: every user-facing error extends UserError and carries Problems whose codes
 * come from the one catalog; entry points branch on the class, never on an error's name.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECK_CODES, CONFIG_CODES, isProblemCode, OTHER_CODES, PROBLEM_CODES } from "../../problems/codes.js";
import { formatProblem, InvariantError, problem, UserError } from "../../problems/problem.js";
import { ContractError } from "../../promql/metrics.js";
import { PromQLError } from "../../promql/parse.js";
import { AutoscalerError } from "../../scaling/autoscaler-common.js";
import { PrescaleError } from "../../scaling/prescaling.js";
import { RelabelError } from "../../scrape/relabeling.js";
import { CronError } from "../../simulator/cron.js";
import { AutoscalerModelError } from "../../simulator/autoscaler.js";
import { HpaCaseError } from "../../simulator/hpa/replica-calculator.js";
import { QuantityError } from "../../simulator/hpa/quantity.js";
import { CaseValidationError, caseProblem } from "../../simulator/hpa/validate.js";
import { ScenarioError } from "../../simulator/scenarios.js";
import { SynthError } from "../../stacks/errors.js";
import { ConfigError, configProblem } from "../../stacks/validate.js";
import { InfraConfigError, keyProblem } from "../../infra/config.js";
import { UsageError } from "../../scripts/cli.js";
import { SOURCE_FOLDERS } from "../../scripts/build.mjs";
import { ROOT } from "../helpers/cli.js";

function sources(): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mts|mjs)$/.test(e.name)) out.push({ path: relative(ROOT, p), text: readFileSync(p, "utf8") });
    }
  };
  for (const f of SOURCE_FOLDERS) walk(join(ROOT, f));
  return out;
}

describe("one problem model", () => {
  it("the catalog is one object of disjoint sections, every code upper-case with a summary", () => {
    const sections = [CONFIG_CODES, CHECK_CODES, OTHER_CODES].map((s) => Object.keys(s));
    expect(new Set(sections.flat()).size).toBe(sections.flat().length);
    expect(Object.keys(PROBLEM_CODES).sort()).toEqual(sections.flat().sort());
    for (const [code, info] of Object.entries(PROBLEM_CODES)) {
      expect(code).toMatch(/^[A-Z]+(_[A-Z0-9]+)*$/);
      expect(info.summary.length, code).toBeGreaterThan(10);
    }
    expect(isProblemCode("LATENCY_THRESHOLD_NOT_BUCKET")).toBe(true);
    expect(isProblemCode("toString")).toBe(false);
  });

  it("every user-facing error is a UserError with problems from the catalog", () => {
    const errors: UserError[] = [
      new ConfigError([configProblem("CONFIG_RANGE", "prod", "scaling.minReplicas", "must be at least 0", "raise it")]),
      new SynthError([problem({ code: "OBJECT_DUPLICATE", env: "prod", message: "x is rendered twice", fix: "rename one" })]),
      new ContractError('metric "x" is not in the contract'),
      new PromQLError("sum(", [{ pos: 4, message: "unexpected end" }]),
      new AutoscalerError([
        problem({ code: "CONSTRUCT_INVARIANT", resource: "ScaledObject ns/x", path: "spec.a", message: "bad", fix: "fix" }),
      ]),
      new PrescaleError("prescaling[0]: weekdays is empty", "list a day"),
      new RelabelError("bad regex"),
      new CronError("bad field"),
      new AutoscalerModelError("ScaledObject ns/x", "spec.triggers[0].type", "trigger type x is not simulated", "use prometheus"),
      new HpaCaseError("no metrics"),
      new QuantityError('"x" is not a quantity'),
      new CaseValidationError([caseProblem("spec.maxReplicas", "must be set")]),
      new ScenarioError("steady", [{ path: "points", message: "no load points", fix: "give one" }]),
      new InfraConfigError("prod", [keyProblem({ path: "kubeContext", message: "is missing", fix: "set it" })]),
      new UsageError("--env is required"),
      new InvariantError("replicas -1 must be ≥ 0"),
    ];
    for (const e of errors) {
      expect(e, e.constructor.name).toBeInstanceOf(UserError);
      expect(e.name).toBe(e.constructor.name);
      expect(e.problems.length, e.name).toBeGreaterThan(0);
      for (const p of e.problems) expect(isProblemCode(p.code), `${e.name}: ${p.code}`).toBe(true);
      expect(e.lines.length).toBeGreaterThan(0);
    }
    expect(new UsageError("x").exitCode).toBe(2);
    expect(new CaseValidationError([caseProblem("a", "b")]).exitCode).toBe(2);
    expect(new ConfigError([]).exitCode).toBe(1);
  });

  it("formats a problem as one line, leaving out what it does not have", () => {
    expect(formatProblem(problem({ code: "OUTPUT_UNUSABLE", message: "--out /x is a file", fix: "choose a directory" }))).toBe(
      "OUTPUT_UNUSABLE --out /x is a file. Fix: choose a directory",
    );
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
  });

  it("no other error class extends Error, and nothing sorts errors by their name", () => {
    const all = sources();
    expect(all.length).toBeGreaterThan(50);
    const offenders = all
      .filter((f) => f.path !== join("problems", "problem.ts") && /class \w+ extends (Error|pulumi\.RunError)\b/.test(f.text))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
    const byName = all
      .filter((f) =>
        /\.name\s*[!=]==?\s*"\w*Error"|\["\w+Error"|"(ContractError|SynthError|ConfigError|AutoscalerError|PromQLError)"/.test(f.text),
      )
      .map((f) => f.path);
    expect(byName).toEqual([]);
  });
});
