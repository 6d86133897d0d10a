/**
 * The checks read YAML embedded in users' strings; a document with a tag the parser does not know
 * is read as the package reads it, with no YAMLWarning printed (a CLI's stderr is its error channel).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { embeddedDocument } from "../../../stacks/checks/util.js";

afterEach(() => vi.restoreAllMocks());

describe("embedded YAML with an unknown tag", () => {
  it("is read without a process warning", () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    expect(embeddedDocument("a: !custom x\nb: 1\n")).toEqual({ a: "x", b: 1 });
    expect(embeddedDocument("!t\n- 1\n- 2\n")).toEqual([1, 2]);
    expect(warn).not.toHaveBeenCalled();
  });
});
