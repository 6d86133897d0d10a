/**
 * kube/plain-json.ts renders ApiObjects without cdk8s's resolver machinery. It is only sound when
 * its answer is exactly cdk8s's own (same values, same key order) and it gives up on everything
 * else: held here for every object of every environment, for generated data, and for each case
 * it must leave to cdk8s.
 */
import { ApiObject, App, Chart, JsonPatch, Lazy, Testing, type IResolver, type ResolutionContext } from "cdk8s";
import { k8s } from "cdk8s-plus-28";
import { afterEach, describe, expect, it } from "vitest";
import { cdk8sApiObjectToJson, plainApiObjectJson, usePlainApiObjectJson } from "../../kube/plain-json.js";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { builtStack } from "../helpers/rendered.js";

/** `f()` with cdk8s's own ApiObject.toJson in place (the stack installs the plain one). */
function withCdk8sToJson<T>(f: () => T): T {
  const current = ApiObject.prototype.toJson;
  ApiObject.prototype.toJson = cdk8sApiObjectToJson;
  try {
    return f();
  } finally {
    ApiObject.prototype.toJson = current;
  }
}

/** Equal values (no member set to undefined where the other has none, the same classes) and the same key order everywhere. */
function expectSameJson(actual: unknown, expected: unknown): void {
  expect(actual).toStrictEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
}

function chart(app = Testing.app()): Chart {
  return new Chart(app, "test", { disableResourceNameHashes: true });
}

function object(props: Record<string, unknown>, c = chart()): ApiObject {
  return new ApiObject(c, "o", { apiVersion: "v1", kind: "Thing", metadata: { name: "o" }, ...props });
}

describe("plainApiObjectJson equals cdk8s's own ApiObject.toJson", () => {
  it.each(ENV_NAMES)("%s: every object, through the plain path, and every Kube* class's toJson around it", (env) => {
    const objects = builtStack(env)
      .app.node.findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject);
    expect(objects.length).toBeGreaterThanOrEqual(10);
    for (const o of objects) {
      const own = withCdk8sToJson(() => cdk8sApiObjectToJson.call(o));
      const plain = plainApiObjectJson(o);
      // Our constructs render plain data: the fast path must apply to every one of them.
      expect(plain, o.node.path).toBeDefined();
      expectSameJson(plain, own);
      usePlainApiObjectJson();
      expectSameJson(
        o.toJson(),
        withCdk8sToJson(() => o.toJson()),
      );
    }
  });

  it("generated data: nested maps and lists, null and undefined members, empty ones, integer-like and unicode keys, union classes", () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const KEYS = ["a", "b", "B", "10", "2", "é", "ä", "_", "z-1", "Z", "", "value", "resolve", "metadata", "kind"];
    const value = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.35)
        return pick<unknown>([
          "x",
          "",
          0,
          -0,
          1.5,
          NaN,
          true,
          false,
          null,
          undefined,
          "ünï",
          k8s.IntOrString.fromNumber(8080),
          k8s.IntOrString.fromString("25%"),
          k8s.Quantity.fromString("500m"),
          k8s.Quantity.fromNumber(2),
        ]);
      if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(random() * 5); i > 0; i--) o[pick(KEYS)] = value(depth + 1);
      return o;
    };
    for (let i = 0; i < 300; i++) {
      const labels = random() < 0.5 ? {} : { [pick(KEYS) || "l"]: pick(["v", ""]) };
      const o = new ApiObject(chart(), "o", {
        apiVersion: "v1",
        kind: "Thing",
        metadata: { name: "o", labels, annotations: random() < 0.5 ? {} : { note: "n" }, finalizers: random() < 0.5 ? [] : ["f"] },
        spec: value(0),
        data: value(1),
        [pick(KEYS) || "x"]: value(1),
      });
      const own = cdk8sApiObjectToJson.call(o);
      const plain = plainApiObjectJson(o);
      expect(plain, `case ${i}`).toBeDefined();
      expectSameJson(plain, own);
    }
  });

  it("JSON patches apply to the copy, as cdk8s applies them", () => {
    const o = object({ spec: { replicas: 3, paused: false } });
    o.addJsonPatch(JsonPatch.remove("/spec/replicas"), JsonPatch.add("/spec/extra", ["b", "a"]));
    expectSameJson(plainApiObjectJson(o), cdk8sApiObjectToJson.call(o));
    expect(plainApiObjectJson(o)).toMatchObject({ spec: { paused: false, extra: ["b", "a"] } });
    expect((plainApiObjectJson(o) as { spec: object }).spec).not.toHaveProperty("replicas");
  });

  it("metadata drops empty lists and maps (cdk8s's metadata sanitising), the object's own fields keep them", () => {
    const o = object({ spec: { list: [], map: {} } });
    const json = plainApiObjectJson(o);
    expectSameJson(json, cdk8sApiObjectToJson.call(o));
    expect(json).toEqual({ apiVersion: "v1", kind: "Thing", metadata: { name: "o" }, spec: { list: [], map: {} } });
  });

  it("apiVersion, kind and metadata come first, the other fields sorted", () => {
    const json = plainApiObjectJson(object({ zeta: 1, alpha: 2, spec: { b: 1, a: 2 } }));
    expect(Object.keys(json!)).toEqual(["apiVersion", "kind", "metadata", "alpha", "spec", "zeta"]);
    expect(Object.keys((json as { spec: object }).spec)).toEqual(["a", "b"]);
  });
});

/** Has a string `value` (as a union class) and resolves itself (as a token): the token resolver comes first. */
class SelfResolving {
  readonly value = "v";
  resolve(): string {
    return "resolved";
  }
}

class List<T> extends Array<T> {}

describe("plainApiObjectJson leaves to cdk8s what is not plain data", () => {
  afterEach(() => {
    delete process.env.CDK8S_DISABLE_SORT;
  });

  const cases: [string, () => ApiObject][] = [
    ["a Lazy value", () => object({ spec: { replicas: Lazy.any({ produce: () => 2 }) } })],
    ["a token (an object with resolve())", () => object({ spec: { token: { resolve: () => "t" } } })],
    ["a Lazy that also has a value", () => object({ spec: { replicas: Object.assign(Lazy.any({ produce: () => 2 }), { value: 5 }) } })],
    ["a union-like class that resolves itself", () => object({ spec: { port: new SelfResolving() } })],
    ["a subclass of Array", () => object({ spec: { items: List.of(1, 2) } })],
    ["a class instance", () => object({ spec: { when: new Date(0) } })],
    ["an object without a prototype", () => object({ spec: Object.assign(Object.create(null) as object, { a: 1 }) })],
    ["an own `constructor` key", () => object({ spec: { constructor: "x" } })],
    ["a function", () => object({ spec: { f: () => 1 } })],
    ["a hole in a list", () => object({ spec: { items: [1, , 3] } })], // eslint-disable-line no-sparse-arrays
    [
      "a union class whose value is neither number nor string",
      () => object({ spec: { port: { __proto__: k8s.IntOrString.prototype, value: true } } }),
    ],
    ["a symbol", () => object({ spec: { s: Symbol("s") } })],
  ];
  it.each(cases)("%s: gives up (undefined)", (_, make) => {
    expect(plainApiObjectJson(make())).toBeUndefined();
  });

  it("a Lazy value: toJson still renders it, through cdk8s", () => {
    usePlainApiObjectJson();
    const o = object({ spec: { replicas: Lazy.any({ produce: () => 2 }) } });
    expect(o.toJson()).toEqual({ apiVersion: "v1", kind: "Thing", metadata: { name: "o" }, spec: { replicas: 2 } });
  });

  it("a Lazy with a value and a self-resolving object: toJson renders what cdk8s's resolvers make of them", () => {
    usePlainApiObjectJson();
    const o = object({
      spec: { replicas: Object.assign(Lazy.any({ produce: () => 2 }), { value: 5 }), port: new SelfResolving() },
    });
    expect(o.toJson()).toMatchObject({ spec: { replicas: 2, port: "resolved" } });
  });

  it("a value cdk8s cannot render: toJson fails with cdk8s's own message, naming the construct", () => {
    usePlainApiObjectJson();
    const o = object({ spec: { when: new Date(0) } });
    expect(() => o.toJson()).toThrow(/Failed serializing construct at path 'test\/o'.*non-simple object of type 'Date'/);
  });

  it("an App with a resolver of its own: gives up, and toJson runs it", () => {
    usePlainApiObjectJson();
    class Upper implements IResolver {
      resolve(context: ResolutionContext): void {
        if (typeof context.value === "string" && context.value.startsWith("up:"))
          context.replaceValue(context.value.slice(3).toUpperCase());
      }
    }
    const o = object({ spec: { name: "up:x" } }, chart(new App({ resolvers: [new Upper()] })));
    expect(plainApiObjectJson(o)).toBeUndefined();
    expect(o.toJson()).toMatchObject({ spec: { name: "X" } });
  });

  it("CDK8S_DISABLE_SORT: gives up (cdk8s keeps the keys unsorted)", () => {
    process.env.CDK8S_DISABLE_SORT = "1";
    expect(plainApiObjectJson(object({ spec: { b: 1, a: 2 } }))).toBeUndefined();
  });

  it("usePlainApiObjectJson is idempotent: installed once, cdk8s's own kept", () => {
    usePlainApiObjectJson();
    const installed = ApiObject.prototype.toJson;
    expect(installed).not.toBe(cdk8sApiObjectToJson);
    usePlainApiObjectJson();
    expect(ApiObject.prototype.toJson).toBe(installed);
  });
});

describe("plainApiObjectJson and cdk8s's internals", () => {
  it.each(["props", "patches", "metadata"])("an ApiObject without its `%s` (another cdk8s version's layout): gives up", (field) => {
    const o = object({ spec: { a: 1 } });
    Object.defineProperty(o, field, { value: undefined });
    expect(plainApiObjectJson(o)).toBeUndefined();
  });

  it("`patches` that is not a list: gives up", () => {
    const o = object({ spec: { a: 1 } });
    Object.defineProperty(o, "patches", { value: { length: 0 } });
    expect(plainApiObjectJson(o)).toBeUndefined();
  });

  it("an error reading the data (a throwing getter) is not taken for data it cannot copy: it propagates", () => {
    const spec = Object.defineProperty({}, "boom", {
      enumerable: true,
      get: () => {
        throw new Error("boom");
      },
    });
    expect(() => plainApiObjectJson(object({ spec }))).toThrow("boom");
  });
});
