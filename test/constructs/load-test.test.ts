import { Chart, Testing } from "cdk8s";
import { describe, expect, it } from "vitest";
import { LOCUSTFILE, LoadTest, type LoadTestProps } from "../../constructs/load-test.js";
import { validateObjects } from "../../stacks/schema.js";

const stages = [
  { users: 10, spawnRate: 2, durationSeconds: 120 },
  { users: 100, spawnRate: 10, durationSeconds: 300 },
];

function render(over: Partial<LoadTestProps> = {}) {
  const chart = new Chart(Testing.app(), "t", { disableResourceNameHashes: true });
  const t = new LoadTest(chart, "lt", {
    namespace: "ml",
    name: "locust",
    instance: "locust-test",
    partOf: "ml-platform",
    targetHost: "http://inference.ml.svc.cluster.local:8000",
    path: "/predict",
    payload: '{"inputs": [[1, 2]]}',
    stages,
    ...over,
  });
  const objs = chart.toJson();
  const byName = (kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
  const master = byName("Job", "locust-master");
  const workers = byName("Job", "locust-workers");
  return { t, objs, byName, master, workers, mc: master.spec.template.spec.containers[0], wc: workers.spec.template.spec.containers[0] };
}

const env = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));

describe("LoadTest", () => {
  it("renders the locustfile, stats volume, master Service and the master and worker Jobs", () => {
    expect(render().objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ConfigMap/locust-locustfile",
      "ServiceAccount/locust",
      "PersistentVolumeClaim/locust-stats",
      "Service/locust-master",
      "Job/locust-master",
      "Job/locust-workers",
    ]);
  });

  it("runs the master headless against the env's service, waiting for the workers, CSV stats on the volume", () => {
    const { mc, master } = render({ workers: 3 });
    expect(mc.args).toEqual([
      "-f",
      "/locust/locustfile.py",
      "--master",
      "--headless",
      "--master-bind-port=5557",
      "--expect-workers=3",
      "--expect-workers-max-wait=300",
      "--host=http://inference.ml.svc.cluster.local:8000",
      "--csv=/stats/locust",
      "--csv-full-history",
      "--html=/stats/locust.html",
      "--only-summary",
    ]);
    expect(mc.volumeMounts).toContainEqual({ name: "stats", mountPath: "/stats" });
    expect(master.spec.template.spec.volumes).toContainEqual({ name: "stats", persistentVolumeClaim: { claimName: "locust-stats" } });
    expect(master.spec.backoffLimit).toBe(0);
    // The run ends by itself; the deadline only stops one that never gets going.
    expect(master.spec.activeDeadlineSeconds).toBe(420 + 900);
  });

  it("passes the user matrix to the shape class and the workers connect to the master Service", () => {
    const { mc, wc, workers, byName } = render({ workers: 3, requestsPerUserPerSecond: 2 });
    expect(JSON.parse(env(mc).LOAD_STAGES)).toEqual([
      { users: 10, spawn_rate: 2, duration: 120 },
      { users: 100, spawn_rate: 10, duration: 300 },
    ]);
    expect(env(mc)).toMatchObject({ LOAD_PATH: "/predict", LOAD_PAYLOAD: '{"inputs": [[1, 2]]}', LOAD_REQUESTS_PER_USER_PER_SECOND: "2" });
    expect(env(wc)).toEqual(env(mc));
    expect(wc.args).toEqual([
      "-f",
      "/locust/locustfile.py",
      "--worker",
      "--master-host=locust-master.ml.svc.cluster.local",
      "--master-port=5557",
    ]);
    expect(workers.spec).toMatchObject({ parallelism: 3, completions: 3 });
    const svc = byName("Service", "locust-master");
    const masterLabels = byName("Job", "locust-master").spec.template.metadata.labels;
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(masterLabels[k]).toBe(v);
    expect(svc.spec.selector["app.kubernetes.io/name"]).not.toBe(workers.spec.template.metadata.labels["app.kubernetes.io/name"]);
  });

  it("ships a locustfile whose shape reads the stages and stops after the last", () => {
    const { byName } = render();
    expect(byName("ConfigMap", "locust-locustfile").data["locustfile.py"]).toBe(LOCUSTFILE);
    expect(LOCUSTFILE).toContain("class MatrixShape(LoadTestShape)");
    expect(LOCUSTFILE).toContain('STAGES = json.loads(os.environ["LOAD_STAGES"])');
    expect(LOCUSTFILE).toContain("return None");
  });

  it("keeps every pod restricted, with requests and limits", () => {
    for (const job of [render().master, render().workers]) {
      const pod = job.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } });
      expect(pod.automountServiceAccountToken).toBe(false);
      const c = pod.containers[0];
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(c.resources.requests).toHaveProperty("cpu");
      expect(c.resources.limits).toHaveProperty("memory");
    }
  });

  it("passes the core schemas", async () => {
    expect(await validateObjects(render({ storageClassName: "standard" }).objs)).toEqual([]);
  });

  it("rejects bad input naming the value", () => {
    expect(() => render({ stages: [] })).toThrow(/user matrix is empty/);
    expect(() => render({ stages: [{ users: 0, spawnRate: 1, durationSeconds: 60 }] })).toThrow(/stage 0: users 0/);
    expect(() => render({ stages: [{ users: 5, spawnRate: 0, durationSeconds: 60 }] })).toThrow(/stage 0: spawnRate 0/);
    expect(() => render({ targetHost: "http://user:pw@inference:8000" })).toThrow(/without a path or credentials/);
    expect(() => render({ payload: "{inputs:" })).toThrow(/payload is not JSON/);
    expect(() => render({ workers: 0 })).toThrow(/workers 0/);
  });

  it("matches the snapshot", () => {
    expect(render().objs).toMatchSnapshot();
  });
});
