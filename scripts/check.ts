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
import { formatFinding, type Finding } from "../stacks/checks/index.js";
import { builtinSources, fileSource, type EnvSource } from "../stacks/load.js";
import { renderEnvironment } from "../stacks/synth.js";
import { SynthError } from "../stacks/errors.js";
import { ConfigError, parseEnvConfig } from "../stacks/validate.js";
import { ENV_NAMES } from "../stacks/envs/index.js";
import { requireNonEmpty, runCli } from "./cli.js";

function configFindings(e: ConfigError): Finding[] {
  return e.problems.map((p) => ({ code: p.code, severity: "error", env: p.env, resource: `EnvConfig ${p.env}`, path: p.field, message: p.message, fix: p.fix }));
}

/** SynthError lines that carry no structured finding (schema, duplicates): `CODE env "x": message. Fix: fix`. */
function lineFindings(e: SynthError, env: string): Finding[] {
  if (e.findings.length) return [...e.findings];
  return e.lines.map((line) => {
    const m = /^([A-Z][A-Z0-9_-]+) env "([^"]*)": (.*)$/s.exec(line);
    const rest = m ? m[3]! : line;
    const at = rest.lastIndexOf(". Fix: ");
    return {
      code: m ? m[1]! : "CONSTRUCT_INVARIANT",
      severity: "error",
      env: m ? m[2]! : env,
      resource: "",
      path: "",
      message: at >= 0 ? rest.slice(0, at) : rest,
      fix: at >= 0 ? rest.slice(at + 7) : "",
    };
  });
}

/** Every finding of one environment, the way synth would stop on it. */
async function checkSource(source: () => EnvSource, name: string): Promise<Finding[]> {
  let s: EnvSource;
  try {
    s = source();
  } catch (e) {
    if (e instanceof ConfigError) return configFindings(e);
    throw e;
  }
  try {
    const rendered = await renderEnvironment(parseEnvConfig(s.input, s.env));
    return [...rendered.warnings];
  } catch (e) {
    if (e instanceof ConfigError) return configFindings(e);
    if (e instanceof SynthError) return lineFindings(e, name);
    throw e;
  }
}

await runCli(async () => {
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
  const findings: Finding[] = [];
  for (const [name, source] of sources) findings.push(...(await checkSource(source, name)));
  const errors = findings.filter((f) => f.severity === "error").length;
  if (values.json) {
    console.log(JSON.stringify(findings, null, 2));
  } else {
    for (const f of findings) console.log(`${f.severity}: ${formatFinding(f)}`);
    console.log(`check: ${errors} error(s), ${findings.length - errors} warning(s) in ${sources.length} environment(s)`);
  }
  if (errors) process.exitCode = 1;
});
