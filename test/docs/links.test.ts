/**
 * The README is the front door and docs/*.md the reference: every repository path they name and
 * every relative link they make must lead somewhere, so moving a file or renaming a heading fails
 * here instead of leaving a reader at a dead end. The README also keeps the set-up commands.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { PROBLEM_CODES } from "../../problems/codes.js";
import { ROOT } from "../helpers/cli.js";

/** The README and every page of docs/ (docs/simulation/ holds generated output, not pages). */
const PAGES = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/** Top-level folders whose paths the pages cite in backticks. */
const FOLDERS = [
  "constructs",
  "promql",
  "rules",
  "scrape",
  "scaling",
  "kube",
  "stacks",
  "infra",
  "scripts",
  "simulator",
  "test",
  "docs",
  ".github",
  ".ci",
];
const CITED_PATH = new RegExp(`\`((?:${FOLDERS.map((f) => f.replace(".", "\\.")).join("|")})/[^\`\\s]*)\``, "g");

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- ]/gu, "")
    .replace(/ /g, "-");
}

function anchorsOf(page: string): Set<string> {
  const text = readFileSync(join(ROOT, page), "utf8").replace(/^```[\s\S]*?^```/gm, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
}

/**
 * A cited path exists; one with a placeholder (`<env>`, `{a,b}`, `*`) needs the folder before the
 * placeholder to exist.
 */
function citedPathExists(path: string): boolean {
  const clean = path.replace(/[.,:;]+$/, "");
  const at = clean.search(/[<{*]/);
  const fixed = at < 0 ? clean : clean.slice(0, clean.lastIndexOf("/", at) + 1);
  return existsSync(join(ROOT, fixed));
}

describe("README and docs/: every cited path and relative link exists", () => {
  for (const page of PAGES) {
    it(page, () => {
      const text = readFileSync(join(ROOT, page), "utf8");
      const dead: string[] = [];
      for (const m of text.matchAll(CITED_PATH)) if (!citedPathExists(m[1]!)) dead.push(`path ${m[1]}`);
      for (const m of text.matchAll(/\]\(([^)\s#]*)(#[^)\s]*)?\)/g)) {
        const [, target, fragment] = m;
        if (/^[a-z]+:/.test(target!)) continue;
        const file = target ? relative(ROOT, normalize(join(ROOT, dirname(page), target))) : page;
        if (!existsSync(join(ROOT, file))) dead.push(`link ${target}`);
        else if (fragment && file.endsWith(".md") && !anchorsOf(file).has(fragment.slice(1))) dead.push(`anchor ${target}${fragment}`);
      }
      expect(dead, `${page}: fix or remove these`).toEqual([]);
    });
  }

  it("the README keeps the set-up commands and links every page of docs/", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const command of ["npm ci && npm run synth", "npm test", "npm run e2e"]) expect(readme).toContain(command);
    for (const page of PAGES.filter((p) => p !== "README.md")) expect(readme, `README links ${page}`).toContain(`](${page})`);
  });

  it("docs/checks.md names every code of the problem catalog", () => {
    const page = readFileSync(join(ROOT, "docs/checks.md"), "utf8");
    expect(Object.keys(PROBLEM_CODES).filter((code) => !page.includes(`\`${code}\``))).toEqual([]);
  });
});
