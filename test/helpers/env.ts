/** Test helpers: built-in env configs, parsed, with optional overrides. */
import { ENVIRONMENTS } from "../../stacks/envs/index.js";
import type { EnvConfig, EnvConfigInput } from "../../stacks/config.js";
import { ConfigError, parseEnvConfig } from "../../stacks/validate.js";
import type { Problem } from "../../problems/problem.js";
import { buildStack } from "../../stacks/stack.js";

type DeepPartial<T> = T extends readonly (infer _U)[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

function merge(base: any, patch: any): any {
  if (patch === undefined) return base;
  if (patch === null || typeof patch !== "object" || Array.isArray(patch) || base === null || typeof base !== "object") return patch;
  const out: any = { ...base };
  for (const k of Object.keys(patch)) {
    if (patch[k] === undefined) delete out[k];
    else out[k] = merge(base[k], patch[k]);
  }
  return out;
}

/**
 * `patch` applied to an env input in the services form: its `service`, `scaling` and `slo` keys
 * (how most tests spell a change to the only service) go to `services[0]`; everything else
 * merges at the env level (arrays replace).
 */
export function patchInput(base: any, patch: any): any {
  if (patch === null || typeof patch !== "object") return merge(base, patch);
  const { service, scaling, slo, ...rest } = patch as Record<string, unknown>;
  const out = merge(base, rest);
  if (service === undefined && scaling === undefined && slo === undefined) return out;
  const services = Array.isArray(out.services) && out.services.length > 0 ? [...out.services] : [{}];
  services[0] = merge(services[0], {
    ...(service as object),
    ...(scaling !== undefined ? { scaling } : {}),
    ...(slo !== undefined ? { slo } : {}),
  });
  return { ...out, services };
}

/** The first service's entry of built-in env `name` (what tests read where they read `service`/`scaling`/`slo`). */
export function firstService(name: string): any {
  return ENVIRONMENTS[name]!.services[0]!;
}

/** dev as it was before it scaled to zero: no KEDA, cpu-hpa, one replica (for tests about a KEDA-less env). */
export const DEV_CPU_HPA = { cluster: { keda: false }, scaling: { mode: "cpu-hpa", minReplicas: 1, wakeUp: undefined } } as const;

/** The raw input of built-in env `name` with `patch` deep-merged (arrays replace). */
export function envInput(name: string, patch: DeepPartial<EnvConfigInput> | Record<string, unknown> = {}): EnvConfigInput {
  const base = ENVIRONMENTS[name];
  if (!base) throw new Error(`no env ${name}`);
  return patchInput(structuredClone(base), patch);
}

export function envConfig(name: string, patch: DeepPartial<EnvConfigInput> | Record<string, unknown> = {}): EnvConfig {
  return parseEnvConfig(envInput(name, patch), name);
}

export function stackFor(name: string, patch: DeepPartial<EnvConfigInput> | Record<string, unknown> = {}) {
  return buildStack(envConfig(name, patch));
}

/** All objects of a stack, by `Kind/name`. */
export function objectsByKey(stack: ReturnType<typeof buildStack>): Map<string, any> {
  return new Map(stack.objects().map((o: any) => [`${o.kind}/${o.metadata.name}`, o]));
}

/** The problems a config is rejected with; fails the test when it is accepted or fails otherwise. */
export function configProblems(input: unknown, env = "prod"): readonly Problem[] {
  try {
    parseEnvConfig(input, env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("config was accepted");
}
