/**
 * The check context reads each rule group and scrape job once, wherever it is rendered: a group a
 * PrometheusRule and a plain rule file both hold (keys in another order) is one group, and so is a
 * scrape job written in two places; same-named ones that differ stay apart (each is checked).
 */
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { CheckContext } from "../../../stacks/checks/context.js";
import { config, prometheusRule, rule } from "./fixtures.js";

const NS = "ml-serving";

function configMap(name: string, key: string, text: string) {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS }, data: { [key]: text } };
}

describe("CheckContext deduplication", () => {
  it("a rule group rendered twice (PrometheusRule and rule file, keys reordered) is read once; a same-named group with other rules is kept", () => {
    const rules = [rule("sum(rate(x[2m]))", undefined, { record: "job:x:rate2m" }), rule("up == 0", "Down")];
    const pr = prometheusRule(rules, "inference-alerts");
    const reordered = { rules: rules.map((r) => Object.fromEntries(Object.entries(r).reverse())), name: "inference-alerts" };
    const other = { name: "inference-alerts", rules: [rules[0], rule("up == 1", "Down")] };
    const ctx = new CheckContext({
      config: config(),
      objects: [pr, configMap("rules", "a.yaml", stringify({ groups: [reordered, other] }))],
    });
    const groups = ctx.ruleGroups();
    expect(groups.map((g) => g.resource)).toEqual(["PrometheusRule ml-t/inference-alerts", "ConfigMap ml-serving/rules"]);
    expect(groups[1]!.path).toEqual(["data", "a.yaml", "groups", 1]);
    // Another count of rules under the same name: kept too.
    const fewer = { name: "inference-alerts", rules: [rules[0]] };
    const ctx2 = new CheckContext({ config: config(), objects: [pr, configMap("rules", "a.yaml", stringify({ groups: [fewer] }))] });
    expect(ctx2.ruleGroups()).toHaveLength(2);
  });

  it("a scrape job written twice is read once; a job of the same name with other settings is kept", () => {
    const job = { job_name: "inference", scrape_interval: "15s", kubernetes_sd_configs: [{ role: "pod" }] };
    const same = { kubernetes_sd_configs: [{ role: "pod" }], scrape_interval: "15s", job_name: "inference" };
    const other = { ...job, scrape_interval: "30s" };
    const ctx = new CheckContext({
      config: config(),
      objects: [
        configMap("prom-a", "prometheus.yml", stringify({ scrape_configs: [job] })),
        configMap("prom-b", "prometheus.yml", stringify({ scrape_configs: [same, other] })),
      ],
    });
    const jobs = ctx.scrapeJobs();
    expect(jobs.map((j) => [j.resource, j.job.scrape_interval])).toEqual([
      ["ConfigMap ml-serving/prom-a", "15s"],
      ["ConfigMap ml-serving/prom-b", "30s"],
    ]);
  });
});
