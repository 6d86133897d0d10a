// The scrape timeout Prometheus gets: 10 s, capped at the interval. Prometheus refuses a job whose
// scrape_timeout exceeds its scrape_interval, so under 10 s the timeout is the interval itself.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { stackFor } from "../helpers/env.js";

const expected = (interval: number) => `${Math.min(interval, 10)}s`;

describe("scrape timeout = min(interval, 10 s)", () => {
  it.each([1, 5, 9, 10, 11, 30])("plain Prometheus pod job (dev) at %i s", (interval) => {
    const stack = stackFor("dev", { monitoring: { scrapeIntervalSeconds: interval, queryWindow: "5m" } });
    const file = stack.extraFiles.find((f) => f.path === "prometheus/scrape-config.yaml")!;
    const [job] = parse(file.content()).scrape_configs;
    expect(job.scrape_interval).toBe(`${interval}s`);
    expect(job.scrape_timeout).toBe(expected(interval));
  });

  it.each([5, 10, 30])("ServiceMonitor (staging) at %i s", (interval) => {
    const stack = stackFor("staging", { monitoring: { scrapeIntervalSeconds: interval, queryWindow: "5m" } });
    const sm = stack.objects().find((o: any) => o.kind === "ServiceMonitor" && o.metadata.name === "inference") as any;
    expect(sm.spec.endpoints[0].scrapeTimeout).toBe(expected(interval));
  });
});
