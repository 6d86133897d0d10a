/**
 * Pre-scaling windows the environment declares but nothing applies. A window becomes a KEDA cron
 * trigger in its target's ScaledObject (stacks/prescaling.ts); the inference service has one only
 * in scaling mode `keda`. In the HPA modes (cpu-hpa, slo-hpa) the service's autoscaler is an HPA,
 * which has no schedule: the config validates, synth succeeds, and the replicas the window asks
 * for never arrive. Config phase only: the symptom is an absence nothing rendered can show.
 */
import type { CheckContext } from "./context.js";

const DAY_ORDER = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

/** `mon–fri`, `sat, sun`, or every day: readable day lists for messages. */
function days(weekdays: readonly string[]): string {
  const idx = [...new Set(weekdays)].map((d) => DAY_ORDER.indexOf(d as (typeof DAY_ORDER)[number])).sort((a, b) => a - b);
  if (idx.length === 7) return "every day";
  const contiguous = idx.length > 2 && idx.every((d, i) => i === 0 || d === idx[i - 1]! + 1);
  return contiguous ? `${DAY_ORDER[idx[0]!]}–${DAY_ORDER[idx[idx.length - 1]!]}` : idx.map((d) => DAY_ORDER[d]).join(", ");
}

/** PRESCALE_NOT_APPLIED (warning): a window on the inference service while an HPA scales it. */
export function checkPrescaleApplied(ctx: CheckContext): void {
  const { config } = ctx;
  if (config.scaling.mode === "keda") return;
  const service = config.service.name;
  (config.prescaling ?? []).forEach((w, i) => {
    if (w.target !== service) return;
    ctx.sink.warning(
      "PRESCALE_NOT_APPLIED",
      ctx.configResource,
      ["prescaling", i, "target"],
      `window "${w.name}" (${days(w.weekdays)} ${w.start}–${w.end} ${w.timezone}, ${w.replicas} replicas) targets the inference service "${service}", but scaling.mode ${config.scaling.mode} scales it with an HPA, which has no schedule: the window is silently not applied (only KEDA turns it into a cron trigger)`,
      `set scaling.mode to keda (the window becomes a cron trigger on the service's ScaledObject), or raise scaling.minReplicas to ${w.replicas} to hold those replicas at all hours`,
    );
  });
}
