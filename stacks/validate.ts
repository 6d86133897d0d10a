/**
 * Turns an env config input into an {@link EnvConfig} or a {@link ConfigError} whose every line
 * names the environment, the field path and the fix.
 */
import type { z } from "zod";
import { EnvConfigSchema, type EnvConfig } from "./config.js";

export interface ConfigProblem {
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
  return `env "${p.env}": ${p.field || "(config)"}: ${p.message}. Fix: ${p.fix}`;
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
    case "invalid_type":
      return {
        message: issue.input === undefined ? `is required (${issue.message})` : `${msg} (got ${describe(issue.input)})`,
        fix: issue.input === undefined ? `set it to a ${issue.expected}` : `give a ${issue.expected}`,
      };
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

/** Validates `input` for environment `env` (the name used in messages when input lacks one). */
export function parseEnvConfig(input: unknown, env: string): EnvConfig {
  const name =
    input && typeof input === "object" && typeof (input as { name?: unknown }).name === "string"
      ? (input as { name: string }).name
      : env;
  const result = EnvConfigSchema.safeParse(input);
  if (result.success) return result.data;
  // One line per field: zod may report several failed checks on one value; the first says enough.
  const byField = new Map<string, ConfigProblem>();
  for (const issue of result.error.issues) {
    const field = fieldPath(issue.path);
    if (byField.has(field)) continue;
    const { message, fix } = splitFix(issue);
    // Messages written as "<field> must ..." need not repeat the field the line already names.
    const trimmed = field && message.startsWith(`${field} `) ? message.slice(field.length + 1) : message;
    byField.set(field, { env: name, field, message: trimmed, fix });
  }
  throw new ConfigError([...byField.values()]);
}
