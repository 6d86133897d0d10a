import { Chart, Testing } from "cdk8s";
import { describe, expect, it } from "vitest";
import { KedaScaledObject } from "../../constructs/keda-scaled-object.js";
import {
  cronWeekdays,
  minutesOfDay,
  prescaleTrigger,
  prescaleTriggers,
  PrescaleError,
  type PrescaleWindow,
} from "../../scaling/prescaling.js";
import { validateObjects } from "../../stacks/schema.js";

const weekdays: PrescaleWindow["weekdays"] = ["mon", "tue", "wed", "thu", "fri"];
const window = (over: Partial<PrescaleWindow> = {}): PrescaleWindow => ({
  name: "business-hours",
  timezone: "Europe/Berlin",
  weekdays,
  start: "08:00",
  end: "18:00",
  replicas: 6,
  ...over,
});

describe("prescaling: typed schedule → KEDA cron triggers", () => {
  it("turns a weekday window into start/end cron expressions", () => {
    expect(prescaleTrigger(window())).toEqual({
      type: "cron",
      name: "prescale-business-hours",
      timezone: "Europe/Berlin",
      start: "0 8 * * 1-5",
      end: "0 18 * * 1-5",
      desiredReplicas: 6,
    });
  });

  it("starts early by the start-up lead time, rounded up to whole minutes", () => {
    const t = prescaleTrigger(window({ start: "08:30" }), { leadSeconds: 900 });
    expect([t.start, t.end]).toEqual(["15 8 * * 1-5", "0 18 * * 1-5"]);
    expect(prescaleTrigger(window(), { leadSeconds: 61 }).start).toBe("58 7 * * 1-5");
  });

  it("moves the start to the previous day when the lead crosses midnight", () => {
    const t = prescaleTrigger(window({ start: "00:10", end: "06:00", weekdays: ["mon", "sat"] }), { leadSeconds: 1200 });
    // Monday 00:10 − 20 min = Sunday 23:50; Saturday → Friday.
    expect(t.start).toBe("50 23 * * 0,5");
    expect(t.end).toBe("0 6 * * 1,6");
  });

  it("ends an overnight window on the following day (Saturday wraps to Sunday)", () => {
    const t = prescaleTrigger(window({ start: "22:00", end: "02:30", weekdays: ["fri", "sat"] }));
    expect([t.start, t.end]).toEqual(["0 22 * * 5,6", "30 2 * * 0,6"]);
  });

  it("writes day lists as ranges and every day as *", () => {
    expect(cronWeekdays([1, 2, 3, 4, 5])).toBe("1-5");
    expect(cronWeekdays([0, 6])).toBe("0,6");
    expect(cronWeekdays([0, 2, 3, 4, 6])).toBe("0,2-4,6");
    expect(cronWeekdays([0, 1, 2, 3, 4, 5, 6])).toBe("*");
    expect(cronWeekdays([7, 8])).toBe("0,1");
    expect(minutesOfDay("23:59")).toBe(1439);
  });

  it("renders into a ScaledObject beside other triggers and passes the KEDA schema", async () => {
    const chart = new Chart(Testing.app(), "t", { disableResourceNameHashes: true });
    new KedaScaledObject(chart, "so", {
      scaleTarget: { name: "w", namespace: "ns", containers: [{ name: "c", requests: { cpu: "1", memory: "1Gi" } }] },
      minReplicaCount: 2,
      maxReplicaCount: 10,
      triggers: [
        { type: "cpu", value: 80 },
        ...prescaleTriggers([window(), window({ name: "weekend", weekdays: ["sat", "sun"], start: "10:00", end: "14:00", replicas: 3 })], {
          bounds: { min: 2, max: 10 },
        }),
      ],
    });
    const objs = chart.toJson();
    expect(await validateObjects(objs)).toEqual([]);
    const cron = objs[0].spec.triggers.filter((t: any) => t.type === "cron");
    expect(cron.map((t: any) => t.metadata)).toEqual([
      { timezone: "Europe/Berlin", start: "0 8 * * 1-5", end: "0 18 * * 1-5", desiredReplicas: "6" },
      { timezone: "Europe/Berlin", start: "0 10 * * 0,6", end: "0 14 * * 0,6", desiredReplicas: "3" },
    ]);
  });

  const bad: [string, Partial<PrescaleWindow>, { leadSeconds?: number; bounds?: { min: number; max: number } }, RegExp][] = [
    ["an unknown time zone", { timezone: "Europe/Atlantis" }, {}, /"Europe\/Atlantis" is not an IANA time zone. Fix:/],
    ["a 12-hour time", { start: "8am" }, {}, /time "8am" is not HH:MM/],
    ["24:00", { end: "24:00" }, {}, /time "24:00"/],
    ["an empty day list", { weekdays: [] }, {}, /weekdays is empty/],
    ["an unknown day", { weekdays: ["monday" as never] }, {}, /unknown weekday monday/],
    ["a zero-length window", { end: "08:00" }, {}, /start and end are both 08:00/],
    ["replicas above the maximum", { replicas: 12 }, { bounds: { min: 2, max: 10 } }, /replicas 12 exceed the ScaledObject's maximum 10/],
    ["replicas that do not raise the minimum", { replicas: 2 }, { bounds: { min: 2, max: 10 } }, /do not raise the minimum 2/],
    ["a window that with its lead covers the day", { start: "08:00", end: "07:30" }, { leadSeconds: 1800 }, /covers a whole day/],
    ["a name that is no DNS label", { name: "Business Hours" }, {}, /not a DNS label/],
  ];
  for (const [what, over, options, message] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => prescaleTrigger(window(over), options)).toThrow(PrescaleError);
      expect(() => prescaleTrigger(window(over), options)).toThrow(message);
    });
  }

  it("rejects two windows with one name", () => {
    expect(() => prescaleTriggers([window(), window({ start: "09:00" })])).toThrow(/"business-hours" is defined twice/);
  });
});
