/**
 * One HPA reconcile from the command line.
 *
 *   npm run -s hpa-step [-- --detail] < case.json
 *   npm run -s hpa-step -- --batch [--detail] < cases.jsonl
 *
 * stdout: {"desiredReplicas": N, "reason": "...", "currentMetrics": [...]}   (--detail: the full hpaReconcile result)
 *   currentMetrics: what the controller writes to status.currentMetrics (one entry per metric it
 *   evaluated, e.g. {"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":85,
 *   "averageValue":1.7}}}), quantities as numbers; empty when the metrics were not evaluated
 *   (scaling disabled, outside min/max).
 * exit 0 on success; 2 for malformed input (message on stderr, no stack trace); 1 for an internal error.
 *
 * --batch: one case per line in (JSON Lines; blank lines are skipped), one JSON line out per case,
 * in order. A malformed case does not stop the batch: its line is {"error": "malformed input: ...", "line": N}
 * and the exit code is 2 at the end. One process for thousands of reconciles.
 */

import { readFileSync } from "node:fs";
import { UserError } from "../problems/problem.js";
import { hpaReconcile } from "../simulator/hpa/step.js";
import { caseProblem, CaseValidationError, validateCase } from "../simulator/hpa/validate.js";

const USAGE = "usage: hpa-step [--detail] < case.json | hpa-step --batch [--detail] < cases.jsonl";

function fail(code: number, message: string): never {
  process.stderr.write(`hpa-step: ${message}\n`);
  process.exit(code);
}

/** A case's error that is the input's fault (exit 2), as one message; undefined for a bug. */
function inputError(e: unknown): string | undefined {
  if (e instanceof UserError) return `malformed input: ${e.message}`;
  return undefined;
}

/** One case's output line (without newline); throws what hpaReconcile throws. */
function reconcileLine(input: unknown, detail: boolean): string {
  const r = hpaReconcile(validateCase(input));
  return JSON.stringify(
    detail ? r : { desiredReplicas: r.desiredReplicas, reason: r.reason, currentMetrics: r.metrics.map((m) => m.status) },
  );
}

function batch(text: string, detail: boolean): void {
  const out: string[] = [];
  let malformed = 0;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    try {
      let input: unknown;
      try {
        input = JSON.parse(line);
      } catch (e) {
        throw new CaseValidationError([caseProblem("", `not valid JSON: ${(e as Error).message}`)]);
      }
      out.push(reconcileLine(input, detail));
    } catch (e) {
      const message = inputError(e);
      if (message === undefined) fail(1, `internal error on line ${i + 1}: ${e instanceof Error ? e.message : String(e)}`);
      malformed++;
      out.push(JSON.stringify({ error: message, line: i + 1 }));
    }
    // Written in slices: thousands of cases never wait for the last one, nor build one huge string.
    if (out.length >= 1000) process.stdout.write(`${out.splice(0).join("\n")}\n`);
  }
  if (out.length) process.stdout.write(`${out.join("\n")}\n`);
  if (malformed) {
    process.stderr.write(`hpa-step: ${malformed} malformed case(s); their lines hold {"error": ...}\n`);
    process.exitCode = 2;
  }
}

function main(argv: readonly string[]): void {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const detail = argv.includes("--detail");
  const isBatch = argv.includes("--batch");
  const unknown = argv.filter((a) => a !== "--detail" && a !== "--batch");
  if (unknown.length > 0) fail(2, `unknown argument(s): ${unknown.join(" ")} (${USAGE})`);

  let text: string;
  try {
    text = readFileSync(0, "utf8");
  } catch (e) {
    fail(2, `cannot read the case from stdin: ${(e as Error).message}`);
  }
  if (isBatch) return batch(text, detail);
  if (text.trim() === "") fail(2, "malformed input: expected one JSON case on stdin, got nothing");

  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (e) {
    fail(2, `malformed input: not valid JSON: ${(e as Error).message}`);
  }

  try {
    process.stdout.write(`${reconcileLine(input, detail)}\n`);
  } catch (e) {
    const message = inputError(e);
    if (message !== undefined) fail(2, message);
    fail(1, `internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

main(process.argv.slice(2));
