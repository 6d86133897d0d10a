/**
 * Every field of the env config schema (stacks/config.ts) says what it is, in which unit, why and
 * what its default means, in a doc comment editors show; and its default value is written once,
 * in the schema's `.default(...)`: a doc comment never repeats it as an `@default` literal.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";

const FILE = join(ROOT, "stacks/config.ts");

interface Field {
  readonly path: string;
  readonly doc: string;
  readonly init: string;
}

/** Properties of every object literal passed to z.strictObject / z.object / .extend, plus EXTRA_SECTIONS. */
function schemaFields(): Field[] {
  const text = readFileSync(FILE, "utf8");
  const sf = ts.createSourceFile(FILE, text, ts.ScriptTarget.Latest, true);
  const out: Field[] = [];
  const visit = (node: ts.Node, owner: string): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) owner = node.name.text;
    const isSchemaCall =
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ["strictObject", "object", "extend"].includes(node.expression.name.text);
    const isSections =
      ts.isVariableDeclaration(node) && owner === "EXTRA_SECTIONS" && node.initializer && ts.isObjectLiteralExpression(node.initializer);
    const literal = isSchemaCall ? node.arguments[0] : isSections ? node.initializer : undefined;
    if (literal && ts.isObjectLiteralExpression(literal)) {
      for (const p of literal.properties) {
        if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p)) continue;
        const docs = ts.getJSDocCommentsAndTags(p).map((d) => d.getText(sf));
        out.push({
          path: `${owner}.${p.name.getText(sf)}`,
          doc: docs.join("\n"),
          init: ts.isPropertyAssignment(p) ? p.initializer.getText(sf) : "",
        });
      }
    }
    ts.forEachChild(node, (c) => visit(c, owner));
  };
  visit(sf, "");
  return out;
}

describe("stacks/config.ts documents every field", () => {
  const fields = schemaFields();

  it("finds the schema's fields", () => {
    expect(fields.length).toBeGreaterThan(150);
  });

  it("every field has a doc comment", () => {
    expect(fields.filter((f) => f.doc.trim() === "").map((f) => f.path)).toEqual([]);
  });

  it("a default is written once: in .default(...), never again as an @default literal in the comment", () => {
    expect(fields.filter((f) => /\.(default|prefault)\(/.test(f.init) && /@default\b/.test(f.doc)).map((f) => f.path)).toEqual([]);
  });
});
