import { describe, expect, it } from "vitest";
import { ClusterTriggerAuthentication, TriggerAuthentication } from "../../constructs/trigger-authentication.js";
import { validateObjects } from "../../stacks/schema.js";
import { chart, problems } from "./fixtures.js";

describe("TriggerAuthentication / ClusterTriggerAuthentication", () => {
  it("render Secret references only, never a value, and pass the KEDA schemas", async () => {
    const c = chart();
    const ta = new TriggerAuthentication(c, "ta", {
      name: "rabbitmq",
      namespace: "ml",
      labels: { team: "ml" },
      secretTargetRef: [
        { parameter: "host", name: "rabbitmq-conn", key: "url" },
        { parameter: "vhostName", name: "rabbitmq-conn", key: "vhost" },
      ],
    });
    const cta = new ClusterTriggerAuthentication(c, "cta", {
      name: "prometheus",
      secretTargetRef: [{ parameter: "bearerToken", name: "prom-token", key: "token" }],
    });
    const [a, b] = c.toJson();
    expect(a).toEqual({
      apiVersion: "keda.sh/v1alpha1",
      kind: "TriggerAuthentication",
      metadata: { name: "rabbitmq", namespace: "ml", labels: { team: "ml" } },
      spec: {
        secretTargetRef: [
          { parameter: "host", name: "rabbitmq-conn", key: "url" },
          { parameter: "vhostName", name: "rabbitmq-conn", key: "vhost" },
        ],
      },
    });
    expect(b).toEqual({
      apiVersion: "keda.sh/v1alpha1",
      kind: "ClusterTriggerAuthentication",
      metadata: { name: "prometheus" },
      spec: { secretTargetRef: [{ parameter: "bearerToken", name: "prom-token", key: "token" }] },
    });
    expect(ta.parameters).toEqual(["host", "vhostName"]);
    expect([ta.kind, ta.namespace, cta.kind, cta.namespace]).toEqual([
      "TriggerAuthentication",
      "ml",
      "ClusterTriggerAuthentication",
      undefined,
    ]);
    expect(await validateObjects([a, b])).toEqual([]);
  });

  it("refuses an empty list, duplicate parameters, bad Secret names and keys", () => {
    expect(problems(() => new TriggerAuthentication(chart(), "ta", { name: "x", namespace: "ml", secretTargetRef: [] }))).toEqual([
      "TriggerAuthentication ml/x: spec.secretTargetRef: no secret references: the object would authenticate nothing. Fix: list at least one { parameter, name, key }",
    ]);
    const lines = problems(
      () =>
        new ClusterTriggerAuthentication(chart(), "cta", {
          name: "x",
          secretTargetRef: [
            { parameter: "host", name: "conn", key: "url" },
            { parameter: "host", name: "Conn_Secret", key: "url/path" },
            { parameter: "1bad", name: "ok", key: "k" },
          ],
        }),
    );
    expect(lines.map((l) => l.split(": ").slice(0, 2).join(": "))).toEqual([
      "ClusterTriggerAuthentication x: spec.secretTargetRef[1].parameter",
      "ClusterTriggerAuthentication x: spec.secretTargetRef[1].name",
      "ClusterTriggerAuthentication x: spec.secretTargetRef[1].key",
      "ClusterTriggerAuthentication x: spec.secretTargetRef[2].parameter",
    ]);
    expect(lines[0]).toContain('parameter "host" is supplied twice');
  });
});
