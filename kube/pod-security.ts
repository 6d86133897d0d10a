/**
 * The restricted Pod Security Standard, once: every pod the program renders uses these, so the
 * namespace's `pod-security.kubernetes.io/enforce: restricted` label never rejects one of them.
 */
import type { k8s } from "cdk8s-plus-28";

/** A non-root UID/GID images run as when they do not set one. */
export const RUN_AS = 10001;

/** Pod-level: non-root with a fixed UID/GID and the runtime's default seccomp profile. */
export function restrictedPodSecurityContext(uid: number = RUN_AS): k8s.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } };
}

/** Container-level: no privilege escalation, no capabilities, read-only root filesystem. */
export function restrictedContainerSecurityContext(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
