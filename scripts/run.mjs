/**
 * `node scripts/run.mjs <cli> [args...]`: what `npm run synth|check|diff|simulate|hpa-step|bench`
 * call. Builds the bundle when stale (scripts/build.mjs), then runs it with the CLI's own arguments.
 */
import { ensureBuilt } from "./build.mjs";

const [name] = process.argv.splice(2, 1);
const url = await ensureBuilt(name);
await import(url);
