/**
 * Where env configs come from: the typed files in stacks/envs/, or a JSON/YAML file given on the
 * command line (how the bad-config corpus and ad-hoc what-ifs are fed in).
 */
import { readFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { ENVIRONMENTS, ENV_NAMES } from "./envs/index.js";
import type { EnvConfig } from "./config.js";
import { ConfigError, parseEnvConfig } from "./validate.js";

export interface EnvSource {
  /** Name used in messages before the config is parsed. */
  readonly env: string;
  readonly input: unknown;
}

/** The named built-in environments; an unknown name is a ConfigError listing the known ones. */
export function builtinSources(names: readonly string[] = ENV_NAMES): EnvSource[] {
  return names.map((env) => {
    const input = ENVIRONMENTS[env];
    if (!input) {
      throw new ConfigError([
        { code: "CONFIG_UNKNOWN_ENV", env, field: "", message: `unknown environment "${env}"`, fix: `use one of ${ENV_NAMES.join(", ")} or add stacks/envs/${env}.ts` },
      ]);
    }
    return { env, input };
  });
}

/** An env config file (.json, .yaml or .yml); syntax errors become ConfigErrors naming the file. */
export function fileSource(path: string): EnvSource {
  const env = basename(path, extname(path));
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError([{ code: "CONFIG_UNREADABLE", env, field: "", message: `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? "error"}`, fix: "check the path" }]);
  }
  try {
    const input = extname(path) === ".json" ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
    return { env, input };
  } catch (e) {
    const first = String((e as Error).message).split("\n")[0];
    throw new ConfigError([{ code: "CONFIG_SYNTAX", env, field: "", message: `${path} is not valid ${extname(path) === ".json" ? "JSON" : "YAML"}: ${first}`, fix: "correct the syntax" }]);
  }
}

/** Parses every source; collects the problems of all environments into one ConfigError. */
export function parseSources(sources: readonly EnvSource[]): EnvConfig[] {
  const configs: EnvConfig[] = [];
  const problems: ConfigError["problems"][number][] = [];
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
