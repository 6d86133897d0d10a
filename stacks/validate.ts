/**
 * Turns an env config input into an {@link EnvConfig} or a {@link ConfigError} whose every line
 * names the environment, the field path and the fix.
 */
import type { z } from "zod";
import { isProblemCode, type ProblemCode } from "../problems/codes.js";
import { UserError, type Problem } from "../problems/problem.js";
import { EnvConfigSchema, INPUT_DEFAULTS, type EnvConfig, type ServiceEnvConfig } from "./config.js";
import { expandServices, rememberViews, type ServiceView } from "./services.js";

/**
 * A problem with environment `env`'s config at `path` (dotted, e.g. `scaling.minReplicas`, array
 * indexes as `[0]`; "" for the config as a whole). Its code is a CONFIG_* code, or the code of the
 * check a schema invariant belongs to.
 */
export function configProblem(code: ProblemCode, env: string, path: string, message: string, fix: string): Problem {
  return { code, severity: "error", env, resource: `EnvConfig ${env}`, path, message, fix };
}

/** A config the program refuses: printed as one line per problem, never with a stack trace. */
export class ConfigError extends UserError {
  constructor(problems: readonly Problem[]) {
    super(problems, problems.map(formatConfigProblem).join("\n"));
  }
}

/** `CODE env "prod": scaling.minReplicas: message. Fix: fix` (the config resource is implied). */
function formatConfigProblem(p: Problem): string {
  return oneLine(`${p.code} env "${p.env}": ${p.path || "(config)"}: ${p.message}. Fix: ${p.fix}`);
}

// eslint-disable-next-line no-control-regex -- the characters a printed line must not hold raw
const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/;
const CONTROL = new RegExp(CONTROL_CHARACTER.source, "g");

/** A line break or other control character a config key or value brought in, written as its escape, so one problem stays one line. */
function oneLine(line: string): string {
  return line.replace(CONTROL, (c) => JSON.stringify(c).slice(1, -1));
}

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v;
}

/** A value as a message shows it: `the string "500ms"`, `true`, `an object`. */
function shown(v: unknown): string {
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return describe(v) === "object" ? "an object" : describe(v);
}

/** Fields whose numbers are seconds (KEDA's pollingInterval/cooldownPeriod are seconds too). */
function isSecondsField(path: readonly PropertyKey[]): boolean {
  const last = String(path[path.length - 1] ?? "");
  return /Seconds$/.test(last) || ["pollingInterval", "cooldownPeriod", "initialCooldownPeriod"].includes(last);
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, sec: 1, m: 60, min: 60, h: 3600 };

/** "500ms" → 0.5, "2m" → 120, "30 s" → 30; undefined when it is not a duration. */
function durationToSeconds(s: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)\s*$/.exec(s);
  return m ? Number((Number(m[1]) * UNIT_SECONDS[m[2]!]!).toPrecision(12)) : undefined;
}

/** invalid_type in user words: the expected kind (with the unit for seconds fields) and a fix that converts what was given. */
function wrongType(issue: z.core.$ZodIssueInvalidType): { message: string; fix: string } {
  const expected =
    issue.expected === "int"
      ? "whole number"
      : issue.expected === "record" || issue.expected === "object"
        ? "mapping (key: value)"
        : issue.expected;
  const seconds = (expected === "number" || expected === "whole number") && isSecondsField(issue.path);
  const kind = `${/^[aeiou]/.test(expected) ? "an" : "a"} ${expected}${seconds ? " of seconds, e.g. 0.5" : ""}`;
  if (issue.input === undefined) return { message: `is required: ${kind}`, fix: `set it to ${kind}` };
  const input = issue.input;
  let fix = `give ${kind}`;
  if (typeof input === "string" && (expected === "number" || expected === "whole number")) {
    const secs = seconds ? durationToSeconds(input) : undefined;
    if (secs !== undefined) fix = `write ${secs} (a number of seconds, without a unit or quotes)`;
    else if (input.trim() !== "" && Number.isFinite(Number(input))) fix = `write ${Number(input)} without quotes`;
  } else if (typeof input === "string" && expected === "boolean" && /^(true|false|yes|no|on|off)$/i.test(input.trim())) {
    fix = `write ${/^(true|yes|on)$/i.test(input.trim()) ? "true" : "false"} without quotes`;
  } else if (typeof input === "number" && expected === "string") {
    fix = `quote it: "${input}"`;
  }
  return { message: `must be ${kind}, not ${shown(input)}`, fix };
}

/** zod's own wording ("Invalid input: expected …", "Too small: …"), which user messages never show. */
const ZOD_WORDING = /^(Invalid|Too (small|big)|Expected|expected)\b/;

/** The fix for a zod issue: custom issues carry theirs after "Fix:", built-in codes get one here. */
function splitFix(issue: z.core.$ZodIssue): { message: string; fix: string } {
  const msg = issue.message;
  const at = msg.indexOf(" Fix: ");
  if (at >= 0) return { message: msg.slice(0, at).replace(/\.$/, ""), fix: msg.slice(at + 6) };
  const ours = !ZOD_WORDING.test(msg);
  switch (issue.code) {
    case "unrecognized_keys":
      return {
        message: `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`,
        fix: "remove it or correct its spelling (see stacks/config.ts for the fields)",
      };
    case "invalid_type": {
      if (typeof issue.input === "number" && !Number.isFinite(issue.input)) {
        return { message: `${issue.input} is not a finite number`, fix: "use a number within the documented range" };
      }
      const w = wrongType(issue);
      // Our own "<field> must be a number" says it already; keep the converted value and the unit.
      return ours && issue.input !== undefined
        ? { message: `${msg.replace(/\.$/, "")}${isSecondsField(issue.path) ? " of seconds" : ""}, not ${shown(issue.input)}`, fix: w.fix }
        : w;
    }
    case "invalid_key": {
      const inner = issue.issues[0]?.message ?? msg;
      const i = inner.indexOf(" Fix: ");
      return {
        message: `key ${JSON.stringify(issue.path[issue.path.length - 1])}: ${(i >= 0 ? inner.slice(0, i) : inner).replace(/\.$/, "")}`,
        fix: i >= 0 ? `rename the key; ${inner.slice(i + 6)}` : "rename the key",
      };
    }
    case "invalid_value":
      return {
        message: ours ? msg : `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, not ${shown(issue.input)}`,
        fix: `use one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "too_small": {
      const n = String(issue.minimum);
      const what =
        issue.origin === "string" ? `at least ${n} character(s)` : issue.origin === "array" ? `at least ${n} item(s)` : `at least ${n}`;
      return {
        message: ours
          ? msg
          : issue.origin === "string" || issue.origin === "array"
            ? `must have ${what}`
            : `must be ${what}, not ${shown(issue.input)}`,
        fix: issue.origin === "string" ? `give ${what}` : issue.origin === "array" ? `list ${what}` : `use a value of at least ${n}`,
      };
    }
    case "too_big": {
      const n = String(issue.maximum);
      return {
        message: ours
          ? msg
          : issue.origin === "string"
            ? `must have at most ${n} character(s)`
            : issue.origin === "array"
              ? `must have at most ${n} item(s)`
              : `must be at most ${n}, not ${shown(issue.input)}`,
        fix: `use a value of at most ${n}`,
      };
    }
    case "invalid_format":
      return { message: ours ? msg : `is not a valid ${issue.format} (got ${shown(issue.input)})`, fix: `give a valid ${issue.format}` };
    case "invalid_union":
      return {
        message: ours ? msg : `does not match any accepted shape (got ${shown(issue.input)})`,
        fix: "match one of the documented shapes (see stacks/config.ts)",
      };
    case "custom":
    case "invalid_element":
    case "not_multiple_of":
      return {
        message: ours ? msg : `is not valid (got ${shown((issue as { input?: unknown }).input)})`,
        fix: "correct the value as described in stacks/config.ts",
      };
  }
}

/** The stable code of a zod issue (custom issues carry theirs in `params.code`). */
function codeOf(issue: z.core.$ZodIssue): ProblemCode {
  if (issue.code === "custom") {
    const code = issue.params?.code as string | undefined;
    return code !== undefined && isProblemCode(code) ? code : "CONFIG_INVALID";
  }
  if (issue.code !== "unrecognized_keys" && issue.input === undefined) return "CONFIG_MISSING";
  switch (issue.code) {
    case "unrecognized_keys":
      return "CONFIG_UNKNOWN_KEY";
    case "invalid_type":
      // 1e400 parses to Infinity: a huge number, not a wrong type.
      return typeof issue.input === "number" && !Number.isFinite(issue.input) ? "CONFIG_RANGE" : "CONFIG_INVALID_TYPE";
    case "invalid_union":
      return "CONFIG_INVALID_TYPE";
    case "too_small":
      return (issue.origin === "string" || issue.origin === "array") && Number(issue.minimum) === 1 ? "CONFIG_EMPTY" : "CONFIG_RANGE";
    case "too_big":
      return "CONFIG_RANGE";
    case "invalid_format":
    case "invalid_key":
      return "CONFIG_FORMAT";
    case "invalid_value":
      return "CONFIG_INVALID_VALUE";
    case "invalid_element":
    case "not_multiple_of":
      return "CONFIG_INVALID";
  }
}

/**
 * The environment's name in messages: the config's `name` when it is one a line can show (not
 * empty, no line breaks or other control characters, not absurdly long), else `env` (the
 * file's or registry's name), so every line still says which environment it is about.
 */
function messageName(input: unknown, env: string): string {
  const name = input && typeof input === "object" ? (input as { name?: unknown }).name : undefined;
  return typeof name === "string" && name.trim() !== "" && name.length <= 63 && !CONTROL_CHARACTER.test(name) ? name : env;
}

/** Validates `input` for environment `env` (the name used in messages when input lacks one). */
export function parseEnvConfig(input: unknown, env: string): EnvConfig {
  const name = messageName(input, env);
  if (!input || typeof input !== "object" || Array.isArray(input)) return parseView(input, name, undefined);
  const { views, problems: shape } = expandServices(input as Record<string, unknown>, INPUT_DEFAULTS.serviceName);
  const byField = new Map<string, Problem>();
  for (const p of shape) {
    const field = fieldPath(p.path);
    if (!byField.has(field)) byField.set(field, configProblem(p.code, name, field, p.message, p.fix));
  }
  const parsed: ServiceEnvConfig[] = [];
  for (const view of views) {
    try {
      parsed.push(parseView(view.input, name, view));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      // Env-level problems show once, however many views carry them.
      for (const p of e.problems) if (!byField.has(p.path)) byField.set(p.path, p);
    }
  }
  if (byField.size > 0) throw new ConfigError([...byField.values()]);
  const config: EnvConfig = { ...parsed[0]!, services: parsed };
  // The checks name a finding's field the way the schema does (services[i]… or defaults…).
  rememberViews(config, views);
  return config;
}

/**
 * Parses one service's view (the single-service shape); `view` maps each problem back to the
 * field the user wrote and names the service when the environment has several.
 */
function parseView(input: unknown, name: string, view: ServiceView | undefined): ServiceEnvConfig {
  // reportInput: issues carry the offending value, so "wrong type" is not mistaken for "missing".
  const result = EnvConfigSchema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  // One line per field: zod may report several failed checks on one value; the first says enough.
  const byField = new Map<string, Problem>();
  for (const issue of result.error.issues) {
    const viewField = fieldPath(issue.path);
    const source = view ? view.sourcePath(issue.path as (string | number)[]) : [...issue.path];
    const field = fieldPath(source);
    if (byField.has(field)) continue;
    const { message, fix } = splitFix(issue);
    // Messages written as "<field> must ..." need not repeat the field the line already names.
    const trimmed = viewField && message.startsWith(`${viewField} `) ? message.slice(viewField.length + 1) : message;
    const named =
      view && source[0] === "services"
        ? `service ${JSON.stringify(view.name)}: ${trimmed}`
        : view && source[0] === "defaults"
          ? `for service ${JSON.stringify(view.name)}: ${trimmed}`
          : trimmed;
    byField.set(field, configProblem(codeOf(issue), name, field, named, fix));
  }
  throw new ConfigError([...byField.values()]);
}
