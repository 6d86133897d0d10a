/**
 * Every process the suite starts, each logging to its own file, stopped by its PID (SIGTERM, then
 * SIGKILL after a grace period), also on failure and on SIGINT/SIGTERM of the harness. A process
 * that exits while it should be running is reported with its component, command and last log lines.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, readFileSync, closeSync, existsSync } from "node:fs";
import { join } from "node:path";
import { E2eSetupError } from "./build.js";

export interface Managed {
  readonly name: string;
  readonly pid: number;
  readonly command: string;
  readonly logFile: string;
  /** True once the process has exited. */
  exited(): boolean;
}

export interface StartOptions {
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  /**
   * A file bind-mounted over the process's /etc/hosts, in a private mount namespace
   * (`unshare --mount` + bind mount; the network namespace, so loopback, stays shared).
   */
  readonly hostsFile?: string;
}

/** The last `n` lines of a log file. */
export function lastLines(file: string, n = 20): string {
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-n).join("\n");
}

const groups = new Set<ProcessGroup>();
let trapped = false;
function trapSignals(): void {
  if (trapped) return;
  trapped = true;
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      void Promise.all([...groups].map((g) => g.stopAll())).finally(() => process.exit(130));
    });
  }
  process.on("exit", () => {
    for (const g of groups) g.killAllNow();
  });
}

export class ProcessGroup {
  private readonly procs: { m: Managed; child: ChildProcess; done: Promise<void>; expectedExit: boolean }[] = [];
  private failure: E2eSetupError | undefined;

  constructor(private readonly logDir: string) {
    groups.add(this);
    trapSignals();
  }

  start(name: string, bin: string, args: readonly string[], opts: StartOptions = {}): Managed {
    const logFile = join(this.logDir, `${name}.log`);
    const fd = openSync(logFile, "a");
    let file = bin;
    let argv = [...args];
    if (opts.hostsFile) {
      // a private mount namespace whose /etc/hosts is the harness's file; `exec` keeps the PID
      file = "unshare";
      argv = ["--mount", "--propagation", "private", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', opts.hostsFile, bin, ...args];
    }
    const child = spawn(file, argv, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", fd, fd] });
    closeSync(fd);
    const command = [bin, ...args].join(" ");
    if (child.pid === undefined) throw new E2eSetupError(`${name} did not start (${command})`);
    let exited = false;
    const entry = {
      m: { name, pid: child.pid, command, logFile, exited: () => exited },
      child,
      expectedExit: false,
      done: new Promise<void>((resolve) => child.on("exit", () => resolve())),
    };
    child.on("exit", (code, signal) => {
      exited = true;
      if (!entry.expectedExit && !this.failure) {
        this.failure = new E2eSetupError(
          `${name} exited (${signal ?? `code ${code}`}) while running: ${command}\nlast lines of ${logFile}:\n${lastLines(logFile)}`,
        );
      }
    });
    child.on("error", (e) => {
      exited = true;
      if (!this.failure) this.failure = new E2eSetupError(`${name} could not start (${command}): ${e.message}`);
    });
    this.procs.push(entry);
    return entry.m;
  }

  /** Throws the first unexpected exit, if any (call while waiting on conditions). */
  check(): void {
    if (this.failure) throw this.failure;
  }

  /** Stop one process by PID; it is no longer a failure when it exits. */
  async stop(m: Managed, graceMs = 10_000): Promise<void> {
    const e = this.procs.find((p) => p.m === m);
    if (!e) return;
    e.expectedExit = true;
    if (!m.exited()) {
      try {
        process.kill(m.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          if (!m.exited()) process.kill(m.pid, "SIGKILL");
        } catch {
          /* gone */
        }
      }, graceMs);
      await e.done;
      clearTimeout(timer);
    }
    this.procs.splice(this.procs.indexOf(e), 1);
  }

  /** Stop every process, newest first. */
  async stopAll(): Promise<void> {
    for (const e of [...this.procs].reverse()) await this.stop(e.m);
    groups.delete(this);
  }

  /** Last resort on process exit: SIGKILL whatever is still running. */
  killAllNow(): void {
    for (const e of this.procs) {
      e.expectedExit = true;
      try {
        if (!e.m.exited()) process.kill(e.m.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
}
