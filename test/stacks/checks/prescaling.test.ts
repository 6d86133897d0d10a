import { describe, expect, it } from "vitest";
import { runChecks } from "../../../stacks/checks/index.js";
import { checkConfig, coherent, config, expectWarnings, hpa } from "./fixtures.js";

const WINDOW = {
  name: "business-hours",
  target: "inference",
  timezone: "Europe/Berlin",
  weekdays: ["mon", "tue", "wed", "thu", "fri"],
  start: "08:00",
  end: "19:00",
  replicas: 6,
};
const ORCHESTRATOR = {
  image: "registry.example.com/ml/orchestrator:2.3.0",
  resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
};

describe("PRESCALE_NOT_APPLIED: a pre-scaling window on the inference service needs KEDA (warning)", () => {
  for (const mode of ["cpu-hpa", "slo-hpa"] as const) {
    it(`warns in ${mode} mode: the HPA has no schedule`, () => {
      const [w] = expectWarnings(checkConfig(config({ scaling: { mode }, prescaling: [WINDOW] })), ["PRESCALE_NOT_APPLIED"]);
      expect(w).toMatchObject({ severity: "warning", resource: "EnvConfig t", path: "prescaling[0].target" });
      expect(w!.message).toMatch(
        new RegExp(
          `window "business-hours" \\(mon–fri 08:00–19:00 Europe/Berlin, 6 replicas\\) targets the inference service "inference", but scaling\\.mode ${mode} scales it with an HPA, which has no schedule: the window is silently not applied`,
        ),
      );
      expect(w!.fix).toMatch(/set scaling\.mode to keda .*or raise scaling\.minReplicas to 6/);
    });
  }

  it("passes in keda mode, where the window becomes a cron trigger on the service's ScaledObject", () => {
    expect(checkConfig(config({ prescaling: [WINDOW] })).findings).toEqual([]);
  });

  it("names each window on the service, and leaves windows on KEDA-scaled workloads alone", () => {
    const weekend = { ...WINDOW, name: "weekend", weekdays: ["sat", "sun"], start: "10:00", end: "14:00", replicas: 4 };
    const orchestrator = { ...WINDOW, target: "orchestrator", replicas: 4 };
    const run = checkConfig(
      config({ scaling: { mode: "cpu-hpa" }, orchestrator: ORCHESTRATOR, prescaling: [WINDOW, orchestrator, weekend] }),
    );
    const warnings = expectWarnings(run, ["PRESCALE_NOT_APPLIED"]);
    expect(warnings.map((w) => w.path)).toEqual(["prescaling[0].target", "prescaling[2].target"]);
    expect(warnings[1]!.message).toMatch(/window "weekend" \(sun, sat 10:00–14:00 Europe\/Berlin, 4 replicas\)/);
    expect(checkConfig(config({ scaling: { mode: "cpu-hpa" }, orchestrator: ORCHESTRATOR, prescaling: [orchestrator] })).findings).toEqual(
      [],
    );
  });

  it("is a warning: unlike a config-phase error it does not stop runChecks before the rendered checks", () => {
    const everyDay = { ...WINDOW, weekdays: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] };
    // coherent() plus an HPA: the rendered phase's MULTIPLE_AUTOSCALERS shows that phase ran
    const findings = runChecks({
      config: config({ scaling: { mode: "slo-hpa" }, prescaling: [everyDay] }),
      objects: [...coherent(), hpa()],
    });
    expect(findings.map((f) => [f.code, f.severity])).toEqual([
      ["PRESCALE_NOT_APPLIED", "warning"],
      ["MULTIPLE_AUTOSCALERS", "error"],
    ]);
    expect(findings[0]!.message).toMatch(/\(every day 08:00–19:00/);
  });
});

describe("PRESCALE_NOT_APPLIED: the window's days as the user reads them", () => {
  const shown = (weekdays: string[]) =>
    /\((.*) 08:00–19:00/.exec(
      expectWarnings(checkConfig(config({ scaling: { mode: "cpu-hpa" }, prescaling: [{ ...WINDOW, weekdays }] })), [
        "PRESCALE_NOT_APPLIED",
      ])[0]!.message,
    )![1];

  it.each([
    [["fri", "mon", "wed"], "mon, wed, fri"],
    [["tue", "mon"], "mon, tue"],
    [["wed", "mon", "tue"], "mon–wed"],
    [["mon", "tue", "wed", "thu", "fri", "sat"], "mon–sat"],
    [["sun", "mon", "tue"], "sun–tue"],
    [["mon", "tue", "thu", "fri"], "mon, tue, thu, fri"],
    [["sat"], "sat"],
    [["sat", "sun", "mon", "tue", "wed", "thu", "fri"], "every day"],
  ])("%j → %s", (weekdays, expected) => {
    expect(shown(weekdays)).toBe(expected);
  });

  it("the whole message and fix", () => {
    const [w] = expectWarnings(checkConfig(config({ scaling: { mode: "slo-hpa" }, prescaling: [WINDOW] })), ["PRESCALE_NOT_APPLIED"]);
    expect(w!.message).toBe(
      'window "business-hours" (mon–fri 08:00–19:00 Europe/Berlin, 6 replicas) targets the inference service "inference", but scaling.mode slo-hpa scales it with an HPA, which has no schedule: the window is silently not applied (only KEDA turns it into a cron trigger)',
    );
    expect(w!.fix).toBe(
      "set scaling.mode to keda (the window becomes a cron trigger on the service's ScaledObject), or raise scaling.minReplicas to 6 to hold those replicas at all hours",
    );
  });
});
