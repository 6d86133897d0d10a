/** The rendered objects of dist/<env>/ as synth wrote them (never modified). */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "./kube.js";
import { REPO_ROOT } from "./versions.js";

export function distDir(env: string): string {
  return join(REPO_ROOT, "dist", env);
}

/** Every object of dist/<env>/*.yaml, Namespaces first, in file order otherwise. */
export function distObjects(env: string): KubeObject[] {
  const dir = distDir(env);
  const objs = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as KubeObject | null))
    .filter((o): o is KubeObject => o !== null && typeof o === "object" && "kind" in o);
  return [...objs.filter((o) => o.kind === "Namespace"), ...objs.filter((o) => o.kind !== "Namespace")];
}

/** Every Prometheus serverAddress the environments' ScaledObjects use. */
function serverAddresses(envs: readonly string[]): URL[] {
  const urls: URL[] = [];
  for (const env of envs) {
    for (const o of distObjects(env)) {
      if (o.kind !== "ScaledObject") continue;
      for (const t of ((o as any).spec?.triggers ?? []) as any[]) {
        const a = t.metadata?.serverAddress;
        if (typeof a === "string") urls.push(new URL(a));
      }
    }
  }
  return urls;
}

/** Host names of every Prometheus serverAddress the environments' ScaledObjects use. */
export function serverAddressHosts(envs: readonly string[]): string[] {
  return [...new Set(serverAddresses(envs).map((u) => u.hostname))].sort();
}

/** Ports of every Prometheus serverAddress (dev's prometheus-server listens on 80, kube-prometheus-stack on 9090). */
export function serverAddressPorts(envs: readonly string[]): number[] {
  return [...new Set(serverAddresses(envs).map((u) => Number(u.port || (u.protocol === "https:" ? 443 : 80))))].sort((a, b) => a - b);
}

/** Kind/namespace/name of an object, for messages. */
export function ref(o: KubeObject): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}
