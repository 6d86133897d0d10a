/**
 * In an environment of several services, a config finding about one service's view is placed
 * where the user wrote the value (stacks/checks/index.ts placedIn): `services[i].…` with
 * `service "<name>": ` before the message, or `defaults.…` with `for service "<name>": ` when the
 * value came from the defaults. Env-level findings stay where they are and are reported once,
 * though every view finds them.
 */
import { describe, expect, it } from "vitest";
import { runServiceConfigChecks } from "../../../stacks/checks/index.js";
import type { EnvConfigInput } from "../../../stacks/config.js";
import { parseEnvConfig } from "../../../stacks/validate.js";
import { input } from "./fixtures.js";

const base = input();
const first = base.services[0]!;
const scaling = first.scaling as Record<string, unknown>;

const findings = (i: unknown) => runServiceConfigChecks(parseEnvConfig(i as EnvConfigInput, "t")).map((p) => [p.code, p.path, p.message]);

describe("config findings of a service's view, placed in the user's input", () => {
  it("a value written under services[1] is reported there, naming the service; env-wide findings once, unplaced", () => {
    const two = { ...base, services: [first, { ...first, name: "embedding", scaling: { ...scaling, minReplicas: 12, maxReplicas: 10 } }] };
    const found = findings(two);
    expect(found).toContainEqual([
      "CONFIG_CONFLICT",
      "services[1].scaling.minReplicas",
      'service "embedding": minReplicas 12 is greater than maxReplicas 10',
    ]);
    expect(found.filter((f) => f[0] === "CONFIG_CONFLICT")).toHaveLength(1);
    // Both views see the environment's capacity: one finding each for cpu and memory, at the env's own field.
    expect(found.filter((f) => f[0] === "CAPACITY_EXCEEDED").map((f) => f[1])).toEqual(["capacity.cpu", "capacity.memory"]);
    expect(found.every((f) => !String(f[2]).startsWith('service "inference"'))).toBe(true);
  });

  it("a value that came from defaults is reported at defaults.…, for each service it breaks", () => {
    const viaDefaults = {
      ...base,
      defaults: { scaling: { minReplicas: 12 } },
      services: [
        { ...first, scaling: { mode: "keda", maxReplicas: 10 } },
        { ...first, name: "embedding", scaling: { mode: "keda", maxReplicas: 10 } },
      ],
    };
    expect(findings(viaDefaults).filter((f) => f[0] === "CONFIG_CONFLICT")).toEqual([
      ["CONFIG_CONFLICT", "defaults.scaling.minReplicas", 'for service "inference": minReplicas 12 is greater than maxReplicas 10'],
      ["CONFIG_CONFLICT", "defaults.scaling.minReplicas", 'for service "embedding": minReplicas 12 is greater than maxReplicas 10'],
    ]);
  });

  it("in an environment of one service, a service's field is placed at services[0] too", () => {
    const one = { ...base, services: [{ ...first, scaling: { ...scaling, minReplicas: 12, maxReplicas: 10 } }] };
    expect(findings(one).filter((f) => f[0] === "CONFIG_CONFLICT")).toEqual([
      ["CONFIG_CONFLICT", "services[0].scaling.minReplicas", 'service "inference": minReplicas 12 is greater than maxReplicas 10'],
    ]);
  });
});
