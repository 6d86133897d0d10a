/**
 * YAML text of plain JSON-like data, byte-identical to the `yaml` package's
 * `stringify(value, { lineWidth: 0, aliasDuplicateObjects: false })` (and to its Document path with
 * comments before sequence items, which rule files use), about five times faster: no Document
 * of nodes is built. The block layout (maps, `- ` sequences, `{}`/`[]` when empty, indentation) is
 * written here the way yaml/dist/stringify/stringifyCollection.js and stringifyPair.js write it;
 * every scalar is still written by the package itself (`stringifyString`, `stringifyNumber` of
 * `yaml/util`), so quoting, block scalars and escapes are the package's. Anything else (a
 * top-level scalar, `undefined` in an array, a Date, a Map, a class instance, a key longer than
 * 1024 characters) goes to the package whole. test/kube/yaml-text.test.ts holds this equal to the
 * package on every rendered environment and on generated edge cases.
 */
import { Document, Scalar, stringify } from "yaml";
import { stringifyNumber, stringifyString, type StringifyContext } from "yaml/util";

const OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;
const INDENT_STEP = "  ";

/** The stringify context the package builds for a document (stringify.js createStringifyContext), with lineWidth 0. */
const BASE_CONTEXT = (() => {
  const doc = new Document(null);
  return {
    anchors: new Set<string>(),
    doc,
    flowCollectionPadding: " ",
    indent: "",
    indentStep: INDENT_STEP,
    inFlow: null,
    options: {
      blockQuote: true,
      commentString: (s: string) => s.replace(/^(?!$)(?: $)?/gm, "#"),
      defaultKeyType: null,
      defaultStringType: "PLAIN",
      directives: null,
      doubleQuotedAsJSON: false,
      doubleQuotedMinMultiLineLength: 40,
      falseStr: "false",
      flowCollectionPadding: true,
      indentSeq: true,
      lineWidth: 0,
      minContentWidth: 20,
      nullStr: "null",
      simpleKeys: false,
      singleQuote: null,
      trailingComma: false,
      trueStr: "true",
      verifyAliasOrder: true,
      ...doc.schema.toStringOptions,
    },
  };
})();

/** Thrown (this one instance) at a value this writer does not handle: the whole document goes to the package. */
const UNSUPPORTED = new Error("not plain JSON data: written by the yaml package");

interface Written {
  readonly text: string;
  /** The text ends in a block scalar with "keep" chomping (`|+`): a comment after it loses its leading newlines. */
  readonly keep: boolean;
}

/**
 * Scalars written so far: by key or value context and indentation, then by the string itself
 * (keyed by the string, not a concatenation, so a long text is not copied and hashed per lookup).
 * Bounded: a forgotten one is written again.
 */
const SCALARS: Map<string, Written>[][] = [[], []];
let scalarCount = 0;
const SCALAR_LIMIT = 50_000;

/**
 * When the package writes a one-line string as itself (a plain scalar), as a key or a value
 * (yaml/dist/stringify/stringifyString.js: stringifyString, then plainString with lineWidth 0, no
 * flow context): no control character or unpaired surrogate (those are double-quoted); none of
 * plainString's quoting triggers (an indicator first, `- `/`? ` first or alone, `: `, ` #`, a space,
 * tab or colon at the end); no document marker first (`---`, `...`: the package may write a block
 * there); not empty; and no non-string tag of the document's schema reads it (null, booleans,
 * numbers: the package quotes those). Such strings, most of what is rendered (names, labels, PromQL),
 * are written without the package's scan and without a cache entry; the rest go to the package.
 */
// eslint-disable-next-line no-control-regex -- the control characters the package double-quotes (its own regex)
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
const QUOTING = /^[\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|:[ \t]|[\t ]#|[\t :]$/;
const DOCUMENT_MARKER = /^(?:---|\.\.\.)/;
/** The schema's tags whose test plainString runs (the package's own list, so its own regexes). */
const NON_STRING_TAGS = (BASE_CONTEXT.doc.schema.tags as { default?: unknown; tag: string; test?: RegExp }[]).filter(
  (t) => t.default && t.tag !== "tag:yaml.org,2002:str" && t.test,
);
/** Whether a regex source has a `|` outside every group and character class (`^a|b$` is `(^a)|(b$)`). */
export function hasTopLevelAlternation(source: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") i++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) return true;
  }
  return false;
}

/**
 * Whether any of NON_STRING_TAGS reads `value`: their tests as one alternation (one pass instead of
 * eight) when they share their flags and are each anchored at both ends, as the core schema's are.
 * The anchors go outside the alternation (`^(?:a|b)$`): inside it, the regex would be tried at
 * every position of a long string instead of failing at the first.
 */
const readsAsNonString: (value: string) => boolean = (() => {
  const tests = NON_STRING_TAGS.map((t) => t.test!);
  const flags = new Set(tests.map((re) => re.flags));
  const anchored = (source: string) => source.startsWith("^") && /(?:^|[^\\])(?:\\\\)*\$$/.test(source) && !hasTopLevelAlternation(source);
  if (flags.size !== 1 || [...flags][0] !== "" || !tests.every((re) => anchored(re.source)))
    return (value) => tests.some((re) => re.test(value));
  const any = new RegExp(`^(?:${tests.map((re) => `(?:${re.source.slice(1, -1)})`).join("|")})$`);
  return (value) => any.test(value);
})();

/** Whether `value` is written as itself (see above); a key longer than 1024 characters never is (an explicit `? key`). */
export function isSimplePlain(value: string): boolean {
  return (
    value !== "" &&
    value.length <= 1024 &&
    !value.includes("\n") &&
    !CONTROL.test(value) &&
    !QUOTING.test(value) &&
    !DOCUMENT_MARKER.test(value) &&
    !readsAsNonString(value)
  );
}

function stringScalar(value: string, indent: string, implicitKey: boolean): Written {
  if (isSimplePlain(value)) return { text: value, keep: false };
  const byIndent = SCALARS[implicitKey ? 1 : 0]!;
  const cache = (byIndent[indent.length] ??= new Map<string, Written>());
  let w = cache.get(value);
  if (w === undefined) {
    let keep = false;
    // The string tag's stringify (schema/common/string.js) adds actualString.
    const ctx = { ...BASE_CONTEXT, actualString: true, implicitKey, indent } as unknown as StringifyContext;
    const text = stringifyString(new Scalar(value), ctx, undefined, () => (keep = true));
    if (implicitKey && text.length > 1024) throw UNSUPPORTED; // an explicit `? key`
    w = { text, keep };
    if (++scalarCount > SCALAR_LIMIT) {
      for (const b of SCALARS) b.length = 0;
      scalarCount = 0;
    }
    cache.set(value, w);
  }
  return w;
}

const NULL: Written = { text: "null", keep: false };
const TRUE: Written = { text: "true", keep: false };
const FALSE: Written = { text: "false", keep: false };

function scalar(v: unknown, indent: string): Written {
  if (typeof v === "string") return stringScalar(v, indent, false);
  if (v === null) return NULL;
  if (typeof v === "boolean") return v ? TRUE : FALSE;
  if (typeof v === "number") return { text: stringifyNumber({ value: v } as Scalar), keep: false };
  throw UNSUPPORTED;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Comments written before sequence items: by the array, by item index (a comment's lines without `#`). */
export type ItemComments = ReadonlyMap<readonly unknown[], ReadonlyMap<number, string>>;

class Writer {
  constructor(private readonly comments: ItemComments | undefined) {}

  /** A value at `indent` (the context indent of its pair or sequence item). */
  node(v: unknown, indent: string): Written {
    if (Array.isArray(v)) return this.seq(v, indent);
    if (isPlainObject(v)) return this.map(v, indent);
    return scalar(v, indent);
  }

  map(o: Record<string, unknown>, indent: string): Written {
    let text = "";
    let keep = false;
    let first = true;
    const valueIndent = indent + INDENT_STEP;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (v === undefined) continue; // keepUndefined: false
      if (typeof v === "function" || typeof v === "symbol" || typeof v === "bigint") throw UNSUPPORTED;
      let line = `${stringScalar(k, valueIndent, true).text}:`;
      const value = this.node(v, valueIndent);
      if (typeof v === "object" && v !== null) {
        // A collection: on the next line unless empty (`{}` / `[]`).
        line += (Array.isArray(v) ? v.length === 0 : isEmptyMap(v)) ? ` ${value.text}` : `\n${valueIndent}${value.text}`;
      } else {
        line += ` ${value.text}`;
      }
      text += first ? line : `\n${indent}${line}`;
      first = false;
      keep = value.keep;
    }
    return first ? { text: "{}", keep: false } : { text, keep };
  }

  seq(a: readonly unknown[], indent: string): Written {
    if (a.length === 0) return { text: "[]", keep: false };
    const itemIndent = indent + INDENT_STEP;
    const comments = this.comments?.get(a);
    const lines: string[] = [];
    let keep = false;
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (v === undefined || typeof v === "function" || typeof v === "symbol" || typeof v === "bigint") throw UNSUPPORTED;
      let comment = comments?.get(i);
      if (comment !== undefined && keep) comment = comment.replace(/^\n+/, "");
      if (comment) lines.push(indentComment(BASE_CONTEXT.options.commentString(comment), indent).trimStart());
      const item = this.node(v, itemIndent);
      lines.push(`- ${item.text}`);
      keep = item.keep;
    }
    let text = lines[0]!;
    for (let i = 1; i < lines.length; i++) text += lines[i] ? `\n${indent}${lines[i]}` : "\n";
    return { text, keep };
  }
}

function isEmptyMap(o: object): boolean {
  for (const v of Object.values(o)) if (v !== undefined) return false;
  return true;
}

/** stringifyComment.js indentComment. */
function indentComment(comment: string, indent: string): string {
  if (/^\n+$/.test(comment)) return comment.substring(1);
  return indent ? comment.replace(/^(?! *$)/gm, indent) : comment;
}

/**
 * `stringify(value, { lineWidth: 0, aliasDuplicateObjects: false })` of the `yaml` package, byte
 * for byte. `comments` puts comments before sequence items, as setting `commentBefore` on those
 * items of a Document and `doc.toString({ lineWidth: 0 })` does.
 */
export function yamlText(value: unknown, comments?: ItemComments): string {
  if (Array.isArray(value) || isPlainObject(value)) {
    try {
      return `${new Writer(comments).node(value, "").text}\n`;
    } catch (e) {
      if (e !== UNSUPPORTED) throw e;
    }
  }
  if (!comments?.size) return stringify(value, OPTIONS);
  const doc = new Document(value, { aliasDuplicateObjects: false });
  const visit = (node: unknown, data: unknown): void => {
    if (Array.isArray(data)) {
      const items = (node as { items: unknown[] }).items;
      const c = comments.get(data);
      data.forEach((d, i) => {
        if (c?.has(i)) (items[i] as { commentBefore?: string }).commentBefore = c.get(i);
        visit(items[i], d);
      });
    } else if (isPlainObject(data)) {
      for (const pair of (node as { items: { key: { value: string }; value: unknown }[] }).items) visit(pair.value, data[pair.key.value]);
    }
  };
  visit(doc.contents, value);
  return doc.toString({ lineWidth: 0 });
}
