/** Shared CLI wrapper: user errors (bad config, failed checks, bad arguments) print cleanly. */
import { SynthError } from "../stacks/errors.js";
import { ConfigError } from "../stacks/validate.js";

const FS_CODES = new Set(["EEXIST", "ENOTDIR", "EACCES", "EPERM", "EROFS", "ENOSPC", "EISDIR", "ENOENT", "ENOTEMPTY", "EBUSY", "EXDEV", "ELOOP", "ENAMETOOLONG", "EMFILE", "EDQUOT", "EIO"]);

/**
 * One line for a file-system error the user's arguments caused (an `--out` that is a file, a
 * read-only or missing directory); undefined for anything else.
 */
export function fileSystemError(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || !err.code || !FS_CODES.has(err.code) || !err.syscall) return undefined;
  return `cannot ${err.syscall} ${err.path ?? "(unknown path)"} (${err.code}). Fix: choose a writable directory for --out`;
}

/** A command line the CLI cannot run (an empty flag value, a missing required flag): exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Node's parseArgs refusals (unknown option, missing value, stray positional) and {@link UsageError}s. */
export function isUsageError(e: unknown): e is Error {
  return e instanceof UsageError || (e instanceof TypeError && String((e as { code?: string }).code).startsWith("ERR_PARSE_ARGS_"));
}

/** Refuses a string flag given as "" (`--out ""`): it would silently mean the current directory or the default. */
export function requireNonEmpty(values: Readonly<Record<string, unknown>>, example: Readonly<Record<string, string>>): void {
  for (const [flag, eg] of Object.entries(example)) {
    const v = values[flag];
    const list = Array.isArray(v) ? v : [v];
    if (list.some((x) => typeof x === "string" && x.trim() === "")) throw new UsageError(`--${flag} is empty. Fix: give a value, e.g. --${flag} ${eg}`);
  }
}

export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    if (e instanceof ConfigError || e instanceof SynthError) {
      console.error(`error: ${e.message.split("\n").join("\nerror: ")}`);
      process.exitCode = 1;
      return;
    }
    if (e instanceof Error && e.name === "ContractError") {
      console.error(`error: ${e.message}`);
      process.exitCode = 1;
      return;
    }
    const fs = fileSystemError(e);
    if (fs) {
      console.error(`error: ${fs}`);
      process.exitCode = 1;
      return;
    }
    if (isUsageError(e)) {
      console.error(`error: ${e.message}`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
}
