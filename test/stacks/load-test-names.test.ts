/**
 * A load test's objects take its name (its ServiceAccount `<name>`, its Jobs `<name>-master` and
 * `<name>-workers`), so a load test named like a workload or another load test renders a second
 * object of one name. The config refuses it at the field the name was written in (found by the
 * session-7 fuzzing: it was an OBJECT_DUPLICATE naming the ServiceAccount, not the config).
 */
import { describe, expect, it } from "vitest";
import { envInput, configProblems, patchInput } from "../helpers/env.js";
import { renderEnvironment } from "../../stacks/synth.js";
import { parseEnvConfig } from "../../stacks/validate.js";

const conflicts = (env: string, patch: object) =>
  configProblems(patchInput(envInput(env), patch), env)
    .filter((p) => p.code === "CONFIG_CONFLICT")
    .map((p) => `${p.path}: ${p.message}`);

describe("load test names", () => {
  it("named like the service: refused at loadTest.name, naming the service and the ServiceAccount", () => {
    expect(conflicts("loadtest", { loadTest: { name: "inference" } })).toEqual([
      expect.stringMatching(
        /^loadTest\.name: the load test of service "inference" is named "inference", like services\[0\]: .*ServiceAccount "inference"/,
      ),
    ]);
  });

  it("named like another service (models): refused, naming that service", () => {
    expect(conflicts("models", { loadTest: { name: "embedding" } })).toEqual([
      expect.stringMatching(/^loadTest\.name: the load test of service "inference" is named "embedding", like services\[1\]/),
    ]);
  });

  it("named like a queue worker or the orchestrator: refused", () => {
    const prod = envInput("prod") as { queueWorkers: { name: string }[] };
    const worker = prod.queueWorkers[0]!.name;
    expect(conflicts("prod", { loadTest: { name: worker, stages: [{ duration: 60, users: 1, spawnRate: 1 }] } })).toEqual([
      expect.stringMatching(new RegExp(`^loadTest\\.name: .* is named "${worker}", like queueWorkers\\[0\\]`)),
    ]);
    expect(conflicts("prod", { loadTest: { name: "orchestrator", stages: [{ duration: 60, users: 1, spawnRate: 1 }] } })).toEqual([
      expect.stringMatching(/^loadTest\.name: .* is named "orchestrator", like orchestrator:/),
    ]);
  });

  it("a service named locust beside a load test of the default name (locust): refused at loadTest.name, where a name can be given", () => {
    const input = envInput("loadtest") as { services: Record<string, unknown>[]; loadTest: Record<string, unknown> };
    const { name: _name, ...loadTest } = input.loadTest;
    const services = [{ ...input.services[0], name: "locust" }];
    expect(conflicts("loadtest", { services, loadTest: { ...loadTest, name: undefined } })).toEqual([
      expect.stringMatching(/^loadTest\.name: the load test of service "locust" is named "locust", like services\[0\]/),
    ]);
  });

  it("two services' own load tests of one name: the second is refused at its own loadTest.name", () => {
    const input = envInput("models") as { services: Record<string, unknown>[] };
    const services = input.services.map((s) => ({ ...s, loadTest: { name: "shared-test" } }));
    expect(conflicts("models", { services })).toEqual([
      expect.stringMatching(
        /^services\[1\]\.loadTest\.name: the load test of service "embedding" is named "shared-test", like the load test of services\[0\]/,
      ),
    ]);
  });

  it("the built-in environments and their derived names (locust, locust-<service>) pass, and render", async () => {
    for (const env of ["loadtest", "models"]) {
      const names = (await renderEnvironment(parseEnvConfig(envInput(env), env))).objects
        .filter((o) => o.kind === "ServiceAccount")
        .map((o) => o.metadata?.name);
      expect(names).toContain(env === "models" ? "locust-embedding" : "locust");
    }
  });
});
