/** `npm run simulate -- --config <file>`, as synth and check take a config file. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { envInput } from "../helpers/env.js";
import { runScript } from "../helpers/cli.js";

const CLI = "scripts/simulate.ts";

describe("npm run simulate --config", () => {
  it("simulates a config file given with --config, the same as with --env", () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-config-"));
    const file = join(dir, "staging-copy.yaml");
    writeFileSync(file, stringify({ ...envInput("staging"), name: "staging-copy" }));
    const viaConfig = runScript(CLI, ["--config", file, "--scenario", "spike", "--mode", "keda", "--out", join(dir, "a")]);
    expect(viaConfig.stderr).toBe("");
    expect(viaConfig.code).toBe(0);
    const viaEnv = runScript(CLI, ["--env", file, "--scenario", "spike", "--mode", "keda", "--out", join(dir, "b")]);
    expect(viaEnv.code).toBe(0);
    const csv = (d: string) => readFileSync(join(dir, d, "staging-copy-spike-keda.csv"), "utf8");
    expect(csv("a")).toBe(csv("b"));
  });

  it("--env and --config together, or --config naming no file type: a usage error (exit 2)", () => {
    const both = runScript(CLI, ["--env", "prod", "--config", "x.yaml", "--scenario", "spike"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give --env or --config, not both/);
    const builtin = runScript(CLI, ["--config", "prod", "--scenario", "spike"]);
    expect(builtin.code).toBe(2);
    expect(builtin.stderr).toMatch(/--config prod: give a \.yaml, \.yml or \.json file/);
    expect(builtin.stderr).not.toMatch(/\n\s+at /);
  });
});
