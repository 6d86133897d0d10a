/**
 * stacks/checks/util.ts: the helpers every check reads objects with (paths as findings show them,
 * label selectors as the API evaluates them, numbers as KEDA and rule files write them).
 * embeddedDocument has its own file (embedded-document.test.ts).
 */
import { describe, expect, it } from "vitest";
import { rendered } from "../../../kube/rendered-text.js";
import {
  asArray,
  configResource,
  embeddedDocument,
  fileResource,
  FindingSink,
  formatPath,
  isObject,
  resourceOf,
  sameNumber,
  selectorMatches,
  show,
  str,
  toNumber,
} from "../../../stacks/checks/util.js";

describe("formatPath: a field path as a finding shows it", () => {
  it.each([
    [[], ""],
    [["spec"], "spec"],
    [["spec", "triggers", 0, "metadata", "query"], "spec.triggers[0].metadata.query"],
    [[0, "name"], "[0].name"],
    [["metadata", "annotations", "prometheus.io/port"], 'metadata.annotations["prometheus.io/port"]'],
    [["spec", "hard", "requests.cpu"], 'spec.hard["requests.cpu"]'],
    [["a-b", "_c", "$d", "e9"], "a-b._c.$d.e9"],
    [["9lives"], '["9lives"]'],
    [["-x"], '["-x"]'],
    [[""], '[""]'],
    [["a b"], '["a b"]'],
    [["data", "config.yaml", "rules", 2], 'data["config.yaml"].rules[2]'],
  ] as [(string | number)[], string][])("%j → %s", (segments, expected) => {
    expect(formatPath(segments)).toBe(expected);
  });
});

describe("resource names", () => {
  it("`Kind namespace/name`, `File path`, `EnvConfig env`", () => {
    expect(resourceOf({ apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "ns" } })).toBe("Service ns/s");
    expect(fileResource("prometheus/rules.yaml")).toBe("File prometheus/rules.yaml");
    expect(configResource("prod")).toBe("EnvConfig prod");
  });
});

describe("FindingSink", () => {
  it("records env, severity, resource, the path formatted (or as given), message and fix, in order", () => {
    const sink = new FindingSink("dev");
    sink.error("QUERY_SYNTAX", "R", ["spec", "triggers", 1], "m1", "f1");
    sink.warning("IMAGE_NOT_PINNED", "EnvConfig dev", "service.image", "m2", "f2");
    sink.add("PDB_ALLOWS_OUTAGE", "warning", "EnvConfig dev", [], "m3", "f3");
    expect(sink.findings).toEqual([
      { code: "QUERY_SYNTAX", severity: "error", env: "dev", resource: "R", path: "spec.triggers[1]", message: "m1", fix: "f1" },
      {
        code: "IMAGE_NOT_PINNED",
        severity: "warning",
        env: "dev",
        resource: "EnvConfig dev",
        path: "service.image",
        message: "m2",
        fix: "f2",
      },
      { code: "PDB_ALLOWS_OUTAGE", severity: "warning", env: "dev", resource: "EnvConfig dev", path: "", message: "m3", fix: "f3" },
    ]);
  });
});

describe("isObject, asArray, str: reading hand-edited objects defensively", () => {
  it("isObject: plain objects only", () => {
    expect(isObject({})).toBe(true);
    expect(isObject({ a: 1 })).toBe(true);
    for (const v of [null, undefined, [], [1], "x", 1, true]) expect(isObject(v), String(v)).toBe(false);
  });
  it("asArray: the array itself, else empty", () => {
    const a = [1, 2];
    expect(asArray(a)).toBe(a);
    for (const v of [undefined, null, {}, "ab", 3]) expect(asArray(v)).toEqual([]);
  });
  it("str: strings only (the empty string too)", () => {
    expect(str("x")).toBe("x");
    expect(str("")).toBe("");
    for (const v of [undefined, null, 1, {}, ["x"]]) expect(str(v)).toBeUndefined();
  });
});

describe("selectorMatches: label selectors as the API evaluates them", () => {
  const labels = { app: "inference", tier: "serving", empty: "" };
  const expr = (operator: string, key: string, values?: string[]) => ({
    matchExpressions: [{ key, operator, ...(values ? { values } : {}) }],
  });

  it("the empty selector selects everything; a non-object selector nothing", () => {
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches({}, {})).toBe(true);
    expect(selectorMatches(undefined, labels)).toBe(false);
    expect(selectorMatches(null, labels)).toBe(false);
    expect(selectorMatches("app=inference", labels)).toBe(false);
  });

  it("matchLabels: every pair equal", () => {
    expect(selectorMatches({ matchLabels: { app: "inference" } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: "inference", tier: "serving" } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: "inference", tier: "batch" } }, labels)).toBe(false);
    expect(selectorMatches({ matchLabels: { zone: "a" } }, labels)).toBe(false);
    expect(selectorMatches({ matchLabels: "app" }, labels)).toBe(true);
  });

  it("In, NotIn, Exists, DoesNotExist; an unknown operator or a non-object expression selects nothing", () => {
    expect(selectorMatches(expr("In", "tier", ["batch", "serving"]), labels)).toBe(true);
    expect(selectorMatches(expr("In", "tier", ["batch"]), labels)).toBe(false);
    expect(selectorMatches(expr("In", "zone", ["a"]), labels)).toBe(false);
    expect(selectorMatches(expr("In", "zone", [undefined as unknown as string]), labels)).toBe(false);
    expect(selectorMatches(expr("In", "empty", [""]), labels)).toBe(true);
    expect(selectorMatches(expr("NotIn", "tier", ["batch"]), labels)).toBe(true);
    expect(selectorMatches(expr("NotIn", "tier", ["serving"]), labels)).toBe(false);
    expect(selectorMatches(expr("NotIn", "zone", ["a"]), labels)).toBe(true);
    expect(selectorMatches(expr("Exists", "empty"), labels)).toBe(true);
    expect(selectorMatches(expr("Exists", "zone"), labels)).toBe(false);
    expect(selectorMatches(expr("DoesNotExist", "zone"), labels)).toBe(true);
    expect(selectorMatches(expr("DoesNotExist", "app"), labels)).toBe(false);
    expect(selectorMatches(expr("Equals", "app", ["inference"]), labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: ["app"] }, labels)).toBe(false);
    expect(selectorMatches(expr("Exists", "toString"), labels)).toBe(false);
  });

  it("every requirement must hold: matchLabels and each expression", () => {
    const both = {
      matchLabels: { app: "inference" },
      matchExpressions: [
        { key: "tier", operator: "Exists" },
        { key: "zone", operator: "DoesNotExist" },
      ],
    };
    expect(selectorMatches(both, labels)).toBe(true);
    expect(selectorMatches({ ...both, matchLabels: { app: "x" } }, labels)).toBe(false);
    expect(
      selectorMatches({ ...both, matchExpressions: [...both.matchExpressions, { key: "tier", operator: "In", values: ["x"] }] }, labels),
    ).toBe(false);
  });
});

describe("sameNumber, toNumber, show", () => {
  it("sameNumber: equal within a relative 1e-9 (absolute near zero)", () => {
    expect(sameNumber(0.35, 0.35000000001)).toBe(true);
    expect(sameNumber(0.35, 0.3501)).toBe(false);
    expect(sameNumber(1e12, 1e12 + 1)).toBe(true);
    expect(sameNumber(1e12, 1e12 + 10000)).toBe(false);
    expect(sameNumber(0, 1e-10)).toBe(true);
    expect(sameNumber(0, 1e-8)).toBe(false);
    expect(sameNumber(-2, 2)).toBe(false);
    expect(sameNumber(Infinity, Infinity)).toBe(true);
    expect(sameNumber(1 + 5e-10, 1)).toBe(true);
    expect(sameNumber(1 + 3e-9, 1)).toBe(false);
  });

  it("toNumber: finite numbers and numeric strings; not blanks, words, infinities", () => {
    expect(toNumber(3)).toBe(3);
    expect(toNumber(0)).toBe(0);
    expect(toNumber("0.5")).toBe(0.5);
    expect(toNumber(" 7 ")).toBe(7);
    expect(toNumber("1e3")).toBe(1000);
    for (const v of [Infinity, NaN, "", "  ", "x", "Infinity", undefined, null, true, {}]) expect(toNumber(v), String(v)).toBeUndefined();
  });

  it("show: strings quoted, other values as JSON, undefined as text", () => {
    expect(show("a")).toBe('"a"');
    expect(show(3)).toBe("3");
    expect(show({ a: [1] })).toBe('{"a":[1]}');
    expect(show(undefined)).toBe("undefined");
    expect(show(null)).toBe("null");
  });
});

describe("embeddedDocument: which strings are read as a document", () => {
  it("a one-line string only when it is a flow collection; a multi-line one when YAML reads a map or a list", () => {
    expect(embeddedDocument("{a: 1}")).toEqual({ a: 1 });
    expect(embeddedDocument("  [1, 2]  ")).toEqual([1, 2]);
    expect(embeddedDocument("a: 1")).toBeUndefined(); // one line, no bracket: a plain value
    expect(embeddedDocument('"{a: 1}"')).toBeUndefined();
    expect(embeddedDocument("a: 1\nb: [2]\n")).toEqual({ a: 1, b: [2] });
    expect(embeddedDocument("- x\n- y\n")).toEqual(["x", "y"]);
    expect(embeddedDocument("sum(rate(x[5m]))\n/\nsum(rate(y[5m]))")).toBeUndefined(); // multi-line PromQL
    expect(embeddedDocument("a: [unclosed\nb: 1\n")).toBeUndefined(); // does not parse
  });

  it("text this program rendered gives its data (the same object) when that is a map or a list, and nothing when it is a scalar", () => {
    const data = { groups: [{ name: "g" }] };
    const text = rendered("groups:\n  - name: g\n", data);
    const read = embeddedDocument(text);
    expect(read).toEqual(data);
    expect(embeddedDocument(text)).toBe(read);
    const list = rendered("- 1\n- 2\n", [1, 2]);
    expect(embeddedDocument(list)).toEqual([1, 2]);
    // A true pair (the literal block parses to the string): every remembered text must parse to its data.
    expect(embeddedDocument(rendered("|\n  a\n  b\n", "a\nb\n"))).toBeUndefined();
  });
});

describe("selectorMatches and sameNumber at their edges", () => {
  it("a null matchExpressions entry selects nothing (and does not throw)", () => {
    expect(selectorMatches({ matchExpressions: [null] }, { a: "1" })).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ operator: "Exists" }] }, { a: "1" })).toBe(false);
  });

  it("numbers exactly 1e-9 apart (relative to at least 1) are the same", () => {
    expect(sameNumber(0, 1e-9)).toBe(true);
    expect(sameNumber(0, 2e-9)).toBe(false);
  });
});

describe("embeddedDocument: what is read as a document", () => {
  it("a text that is one line once trimmed is no document unless it is a flow collection", () => {
    expect(embeddedDocument("a: 1\n")).toBeUndefined();
    expect(embeddedDocument("  a: 1  \n\n")).toBeUndefined();
    expect(embeddedDocument("{a: 1}\n")).toEqual({ a: 1 });
    expect(embeddedDocument("\n[1, 2]")).toEqual([1, 2]);
    expect(embeddedDocument("a: 1\nb: 2\n")).toEqual({ a: 1, b: 2 });
  });

  it("rendered text found by its trimmed form: the rendered data itself, and nothing for a scalar", () => {
    const data = { groups: [{ name: "trimmed" }] };
    const text = rendered("groups:\n  - name: trimmed\n", data);
    expect(embeddedDocument(`\n${text}  `)).toBe(embeddedDocument(text));
    expect(embeddedDocument(`\n${text}  `)).toEqual(data);
    const scalar = rendered("|\n  x\n  y\n", "x\ny\n");
    expect(embeddedDocument(`\n${scalar}`)).toBeUndefined();
  });
});
