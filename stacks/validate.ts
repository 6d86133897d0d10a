/**
 * Turns an env config input into an {@link EnvConfig} or a {@link ConfigError} whose every line
 * names the environment, the field path and the fix.
 */
import type { z } from "zod";
import { EnvConfigSchema, type EnvConfig } from "./config.js";

/**
 * Stable codes of config problems (CI and the bad-config corpus match on them, never on wording).
 * A cross-field invariant that a stacks/checks check also enforces carries that check's code.
 */
export type ConfigCode =
  | "CONFIG_SYNTAX"
  | "CONFIG_UNREADABLE"
  | "CONFIG_UNKNOWN_ENV"
  | "CONFIG_MISSING"
  | "CONFIG_INVALID_TYPE"
  | "CONFIG_UNKNOWN_KEY"
  | "CONFIG_EMPTY"
  | "CONFIG_RANGE"
  | "CONFIG_FORMAT"
  | "CONFIG_INVALID_VALUE"
  | "CONFIG_CONFLICT"
  | "CONFIG_DUPLICATE_ENV"
  | "CONFIG_NAME_MISMATCH"
  | "CONFIG_BUILTIN_OUTPUT"
  | "CONFIG_INVALID";

export interface ConfigProblem {
  /** Stable code: a {@link ConfigCode}, or the code of the check a schema invariant mirrors. */
  readonly code: ConfigCode | (string & {});
  readonly env: string;
  /** Dotted field path, e.g. `scaling.minReplicas` (array indexes as `[0]`). */
  readonly field: string;
  readonly message: string;
  readonly fix: string;
}

/** A user error: printed as one line per problem, never with a stack trace. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ConfigError";
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.code} env "${p.env}": ${p.field || "(config)"}: ${p.message}. Fix: ${p.fix}`;
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

/** The fix for a zod issue: custom issues carry theirs after "Fix:", built-in codes get one here. */
function splitFix(issue: z.core.$ZodIssue): { message: string; fix: string } {
  const msg = issue.message;
  const at = msg.indexOf(" Fix: ");
  if (at >= 0) return { message: msg.slice(0, at).replace(/\.$/, ""), fix: msg.slice(at + 6) };
  switch (issue.code) {
    case "unrecognized_keys":
      return {
        message: `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`,
        fix: "remove it or correct its spelling (see stacks/config.ts for the fields)",
      };
    case "invalid_type": {
      const expected = issue.expected === "int" ? "whole number" : issue.expected;
      const a = /^[aeiou]/.test(expected) ? "an" : "a";
      if (typeof issue.input === "number" && !Number.isFinite(issue.input)) {
        return { message: `${issue.input} is not a finite number`, fix: "use a number within the documented range" };
      }
      return {
        message: issue.input === undefined ? `is required (${issue.message})` : `${msg} (got ${describe(issue.input)})`,
        fix: issue.input === undefined ? `set it to ${a} ${expected}` : `give ${a} ${expected}`,
      };
    }
    case "invalid_key":
      return { message: `key ${JSON.stringify(issue.path[issue.path.length - 1])}: ${issue.issues[0]?.message ?? msg}`, fix: "rename the key" };
    case "invalid_value":
      return { message: msg, fix: `use one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}` };
    case "too_small":
      return {
        message: msg,
        fix: issue.origin === "string" ? `give at least ${String(issue.minimum)} character(s)` : issue.origin === "array" ? `list at least ${String(issue.minimum)} item(s)` : `use a value of at least ${String(issue.minimum)}`,
      };
    case "too_big":
      return { message: msg, fix: `use a value of at most ${String(issue.maximum)}` };
    case "invalid_format":
      return { message: msg, fix: `give a valid ${issue.format}` };
    case "invalid_union":
      return { message: msg, fix: "match one of the documented shapes" };
    default:
      return { message: msg, fix: "correct the value as described" };
  }
}

/** The stable code of a zod issue (custom issues carry theirs in `params.code`). */
function codeOf(issue: z.core.$ZodIssue): string {
  if (issue.code === "custom") return (issue.params?.code as string | undefined) ?? "CONFIG_INVALID";
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
    default:
      return "CONFIG_INVALID";
  }
}

/** Validates `input` for environment `env` (the name used in messages when input lacks one). */
export function parseEnvConfig(input: unknown, env: string): EnvConfig {
  const name =
    input && typeof input === "object" && typeof (input as { name?: unknown }).name === "string"
      ? (input as { name: string }).name
      : env;
  // reportInput: issues carry the offending value, so "wrong type" is not mistaken for "missing".
  const result = EnvConfigSchema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  // One line per field: zod may report several failed checks on one value; the first says enough.
  const byField = new Map<string, ConfigProblem>();
  for (const issue of result.error.issues) {
    const field = fieldPath(issue.path);
    if (byField.has(field)) continue;
    const { message, fix } = splitFix(issue);
    // Messages written as "<field> must ..." need not repeat the field the line already names.
    const trimmed = field && message.startsWith(`${field} `) ? message.slice(field.length + 1) : message;
    byField.set(field, { code: codeOf(issue), env: name, field, message: trimmed, fix });
  }
  throw new ConfigError([...byField.values()]);
}
