import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Document, parseAllDocuments, parseDocument, stringify } from "yaml";
import { hasTopLevelAlternation, isSimplePlain, yamlText, type ItemComments } from "../../kube/yaml-text.js";

const OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;
const DIST = join(import.meta.dirname, "..", "..", "dist");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? files(join(dir, e)) : [join(dir, e)]));
}

/** Every document of every committed YAML file, and every YAML document embedded in their strings. */
function distDocuments(): unknown[] {
  const out: unknown[] = [];
  const embedded = (v: unknown): void => {
    if (typeof v === "string" && v.includes("\n")) {
      try {
        for (const d of parseAllDocuments(v)) if (!d.errors.length) out.push(d.toJS());
      } catch {
        /* not YAML */
      }
    } else if (v && typeof v === "object") Object.values(v).forEach(embedded);
  };
  for (const f of files(DIST).filter((f) => /\.ya?ml$/.test(f))) {
    for (const d of parseAllDocuments(readFileSync(f, "utf8"))) {
      const v = d.toJS() as unknown;
      out.push(v);
      embedded(v);
    }
  }
  return out;
}

/** The package's text of `value` with comments before sequence items (how rule files were written). */
function packageText(value: unknown, comments: ItemComments): string {
  const doc = new Document(value, OPTIONS);
  const visit = (node: any, data: unknown): void => {
    if (Array.isArray(data)) {
      data.forEach((d, i) => {
        const c = comments.get(data)?.get(i);
        if (c !== undefined) node.items[i].commentBefore = c;
        visit(node.items[i], d);
      });
    } else if (data && typeof data === "object") {
      for (const p of node.items) visit(p.value, (data as Record<string, unknown>)[p.key.value]);
    }
  };
  visit(doc.contents, value);
  return doc.toString({ lineWidth: 0 });
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  "a",
  "x1",
  " ",
  ":",
  ": ",
  "#",
  " #",
  "-",
  "- ",
  "?",
  "\n",
  "\n\n",
  "\t",
  '"',
  "'",
  "1",
  "0.5",
  "true",
  "null",
  "~",
  "---",
  "...",
  "%",
  "@",
  "*",
  "&",
  "!",
  "|",
  ">",
  "{",
  "}",
  "[",
  "]",
  ",",
  "é",
  "\u0007",
  "=",
  "\\",
  "`",
];

function generated(next: () => number, depth = 0): unknown {
  const r = next();
  if (depth < 4 && r < 0.25) {
    const o: Record<string, unknown> = {};
    const n = Math.floor(next() * 4);
    for (let i = 0; i < n; i++) o[text(next)] = generated(next, depth + 1);
    return o;
  }
  if (depth < 4 && r < 0.45) return Array.from({ length: Math.floor(next() * 4) }, () => generated(next, depth + 1));
  if (r < 0.5) return [null, true, false, 0, -0, 1.5, -3, 1e21, NaN, Infinity][Math.floor(next() * 10)];
  return text(next);
}

function text(next: () => number): string {
  let s = "";
  const n = Math.floor(next() * 6);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(next() * PIECES.length)];
  return s;
}

describe("yamlText", () => {
  it("writes every rendered document (and every YAML embedded in one) byte for byte as the yaml package does", () => {
    const docs = distDocuments();
    expect(docs.length).toBeGreaterThan(100);
    for (const d of docs) expect(yamlText(d)).toBe(stringify(d, OPTIONS));
  });

  it("writes the committed rule files' comments before their rules as the package's Document path does", () => {
    let commented = 0;
    for (const f of files(DIST).filter((f) => /\/rules\/.*\.ya?ml$/.test(f))) {
      const parsed = parseDocument(readFileSync(f, "utf8"));
      const data = parsed.toJS() as { groups?: { rules?: unknown[] }[] };
      const comments = new Map<readonly unknown[], Map<number, string>>();
      (parsed.getIn(["groups"]) as any)?.items.forEach((g: any, i: number) => {
        const byIndex = new Map<number, string>();
        g.get("rules")?.items.forEach((r: any, j: number) => r.commentBefore && byIndex.set(j, r.commentBefore));
        if (byIndex.size) comments.set(data.groups![i]!.rules!, byIndex);
      });
      commented += comments.size;
      expect(yamlText(data, comments)).toBe(packageText(data, comments));
    }
    expect(commented).toBeGreaterThan(0);
  });

  it("agrees with the package on edge cases: quoting, block scalars and their chomping, empty collections, numbers", () => {
    const cases: unknown[] = [
      { a: "", b: " x", c: "x ", d: "true", e: "1", f: "0x1", g: "a: b", h: "#c", i: "a #b", j: "-", k: "- a", l: "a\nb" },
      { m: "a\nb\n", n: "a\nb\n\n", o: " a\nb", p: "a\n ", q: "\n", r: "'", s: '"', t: `'"`, u: "\u0001", v: "---" },
      { w: "--- x", x: "a\n---\nb", y: null, z: true, aa: false, ab: 1.5, ac: -0, ad: NaN, ae: -Infinity, af: 1e21 },
      { ag: [], ah: {}, ai: [[]], aj: [{}], ak: [[1, 2], [3]], am: undefined, an: { x: undefined }, ap: "x".repeat(2000) },
      { al: { "": 1, " k": 2, "k:": 3, "1": 4, true: 5, "a\nb": 6, "---": 7, "--- k": { "---": 1 } } },
      { ao: ["a\nb", { p: "q\nr\n" }, [{ s: 1 }]], aq: "a\tb", ar: "a\n\tb", as: "~", at: "Null", au: "1e3", av: ".5" },
      { ba: "a\n\n\nb\n\n", bb: "   ", bc: "\n\n", bd: "yes", be: "2024-01-01", bf: "12:30", bg: "a\r\nb", bh: "\ud800" },
      { deep: { a: { b: [{ c: [{ d: "x\ny" }] }] } } },
      [1, "a", { b: 2 }, ["c\nd\n\n"]],
      { ["k".repeat(1100)]: 1 }, // an explicit key: the package writes it
      { when: new Date(0) }, // not plain JSON: the package writes it
      [undefined, 1],
      "a top-level scalar",
    ];
    for (const c of cases) expect(yamlText(c)).toBe(stringify(c, OPTIONS));
  });

  it("writes a string as itself without asking the package only where the package writes it so, as a key and as a value", () => {
    // The fast path's borders: each of these must agree with the package whichever way it goes.
    const borders = ["a", "_", "a b", "a:b", "a: b", "a:", "a ", "a b c", "http://x:9090/p", "ghcr.io/o/i:1.2", "a.b/c-d_e"];
    const words = ["null", "Null", "NULL", "nulL", "true", "True", "TRUE", "tRue", "false", "False", "FALSE", "yes", "no", "on", "y", "x"];
    const next = random(5);
    const chars = "aZ_09./-: #{}[],\"'\t!|>%@`?*&~+e(=)\u00e9\u0001";
    const random20 = Array.from({ length: 4000 }, () => {
      let s = "";
      for (let n = 1 + Math.floor(next() * 8); n > 0; n--) s += chars[Math.floor(next() * chars.length)];
      return s;
    });
    let simple = 0;
    for (const v of [...borders, ...words, ...random20, "k".repeat(1024), "k".repeat(1025)]) {
      const asValue = stringify({ k: v }, OPTIONS);
      const asKey = stringify({ [v]: 1 }, OPTIONS);
      if (isSimplePlain(v)) {
        simple++;
        expect(asValue, v).toBe(`k: ${v}\n`);
        expect(asKey, v).toBe(`${v}: 1\n`);
      }
      expect(yamlText({ k: v }), v).toBe(asValue);
      expect(yamlText({ [v]: 1 }), v).toBe(asKey);
    }
    expect(simple).toBeGreaterThan(300);
    const quoted = [
      "",
      "null",
      "~",
      "True",
      "FALSE",
      "1",
      "-1",
      "0x1F",
      "0o7",
      "1e3",
      ".5",
      ".inf",
      ".NaN",
      "a: b",
      "a:",
      "a ",
      " a",
      "-",
      "- a",
      "? a",
    ];
    for (const w of [
      ...quoted,
      "#x",
      "a #b",
      "'q'",
      '"q"',
      "{a}",
      "[a]",
      "*a",
      "&a",
      "!a",
      "|a",
      ">a",
      "%a",
      "@a",
      "`a",
      "---x",
      "...x",
      "a\tb:",
      "\u0001",
      "\ud800",
    ])
      expect(isSimplePlain(w), w).toBe(false);
    expect(isSimplePlain("k".repeat(1025))).toBe(false);
    for (const w of [
      "nulL",
      "yes",
      "a:b",
      "http://x:9090/p",
      "a b",
      "1a",
      "-a",
      "a#b",
      'sum(rate(x{a="b"}[5m])) > 0.5',
      "a - b",
      "x=1,y=2",
    ])
      expect(isSimplePlain(w), w).toBe(true);
  });

  it("agrees with the package on 3000 generated documents, with and without comments before items", () => {
    const next = random(17);
    for (let i = 0; i < 3000; i++) {
      const v = { root: generated(next), list: [generated(next), generated(next)] };
      expect(yamlText(v)).toBe(stringify(v, OPTIONS));
      const comments = new Map([[v.list, new Map([[i % 2, text(next) || "c"]])]]);
      expect(yamlText(v, comments)).toBe(packageText(v, comments));
    }
  });
});

describe("hasTopLevelAlternation: when the tag tests can share one pair of anchors", () => {
  it.each([
    ["^a$", false],
    ["^a|b$", true],
    ["^(?:a|b)$", false],
    ["^[|]$", false],
    ["^\\|$", false],
    ["^(a)|(b)$", true],
    ["^[\\]|]$", false],
    ["^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$", false],
  ] as const)("%s → %s", (source, expected) => {
    expect(hasTopLevelAlternation(source)).toBe(expected);
  });
});
