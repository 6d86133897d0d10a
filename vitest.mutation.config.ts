/**
 * The suite as Stryker runs it (`npm run mutation`): the same tests minus the files whose tests
 * work through child processes (the CLIs, promtool, the bad-config corpus, `pulumi` itself). A
 * child process never activates a mutant, so those tests cannot kill one; they only cost seconds
 * each. `npm test` runs them all (vitest.config.ts).
 */
import { suite } from "./vitest.config.js";

export default suite([
  "test/checks/corpus.test.ts",
  "test/diff.test.ts",
  "test/hpa/validate-cli.test.ts",
  "test/infra/project.test.ts",
  "test/monitoring/promtool.test.ts",
  "test/simulator/cli.test.ts",
]);
