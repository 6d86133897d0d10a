/**
 * Text a construct renders from data (YAML or JSON embedded in a ConfigMap, a rule file, a scrape
 * config), remembered with that data. The checks (stacks/checks) read the data back from here
 * instead of parsing what the program itself just wrote, which was a third of synth's time.
 * A text not rendered here (a user's, a fixture's, one edited after rendering) is parsed as before.
 * test/kube/rendered-text.test.ts holds every remembered data equal to its text parsed.
 */

/** text → its data as plain JSON values (what parsing the text yields). */
const SOURCES = new Map<string, unknown>();
/** Bounded: a large bench renders thousands of texts; a forgotten one is merely parsed. */
const LIMIT = 5000;

/** Returns `text` unchanged, remembering that it is `data` rendered. */
export function rendered(text: string, data: unknown): string {
  if (SOURCES.size >= LIMIT) SOURCES.clear();
  // A copy: later mutation of `data` cannot make the two disagree; undefined members go, as in YAML.
  const copy = jsonCopy(data);
  SOURCES.set(text, copy);
  const trimmed = text.trim();
  if (trimmed !== text) SOURCES.set(trimmed, copy);
  return text;
}

/** Not plain JSON data: {@link jsonCopy} leaves it to JSON's own round trip. */
const NOT_PLAIN = Symbol("not plain");

/**
 * `JSON.parse(JSON.stringify(v))` for the plain data constructs render (objects, arrays, strings,
 * finite numbers, booleans, null; undefined members dropped, undefined array items null), in one
 * pass without the intermediate text. Anything else (a toJSON, a Date, a non-finite number, a
 * `__proto__` key, a function) takes the round trip itself, so the result is always the same.
 */
export function jsonCopy(v: unknown): unknown {
  try {
    return plainCopy(v);
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
    return JSON.parse(JSON.stringify(v)) as unknown;
  }
}

function plainCopy(v: unknown): unknown {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      if (!Number.isFinite(v)) throw NOT_PLAIN;
      return v === 0 ? 0 : v; // -0 is written 0
    case "object": {
      if (v === null) return null;
      if (Array.isArray(v)) {
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          const item: unknown = v[i];
          out[i] = item === undefined ? null : plainCopy(item);
        }
        return out;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
      const o = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(o)) {
        const item = o[k];
        if (item === undefined) continue;
        if (k === "__proto__" || k === "toJSON") throw NOT_PLAIN;
        out[k] = plainCopy(item);
      }
      return out;
    }
    case "undefined":
    case "function":
    case "symbol":
    case "bigint":
      throw NOT_PLAIN;
  }
}

/** The data `text` was rendered from, or undefined when this program did not render it. */
export function renderedData(text: string): unknown {
  return SOURCES.get(text);
}

/**
 * Forgets every remembered text (tests: a render's texts checked alone, whatever other test files
 * in the same worker registered before). Safe at any time: a forgotten text is merely parsed.
 */
export function forgetRenderedTexts(): void {
  SOURCES.clear();
}

/** Every remembered text with its data (tests). */
export function renderedTexts(): [string, unknown][] {
  return [...SOURCES];
}
