/**
 * The pod queueing model against closed-form textbook values worked out by hand (M/M/1, M/M/c,
 * M/D/1 and M/G/1 via Pollaczek–Khinchine), the special functions, and the env-derived pod.
 */
import { describe, expect, it } from "vitest";
import {
  erlangC,
  lowerRegularizedGamma,
  lnGamma,
  podProfile,
  podSteadyState,
  responseTimeCdf,
  responseTimeQuantile,
  serviceTimeCdf,
  ServiceTable,
  SATURATION_UTILIZATION,
} from "../../simulator/service-model.js";
import { envConfig } from "../helpers/env.js";

const mm1 = { servers: 1, serviceTimeSeconds: 0.1, serviceTimeCv: 1 }; // μ = 10/s

describe("special functions", () => {
  it("lnGamma matches factorials and Γ(1/2) = √π", () => {
    expect(lnGamma(1)).toBeCloseTo(0, 12);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(11)).toBeCloseTo(Math.log(3628800), 10);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });

  it("P(1, x) = 1 − e^−x and P(2, x) = 1 − e^−x (1 + x)", () => {
    for (const x of [0.01, 0.5, 3, 10, 40]) {
      expect(lowerRegularizedGamma(1, x)).toBeCloseTo(1 - Math.exp(-x), 12);
      expect(lowerRegularizedGamma(2, x)).toBeCloseTo(1 - Math.exp(-x) * (1 + x), 12);
    }
    // P(1/2, x) = erf(√x); erf(1) = 0.8427007929497149
    expect(lowerRegularizedGamma(0.5, 1)).toBeCloseTo(0.8427007929497149, 10);
  });
});

describe("Erlang C and Allen–Cunneen", () => {
  it("M/M/2 with a = 1.5: C = 4.5 / (2.5 + 4.5) = 9/14 (by hand)", () => {
    // Σ_{n<c} aⁿ/n! = 1 + 1.5 = 2.5; a^c/c! · 1/(1−ρ) = 1.125 / 0.25 = 4.5
    expect(erlangC(2, 1.5)).toBeCloseTo(9 / 14, 12);
  });

  it("M/M/3 with λ = 2, μ = 1: C = 4/9, Wq = C / (cμ − λ) = 4/9 s", () => {
    // Σ_{n<3} 2ⁿ/n! = 5; 2³/3! · 1/(1 − 2/3) = 4; C = 4/9
    const ss = podSteadyState({ servers: 3, serviceTimeSeconds: 1, serviceTimeCv: 1 }, 2);
    expect(ss.waitProbability).toBeCloseTo(4 / 9, 12);
    expect(ss.meanWaitSeconds).toBeCloseTo(4 / 9, 12);
    expect(ss.meanQueueLength).toBeCloseTo(8 / 9, 12); // Little: λ·Wq
    expect(ss.utilization).toBeCloseTo(2 / 3, 12);
  });

  it("M/M/1: C = ρ and Wq = ρ / (μ − λ)", () => {
    const ss = podSteadyState(mm1, 8);
    expect(ss.waitProbability).toBeCloseTo(0.8, 12);
    expect(ss.meanWaitSeconds).toBeCloseTo(0.4, 12);
    expect(ss.meanResponseSeconds).toBeCloseTo(0.5, 12); // 1 / (μ − λ)
  });

  it("c = 1 reduces to Pollaczek–Khinchine: M/D/1 Wq = ρS / 2(1−ρ), M/G/1 with CV 2: Wq = 2.5 ρ/(μ−λ)", () => {
    // S = 0.1, λ = 5, ρ = 0.5
    expect(podSteadyState({ servers: 1, serviceTimeSeconds: 0.1, serviceTimeCv: 0 }, 5).meanWaitSeconds).toBeCloseTo(0.05, 12);
    expect(podSteadyState({ servers: 1, serviceTimeSeconds: 0.1, serviceTimeCv: 2 }, 5).meanWaitSeconds).toBeCloseTo(0.25, 12);
  });

  it("refuses a load at or above capacity", () => {
    expect(() => podSteadyState(mm1, 10)).toThrow(/capacity/);
  });
});

describe("response-time distribution", () => {
  it("M/M/1 response time is exponential with rate μ − λ: p95 = ln 20 / 2 = 1.4979 s", () => {
    expect(responseTimeQuantile(mm1, 8, 0.95)).toBeCloseTo(Math.log(20) / 2, 9);
    expect(responseTimeQuantile(mm1, 8, 0.95)).toBeCloseTo(1.497866, 5);
    for (const t of [0.1, 0.7, 2]) expect(responseTimeCdf(mm1, 8, t)).toBeCloseTo(1 - Math.exp(-2 * t), 10);
  });

  it("M/M/c response-time tail matches the textbook formula (c = 2, μ = 1, λ = 1.5)", () => {
    // P(T > t) = e^{−μt} [1 + C μ / ((c−1)μ − λ) · (1 − e^{−((c−1)μ−λ) t})], C = 9/14
    const p = { servers: 2, serviceTimeSeconds: 1, serviceTimeCv: 1 };
    const C = 9 / 14;
    const d = 1 - 1.5;
    for (const t of [0.5, 1, 3, 7]) {
      const tail = Math.exp(-t) * (1 + (C / d) * (1 - Math.exp(-d * t)));
      expect(1 - responseTimeCdf(p, 1.5, t)).toBeCloseTo(tail, 10);
    }
    // worked by hand at t = 1: e^{-1} (1 + 1.285714 · 0.648721) = 0.674717
    expect(1 - responseTimeCdf(p, 1.5, 1)).toBeCloseTo(0.674717, 5);
  });

  it("M/D/c: the quantile is the service time while P(wait) < 1 − q, else S + ln(C/(1−q))/θ", () => {
    const p = { servers: 4, serviceTimeSeconds: 0.2, serviceTimeCv: 0 };
    expect(responseTimeQuantile(p, 2, 0.95)).toBe(0.2); // a = 0.4: C ≪ 5 %
    const ss = podSteadyState(p, 19); // a = 3.8: C large
    const theta = (4 / 0.2 - 19) / 0.5;
    expect(responseTimeQuantile(p, 19, 0.95)).toBeCloseTo(0.2 + Math.log(ss.waitProbability / 0.05) / theta, 12);
  });

  it("without queueing the quantile is the service-time quantile (exponential: S · ln 20)", () => {
    const p = { servers: 64, serviceTimeSeconds: 0.12, serviceTimeCv: 1 };
    expect(responseTimeQuantile(p, 0.001, 0.95)).toBeCloseTo(0.12 * Math.log(20), 6);
  });

  it("the CDF is a distribution and the quantile inverts it, for CV 0.3, 1 and 2", () => {
    for (const cv of [0.3, 1, 2]) {
      const p = { servers: 8, serviceTimeSeconds: 0.12, serviceTimeCv: cv };
      let prev = 0;
      for (let t = 0; t <= 5; t += 0.05) {
        const f = responseTimeCdf(p, 60, t);
        expect(f).toBeGreaterThanOrEqual(prev - 1e-12);
        expect(f).toBeLessThanOrEqual(1);
        prev = f;
      }
      const q = responseTimeQuantile(p, 60, 0.95);
      expect(responseTimeCdf(p, 60, q)).toBeCloseTo(0.95, 8);
      // queueing only adds latency
      expect(responseTimeCdf(p, 60, q)).toBeLessThanOrEqual(serviceTimeCdf(p, q) + 1e-12);
    }
  });
});

describe("ServiceTable", () => {
  const p = { servers: 5, serviceTimeSeconds: 0.125, serviceTimeCv: 1 };
  const points = [0.1, 0.35, 0.5, 1, 5];
  const table = new ServiceTable(p, 0.95, points);
  const row = table.newRow();

  it("interpolates the exact model within 0.5 % below saturation", () => {
    expect(table.capacity).toBeCloseTo(40, 12);
    for (const rho of [0, 0.1, 0.42, 0.7, 0.9, 0.97]) {
      table.lookup(rho, 0, row);
      const lambda = rho * 40;
      const exact = responseTimeQuantile(p, lambda, 0.95);
      expect(Math.abs(row.quantile - exact) / exact).toBeLessThan(0.005);
      for (const [j, b] of points.entries()) expect(row.cdf[j]).toBeCloseTo(responseTimeCdf(p, lambda, b), 3);
      expect(row.busySlots).toBeCloseTo(lambda * 0.125, 6);
    }
  });

  it("at saturation adds the backlog delay to the quantile and shifts the CDF", () => {
    table.lookup(1.5, 0, row);
    const sat = row.quantile;
    expect(sat).toBeCloseTo(responseTimeQuantile(p, SATURATION_UTILIZATION * 40, 0.95), 3);
    table.lookup(SATURATION_UTILIZATION, 2, row);
    expect(row.quantile).toBeCloseTo(sat + 2, 9);
    expect(row.cdf[3]).toBe(0); // 1 s < 2 s delay: nobody is that fast
    expect(row.cdf[4]).toBeCloseTo(responseTimeCdf(p, SATURATION_UTILIZATION * 40, 3), 3);
  });
});

describe("podProfile (from the env config)", () => {
  it("prod: 4 × 2 slots, CPU-bound at limit 4 / 0.1 CPU-s = 40 req/s → 5 slots of 0.125 s", () => {
    const pod = podProfile(envConfig("prod"));
    expect(pod.configuredSlots).toBe(8);
    expect(pod.cpuBound).toBe(true);
    expect(pod.capacityRps).toBeCloseTo(40, 12);
    expect(pod.queue).toEqual({ servers: 5, serviceTimeSeconds: 0.125, serviceTimeCv: 1 });
    expect(pod.cpuRequestCores).toBe(2);
    expect(pod.memoryRequestBytes).toBe(4 * 2 ** 30);
    expect(pod.startupSeconds).toBe(90);
  });

  it("without a CPU limit the slots bound the capacity", () => {
    const pod = podProfile(envConfig("prod", { service: { resources: { limits: { cpu: undefined, memory: "4Gi" } } } }));
    expect(pod.cpuBound).toBe(false);
    expect(pod.queue).toEqual({ servers: 8, serviceTimeSeconds: 0.12, serviceTimeCv: 1 });
    expect(pod.capacityRps).toBeCloseTo(8 / 0.12, 12);
  });

  it("reads config.simulation", () => {
    const pod = podProfile(
      envConfig("staging", {
        simulation: {
          serviceTimeSeconds: 0.05,
          serviceTimeCv: 0.5,
          cpuSecondsPerRequest: 0.01,
          podStartupSeconds: 30,
          requestsPerUserPerSecond: 2,
        },
      }),
    );
    expect(pod.queue).toEqual({ servers: 4, serviceTimeSeconds: 0.05, serviceTimeCv: 0.5 });
    expect(pod.startupSeconds).toBe(30);
    expect(pod.requestsPerUserPerSecond).toBe(2);
  });
});
