/**
 * The syntax trees of PromQL templates (promql/parse.ts), kept between CLI runs in a file.
 *
 * A run parses each template once, but a fresh process parses with a cold parser: in `npm run
 * synth` the ~130 templates of the built-in environments took a fifth of the run. The trees do not
 * depend on the run, only on the grammar, so the CLIs keep them in their build folder
 * (scripts/run.mjs names the file; a rebuild starts a new folder, so the file never outlives the
 * grammar that wrote it). A tree is stored as lezer's flat buffer of named nodes
 * (`[type, from, to, size]` in post-order, what `Tree.build` reads) and built from it without
 * parsing; only trees without syntax errors are stored. Library use (tests, Pulumi, the bench's
 * in-memory runs) keeps no file. test/promql/template-store.test.ts holds a rebuilt tree equal, node
 * for node, to the parse of every template the environments render.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { parser } from "@prometheus-io/lezer-promql";

type Tree = ReturnType<typeof parser.parse>;

/** The global through which scripts/run.mjs names the file (a path), before the CLI is loaded. */
export const TEMPLATE_STORE_GLOBAL = Symbol.for("inference-scaling.promql-template-store");

/** Entries a file keeps at most (an environment renders ~130 templates). */
const MAX_ENTRIES = 5000;

/** The grammar a file was written with: its node types, in order. A file of another grammar is ignored. */
const GRAMMAR = parser.nodeSet.types.map((t) => t.name).join(",");

/** lezer's Tree class: `Tree.build` makes a tree from a buffer (the package's own class, no second copy). */
const TreeClass = parser.parse("1").constructor as unknown as {
  build(data: { buffer: readonly number[]; nodeSet: typeof parser.nodeSet; topID: number; length: number }): Tree;
};

/** The tree's named nodes below the top one, as lezer's flat post-order buffer. */
export function treeToBuffer(tree: Tree): number[] {
  const out: number[] = [];
  const starts: number[] = [];
  let depth = 0;
  tree.iterate({
    enter() {
      if (depth++ > 0) starts.push(out.length);
    },
    leave(n) {
      if (--depth === 0) return; // the top node: Tree.build wraps the buffer in it
      const start = starts.pop()!;
      out.push(n.type.id, n.from, n.to, out.length + 4 - start);
    },
  });
  return out;
}

/** The tree of an expression `length` characters long from its buffer (see {@link treeToBuffer}). */
export function treeFromBuffer(buffer: readonly number[], length: number): Tree {
  return TreeClass.build({ buffer, nodeSet: parser.nodeSet, topID: parser.topNode.id, length });
}

/** Whether `buffer` is a well-formed buffer of this grammar for an expression `length` long. */
function wellFormed(buffer: unknown, length: number): buffer is number[] {
  if (!Array.isArray(buffer) || buffer.length % 4 !== 0) return false;
  const types = parser.nodeSet.types.length;
  const b = buffer as unknown[];
  for (let i = 0; i < b.length; i += 4) {
    const [type, from, to, size] = [b[i], b[i + 1], b[i + 2], b[i + 3]];
    if (typeof type !== "number" || typeof from !== "number" || typeof to !== "number" || typeof size !== "number") return false;
    if (!Number.isInteger(type) || type < 0 || type >= types) return false;
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || from > to || to > length) return false;
    if (!Number.isInteger(size) || size < 4 || size % 4 !== 0 || size > i + 4) return false;
  }
  return true;
}

/** Reads a store file: template → buffer. Missing, unreadable, malformed or another grammar's: empty. */
export function readTemplateStore(path: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return out;
  }
  if (typeof data !== "object" || data === null) return out;
  const { grammar, trees } = data as { grammar?: unknown; trees?: unknown };
  if (grammar !== GRAMMAR || typeof trees !== "object" || trees === null) return out;
  for (const [key, buffer] of Object.entries(trees)) if (wellFormed(buffer, key.length)) out.set(key, buffer);
  return out;
}

/** Writes a store file whole (a temporary file renamed over it: a reader never sees half of one). */
export function writeTemplateStore(path: string, trees: ReadonlyMap<string, readonly number[]>): void {
  const entries = [...trees].slice(-MAX_ENTRIES);
  const text = JSON.stringify({ grammar: GRAMMAR, trees: Object.fromEntries(entries) });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * The store of this process: undefined unless scripts/run.mjs named a file. Loaded at the first
 * template parse; written at exit when this run parsed a template the file did not have.
 */
export class TemplateStore {
  private added = false;
  private constructor(
    private readonly path: string,
    private readonly trees: Map<string, number[]>,
  ) {}

  static open(): TemplateStore | undefined {
    const path = (globalThis as Record<symbol, unknown>)[TEMPLATE_STORE_GLOBAL];
    if (typeof path !== "string" || path === "") return undefined;
    const store = new TemplateStore(path, readTemplateStore(path));
    process.once("exit", () => store.save());
    return store;
  }

  /** The stored tree of `key`, built without parsing. */
  get(key: string): Tree | undefined {
    const buffer = this.trees.get(key);
    return buffer ? treeFromBuffer(buffer, key.length) : undefined;
  }

  /** Remembers the tree of `key` (a template without syntax errors). */
  add(key: string, tree: Tree): void {
    if (this.trees.has(key)) return;
    this.trees.set(key, treeToBuffer(tree));
    this.added = true;
  }

  private save(): void {
    if (!this.added) return;
    try {
      writeTemplateStore(this.path, this.trees);
    } catch {
      // A read-only checkout or a full disk: the next run parses again, nothing else changes.
    }
  }
}
