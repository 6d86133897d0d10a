/** Pre-scaling windows from the env config, as KEDA cron triggers for one target workload. */
import type { CronTrigger } from "../constructs/keda-scaled-object.js";
import { prescaleTriggers, type PrescaleWindow } from "../scaling/prescaling.js";
import type { EnvConfig } from "./config.js";

/** The pre-scaling windows of config targeting `target`, as typed schedule windows. */
export function prescaleWindowsFor(config: EnvConfig, target: string): PrescaleWindow[] {
  return (config.prescaling ?? [])
    .filter((w) => w.target === target)
    .map((w) => ({ name: w.name, timezone: w.timezone, weekdays: w.weekdays, start: w.start, end: w.end, replicas: w.replicas }));
}

export function cronTriggersFor(
  config: EnvConfig,
  target: string,
  leadSeconds: number,
  bounds: { min: number; max: number },
): CronTrigger[] {
  return prescaleTriggers(prescaleWindowsFor(config, target), { leadSeconds, bounds });
}
