import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parser } from "@prometheus-io/lezer-promql";
import { describe, expect, it } from "vitest";
import { parsedExpr, selectors, syntaxErrors } from "../../promql/parse.js";
import { readTemplateStore, treeFromBuffer, treeToBuffer, writeTemplateStore } from "../../promql/template-store.js";

const DIST = join(import.meta.dirname, "..", "..", "dist");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? files(join(dir, e)) : [join(dir, e)]));
}

/** Every `expr:` and `query:` of the committed output (rule files, ScaledObjects, adapter config), block scalars included. */
function distQueries(): string[] {
  const out = new Set<string>();
  for (const f of files(DIST).filter((f) => /\.ya?ml$/.test(f))) {
    const lines = readFileSync(f, "utf8").split("\n");
    lines.forEach((line, i) => {
      const m = /^(\s*)(?:- )?(?:expr|query|metricsQuery): (.*)$/.exec(line);
      if (!m) return;
      if (!m[2]!.startsWith("|")) {
        if (!m[2]!.startsWith("'") && !m[2]!.startsWith('"')) out.add(m[2]!);
        return;
      }
      const body: string[] = [];
      for (let j = i + 1; j < lines.length && (lines[j] === "" || lines[j]!.startsWith(`${m[1]}    `)); j++) body.push(lines[j]!.trim());
      out.add(body.join("\n").trim());
    });
  }
  return [...out];
}

/** The expression's own tree, read node by node: name and text. */
function ownNodes(expr: string): string[] {
  const out: string[] = [];
  parser.parse(expr).iterate({ enter: (n) => void out.push(`${n.name} ${JSON.stringify(expr.slice(n.from, n.to))}`) });
  return out;
}

function sharedNodes(expr: string): string[] {
  const p = parsedExpr(expr);
  const out: string[] = [];
  p.tree.iterate({ enter: (n) => void out.push(`${n.name} ${JSON.stringify(p.text(n))}`) });
  return out;
}

describe("parsedExpr (one tree for the expressions that differ only in string literals)", () => {
  it("reads every committed query node for node as its own parse does", () => {
    const queries = distQueries();
    expect(queries.length).toBeGreaterThan(100);
    for (const q of queries) expect(sharedNodes(q), q).toEqual(ownNodes(q));
  });

  it("reads every committed query's selectors from its template as from its own parse", () => {
    // A trailing comment makes an expression its own template: its selectors come from its own tree.
    for (const q of distQueries()) expect(selectors(q), q).toEqual(selectors(`${q}\n# own parse`));
    const quoted = '{"__name__"="m", "quoted.label"="v", plain=~"a|b"}[5m]';
    expect(selectors(quoted)).toEqual(selectors(`${quoted} # own parse`));
    expect(selectors(quoted)[0]!.metric).toBe("m");
  });

  it("shares one tree between expressions whose string literals differ, in length too", () => {
    const a = parsedExpr('sum(rate(x{namespace="a",job="b"}[5m]))');
    const b = parsedExpr("sum(rate(x{namespace=\"a-much-longer-one\",job='j'}[5m]))");
    expect(a.tree).toBe(b.tree);
    expect(selectors("sum(rate(x{namespace=\"a-much-longer-one\",job='j'}[5m]))")[0]!.matchers).toEqual([
      { name: "namespace", op: "=", value: "a-much-longer-one" },
      { name: "job", op: "=", value: "j" },
    ]);
  });

  it("agrees with the expression's own parse on escapes, quotes in strings, raw strings, comments and syntax errors", () => {
    const cases = [
      'x{a="q\\"uote",b=\'it\\\'s\',c=`raw "\\ x`}',
      'x{a="#not a comment"} + y{b="}"}',
      'x{a="v"} # a comment with "quotes"\n+ y{b="w"}',
      '{"__name__"="m", "quoted.label"="v"}[5m]',
      'label_replace(x, "dst", "$1", "src", "(.*)")',
      'x{a="é✓"} / on() y{b="𝄞"}',
      'x{a="unterminated}',
      'x{a="v"} +',
      'x{a="v"}} + y{b="w"}',
      'x{a="line\nbreak"}',
      'x{a="trailing backslash\\',
      "x{a=`unterminated raw}",
      '"just a string"',
      "",
    ];
    for (const c of cases) {
      expect(sharedNodes(c), c).toEqual(ownNodes(c));
      const own: { pos: number }[] = [];
      parser.parse(c).iterate({ enter: (n) => void (n.type.isError && own.push({ pos: n.from })) });
      expect(
        syntaxErrors(c).map((e) => e.pos),
        c,
      ).toEqual(c.trim() === "" ? [0] : own.map((e) => e.pos));
    }
  });
});

/** Every node of a tree with its depth and span (anonymous ones are not visible to the readers). */
function nodeDump(tree: ReturnType<typeof parser.parse>): string[] {
  const out: string[] = [];
  let depth = 0;
  tree.iterate({
    enter: (n) => void out.push(`${depth++} ${n.name} ${n.from}-${n.to}${n.type.isError ? " error" : ""}`),
    leave: () => void depth--,
  });
  return out;
}

describe("the CLIs' template store (trees kept between runs, promql/template-store.ts)", () => {
  it("a tree rebuilt from its buffer is the parse node for node, for every committed query and the edge cases", () => {
    const exprs = [
      ...distQueries(),
      'sum by (le) (rate(x{a="b"}[5m])) > 0.5 and on() vector(1)',
      "1",
      "-(2)",
      'x{"q.l"="v"}[1m:30s] offset 5m @ 10',
    ];
    for (const e of exprs) {
      const tree = parser.parse(e);
      const rebuilt = treeFromBuffer(treeToBuffer(tree), e.length);
      expect(nodeDump(rebuilt), e).toEqual(nodeDump(tree));
      expect(rebuilt.length).toBe(e.length);
      // What the readers navigate by: the top node's children, getChild, parent links.
      const top = rebuilt.topNode;
      expect(top.name).toBe("PromQL");
      for (let c = top.firstChild; c; c = c.nextSibling) expect(c.parent?.name).toBe("PromQL");
    }
  });

  it("a store file round-trips; a missing, malformed or other grammar's file, or a bad buffer, is ignored entry by entry", () => {
    const dir = mkdtempSync(join(tmpdir(), "template-store-"));
    try {
      const path = join(dir, "t.json");
      expect(readTemplateStore(path).size).toBe(0); // missing
      const key = 'sum(rate(x{a=""}[5m]))';
      writeTemplateStore(path, new Map([[key, treeToBuffer(parser.parse(key))]]));
      const back = readTemplateStore(path);
      expect([...back.keys()]).toEqual([key]);
      expect(nodeDump(treeFromBuffer(back.get(key)!, key.length))).toEqual(nodeDump(parser.parse(key)));
      const stored = JSON.parse(readFileSync(path, "utf8")) as { grammar: string; trees: Record<string, number[]> };
      writeFileSync(path, JSON.stringify({ ...stored, grammar: "another" }));
      expect(readTemplateStore(path).size).toBe(0);
      writeFileSync(path, "{ not json");
      expect(readTemplateStore(path).size).toBe(0);
      const good = stored.trees[key]!;
      const bad = {
        short: good.slice(0, 3),
        pastEnd: good.map((v, i) => (i % 4 === 2 ? v + 100 : v)),
        unknownType: [9999, 0, 1, 4],
        sizeTooBig: [good[0], 0, 1, 8],
        text: ["a", 0, 1, 4],
      };
      writeFileSync(path, JSON.stringify({ grammar: stored.grammar, trees: { [key]: good, ...bad } }));
      expect([...readTemplateStore(path).keys()]).toEqual([key]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
