/**
 * `npm run cdk8s:synth`: `cdk8s synth` through cdk8s.yaml, quiet and reliable. cdk8s-cli's upgrade
 * check (a request to registry.npmjs.org on every run, a stack trace when the registry answers
 * unexpectedly) is off, and when the app fails, cdk8s-cli's own stack trace ("Error: command …
 * returned a non-zero exit code" and its `at` lines) is dropped: the app's `error:` lines already
 * say what is wrong. The exit code is cdk8s-cli's.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

const bin = join(import.meta.dirname, "..", "node_modules", ".bin", "cdk8s");
const child = spawn(bin, ["synth", "--check-upgrade", "false", ...process.argv.slice(2)], {
  stdio: ["inherit", "inherit", "pipe"],
  env: { ...process.env, CDK8S_CHECK_UPGRADE: "false" },
});
let pending = "";
let inTrace = false;
child.stderr.on("data", (d: Buffer) => {
  pending += d.toString();
  const lines = pending.split("\n");
  pending = lines.pop()!;
  for (const line of lines) {
    if (/^Error: command ".*" at .* returned a non-zero exit code \d+$/.test(line)) inTrace = true;
    else if (inTrace && /^\s+at /.test(line)) continue;
    else {
      inTrace = false;
      process.stderr.write(`${line}\n`);
    }
  }
});
child.on("close", (code, signal) => {
  if (pending && !(inTrace && /^\s+at /.test(pending))) process.stderr.write(pending);
  process.exitCode = code ?? (signal ? 1 : 0);
});
