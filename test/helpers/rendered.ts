/**
 * The built-in environments rendered once per test worker and shared by every test file that
 * reads them without changing them (vitest.config.ts: `isolate: false`, so the files of a worker
 * share this module). A test that needs a fresh render (determinism, a patched config) renders its own.
 */
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { renderEnvironment, type RenderedEnv } from "../../stacks/synth.js";
import { envConfig } from "./env.js";

const RENDERS = new Map<string, Promise<RenderedEnv>>();

/** Built-in environment `name`, rendered (validated and checked) once. Do not mutate the result. */
export function renderedEnv(name: string): Promise<RenderedEnv> {
  let r = RENDERS.get(name);
  if (!r) {
    r = renderEnvironment(envConfig(name));
    RENDERS.set(name, r);
  }
  return r;
}

/** Every built-in environment, rendered once: env → file path → content. */
export async function renderedFiles(): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const env of ENV_NAMES) out[env] = Object.fromEntries((await renderedEnv(env)).files.map((f) => [f.path, f.content]));
  return out;
}
