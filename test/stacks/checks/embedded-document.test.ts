import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { embeddedDocument } from "../../../stacks/checks/util.js";

/** What embeddedDocument must answer: the text parsed as YAML, when that is a map or a list. */
function collection(text: string): unknown {
  try {
    const v = parse(text.trim(), { logLevel: "error" }) as unknown;
    return v && typeof v === "object" ? v : undefined;
  } catch {
    return undefined;
  }
}

const LINES = [
  "a",
  "b: 1",
  "- x",
  "-",
  "? k",
  "# c",
  "",
  "  ",
  "(",
  ")",
  "sum(x)",
  "  - y",
  '"q":1',
  "'k': v",
  "&a x",
  "!t",
  "--- ",
  "{a: 1}",
  "[1]",
  "*a",
  "a:b",
  " : x",
  "\t- t",
  "|",
  "x: |",
  "  z",
  "rate(x[5m:1m])",
];

describe("embeddedDocument", () => {
  it("finds a map or list exactly where the YAML parser does, on 4000 generated texts (multi-line PromQL not parsed)", () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    let collections = 0;
    for (let i = 0; i < 4000; i++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 4) }, () => LINES[Math.floor(next() * LINES.length)]).join("\n");
      const t = text.trim();
      if (!t.includes("\n") && !t.startsWith("{") && !t.startsWith("[")) continue;
      const want = collection(text);
      if (want !== undefined) collections++;
      expect(embeddedDocument(text) === undefined, JSON.stringify(text)).toBe(want === undefined);
    }
    expect(collections).toBeGreaterThan(200);
  });

  it("reads a multi-line PromQL expression with an operator on a line of its own as text", () => {
    expect(embeddedDocument("(\n  sum(rate(a[5m]))\n  -\n  sum(rate(b[5m]))\n)\n/\nsum(rate(c[5m]))")).toBeUndefined();
    expect(embeddedDocument("# header\n- a\n- b")).toEqual(["a", "b"]);
  });
});
