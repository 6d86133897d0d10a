/**
 * Builds the pinned upstream binaries once, from the small Go modules in test/e2e/components/, and
 * caches them outside the repo: ~/.cache/inference-scaling/e2e/<component>-<version>/<binary>.
 * A stamp (hash of the module's go.mod + go.sum) next to the binaries makes a changed module
 * (a new replace, say) rebuild; otherwise a second run reuses the cache without calling Go.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { COMPONENTS_DIR, versions } from "./versions.js";

export class E2eSetupError extends Error {
  override name = "E2eSetupError";
}

export const CACHE_ROOT = process.env.INFERENCE_SCALING_E2E_CACHE ?? join(homedir(), ".cache", "inference-scaling", "e2e");

/** One binary: the Go module family it is built in and the package path of its main. */
interface Binary {
  readonly family: "kubernetes" | "etcd" | "keda";
  readonly pkg: string;
}

export const BINARIES = {
  "kube-apiserver": { family: "kubernetes", pkg: "k8s.io/kubernetes/cmd/kube-apiserver" },
  "kube-controller-manager": { family: "kubernetes", pkg: "k8s.io/kubernetes/cmd/kube-controller-manager" },
  etcd: { family: "etcd", pkg: "go.etcd.io/etcd/server/v3" },
  "keda-operator": { family: "keda", pkg: "github.com/kedacore/keda/v2/cmd/operator" },
  "keda-adapter": { family: "keda", pkg: "github.com/kedacore/keda/v2/cmd/adapter" },
  "keda-webhooks": { family: "keda", pkg: "github.com/kedacore/keda/v2/cmd/webhooks" },
} as const satisfies Record<string, Binary>;
export type BinaryName = keyof typeof BINARIES;

/** Go on PATH, or one line saying what to install. */
export function checkGo(): string {
  const r = spawnSync("go", ["env", "GOVERSION", "GOMODCACHE"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new E2eSetupError(
      "go not found: the end-to-end suite builds etcd, Kubernetes and KEDA from their Go modules; install Go 1.26 or later (https://go.dev/dl) with access to a Go module proxy",
    );
  }
  return r.stdout.split("\n")[0]!.trim();
}

function familyVersion(family: Binary["family"]): string {
  const v = versions();
  return family === "kubernetes" ? v.kubernetes : family === "etcd" ? v.etcd : v.keda;
}

function moduleStamp(family: string): string {
  const h = createHash("sha256");
  for (const f of ["go.mod", "go.sum"]) {
    const p = join(COMPONENTS_DIR, family, f);
    h.update(existsSync(p) ? readFileSync(p) : "");
  }
  return h.digest("hex").slice(0, 16);
}

/** Where `name` is (to be) cached. */
export function binaryPath(name: BinaryName): string {
  const b: Binary = BINARIES[name];
  return join(CACHE_ROOT, `${b.family}-${familyVersion(b.family)}`, name);
}

export function runGo(args: string[], cwd: string, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // niced: the machine's two cores are shared, and a KEDA build takes them for minutes.
    const child = spawn("nice", ["-n", "10", "go", ...args], {
      cwd,
      env: { ...process.env, GOFLAGS: "-mod=mod", GOTOOLCHAIN: process.env.GOTOOLCHAIN ?? "local" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", (e) => reject(new E2eSetupError(`go ${args.join(" ")}: ${e.message}`)));
    child.on("close", (code) => {
      writeFileSync(logFile, out);
      if (code === 0) resolve();
      else {
        const tail = out.trim().split("\n").slice(-15).join("\n");
        reject(
          new E2eSetupError(
            `building ${args[args.length - 1]} failed (cd ${cwd} && go ${args.join(" ")}), exit ${code}; last lines:\n${tail}`,
          ),
        );
      }
    });
  });
}

/**
 * The cached binary, built first when missing or stale. Builds of one family run one after the
 * other (they share a module and the Go build cache); `log` reports each build and its time.
 */
export async function ensureBinary(name: BinaryName, log: (line: string) => void = () => {}): Promise<string> {
  const b: Binary = BINARIES[name];
  const out = binaryPath(name);
  const stampFile = `${out}.stamp`;
  const stamp = moduleStamp(b.family);
  if (existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return out;
  checkGo();
  mkdirSync(join(out, ".."), { recursive: true });
  const started = Date.now();
  log(`building ${name} (${b.pkg}@${familyVersion(b.family)}) …`);
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    await runGo(["build", "-trimpath", "-ldflags=-s -w", "-o", tmp, b.pkg], join(COMPONENTS_DIR, b.family), `${out}.build.log`);
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  writeFileSync(stampFile, stamp);
  log(`built ${name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return out;
}

/** Every binary in `names`, families built in parallel, binaries of one family in sequence. */
export async function ensureBinaries<N extends BinaryName>(names: readonly N[], log?: (line: string) => void): Promise<Record<N, string>> {
  const byFamily = new Map<string, N[]>();
  for (const n of names) {
    const f = BINARIES[n].family;
    byFamily.set(f, [...(byFamily.get(f) ?? []), n]);
  }
  const result = {} as Record<N, string>;
  await Promise.all(
    [...byFamily.values()].map(async (list) => {
      for (const n of list) result[n] = await ensureBinary(n, log);
    }),
  );
  return result;
}

/** The directory of an upstream module in the Go module cache (downloaded when missing). */
export function goModuleDir(module: string, version: string): string {
  checkGo();
  const r = spawnSync("go", ["mod", "download", "-json", `${module}@${version}`], { encoding: "utf8", cwd: COMPONENTS_DIR });
  let info: { Dir?: string; Error?: string } = {};
  try {
    info = JSON.parse(r.stdout) as typeof info;
  } catch {
    /* reported below */
  }
  if (!info.Dir) throw new E2eSetupError(`go mod download ${module}@${version} failed: ${info.Error ?? r.stderr.trim().split("\n").pop()}`);
  return info.Dir;
}
