/**
 * The suite runs inside its own network and mount namespaces (`unshare --net --mount`): a private
 * loopback interface (so fixed ports such as Prometheus's 9090 never collide with anything else on
 * the machine, and a component that binds every interface — KEDA's webhook server does — is still
 * reachable from nothing but this sandbox) and a private /etc/hosts in which the in-cluster names
 * the rendered objects use (e.g. the ScaledObject's Prometheus serverAddress) resolve to 127.0.0.1.
 * dist/ is never rewritten. Go builds need the network and run before entering.
 */
import { spawn, execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { E2eSetupError } from "./build.js";

const MARK = "INFERENCE_SCALING_E2E_SANDBOX";

export function inSandbox(): boolean {
  return process.env[MARK] === "1";
}

/**
 * Re-runs the current command inside a fresh network + mount namespace and exits with its code;
 * inside the sandbox it returns at once. Call at the top of an e2e entry point, after builds.
 */
export async function enterSandbox(): Promise<void> {
  if (inSandbox()) return;
  const node = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  // --kill-child=SIGTERM: if unshare itself dies, the harness inside still gets to stop its processes.
  const child = spawn(
    "unshare",
    [
      "--net",
      "--mount",
      "--propagation",
      "private",
      "--fork",
      "--kill-child=SIGTERM",
      "sh",
      "-c",
      'ip link set lo up && exec "$@"',
      "sh",
      ...node,
    ],
    {
      stdio: "inherit",
      env: { ...process.env, [MARK]: "1" },
    },
  );
  // unshare --fork ignores SIGINT and SIGTERM while it waits, so a signal goes to the harness inside
  // (unshare's child), whose handlers stop every process it started by its PID.
  const forward = (sig: NodeJS.Signals) => () => {
    for (const pid of childPids(child.pid)) process.kill(pid, sig);
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, forward(sig));
  const code = await new Promise<number>((resolve) => {
    child.on("error", (e) => {
      console.error(`cannot enter the e2e sandbox (unshare --net --mount, needs root or CAP_SYS_ADMIN): ${e.message}`);
      resolve(1);
    });
    child.on("exit", (c, s) => resolve(c ?? (s ? 128 : 1)));
  });
  process.exit(code);
}

const hostNames = new Set<string>();

/**
 * Makes `names` resolve to 127.0.0.1 for this process and every process it starts from now on
 * (a hosts file bind-mounted over /etc/hosts inside the sandbox's mount namespace).
 */
export function resolveToLoopback(names: readonly string[], dir: string): void {
  if (!inSandbox()) throw new E2eSetupError("resolveToLoopback needs the e2e sandbox (call enterSandbox() first)");
  for (const n of names) hostNames.add(n);
  const original = readFileSync("/etc/hosts", "utf8")
    .split("\n")
    .filter((l) => !l.includes("# inference-scaling-e2e"));
  const file = join(dir, "hosts");
  writeFileSync(
    file,
    [...original.filter((l) => l.trim() !== ""), ...[...hostNames].sort().map((n) => `127.0.0.1 ${n} # inference-scaling-e2e`)].join("\n") +
      "\n",
  );
  execFileSync("mount", ["--bind", file, "/etc/hosts"]);
}

/** The PIDs of `pid`'s children (Linux /proc), none when it has exited. */
function childPids(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
