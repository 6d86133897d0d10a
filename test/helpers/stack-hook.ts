/**
 * Breaks or extends the stack every `buildStack` returns, for tests that prove what synth or the
 * Pulumi program does with a construct bug. In the test file:
 *   vi.mock("<path>/stacks/stack.js", async (orig) => (await import("<path>/helpers/stack-hook.js")).hookedStackModule(orig));
 * then `onBuildStack((s) => ...)` before the call, `onBuildStack(undefined)` after.
 */
import type { EnvironmentStack } from "../../stacks/stack.js";

type StackModule = typeof import("../../stacks/stack.js");
let hook: ((s: EnvironmentStack) => void) | undefined;

export function onBuildStack(fn: ((s: EnvironmentStack) => void) | undefined): void {
  hook = fn;
}

export async function hookedStackModule(importOriginal: () => Promise<unknown>): Promise<StackModule> {
  const real = (await importOriginal()) as StackModule;
  return {
    ...real,
    buildStack: (config) => {
      const s = real.buildStack(config);
      hook?.(s);
      return s;
    },
  };
}
