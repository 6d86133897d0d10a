/**
 * `import(specifier)` for the modules the program loads on demand from node_modules (a schema
 * model it does not bundle, esbuild in the bench). The CLIs run as a CommonJS bundle compiled with
 * V8's code cache (scripts/code-cache.mjs), where Node 20 has no `import()` for a script restored
 * from the cache: the runner provides one through {@link IMPORT_HOOK}. Elsewhere (tests, Pulumi,
 * tsx) it is the language's own.
 */
export const IMPORT_HOOK = Symbol.for("inference-scaling.import");

export function dynamicImport(specifier: string): Promise<unknown> {
  const hook = (globalThis as Record<symbol, unknown>)[IMPORT_HOOK] as ((s: string) => Promise<unknown>) | undefined;
  return hook ? hook(specifier) : import(specifier);
}
