/**
 * One HPA reconcile from the command line.
 *
 *   tsx simulator/hpa/cli.ts [--detail] < case.json
 *
 * stdout: {"desiredReplicas": N, "reason": "...", "currentMetrics": [...]}   (--detail: the full hpaReconcile result)
 *   currentMetrics: what the controller writes to status.currentMetrics (one entry per metric it
 *   evaluated, e.g. {"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":85,
 *   "averageValue":1.7}}}), quantities as numbers; empty when the metrics were not evaluated
 *   (scaling disabled, outside min/max).
 * exit 0 on success; 2 for malformed input (message on stderr, no stack trace); 1 for an internal error.
 */

import { readFileSync } from "node:fs";
import { QuantityError } from "./quantity.js";
import { hpaReconcile, HpaCaseError } from "./step.js";
import { CaseValidationError, validateCase } from "./validate.js";

function fail(code: number, message: string): never {
  process.stderr.write(`hpa-step: ${message}\n`);
  process.exit(code);
}

function main(argv: readonly string[]): void {
  const detail = argv.includes("--detail");
  const unknown = argv.filter((a) => a !== "--detail");
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write("usage: hpa-step [--detail] < case.json\n");
    return;
  }
  if (unknown.length > 0) fail(2, `unknown argument(s): ${unknown.join(" ")} (usage: hpa-step [--detail] < case.json)`);

  let text: string;
  try {
    text = readFileSync(0, "utf8");
  } catch (e) {
    fail(2, `cannot read the case from stdin: ${(e as Error).message}`);
  }
  if (text.trim() === "") fail(2, "malformed input: expected one JSON case on stdin, got nothing");

  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (e) {
    fail(2, `malformed input: not valid JSON: ${(e as Error).message}`);
  }

  try {
    const c = validateCase(input);
    const r = hpaReconcile(c);
    const out = detail ? r : { desiredReplicas: r.desiredReplicas, reason: r.reason, currentMetrics: r.metrics.map((m) => m.status) };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } catch (e) {
    if (e instanceof CaseValidationError) fail(2, `malformed input: ${e.message}`);
    if (e instanceof HpaCaseError || e instanceof QuantityError) fail(2, `malformed input: ${e.message}`);
    fail(1, `internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

main(process.argv.slice(2));
