/**
 * The user-facing failure of building an environment. Constructs and stack builders throw it with
 * lines that name the environment, the resource, the field and the fix; the CLIs print the lines
 * without a stack trace. It lives apart from synth.ts so builders can throw it without importing
 * the synth pipeline (which imports them).
 */
import type { Finding } from "./checks/types.js";

/** A user-facing synth failure (invalid object, failed check): printed without a stack trace. */
export class SynthError extends Error {
  constructor(
    readonly lines: readonly string[],
    /** The check findings behind the lines, when checks produced them (`npm run check --json`). */
    readonly findings: readonly Finding[] = [],
  ) {
    super(lines.join("\n"));
    this.name = "SynthError";
  }
}
