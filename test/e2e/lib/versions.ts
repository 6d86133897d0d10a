/**
 * Pinned upstream versions of the end-to-end suite, read from the one place each is written:
 * the `require` line of the component's go.mod (test/e2e/components/<family>/go.mod), and for KEDA
 * the add-on pin in Pulumi.prod.yaml, which the KEDA go.mod must match (checked, not assumed).
 */
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const COMPONENTS_DIR = join(REPO_ROOT, "test", "e2e", "components");

/** The version `module` is required at in test/e2e/components/<family>/go.mod. */
export function requiredVersion(family: string, module: string): string {
  const goMod = readFileSync(join(COMPONENTS_DIR, family, "go.mod"), "utf8");
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const m = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m").exec(goMod);
  if (!m) throw new Error(`test/e2e/components/${family}/go.mod does not require ${module}`);
  return m[1]!;
}

/** KEDA version pinned for prod in Pulumi.prod.yaml (inference-scaling:addons.keda.version). */
export function prodKedaPin(): string {
  const doc = parse(readFileSync(join(REPO_ROOT, "Pulumi.prod.yaml"), "utf8")) as {
    config?: Record<string, { keda?: { version?: string } } | undefined>;
  };
  const v = doc.config?.["inference-scaling:addons"]?.keda?.version;
  if (!v) throw new Error("Pulumi.prod.yaml: inference-scaling:addons.keda.version is not set");
  return String(v).replace(/^v/, "");
}

export interface Versions {
  readonly kubernetes: string;
  readonly etcd: string;
  readonly keda: string;
  /** prometheus-operator release whose CRDs are installed (kube-prometheus-stack's operator). */
  readonly prometheusOperator: string;
}

/**
 * prometheus-operator release of the kube-prometheus-stack chart Pulumi.prod.yaml pins (77.x ships
 * operator v0.85.x); only its CRDs are used, read from the Go module zip.
 */
export const PROMETHEUS_OPERATOR_VERSION = "v0.85.0";

export function versions(): Versions {
  const keda = requiredVersion("keda", "github.com/kedacore/keda/v2");
  const pin = prodKedaPin();
  if (keda.replace(/^v/, "") !== pin) {
    throw new Error(
      `KEDA versions disagree: Pulumi.prod.yaml pins ${pin}, test/e2e/components/keda/go.mod requires ${keda}. Fix: require github.com/kedacore/keda/v2 v${pin} there (and copy that tag's replace block), or change the pin`,
    );
  }
  return {
    kubernetes: requiredVersion("kubernetes", "k8s.io/kubernetes"),
    etcd: requiredVersion("etcd", "go.etcd.io/etcd/server/v3"),
    keda,
    prometheusOperator: PROMETHEUS_OPERATOR_VERSION,
  };
}
