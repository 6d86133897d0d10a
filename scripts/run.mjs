/**
 * `node scripts/run.mjs <cli> [args...]`: what `npm run synth|check|diff|simulate|hpa-step|bench`
 * call. Builds the bundle when stale (scripts/build.mjs), then runs it with the CLI's own arguments
 * and V8's code cache (scripts/code-cache.mjs).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "./build.mjs";
import { runWithCodeCache } from "./code-cache.mjs";

const [name] = process.argv.splice(2, 1);
const bundle = fileURLToPath(await ensureBuilt(name));
// PromQL template trees kept between runs, beside the bundle that parsed them (promql/template-store.ts).
globalThis[Symbol.for("inference-scaling.promql-template-store")] = join(dirname(bundle), "promql-templates.json");
runWithCodeCache(bundle);
