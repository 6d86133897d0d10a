/**
 * A small Kubernetes REST client for the harness (node:https, client certificate): requests,
 * server-side apply with resource names from discovery, and waiting on conditions.
 */
import { request as httpsRequest, Agent } from "node:https";
import { readFileSync } from "node:fs";
import { stringify } from "yaml";

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export class KubeError extends Error {
  override name = "KubeError";
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export interface KubeCredentials {
  readonly server: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export class Kube {
  private readonly agent: Agent;
  private readonly resources = new Map<string, { plural: string; namespaced: boolean }>();

  constructor(readonly creds: KubeCredentials) {
    this.agent = new Agent({
      ca: readFileSync(creds.ca),
      cert: readFileSync(creds.cert),
      key: readFileSync(creds.key),
      keepAlive: true,
      maxSockets: 8,
    });
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
    const url = new URL(path, this.creds.server);
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = httpsRequest(
        url,
        // Content-Length always: node sends a DELETE body unframed (no chunked encoding by default
        // for DELETE), so the apiserver ignored DeleteOptions and read the body as the start of the
        // next request on the kept-alive socket (`400 Bad Request` on the pod faker's next list).
        {
          method,
          agent: this.agent,
          headers: {
            Accept: "application/json",
            ...(payload !== undefined ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) } : {}),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* not JSON */
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(parsed as T);
            else {
              const msg = (parsed as { message?: string } | undefined)?.message ?? text;
              reject(new KubeError(`${method} ${url.pathname}: ${status} ${msg}`, status, parsed));
            }
          });
        },
      );
      req.on("timeout", () => req.destroy(new Error(`${method} ${url.pathname}: timed out`)));
      req.on("error", reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  get<T = any>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  /** The object, or undefined on 404. */
  async getOrUndefined<T = any>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) return undefined;
      throw e;
    }
  }

  private async resource(apiVersion: string, kind: string): Promise<{ plural: string; namespaced: boolean }> {
    const key = `${apiVersion}/${kind}`;
    const cached = this.resources.get(key);
    if (cached) return cached;
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const list = await this.get<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(base);
    for (const r of list.resources)
      if (!r.name.includes("/")) this.resources.set(`${apiVersion}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
    const found = this.resources.get(key);
    if (!found) throw new KubeError(`the API server serves no ${kind} in ${apiVersion}`, 404, undefined);
    return found;
  }

  /** Forget discovery (after CRDs were installed). */
  forgetDiscovery(): void {
    this.resources.clear();
  }

  /** The REST path of an object (or of its collection when `name` is omitted). */
  async path(apiVersion: string, kind: string, namespace: string | undefined, name?: string): Promise<string> {
    const r = await this.resource(apiVersion, kind);
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const ns = r.namespaced ? `/namespaces/${namespace ?? "default"}` : "";
    return `${base}${ns}/${r.plural}${name ? `/${encodeURIComponent(name)}` : ""}`;
  }

  /** Server-side apply of one object, unchanged (field manager `e2e`, conflicts forced). */
  async apply(obj: KubeObject, fieldManager = "inference-scaling-e2e"): Promise<KubeObject> {
    const p = await this.path(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    return this.request<KubeObject>(
      "PATCH",
      `${p}?fieldManager=${fieldManager}&force=true`,
      stringify(obj),
      "application/apply-patch+yaml",
    );
  }

  async delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<void> {
    try {
      await this.request("DELETE", await this.path(apiVersion, kind, namespace, name));
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 404)) throw e;
    }
  }
}

export class TimeoutError extends Error {
  override name = "TimeoutError";
}

/**
 * Polls `probe` every `intervalMs` until it returns a value other than undefined/false; throws a
 * TimeoutError naming `what` and the last observation after `timeoutMs`. `check` runs each round
 * (e.g. a process group's health check) so a crashed component ends the wait at once.
 */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined | false>,
  opts: { intervalMs?: number; check?: () => void; describe?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    opts.check?.();
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const detail =
        lastError instanceof Error ? `; last error: ${lastError.message}` : opts.describe ? `; last seen: ${opts.describe()}` : "";
      throw new TimeoutError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
  }
}
