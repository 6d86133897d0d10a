/** Aggregated APIs served by local processes. */
import { type Kube, waitFor } from "./kube.js";

/**
 * Registers an aggregated API served by a process on 127.0.0.1:`port`: an ExternalName Service
 * resolving to 127.0.0.1 (the aggregator resolves ExternalName services itself; Endpoints may not
 * point at loopback) and the APIService with the CA bundle of the serving cert.
 */
export async function registerAggregatedApi(
  kube: Kube,
  a: { name: string; namespace: string; port: number; group: string; version: string; caBundle: string },
): Promise<void> {
  await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: a.namespace } });
  await kube.apply({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: a.name, namespace: a.namespace },
    spec: {
      type: "ExternalName",
      externalName: "127.0.0.1",
      ports: [{ name: "https", port: a.port, targetPort: a.port, protocol: "TCP" }],
    },
  });
  await kube.apply({
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    metadata: { name: `${a.version}.${a.group}` },
    spec: {
      group: a.group,
      version: a.version,
      service: { name: a.name, namespace: a.namespace, port: a.port },
      caBundle: Buffer.from(a.caBundle).toString("base64"),
      groupPriorityMinimum: 100,
      versionPriority: 100,
    },
  });
}

/** Waits until the APIService reports Available=True. */
export async function waitAvailable(kube: Kube, name: string, check: () => void, timeoutMs = 120_000): Promise<void> {
  let last = "";
  await waitFor(
    `APIService ${name} Available`,
    timeoutMs,
    async () => {
      const s = await kube.get<any>(`/apis/apiregistration.k8s.io/v1/apiservices/${name}`);
      const c = (s.status?.conditions ?? []).find((x: any) => x.type === "Available");
      last = c ? `${c.status} ${c.reason}: ${c.message ?? ""}` : "no condition";
      return c?.status === "True";
    },
    { check, describe: () => last },
  );
}
