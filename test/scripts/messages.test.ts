/**
 * Through the real CLI: messages in the user's terms. Units and the converted
 * value for a duration string in a seconds field, the nearest bucket boundaries in seconds (and a
 * millisecond slip named), no zod wording, YAML/JSON syntax errors quoting the offending line,
 * YAML merge keys applied. Each failure: exit 1, one line, --out unchanged.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { ROOT, runIn, stderrLines, treeHash } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "messages-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const base = JSON.parse(readFileSync(join(ROOT, "test/fixtures/good/base.json"), "utf8")) as Record<string, any>;

function write(name: string, content: string | object): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return file;
}

function oneLine(file: string): string {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const r = runIn(ROOT, "scripts/synth.ts", ["--config", file, "--out", out]);
  expect(r.code, r.stderr).toBe(1);
  const lines = stderrLines(r);
  expect(lines, r.stderr).toHaveLength(1);
  expect(treeHash(out)).toBe("absent");
  expect(lines[0]).not.toMatch(/expected \w+, received|Invalid input|Too (small|big):|\(got string\)/);
  return lines[0]!;
}

const alerts = (patch: object) => ({ ...base, monitoring: { ...base.monitoring, alerts: { ...base.monitoring.alerts, ...patch } } });

describe("messages", () => {
  it('"500ms" in a seconds field says the unit and the number to write', () => {
    expect(oneLine(write("ms.json", alerts({ p95LatencySeconds: "500ms" })))).toBe(
      'error: CONFIG_INVALID_TYPE env "corpus": monitoring.alerts.p95LatencySeconds: must be a number of seconds, not the string "500ms". Fix: write 0.5 (a number of seconds, without a unit or quotes)',
    );
    expect(
      oneLine(
        write("poll.json", {
          ...base,
          services: [{ ...base.services[0], scaling: { ...base.services[0].scaling, keda: { pollingInterval: "1m" } } }],
        }),
      ),
    ).toMatch(
      /services\[0\]\.scaling\.keda\.pollingInterval: service "inference": must be a number of seconds, not the string "1m"\. Fix: write 60 /,
    );
  });

  it("a non-bucket threshold gets the boundaries around it in seconds; 500 is named as milliseconds", () => {
    expect(oneLine(write("ms-threshold.json", alerts({ p95LatencySeconds: 500 })))).toMatch(
      /Fix: use a boundary \(0\.5 s; 500 reads like milliseconds, but the value is in seconds: 500 ms is 0\.5\)/,
    );
    expect(oneLine(write("between.json", alerts({ p95LatencySeconds: 0.8 })))).toMatch(/Fix: use a boundary \(0\.75 s or 1 s\)/);
  });

  it("wrong types in plain words, never zod's", () => {
    expect(oneLine(write("bool.json", { ...base, cluster: { ...base.cluster, keda: "true" } }))).toBe(
      'error: CONFIG_INVALID_TYPE env "corpus": cluster.keda: must be a boolean, not the string "true". Fix: write true without quotes',
    );
    expect(
      oneLine(write("enum.json", { ...base, services: [{ ...base.services[0], slo: { ...base.services[0].slo, period: "7d" } }] })),
    ).toBe(
      'error: CONFIG_INVALID_VALUE env "corpus": services[0].slo.period: service "inference": must be one of "30d", "28d", not the string "7d". Fix: use one of "30d", "28d"',
    );
  });

  it("YAML and JSON syntax errors quote the offending line", () => {
    const yaml = write("tab.yaml", "name: corpus\nnamespace: ml-serving-corpus\nscaling:\n\tmode: keda\n");
    expect(oneLine(yaml)).toBe(
      `error: CONFIG_SYNTAX env "tab": (config): ${yaml} is not valid YAML: Tabs are not allowed as indentation at line 4: \`mode: keda\`. Fix: correct the syntax`,
    );
    const unclosed = write("unclosed.yaml", "name: corpus\nnamespace: ml-serving-corpus\nservice: [unclosed\n");
    expect(oneLine(unclosed)).toMatch(/is not valid YAML: .* at line 3: `service: \[unclosed`\. Fix: correct the syntax$/);
    const json = write("comma.json", '{\n  "name": "corpus",\n  "namespace": "ml-serving-corpus",\n}\n');
    expect(oneLine(json)).toMatch(/is not valid JSON: .* at line 4: `}`\. Fix: correct the syntax$/);
  });

  it("YAML merge keys (<<) are applied", () => {
    const file = write(
      "merge.yaml",
      [
        "name: merged",
        "namespace: ml-serving-merged",
        "cluster: {kind: cloud, keda: true, prometheusOperator: true}",
        "services:",
        '  - image: "registry.example.com/ml/inference:1.4.2"',
        "    resources: &res",
        '      requests: {cpu: "1", memory: "2Gi"}',
        '      limits: {cpu: "2", memory: "2Gi"}',
        "    scaling: {mode: keda, minReplicas: 2, maxReplicas: 8}",
        "monitoring: {alerts: {queueBacklog: 50}}",
        "orchestrator:",
        '  image: "registry.example.com/ml/orchestrator:2.3.0"',
        "  resources:",
        "    <<: *res",
        '    limits: {memory: "512Mi"}',
      ].join("\n"),
    );
    const out = join(dir, "merge-out");
    const r = runIn(ROOT, "scripts/synth.ts", ["--config", file, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const docs = parseAllDocuments(readFileSync(join(out, "merged", "orchestrator.yaml"), "utf8")).map((d) => d.toJS());
    const deploy = docs.find((d) => d?.kind === "Deployment");
    expect(deploy.spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: "1", memory: "2Gi" },
      limits: { memory: "512Mi" },
    });
  });
});
