/**
 * `node scripts/run.mjs <cli> [args...]`: what `npm run synth|check|diff|simulate|hpa-step|bench`
 * call. Builds the bundle when stale (scripts/build.mjs), then runs it with the CLI's own arguments.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "./build.mjs";

const [name] = process.argv.splice(2, 1);
const url = await ensureBuilt(name);
// PromQL template trees kept between runs, beside the bundle that parsed them (promql/template-store.ts).
globalThis[Symbol.for("inference-scaling.promql-template-store")] = join(dirname(fileURLToPath(url)), "promql-templates.json");
await import(url);
