/**
 * The seeds' credentials: prod's queue-worker ScaledObject against a real RabbitMQ (Debian's
 * rabbitmq-server on 127.0.0.1, own data dir and ports, started and stopped by the harness). The
 * connection string reaches KEDA only through TriggerAuthentication → Secret (the Secret is made
 * here, as an operator would); publishing messages to the queue scales the workers; no credential
 * appears in a rendered object, in the objects as the API server stores them, or in KEDA's logs.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync, readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { ControlPlane } from "./lib/control-plane.js";
import { waitFor } from "./lib/kube.js";
import { distDir, distObjects } from "./lib/dist.js";
import type { Check } from "./prod.js";

export const RABBITMQ_PORTS = { amqp: 5672, management: 15672, dist: 25672, epmd: 4369 } as const;
const WORKER = "embedding-worker";

export interface QueueResult {
  readonly checks: Check[];
  readonly report: string[];
}

export async function runQueueWorkers(
  cp: ControlPlane,
  log: (l: string) => void,
  opts: { workDir: string; prodNamespace: string },
): Promise<QueueResult> {
  const checks: Check[] = [];
  const report: string[] = [];
  const check = (name: string, ok: boolean, detail: string) => {
    checks.push({ name, ok, detail });
    log(`${ok ? "PASS" : "FAIL"} ${name}: ${detail}`);
  };
  const { kube } = cp;
  const ns = opts.prodNamespace;
  const so = distObjects("prod").find((o) => o.kind === "ScaledObject" && o.metadata.name === WORKER) as any;
  const trigger = (so.spec.triggers as any[]).find((t) => t.type === "rabbitmq");
  const auth = distObjects("prod").find(
    (o) => o.kind === "TriggerAuthentication" && o.metadata.name === trigger.authenticationRef.name,
  ) as any;
  const secretRef = (auth.spec.secretTargetRef as any[]).find((r) => r.parameter === "host");

  // RabbitMQ, its own everything, loopback only
  const base = join(opts.workDir, "rabbitmq");
  mkdirSync(base, { recursive: true });
  writeFileSync(join(base, "enabled_plugins"), "[rabbitmq_management].\n");
  writeFileSync(
    join(base, "rabbitmq.conf"),
    [
      `listeners.tcp.default = 127.0.0.1:${RABBITMQ_PORTS.amqp}`,
      `management.tcp.ip = 127.0.0.1`,
      `management.tcp.port = ${RABBITMQ_PORTS.management}`,
      "loopback_users = none",
      "log.console = true",
      "log.file = false",
    ].join("\n") + "\n",
  );
  const env = {
    HOME: base,
    RABBITMQ_HOME: "/usr/lib/rabbitmq",
    RABBITMQ_NODENAME: "rabbit@localhost",
    RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
    RABBITMQ_NODE_PORT: String(RABBITMQ_PORTS.amqp),
    RABBITMQ_DIST_PORT: String(RABBITMQ_PORTS.dist),
    RABBITMQ_CONFIG_FILE: join(base, "rabbitmq.conf"),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(base, "enabled_plugins"),
    RABBITMQ_MNESIA_BASE: join(base, "mnesia"),
    RABBITMQ_LOG_BASE: join(base, "log"),
    RABBITMQ_CONF_ENV_FILE: join(base, "rabbitmq-env.conf"),
    // rabbitmq-server `exec`s erl (so the PID we stop is the broker's) when input is allowed or it
    // runs under systemd; only the latter keeps `-noinput`. With input allowed erl starts a shell on
    // stdin, reads EOF from /dev/null and the broker terminates at once.
    RUNNING_UNDER_SYSTEMD: "true",
    ERL_EPMD_ADDRESS: "127.0.0.1",
    ERL_EPMD_PORT: String(RABBITMQ_PORTS.epmd),
  };
  writeFileSync(env.RABBITMQ_CONF_ENV_FILE, "");
  const epmd = cp.processes.start("epmd", "epmd", ["-address", "127.0.0.1", "-port", String(RABBITMQ_PORTS.epmd)], { env });
  const broker = cp.processes.start("rabbitmq", "/usr/lib/rabbitmq/bin/rabbitmq-server", [], { env });
  const password = randomBytes(18).toString("base64url");
  const user = "e2e-worker";
  const mgmt = `http://127.0.0.1:${RABBITMQ_PORTS.management}/api`;
  const admin = "Basic " + Buffer.from("guest:guest").toString("base64");
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${mgmt}${path}`, {
      method,
      headers: { Authorization: admin, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  try {
    await waitFor("RabbitMQ management API", 180_000, async () => (await api("GET", "/overview").catch(() => undefined))?.ok === true, {
      check: () => cp.check(),
      intervalMs: 2000,
    });
    log(`rabbitmq ready (pid ${broker.pid}, amqp 127.0.0.1:${RABBITMQ_PORTS.amqp})`);
    const ok = async (r: Promise<Response>, what: string) => {
      const res = await r;
      if (!res.ok) throw new Error(`RabbitMQ ${what}: ${res.status} ${await res.text()}`);
    };
    await ok(api("PUT", `/users/${user}`, { password, tags: "" }), "add user");
    await ok(api("PUT", `/permissions/%2F/${user}`, { configure: ".*", write: ".*", read: ".*" }), "permissions");
    await ok(api("PUT", `/queues/%2F/${trigger.metadata.queueName}`, { durable: true }), "declare queue");

    // the Secret the TriggerAuthentication names: the only place the connection string lives
    const connection = `amqp://${user}:${password}@127.0.0.1:${RABBITMQ_PORTS.amqp}/`;
    await kube.apply({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: secretRef.name, namespace: ns },
      type: "Opaque",
      stringData: { [secretRef.key]: connection },
    });

    const soPath = `/apis/keda.sh/v1alpha1/namespaces/${ns}/scaledobjects/${WORKER}`;
    const deployPath = `/apis/apps/v1/namespaces/${ns}/deployments/${WORKER}`;
    const hpaPath = `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/keda-hpa-${WORKER}`;
    await waitFor(
      `ScaledObject ${WORKER} Ready`,
      240_000,
      async () => {
        const s = await kube.getOrUndefined<any>(soPath);
        return (s?.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");
      },
      { check: () => cp.check(), intervalMs: 2000 },
    );
    // settled: the HPA reads the queue (0 messages) and the replica count holds for 30 s
    let before = -1;
    let since = Date.now();
    await waitFor(
      `${WORKER}: HPA ScalingActive and replicas steady for 30 s`,
      300_000,
      async () => {
        const h = await kube.getOrUndefined<any>(hpaPath);
        const d = await kube.get<any>(deployPath);
        const active = (h?.status?.conditions ?? []).some((c: any) => c.type === "ScalingActive" && c.status === "True");
        if (d.spec.replicas !== before) {
          before = d.spec.replicas;
          since = Date.now();
        }
        return active && Date.now() - since >= 30_000;
      },
      { check: () => cp.check(), intervalMs: 2000 },
    );
    log(`${WORKER}: ${before} replicas before publishing`);

    // publish: value 20 per replica (QueueLength) → enough for maxReplicaCount
    const messages = Number(trigger.metadata.value) * so.spec.maxReplicaCount;
    const publishedAt = Date.now();
    for (let i = 0; i < messages; i++) {
      await ok(
        api("POST", "/exchanges/%2F/amq.default/publish", {
          properties: {},
          routing_key: trigger.metadata.queueName,
          payload: `job ${i}`,
          payload_encoding: "string",
        }),
        "publish",
      );
    }
    const scaled = await waitFor(
      `${WORKER} scales above ${before} replicas`,
      240_000,
      async () => {
        const d = await kube.get<any>(deployPath);
        return d.spec.replicas > before ? (d.spec.replicas as number) : undefined;
      },
      { check: () => cp.check(), intervalMs: 1000 },
    ).catch((e: Error) => e);
    const secs = Math.round((Date.now() - publishedAt) / 1000);
    check(
      "RabbitMQ: publishing scales the queue workers (connection string only via TriggerAuthentication → Secret)",
      typeof scaled === "number",
      typeof scaled === "number" ? `${messages} messages → ${before} → ${scaled} replicas in ${secs} s` : scaled.message,
    );
    report.push(
      "## Queue workers on a real RabbitMQ",
      "",
      `${messages} messages published to \`${trigger.metadata.queueName}\`: ${WORKER} ${before} → ${typeof scaled === "number" ? scaled : "no change"} replicas ${typeof scaled === "number" ? `after ${secs} s` : ""}.`,
      "",
    );

    // no credential anywhere but the Secret
    const leaks: string[] = [];
    const dir = distDir("prod");
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".yaml"))) {
      const text = readFileSync(join(dir, f), "utf8");
      if (/amqps?:\/\/[^\s"'@/]+:[^\s"'@/]+@/.test(text)) leaks.push(`dist/prod/${f} holds a connection string with credentials`);
    }
    for (const path of [soPath, `/apis/keda.sh/v1alpha1/namespaces/${ns}/triggerauthentications/${auth.metadata.name}`, deployPath]) {
      if (JSON.stringify(await kube.get(path)).includes(password)) leaks.push(`${path} (as stored) contains the password`);
    }
    for (const f of readdirSync(cp.logDir).filter((x) => x.startsWith("keda"))) {
      if (readFileSync(join(cp.logDir, f), "utf8").includes(password)) leaks.push(`${f} logs the password`);
    }
    check(
      "no credential in the rendered objects, the stored objects or KEDA's logs",
      leaks.length === 0,
      leaks.join("; ") || "password found only in the Secret",
    );
  } catch (e) {
    check("RabbitMQ queue-worker scenario", false, (e as Error).message);
  } finally {
    await cp.processes.stop(broker, 30_000);
    await cp.processes.stop(epmd);
    if (existsSync(base)) log("rabbitmq stopped");
  }
  return { checks, report };
}
