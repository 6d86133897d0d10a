// `npm run -s hpa-step -- --batch`: many cases in (JSON Lines), one JSON line out each, through
// the bundled CLI exactly as npm runs it (node scripts/run.mjs).
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { hpaReconcile } from "../../../simulator/hpa/step.js";
import { validateCase } from "../../../simulator/hpa/validate.js";
import { ROOT } from "../../helpers/cli.js";
import { cpuUtil, externalAvg, hpaCase, pods } from "./builders.js";

function hpaStep(args: readonly string[], stdin: string) {
  return spawnSync(process.execPath, ["scripts/run.mjs", "hpa-step", ...args], {
    cwd: ROOT,
    input: stdin,
    encoding: "utf8",
    timeout: 120_000,
  });
}

const up = hpaCase({ current: 3, metrics: [cpuUtil(50)], observations: [{ pods: pods("500m", "900m", "700m") }] });
const external = hpaCase({ current: 2, metrics: [externalAvg("q", "10")], observations: [{ value: "95" }] });
const expected = (c: unknown) => {
  const r = hpaReconcile(validateCase(JSON.parse(JSON.stringify(c))));
  return {
    desiredReplicas: r.desiredReplicas,
    reason: r.reason,
    currentMetrics: JSON.parse(JSON.stringify(r.metrics.map((m) => m.status))),
  };
};

describe("hpa-step --batch", () => {
  it("answers every case on its own line, in order, as single calls do", () => {
    const r = hpaStep(["--batch"], `${JSON.stringify(up)}\n\n${JSON.stringify(external)}\n${JSON.stringify(up)}`);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([expected(up), expected(external), expected(up)]);
    expect(lines[0].desiredReplicas).toBe(5);
    const single = hpaStep([], JSON.stringify(external));
    expect(single.status).toBe(0);
    expect(JSON.parse(single.stdout)).toEqual(lines[1]);
  });

  it("a malformed case gets an error line naming its input line; the rest are answered; exit 2", () => {
    const r = hpaStep(
      ["--batch"],
      [
        JSON.stringify(up),
        "{ not json",
        JSON.stringify({ spec: { maxReplicas: 0 }, currentReplicas: -1, observations: [] }),
        JSON.stringify(up),
      ].join("\n"),
    );
    expect(r.status).toBe(2);
    const lines = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toEqual(expected(up));
    expect(lines[1]).toMatchObject({ line: 2, error: expect.stringMatching(/^malformed input: not valid JSON/) });
    expect(lines[2]).toMatchObject({ line: 3, error: expect.stringMatching(/spec\.maxReplicas/) });
    expect(lines[3]).toEqual(expected(up));
    expect(r.stderr).toMatch(/2 malformed case\(s\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("--detail gives the whole reconcile per line; a thousand cases give a thousand lines", () => {
    const d = hpaStep(["--batch", "--detail"], JSON.stringify(up));
    expect(JSON.parse(d.stdout)).toEqual(JSON.parse(JSON.stringify(hpaReconcile(validateCase(JSON.parse(JSON.stringify(up)))))));
    const many = hpaStep(["--batch"], `${Array.from({ length: 1000 }, (_, i) => JSON.stringify(i % 2 ? up : external)).join("\n")}\n`);
    expect(many.status).toBe(0);
    const out = many.stdout.trimEnd().split("\n");
    expect(out).toHaveLength(1000);
    expect(JSON.parse(out[999]!)).toEqual(expected(up));
  });

  it("an unknown argument is a usage error that names --batch", () => {
    const r = hpaStep(["--bogus"], "");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown argument\(s\): --bogus .*--batch/);
  });
});
