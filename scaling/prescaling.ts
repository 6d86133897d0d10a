/**
 * Predictive pre-scaling for known peaks: a typed weekly schedule (time zone, weekdays, start and
 * end time, replicas) becomes KEDA `cron` triggers, which a ScaledObject lists beside its other
 * triggers. KEDA takes the highest of its triggers, so a window only raises the floor: the
 * reactive triggers still scale above it during the peak.
 *
 * The schedule says when the capacity must be *ready*; the trigger starts `leadSeconds` earlier
 * (the workload's start-up time, rounded up to whole minutes), so pods that take minutes to load
 * a model are serving when the peak arrives instead of starting then.
 */
import { DNS_LABEL } from "../kube/names.js";
import type { CronTrigger } from "../constructs/keda-scaled-object.js";
import { isTimeZone } from "./time-zone.js";
import { problem, UserError } from "../problems/problem.js";

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One recurring window of raised capacity. */
export interface PrescaleWindow {
  /** Names the trigger `prescale-<name>`; a DNS label, unique per ScaledObject. */
  readonly name: string;
  /** IANA time zone the times are in (KEDA follows its daylight-saving changes), e.g. `Europe/Berlin`. */
  readonly timezone: string;
  /** Days the window starts on (an overnight window ends on the next day). */
  readonly weekdays: readonly Weekday[];
  /** `HH:MM`, 24 h: when the replicas must be ready. */
  readonly start: string;
  /** `HH:MM`, 24 h: when the window closes; earlier than `start` means the next day. */
  readonly end: string;
  /** Replicas held during the window. */
  readonly replicas: number;
}

export interface PrescaleOptions {
  /** Start the scale-up this much before `start`: the workload's start-up time. @default 0 */
  readonly leadSeconds?: number;
  /** The ScaledObject's replica bounds: a window must raise the floor and stay within the maximum. @default unchecked */
  readonly bounds?: { readonly min: number; readonly max: number };
}

/** A pre-scaling window the KEDA cron trigger cannot express: `<problem>. Fix: <fix>`, located at `prescaling`. */
export class PrescaleError extends UserError {
  constructor(message: string, fix: string) {
    super([problem({ code: "CONSTRUCT_INVARIANT", path: "prescaling", message, fix })], `${message}. Fix: ${fix}`);
  }
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** A window names its cron trigger (`prescale-<name>`): a DNS label. */
const NAME = DNS_LABEL;
const DAY_MINUTES = 24 * 60;

/** Minutes after midnight of an `HH:MM` time. */
export function minutesOfDay(t: string): number {
  const m = TIME.exec(t);
  if (!m) throw new PrescaleError(`time "${t}" is not HH:MM on a 24-hour clock`, "write it like 08:00 or 17:30");
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Cron day-of-week field for the given days (0 = Sunday), with consecutive days as ranges: `1-5`, `0,6`; every day is `*`. */
export function cronWeekdays(days: readonly number[]): string {
  const sorted = [...new Set(days.map((d) => ((d % 7) + 7) % 7))].sort((a, b) => a - b);
  if (sorted.length === 7) return "*";
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? String(sorted[i]) : j === i + 1 ? `${sorted[i]},${sorted[j]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** The KEDA cron trigger of one window. Throws {@link PrescaleError} naming the offending value. */
export function prescaleTrigger(w: PrescaleWindow, options: PrescaleOptions = {}): CronTrigger {
  const at = `prescale window "${w.name}"`;
  if (!NAME.test(w.name) || w.name.length > 50)
    throw new PrescaleError(`${at}: the name is not a DNS label of at most 50 characters`, "use a name such as weekday-business-hours");
  if (!isTimeZone(w.timezone))
    throw new PrescaleError(`${at}: "${w.timezone}" is not an IANA time zone`, "use a name such as Europe/Berlin or UTC");
  if (w.weekdays.length === 0)
    throw new PrescaleError(`${at}: weekdays is empty`, "list the days the window starts on, e.g. mon, tue, wed, thu, fri");
  const unknown = w.weekdays.filter((d) => !WEEKDAYS.includes(d));
  if (unknown.length) throw new PrescaleError(`${at}: unknown weekday ${unknown.join(", ")}`, `use ${WEEKDAYS.join(", ")}`);
  if (!Number.isInteger(w.replicas) || w.replicas < 1)
    throw new PrescaleError(`${at}: replicas ${w.replicas} is not a whole number ≥ 1`, "ask for at least 1 replica");
  if (options.bounds) {
    const { min, max } = options.bounds;
    if (w.replicas > max)
      throw new PrescaleError(`${at}: replicas ${w.replicas} exceed the ScaledObject's maximum ${max}`, "lower them or raise the maximum");
    if (w.replicas <= min)
      throw new PrescaleError(
        `${at}: replicas ${w.replicas} do not raise the minimum ${min}, so the window does nothing`,
        `ask for more than ${min}`,
      );
  }
  const start = minutesOfDay(w.start);
  const end = minutesOfDay(w.end);
  if (start === end)
    throw new PrescaleError(`${at}: start and end are both ${w.start}, so the window has no length`, "give different times");
  const leadSeconds = options.leadSeconds ?? 0;
  if (!(leadSeconds >= 0)) throw new PrescaleError(`${at}: lead time ${leadSeconds}s is negative`, "give a lead time ≥ 0");
  const lead = Math.ceil(leadSeconds / 60);
  const length = (end - start + DAY_MINUTES) % DAY_MINUTES;
  if (length + lead >= DAY_MINUTES) {
    throw new PrescaleError(
      `${at}: the window plus the ${lead}-minute start-up lead covers a whole day`,
      "shorten the window or raise minReplicas instead",
    );
  }

  const days = w.weekdays.map((d) => WEEKDAYS.indexOf(d));
  // Starting `lead` minutes early may move the start to the previous day.
  const earlyStart = start - lead;
  const startDayShift = earlyStart < 0 ? -1 : 0;
  const startMinute = (earlyStart + DAY_MINUTES) % DAY_MINUTES;
  // A window that ends at or before its start time ends on the following day.
  const endDayShift = end < start ? 1 : 0;
  const cron = (minute: number, shift: number) =>
    `${minute % 60} ${Math.floor(minute / 60)} * * ${cronWeekdays(days.map((d) => d + shift))}`;
  return {
    type: "cron",
    name: `prescale-${w.name}`,
    timezone: w.timezone,
    start: cron(startMinute, startDayShift),
    end: cron(end, endDayShift),
    desiredReplicas: w.replicas,
  };
}

/** The cron triggers of a schedule, in order; window names must be unique. */
export function prescaleTriggers(windows: readonly PrescaleWindow[], options: PrescaleOptions = {}): CronTrigger[] {
  const seen = new Set<string>();
  for (const w of windows) {
    if (seen.has(w.name)) throw new PrescaleError(`prescale window "${w.name}" is defined twice`, "give each window its own name");
    seen.add(w.name);
  }
  return windows.map((w) => prescaleTrigger(w, options));
}
