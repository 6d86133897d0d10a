/**
 * The pieces of `npm run e2e:pulumi` that decide pass/fail without a cluster: the live-vs-dist
 * comparison and the language host flags taken from Pulumi.yaml.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderedFieldDiffs } from "./lib/live-compare.js";
import { REPO_ROOT as REPO } from "./lib/versions.js";
import { languageHostFlags } from "./lib/pulumi-engine.js";

describe("renderedFieldDiffs", () => {
  it("accepts fields the API server adds and quantities it normalises", () => {
    const rendered = {
      spec: { replicas: 2, template: { spec: { containers: [{ name: "a", resources: { requests: { cpu: "0.5", memory: "1024Mi" } } }] } } },
    };
    const live = {
      spec: {
        replicas: 2,
        progressDeadlineSeconds: 600,
        template: {
          spec: { containers: [{ name: "a", imagePullPolicy: "IfNotPresent", resources: { requests: { cpu: "500m", memory: "1Gi" } } }] },
        },
      },
      status: {},
    };
    expect(renderedFieldDiffs(rendered, live)).toEqual([]);
  });

  it("names each rendered field that is missing or different", () => {
    const rendered = {
      metadata: { labels: { app: "x" } },
      spec: { replicas: 2, ports: [{ port: 80 }, { port: 9090 }], selector: { app: "x" } },
    };
    const live = { metadata: { labels: {} }, spec: { replicas: 3, ports: [{ port: 80 }], selector: { app: "x" } } };
    expect(renderedFieldDiffs(rendered, live)).toEqual([
      'metadata.labels.app: rendered "x", live undefined',
      "spec.replicas: rendered 2, live 3",
      "spec.ports: rendered 2 items, live has 1",
    ]);
  });

  it("takes an empty rendered list or object for the field the API server omits, not for a different one", () => {
    expect(renderedFieldDiffs({ env: [], labels: {} }, {})).toEqual([]);
    expect(renderedFieldDiffs({ env: [] }, { env: [{ name: "A" }] })).toEqual(["env: rendered 0 items, live has 1"]);
    expect(renderedFieldDiffs({ env: [{ name: "A" }] }, {})).toEqual(["env: rendered a list, live has undefined"]);
  });

  it("does not take a different unit for the same number", () => {
    expect(renderedFieldDiffs({ cpu: "1" }, { cpu: "1m" })).toEqual(['cpu: rendered "1", live "1m"']);
  });
});

describe("the harness's inputs", () => {
  it("passes Pulumi.yaml's runtime options to the language host as its flags", () => {
    expect(languageHostFlags(readFileSync(join(REPO, "Pulumi.yaml"), "utf8"))).toEqual(["-typescript=false", "-nodeargs=--import tsx"]);
    expect(() => languageHostFlags("name: x\nruntime:\n  name: nodejs\n  options:\n    packagemanager: pnpm\n")).toThrow(/packagemanager/);
  });
});
