/** Env inputs for the synth benchmark: N distinct services per built-in environment. */
import { INPUT_DEFAULTS, type EnvConfigInput } from "../stacks/config.js";
import { ENVIRONMENTS } from "../stacks/envs/index.js";

/**
 * The built-in env with the i-th service's own name (`inference-007`); pre-scaling windows that
 * targeted the env's service follow it to its new name.
 */
export function envInputWithService(env: string, i: number): EnvConfigInput {
  const base = structuredClone(ENVIRONMENTS[env]!);
  const first = base.services[0]!;
  const original = first.name ?? INPUT_DEFAULTS.serviceName;
  const name = `inference-${String(i).padStart(3, "0")}`;
  return {
    ...base,
    services: [{ ...first, name }, ...base.services.slice(1)],
    ...(base.prescaling ? { prescaling: base.prescaling.map((w) => (w.target === original ? { ...w, target: name } : w)) } : {}),
  };
}

/**
 * One environment serving `n` models (the `models` env: its text service, then `n - 1` copies of
 * its embedding service under their own names), with a quota all maxima fit into.
 */
export function envInputWithModels(n: number): EnvConfigInput {
  const base = structuredClone(ENVIRONMENTS.models!);
  const [text, embedding] = base.services;
  const copies = Array.from({ length: n - 1 }, (_, i) => ({ ...embedding!, name: `embedding-${String(i).padStart(3, "0")}` }));
  // text 8 × 2 CPU / 4Gi, each copy 6 × 1 CPU / 2Gi, twice over for rollout headroom
  return {
    ...base,
    services: [text!, ...copies],
    capacity: { cpu: String(2 * (16 + 6 * (n - 1))), memory: `${2 * (32 + 12 * (n - 1))}Gi` },
  };
}

/** One `npm run -s hpa-step` case (a CPU HPA at 3 replicas, 70 % of requests used): the bench's and the build tests'. */
export const HPA_CASE = JSON.stringify({
  spec: {
    minReplicas: 1,
    maxReplicas: 10,
    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }],
  },
  currentReplicas: 3,
  observations: [{ pods: ["500m", "900m", "700m"].map((value) => ({ value, request: "1" })) }],
  history: { recommendations: [] },
});
