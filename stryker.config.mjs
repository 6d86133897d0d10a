// StrykerJS mutation testing (`npm run mutation`): how many injected bugs the suite catches in the
// modules where a silent bug costs most. Not part of `npm test` or CI (it takes far longer).
// One module: `npm run mutation -- --mutate 'stacks/checks/**/*.ts' --incrementalFile reports/mutation/checks.json`
// (its own incremental file, so runs of different modules do not overwrite each other's results).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  // Per mutant, only the tests that cover it, among the test files that import the mutated file.
  vitest: { configFile: "vitest.mutation.config.ts", related: true },
  coverageAnalysis: "perTest",
  // A static mutant (module-level constants) runs every related test file, ~30 s each on 2 shared
  // cores: skipped (reported as Ignored, outside the score). Their values are pinned by unit tests.
  ignoreStatic: true,
  mutate: [
    "simulator/hpa/**/*.ts",
    // Entry points, exercised through child processes (no coverage a mutant run could see).
    "!scripts/hpa-step.ts",
    "!simulator/hpa/index.ts",
    "constructs/keda-scaled-object.ts",
    "constructs/hpa.ts",
    "scaling/autoscaler-common.ts",
    "stacks/checks/**/*.ts",
    "stacks/synth.ts",
    // infra's Secret wiring: which Secrets, under which keys, from which reads; and their registration.
    "infra/secret-wiring.ts",
    "infra/config-secret.ts",
  ],
  // Re-runs only mutants whose code or covering tests changed since the last run. The file is a
  // local cache (gitignored): without it Stryker simply tests everything.
  incremental: true,
  incrementalFile: "reports/mutation/stryker-incremental.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  // 2 shared cores: one vitest worker per Stryker process.
  concurrency: 2,
  timeoutMS: 10000,
  // The initial run is most of the suite in one vitest worker (synth.ts and checks are imported by
  // nearly every test).
  dryRunTimeoutMinutes: 30,
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
};
