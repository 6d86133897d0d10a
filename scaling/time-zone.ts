/** Answers so far: building an Intl.DateTimeFormat costs about a millisecond, and every config and construct asks again. */
const KNOWN = new Map<string, boolean>();

/** True when `tz` is an IANA time zone name this runtime knows (what KEDA's cron scaler loads). */
export function isTimeZone(tz: string): boolean {
  if (tz.length === 0) return false;
  let known = KNOWN.get(tz);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      known = true;
    } catch {
      known = false;
    }
    if (KNOWN.size >= 1000) KNOWN.clear();
    KNOWN.set(tz, known);
  }
  return known;
}
