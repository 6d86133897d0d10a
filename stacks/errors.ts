/**
 * The user-facing failure of building an environment. Config checks, constructs and the synth
 * pipeline end in it with problems that name the environment, the resource, the field and the fix;
 * the CLIs print its lines without a stack trace. It lives apart from synth.ts so builders can
 * throw it without importing the synth pipeline (which imports them).
 */
import { UserError, type Problem } from "../problems/problem.js";

/** A user-facing synth failure (invalid object, failed check, refused construct, unusable output folder). */
export class SynthError extends UserError {
  constructor(problems: readonly Problem[]) {
    super(problems);
  }
}

/**
 * A construct's refusal inside environment `env`, as synth reports it: every problem placed in
 * the environment; one that names neither a resource nor a field is about the config as a whole.
 */
export function refusedIn(env: string, e: UserError): SynthError {
  if (e instanceof SynthError) return e;
  return new SynthError(e.problemsIn(env).map((p) => (p.resource || p.path ? p : { ...p, resource: `EnvConfig ${env}` })));
}

/** Throws the errors among `problems` (warnings pass) as one SynthError. */
export function throwIfErrors(problems: readonly Problem[]): void {
  const errors = problems.filter((p) => p.severity === "error");
  if (errors.length) throw new SynthError(errors);
}
