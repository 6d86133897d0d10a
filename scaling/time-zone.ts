/** True when `tz` is an IANA time zone name this runtime knows (what KEDA's cron scaler loads). */
export function isTimeZone(tz: string): boolean {
  if (tz.length === 0) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
