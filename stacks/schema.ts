/**
 * Validates rendered objects against the upstream JSON schemas shipped by the kubernetes-models
 * packages (core Kubernetes, KEDA, prometheus-operator). An object whose apiVersion/kind has no
 * schema here is itself an error: nothing reaches dist/ unchecked.
 */

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

/** apiVersion → module that exports one class per kind. */
function modulePath(apiVersion: string): string | undefined {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "keda.sh") return `@kubernetes-models/keda/keda.sh/${version}`;
  if (group === "monitoring.coreos.com") return `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}`;
  if (group === "") return `kubernetes-models/${version}`;
  return `kubernetes-models/${group}/${version}`;
}

/** A kind names one module file: nothing else (no `..`, no `/`) reaches import(). */
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

const cache = new Map<string, Promise<Record<string, unknown> | undefined>>();

async function loadModule(path: string): Promise<Record<string, unknown> | undefined> {
  let p = cache.get(path);
  if (!p) {
    p = import(path).then(
      (m) => m as Record<string, unknown>,
      () => undefined,
    );
    cache.set(path, p);
  }
  return p;
}

export interface SchemaFinding {
  /** `Kind namespace/name`. */
  readonly object: string;
  readonly message: string;
}

export function describeObject(o: Record<string, any>): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : "";
  return `${o.kind} ${ns}${o.metadata?.name ?? "(unnamed)"}`;
}

/** Validates every object; returns one finding per invalid or unknown object. */
export async function validateObjects(objects: readonly Record<string, any>[]): Promise<SchemaFinding[]> {
  const findings: SchemaFinding[] = [];
  for (const o of objects) {
    const object = describeObject(o);
    const path = typeof o.apiVersion === "string" ? modulePath(o.apiVersion) : undefined;
    // One kind's module, not its whole group-version index: loading every model of `v1` and
    // `monitoring.coreos.com/v1` (≈900 files) was most of synth's start-up.
    const mod = path && typeof o.kind === "string" && KIND.test(o.kind) ? await loadModule(`${path}/${o.kind}`) : undefined;
    const Model = mod?.[o.kind] as ModelClass | undefined;
    if (!Model) {
      findings.push({ object, message: `no schema for apiVersion ${o.apiVersion} kind ${o.kind}` });
      continue;
    }
    try {
      new Model(o).validate();
    } catch (e) {
      findings.push({ object, message: (e as Error).message });
    }
  }
  return findings;
}
