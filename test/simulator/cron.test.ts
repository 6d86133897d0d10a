/** KEDA's cron scaler on the simulated clock: expression matching, window activity, and in a run. */
import { describe, expect, it } from "vitest";
import { autoscalerModel } from "../../simulator/autoscaler.js";
import { clockLabel, CronActivity, cronMatchesMinute, parseClock, parseCron } from "../../simulator/cron.js";
import { simulate } from "../../simulator/run.js";
import { parseScenarioJson } from "../../simulator/scenarios.js";
import { envConfig } from "../helpers/env.js";

/** Simulated-clock minute: day 0 = Monday. */
const at = (day: number, h: number, m: number) => day * 1440 + h * 60 + m;

describe("cron expressions", () => {
  it("matches minute, hour and weekday ranges", () => {
    const s = parseCron("58 7 * * 1-5");
    expect(cronMatchesMinute(s, at(0, 7, 58))).toBe(true); // Monday
    expect(cronMatchesMinute(s, at(4, 7, 58))).toBe(true); // Friday
    expect(cronMatchesMinute(s, at(5, 7, 58))).toBe(false); // Saturday
    expect(cronMatchesMinute(s, at(0, 7, 59))).toBe(false);
  });

  it("reads lists, steps, names and 7 as Sunday", () => {
    expect(cronMatchesMinute(parseCron("*/15 * * * *"), at(2, 3, 45))).toBe(true);
    expect(cronMatchesMinute(parseCron("*/15 * * * *"), at(2, 3, 46))).toBe(false);
    expect(cronMatchesMinute(parseCron("0 9,17 * * SAT,SUN"), at(6, 17, 0))).toBe(true);
    expect(cronMatchesMinute(parseCron("0 9 * * 7"), at(6, 9, 0))).toBe(true);
    expect(cronMatchesMinute(parseCron("0 9 * * 0"), at(6, 9, 0))).toBe(true);
    expect(cronMatchesMinute(parseCron("0 9 * JAN *"), at(0, 9, 0))).toBe(true); // the clock counts from Monday 1 January
  });

  it("ORs day-of-month and day-of-week when both are restricted (robfig/cron)", () => {
    const s = parseCron("0 0 1 * mon");
    expect(cronMatchesMinute(s, at(0, 0, 0))).toBe(true); // Monday the 1st
    expect(cronMatchesMinute(s, at(7, 0, 0))).toBe(true); // Monday the 8th
    expect(cronMatchesMinute(s, at(31, 0, 0))).toBe(true); // Thursday 1 February
    expect(cronMatchesMinute(s, at(1, 0, 0))).toBe(false); // Tuesday the 2nd
  });

  it("names the problem in a malformed expression", () => {
    expect(() => parseCron("0 8 * *")).toThrow(/has 4 fields, not 5/);
    expect(() => parseCron("61 8 * * *")).toThrow(/minute "61" is outside 0–59/);
    expect(() => parseCron("0 8 * * 5-1")).toThrow(/ends before it starts/);
  });
});

describe("CronActivity (KEDA: active when the next end comes before the next start)", () => {
  it("business hours 07:58 – 19:00 on weekdays", () => {
    const a = new CronActivity("58 7 * * 1-5", "0 19 * * 1-5", 0, 7 * 86400, 0);
    const s = (day: number, h: number, m: number, sec = 0) => at(day, h, m) * 60 + sec;
    expect(a.at(s(0, 7, 57, 59))).toBe(false);
    expect(a.at(s(0, 7, 58))).toBe(true);
    expect(a.at(s(0, 12, 0))).toBe(true);
    expect(a.at(s(0, 18, 59, 59))).toBe(true);
    expect(a.at(s(0, 19, 0))).toBe(false);
    expect(a.at(s(5, 10, 0))).toBe(false); // Saturday
  });

  it("an overnight window and a clock that starts mid-week", () => {
    // Monday 22:00 until Tuesday 06:00; t = 0 is Monday 21:00
    const a = new CronActivity("0 22 * * 1", "0 6 * * 2", -600, 12 * 3600, 21 * 3600);
    expect(a.at(0)).toBe(false);
    expect(a.at(3600)).toBe(true);
    expect(a.at(9 * 3600 - 1)).toBe(true); // Tuesday 05:59:59
    expect(a.at(9 * 3600)).toBe(false);
  });

  it("labels and parses the clock", () => {
    expect(clockLabel(0)).toBe("Mon 00:00");
    expect(clockLabel(86400 + 9.5 * 3600)).toBe("Tue 09:30");
    expect(parseClock("sun 23:59")).toBe(6 * 86400 + 23 * 3600 + 59 * 60);
    expect(parseClock("Mon 08:30")).toBe(8.5 * 3600);
    expect(parseClock("monday 8:30")).toBeNull();
    expect(parseClock("mon 07:57:45")).toBe(7 * 3600 + 57 * 60 + 45);
    expect(parseClock("mon 07:57:60")).toBeNull();
  });

  it("starts a run at a second-exact clock: the window opens at 07:58:00, not at the start's whole minute", () => {
    // t = 0 at Monday 07:57:45: 07:58:00 is t = 15
    const a = new CronActivity("58 7 * * 1-5", "0 19 * * 1-5", 0, 120, parseClock("mon 07:57:45")!);
    expect(a.at(14)).toBe(false);
    expect(a.at(15)).toBe(true);
  });
});

describe("a cron trigger in a run", () => {
  it("raises the floor to desiredReplicas from the first sync inside the window", () => {
    const prod = envConfig("prod");
    const model = autoscalerModel(
      {
        apiVersion: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata: { name: "inference", namespace: "ml-serving-prod" },
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "inference" },
          minReplicaCount: 3,
          maxReplicaCount: 20,
          triggers: [
            { type: "prometheus", metadata: { query: "sum(inference_queue_len)", threshold: "20" } },
            { type: "cron", metadata: { timezone: "Europe/Berlin", start: "58 7 * * 1-5", end: "0 19 * * 1-5", desiredReplicas: "6" } },
          ],
        },
      },
      prod,
    );
    // 20 req/s from Monday 07:50: the queue never asks for more than the minimum
    const scenario = parseScenarioJson('{"unit":"rps","points":[[0,20]],"durationSeconds":1200,"startsAt":"mon 07:50"}', "morning");
    const r = simulate({ config: prod, model, scenario, label: "keda" });
    const tl = r.timeline;
    expect(tl.metricValues[1]![465]).toBe(0); // KEDA ≥ 2.18: 0 outside the window
    expect(tl.desired[479]).toBe(3);
    // 07:58 is t = 480, a sync: value 6 against AverageValue 1; no behavior: up to max(2 × 3, 4) = 6 at once
    expect(tl.metricValues[1]![480]).toBe(6);
    expect(tl.desired[480]).toBe(6);
    expect(r.events[0]).toMatchObject({ t: 480, from: 3, to: 6, by: "hpa" });
    expect(tl.ready[480 + 90]).toBe(6);
  });
});
