/**
 * Processes for the live Prometheus test: exporter processes (test/live/exporter.mjs) and a real
 * Prometheus (Debian package `prometheus`), all on 127.0.0.1, each stopped by its PID.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import type { MetricSpec } from "../../promql/metrics.js";

export const PROMETHEUS_MISSING = "prometheus missing: apt-get update && apt-get install -y prometheus";

/** `prometheus --version`'s first line; throws {@link PROMETHEUS_MISSING} when it does not run. */
export function prometheusVersion(bin = "prometheus"): string {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(PROMETHEUS_MISSING);
  return `${r.stdout}${r.stderr}`.split("\n")[0]!.trim();
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released for the child to bind). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** Every process this harness started, so afterAll can stop them by PID even after a failure. */
export class Processes {
  private readonly children: ChildProcess[] = [];

  track(child: ChildProcess): ChildProcess {
    this.children.push(child);
    return child;
  }

  /** SIGTERM one child by PID and wait (up to 10 s, then SIGKILL) until it has exited. */
  async stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((res) => child.once("exit", () => res()));
    process.kill(child.pid, "SIGTERM");
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, "SIGKILL");
    }, 10_000);
    await exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.children.map((c) => this.stop(c).catch(() => undefined)));
  }
}

/** One traffic op of the exporter (see exporter.mjs). */
export interface ExporterOp {
  readonly op: "init" | "inc" | "set" | "observe";
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value?: number;
  readonly count?: number;
}

export interface Exporter {
  readonly port: number;
  readonly child: ChildProcess;
  /** Replace the per-tick program. */
  program(ops: readonly ExporterOp[]): Promise<void>;
  /** Apply ops once, now. */
  once(ops: readonly ExporterOp[]): Promise<void>;
}

async function post(port: number, path: string, body: unknown): Promise<void> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`exporter ${port}${path}: ${r.status} ${await r.text()}`);
}

/** Starts an exporter of `metrics` whose program runs every `tickMs`; resolves once it listens. */
export async function startExporter(
  procs: Processes,
  metrics: readonly MetricSpec[],
  program: readonly ExporterOp[],
  tickMs = 250,
): Promise<Exporter> {
  const script = resolve(import.meta.dirname, "exporter.mjs");
  const child = procs.track(
    spawn(process.execPath, [script, JSON.stringify({ metrics, program, tickMs })], { stdio: ["ignore", "pipe", "pipe"] }),
  );
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const port = await new Promise<number>((res, rej) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (l) => res((JSON.parse(l) as { port: number }).port));
    child.once("exit", (code) => rej(new Error(`exporter exited (${code}): ${stderr}`)));
  });
  return { port, child, program: (ops) => post(port, "/program", ops), once: (ops) => post(port, "/once", ops) };
}

export interface PrometheusServer {
  readonly url: string;
  readonly child: ChildProcess;
  readonly log: () => string;
}

/** Starts Prometheus on a free 127.0.0.1 port with `configFile`; resolves once /-/ready answers. */
export async function startPrometheus(
  procs: Processes,
  configFile: string,
  dataDir: string,
  timeoutMs = 30_000,
): Promise<PrometheusServer> {
  const port = await freePort();
  const child = procs.track(
    spawn(
      "prometheus",
      [`--config.file=${configFile}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    ),
  );
  let log = "";
  child.stderr!.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}): ${log}`);
    const r = await fetch(`${url}/-/ready`);
    if (!r.ok) throw new Error(`not ready: ${r.status}`);
  }, timeoutMs);
  return { url, child, log: () => log };
}

export interface Sample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

/** An instant query over the HTTP API; values parsed ("NaN" becomes NaN). */
export async function query(url: string, expr: string): Promise<Sample[]> {
  const r = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  const body = (await r.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== "success") throw new Error(`query failed (${body.error}): ${expr}`);
  if (body.data!.resultType !== "vector") throw new Error(`expected a vector from ${expr}, got ${body.data!.resultType}`);
  return body.data!.result.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
}

/**
 * Retries `check` every 250 ms until it passes or `timeoutMs` runs out, then throws its last
 * error: waits on the condition itself, never on a fixed sleep.
 */
export async function waitFor<T>(check: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw last;
    await new Promise((r) => setTimeout(r, 250));
  }
}
