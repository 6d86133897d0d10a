/**
 * The one problem model. Every refusal the user can act on — a config value, a failed check, a
 * construct's invariant, an output folder, a scenario file, an HPA case, a Pulumi stack key, a
 * command line — is a {@link Problem} with a code from the catalog (problems/codes.ts), and every
 * error that carries such problems extends {@link UserError}. CLIs and the Pulumi program branch on
 * `instanceof UserError` (print its lines, exit with its code); anything else is a bug and keeps its
 * stack trace. Machines (`npm run check -- --json`) read the problems, never the printed lines.
 *
 * It sits below every other folder (it imports nothing of the project) so constructs, the PromQL
 * builder, the simulator and infra can all throw it without importing upward.
 */
import type { ProblemCode } from "./codes.js";

export type Severity = "error" | "warning";

/** One problem: what is wrong, where, and how to fix it. */
export interface Problem {
  /** Stable code from the catalog; CI and tests match on it, never on the wording. */
  readonly code: ProblemCode;
  /** Errors stop synth (and every other entry point); warnings are printed and let it finish. */
  readonly severity: Severity;
  /** The environment (or Pulumi stack) it belongs to; "" where there is none (a scenario file, an HPA case, a command line). */
  readonly env: string;
  /** `Kind namespace/name` of the object, `File <path>`, `EnvConfig <env>` for the config; "" when the message names it. */
  readonly resource: string;
  /** Field path inside that resource, e.g. `spec.triggers[0].metadata.query`; "" when the whole resource is meant. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

/** A problem with the defaults filled in: an error, outside any environment, resource and path unless given. */
export function problem(p: Pick<Problem, "code" | "message" | "fix"> & Partial<Problem>): Problem {
  return { severity: "error", env: "", resource: "", path: "", ...p };
}

/**
 * The standard line of a problem: `CODE env "prod": Kind ns/name: path: message. Fix: fix`, each of
 * env, resource and path left out when empty.
 */
export function formatProblem(p: Problem): string {
  const env = p.env ? `env "${p.env}": ` : "";
  const resource = p.resource ? `${p.resource}: ` : "";
  const path = p.path ? `${p.path}: ` : "";
  return `${p.code} ${env}${resource}${path}${p.message}. Fix: ${p.fix}`;
}

/**
 * The base of every user-facing error: one or more problems, printed one line each without a
 * stack trace. `message` is the printed text (each subclass keeps the wording its users and tests
 * know; by default one {@link formatProblem} line per problem). `exitCode` is what a CLI exits with.
 */
export class UserError extends Error {
  constructor(
    readonly problems: readonly Problem[],
    message: string = problems.map(formatProblem).join("\n"),
    /** 1: the input is wrong; 2: the command line cannot run (usage, malformed stdin). */
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** The printed lines (the message, one line per entry). */
  get lines(): string[] {
    return this.message.split("\n");
  }

  /** The problems placed in environment `env` (constructs do not know theirs; the stack that builds them does). */
  problemsIn(env: string): Problem[] {
    return this.problems.map((p) => (p.env ? p : { ...p, env }));
  }
}

/** The fix of an invariant whose message names the offending config value. */
const CHANGE_THE_VALUE = "change the config value the message names";

/**
 * A construct, rule builder or value helper refused its props: an invariant it checks itself. It
 * does not know its environment; the stack that builds it places the problem there (the config as
 * a whole: `EnvConfig <env>`). `message` is the refusal as thrown, `fix` defaults to pointing at the
 * value it names.
 */
export class InvariantError extends UserError {
  constructor(message: string, fix: string = CHANGE_THE_VALUE, code: ProblemCode = "CONSTRUCT_INVARIANT") {
    super([problem({ code, message: message.split("\n")[0]!.replace(/\.$/, ""), fix })], message);
  }
}
