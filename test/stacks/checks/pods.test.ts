import { describe, expect, it } from "vitest";
import { restrictedViolations } from "../../../stacks/checks/pods.js";
import { check, coherent, container, deployment, expectErrors, mutate, NS } from "./fixtures.js";

const withContainer = (over: Record<string, unknown>) =>
  mutate(coherent(), (get) => (get("Deployment").spec.template.spec.containers = [container(over)]));
const sc = (over: Record<string, unknown>) => ({ securityContext: { ...container().securityContext, ...over } });

describe("POD_NOT_RESTRICTED: restricted Pod Security Standard", () => {
  it("the fixture pod is restricted-compliant", () => {
    expect(restrictedViolations(deployment().spec.template)).toEqual([]);
    expect(check(coherent()).findings).toEqual([]);
  });

  const cases: [string, Record<string, unknown> | ((d: any) => void), string][] = [
    ["a privileged container", sc({ privileged: true }), "spec.template.spec.containers[0].securityContext.privileged"],
    [
      "allowPrivilegeEscalation left unset",
      sc({ allowPrivilegeEscalation: undefined }),
      "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation",
    ],
    [
      "a capability beyond NET_BIND_SERVICE",
      sc({ capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } }),
      "spec.template.spec.containers[0].securityContext.capabilities.add",
    ],
    ["capabilities not dropped", sc({ capabilities: {} }), "spec.template.spec.containers[0].securityContext.capabilities.drop"],
    [
      "seccomp Unconfined",
      sc({ seccompProfile: { type: "Unconfined" } }),
      "spec.template.spec.containers[0].securityContext.seccompProfile.type",
    ],
    ["UID 0", sc({ runAsUser: 0 }), "spec.template.spec.containers[0].securityContext.runAsUser"],
    [
      "a host port",
      { ports: [{ name: "metrics", containerPort: 9090, hostPort: 9090 }] },
      "spec.template.spec.containers[0].ports[0].hostPort",
    ],
    ["hostNetwork", (d) => (d.spec.template.spec.hostNetwork = true), "spec.template.spec.hostNetwork"],
    [
      "a hostPath volume",
      (d) => d.spec.template.spec.volumes.push({ name: "docker", hostPath: { path: "/var/run/docker.sock" } }),
      "spec.template.spec.volumes[1].hostPath",
    ],
    [
      "runAsNonRoot on neither pod nor container",
      (d) => {
        delete d.spec.template.spec.securityContext.runAsNonRoot;
        delete d.spec.template.spec.containers[0].securityContext.runAsNonRoot;
      },
      "spec.template.spec.containers[0].securityContext.runAsNonRoot",
    ],
  ];
  for (const [what, change, path] of cases) {
    it(`POD_NOT_RESTRICTED: ${what}`, () => {
      const objects = typeof change === "function" ? mutate(coherent(), (get) => change(get("Deployment"))) : withContainer(change);
      const errors = expectErrors(check(objects), ["POD_NOT_RESTRICTED"]);
      expect(errors.map((e) => e.path)).toContain(path);
      expect(errors[0]!.resource).toBe(`Deployment ${NS}/inference`);
    });
  }

  it("reads the pod-level seccomp profile and runAsNonRoot for containers that do not set them", () => {
    expect(check(withContainer(sc({ seccompProfile: undefined, runAsNonRoot: undefined }))).findings).toEqual([]);
  });
});

describe("POD_PROBE_MISSING, POD_RESOURCES_MISSING: probes and resources", () => {
  it("POD_PROBE_MISSING: a serving container without readiness or liveness probe", () => {
    const errors = expectErrors(check(withContainer({ readinessProbe: undefined, livenessProbe: undefined })), ["POD_PROBE_MISSING"]);
    expect(errors.map((e) => e.path)).toEqual([
      "spec.template.spec.containers[0].readinessProbe",
      "spec.template.spec.containers[0].livenessProbe",
    ]);
  });

  it("does not ask a Job for probes", () => {
    const job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "load", namespace: NS },
      spec: { template: { ...deployment().spec.template } },
    };
    job.spec.template.spec = {
      ...job.spec.template.spec,
      containers: [container({ readinessProbe: undefined, livenessProbe: undefined })],
    };
    expect(check([job]).findings).toEqual([]);
  });

  it("POD_RESOURCES_MISSING: no memory limit, no requests, an init container without resources; a missing cpu limit is fine", () => {
    expect(
      expectErrors(check(withContainer({ resources: { requests: { cpu: "1", memory: "2Gi" } } })), ["POD_RESOURCES_MISSING"])[0]!.message,
    ).toMatch(/lacks limits\.memory/);
    expect(
      expectErrors(check(withContainer({ resources: {} })), ["POD_RESOURCES_MISSING", "RESOURCE_METRIC_WITHOUT_REQUESTS"]).length,
    ).toBeGreaterThan(1);
    const init = mutate(
      coherent(),
      (get) =>
        (get("Deployment").spec.template.spec.initContainers = [
          container({ name: "fetch-model", ports: [], resources: undefined, readinessProbe: undefined, livenessProbe: undefined }),
        ]),
    );
    expect(expectErrors(check(init), ["POD_RESOURCES_MISSING"])[0]!.path).toBe("spec.template.spec.initContainers[0].resources");
    expect(check(withContainer({ resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } } })).findings).toEqual([]);
  });
});
