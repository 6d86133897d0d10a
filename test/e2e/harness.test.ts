/**
 * Pieces of `npm run e2e` that need no cluster: the pod faker's rounds (one bad pod does not stall
 * the others) and how long the baseline must hold before the timeline starts.
 */
import { describe, expect, it } from "vitest";
import { PodFaker } from "./lib/pod-faker.js";
import type { Kube } from "./lib/kube.js";
import { hpaProposals, LOAD_END_AT, outageStartSeconds, prodConfig, scenarioJson, settleSeconds } from "./prod.js";
import { parseScenarioJson } from "../../simulator/scenarios.js";
import { durationSeconds } from "../../promql/metrics.js";
import { waitFor } from "./lib/kube.js";

const pod = (name: string, nodeName?: string) => ({
  metadata: { namespace: "ns", name, uid: `uid-${name}`, labels: { app: "x" } },
  spec: {
    ...(nodeName ? { nodeName } : {}),
    containers: [{ name: "c", image: "i", resources: { requests: { cpu: "1", memory: "1Gi" } } }],
  },
  status: {},
});

/** A Kube that serves a fixed pod list and refuses every write to pod `bad`. */
function fakeKube(pods: any[]): { kube: Kube; writes: string[] } {
  const writes: string[] = [];
  const kube = {
    apply: async () => ({}),
    get: async (path: string) => {
      if (path === "/api/v1/pods") return { items: pods };
      throw new Error(`unexpected GET ${path}`);
    },
    request: async (method: string, path: string) => {
      writes.push(`${method} ${path}`);
      if (path.includes("/pods/bad")) throw new Error("409 Conflict: the object has been modified");
      return {};
    },
  };
  return { kube: kube as unknown as Kube, writes };
}

describe("PodFaker", () => {
  it("marks the other pods Running and Ready when one pod's write fails, and logs that pod", async () => {
    const { kube, writes } = fakeKube([pod("bad"), pod("a", "e2e-node-0"), pod("b", "e2e-node-0")]);
    const lines: string[] = [];
    const faker = new PodFaker(kube, { readyAfterSeconds: () => 0, log: (l) => lines.push(l) });
    await faker.start();
    try {
      const pods = await waitFor("a round", 10_000, async () => (faker.pods().length ? faker.pods() : undefined), { intervalMs: 20 });
      expect(pods.map((p) => `${p.name}:${p.ready}`).sort()).toEqual(["a:true", "b:true"]);
      expect(writes).toContain("PATCH /api/v1/namespaces/ns/pods/a/status");
      expect(writes).toContain("PATCH /api/v1/namespaces/ns/pods/b/status");
      expect(lines.some((l) => l.includes("ns/bad") && l.includes("409 Conflict"))).toBe(true);
      expect(() => faker.check()).not.toThrow();
    } finally {
      await faker.stop();
    }
  });
});

describe("settleSeconds", () => {
  const behavior = {
    scaleDown: { stabilizationWindowSeconds: 300 },
    scaleUp: {
      stabilizationWindowSeconds: 60,
      policies: [
        { type: "Pods", value: 2, periodSeconds: 30 },
        { type: "Percent", value: 50, periodSeconds: 30 },
      ],
    },
  };
  const opts = { minReplicas: 3, queryWindowSeconds: 120, scrapeSeconds: 15, syncSeconds: 15 };
  it("above minReplicas: the whole downscale stabilization window, plus a sync", () => {
    expect(settleSeconds(behavior, { ...opts, replicas: 10 })).toBe(315);
  });
  it("at minReplicas: what the first scale-up reads (upscale window, policy periods, a full rate window), plus a sync", () => {
    expect(settleSeconds(behavior, { ...opts, replicas: 3 })).toBe(150);
    expect(settleSeconds({ ...behavior, scaleUp: { stabilizationWindowSeconds: 240 } }, { ...opts, replicas: 3 })).toBe(255);
  });
  it("at an active cron trigger's replicas (above minReplicas): nothing goes lower, so the at-the-floor hold", () => {
    expect(settleSeconds(behavior, { ...opts, replicas: 6, floor: 6 })).toBe(150);
    expect(settleSeconds(behavior, { ...opts, replicas: 7, floor: 6 })).toBe(315);
    // a floor below minReplicas (the cron outside its window answers 0) is minReplicas
    expect(settleSeconds(behavior, { ...opts, replicas: 4, floor: 0 })).toBe(315);
  });
  it("without a behavior: the controller's default downscale window", () => {
    expect(settleSeconds(undefined, { ...opts, replicas: 4 })).toBe(315);
  });
});

describe("the e2e-spike timeline", () => {
  it("stops the scrapes once every trigger's rate window holds only the load after its end, plus a scrape and a sync", () => {
    const c = prodConfig();
    const start = outageStartSeconds({
      queryWindowSeconds: durationSeconds(c.monitoring.queryWindow),
      scrapeSeconds: c.monitoring.scrapeIntervalSeconds,
      syncSeconds: 15,
    });
    expect(start).toBe(LOAD_END_AT + durationSeconds(c.monitoring.queryWindow) + c.monitoring.scrapeIntervalSeconds + 15);
  });
  it("is a scenario the simulator accepts, ending with the outage as played", () => {
    const sc = parseScenarioJson(JSON.stringify(scenarioJson("mon 10:00:00", { start: 450, end: 801 })), "e2e-spike");
    expect(sc.prometheusOutages).toEqual([{ startSeconds: 450, endSeconds: 801 }]);
    expect(sc.load.length).toBe(801);
    expect(sc.load[LOAD_END_AT - 31]).toBe(400);
    expect(sc.load[LOAD_END_AT]).toBe(50);
  });
});

describe("hpaProposals", () => {
  const ext = (name: string, target: Record<string, string>) => ({ type: "External", external: { metric: { name }, target } });
  const hpa = {
    spec: {
      metrics: [
        {
          type: "ContainerResource",
          containerResource: { name: "cpu", container: "server", target: { type: "Utilization", averageUtilization: 85 } },
        },
        ext("s0-prometheus", { type: "Value", value: "500m" }),
        ext("s4-cron", { type: "AverageValue", averageValue: "1" }),
        ext("s5-prometheus", { type: "AverageValue", averageValue: "5600m" }),
      ],
    },
    status: {
      currentReplicas: 20,
      currentMetrics: [
        { type: "ContainerResource", containerResource: { name: "cpu", container: "server", current: { averageUtilization: 12 } } },
        { type: "External", external: { metric: { name: "s0-prometheus" }, current: { value: "30" } } },
        { type: "External", external: { metric: { name: "s4-cron" }, current: { averageValue: "300m" } } },
        { type: "External", external: { metric: { name: "s5-prometheus" }, current: { averageValue: "313m" } } },
      ],
    },
  };
  it("computes each metric's replicas as the HPA controller does (seen at t=450 s of a real run: p95 still 30 s)", () => {
    expect(hpaProposals(hpa, 20)).toEqual([
      { name: "cpu", replicas: 3 }, // ceil(20 × 12 / 85)
      { name: "s0-prometheus", replicas: 1200 }, // ceil(20 × 30 / 0.5)
      { name: "s4-cron", replicas: 6 }, // the cron's 6 replicas, served as 0.3 per pod of 20
      { name: "s5-prometheus", replicas: 2 }, // ceil(0.313 × 20 / 5.6)
    ]);
  });
  it("leaves a metric the HPA could not read undefined", () => {
    const partial = { ...hpa, status: { ...hpa.status, currentMetrics: hpa.status.currentMetrics.slice(0, 1) } };
    expect(hpaProposals(partial, 20).map((p) => p.replicas)).toEqual([3, undefined, undefined, undefined]);
  });
});
