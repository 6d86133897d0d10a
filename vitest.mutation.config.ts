/**
 * The suite as Stryker runs it (`npm run mutation`): the same tests minus the files whose tests
 * work through child processes (the CLIs, promtool, the bad-config corpus, `pulumi` itself). A
 * child process never activates a mutant, so those tests cannot kill one; they only cost seconds
 * each. `npm test` runs them all (vitest.config.ts).
 */
import { suite } from "./vitest.config.js";

const config = suite([
  "test/stacks/checks/corpus.test.ts",
  "test/stacks/checks/envs-cli.test.ts",
  "test/stacks/diff.test.ts",
  "test/simulator/hpa/validate-cli.test.ts",
  "test/infra/project.test.ts",
  "test/rules/promtool.test.ts",
  "test/scripts/simulate.test.ts",
]);

// Without vitest's on-disk module cache: with it, every mutant run after the first killed mutant
// ran no test at all (Stryker counted them all as survivors; quantity.ts scored 0.3 %).
config.test!.experimental = { ...config.test!.experimental, fsModuleCache: false };

// The caches that outlive a mutant cleared before each test (test/helpers/clear-caches.ts says why).
config.test!.setupFiles = ["test/helpers/clear-caches.ts"];

export default config;
