/**
 * renderEnvironment itself refuses what the upstream schemas refuse: the tests of the validator
 * (synth.test.ts) call it directly, these prove synth runs it on every object it renders and stops
 * on duplicates. A construct is broken after the stack is built (a JSON patch on the rendered
 * Deployment, a second copy of an object), exactly where a construct bug would show up.
 */
import { ApiObject, Chart, JsonPatch } from "cdk8s";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SynthError } from "../../stacks/errors.js";
import { renderEnvironment } from "../../stacks/synth.js";
import { envConfig } from "../helpers/env.js";
import { onBuildStack } from "../helpers/stack-hook.js";

vi.mock("../../stacks/stack.js", async (orig) => (await import("../helpers/stack-hook.js")).hookedStackModule(orig));

afterEach(() => onBuildStack(undefined));

async function refusal(env: string): Promise<SynthError> {
  try {
    await renderEnvironment(envConfig(env));
  } catch (e) {
    expect(e).toBeInstanceOf(SynthError);
    return e as SynthError;
  }
  throw new Error(`renderEnvironment accepted ${env}`);
}

describe("renderEnvironment refuses invalid objects", () => {
  it("renders the env when nothing is broken (the mock changes nothing by itself)", async () => {
    const r = await renderEnvironment(envConfig("prod"));
    expect(r.files.length).toBeGreaterThan(0);
  });

  it("SCHEMA_INVALID: a schema-invalid field of a rendered object stops the render, naming env, object and field", async () => {
    onBuildStack((s) => s.service.deployment.addJsonPatch(JsonPatch.replace("/spec/revisionHistoryLimit", "five")));
    const e = await refusal("prod");
    expect(e.lines).toHaveLength(1);
    expect(e.lines[0]).toMatch(
      /^SCHEMA_INVALID env "prod": Deployment ml-serving-prod\/inference fails its schema: .*revisionHistoryLimit must be integer.*\. Fix: /,
    );
  });

  it("SCHEMA_INVALID: an object of a kind no schema knows is refused too", async () => {
    onBuildStack((s) => {
      new ApiObject(s.charts[0]!, "widget", {
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: { name: "w", namespace: s.config.namespace },
      });
    });
    const e = await refusal("dev");
    expect(e.lines).toEqual([
      expect.stringMatching(
        /^SCHEMA_INVALID env "dev": Widget ml-serving-dev\/w fails its schema: no schema for apiVersion example.com\/v1 kind Widget/,
      ),
    ]);
  });

  it("OBJECT_DUPLICATE: the same object rendered twice (in two charts) is refused", async () => {
    onBuildStack((s) => {
      const dup = s.charts[s.charts.length - 1]!;
      new ApiObject(dup, "dup-service-account", {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "inference", namespace: s.config.namespace },
      });
    });
    const e = await refusal("staging");
    expect(e.lines).toEqual([
      expect.stringMatching(/^OBJECT_DUPLICATE env "staging": ServiceAccount ml-serving-staging\/inference is rendered twice/),
    ]);
  });
  it("OBJECT_TOO_LARGE: an object over etcd's 1.5 MiB names its size, the limit and the path of its largest string", async () => {
    onBuildStack((s) =>
      s.service.deployment.addJsonPatch(
        JsonPatch.add("/spec/template/spec/containers/0/env/-", { name: "BIG", value: "x".repeat(1_700_000) }),
      ),
    );
    const e = await refusal("prod");
    expect(e.lines).toEqual([
      expect.stringMatching(
        /^OBJECT_TOO_LARGE env "prod": Deployment ml-serving-prod\/inference is 1\.6 MiB serialized; the API server refuses objects over etcd's request limit of 1\.5 MiB \(1572864 bytes\), and spec\.template\.spec\.containers\[0\]\.env\[\d+\]\.value alone is 1\.6 MiB\. Fix: keep large data out of env values and config/,
      ),
    ]);
  });

  it("OBJECT_TOO_LARGE: exactly 1572864 bytes serialized is accepted, one byte more is not", async () => {
    const LIMIT = 1_572_864;
    const sized = (extra: number) =>
      onBuildStack((s) => {
        const cm = new ApiObject(s.charts[0]!, "big", {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "big", namespace: s.config.namespace },
          data: { blob: "" },
        });
        const base = Buffer.byteLength(JSON.stringify(cm.toJson()));
        cm.addJsonPatch(JsonPatch.replace("/data/blob", "x".repeat(LIMIT - base + extra)));
      });
    sized(0);
    const r = await renderEnvironment(envConfig("dev"));
    expect(r.files.some((f) => f.content.includes("name: big"))).toBe(true);
    sized(1);
    const e = await refusal("dev");
    expect(e.lines).toEqual([
      expect.stringMatching(
        /^OBJECT_TOO_LARGE env "dev": ConfigMap ml-serving-dev\/big is 1\.5 MiB serialized; .*, and data\.blob alone is 1\.5 MiB\. Fix: /,
      ),
    ]);
  });
});

describe("OBJECT_TOO_LARGE where the size bound is tightest", () => {
  it("an object over the limit in characters JSON escapes as \\u00XX (6 bytes each, as the bound counts them) is refused", async () => {
    onBuildStack((s) => {
      new ApiObject(s.charts[0]!, "escaped", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "escaped", namespace: s.config.namespace },
        data: { control: "\u0001".repeat(270_000) },
      });
    });
    const e = await refusal("dev");
    expect(e.lines).toContainEqual(
      expect.stringMatching(
        /^OBJECT_TOO_LARGE env "dev": ConfigMap ml-serving-dev\/escaped is 1\.5 MiB serialized; .*, and data\.control alone is 0\.3 MiB\./,
      ),
    );
  });
});

describe("OBJECT_TOO_LARGE names the largest string", () => {
  it("of two equally large strings the first; values that are not strings (null, numbers) are skipped", async () => {
    onBuildStack((s) => {
      const half = "x".repeat(800_000);
      new ApiObject(s.charts[0]!, "twins", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "twins", namespace: s.config.namespace },
        data: { a: half, b: half },
      });
      s.service.deployment.addJsonPatch(
        JsonPatch.add("/spec/template/spec/containers/0/env/-", { name: "BIG", value: "y".repeat(1_600_000) }),
      );
      s.service.deployment.addJsonPatch(JsonPatch.add("/spec/template/metadata/annotations", { nothing: null, count: 3 }));
    });
    const e = await refusal("dev");
    expect(e.lines).toContainEqual(
      expect.stringMatching(
        /^OBJECT_TOO_LARGE env "dev": ConfigMap ml-serving-dev\/twins is 1\.5 MiB serialized; .*, and data\.a alone is 0\.8 MiB\./,
      ),
    );
    expect(e.lines).toContainEqual(
      expect.stringMatching(
        /^OBJECT_TOO_LARGE env "dev": Deployment ml-serving-dev\/inference is 1\.5 MiB serialized; .*, and spec\.template\.spec\.containers\[0\]\.env\[\d+\]\.value alone is 1\.5 MiB\./,
      ),
    );
  });
});

describe("renderEnvironment's result", () => {
  it("files sorted by path, one per chart that renders objects (an empty chart writes nothing), warnings included", async () => {
    onBuildStack((s) => {
      (s.charts as Chart[]).push(new Chart(s.app, "empty"));
    });
    const r = await renderEnvironment(envConfig("prod", { service: { image: "registry.example.com/ml/inference:1.4.2" } }));
    const paths = r.files.map((f) => f.path);
    expect(paths).toEqual([...paths].sort((a, b) => a.localeCompare(b)));
    expect(paths).not.toContain("empty.yaml");
    expect(paths.some((p) => p.includes("/"))).toBe(true);
    expect(r.warnings.map((w) => w.code)).toContain("IMAGE_NOT_PINNED");
  });
});
