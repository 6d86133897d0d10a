/** Env inputs for the synth benchmark: N distinct services per built-in environment. */
import { INPUT_DEFAULTS, type EnvConfigInput } from "../stacks/config.js";
import { ENVIRONMENTS } from "../stacks/envs/index.js";

/**
 * The built-in env with the i-th service's own name (`inference-007`); pre-scaling windows that
 * targeted the env's service follow it to its new name.
 */
export function envInputWithService(env: string, i: number): EnvConfigInput {
  const base = structuredClone(ENVIRONMENTS[env]!);
  const original = base.service.name ?? INPUT_DEFAULTS.serviceName;
  const name = `inference-${String(i).padStart(3, "0")}`;
  return {
    ...base,
    service: { ...base.service, name },
    ...(base.prescaling ? { prescaling: base.prescaling.map((w) => (w.target === original ? { ...w, target: name } : w)) } : {}),
  };
}
