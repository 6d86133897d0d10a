// StrykerJS mutation testing (`npm run mutation`): how many injected bugs the tests catch in the
// modules where a silent bug costs most. Not part of `npm test` or CI (it takes far longer).
//
// Per module (what you run while working; README "Mutation testing"):
//   MUTATION_MODULE=checks npm run mutation
// mutates that module only and runs only its own test files (`testFiles`): the score is what the
// module's dedicated tests catch, a lower bound of the whole suite's, and a mutant run costs a few
// seconds instead of the 10–15 s of the suite's rendering tests. Each module has its own
// incremental file and report, so runs of different modules do not overwrite each other's results.
// Without MUTATION_MODULE: every module at once against the whole suite (related tests): hours.

import { readdirSync } from "node:fs";

/**
 * The checks' own test files without envs.test.ts, which renders the six built-in environments
 * through the constructs: every config-phase mutant is covered by it, and on the shared 2 cores
 * it costs ~10 s per mutant. Its tests run in `npm test`; the score without them is a lower bound.
 * (corpus and envs-cli spawn the CLIs: vitest.mutation.config.ts leaves them out of every module.)
 */
const CHECKS_UNIT_TESTS = readdirSync(new URL("./test/stacks/checks/", import.meta.url))
  .filter((f) => f.endsWith(".test.ts") && !["envs.test.ts", "envs-cli.test.ts", "corpus.test.ts"].includes(f))
  .sort()
  .map((f) => `test/stacks/checks/${f}`);

/** Module → the files it mutates and the test files that are its own. */
export const MODULES = {
  hpa: {
    mutate: ["simulator/hpa/**/*.ts", "!simulator/hpa/index.ts"],
    testFiles: ["test/simulator/hpa/**/*.test.ts"],
  },
  autoscalers: {
    mutate: ["constructs/keda-scaled-object.ts", "constructs/hpa.ts", "scaling/autoscaler-common.ts"],
    // Their unit tests (test/stacks/autoscaling.test.ts renders whole stacks: the checks' and synth's share).
    testFiles: [
      "test/constructs/keda-scaled-object.test.ts",
      "test/constructs/hpa.test.ts",
      "test/scaling/autoscaler-common.test.ts",
      "test/constructs/trigger-authentication.test.ts",
    ],
  },
  checks: {
    mutate: ["stacks/checks/**/*.ts"],
    testFiles: ["test/stacks/checks/**/*.test.ts"],
  },
  // The same mutants against the unit tests only (CHECKS_UNIT_TESTS): what the per-file table in
  // docs/testing.md was measured with.
  "checks-unit": {
    mutate: ["stacks/checks/**/*.ts"],
    testFiles: CHECKS_UNIT_TESTS,
  },
  synth: {
    mutate: ["stacks/synth.ts"],
    testFiles: [
      "test/stacks/synth.test.ts",
      "test/stacks/synth-refuses.test.ts",
      "test/stacks/write-dist.test.ts",
      "test/stacks/json-bytes-bound.test.ts",
    ],
  },
  // The ApiObject JSON shortcut every rendered object goes through (equal to cdk8s's own or not taken).
  "plain-json": {
    mutate: ["kube/plain-json.ts"],
    testFiles: ["test/kube/plain-json.test.ts"],
  },
  // infra's Secret wiring: which Secrets, under which keys, from which reads; and their registration.
  infra: {
    mutate: ["infra/secret-wiring.ts", "infra/config-secret.ts"],
    testFiles: ["test/infra/**/*.test.ts"],
  },
};

const moduleName = process.env.MUTATION_MODULE || undefined;
if (moduleName !== undefined && !(moduleName in MODULES)) {
  throw new Error(`MUTATION_MODULE=${moduleName} is not a module; one of ${Object.keys(MODULES).join(", ")}`);
}
const selected = moduleName ? MODULES[moduleName] : undefined;
const reportDir = `reports/mutation/${moduleName ?? "all"}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  // Per mutant, only the tests that cover it, among the test files that import the mutated file.
  vitest: { configFile: "vitest.mutation.config.ts", related: true },
  coverageAnalysis: "perTest",
  // A static mutant (module-level constants) runs every related test file: skipped (reported as
  // Ignored, outside the score). Their values are pinned by unit tests.
  ignoreStatic: true,
  mutate: selected ? selected.mutate : Object.values(MODULES).flatMap((m) => m.mutate),
  ...(selected ? { testFiles: selected.testFiles } : {}),
  // Re-runs only mutants whose code or covering tests changed since the last run. The file is a
  // local cache (reports/ is gitignored): without it Stryker simply tests everything.
  incremental: true,
  incrementalFile: `${reportDir}/incremental.json`,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: `${reportDir}/index.html` },
  jsonReporter: { fileName: `${reportDir}/mutation.json` },
  // 2 shared cores: one Stryker worker (one vitest worker); `--concurrency 2` on an idle machine.
  concurrency: 1,
  timeoutMS: 10000,
  // The initial run of the whole scope is most of the suite in one vitest worker (synth.ts and
  // checks are imported by nearly every test).
  dryRunTimeoutMinutes: 30,
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: ".stryker-tmp",
  // Not copied to the sandbox: the CLI bundle (a `.build` symlink to a directory, which Stryker's
  // copy fails on with EISDIR once `npm test` or a CLI has built it) and scratch output.
  ignorePatterns: ["/.build", "/.build-*", "/.build.*", "/.tmp", "/cdk8s.out", "/simulation"],
  cleanTempDir: true,
};
