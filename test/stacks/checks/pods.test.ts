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

/** A restricted-compliant template (the fixture's) with one change applied to a copy. */
const template = (change: (spec: any, t: any) => void) => {
  const t = structuredClone(deployment().spec.template);
  change(t.spec, t);
  return t;
};
const c0 = (spec: any) => spec.containers[0];
const violations = (change: (spec: any, t: any) => void) =>
  restrictedViolations(template(change)).map((x) => ({ path: x.path.join("."), message: x.message, fix: x.fix }));

describe("POD_NOT_RESTRICTED: each restricted rule, refused with its path, what is wrong and the fix", () => {
  const refused: [string, (spec: any, t: any) => void, string, RegExp, RegExp][] = [
    ["hostPID", (s) => (s.hostPID = true), "spec.hostPID", /hostPID: true shares the node's namespace/, /remove hostPID/],
    ["hostIPC", (s) => (s.hostIPC = true), "spec.hostIPC", /hostIPC: true/, /remove hostIPC/],
    [
      "a hostPath volume",
      (s) => s.volumes.push({ name: "h", hostPath: { path: "/" } }),
      "spec.volumes.1.hostPath",
      /volume type hostPath is not allowed/,
      /use emptyDir, configMap, secret/,
    ],
    [
      "an unsafe sysctl",
      (s) =>
        (s.securityContext.sysctls = [
          { name: "net.ipv4.tcp_syncookies", value: "1" },
          { name: "kernel.msgmax", value: "1" },
        ]),
      "spec.securityContext.sysctls.1",
      /sysctl kernel\.msgmax is not in the safe set/,
      /remove the sysctl/,
    ],
    [
      "a root pod UID",
      (s) => (s.securityContext.runAsUser = 0),
      "spec.securityContext.runAsUser",
      /runAsUser 0 runs as root/,
      /non-zero UID/,
    ],
    [
      "an Unconfined pod seccomp profile",
      (s) => (s.securityContext.seccompProfile = { type: "Unconfined" }),
      "spec.securityContext.seccompProfile.type",
      /seccomp profile Unconfined is not allowed/,
      /use RuntimeDefault/,
    ],
    [
      "a pod SELinux type outside the allowed set",
      (s) => (s.securityContext.seLinuxOptions = { type: "spc_t" }),
      "spec.securityContext.seLinuxOptions.type",
      /SELinux type spc_t is not allowed/,
      /container_t/,
    ],
    [
      "a pod SELinux user",
      (s) => (s.securityContext.seLinuxOptions = { user: "system_u" }),
      "spec.securityContext.seLinuxOptions",
      /SELinux user\/role may not be set/,
      /remove seLinuxOptions\.user and \.role/,
    ],
    [
      "a pod SELinux role",
      (s) => (s.securityContext.seLinuxOptions = { type: "container_t", role: "system_r" }),
      "spec.securityContext.seLinuxOptions",
      /SELinux user\/role may not be set/,
      /remove seLinuxOptions/,
    ],
    [
      "a pod AppArmor profile Unconfined",
      (s) => (s.securityContext.appArmorProfile = { type: "Unconfined" }),
      "spec.securityContext.appArmorProfile.type",
      /AppArmor Unconfined/,
      /use RuntimeDefault/,
    ],
    [
      "the AppArmor annotation unconfined",
      (_s, t) => (t.metadata.annotations = { "container.apparmor.security.beta.kubernetes.io/server": "unconfined" }),
      "metadata.annotations.container.apparmor.security.beta.kubernetes.io/server",
      /AppArmor unconfined/,
      /remove the annotation/,
    ],
    [
      "a container runAsNonRoot: false over the pod's true",
      (s) => (c0(s).securityContext.runAsNonRoot = false),
      "spec.containers.0.securityContext.runAsNonRoot",
      /container "server" must run with runAsNonRoot: true \(pod or container\)/,
      /set securityContext\.runAsNonRoot: true/,
    ],
    [
      "no seccomp profile on pod or container",
      (s) => {
        delete s.securityContext.seccompProfile;
        delete c0(s).securityContext.seccompProfile;
      },
      "spec.containers.0.securityContext.seccompProfile.type",
      /container "server" needs seccompProfile RuntimeDefault or Localhost \(pod or container\), has none/,
      /set seccompProfile\.type: RuntimeDefault/,
    ],
    [
      "a container seccomp Unconfined over the pod's RuntimeDefault",
      (s) => (c0(s).securityContext.seccompProfile = { type: "Unconfined" }),
      "spec.containers.0.securityContext.seccompProfile.type",
      /has Unconfined/,
      /RuntimeDefault/,
    ],
    [
      "capabilities dropped but not ALL",
      (s) => (c0(s).securityContext.capabilities = { drop: ["NET_RAW"] }),
      "spec.containers.0.securityContext.capabilities.drop",
      /container "server" must drop ALL capabilities/,
      /capabilities\.drop: \["ALL"\]/,
    ],
    [
      "an added capability",
      (s) => (c0(s).securityContext.capabilities = { drop: ["ALL"], add: ["NET_BIND_SERVICE", "NET_ADMIN"] }),
      "spec.containers.0.securityContext.capabilities.add",
      /container "server" adds capability NET_ADMIN \(only NET_BIND_SERVICE is allowed\)/,
      /remove NET_ADMIN/,
    ],
    [
      "procMount Unmasked",
      (s) => (c0(s).securityContext.procMount = "Unmasked"),
      "spec.containers.0.securityContext.procMount",
      /container "server" uses procMount Unmasked/,
      /remove procMount/,
    ],
    [
      "a Windows host process",
      (s) => (c0(s).securityContext.windowsOptions = { hostProcess: true }),
      "spec.containers.0.securityContext.windowsOptions.hostProcess",
      /container "server" is a Windows host process/,
      /remove hostProcess/,
    ],
    [
      "a container AppArmor profile Unconfined",
      (s) => (c0(s).securityContext.appArmorProfile = { type: "Unconfined" }),
      "spec.containers.0.securityContext.appArmorProfile.type",
      /container "server" AppArmor Unconfined/,
      /use RuntimeDefault/,
    ],
    [
      "a container SELinux type outside the allowed set",
      (s) => (c0(s).securityContext.seLinuxOptions = { type: "unconfined_t" }),
      "spec.containers.0.securityContext.seLinuxOptions.type",
      /SELinux type unconfined_t is not allowed/,
      /container_t/,
    ],
    [
      "a privileged container",
      (s) => (c0(s).securityContext.privileged = true),
      "spec.containers.0.securityContext.privileged",
      /container "server" is privileged/,
      /remove privileged/,
    ],
    [
      "allowPrivilegeEscalation: true",
      (s) => (c0(s).securityContext.allowPrivilegeEscalation = true),
      "spec.containers.0.securityContext.allowPrivilegeEscalation",
      /container "server" must set allowPrivilegeEscalation: false/,
      /set allowPrivilegeEscalation: false/,
    ],
    [
      "a container UID 0",
      (s) => (c0(s).securityContext.runAsUser = 0),
      "spec.containers.0.securityContext.runAsUser",
      /container "server" runs as UID 0/,
      /non-zero UID/,
    ],
    [
      "a host port",
      (s) => (c0(s).ports = [{ containerPort: 8000 }, { containerPort: 9090, hostPort: 9090 }]),
      "spec.containers.0.ports.1.hostPort",
      /container "server" binds host port 9090/,
      /remove hostPort; expose through a Service/,
    ],
    [
      "an init container that is not restricted",
      (s) => (s.initContainers = [{ name: "fetch", securityContext: { ...c0(s).securityContext, privileged: true } }]),
      "spec.initContainers.0.securityContext.privileged",
      /container "fetch" is privileged/,
      /remove privileged/,
    ],
    [
      "an ephemeral container that is not restricted",
      (s) => (s.ephemeralContainers = [{ name: "debug", securityContext: { ...c0(s).securityContext, runAsUser: 0 } }]),
      "spec.ephemeralContainers.0.securityContext.runAsUser",
      /container "debug" runs as UID 0/,
      /non-zero UID/,
    ],
  ];
  for (const [what, change, path, message, fix] of refused) {
    it(`refuses ${what}, and only that`, () => {
      const found = violations(change);
      expect(found, JSON.stringify(found)).toHaveLength(1);
      expect(found[0]!.path).toBe(path);
      expect(found[0]!.message).toMatch(message);
      expect(found[0]!.fix).toMatch(fix);
    });
  }

  const accepted: [string, (spec: any, t: any) => void][] = [
    ["host namespaces set to false", (s) => Object.assign(s, { hostNetwork: false, hostPID: false, hostIPC: false })],
    [
      "every allowed volume type, and a volume with only a name",
      (s) =>
        s.volumes.push(
          { name: "c", configMap: { name: "x" } },
          { name: "s", secret: { secretName: "x" } },
          { name: "p", projected: { sources: [] } },
          { name: "pvc", persistentVolumeClaim: { claimName: "x" } },
          { name: "csi", csi: { driver: "x" } },
          { name: "d", downwardAPI: {} },
          { name: "e", ephemeral: {} },
          { name: "only-a-name" },
          "not an object",
        ),
    ],
    ["safe sysctls", (s) => (s.securityContext.sysctls = [{ name: "net.ipv4.ip_local_port_range", value: "1024 65535" }])],
    ["a non-zero pod UID", (s) => (s.securityContext.runAsUser = 1)],
    ["a Localhost pod seccomp profile", (s) => (s.securityContext.seccompProfile = { type: "Localhost", localhostProfile: "p.json" })],
    ["a Localhost container seccomp profile", (s) => (c0(s).securityContext.seccompProfile = { type: "Localhost" })],
    [
      "a container seccomp profile without a pod one",
      (s) => {
        delete s.securityContext.seccompProfile;
      },
    ],
    [
      "the SELinux types container_t and unset, a level",
      (s) => {
        s.securityContext.seLinuxOptions = { type: "container_t", level: "s0:c123,c456" };
        c0(s).securityContext.seLinuxOptions = { level: "s0" };
      },
    ],
    ["SELinux options that are no object", (s) => (s.securityContext.seLinuxOptions = "container_t")],
    [
      "AppArmor RuntimeDefault",
      (s) => {
        s.securityContext.appArmorProfile = { type: "RuntimeDefault" };
        c0(s).securityContext.appArmorProfile = { type: "Localhost", localhostProfile: "k8s-x" };
      },
    ],
    [
      "AppArmor annotations that are not unconfined, and an unrelated unconfined annotation",
      (_s, t) =>
        (t.metadata.annotations = {
          "container.apparmor.security.beta.kubernetes.io/server": "runtime/default",
          "example.com/mode": "unconfined",
        }),
    ],
    ["NET_BIND_SERVICE added", (s) => (c0(s).securityContext.capabilities = { drop: ["ALL"], add: ["NET_BIND_SERVICE"] })],
    ["procMount Default", (s) => (c0(s).securityContext.procMount = "Default")],
    ["windowsOptions without hostProcess", (s) => (c0(s).securityContext.windowsOptions = { hostProcess: false, runAsUserName: "x" })],
    ["hostPort 0", (s) => (c0(s).ports = [{ containerPort: 8000, hostPort: 0 }])],
    ["privileged: false and a non-zero container UID", (s) => Object.assign(c0(s).securityContext, { privileged: false, runAsUser: 1000 })],
    ["a container that is no object", (s) => s.containers.push("sidecar")],
  ];
  for (const [what, change] of accepted) {
    it(`accepts ${what}`, () => {
      expect(violations(change)).toEqual([]);
    });
  }

  it("reads a template without spec as an empty pod: nothing to refuse", () => {
    expect(restrictedViolations({ metadata: {} })).toEqual([]);
  });

  it("reports the rule through the check: the resource, the full path, why admission would reject it and the fix", () => {
    const run = check(mutate(coherent(), (get) => (get("Deployment").spec.template.spec.hostPID = true)));
    const [e] = expectErrors(run, ["POD_NOT_RESTRICTED"]);
    expect(e!.path).toBe("spec.template.spec.hostPID");
    expect(e!.message).toBe(
      "hostPID: true shares the node's namespace: the namespace enforces the restricted Pod Security Standard and would reject the pod",
    );
    expect(e!.fix).toBe("remove hostPID");
  });
});

describe("POD_RESOURCES_MISSING, POD_PROBE_MISSING: what is missing and why", () => {
  const resources = (r: unknown) => withContainer({ resources: r });

  it("names each missing request and limit and why each matters", () => {
    const [a] = expectErrors(check(resources({ requests: { memory: "2Gi" }, limits: { memory: "2Gi" } })), [
      "POD_RESOURCES_MISSING",
      "RESOURCE_METRIC_WITHOUT_REQUESTS", // the fixture's cpu trigger divides by the request
    ]).filter((e) => e.code === "POD_RESOURCES_MISSING");
    expect(a!.message).toBe(
      'container "server" lacks requests.cpu: without requests the scheduler, utilization autoscaling and the quota cannot account for it',
    );
    expect(a!.path).toBe("spec.template.spec.containers[0].resources");
    expect(a!.fix).toBe("set service.resources.requests (cpu, memory) and service.resources.limits.memory");
    const [b] = expectErrors(check(resources({ requests: { cpu: "1" }, limits: { memory: "2Gi" } })), ["POD_RESOURCES_MISSING"]);
    expect(b!.message).toMatch(/lacks requests\.memory: without requests/);
    const [c] = expectErrors(check(resources({ requests: { cpu: "1", memory: "2Gi" } })), ["POD_RESOURCES_MISSING"]);
    expect(c!.message).toBe('container "server" lacks limits.memory: without a memory limit one leak starves the node');
    const all = check(resources(undefined)).errors.find((e) => e.code === "POD_RESOURCES_MISSING");
    expect(all!.message).toBe(
      'container "server" lacks requests.cpu, requests.memory, limits.memory: without requests the scheduler, utilization autoscaling and the quota cannot account for it; without a memory limit one leak starves the node',
    );
  });

  it("asks nothing of ephemeral containers' resources or of init containers' probes", () => {
    const objects = mutate(coherent(), (get) => {
      const spec = get("Deployment").spec.template.spec;
      const bare = { ...container(), resources: undefined, readinessProbe: undefined, livenessProbe: undefined, ports: [] };
      spec.ephemeralContainers = [{ ...bare, name: "debug" }];
      spec.initContainers = [{ ...bare, name: "fetch", resources: container().resources }];
    });
    expect(check(objects).findings).toEqual([]);
  });

  it("names the missing probe and what goes wrong without it", () => {
    const [r] = expectErrors(check(withContainer({ readinessProbe: undefined })), ["POD_PROBE_MISSING"]);
    expect(r!.path).toBe("spec.template.spec.containers[0].readinessProbe");
    expect(r!.message).toBe('container "server" has no readinessProbe: traffic reaches pods still loading the model');
    expect(r!.fix).toBe("add a readinessProbe (service.probes)");
    const [l] = expectErrors(check(withContainer({ livenessProbe: "none" })), ["POD_PROBE_MISSING"]);
    expect(l!.path).toBe("spec.template.spec.containers[0].livenessProbe");
    expect(l!.message).toBe('container "server" has no livenessProbe: a hung server is never restarted');
    expect(l!.fix).toBe("add a livenessProbe (service.probes)");
  });
});

describe("POD_NOT_RESTRICTED on hand-edited templates: missing or null parts are read as absent, never a crash", () => {
  it("a template without metadata, a securityContext without capabilities, null sysctls and ports", () => {
    const t = structuredClone(deployment().spec.template);
    delete t.metadata;
    expect(restrictedViolations(t)).toEqual([]);
    t.spec.securityContext.sysctls = [null];
    t.spec.containers[0].ports = [null, { containerPort: 8000 }];
    t.spec.containers[0].securityContext = { allowPrivilegeEscalation: false, runAsNonRoot: true };
    expect(restrictedViolations(t).map((x) => [x.path.join("."), x.message])).toEqual([
      ["spec.securityContext.sysctls.0", "sysctl undefined is not in the safe set"],
      ["spec.containers.0.securityContext.capabilities.drop", 'container "server" must drop ALL capabilities'],
    ]);
  });
});
