/**
 * The checks read the data a construct rendered instead of parsing its text back
 * (kube/rendered-text.ts). That shortcut is only sound when parsing the text yields exactly
 * that data: held here for every text every environment renders.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { forgetRenderedTexts, jsonCopy, rendered, renderedData, renderedTexts } from "../../kube/rendered-text.js";
import { embeddedDocument } from "../../stacks/checks/util.js";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { renderEnvironment } from "../../stacks/synth.js";
import { envConfig } from "../helpers/env.js";

describe("rendered texts and their data", () => {
  it.each(ENV_NAMES)("%s: every remembered text parses to the data the checks read", async (env) => {
    // Test files share workers: only this render's texts, not what an earlier file registered.
    forgetRenderedTexts();
    await renderEnvironment(envConfig(env));
    const texts = renderedTexts();
    // Rule files, scrape configs, the adapter's config.yaml and the dashboards at least.
    expect(texts.length).toBeGreaterThanOrEqual(4);
    for (const [text, data] of texts) expect(parse(text), text.slice(0, 80)).toEqual(data);
  });

  it("a text this program did not render is parsed; an edited one is not mistaken for the original", () => {
    const text = rendered("groups:\n  - name: a\n", { groups: [{ name: "a" }] });
    expect(renderedData(text)).toEqual({ groups: [{ name: "a" }] });
    const edited = text.replace("name: a", "name: b");
    expect(renderedData(edited)).toBeUndefined();
    expect(embeddedDocument(edited)).toEqual({ groups: [{ name: "b" }] });
  });

  it("the remembered data is a copy: mutating the source afterwards changes nothing", () => {
    const data = { groups: [{ name: "c" }] };
    const text = rendered("groups:\n  - name: c\n", data);
    data.groups[0]!.name = "changed";
    expect(renderedData(text)).toEqual({ groups: [{ name: "c" }] });
  });
});

describe("embeddedDocument skips text that cannot be a map or a list, and only that", () => {
  const cases = [
    '(\n  max(slo:sli_error:ratio_rate5m{namespace="ml"}) > (14.4 * 0.001)\n)',
    "sum_over_time(x:y:z[30d:5m])\n/ 2",
    "import locust\nprint(1)",
    "a: 1\nb: 2",
    "key:\n  - x",
    "- a\n- b",
    "-\n  a",
    "? complex\n: value",
    // (one-line text is a document only when it starts with { or [: an older rule, kept)
    "!!map\n{}",
    "&anchor\n[1, 2]",
    "%YAML 1.2\n---\nx: 1",
    "---\n[1]",
    '{"json": true}',
    "[1, 2]",
    "# comment\nk: v",
    "plain\ntext: with colon",
    "url http://a:80/x\nnext",
  ];
  it.each(cases)("%j", (text) => {
    let v: unknown;
    try {
      v = parse(text);
    } catch {
      v = undefined; // text that does not parse is no document either
    }
    const expected = v !== null && typeof v === "object" ? v : undefined;
    expect(embeddedDocument(text)).toEqual(expected);
  });

  it("the copy is what JSON's round trip gives, for plain data and for what is not (toJSON, Date, NaN, -0, __proto__, holes, functions)", () => {
    const roundTrip = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
    const proto = JSON.parse('{"__proto__": {"x": 1}, "a": 1}') as unknown;
    const cases: unknown[] = [
      { a: 1, b: "x", c: [1, "y", null, true], d: { e: undefined, f: { g: [] } }, h: {} },
      [undefined, 1, , 3], // eslint-disable-line no-sparse-arrays
      { n: -0, inf: Infinity, nan: NaN, big: 1e21 },
      { when: new Date(0), nested: [{ toJSON: () => "custom" }] },
      { f: () => 1, s: Symbol("s"), list: [() => 1] },
      proto,
      Object.assign(Object.create(null) as object, { a: [1, { b: 2 }] }),
      { m: new Map([["k", 1]]) },
      "text",
      0,
      null,
    ];
    for (const c of cases) expect(JSON.stringify(jsonCopy(c))).toBe(JSON.stringify(roundTrip(c)));
    for (const c of cases) expect(jsonCopy(c)).toEqual(roundTrip(c));
    // The copy shares nothing with the source.
    const src = { a: { b: [1, { c: 2 }] } };
    const copy = jsonCopy(src) as typeof src;
    expect(copy.a).not.toBe(src.a);
    expect(copy.a.b[1]).not.toBe(src.a.b[1]);
    expect(Object.is((jsonCopy({ z: -0 }) as { z: number }).z, 0)).toBe(true);
    expect(Object.getPrototypeOf(jsonCopy(proto))).toBe(Object.prototype);
  });
});
