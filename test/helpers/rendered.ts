/**
 * The built-in environments rendered once per test worker and shared by every test file that
 * reads them without changing them (vitest.config.ts: `isolate: false`, so the files of a worker
 * share this module). A test that needs a fresh render (determinism, a patched config) renders its own.
 */
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { buildStack, type EnvironmentStack } from "../../stacks/stack.js";
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

const STACKS = new Map<string, EnvironmentStack>();

/**
 * Built-in environment `name`'s stack (`buildStack` of its config), built once per test worker and
 * shared by the files that only read it. A test that changes a stack (adds a construct) builds its own
 * (`stackFor`).
 */
export function builtStack(name: string): EnvironmentStack {
  let s = STACKS.get(name);
  if (!s) STACKS.set(name, (s = buildStack(envConfig(name))));
  return s;
}
