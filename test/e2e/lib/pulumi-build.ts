/**
 * Builds the Pulumi engine the end-to-end suite runs — the `pulumi` CLI, the Node.js language host
 * and the Kubernetes provider plugin — from their Go modules, in the small modules under
 * test/e2e/components/{pulumi,pulumi-language-nodejs,pulumi-kubernetes}/, and caches them outside
 * the repo: ~/.cache/inference-scaling/e2e/<binary>-<version>/<binary>. A stamp (hash of the
 * module's go.mod, go.sum and main.go) makes a changed module rebuild; otherwise a run reuses the
 * cache without calling Go. Each build's wall time is kept next to the binary (the numbers in docs/e2e.md).
 *
 * Versions are read from the go.mod `require` lines, and compared with package.json's npm packages:
 * - `pulumi` is github.com/pulumi/pulumi/pkg/v3 at exactly @pulumi/pulumi's version (checked).
 * - `pulumi-language-nodejs`: its module (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3)
 *   is not served by the Go module proxy at any version; the newest served release containing the
 *   language host is github.com/pulumi/pulumi/sdk/v3 v3.68.0 (`sdk/v3/nodejs/cmd/pulumi-language-nodejs`).
 *   That host predates runtime options in the engine's ProgramInfo, so pulumi-engine.ts passes
 *   Pulumi.yaml's `runtime.options` to it as the flags it reads (what CLIs of its time did).
 * - `pulumi-resource-kubernetes`: the proxy serves github.com/pulumi/pulumi-kubernetes/provider/v4
 *   only as v4.0.0-20260115033456-f47bc2d6f199, the commit tagged v4.25.0, while @pulumi/kubernetes
 *   is 4.34.2. The binary reports 4.25.0; the engine uses it as the ambient plugin on PATH.
 */
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CACHE_ROOT, E2eSetupError, goModuleDir, runGo } from "./build.js";
import { COMPONENTS_DIR, REPO_ROOT, requiredVersion } from "./versions.js";

interface Component {
  /** Folder under test/e2e/components/. */
  readonly dir: string;
  /** The upstream module whose required version names the cache folder. */
  readonly module: string;
  /** Package to build (a main package of the upstream module, or "." for our main.go). */
  readonly pkg: string;
  /** Go variable the release version is linked into (-X), as upstream's release builds do. */
  readonly versionVar: string;
  /** The version string linked in, from the module version. */
  readonly linkedVersion: (moduleVersion: string) => string;
  /** Files generated next to main.go before building (never committed). */
  readonly prepare?: (moduleVersion: string, release: string) => Promise<void>;
}

/** The provider module's pseudo-version is the commit tagged v4.25.0 (see test/e2e/components/pulumi-kubernetes/go.mod). */
const PROVIDER_RELEASES: Readonly<Record<string, string>> = { "v4.0.0-20260115033456-f47bc2d6f199": "4.25.0" };

function providerRelease(moduleVersion: string): string {
  const r = PROVIDER_RELEASES[moduleVersion] ?? /^v(\d+\.\d+\.\d+)$/.exec(moduleVersion)?.[1];
  if (!r)
    throw new E2eSetupError(
      `test/e2e/components/pulumi-kubernetes/go.mod requires provider ${moduleVersion}: add the release it corresponds to in PROVIDER_RELEASES (test/e2e/lib/pulumi-build.ts)`,
    );
  return r;
}

export const COMPONENTS_BY_BINARY = {
  pulumi: {
    dir: "pulumi",
    module: "github.com/pulumi/pulumi/pkg/v3",
    pkg: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
    versionVar: "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version",
    linkedVersion: (v: string) => v,
  },
  "pulumi-language-nodejs": {
    dir: "pulumi-language-nodejs",
    module: "github.com/pulumi/pulumi/sdk/v3",
    pkg: "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs",
    versionVar: "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version",
    linkedVersion: (v: string) => v,
  },
  "pulumi-resource-kubernetes": {
    dir: "pulumi-kubernetes",
    module: "github.com/pulumi/pulumi-kubernetes/provider/v4",
    pkg: ".",
    versionVar: "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version",
    linkedVersion: providerRelease,
    prepare: prepareProviderSchema,
  },
} as const satisfies Record<string, Component>;
export type PulumiBinary = keyof typeof COMPONENTS_BY_BINARY;

/** The release a binary is built at (`v3.248.0`, `4.25.0`). */
export function release(binary: PulumiBinary, moduleVersion?: string): string {
  const c: Component = COMPONENTS_BY_BINARY[binary];
  return c.linkedVersion(moduleVersion ?? requiredVersion(c.dir, c.module));
}

/** The installed npm package's version (node_modules), which the program's SDK calls use. */
export function npmVersion(pkg: string): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;
}

/** The CLI must be the engine release of the Node.js SDK in package.json. */
export function checkCliMatchesSdk(): void {
  const cli = release("pulumi").replace(/^v/, "");
  const sdk = npmVersion("@pulumi/pulumi");
  if (cli !== sdk) {
    throw new E2eSetupError(
      `the Pulumi CLI is built at ${cli} but @pulumi/pulumi is ${sdk}. Fix: require github.com/pulumi/pulumi/pkg/v3 and sdk/v3 v${sdk} in test/e2e/components/pulumi/go.mod (copy that tag's replace directives) and run go mod tidy there`,
    );
  }
}

export function binaryPath(binary: PulumiBinary): string {
  return join(CACHE_ROOT, `${binary}-${release(binary)}`, binary);
}

function stampOf(dir: string): string {
  const h = createHash("sha256");
  for (const f of ["go.mod", "go.sum", "main.go"]) {
    const p = join(COMPONENTS_DIR, dir, f);
    h.update(f).update(existsSync(p) ? readFileSync(p) : "");
  }
  return h.digest("hex").slice(0, 16);
}

/**
 * The provider's main embeds `schema-embed.json` (its schema.json with the release version set, as
 * upstream's `go generate` writes it) and `terraform-mapping-embed.json`; both come from the
 * provider module in the Go module cache.
 */
async function prepareProviderSchema(moduleVersion: string, rel: string): Promise<void> {
  const c = COMPONENTS_BY_BINARY["pulumi-resource-kubernetes"];
  const cwd = join(COMPONENTS_DIR, c.dir);
  const cmdDir = join(goModuleDir(c.module, moduleVersion), "cmd", "pulumi-resource-kubernetes");
  const schema = JSON.parse(readFileSync(join(cmdDir, "schema.json"), "utf8")) as Record<string, unknown>;
  schema["version"] = rel;
  for (const [name, text] of [
    ["schema-embed.json", JSON.stringify(schema)],
    ["terraform-mapping-embed.json", readFileSync(join(cmdDir, "terraform-mapping.json"), "utf8")],
  ] as const) {
    rmSync(join(cwd, name), { force: true });
    writeFileSync(join(cwd, name), text);
    chmodSync(join(cwd, name), 0o644);
  }
}

/** The cached binary, built first when missing or stale. `log` reports a build and its time. */
export async function ensurePulumiBinary(binary: PulumiBinary, log: (line: string) => void = () => {}): Promise<string> {
  const c: Component = COMPONENTS_BY_BINARY[binary];
  const moduleVersion = requiredVersion(c.dir, c.module);
  const rel = release(binary, moduleVersion);
  const out = binaryPath(binary);
  const stampFile = `${out}.stamp`;
  const stamp = stampOf(c.dir);
  if (existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return out;
  mkdirSync(dirname(out), { recursive: true });
  const started = Date.now();
  log(`building ${binary} ${rel} (${c.module}@${moduleVersion}) …`);
  await c.prepare?.(moduleVersion, rel);
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    const ldflags = `-s -w -X ${c.versionVar}=${c.linkedVersion(moduleVersion)}`;
    await runGo(["build", "-trimpath", `-ldflags=${ldflags}`, "-o", tmp, c.pkg], join(COMPONENTS_DIR, c.dir), `${out}.build.log`);
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  writeFileSync(stampFile, stamp);
  writeFileSync(`${out}.build-seconds`, `${seconds}\n`);
  log(`built ${binary} in ${seconds} s`);
  return out;
}

/** All three binaries, built one after the other (they share the Go build cache and 2 cores). */
export async function ensurePulumiEngine(log?: (line: string) => void): Promise<Record<PulumiBinary, string>> {
  checkCliMatchesSdk();
  const result = {} as Record<PulumiBinary, string>;
  for (const b of Object.keys(COMPONENTS_BY_BINARY) as PulumiBinary[]) result[b] = await ensurePulumiBinary(b, log);
  return result;
}
