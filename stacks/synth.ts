/**
 * env config → stack → YAML files, validated, written to dist/ atomically: either the run's new
 * tree (every environment of the run, the other folders kept) replaces the old one, or (on any
 * error) dist/ is left untouched.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync, type Stats } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { runServiceConfigChecks, runServiceRenderedChecks } from "./checks/index.js";
import { problem, type Problem } from "../problems/problem.js";
import type { EnvConfig } from "./config.js";
import { describeObject, validateObjects } from "./schema.js";
import { GENERATED_HEADER } from "./env-chart.js";
import { SynthError, throwIfErrors } from "./errors.js";
import { buildStack, type EnvironmentStack } from "./stack.js";
import type { LooseObject } from "../kube/loose-json.js";
import { yamlText } from "../kube/yaml-text.js";

export interface RenderedFile {
  /** Path relative to `dist/<env>/`. */
  readonly path: string;
  readonly content: string;
}

export interface RenderedEnv {
  readonly env: string;
  readonly stack: EnvironmentStack;
  readonly files: readonly RenderedFile[];
  /** Every Kubernetes object of every chart, resolved, in apply order (what `stack.objects()` returns, without resolving the charts again). */
  readonly objects: readonly LooseObject[];
  /** Check warnings (errors fail the render); scripts/synth.ts prints them. */
  readonly warnings: readonly Problem[];
}

/** Multi-document YAML, byte-stable for equal input. */
export function toYaml(docs: readonly unknown[]): string {
  return GENERATED_HEADER + docs.map((d) => yamlText(d)).join("---\n");
}

/** Builds and validates one environment in memory. Throws SynthError naming every invalid object. */
export async function renderEnvironment(config: EnvConfig): Promise<RenderedEnv> {
  // buildStack runs the config checks first (a threshold the env declares wrongly is reported with
  // its check's code, not as the refusal of the construct that would use it); their warnings travel on.
  const stack = buildStack(config);
  const early = runServiceConfigChecks(config); // the findings buildStack read (memoised): its warnings
  const files: RenderedFile[] = [];
  const objects: LooseObject[] = [];
  for (const chart of stack.charts) {
    const docs = chart.toJson() as LooseObject[];
    if (docs.length === 0) continue;
    objects.push(...docs);
    files.push({ path: `${chart.node.id}.yaml`, content: toYaml(docs) });
  }
  for (const f of stack.extraFiles) files.push({ path: f.path, content: f.content() });

  const problems: Problem[] = [];
  const env = config.name;
  const seen = new Set<string>();
  for (const o of objects) {
    const key = `${o.apiVersion}/${describeObject(o)}`;
    if (seen.has(key))
      problems.push(
        problem({ code: "OBJECT_DUPLICATE", env, message: `${describeObject(o)} is rendered twice`, fix: "give one of them another name" }),
      );
    seen.add(key);
  }
  for (const o of objects) {
    // Serialising every object costs ten times the bound; only an object that may be too large is.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a shortcut (the exact size below gives the same answer)
    if (jsonBytesBound(o) <= MAX_OBJECT_BYTES) continue;
    const size = Buffer.byteLength(JSON.stringify(o));
    if (size > MAX_OBJECT_BYTES) {
      const [field, bytes] = largestString(o);
      problems.push(
        problem({
          code: "OBJECT_TOO_LARGE",
          env,
          // Stryker disable next-line StringLiteral: equivalent, every API object has a string field (apiVersion), so `field` is never empty
          message: `${describeObject(o)} is ${mib(size)} serialized; the API server refuses objects over etcd's request limit of 1.5 MiB (${MAX_OBJECT_BYTES} bytes)${field ? `, and ${field} alone is ${mib(bytes)}` : ""}`,
          fix: "keep large data out of env values and config (mount a ConfigMap/Secret volume of at most 1 MiB, or bake it into the image)",
        }),
      );
    }
  }
  for (const f of await validateObjects(objects)) {
    problems.push(
      problem({
        code: "SCHEMA_INVALID",
        env,
        message: `${f.object} fails its schema: ${f.message}`,
        fix: "correct the construct or config that renders it",
      }),
    );
  }
  if (problems.length) throw new SynthError(problems);
  // Cross-resource checks on what was rendered (stacks/checks): errors stop here, warnings travel on.
  const extra = new Set(stack.extraFiles.map((f) => f.path));
  const findings = runServiceRenderedChecks({
    config,
    objects,
    files: files.filter((f) => extra.has(f.path)),
    helmValues: stack.helmValues,
  });
  throwIfErrors(findings);
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { env: config.name, stack, files, objects, warnings: [...early, ...findings] };
}

/** etcd's default --max-request-bytes (1.5 MiB): the API server cannot store an object larger than this. */
const MAX_OBJECT_BYTES = 1_572_864;

/**
 * An upper bound of `Buffer.byteLength(JSON.stringify(v))` for plain JSON data, without writing
 * it: a UTF-16 unit takes at most 6 bytes (`\u001f`; a non-ASCII unit at most 3 in UTF-8), a
 * number at most 24 characters, and every key, quote, colon, comma and bracket counts. Anything
 * that is not plain data (its `toJSON` could write anything) bounds nothing: Infinity.
 */
export function jsonBytesBound(v: unknown): number {
  switch (typeof v) {
    case "string":
      return 6 * v.length + 2;
    case "number":
      return 24; // "-2.2250738585072014e-308"
    case "boolean":
      return 5;
    case "undefined":
      return 4; // a list item: null; a member: omitted, counted anyway
    case "object": {
      if (v === null) return 4;
      let n = 2;
      if (Array.isArray(v)) {
        // Stryker disable next-line EqualityOperator: one item more (undefined) only loosens the bound
        for (let i = 0; i < v.length; i++) n += jsonBytesBound(v[i]) + 1;
        return n;
      }
      if (Object.getPrototypeOf(v) !== Object.prototype) return Infinity;
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) n += 6 * k.length + 4 + jsonBytesBound(o[k]);
      return n;
    }
    case "function":
    case "symbol":
    case "bigint":
      return Infinity;
  }
}

const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;

/** The path and size of the largest string in an object (what made it too large, usually an env value). */
function largestString(o: unknown, path = ""): [string, number] {
  if (typeof o === "string") return [path, Buffer.byteLength(o)];
  let best: [string, number] = ["", 0];
  const entries = Array.isArray(o)
    ? o.map((v, i) => [`${path}[${i}]`, v] as const)
    : o && typeof o === "object"
      ? Object.entries(o).map(([k, v]) => [path ? `${path}.${k}` : k, v] as const)
      : [];
  for (const [p, v] of entries) {
    const c = largestString(v, p);
    if (c[1] > best[1]) best = c;
  }
  return best;
}

/** Test-only: `after-env:<n>` fails after the n-th environment is staged, `swap` fails between moving the old tree aside and the new one in. */
const FAIL_HOOK = "INFERENCE_SCALING_TEST_FAIL_WRITE";

type OutputCode = "OUTPUT_EMPTY_FLAG" | "OUTPUT_UNUSABLE" | "OUTPUT_UNWRITABLE" | "OUTPUT_WRITE";

/** A one-line refusal of the output folder (`--out`), before or while writing. */
function outputError(code: OutputCode, message: string, fix = "choose a writable directory for --out, e.g. --out /tmp/render"): SynthError {
  return new SynthError([problem({ code, message, fix })]);
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw outputError("OUTPUT_UNUSABLE", `--out ${path}: cannot inspect it (${(e as NodeJS.ErrnoException).code})`);
  }
}

/**
 * Checks the output folder before anything is rendered, and returns its absolute path: it is a
 * folder of environment folders (and dotfiles; synth replaces the whole tree), or does not exist yet, and its
 * nearest existing ancestor accepts a new entry (a probe folder, removed at once; under /proc, on a
 * read-only file system or without permission this fails at once instead of hanging in mkdir -p).
 */
export function checkOutDir(outDir: string): string {
  if (outDir.trim() === "")
    throw outputError("OUTPUT_EMPTY_FLAG", "--out is empty", "give a directory, e.g. --out /tmp/render, or omit --out to write dist/");
  const abs = resolve(outDir);
  if (dirname(abs) === abs) throw outputError("OUTPUT_UNUSABLE", `--out ${abs} is the file-system root`);
  const st = statOrUndefined(abs);
  if (st && !st.isDirectory()) throw outputError("OUTPUT_UNUSABLE", `--out ${abs} is a file, not a directory`);
  if (st) {
    const stray = readdirSync(abs, { withFileTypes: true }).find((d) => !d.isDirectory() && !d.name.startsWith("."));
    if (stray) {
      throw outputError(
        "OUTPUT_UNUSABLE",
        `--out ${abs} holds ${stray.name}, which is not an environment folder (synth replaces the whole folder as one)`,
        "point --out at a folder only synth writes, e.g. --out /tmp/render",
      );
    }
  }
  let ancestor = dirname(abs);
  for (let s = statOrUndefined(ancestor); !s; s = statOrUndefined(ancestor)) ancestor = dirname(ancestor);
  if (!statSync(ancestor).isDirectory()) throw outputError("OUTPUT_UNUSABLE", `--out ${abs}: ${ancestor} is a file, not a directory`);
  try {
    rmdirSync(mkdtempSync(join(ancestor, ".synth-probe-")));
  } catch (e) {
    // Stryker disable next-line StringLiteral: equivalent, node's mkdtemp errors always carry a code
    throw outputError(
      "OUTPUT_UNWRITABLE",
      `--out ${abs}: cannot create entries in ${ancestor} (${(e as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  return abs;
}

/** mkdir -p, one level at a time (no recursive mkdir: it never returns under /proc); returns the folders it created, outermost first. */
function makeParents(dir: string): string[] {
  if (statOrUndefined(dir)) return [];
  const created = makeParents(dirname(dir));
  mkdirSync(dir);
  return [...created, dir];
}

function injectedFailure(at: string): void {
  if (process.env[FAIL_HOOK] === at) throw new Error(`injected failure at ${at} (${FAIL_HOOK}, test-only)`);
}

/**
 * Writes the run atomically: every environment of the run, plus the other environment folders
 * already in `outDir` (copied), go into one new tree in a temporary folder beside `outDir` (same
 * file system); then the old tree is moved aside and the new one moved in, two renames. On any
 * error before or between them the old tree is moved back: nothing under `outDir` changes.
 */
export function writeDist(outDir: string, envs: readonly RenderedEnv[]): void {
  const target = checkOutDir(outDir);
  let created: string[] = [];
  let staging: string | undefined;
  try {
    created = makeParents(dirname(target));
    staging = mkdtempSync(join(dirname(target), `.${basename(target)}.synth-`));
    const tree = join(staging, "tree");
    mkdirSync(tree);
    const replaced = new Set(envs.map((e) => e.env));
    if (statOrUndefined(target)) {
      for (const entry of readdirSync(target)) {
        if (!replaced.has(entry))
          cpSync(join(target, entry), join(tree, entry), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
      }
    }
    envs.forEach((e, i) => {
      for (const f of e.files) {
        const file = join(tree, e.env, f.path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, f.content);
      }
      injectedFailure(`after-env:${i + 1}`);
    });
    const old = join(staging, "old");
    const had = statOrUndefined(target) !== undefined;
    if (had) renameSync(target, old);
    try {
      injectedFailure("swap");
      renameSync(tree, target);
    } catch (e) {
      if (had) {
        try {
          renameSync(old, target);
        } catch {
          const kept = old;
          staging = undefined; // keep the old tree: it is the only copy now
          throw outputError(
            "OUTPUT_WRITE",
            `--out ${target}: the swap failed and the old tree could not be moved back; it is kept in ${kept}`,
            `move ${kept} to ${target}`,
          );
        }
      }
      throw e;
    }
    created = [];
  } catch (e) {
    if (e instanceof SynthError) throw e;
    const err = e as NodeJS.ErrnoException;
    const where = err.path ? ` ${err.path}` : "";
    throw outputError(
      "OUTPUT_WRITE",
      `--out ${target}: nothing was changed, writing failed${err.syscall ? ` (${err.syscall}${where}: ${err.code})` : `: ${err.message}`}`,
    );
  } finally {
    if (staging) rmSync(staging, { recursive: true, force: true });
    // Stryker disable next-line MethodExpression: equivalent, removing recursively from the outermost created folder removes the inner ones too
    for (const dir of created.reverse()) rmSync(dir, { recursive: true, force: true });
  }
}
