// A small metrics exporter that exposes a metric contract the way Python's prometheus_client does,
// for the live Prometheus test (test/live/prometheus.test.ts). Plain Node, no dependencies.
//
// - Labelled series exist only after their first use (`.labels(...)`), as in prometheus_client;
//   `init` ops create them at 0 without traffic (what the contract asks services to do at start-up).
// - Numbers print as Python floats (`12.0`), bucket bounds as `floatToGoString` (`1.0`, `0.35`, `+Inf`);
//   every counter and histogram child also exposes its `_created` sample.
// - Traffic is a program of ops applied every `tickMs`; the test changes it over HTTP (POST /program).
//
// Usage: node exporter.mjs '<json {metrics, tickMs, program}>'. Listens on 127.0.0.1 (random port)
// and prints {"port": N} as its first stdout line. Stops on SIGTERM.
import { createServer } from "node:http";

const spec = JSON.parse(process.argv[2] ?? "{}");
const defs = new Map(spec.metrics.map((m) => [m.name, m]));
/** name → Map(labelKey → child). A child: { labels, value } or, for histograms, { labels, buckets[], count, sum }. */
const children = new Map(spec.metrics.map((m) => [m.name, new Map()]));
const created = Date.now() / 1000;
let program = spec.program ?? [];

function child(name, labels) {
  const def = defs.get(name);
  if (!def) throw new Error(`metric ${name} is not in the contract`);
  const values = def.labels.map((l) => {
    if (labels[l] === undefined) throw new Error(`${name}: missing label ${l}`);
    return String(labels[l]);
  });
  const key = JSON.stringify(values);
  let c = children.get(name).get(key);
  if (!c) {
    c = def.type === "histogram" ? { values, buckets: def.buckets.map(() => 0), count: 0, sum: 0 } : { values, value: 0 };
    children.get(name).set(key, c);
  }
  return c;
}

/** One op: {op: "init"|"inc"|"set"|"observe", metric, labels, value?, count?}. */
function apply(o) {
  const c = child(o.metric, o.labels);
  const def = defs.get(o.metric);
  if (o.op === "inc") c.value += o.value ?? 1;
  else if (o.op === "set") c.value = o.value;
  else if (o.op === "observe") {
    const n = o.count ?? 1;
    def.buckets.forEach((b, i) => {
      if (o.value <= b) c.buckets[i] += n;
    });
    c.count += n;
    c.sum += n * o.value;
  }
}

function pyFloat(v) {
  if (v === Infinity) return "+Inf";
  if (Number.isInteger(v)) return `${v}.0`;
  return String(v);
}

function labelText(names, values, extra = []) {
  const parts = names.map((n, i) => `${n}="${values[i].replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).concat(extra);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function exposition() {
  const out = [];
  for (const def of spec.metrics) {
    const kids = [...children.get(def.name).values()];
    const base = def.type === "counter" ? def.name.replace(/_total$/, "") : def.name;
    out.push(
      `# HELP ${def.type === "counter" ? `${base}_total` : def.name} ${def.help ?? def.name}`,
      `# TYPE ${def.type === "counter" ? `${base}_total` : def.name} ${def.type}`,
    );
    for (const c of kids) {
      const l = (extra) => labelText(def.labels, c.values, extra);
      if (def.type === "histogram") {
        def.buckets.forEach((b, i) => out.push(`${def.name}_bucket${l([`le="${pyFloat(b)}"`])} ${pyFloat(c.buckets[i])}`));
        out.push(
          `${def.name}_bucket${l(['le="+Inf"'])} ${pyFloat(c.count)}`,
          `${def.name}_count${l()} ${pyFloat(c.count)}`,
          `${def.name}_sum${l()} ${pyFloat(c.sum)}`,
        );
      } else {
        out.push(`${def.name}${l()} ${pyFloat(c.value)}`);
      }
    }
    if (def.type !== "gauge" && kids.length) {
      out.push(`# HELP ${base}_created ${def.help ?? def.name}`, `# TYPE ${base}_created gauge`);
      for (const c of kids) out.push(`${base}_created${labelText(def.labels, c.values)} ${created}`);
    }
  }
  return `${out.join("\n")}\n`;
}

const timer = setInterval(() => {
  for (const o of program) apply(o);
}, spec.tickMs ?? 250);

const server = createServer((req, res) => {
  if (req.method === "GET" && req.url === "/metrics") {
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
    res.end(exposition());
    return;
  }
  if (req.method === "POST" && (req.url === "/program" || req.url === "/once")) {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      try {
        const ops = JSON.parse(body);
        if (req.url === "/program") program = ops;
        else ops.forEach(apply);
        res.writeHead(204).end();
      } catch (e) {
        res.writeHead(400).end(String(e));
      }
    });
    return;
  }
  res.writeHead(404).end();
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on("SIGTERM", () => {
  clearInterval(timer);
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
});
