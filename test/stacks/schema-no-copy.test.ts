/**
 * validateObjects reads an object without undefined members as it is, where kubernetes-models
 * would first deep-copy it without them: the same findings either way, held here on every
 * rendered object (valid), on broken copies of them, and on objects with undefined members (which
 * take the copy: read as they are, a map's undefined member would be refused).
 */
import { describe, expect, it } from "vitest";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { hasUndefinedMember, validateObjects } from "../../stacks/schema.js";
import { renderedEnv } from "../helpers/rendered.js";

describe("validateObjects without the model's copy", () => {
  it.each(ENV_NAMES)("%s: every rendered object is valid and has no undefined member", async (env) => {
    const objects = (await renderedEnv(env)).objects;
    for (const o of objects) expect(hasUndefinedMember(o), `${o.kind} ${o.metadata?.name}`).toBe(false);
    expect(await validateObjects(objects)).toEqual([]);
  });

  it("a map member set to undefined is dropped, as the model's copy drops it: no finding", async () => {
    const o = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", labels: { a: "x", b: undefined }, annotations: undefined },
      data: { k: "v", gone: undefined },
    };
    expect(hasUndefinedMember(o)).toBe(true);
    expect(await validateObjects([o])).toEqual([]);
  });

  it("an invalid field is found the same way with or without undefined members elsewhere", async () => {
    const base = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "x" },
      spec: { replicas: "3", selector: {}, template: {} },
    };
    const withUndefined = { ...base, metadata: { name: "x", labels: { a: undefined } } };
    const [plain, copied] = [await validateObjects([base]), await validateObjects([withUndefined])];
    expect(plain).toHaveLength(1);
    expect(plain[0]!.message).toMatch(/replicas must be integer/);
    expect(copied).toEqual(plain);
  });

  it("hasUndefinedMember: maps anywhere, through lists; list items that are undefined are not members", () => {
    expect(hasUndefinedMember({ a: [{ b: { c: undefined } }] })).toBe(true);
    expect(hasUndefinedMember([{ a: 1 }, { b: undefined }])).toBe(true);
    expect(hasUndefinedMember([undefined, 1])).toBe(false);
    expect(hasUndefinedMember({ a: null, b: [null], c: { d: 0, e: "" } })).toBe(false);
    expect(hasUndefinedMember(undefined)).toBe(false);
    expect(hasUndefinedMember("x")).toBe(false);
  });
});
