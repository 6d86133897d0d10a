/**
 * The scrape-job search skips texts that cannot hold a `job_name` key (mayNameAJob), so it does
 * not parse and walk every dashboard and rule file. Held here: a key written through any escape
 * YAML or JSON offers is still found, in a ConfigMap value and in a file; texts without one are
 * recognised as such.
 */
import { describe, expect, it } from "vitest";
import { CheckContext, mayNameAJob } from "../../../stacks/checks/context.js";
import type { K8sObject } from "../../../stacks/checks/types.js";
import { NS, config } from "./fixtures.js";

const ESCAPED_KEYS = [
  ["YAML \\x", 'scrape_configs:\n  - "job\\x5fname": escaped\n    static_configs: [{targets: ["a:1"]}]\n'],
  ["YAML \\u", 'scrape_configs:\n  - "\\u006aob_name": escaped\n    static_configs: [{targets: ["a:1"]}]\n'],
  ["YAML \\U", 'scrape_configs:\n  - "\\U0000006aob_name": escaped\n    static_configs: [{targets: ["a:1"]}]\n'],
  ["JSON \\u", '{"scrape_configs": [{"job\\u005fname": "escaped", "static_configs": [{"targets": ["a:1"]}]}]}'],
  ["YAML line join", 'scrape_configs:\n  - ? "job_\\\n      name"\n    : escaped\n    static_configs: [{targets: ["a:1"]}]\n'],
] as const;

describe("mayNameAJob", () => {
  it.each(ESCAPED_KEYS)("%s: a text whose key is escaped may name a job", (_, text) => {
    expect(text).not.toContain("job_name");
    expect(mayNameAJob(text)).toBe(true);
  });

  it("JSON's own escapes (quotes, backslashes, control characters) do not write letters: such a text names no job", () => {
    const dashboard = JSON.stringify({ panels: [{ expr: 'sum(rate(x{job="a"}[5m]))\n', title: "a\\b\t/" }] }, null, 2);
    expect(dashboard).toMatch(/\\"/);
    expect(mayNameAJob(dashboard)).toBe(false);
    expect(mayNameAJob("groups:\n  - name: a\n    rules: []\n")).toBe(false);
    expect(mayNameAJob("job_name: x")).toBe(true);
  });
});

describe("scrape jobs written with escaped keys are found", () => {
  it.each(ESCAPED_KEYS)("%s: in a ConfigMap value and in a file", (_, text) => {
    const objects: K8sObject[] = [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: NS }, data: { "prometheus.yml": text } },
    ];
    const c = new CheckContext({ config: config(), objects, files: [{ path: "scrape.yaml", content: text }] });
    expect(c.scrapeJobs().map((j) => [j.resource, j.job.job_name])).toEqual([[`ConfigMap ${NS}/cm`, "escaped"]]);
    // The file's job equals the ConfigMap's: listed once (as before), so the file alone must find it too.
    const fileOnly = new CheckContext({ config: config(), objects: [], files: [{ path: "scrape.yaml", content: text }] });
    expect(fileOnly.scrapeJobs().map((j) => [j.resource, j.job.job_name])).toEqual([["File scrape.yaml", "escaped"]]);
  });
});
