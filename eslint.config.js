// @ts-check
/**
 * `npm run lint` (with `prettier --check .`). typescript-eslint's recommended rules, plus the few
 * type-aware rules worth their cost (one TypeScript program for the whole tree, the tsconfig's):
 * exhaustive switches, promises that are neither awaited nor handled, and code nothing uses.
 */
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  {
    // Generated, vendored or scratch output; the bad-config corpus holds no code.
    ignores: [
      "dist/",
      ".build/",
      ".build-*/",
      ".build.*",
      ".tmp/",
      "reports/",
      ".stryker-tmp/",
      "cdk8s.out/",
      "simulation/",
      "docs/simulation/",
      "test/fixtures/",
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A switch over a union names every member; a `default:` does not count, so a new trigger
      // type, mode or code cannot fall into a catch-all unnoticed.
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      // With noUncheckedIndexedAccess on, a `!` after an index is a checked claim; one the compiler
      // does not need (a value already non-null) only hides the next real change of type.
      "@typescript-eslint/no-unnecessary-type-assertion": "error",
    },
  },
  {
    // Unused code: variables, imports, parameters (prefix `_` to keep one on purpose), private members,
    // labels and expressions.
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      "@typescript-eslint/no-unused-expressions": "error",
      "no-unused-private-class-members": "error",
      "no-unused-labels": "error",
      "no-unreachable": "error",
      "no-useless-catch": "error",
    },
  },
  {
    // Tests read parsed YAML and JSON documents field by field.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Plain JavaScript (the bundler, the runner, the exporters): Node globals, no type information.
    files: ["**/*.js", "**/*.mjs"],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
      },
    },
  },
);
