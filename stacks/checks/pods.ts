/**
 * POD_NOT_RESTRICTED, POD_PROBE_MISSING, POD_RESOURCES_MISSING: every pod template meets the restricted Pod Security Standard (the namespace enforces
 * it, so a violating pod is rejected at admission — after a deploy, not at synth), and every
 * container declares requests (scheduling, utilization scaling and quotas divide by them), a
 * memory limit, and — for serving workloads — readiness and liveness probes.
 * Rules follow https://kubernetes.io/docs/concepts/security/pod-security-standards/ ("latest").
 */
import type { CheckContext, PodTemplateRef } from "./context.js";
import type { K8sObject, PathSegment } from "./types.js";
import { asArray, isObject } from "./util.js";
import { quantityOrUndefined } from "../../kube/quantity.js";

const RESTRICTED_VOLUME_TYPES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);

interface Violation {
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly fix: string;
}

function containerGroups(spec: K8sObject): [string, K8sObject[]][] {
  return (["containers", "initContainers", "ephemeralContainers"] as const).map((k) => [k, asArray(spec[k]).filter(isObject)]);
}

/** Restricted-PSS violations of one pod template (path relative to the template). */
export function restrictedViolations(template: K8sObject): Violation[] {
  const out: Violation[] = [];
  const spec: K8sObject = isObject(template.spec) ? template.spec : {};
  const podSc: K8sObject = isObject(spec.securityContext) ? spec.securityContext : {};
  const v = (path: PathSegment[], message: string, fix: string) => out.push({ path, message, fix });

  for (const f of ["hostNetwork", "hostPID", "hostIPC"] as const) {
    if (spec[f] === true) v(["spec", f], `${f}: true shares the node's namespace`, `remove ${f}`);
  }
  asArray(spec.volumes).forEach((vol, i) => {
    if (!isObject(vol)) return;
    const type = Object.keys(vol).find((k) => k !== "name");
    if (type !== undefined && !RESTRICTED_VOLUME_TYPES.has(type))
      v(
        ["spec", "volumes", i, type],
        `volume type ${type} is not allowed by the restricted standard`,
        "use emptyDir, configMap, secret, projected, persistentVolumeClaim, csi, downwardAPI or ephemeral",
      );
  });
  asArray(podSc.sysctls).forEach((s, i) => {
    if (!SAFE_SYSCTLS.has(String(s?.name)))
      v(["spec", "securityContext", "sysctls", i], `sysctl ${s?.name} is not in the safe set`, "remove the sysctl");
  });
  if (podSc.runAsUser === 0) v(["spec", "securityContext", "runAsUser"], "runAsUser 0 runs as root", "run as a non-zero UID");
  const podSeccomp = podSc.seccompProfile?.type;
  if (podSeccomp !== undefined && podSeccomp !== "RuntimeDefault" && podSeccomp !== "Localhost") {
    v(["spec", "securityContext", "seccompProfile", "type"], `seccomp profile ${podSeccomp} is not allowed`, "use RuntimeDefault");
  }
  checkSelinux(podSc.seLinuxOptions, ["spec", "securityContext", "seLinuxOptions"], v);
  if (podSc.appArmorProfile?.type === "Unconfined")
    v(["spec", "securityContext", "appArmorProfile", "type"], "AppArmor Unconfined", "use RuntimeDefault");
  for (const [k, val] of Object.entries(isObject(template.metadata?.annotations) ? template.metadata.annotations : {})) {
    if (k.startsWith("container.apparmor.security.beta.kubernetes.io/") && val === "unconfined")
      v(["metadata", "annotations", k], "AppArmor unconfined", "remove the annotation");
  }

  for (const [group, containers] of containerGroups(spec)) {
    containers.forEach((c, i) => {
      const base: PathSegment[] = ["spec", group, i];
      const sc: K8sObject = isObject(c.securityContext) ? c.securityContext : {};
      const scPath: PathSegment[] = [...base, "securityContext"];
      const name = `container "${c.name}"`;
      if (sc.privileged === true) v([...scPath, "privileged"], `${name} is privileged`, "remove privileged");
      if (sc.allowPrivilegeEscalation !== false)
        v(
          [...scPath, "allowPrivilegeEscalation"],
          `${name} must set allowPrivilegeEscalation: false`,
          "set allowPrivilegeEscalation: false",
        );
      const runAsNonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
      if (runAsNonRoot !== true)
        v(
          [...scPath, "runAsNonRoot"],
          `${name} must run with runAsNonRoot: true (pod or container)`,
          "set securityContext.runAsNonRoot: true",
        );
      if (sc.runAsUser === 0) v([...scPath, "runAsUser"], `${name} runs as UID 0`, "run as a non-zero UID");
      const seccomp = sc.seccompProfile?.type ?? podSeccomp;
      if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
        v(
          [...scPath, "seccompProfile", "type"],
          `${name} needs seccompProfile RuntimeDefault or Localhost (pod or container), has ${seccomp ?? "none"}`,
          "set seccompProfile.type: RuntimeDefault",
        );
      }
      const drop = asArray(sc.capabilities?.drop).map(String);
      if (!drop.includes("ALL"))
        v([...scPath, "capabilities", "drop"], `${name} must drop ALL capabilities`, 'set capabilities.drop: ["ALL"]');
      for (const cap of asArray(sc.capabilities?.add).map(String)) {
        if (cap !== "NET_BIND_SERVICE")
          v([...scPath, "capabilities", "add"], `${name} adds capability ${cap} (only NET_BIND_SERVICE is allowed)`, `remove ${cap}`);
      }
      if (sc.procMount !== undefined && sc.procMount !== "Default")
        v([...scPath, "procMount"], `${name} uses procMount ${sc.procMount}`, "remove procMount");
      if (sc.windowsOptions?.hostProcess === true)
        v([...scPath, "windowsOptions", "hostProcess"], `${name} is a Windows host process`, "remove hostProcess");
      if (sc.appArmorProfile?.type === "Unconfined")
        v([...scPath, "appArmorProfile", "type"], `${name} AppArmor Unconfined`, "use RuntimeDefault");
      checkSelinux(sc.seLinuxOptions, [...scPath, "seLinuxOptions"], v);
      asArray(c.ports).forEach((p, j) => {
        if (p?.hostPort !== undefined && p.hostPort !== 0)
          v([...base, "ports", j, "hostPort"], `${name} binds host port ${p.hostPort}`, "remove hostPort; expose through a Service");
      });
    });
  }
  return out;
}

function checkSelinux(se: unknown, path: PathSegment[], v: (path: PathSegment[], message: string, fix: string) => void): void {
  if (!isObject(se)) return;
  if (!SELINUX_TYPES.has(String(se.type ?? "")))
    v([...path, "type"], `SELinux type ${se.type} is not allowed`, "use container_t or leave it unset");
  if (se.user !== undefined || se.role !== undefined) v(path, "SELinux user/role may not be set", "remove seLinuxOptions.user and .role");
}

function check(ctx: CheckContext, p: PodTemplateRef): void {
  const at = (rel: readonly PathSegment[]) => [...p.path, ...rel];
  for (const x of restrictedViolations(p.template)) {
    ctx.sink.error(
      "POD_NOT_RESTRICTED",
      p.resource,
      at(x.path),
      `${x.message}: the namespace enforces the restricted Pod Security Standard and would reject the pod`,
      x.fix,
    );
  }
  const spec: K8sObject = isObject(p.template.spec) ? p.template.spec : {};
  for (const [group, containers] of containerGroups(spec)) {
    if (group === "ephemeralContainers") continue;
    containers.forEach((c, i) => {
      const base: PathSegment[] = ["spec", group, i];
      const r = c.resources ?? {};
      const missing = [
        unset(r.requests?.cpu, "requests.cpu"),
        unset(r.requests?.memory, "requests.memory"),
        unset(r.limits?.memory, "limits.memory"),
      ].filter((x): x is string => x !== undefined);
      if (missing.length) {
        const why = [
          missing.some((m) => m.startsWith("requests"))
            ? "without requests the scheduler, utilization autoscaling and the quota cannot account for it"
            : undefined,
          missing.some((m) => m.startsWith("limits.memory")) ? "without a memory limit one leak starves the node" : undefined,
        ].filter(Boolean);
        ctx.sink.error(
          "POD_RESOURCES_MISSING",
          p.resource,
          at([...base, "resources"]),
          `container "${c.name}" lacks ${missing.join(", ")}: ${why.join("; ")}`,
          "set service.resources.requests (cpu, memory) and service.resources.limits.memory",
        );
      }
      if (group === "containers" && p.longRunning) {
        for (const probe of ["readinessProbe", "livenessProbe"] as const) {
          if (!isObject(c[probe])) {
            ctx.sink.error(
              "POD_PROBE_MISSING",
              p.resource,
              at([...base, probe]),
              `container "${c.name}" has no ${probe}: ${probe === "readinessProbe" ? "traffic reaches pods still loading the model" : "a hung server is never restarted"}`,
              `add a ${probe} (service.probes)`,
            );
          }
        }
      }
    });
  }
}

/**
 * A request or limit that is absent or zero: a zero request is no request to the scheduler and the
 * quota, and a utilization target over it never computes (the HPA divides by the request); a zero
 * memory limit is no limit at all.
 */
function unset(q: unknown, field: string): string | undefined {
  if (q === undefined) return field;
  // A malformed one (undefined here): the schema validation names it.
  return quantityOrUndefined(q) === 0 ? `${field} (${JSON.stringify(q)} is none)` : undefined;
}

/** POD_NOT_RESTRICTED, POD_RESOURCES_MISSING, POD_PROBE_MISSING. */
export function checkPods(ctx: CheckContext): void {
  for (const p of ctx.podTemplates()) check(ctx, p);
}
