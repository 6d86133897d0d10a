import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // vitest's default on 2 cores is one worker; many tests wait on children (promtool, the CLIs),
    // so two files run at once.
    maxWorkers: 2,
    // Files in one worker share loaded modules (cdk8s, cdk8s-plus, kubernetes-models, zod, the
    // stacks) and their caches instead of loading and rendering them again per file. No test mocks
    // modules or changes process-wide state.
    isolate: false,
  },
});
