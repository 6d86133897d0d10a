import { defineConfig } from "vitest/config";

/**
 * Test files that mock modules (`vi.mock`): a mock applies only to modules loaded after it, so
 * these run in workers of their own. In a shared worker an earlier file has already loaded the
 * real module and the mock silently does nothing (and their mocks must not leak into other files).
 */
const MOCKING = ["test/stacks/problems.test.ts"];
/**
 * Test files that mock `stacks/stack.js` with one and the same factory (test/helpers/stack-hook.ts)
 * and reset their hook after each test: they share workers of their own (apart from the files that
 * load the real module), loading the mocked module graph once per worker.
 */
const HOOKED = ["test/stacks/synth-refuses.test.ts", "test/infra/secret-keys.test.ts"];

/** The suite without the `exclude`d files (the mutation run leaves some out: vitest.mutation.config.ts). */
export function suite(exclude: readonly string[] = []) {
  return defineConfig({
    test: {
      testTimeout: 60_000,
      hookTimeout: 60_000,
      pool: "forks",
      // vitest's default on 2 cores is one worker; many tests wait on children (promtool, the CLIs),
      // so two files run at once.
      maxWorkers: 2,
      experimental: { fsModuleCache: true, fsModuleCachePath: ".tmp/vitest-modules" },
      projects: [
        {
          extends: true,
          test: {
            name: "shared",
            include: ["test/**/*.test.ts"],
            exclude: [...MOCKING, ...HOOKED, ...exclude],
            // Files in one worker share loaded modules (cdk8s, cdk8s-plus, kubernetes-models, zod, the
            // stacks) and their caches instead of loading and rendering them again per file. No test
            // of this project mocks modules or changes process-wide state (building a stack installs
            // kube/plain-json.ts's ApiObject.toJson, whose output equals cdk8s's own: held by its test).
            isolate: false,
          },
        },
        { extends: true, test: { name: "isolated", include: MOCKING.filter((f) => !exclude.includes(f)), isolate: true } },
        { extends: true, test: { name: "hooked", include: HOOKED.filter((f) => !exclude.includes(f)), isolate: false } },
      ],
    },
  });
}

export default suite();
