/**
 * The CLIs run an esbuild bundle (scripts/build.mjs, scripts/run.mjs), not TypeScript compiled at
 * every run: it must write exactly what the sources write, rebuild when a source changes, and
 * leave out what a command does not use (Pulumi and vega in synth).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { hostname } from "node:os";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildFolders,
  CANVAS_AWAIT,
  ensureBuilt,
  ENTRIES,
  isStale,
  K8S_BINDINGS,
  LINEAR_OMIT_HELPER,
  LOCK,
  OUT,
  QUADRATIC_OMIT,
  SOURCE_FOLDERS,
  VEGA_CANVAS,
  withBuildLock,
} from "../../scripts/build.mjs";
import { BUNDLED_MODELS } from "../../stacks/schema.js";
import { ROOT } from "../helpers/cli.js";
import { HPA_CASE } from "../../scripts/bench-inputs.js";

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

/** CLI `entry`'s bundle: one CommonJS file. */
function bundleText(entry: string): string {
  return readFileSync(join(OUT, `${entry}.cjs`), "utf8");
}

beforeAll(async () => {
  for (const name of Object.keys(ENTRIES)) await ensureBuilt(name);
}, 300_000);

describe("the CLI bundle", () => {
  it("`npm run synth` (the bundle) writes dist/ byte for byte, parsing its PromQL templates or reading their trees from the last run", () => {
    // The first run parses every template and keeps the trees beside the bundle; the second builds them from there.
    const store = join(realpathSync(OUT), "promql-templates.json");
    rmSync(store, { force: true });
    for (const run of ["parsing", "from the store"]) {
      const out = mkdtempSync(join(tmpdir(), "bundle-synth-"));
      try {
        const r = spawnSync(process.execPath, ["scripts/run.mjs", "synth", "--out", out], {
          cwd: ROOT,
          encoding: "utf8",
          timeout: 300_000,
        });
        expect(r.stderr, run).toBe("");
        expect(r.status, run).toBe(0);
        const dist = join(ROOT, "dist");
        expect(files(out), run).toEqual(files(dist));
        for (const f of files(dist)) expect(readFileSync(join(out, f), "utf8"), `${run}: ${f}`).toBe(readFileSync(join(dist, f), "utf8"));
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
      expect(Object.keys((JSON.parse(readFileSync(store, "utf8")) as { trees: object }).trees).length, run).toBeGreaterThan(100);
    }
  });

  it("package.json runs the bundle for every CLI, and cdk8s.yaml too", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const name of ["synth", "check", "diff", "bench", "simulate", "hpa-step"])
      expect(pkg.scripts[name]).toBe(`node scripts/run.mjs ${name}`);
    expect(pkg.devDependencies.esbuild).toBeDefined();
    expect(readFileSync(join(ROOT, "cdk8s.yaml"), "utf8")).toMatch(/^app: node scripts\/run\.mjs synth --out dist /m);
  });

  it("is stale when a source it was built from is newer, fresh again once rebuilt", async () => {
    const stamp = join(OUT, "inputs.json");
    const inputs = (JSON.parse(readFileSync(stamp, "utf8")) as { inputs: string[] }).inputs;
    expect(inputs).toContain("stacks/synth.ts");
    expect(inputs).toContain("constructs/inference-service.ts");
    expect(inputs.some((i) => i.includes("node_modules"))).toBe(false);
    expect(isStale()).toBe(false);
    const { atime, mtime } = statSync(stamp);
    // The stamp an hour older than every source: as if a source had been edited since.
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(stamp, hourAgo, hourAgo);
    try {
      expect(isStale()).toBe(true);
    } finally {
      utimesSync(stamp, atime, mtime);
    }
    expect(isStale()).toBe(false);
  });

  it("synth holds neither Pulumi nor vega; simulate evaluates vega only when it draws (at the chart's import)", () => {
    // esbuild names each bundled module's path in a comment: `// node_modules/vega-lite/...`.
    const heavy = /^\/\/ node_modules\/(?:@pulumi|vega|vega-lite)\//m;
    for (const name of ["synth", "check", "hpa-step"]) expect(heavy.test(bundleText(name)), name).toBe(false);
    const simulate = bundleText("simulate");
    expect(/^\/\/ node_modules\/vega-lite\//m.test(simulate)).toBe(true);
    // The chart's `import("vega")` and `import("vega-lite")` became calls of lazy module initialisers
    // (esbuild's `__esm`); no vega module is initialised at the top level (an eager one is called at column 0).
    const site =
      /const \[vega, \{ compile: \w+ \}\] = await Promise\.all\(\[Promise\.resolve\(\)\.then\(\(\) => \((init_\w+)\(\), \w+\)\), Promise\.resolve\(\)\.then\(\(\) => \((init_\w+)\(\), \w+\)\)\]\)/.exec(
        simulate,
      );
    expect(site, "the chart's dynamic import of vega and vega-lite").not.toBeNull();
    const vegaInits = [...simulate.matchAll(/^var (init_\w+) = __esm\(\{\n\s+"node_modules\/vega[^"]*"/gm)].map((m) => m[1]!);
    expect(vegaInits).toEqual(expect.arrayContaining([site![1]!, site![2]!]));
    expect(vegaInits.length).toBeGreaterThan(10);
    for (const init of vegaInits) expect(new RegExp(`^${init}\\(\\);`, "m").test(simulate), init).toBe(false);
    // hpa-step carries only the HPA port: small enough to start at once.
    expect(bundleText("hpa-step").length).toBeLessThan(200_000);
  });

  it("no bundle calls import() but through kube/dynamic-import.ts (a script restored from V8's code cache has none)", () => {
    for (const name of Object.keys(ENTRIES)) {
      const calls = bundleText(name)
        .split("\n")
        .filter((l) => /(?:^|[^\w.$])import\(/.test(l) && !/^\s*\/\//.test(l));
      expect(
        calls.map((l) => l.trim()),
        name,
      ).toEqual(calls.length ? ["return hook ? hook(specifier) : import(specifier);"] : []);
    }
  });

  it("vega-canvas's top-level await becomes a require in the same try (a CommonJS bundle cannot await at the top)", () => {
    const pinned = readFileSync(join(ROOT, "node_modules", "vega-canvas", "build", "vega-canvas.node.js"), "utf8");
    expect(VEGA_CANVAS.test(join(ROOT, "node_modules", "vega-canvas", "build", "vega-canvas.node.js"))).toBe(true);
    expect(pinned).toContain(CANVAS_AWAIT);
    const simulate = bundleText("simulate");
    expect(simulate).not.toContain(CANVAS_AWAIT);
    expect(simulate).toMatch(/NodeCanvas = require\(["']canvas["']\);/);
  });

  it("every kind dist/ holds has its schema model bundled (no per-file module loading at run time)", () => {
    const kinds = new Set<string>();
    for (const f of files(join(ROOT, "dist")).filter((f) => f.endsWith(".yaml"))) {
      const text = readFileSync(join(ROOT, "dist", f), "utf8");
      for (const m of text.matchAll(/^apiVersion: (\S+)\nkind: (\S+)$/gm)) kinds.add(`${m[1]} ${m[2]}`);
    }
    expect(kinds.size).toBeGreaterThan(5);
    for (const k of kinds) {
      const [apiVersion, kind] = k.split(" ") as [string, string];
      const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
      const pkg =
        group === "keda.sh"
          ? "@kubernetes-models/keda/keda.sh"
          : group === "monitoring.coreos.com"
            ? "@kubernetes-models/prometheus-operator/monitoring.coreos.com"
            : group
              ? `kubernetes-models/${group}`
              : "kubernetes-models";
      expect(Object.keys(BUNDLED_MODELS), k).toContain(`${pkg}/${version}/${kind}`);
    }
  });
});

/** Makes the bundle stale the way an edited source does: its stamp an hour older than every source. */
function makeStale(): void {
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(join(OUT, "inputs.json"), hourAgo, hourAgo);
}

/** Runs a CLI's bundle through scripts/run.mjs without waiting; resolves with its exit code and stderr. */
function start(name: string, args: readonly string[], input = "") {
  const child = spawn(process.execPath, ["scripts/run.mjs", name, ...args], { cwd: ROOT, stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  const done = new Promise<{ code: number | null; stderr: string }>((res) => child.on("close", (code) => res({ code, stderr })));
  return { child, done };
}

describe("rebuilding a stale bundle while CLIs start at once", () => {
  it("CLIs started together on a stale bundle all succeed, and only one of them builds (the others wait on .build.lock)", async () => {
    const previous = realpathSync(OUT);
    makeStale();
    const before = new Set(buildFolders());
    const runs = [
      start("check", ["--env", "dev"]),
      start("check", ["--env", "dev"]),
      start("hpa-step", [], HPA_CASE),
      start("hpa-step", [], HPA_CASE),
      start("synth", ["--env", "dev", "--out", mkdtempSync(join(tmpdir(), "bundle-race-"))]),
    ];
    const results = await Promise.all(runs.map((r) => r.done));
    for (const r of results) expect(r, r.stderr).toEqual({ code: 0, stderr: "" });
    // One new build folder (another test file may have rebuilt too, but never once per run).
    const added = buildFolders().filter((b) => !before.has(b));
    expect(added.length).toBeGreaterThanOrEqual(1);
    expect(added.length).toBeLessThan(runs.length);
    expect(isStale()).toBe(false);
    expect(existsSync(LOCK)).toBe(false);
    // The superseded build stays (a CLI started on it may still import a chunk on demand, e.g. the chart's vega).
    expect(realpathSync(OUT)).not.toBe(previous);
    expect(existsSync(join(previous, "simulate.cjs"))).toBe(true);
  }, 300_000);

  it('the build folder sits one level below the checkout, like scripts/ (a CLI\'s import.meta.dirname + ".." is the checkout)', async () => {
    const url = await ensureBuilt("synth");
    expect(dirname(dirname(fileURLToPath(url)))).toBe(ROOT);
    expect(dirname(realpathSync(OUT))).toBe(ROOT);
  });

  it("a run that holds the lock makes the next one wait until it is released", async () => {
    writeFileSync(LOCK, `${process.pid} ${hostname()}`); // a live holder: this test's own process
    const t0 = Date.now();
    setTimeout(() => rmSync(LOCK, { force: true }), 1000);
    let ranAt = 0;
    await withBuildLock(() => (ranAt = Date.now()));
    expect(ranAt - t0).toBeGreaterThanOrEqual(900);
    expect(existsSync(LOCK)).toBe(false);
  });

  it("a lock left by a run that died is broken at once; a live one held past the time bound is reported", async () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid; // exited: its PID names no live run
    writeFileSync(LOCK, `${dead} ${hostname()}`);
    const t0 = Date.now();
    expect(await withBuildLock(() => "ran")).toBe("ran");
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(existsSync(LOCK)).toBe(false);
    writeFileSync(LOCK, `${process.pid} ${hostname()}`);
    try {
      await expect(withBuildLock(() => "ran", 300)).rejects.toThrow(
        /\.build\.lock is held by \d+ \S+ for 0\.3 s: remove it if no build is running/,
      );
    } finally {
      rmSync(LOCK, { force: true });
    }
  });
});

describe("the source folders", () => {
  it("SOURCE_FOLDERS (what project copies take) are the folders tsconfig.json type-checks, and every top-level folder with TypeScript is one of them", () => {
    const tsconfig = JSON.parse(readFileSync(join(ROOT, "tsconfig.json"), "utf8")) as { include: string[] };
    expect(tsconfig.include.filter((p) => p !== "test" && p !== "*.ts").sort()).toEqual([...SOURCE_FOLDERS].sort());
    const withTs = readdirSync(ROOT, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !["node_modules", "test", "dist"].includes(d.name) && !d.name.startsWith("."))
      .filter((d) => readdirSync(join(ROOT, d.name), { recursive: true }).some((f) => String(f).endsWith(".ts")))
      .map((d) => d.name);
    expect(withTs.sort()).toEqual([...SOURCE_FOLDERS].sort());
  });
});

describe("the bundle's one-pass undefined-field omission in cdk8s-plus-28's k8s bindings", () => {
  it("finds the quadratic text in the pinned bindings, and the one-pass helper returns the same fields in the same order", () => {
    const bindings = join(ROOT, "node_modules", "cdk8s-plus-28", "lib", "imports", "k8s.js");
    expect(K8S_BINDINGS.test(bindings)).toBe(true);
    expect(readFileSync(bindings, "utf8").split(QUADRATIC_OMIT).length - 1).toBeGreaterThan(400);
    const quadratic = new Function("result", `return ${QUADRATIC_OMIT};`) as (r: object) => object;
    const linear = new Function("result", `${LINEAR_OMIT_HELPER}return __isDefinedFields(result);`) as (r: object) => object;
    const cases: Record<string, unknown>[] = [
      {},
      { a: undefined },
      { b: 1, a: undefined, c: null, d: 0, e: "", f: false, g: [undefined], h: { x: undefined } },
      { 2: "two", 1: "one", z: undefined, y: "y" },
    ];
    for (const c of cases) {
      const [q, l] = [quadratic(c), linear(c)];
      expect(l).toEqual(q);
      expect(Object.keys(l)).toEqual(Object.keys(q));
    }
  });

  it("the bundle holds the helper in place of every quadratic omission", async () => {
    await ensureBuilt("synth");
    const text = bundleText("synth");
    expect(text).toContain("__isDefinedFields(result)");
    expect(text).not.toContain(QUADRATIC_OMIT);
  });
});
