/** Shared CLI wrapper: user errors (bad config, failed checks, bad arguments) print cleanly. */
import { problem, UserError } from "../problems/problem.js";

const FS_CODES = new Set([
  "EEXIST",
  "ENOTDIR",
  "EACCES",
  "EPERM",
  "EROFS",
  "ENOSPC",
  "EISDIR",
  "ENOENT",
  "ENOTEMPTY",
  "EBUSY",
  "EXDEV",
  "ELOOP",
  "ENAMETOOLONG",
  "EMFILE",
  "EDQUOT",
  "EIO",
]);

/**
 * A file-system error the user's arguments caused (an `--out` that is a file, a read-only or
 * missing directory) as a one-line user error; undefined for anything else.
 */
export function fileSystemError(e: unknown): UserError | undefined {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || !err.code || !FS_CODES.has(err.code) || !err.syscall) return undefined;
  const message = `cannot ${err.syscall} ${err.path ?? "(unknown path)"} (${err.code})`;
  const fix = "choose a writable directory for --out";
  return new UserError([problem({ code: "OUTPUT_WRITE", message, fix })], `${message}. Fix: ${fix}`);
}

/** A command line the CLI cannot run (an empty flag value, a missing required flag): exit 2. */
export class UsageError extends UserError {
  constructor(message: string, fix?: string) {
    super([problem({ code: "USAGE", message, fix: fix ?? "" })], fix ? `${message}. Fix: ${fix}` : message, 2);
  }
}

/** Node's parseArgs refusals (unknown option, missing value, stray positional), by their Node error code, as {@link UsageError}s. */
function parseArgsRefusal(e: unknown): UsageError | undefined {
  return e instanceof TypeError && String((e as { code?: string }).code).startsWith("ERR_PARSE_ARGS_")
    ? new UsageError(e.message)
    : undefined;
}

/** A {@link UsageError}, or Node's parseArgs refusal as one. */
export function usageErrorOf(e: unknown): UsageError | undefined {
  return e instanceof UsageError ? e : parseArgsRefusal(e);
}

/**
 * What an exception is to the user: a {@link UserError} as it is, Node's parseArgs refusal as a
 * {@link UsageError}, a file-system error the arguments caused as a one-line error; undefined for
 * a bug (which keeps its stack trace).
 */
export function userErrorOf(e: unknown): UserError | undefined {
  if (e instanceof UserError) return e;
  return fileSystemError(e) ?? parseArgsRefusal(e);
}

/** Prints a user error, one `error:` line per line of its message, and sets its exit code. */
export function reportUserError(e: UserError): void {
  console.error(e.lines.map((l) => `error: ${l}`).join("\n"));
  process.exitCode = e.exitCode;
}

/** Refuses a string flag given as "" (`--out ""`): it would silently mean the current directory or the default. */
export function requireNonEmpty(values: Readonly<Record<string, unknown>>, example: Readonly<Record<string, string>>): void {
  for (const [flag, eg] of Object.entries(example)) {
    const v = values[flag];
    const list = Array.isArray(v) ? v : [v];
    if (list.some((x) => typeof x === "string" && x.trim() === ""))
      throw new UsageError(`--${flag} is empty`, `give a value, e.g. --${flag} ${eg}`);
  }
}

export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    const user = userErrorOf(e);
    if (!user) throw e;
    reportUserError(user);
  }
}
