/**
 * `npm run diff`: the pure resource-level diff (stacks/diff.ts) on hand-made outputs, then the
 * command end to end in a temporary git repository holding a copy of the project, with a real
 * commit as base and a working-tree change that raises an alert threshold, changes a replica
 * count and removes an alert.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { diffDists, diffValues, readDist, renderMarkdown, renderText, type EnvDiff } from "../../stacks/diff.js";
import { SOURCE_FOLDERS } from "../../scripts/build.mjs";
import { ROOT } from "../helpers/cli.js";
import { envConfig } from "../helpers/env.js";

const deployment = (over: Record<string, unknown> = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "inference", namespace: "ml" },
  spec: {
    replicas: 3,
    template: {
      spec: {
        containers: [
          {
            name: "server",
            image: "x:1",
            env: [
              { name: "A", value: "1" },
              { name: "B", value: "2" },
            ],
          },
          { name: "proxy", image: "p:1" },
        ],
      },
    },
  },
  ...over,
});

function writeDist(root: string, envs: Record<string, Record<string, string>>): string {
  for (const [env, files] of Object.entries(envs)) {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, env, path, ".."), { recursive: true });
      writeFileSync(join(root, env, path), content);
    }
  }
  return root;
}

const yaml = (...docs: object[]) => `# header\n${docs.map((d) => stringify(d)).join("---\n")}`;

describe("diffValues", () => {
  it("ignores ordering of map keys and of named array items", () => {
    const a = deployment();
    const b = structuredClone(a) as any;
    b.spec.template.spec.containers.reverse();
    b.spec.template.spec.containers[1].env.reverse();
    expect(diffValues(a, { spec: b.spec, metadata: b.metadata, kind: b.kind, apiVersion: b.apiVersion })).toEqual([]);
  });

  it("names the field path of a change, by item name", () => {
    const b = structuredClone(deployment()) as any;
    b.spec.replicas = 4;
    b.spec.template.spec.containers[0].env[1].value = "3";
    expect(diffValues(deployment(), b)).toEqual([
      { kind: "changed", path: "spec.replicas", old: 3, new: 4 },
      { kind: "changed", path: "spec.template.spec.containers[name=server].env[name=B].value", old: "2", new: "3" },
    ]);
  });

  it("reports added and removed fields and named items, and keys alert rules by alert name", () => {
    const a = {
      groups: [
        {
          name: "g",
          rules: [
            { alert: "High", expr: "x > 1" },
            { alert: "Down", expr: "up == 0" },
          ],
        },
      ],
      labels: { team: "ml" },
    };
    const b = { groups: [{ name: "g", rules: [{ alert: "High", expr: "x > 2" }] }], annotations: { a: "b" } };
    expect(diffValues(a, b)).toEqual([
      { kind: "added", path: "annotations", new: { a: "b" } },
      { kind: "removed", path: "groups[name=g].rules[alert=Down]", old: { alert: "Down", expr: "up == 0" } },
      { kind: "changed", path: "groups[name=g].rules[alert=High].expr", old: "x > 1", new: "x > 2" },
      { kind: "removed", path: "labels", old: { team: "ml" } },
    ]);
  });

  it("compares unnamed arrays by position and YAML held in strings as documents", () => {
    expect(diffValues({ args: ["a", "b"] }, { args: ["b", "a"] })).toHaveLength(2);
    const cm = (v: number) => ({ data: { "config.yaml": stringify({ rules: [{ seriesQuery: "x", window: v }], other: 1 }) } });
    expect(diffValues(cm(1), cm(2))).toEqual([{ kind: "changed", path: 'data["config.yaml"].rules[0].window', old: 1, new: 2 }]);
  });
});

describe("diffDists", () => {
  const tmp = () => mkdtempSync(join(tmpdir(), "diff-unit-"));

  it("keys objects by apiVersion/kind/namespace/name across files and diffs plain files", () => {
    const svc = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "inference", namespace: "ml" },
      spec: { ports: [{ name: "http", port: 8000 }] },
    };
    const base = writeDist(tmp(), {
      prod: {
        "workload.yaml": yaml(deployment(), svc),
        "rules/alerts.yaml": stringify({ groups: [{ name: "a", rules: [{ alert: "High", expr: "x > 1" }] }] }),
      },
      staging: { "workload.yaml": yaml(deployment()) },
    });
    const head = writeDist(tmp(), {
      // the Service moved to another chart file: no change; the Deployment changed; a ConfigMap is new
      prod: {
        "workload.yaml": yaml({ ...deployment(), spec: { ...deployment().spec, replicas: 5 } }),
        "service.yaml": yaml(svc, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", namespace: "ml" }, data: { a: "b" } }),
        "rules/alerts.yaml": stringify({ groups: [{ name: "a", rules: [{ alert: "High", expr: "x > 2" }] }] }),
      },
      staging: { "workload.yaml": yaml(deployment()) },
      dev: { "workload.yaml": yaml(deployment()) },
    });
    const diffs = diffDists(readDist(base), readDist(head));
    expect(diffs.map((d) => [d.env, d.kind])).toEqual([
      ["dev", "added"],
      ["prod", "changed"],
    ]);
    const prod = diffs.find((d) => d.env === "prod")!;
    expect(prod.resources.map((r) => [r.kind, r.resource])).toEqual([
      ["added", "ConfigMap ml/c (v1)"],
      ["changed", "Deployment ml/inference (apps/v1)"],
      ["changed", "File rules/alerts.yaml"],
    ]);
    expect(prod.resources[2]!.fields).toEqual([
      { kind: "changed", path: "groups[name=a].rules[alert=High].expr", old: "x > 1", new: "x > 2" },
    ]);
    expect(diffDists(readDist(base), readDist(head), ["staging"])).toEqual([]);
  });

  it("renders text and a PR-comment-ready markdown summary", () => {
    const diffs: EnvDiff[] = [
      {
        env: "prod",
        kind: "changed",
        resources: [
          {
            kind: "changed",
            resource: "ScaledObject ml/inference (keda.sh/v1alpha1)",
            fields: [{ kind: "changed", path: "spec.maxReplicaCount", old: 20, new: 30 }],
          },
          { kind: "removed", resource: "File rules/x.yaml", fields: [] },
        ],
      },
    ];
    expect(renderText(diffs)).toBe(
      "prod: 0 added, 1 removed, 1 changed\n  ~ ScaledObject ml/inference (keda.sh/v1alpha1)\n      spec.maxReplicaCount: 20 -> 30\n  - File rules/x.yaml\n",
    );
    const md = renderMarkdown(diffs, { base: "origin/main", head: "working tree" });
    expect(md).toContain("### Rendered diff: `origin/main` → working tree");
    expect(md).toContain("| prod | 0 | 1 | 1 |");
    expect(md).toContain("- **changed** `ScaledObject ml/inference (keda.sh/v1alpha1)`\n  - `spec.maxReplicaCount`: `20` → `30`");
    expect(renderText([])).toBe("no differences in rendered output\n");
    expect(renderMarkdown([], { base: "main", head: "working tree" })).toContain("No differences in rendered output.");
  });

  it("keeps the markdown under GitHub's comment limit", () => {
    const fields = Array.from({ length: 3000 }, (_, i) => ({
      kind: "changed" as const,
      path: `data.k${i}`,
      old: "x".repeat(40),
      new: "y".repeat(40),
    }));
    const md = renderMarkdown(
      [{ env: "prod", kind: "changed", resources: [{ kind: "changed", resource: "ConfigMap ml/big (v1)", fields }] }],
      { base: "main", head: "working tree" },
    );
    expect(md.length).toBeLessThan(65_536);
    expect(md).toMatch(/truncated; run `npm run diff -- --base main`/);
  });
});

describe("npm run diff (temporary git repository)", () => {
  function git(cwd: string, ...args: string[]) {
    const r = spawnSync("git", ["-c", "user.email=test@example.com", "-c", "user.name=test", ...args], { cwd, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  }

  function project(): string {
    const dir = mkdtempSync(join(tmpdir(), "diff-repo-"));
    for (const p of ["package.json", "tsconfig.json", ...SOURCE_FOLDERS]) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    writeFileSync(join(dir, ".gitignore"), "node_modules\ndist\n");
    git(dir, "init", "-q");
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "base");
    return dir;
  }

  function npmDiff(cwd: string, ...args: string[]) {
    const r = spawnSync("npm", ["run", "--silent", "diff", "--", ...args], { cwd, encoding: "utf8", timeout: 240_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it("shows a raised alert threshold, a new replica count and a removed alert; --exit-code, --markdown, --env", () => {
    const prod = envConfig("prod");
    const dev = envConfig("dev");
    expect(dev.scaling.maxReplicas, "dev must autoscale for its at-max alert to exist").toBeGreaterThan(dev.scaling.minReplicas);
    const dir = project();
    const newThreshold = prod.monitoring.alerts.p95LatencySeconds === 2 ? 5 : 2;
    const newMin = prod.scaling.minReplicas + 1;
    // The change under review, as a working-tree edit of the env files (formatting-independent).
    appendFileSync(
      join(dir, "stacks/envs/prod.ts"),
      `\nprod.monitoring = { ...prod.monitoring, alerts: { ...prod.monitoring?.alerts, p95LatencySeconds: ${newThreshold} } };\nprod.services[0]!.scaling!.minReplicas = ${newMin};\n`,
    );
    // Pinning dev to one replica count removes the "autoscaler at its maximum" alert.
    // (dev scales to zero on KEDA: pin it at one replica.)
    appendFileSync(
      join(dir, "stacks/envs/dev.ts"),
      `\ndev.services[0]!.scaling!.minReplicas = 1;\ndev.services[0]!.scaling!.maxReplicas = 1;\n`,
    );

    const md = join(dir, "diff.md");
    const r = npmDiff(dir, "--base", "HEAD", "--env", "prod", "--env", "dev", "--markdown", md, "--exit-code");
    expect(r.code, r.stderr).toBe(1);

    // threshold: the alert expression and its annotations, in the PrometheusRule and the plain rule file
    const old = String(prod.monitoring.alerts.p95LatencySeconds);
    expect(r.stdout).toMatch(new RegExp(`~ PrometheusRule ml-serving-prod/\\S+ \\(monitoring\\.coreos\\.com/v1\\)`));
    expect(r.stdout).toMatch(
      new RegExp(`spec\\.groups\\[name=[^\\]]+\\]\\.rules\\[alert=\\w*HighLatency\\]\\.expr: .* > ${old} -> .* > ${newThreshold}\\n`),
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `~ File rules/\\S+\\.yaml for inference\\n(.*\\n)*?\\s+groups\\[name=[^\\]]+\\]\\.rules\\[alert=\\w*HighLatency\\]\\.expr: .* > ${old} -> .* > ${newThreshold}`,
      ),
    );
    // replica count: the autoscaler's minimum
    expect(r.stdout).toMatch(
      new RegExp(
        `~ ScaledObject ml-serving-prod/inference \\(keda\\.sh/v1alpha1\\) for inference\\n\\s+spec\\.minReplicaCount: ${prod.scaling.minReplicas} -> ${newMin}\\n`,
      ),
    );
    // the removed alert, by name, with its old definition
    expect(r.stdout).toMatch(/^dev: /m);
    expect(r.stdout).toMatch(/rules\[alert=\w*AtMaxReplicas\]: \{"alert":"\w*AtMaxReplicas".* -> \(absent\)/);
    expect(r.stdout).toMatch(new RegExp(`spec\\.maxReplicaCount: ${dev.scaling.maxReplicas} -> 1`));
    // --env: nothing else listed
    expect(r.stdout).not.toMatch(/^staging/m);

    const markdown = readFileSync(md, "utf8");
    expect(markdown).toMatch(/^### Rendered diff: `HEAD` → working tree/);
    expect(markdown).toMatch(/\| prod \| 0 \| 0 \| \d+ \|/);
    expect(markdown).toMatch(/`spec\.minReplicaCount`: `\d+` → `\d+`/);
    expect(markdown).toMatch(/rules\[alert=\w*AtMaxReplicas\]`: removed \(was /);

    // nothing left behind: no worktree, no dist/ in the checkout
    expect(git(dir, "worktree", "list").trim().split("\n")).toHaveLength(1);
    expect(existsSync(join(dir, "dist"))).toBe(false);
  }, 300_000);

  it("exit 3 (the diff could not be made) with a clear message for an unknown ref", () => {
    const dir = project();
    const r = npmDiff(dir, "--base", "no-such-branch");
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe('error: unknown git ref "no-such-branch" (fetch it first, e.g. git fetch origin main)');
  }, 60_000);
});
