/**
 * WAKEUP_SOURCE_NOT_SCRAPED and the wake-up source's rendered scrape: the wake-up
 * trigger selects `{namespace, job}` of its source, so some scrape must store the source's series
 * under exactly those labels. dev (plain Prometheus, whose chart's generic kubernetes-pods job is
 * off) renders a `traefik` job for k3d's Traefik; the check refuses a source nothing scrapes.
 */
import { describe, expect, it } from "vitest";
import { WakeUpScrapeJob } from "../../../constructs/wake-up-scrape-job.js";
import { podDiscoveryLabels, relabel } from "../../../scrape/relabeling.js";
import { runChecks, stackInput } from "../../../stacks/checks/index.js";
import { safeSelectors, matcherAccepts } from "../../../stacks/checks/promql.js";
import { wakeUpQuery } from "../../../stacks/scaling-signals.js";
import { stackFor } from "../../helpers/env.js";
import { type Problem } from "../../../problems/problem.js";

function wakeFindings(
  patch: Record<string, unknown> = {},
  drop?: (input: ReturnType<typeof stackInput>) => ReturnType<typeof stackInput>,
): Problem[] {
  const stack = stackFor("dev", patch);
  const input = stackInput(stack);
  return runChecks(drop ? drop(input) : input).filter((f) => f.code === "WAKEUP_SOURCE_NOT_SCRAPED");
}

describe("the wake-up source's scrape (dev)", () => {
  const stack = stackFor("dev");
  const job = stack.app.node.findAll().find((c): c is WakeUpScrapeJob => c instanceof WakeUpScrapeJob)!;

  it("dev renders a job named as scaling.wakeUp.source.job, in the scrape-config file and the prometheus chart's extraScrapeConfigs", () => {
    expect(job.job).toBe("traefik");
    expect(job.config.kubernetes_sd_configs).toEqual([{ role: "pod", namespaces: { names: ["kube-system"] } }]);
    const file = stack.extraFiles.find((f) => f.path === "prometheus/scrape-config.yaml")!.content();
    expect(file).toMatch(/- job_name: traefik\n/);
    expect(String(stack.helmValues["prometheus"]!.extraScrapeConfigs)).toMatch(/- job_name: traefik\n/);
    expect(String(stack.helmValues["prometheus"]!.extraScrapeConfigs)).toMatch(/- job_name: ml-serving-dev\/inference\n/);
  });

  it("a k3s Traefik pod (annotated prometheus.io/scrape, port 9100) gets the namespace/job labels the wake-up query selects; other pods are dropped", () => {
    const traefik = {
      name: "traefik-6d8f-abc",
      namespace: "kube-system",
      ip: "10.42.0.7",
      labels: { "app.kubernetes.io/name": "traefik" },
      annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "9100", "prometheus.io/path": "/metrics" },
      containerName: "traefik",
      port: { name: "web", number: 8000 },
    };
    const target = relabel({ job: job.job, __metrics_path__: "/metrics", ...podDiscoveryLabels(traefik) }, job.relabelRules)!;
    expect(target).toMatchObject({ job: "traefik", namespace: "kube-system", pod: "traefik-6d8f-abc", __address__: "10.42.0.7:9100" });
    const selectors = safeSelectors(wakeUpQuery(stack.config)!).filter((s) => s.metric);
    expect(selectors.length).toBeGreaterThan(0);
    for (const s of selectors) {
      for (const m of s.matchers.filter((x) => x.name === "job" || x.name === "namespace"))
        expect(matcherAccepts(m, target[m.name]!), `${s.metric} ${m.name}`).toBe(true);
    }
    expect(
      relabel({ job: job.job, ...podDiscoveryLabels({ ...traefik, labels: { "k8s-app": "kube-dns" } }) }, job.relabelRules),
    ).toBeUndefined();
    expect(relabel({ job: job.job, ...podDiscoveryLabels({ ...traefik, annotations: {} }) }, job.relabelRules)).toBeUndefined();
  });

  it("the built-in dev passes WAKEUP_SOURCE_NOT_SCRAPED", () => {
    expect(wakeFindings()).toEqual([]);
  });
});

describe("WAKEUP_SOURCE_NOT_SCRAPED", () => {
  const withoutJob = (name: string) => (input: ReturnType<typeof stackInput>) => {
    const strip = (text: string) => text.replace(new RegExp(`job_name: ${name}\\b`, "g"), "job_name: something-else");
    return {
      ...input,
      files: (input.files ?? []).map((f) => ({ ...f, content: strip(f.content) })),
      helmValues: {
        ...input.helmValues,
        prometheus: {
          ...input.helmValues!["prometheus"],
          extraScrapeConfigs: strip(String(input.helmValues!["prometheus"]!.extraScrapeConfigs)),
        },
      },
    };
  };

  it("refuses the pre-fix dev: the source's job (the chart's kubernetes-pods, switched off) is rendered nowhere", () => {
    const [e, ...rest] = wakeFindings({}, withoutJob("traefik"));
    expect(rest).toEqual([]);
    expect(e!.severity).toBe("error");
    expect(e!.resource).toBe("EnvConfig dev");
    expect(e!.path).toBe("services[0].scaling.wakeUp.source");
    expect(e!.message).toMatch(/no scrape job this environment renders is named "traefik"/);
    expect(e!.fix).toMatch(/scrapedBy: external/);
  });

  it("refuses a job of that name that discovers another namespace (the service's own job)", () => {
    const [e] = wakeFindings({ scaling: { wakeUp: { source: { job: "ml-serving-dev/inference" } } } });
    expect(e!.message).toMatch(/the rendered job "ml-serving-dev\/inference" discovers no pods in namespace kube-system/);
  });

  it("accepts a source declared scraped elsewhere (scrapedBy: external), which renders no job", () => {
    const stack = stackFor("dev", { scaling: { wakeUp: { source: { scrapedBy: "external" } } } });
    expect(String(stack.helmValues["prometheus"]!.extraScrapeConfigs)).not.toMatch(/job_name: traefik/);
    expect(wakeFindings({ scaling: { wakeUp: { source: { scrapedBy: "external" } } } })).toEqual([]);
  });
});
