/**
 * gpu.model is passed to the vLLM server as a container argument: a control character in it (a
 * NUL no process can receive, a pasted tab or line break) is refused at the field, not rendered.
 */
import { describe, expect, it } from "vitest";
import { configProblems, envInput, patchInput } from "../helpers/env.js";

describe("gpu.model", () => {
  it.each(["meta-llama/Llama\u0000", "meta-llama/Llama\t", "meta-llama/\nLlama", "x\u007f"])("%j: refused at gpu.model", (model) => {
    const problems = configProblems(patchInput(envInput("gpu"), { gpu: { model } }), "gpu");
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([expect.stringMatching(/^gpu\.model: .*control characters/)]);
  });
});
