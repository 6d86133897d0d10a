// One fake inference pod's /metrics endpoint (one process per pod, on 127.0.0.1:<port>).
// The harness POSTs the pod's current counters and gauges to /state (JSON); Prometheus scrapes
// /metrics. Plain JavaScript so it starts fast under bare `node`.
//   node exporter.mjs <port> <bucket bounds, comma-separated>
import { createServer } from "node:http";

const port = Number(process.argv[2]);
const bounds = process.argv[3].split(",").map(Number);
let state = { buckets: bounds.map(() => 0), count: 0, sum: 0, requests: 0, errors: 0, inFlight: 0, queue: 0 };
const ep = 'endpoint="/predict"';

function render() {
  const lines = [
    "# TYPE http_request_duration_seconds histogram",
    ...bounds.map((b, i) => `http_request_duration_seconds_bucket{${ep},le="${b}"} ${state.buckets[i]}`),
    `http_request_duration_seconds_bucket{${ep},le="+Inf"} ${state.count}`,
    `http_request_duration_seconds_sum{${ep}} ${state.sum}`,
    `http_request_duration_seconds_count{${ep}} ${state.count}`,
    "# TYPE http_requests_total counter",
    `http_requests_total{${ep}} ${state.requests}`,
    "# TYPE http_request_errors_total counter",
    `http_request_errors_total{${ep}} ${state.errors}`,
    "# TYPE http_requests_in_flight gauge",
    `http_requests_in_flight{${ep}} ${state.inFlight}`,
    "# TYPE inference_queue_len gauge",
    `inference_queue_len ${state.queue}`,
  ];
  return lines.join("\n") + "\n";
}

const server = createServer((req, res) => {
  if (req.method === "POST" && req.url === "/state") {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      try {
        state = JSON.parse(body);
        res.writeHead(204).end();
      } catch (e) {
        res.writeHead(400).end(String(e));
      }
    });
    return;
  }
  if (req.url === "/metrics") {
    res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" }).end(render());
    return;
  }
  res.writeHead(404).end();
});
server.listen(port, "127.0.0.1");
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => server.close(() => process.exit(0)));
