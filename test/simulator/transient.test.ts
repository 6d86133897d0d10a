/**
 * The simulator's queue dynamics against an independent request-level discrete-event simulation
 * (test/helpers/des.ts: seeded M/G/c pods behind random routing, replicated). Tolerances are
 * stated per check; the fluid approximation is a mean-value model, so its queue is compared with
 * the DES mean and its p95 with the p95 of the pooled DES requests.
 */
import { describe, expect, it } from "vitest";
import { histogramQuantile } from "../../simulator/metrics-pipeline.js";
import { PodGroups } from "../../simulator/pod-groups.js";
import { simulate } from "../../simulator/run.js";
import { ServiceTable } from "../../simulator/service-model.js";
import { loadScenario, parseScenarioJson } from "../../simulator/scenarios.js";
import { envConfig } from "../helpers/env.js";
import { replicate, sampleQuantile } from "../helpers/des.js";
import { pinnedHpa, scaledObjectModel } from "../helpers/sim.js";

const prod = envConfig("prod");
// prod's pod as the simulator runs it: CPU-bound at 40 req/s = 5 slots of 0.125 s, CV 1
const POD = { servers: 5, serviceTimeSeconds: 0.125, serviceTimeCv: 1 };

const pinned = (n: number) => pinnedHpa(prod, n);

const within = (actual: number, expected: number, rel: number) => {
  expect(Math.abs(actual - expected) / expected, `${actual} vs ${expected} (±${rel * 100} %)`).toBeLessThanOrEqual(rel);
};

describe("prod's spike on three pinned pods (the issue's checkpoint t = 307 s)", () => {
  const spike = loadScenario("spike");
  const sim = simulate({ config: prod, model: pinned(3), scenario: spike, label: "pinned" }).timeline;
  const des = replicate({ rps: spike.load.slice(0, 330), readyAt: [-1, -1, -1], ...POD }, 100);

  it("the queue builds up as the DES's does: ≈ 21 waiting at 307 s (±35 %), not the saturated 301", () => {
    within(sim.queue[307]!, des.meanWaiting[307]!, 0.35);
    expect(sim.queue[307]).toBeLessThan(40);
    // and it keeps tracking while the overload deepens
    for (const t of [305, 310, 320]) within(sim.queue[t]!, des.meanWaiting[t]!, 0.35);
  });

  it("the p95 of the requests arriving at 307 s is ≈ 0.9 s (±35 %), not 7.65 s", () => {
    const p95 = sampleQuantile(des.arrivalsBetween(307, 308), 0.95);
    within(sim.latency[307]!, p95, 0.35);
    expect(sim.latency[307]).toBeLessThan(1.5);
  });
});

describe("overload and recovery on one pod", () => {
  // 60 req/s for 40 s into a 40 req/s pod, then 20 req/s: the backlog builds and drains
  const scenario = parseScenarioJson(
    '{"unit":"rps","points":[[0,20],[60,60],[100,20]],"interpolation":"step","durationSeconds":220}',
    "bump",
  );
  const sim = simulate({ config: prod, model: pinned(1), scenario, label: "pinned" }).timeline;
  const des = replicate({ rps: scenario.load, readyAt: [-1], ...POD }, 60);

  it("queue within ±20 % (or 5 requests) of the DES mean while it builds and while it drains", () => {
    for (const t of [65, 70, 80, 99, 110, 130, 150]) {
      const d = des.meanWaiting[t]!;
      expect(Math.abs(sim.queue[t]! - d), `t=${t}: ${sim.queue[t]} vs ${d}`).toBeLessThanOrEqual(Math.max(5, 0.2 * d));
    }
    // drained: the DES and the simulator agree it is empty again within a minute of the load dropping
    expect(sim.queue[200]).toBeLessThan(2);
    expect(des.meanWaiting[200]).toBeLessThan(2);
  });
});

describe("recovery when new pods join an overloaded service", () => {
  // one pod flooded at 70 req/s for 60 s builds a backlog; at 60 s three more pods become ready and
  // the load drops to 60 req/s: queued requests stay on the first pod (connections do not move),
  // which drains at its own capacity while the new pods start empty
  const scenario = parseScenarioJson('{"unit":"rps","points":[[0,70],[60,60]],"interpolation":"step","durationSeconds":200}', "join");
  const des = replicate({ rps: scenario.load, readyAt: [-1, 60, 60, 60], ...POD }, 60);

  it("the backlog drains at the first pod's spare capacity, as in the DES (±25 % or 10 requests)", () => {
    const tl = simulateJoin(scenario.load);
    for (const t of [60, 80, 100, 120, 140]) {
      const d = des.meanWaiting[t]!;
      expect(Math.abs(tl[t]! - d), `t=${t}: ${tl[t]} vs ${d}`).toBeLessThanOrEqual(Math.max(10, 0.25 * d));
    }
  });
});

/** Requests waiting over time for 1 pod until t = 60, then 4 (three new, empty), through PodGroups. */
function simulateJoin(rps: Float64Array): Float64Array {
  const table = new ServiceTable(POD, 0.95, [0.5], 60);
  const groups = new PodGroups(table, 1, 60);
  const out = new Float64Array(rps.length);
  for (let t = 0; t < rps.length; t++) {
    groups.resize(t < 60 ? 1 : 4);
    out[t] = groups.advance(t, rps[t]!).queue;
  }
  return out;
}

describe("the histogram observes a request when it completes", () => {
  // the latency trigger of prod's ScaledObject on three pinned pods: what KEDA reads mid-spike
  const so = scaledObjectModel(prod, {
    minReplicaCount: 3,
    maxReplicaCount: 3,
    triggers: [
      {
        type: "prometheus",
        metricType: "Value",
        metadata: {
          query:
            'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="ml-serving-prod",job="inference"}[2m])))',
          threshold: "0.5",
        },
      },
    ],
  });
  const spike = loadScenario("spike");
  const sim = simulate({ config: prod, model: so, scenario: spike, label: "keda" }).timeline;
  const des = replicate({ rps: spike.load.slice(0, 480), readyAt: [-1, -1, -1], ...POD }, 40);
  const bounds = [...prod.service.metrics.metrics.find((m) => m.name === "http_request_duration_seconds")!.buckets!, Infinity];
  const desHistogramP95 = (from: number, to: number) => {
    const xs = des.completionsBetween(from, to);
    const cum = bounds.map((b) => xs.filter((x) => x <= b).length);
    return histogramQuantile(0.95, bounds, cum);
  };

  it("the 2-minute p95 KEDA reads as the overload starts matches the DES histogram of completed requests (±35 %): 4.7 s vs 4.2 s at 330 s, where recording at arrival reads 19 s", () => {
    // Prometheus scrapes at offset + k·interval; rate() over [2m] runs from the oldest to the newest sample in the window
    const scrape = prod.monitoring.scrapeIntervalSeconds;
    const offset = Math.floor(scrape / 2);
    const newest = (t: number) => t - ((((t - offset) % scrape) + scrape) % scrape);
    for (const t of [330, 345, 360]) {
      const to = newest(t);
      let from = to;
      while (from - scrape > t - 120) from -= scrape;
      within(sim.metricValues[0]![t]!, desHistogramP95(from, to), 0.35);
    }
  });
});
