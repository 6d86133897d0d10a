/**
 * The "Adapter without Pulumi" table of docs/monitoring.md tells kubectl/GitOps users which prometheus-adapter
 * values each environment needs with `rules.existing`; it must match what each environment renders:
 * the ConfigMap's name, whether it holds external rules (then `rules.external` must be non-empty for
 * the chart to create external.metrics.k8s.io), and the Prometheus the Pulumi program points it at.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { ROOT } from "../helpers/cli.js";
import { stackFor } from "../helpers/env.js";
import { distObjects } from "./harness.js";

interface Row {
  readonly existing: string;
  readonly custom: string;
  readonly external: string;
  readonly url: string;
  readonly port: string;
}

function documentedRows(): Map<string, Row> {
  const page = readFileSync(join(ROOT, "docs/monitoring.md"), "utf8");
  const section = page.slice(page.indexOf("### Adapter without Pulumi"));
  const rows = new Map<string, Row>();
  for (const line of section.split("\n")) {
    const m = /^\| (\w+) \| `([^`]+)` \| ([^|]+) \| ([^|]+) \| `([^`]+)` \/ `(\d+)` \|$/.exec(line);
    if (m) rows.set(m[1]!, { existing: m[2]!, custom: m[3]!.trim(), external: m[4]!.trim(), url: m[5]!, port: m[6]! });
  }
  return rows;
}

describe("docs/monitoring.md: prometheus-adapter values for kubectl/GitOps users", () => {
  const rows = documentedRows();

  it("has one row per environment", () => {
    expect([...rows.keys()].sort()).toEqual([...ENV_NAMES].sort());
  });

  for (const env of ENV_NAMES) {
    it(`${env}: names the rendered ConfigMap, the APIServices its rules need and the env's Prometheus`, () => {
      const row = rows.get(env)!;
      const stack = stackFor(env);
      const cm = distObjects(env).find((o) => o.kind === "ConfigMap" && o.metadata.name === row.existing);
      expect(cm, `ConfigMap ${row.existing} in dist/${env}`).toBeDefined();
      expect(cm!.metadata.namespace).toBe(stack.config.monitoring.prometheus.namespace);
      const config = parse(cm!.data["config.yaml"]) as { rules?: unknown[]; externalRules?: unknown[] };
      // Custom rules always exist: the chart creates custom.metrics.k8s.io with rules.default or rules.custom.
      expect(config.rules?.length).toBeGreaterThan(0);
      expect(row.custom).toBe("keep `rules.default: true`");
      if (config.externalRules?.length) expect(row.external).toMatch(/^set `rules\.external` non-empty/);
      else expect(row.external).toBe("leave `rules.external` empty: KEDA serves it");
      expect(Boolean(config.externalRules?.length)).toBe(!stack.config.cluster.keda);
      const prometheus = stack.helmValues["prometheus-adapter"]!["prometheus"] as { url: string; port: number; path: string };
      expect({ url: row.url, port: Number(row.port), path: "" }).toEqual(prometheus);
    });
  }
});
