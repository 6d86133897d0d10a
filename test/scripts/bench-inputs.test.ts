import { describe, expect, it } from "vitest";
import { envInputWithService } from "../../scripts/bench-inputs.js";
import { ENV_NAMES } from "../../stacks/envs/index.js";
import { renderEnvironment } from "../../stacks/synth.js";
import { parseEnvConfig } from "../../stacks/validate.js";

describe("benchmark inputs", () => {
  it("render in every environment under the service's new name", async () => {
    for (const env of ENV_NAMES) {
      const r = await renderEnvironment(parseEnvConfig(envInputWithService(env, 7), env));
      const deployment = r.stack.objects().find((o: any) => o.kind === "Deployment" && o.metadata.name === "inference-007");
      expect(deployment, env).toBeDefined();
    }
  });
});
