/**
 * The real Pulumi engine, as a user runs it, in a workspace the harness owns and removes: a
 * temporary PULUMI_HOME, a file backend (`pulumi login file://…`), a passphrase secrets provider,
 * and a copy of the project's stack files (Pulumi.yaml, Pulumi.<env>.yaml) so `pulumi config set`
 * never writes into the checkout. The program itself (infra/, stacks/, constructs/, node_modules)
 * is the checkout's, linked in.
 *
 * Plugins: the engine finds the language host and the Kubernetes provider in the workspace's
 * bin/ folder on PATH (ambient plugins); with PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION nothing
 * is ever downloaded — a plugin the program needs but the harness did not build is an error.
 */
import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { SOURCE_FOLDERS } from "../../../scripts/build.mjs";
import { type PulumiBinary } from "./pulumi-build.js";
import { REPO_ROOT as REPO } from "./versions.js";

/** What one `pulumi` command printed and how it ended. */
export interface PulumiResult {
  readonly args: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class PulumiCommandError extends Error {
  override name = "PulumiCommandError";
  constructor(readonly result: PulumiResult) {
    const lines = `${result.stdout}\n${result.stderr}`.trim().split("\n");
    // The engine prints its diagnostics before the Outputs block: a tail alone can miss them.
    const errors = lines.filter((l) => /\berror\b|\bfailed\b/i.test(l)).slice(0, 30);
    const tail = lines.slice(-25).join("\n");
    super(`pulumi ${result.args.join(" ")} exited ${result.code}; errors:\n${errors.join("\n")}\nlast lines:\n${tail}`);
  }
}

/** Entries of the checkout the program needs at run time (linked, not copied). */
const LINKED = [...SOURCE_FOLDERS, "node_modules", "package.json", "tsconfig.json"];

/** POSIX shell single-quoting. */
function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Pulumi.yaml's `runtime.options` as the flags of the language host the harness runs (sdk/v3
 * 3.68.0), which reads them from its command line only: CLIs of its time passed them that way,
 * while the 3.248 CLI passes them in the Run request's ProgramInfo, which that host predates.
 */
export function languageHostFlags(pulumiYaml: string): string[] {
  const doc = parse(pulumiYaml) as { runtime?: string | { name?: string; options?: Record<string, unknown> } };
  const runtime = typeof doc.runtime === "string" ? { name: doc.runtime } : (doc.runtime ?? {});
  if (runtime.name !== "nodejs")
    throw new Error(`Pulumi.yaml: runtime is ${runtime.name ?? "unset"}, the harness runs the nodejs language host only`);
  const flags: string[] = [];
  for (const [k, v] of Object.entries(runtime.options ?? {})) {
    if (!["typescript", "nodeargs", "tsconfig"].includes(k))
      throw new Error(`Pulumi.yaml: runtime option ${k} is not one the nodejs language host 3.68.0 understands`);
    flags.push(`-${k}=${String(v)}`);
  }
  return flags;
}

export class PulumiWorkspace {
  /** The project folder `pulumi` runs in. */
  readonly projectDir: string;
  readonly home: string;
  readonly backendDir: string;
  readonly binDir: string;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(
    readonly root: string,
    private readonly cli: string,
    passphrase: string,
  ) {
    this.projectDir = join(root, "project");
    this.home = join(root, "home");
    this.backendDir = join(root, "state");
    this.binDir = join(root, "bin");
    const { KUBECONFIG: _ignored, ...rest } = process.env;
    this.env = {
      ...rest,
      PATH: `${this.binDir}:${process.env.PATH ?? ""}`,
      PULUMI_HOME: this.home,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_CONFIG_PASSPHRASE: passphrase,
      PULUMI_BACKEND_URL: `file://${this.backendDir}`,
      // No ambient kubeconfig: the stack config names the cluster, as the program requires.
      KUBECONFIG: join(root, "no-ambient-kubeconfig"),
      NO_COLOR: "1",
      CI: "true",
    };
  }

  /** A fresh workspace under the system temp dir (removed by {@link dispose}). */
  static create(binaries: Readonly<Record<PulumiBinary, string>>, passphrase = "e2e-only-passphrase"): PulumiWorkspace {
    const ws = new PulumiWorkspace(mkdtempSync(join(tmpdir(), "inference-scaling-pulumi-")), binaries.pulumi, passphrase);
    for (const d of [ws.projectDir, ws.home, ws.backendDir, ws.binDir]) mkdirSync(d, { recursive: true });
    const pulumiYaml = readFileSync(join(REPO, "Pulumi.yaml"), "utf8");
    writeFileSync(join(ws.projectDir, "Pulumi.yaml"), pulumiYaml);
    for (const entry of LINKED) symlinkSync(join(REPO, entry), join(ws.projectDir, entry));
    symlinkSync(binaries["pulumi-resource-kubernetes"], join(ws.binDir, "pulumi-resource-kubernetes"));
    const host = join(ws.binDir, "pulumi-language-nodejs");
    writeFileSync(
      host,
      `#!/bin/sh\nexec ${[binaries["pulumi-language-nodejs"], ...languageHostFlags(pulumiYaml)].map(shQuote).join(" ")} "$@"\n`,
    );
    chmodSync(host, 0o755);
    return ws;
  }

  /** Copies Pulumi.<stack>.yaml from the checkout (as a user's clone has it). */
  addStackFile(stack: string): void {
    copyFileSync(join(REPO, `Pulumi.${stack}.yaml`), join(this.projectDir, `Pulumi.${stack}.yaml`));
  }

  /** Runs `pulumi <args>`; resolves with its result whatever the exit code. */
  run(args: readonly string[], opts: { timeoutMs?: number; log?: (chunk: string) => void } = {}): Promise<PulumiResult> {
    const full = [...args, "--non-interactive", "--color=never"];
    return new Promise((resolve, reject) => {
      const child = spawn(this.cli, full, { cwd: this.projectDir, env: this.env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        opts.log?.(d.toString());
      });
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        opts.log?.(d.toString());
      });
      const timeoutMs = opts.timeoutMs ?? 15 * 60_000;
      const timer = setTimeout(() => {
        stderr += `\n[harness] pulumi ${args.join(" ")} still running after ${timeoutMs / 1000} s: stopped (SIGTERM to PID ${child.pid})`;
        if (child.pid) process.kill(child.pid, "SIGTERM");
      }, timeoutMs);
      child.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ args, code: code ?? (signal ? 128 : 1), stdout, stderr });
      });
    });
  }

  /** Runs `pulumi <args>` and throws {@link PulumiCommandError} unless it exits 0. */
  async ok(args: readonly string[], opts: { timeoutMs?: number; log?: (chunk: string) => void } = {}): Promise<PulumiResult> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new PulumiCommandError(r);
    return r;
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
