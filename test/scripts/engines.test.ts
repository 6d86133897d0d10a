/**
 * The declared Node range is true. Every package npm installs accepts every Node
 * version package.json's `engines.node` admits (so `npm ci` prints no EBADENGINE on any of them),
 * the running Node is one of them, and the README names the same range.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

describe("engines", () => {
  const range = pkg.engines.node;

  it("every locked package supports the whole declared Node range", () => {
    const narrower: string[] = [];
    for (const [path, p] of Object.entries(lock.packages)) {
      const node = !path || Array.isArray(p.engines) ? undefined : p.engines?.node;
      if (node && !semver.subset(range, node)) narrower.push(`${path}@${p.version}: node ${node}`);
    }
    expect(narrower, `package.json engines.node "${range}" admits versions these packages refuse`).toEqual([]);
  });

  it("admits Node 20 (the machines') and the running Node", () => {
    expect(semver.intersects(range, "20")).toBe(true);
    expect(semver.satisfies(process.versions.node, range), `node ${process.versions.node}`).toBe(true);
  });

  it("the schema packages are the Node 20 line (kubernetes-models 4.x, validate 4.x)", () => {
    for (const name of ["kubernetes-models", "@kubernetes-models/validate", "@kubernetes-models/prometheus-operator"]) {
      const v = lock.packages[`node_modules/${name}`]?.version;
      expect(v, name).toBeDefined();
      expect(semver.major(v!), name).toBeLessThan(5);
    }
    expect(
      Object.keys(lock.packages)
        .filter((p) => /\/@kubernetes-models\/validate$/.test(p))
        .map((p) => lock.packages[p]!.version),
    ).toEqual(["4.0.0"]);
  });

  it("the README states the declared range", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain(`\`engines.node\`: \`${range}\``);
  });
});
