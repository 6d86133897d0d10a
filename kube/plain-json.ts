/**
 * cdk8s's `ApiObject.toJson()` for objects built from plain data, in one pass.
 *
 * cdk8s resolves every value of every object through its resolvers (a context object, a copied
 * key path and three resolver calls per value, the App looked up from the construct each time),
 * sanitises the result in a second copy, and does the same for the metadata: about a tenth of a
 * large synth. Our constructs hand cdk8s plain data (no `Lazy`, no token, no class instance), for
 * which the resolvers change nothing, so the two passes reduce to one copy that drops
 * null/undefined members and sorts keys (JSON patches then apply to it, as in cdk8s).
 * {@link plainApiObjectJson} makes that copy, and gives up (undefined: cdk8s's own code runs) on
 * anything else: a non-plain value anywhere (generated union classes such as `IntOrString` become
 * `{ value }`, as cdk8s's resolver makes them), custom resolvers, `CDK8S_DISABLE_SORT`.
 * test/kube/plain-json.test.ts holds its answer equal to cdk8s's own for every object of every
 * environment and for generated data.
 */
import { ApiObject, App, ImplicitTokenResolver, Lazy, JsonPatch, LazyResolver, NumberStringUnionResolver } from "cdk8s";

/** Thrown inside the copy when a value is not plain data. */
const NOT_PLAIN = Symbol("not plain");

/** What {@link plainApiObjectJson} reads of an ApiObject (cdk8s keeps them private in its types, not at run time). */
interface ApiObjectInternals {
  readonly props: Record<string, unknown>;
  readonly patches: readonly JsonPatch[];
  readonly metadata: {
    readonly name?: unknown;
    readonly namespace?: unknown;
    readonly labels?: unknown;
    readonly annotations?: unknown;
    readonly finalizers?: unknown;
    readonly ownerReferences?: unknown;
    readonly _additionalAttributes?: Record<string, unknown>;
  };
}

/**
 * `o.toJson()` as cdk8s's ApiObject computes it (before a generated `Kube*` class maps it), when
 * every value is plain data and nothing else applies; undefined otherwise.
 */
export function plainApiObjectJson(o: ApiObject): Record<string, unknown> | undefined {
  const { props, patches, metadata } = o as unknown as ApiObjectInternals;
  if (process.env.CDK8S_DISABLE_SORT) return undefined;
  if (!Array.isArray(patches) || !metadata || !props) return undefined;
  const app = App.of(o);
  if (!(app instanceof App) || !app.resolvers.every(isBuiltInResolver)) return undefined;
  try {
    // ApiObjectMetadataDefinition.toJson: its attributes, resolved, with empty lists and maps dropped.
    const meta = clean(
      {
        ...metadata._additionalAttributes,
        name: metadata.name,
        namespace: metadata.namespace,
        annotations: metadata.annotations,
        finalizers: metadata.finalizers,
        ownerReferences: metadata.ownerReferences,
        labels: metadata.labels,
      },
      true,
    );
    const copy = clean({ ...props, metadata: meta }, false) as Record<string, unknown>;
    // As cdk8s does: the patches (e.g. `replicas` removed from an autoscaled Deployment) on the copy.
    // Stryker disable next-line ConditionalExpression: a shortcut (no patch applied gives the copy itself)
    const json = patches.length === 0 ? copy : (JsonPatch.apply(copy, ...patches) as Record<string, unknown>);
    // apiVersion, kind and metadata first, then the rest (sorted by the copy).
    const result: Record<string, unknown> = {};
    for (const k of ["apiVersion", "kind", "metadata", ...Object.keys(json)]) if (k in json) result[k] = json[k];
    return result;
  } catch (e) {
    if (e === NOT_PLAIN) return undefined;
    throw e;
  }
}

/** cdk8s's own resolvers, which change nothing in plain data; an App given others is left to cdk8s. */
function isBuiltInResolver(r: unknown): boolean {
  return r instanceof LazyResolver || r instanceof ImplicitTokenResolver || r instanceof NumberStringUnionResolver;
}

/**
 * cdk8s's `sanitizeValue(resolve(v))` for plain data: null and undefined members dropped (as
 * items of a list: undefined), keys sorted, and with `filterEmpty` empty lists and maps dropped.
 * Throws NOT_PLAIN on a value the resolvers could change or sanitising refuses.
 */
function clean(v: unknown, filterEmpty: boolean): unknown {
  if (v === null || v === undefined) return undefined;
  const type = typeof v;
  if (type === "string" || type === "number" || type === "boolean") return v;
  // A function, symbol or bigint: cdk8s passes some through unchanged, not worth matching here.
  // Stryker disable next-line ConditionalExpression: equivalent, numberStringUnion below refuses them too
  if (type !== "object") throw NOT_PLAIN;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) throw NOT_PLAIN;
    const n = v.length;
    if (filterEmpty && n === 0) return undefined;
    // Stryker disable next-line ArrayDeclaration: its length set at once (filled below either way)
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      if (!(i in v)) throw NOT_PLAIN; // a hole: cdk8s's map keeps it
      out[i] = clean(v[i], filterEmpty);
    }
    return out;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return numberStringUnion(v);
  // A plain object: the resolvers leave it alone only when its constructor is Object, read as a
  // property (an own `constructor` key would change that answer).
  if (Object.hasOwn(v, "constructor")) throw NOT_PLAIN;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of sortedKeys(o)) {
    const c = clean(o[k], filterEmpty);
    if (c !== undefined) out[k] = c;
  }
  if (filterEmpty && Object.keys(out).length === 0) return undefined;
  return out;
}

/** `Object.keys(o).sort()`, without the sort (its copy of the list) when the keys come in order, as most do. */
function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  // Stryker disable next-line all: a shortcut (sorting keys already in order gives the same list)
  for (let i = 1; i < keys.length; i++) if (!(keys[i - 1]! < keys[i]!)) return keys.sort();
  return keys;
}

/**
 * A generated union class (`IntOrString`, `Quantity`): NumberStringUnionResolver replaces it by
 * `{ value }` when its value is a number or a string, and the generated `toJson_*` of the `Kube*`
 * class reads that `value`. Anything else that is not plain data (a `Lazy`, a token with `resolve`,
 * another class) is left to cdk8s.
 */
function numberStringUnion(v: object): { value: number | string } {
  if (v instanceof Lazy || typeof (v as { resolve?: unknown }).resolve === "function") throw NOT_PLAIN;
  const value = (v as { value?: unknown }).value;
  if (typeof value !== "number" && typeof value !== "string") throw NOT_PLAIN;
  return { value };
}

/** cdk8s's own `ApiObject.prototype.toJson`, kept when {@link usePlainApiObjectJson} replaces it. */
export const cdk8sApiObjectToJson: (this: ApiObject) => unknown = ApiObject.prototype.toJson;

/**
 * Makes every ApiObject (the generated `Kube*` classes call it as `super.toJson()`) render through
 * {@link plainApiObjectJson} first, cdk8s's own code when that gives up. Idempotent.
 */
export function usePlainApiObjectJson(): void {
  if (ApiObject.prototype.toJson !== cdk8sApiObjectToJson) return;
  ApiObject.prototype.toJson = function toJson(this: ApiObject): unknown {
    try {
      return plainApiObjectJson(this) ?? cdk8sApiObjectToJson.call(this);
    } catch {
      // cdk8s names the construct of a value that cannot be rendered: let its own code say it.
      return cdk8sApiObjectToJson.call(this);
    }
  };
}
