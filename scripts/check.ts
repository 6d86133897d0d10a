/**
 * `npm run check [-- --env <name>] [-- --config <file.yaml|json>] [-- --json]`
 * Runs what synth runs — config validation, construct invariants, schema validation and the
 * cross-resource checks of stacks/checks — without writing anything, and lists every finding.
 * Exit 1 when any environment has an error (warnings alone exit 0). `--json` prints the findings
 * array (code, severity, env, resource, path, message, fix) for machines: run it as
 * `npm run -s check -- --json` (npm's `-s` drops its "> inference-scaling check" banner), and stdout
 * is exactly that JSON (also when a config is unreadable or malformed: those are findings).
 */
import { parseArgs } from "node:util";
import { formatProblem, UserError, type Problem } from "../problems/problem.js";
import { builtinSources, fileSource, type EnvSource } from "../stacks/load.js";
import { renderEnvironment } from "../stacks/synth.js";
import { parseEnvConfig } from "../stacks/validate.js";
import { ENV_NAMES } from "../stacks/envs/index.js";
import { requireNonEmpty, runCli } from "./cli.js";

/** Every problem of one environment, the way synth would stop on it: a user error's problems, or the render's warnings. */
async function checkSource(source: () => EnvSource): Promise<readonly Problem[]> {
  try {
    const s = source();
    const rendered = await renderEnvironment(parseEnvConfig(s.input, s.env));
    return rendered.warnings;
  } catch (e) {
    if (e instanceof UserError) return e.problems;
    throw e;
  }
}

void runCli(async () => {
  const { values } = parseArgs({
    options: {
      env: { type: "string", multiple: true },
      config: { type: "string", multiple: true },
      json: { type: "boolean", default: false },
    },
  });
  requireNonEmpty(values, { env: "prod", config: "my-env.yaml" });
  // Each built-in is resolved inside checkSource, so an unknown name or a registry mismatch is a finding (in --json too).
  const builtins = values.config?.length && !values.env ? [] : (values.env ?? ENV_NAMES);
  const sources: [string, () => EnvSource][] = [
    ...builtins.map((b): [string, () => EnvSource] => [b, () => builtinSources([b])[0]!]),
    ...(values.config ?? []).map((path): [string, () => EnvSource] => [path, () => fileSource(path)]),
  ];
  const findings: Problem[] = [];
  for (const [, source] of sources) findings.push(...(await checkSource(source)));
  const errors = findings.filter((f) => f.severity === "error").length;
  if (values.json) {
    console.log(JSON.stringify(findings, null, 2));
  } else {
    for (const f of findings) console.log(`${f.severity}: ${formatProblem(f)}`);
    console.log(`check: ${errors} error(s), ${findings.length - errors} warning(s) in ${sources.length} environment(s)`);
  }
  if (errors) process.exitCode = 1;
});
