/**
 * Where env configs come from: the typed files in stacks/envs/, or a JSON/YAML file given on the
 * command line (how the bad-config corpus and ad-hoc what-ifs are fed in).
 */
import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { parseDocument } from "yaml";
import { ENVIRONMENTS, ENV_NAMES } from "./envs/index.js";
import type { EnvConfig } from "./config.js";
import { ConfigError, configProblem, fieldPath, parseEnvConfig } from "./validate.js";
import type { Problem } from "../problems/problem.js";

export interface EnvSource {
  /** Name used in messages before the config is parsed. */
  readonly env: string;
  readonly input: unknown;
  /** Where the config comes from, for messages naming two sources: `stacks/envs/prod.ts` or the file path. */
  readonly origin: string;
  /** A registered environment of stacks/envs/ (its committed output is dist/<name>/). */
  readonly builtin: boolean;
}

/**
 * The named built-in environments; an unknown name is a ConfigError listing the known ones, and an
 * entry whose `name` is not its registry key too (it would write dist/<name> and leave dist/<key> stale).
 */
export function builtinSources(
  names: readonly string[] = ENV_NAMES,
  registry: Readonly<Record<string, unknown>> = ENVIRONMENTS,
): EnvSource[] {
  return names.map((env) => {
    const input = registry[env];
    if (!input) {
      throw new ConfigError([
        configProblem(
          "CONFIG_UNKNOWN_ENV",
          env,
          "",
          `unknown environment "${env}"`,
          // A config file given to --env (simulate takes one there): synth and check read files with --config.
          isConfigFileName(env)
            ? `give a config file with --config ${env} (--env names a built-in environment: ${Object.keys(registry).join(", ")})`
            : `use one of ${Object.keys(registry).join(", ")} or add stacks/envs/${env}.ts`,
        ),
      ]);
    }
    const name = (input as { name?: unknown }).name;
    if (name !== env) {
      throw new ConfigError([
        configProblem(
          "CONFIG_NAME_MISMATCH",
          env,
          "name",
          `the environment registered as "${env}" in stacks/envs/index.ts is named ${JSON.stringify(name)}: it would render into dist/${String(name)} and leave dist/${env} stale`,
          `make its name "${env}" or register it under ${JSON.stringify(name)}`,
        ),
      ]);
    }
    return { env, input, origin: `stacks/envs/${env}.ts`, builtin: true };
  });
}

/** The source line a syntax error points at (1-based), or the last non-blank line before it (an error at the end of the file). */
function quoteLine(text: string, line: number): { line: number; text: string } | undefined {
  const lines = text.split(/\r?\n/);
  for (let n = Math.min(line, lines.length); n >= 1; n--) {
    const t = lines[n - 1]!.trim();
    if (t) return { line: n, text: t.length > 80 ? `${t.slice(0, 77)}...` : t };
  }
  return undefined;
}

/** Line of a JSON.parse error ("... at position 833" or "(line 3 column 1)"). */
function jsonErrorLine(message: string, text: string): number | undefined {
  const explicit = /\(line (\d+) column \d+\)/.exec(message);
  if (explicit) return Number(explicit[1]);
  const pos = /at position (\d+)/.exec(message);
  if (pos) return text.slice(0, Number(pos[1])).split("\n").length;
  return undefined;
}

/**
 * An env config file (.json, .yaml or .yml); syntax errors become ConfigErrors naming the file
 * and quoting the offending line. YAML merge keys (`<<: *anchor`) are applied.
 */
export function fileSource(path: string): EnvSource {
  const env = basename(path, extname(path));
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES"
            ? "permission denied"
            : (code ?? "error");
    throw new ConfigError([configProblem("CONFIG_UNREADABLE", env, "", `cannot read ${path}: ${why}`, "check the path")]);
  }
  const json = extname(path) === ".json";
  // A byte order mark (editors on Windows write one) is no content: YAML skips it, JSON.parse refuses it.
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  let input: unknown;
  try {
    input = json ? JSON.parse(text) : parseYamlStrictly(text);
  } catch (e) {
    const err = e as Error & { linePos?: { line: number; col: number }[] };
    const reason = String(err.message)
      .split("\n")[0]!
      .replace(/ at line \d+, column \d+:?$/, "")
      .replace(/ in JSON at position \d+.*$/, "");
    const line = json ? jsonErrorLine(err.message, text) : err.linePos?.[0]?.line;
    const quoted = line === undefined ? undefined : quoteLine(text, line);
    const where = quoted ? ` at line ${quoted.line}: \`${quoted.text}\`` : "";
    throw new ConfigError([
      configProblem(
        "CONFIG_SYNTAX",
        env,
        "",
        `${path} is not valid ${json ? "JSON" : "YAML"}: ${reason}${where}`,
        reason.startsWith("Unresolved tag") ? "remove the tag: an env config holds plain YAML values" : "correct the syntax",
      ),
    ]);
  }
  const deep = tooDeep(input);
  if (deep) {
    throw new ConfigError([
      configProblem(
        "CONFIG_INVALID",
        env,
        `${fieldPath(deep.slice(0, 8))}…`,
        `${path} nests values more than ${MAX_DEPTH} levels deep here; an environment config needs fewer than 10`,
        "remove the extra nesting",
      ),
    ]);
  }
  return { env, input, origin: path, builtin: false };
}

/**
 * One YAML document, merge keys applied. Its warnings are errors: an unresolved tag (`!Ref x`,
 * `!!float 2`) would otherwise be read as a plain string, and the yaml library prints warnings as
 * process warnings, lines that are neither `error:` nor `warning:`.
 */
function parseYamlStrictly(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, merge: true, logLevel: "error" });
  const first = doc.errors[0] ?? doc.warnings[0];
  if (first) throw first;
  return doc.toJS();
}

/** Deeper than any env config: the checks and the simulator copy and merge values recursively. */
const MAX_DEPTH = 64;

/** The path where `v` nests deeper than {@link MAX_DEPTH} (walking no further), or undefined. */
function tooDeep(v: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (v === null || typeof v !== "object") return undefined;
  if (path.length >= MAX_DEPTH) return path;
  const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  for (const [k, x] of entries) {
    const found = tooDeep(x, [...path, k]);
    if (found) return found;
  }
  return undefined;
}

/** Whether `path` names an env config file by its extension (.json, .yaml, .yml), not a built-in environment. */
export function isConfigFileName(path: string): boolean {
  return /^\.(json|ya?ml)$/i.test(extname(path));
}

/** Parses every source; collects the problems of all environments into one ConfigError. */
export function parseSources(sources: readonly EnvSource[]): EnvConfig[] {
  const configs: EnvConfig[] = [];
  const problems: Problem[] = [];
  for (const s of sources) {
    try {
      configs.push(parseEnvConfig(s.input, s.env));
    } catch (e) {
      if (e instanceof ConfigError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return configs;
}

/**
 * The environments of one synth run, refused before anything is rendered when two sources name
 * one environment (their outputs would mix in one folder), or when a config file would replace a
 * built-in environment's committed output (`committedOut`: the run writes the repository's dist/)
 * without `replaceBuiltin`.
 */
export function checkRunSources(
  sources: readonly EnvSource[],
  configs: readonly EnvConfig[],
  opts: { readonly committedOut: boolean; readonly replaceBuiltin: boolean; readonly builtinNames?: readonly string[] },
): void {
  const problems: Problem[] = [];
  const first = new Map<string, EnvSource>();
  configs.forEach((c, i) => {
    const s = sources[i]!;
    const other = first.get(c.name);
    if (other) {
      problems.push(
        configProblem(
          "CONFIG_DUPLICATE_ENV",
          c.name,
          "name",
          `both ${describeSource(other)} and ${describeSource(s)} name environment "${c.name}": their objects would be written to one folder`,
          "synthesize one of them per run, or give the config file another name",
        ),
      );
    } else first.set(c.name, s);
    if (!s.builtin && opts.committedOut && !opts.replaceBuiltin && (opts.builtinNames ?? ENV_NAMES).includes(c.name)) {
      problems.push(
        configProblem(
          "CONFIG_BUILTIN_OUTPUT",
          c.name,
          "name",
          `${s.origin} names the built-in environment "${c.name}": it would replace the committed dist/${c.name}/`,
          `write it elsewhere with --out <dir>, rename it, or pass --replace-builtin to overwrite dist/${c.name}/ on purpose`,
        ),
      );
    }
  });
  // A duplicate is the one thing to fix first: the same name may also claim a built-in's output.
  const duplicates = problems.filter((p) => p.code === "CONFIG_DUPLICATE_ENV");
  if (problems.length) throw new ConfigError(duplicates.length ? duplicates : problems);
}

function describeSource(s: EnvSource): string {
  return s.builtin ? `the built-in ${s.origin}` : `--config ${s.origin}`;
}
