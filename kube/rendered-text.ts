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
  const copy = JSON.parse(JSON.stringify(data)) as unknown;
  SOURCES.set(text, copy);
  const trimmed = text.trim();
  if (trimmed !== text) SOURCES.set(trimmed, copy);
  return text;
}

/** The data `text` was rendered from, or undefined when this program did not render it. */
export function renderedData(text: string): unknown {
  return SOURCES.get(text);
}

/** Every remembered text with its data (tests). */
export function renderedTexts(): [string, unknown][] {
  return [...SOURCES];
}
