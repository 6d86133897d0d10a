/**
 * KEDA's cron scaler on the simulated clock. Standard 5-field cron expressions (minute hour
 * day-of-month month day-of-week; `*`, lists, ranges, steps, JAN–DEC / SUN–SAT names; robfig/cron's
 * rule that day-of-month and day-of-week are OR-ed when both are restricted). A trigger is active
 * when its next end comes no later than its next start (KEDA's IsActive): inside a window.
 *
 * The simulated clock: second t of a scenario is `clockOffsetSeconds + t` after Monday 00:00, read
 * as local time in the trigger's time zone (daylight-saving changes are not simulated).
 */

/** A Monday, 00:00 UTC: the calendar the simulated clock counts from. */
const MONDAY = Date.UTC(2024, 0, 1);

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

import { InvariantError } from "../problems/problem.js";

export class CronError extends InvariantError {
  constructor(message: string) {
    super(message, "write a 5-field cron expression, e.g. 0 8 * * 1-5", "CRON_INVALID");
  }
}

interface Field {
  readonly bits: bigint;
  readonly star: boolean;
}

export interface CronSchedule {
  readonly minute: Field;
  readonly hour: Field;
  readonly dom: Field;
  readonly month: Field;
  readonly dow: Field;
}

function parseField(text: string, min: number, max: number, names: readonly string[] | null, what: string): Field {
  let bits = 0n;
  const value = (s: string): number => {
    const i = names ? names.indexOf(s.toLowerCase()) : -1;
    const n = i >= 0 ? i + (names === MONTHS ? 1 : 0) : /^\d+$/.test(s) ? Number(s) : NaN;
    const v = names === DAYS && n === 7 ? 0 : n; // 7 is Sunday too
    if (!Number.isInteger(v) || v < min || v > max) throw new CronError(`${what} "${s}" is outside ${min}–${max}`);
    return v;
  };
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronError(`${what} step "${stepText}" is not a whole number ≥ 1`);
    let lo: number;
    let hi: number;
    if (range === "*" || range === "?") {
      lo = min;
      hi = names === DAYS ? 6 : max;
    } else if (range!.includes("-")) {
      const [a, b] = range!.split("-");
      lo = value(a!);
      hi = names === DAYS && b === "7" ? 7 : value(b!);
    } else {
      lo = value(range!);
      hi = stepText === undefined ? lo : names === DAYS ? 6 : max;
    }
    if (hi < lo) throw new CronError(`${what} range "${range}" ends before it starts`);
    for (let v = lo; v <= hi; v += step) bits |= 1n << BigInt(names === DAYS ? v % 7 : v);
  }
  // robfig/cron: only a bare * or ? is "unrestricted" (a */n step is a restriction)
  return { bits, star: text === "*" || text === "?" };
}

/** Parses a 5-field cron expression; throws {@link CronError} naming the bad field. */
export function parseCron(expr: string): CronSchedule {
  const f = expr.trim().split(/\s+/);
  if (f.length !== 5) throw new CronError(`"${expr}" has ${f.length} fields, not 5 (minute hour day-of-month month day-of-week)`);
  return {
    minute: parseField(f[0]!, 0, 59, null, "minute"),
    hour: parseField(f[1]!, 0, 23, null, "hour"),
    dom: parseField(f[2]!, 1, 31, null, "day of month"),
    month: parseField(f[3]!, 1, 12, MONTHS, "month"),
    dow: parseField(f[4]!, 0, 7, DAYS, "day of week"),
  };
}

const has = (f: Field, v: number) => ((f.bits >> BigInt(v)) & 1n ? true : false);

/** True when the schedule fires at the start of simulated-clock minute `m` (minutes after Monday 00:00). */
export function cronMatchesMinute(s: CronSchedule, m: number): boolean {
  const d = new Date(MONDAY + m * 60000);
  if (!has(s.minute, d.getUTCMinutes()) || !has(s.hour, d.getUTCHours()) || !has(s.month, d.getUTCMonth() + 1)) return false;
  const dom = has(s.dom, d.getUTCDate());
  const dow = has(s.dow, d.getUTCDay());
  return s.dom.star || s.dow.star ? dom && dow : dom || dow;
}

/** Look this far ahead for the next start/end (a weekly schedule repeats within it). */
const LOOKAHEAD_MINUTES = 8 * 24 * 60;

/**
 * Whether a cron trigger is active at each simulated second of [fromSeconds, toSeconds): KEDA
 * computes the next start and the next end after now and is active when the end comes first.
 */
export class CronActivity {
  private readonly active: Uint8Array;
  private readonly firstMinute: number;

  constructor(
    start: string,
    end: string,
    fromSeconds: number,
    toSeconds: number,
    readonly clockOffsetSeconds: number,
  ) {
    const s = parseCron(start);
    const e = parseCron(end);
    this.firstMinute = Math.floor((clockOffsetSeconds + fromSeconds) / 60);
    const lastMinute = Math.floor((clockOffsetSeconds + toSeconds) / 60);
    this.active = new Uint8Array(lastMinute - this.firstMinute + 1);
    let nextStart = Infinity;
    let nextEnd = Infinity;
    for (let m = lastMinute + LOOKAHEAD_MINUTES; m >= this.firstMinute; m--) {
      // nextStart / nextEnd are the first matches strictly after minute m
      if (m <= lastMinute) this.active[m - this.firstMinute] = nextEnd !== Infinity && nextStart >= nextEnd ? 1 : 0;
      if (cronMatchesMinute(s, m)) nextStart = m;
      if (cronMatchesMinute(e, m)) nextEnd = m;
    }
  }

  /** Active at simulated second t. */
  at(t: number): boolean {
    return this.active[Math.floor((this.clockOffsetSeconds + t) / 60) - this.firstMinute] === 1;
  }
}

/** `mon 08:30`-style label of a clock offset. */
export function clockLabel(offsetSeconds: number): string {
  const d = new Date(MONDAY + offsetSeconds * 1000);
  const day = DAYS[d.getUTCDay()]!;
  return `${day[0]!.toUpperCase()}${day.slice(1)} ${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
}

/** Parses `mon 08:30` (weekday and 24 h time) into seconds after Monday 00:00; null when malformed. */
export function parseClock(text: string): number | null {
  // seconds are optional: a run started at a measured instant (the end-to-end suite) keeps them
  const m = /^(sun|mon|tue|wed|thu|fri|sat)\s+([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/i.exec(text.trim());
  if (!m) return null;
  const day = (DAYS.indexOf(m[1]!.toLowerCase()) + 6) % 7; // Monday = 0
  return day * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
}
