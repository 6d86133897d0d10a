// Setup file of the mutation runs (vitest.mutation.config.ts): the HPA port parses each quantity string once
// and caches it (simulator/hpa/quantity.ts). The suite runs without isolation and Stryker's worker keeps the
// loaded modules from one mutant's run to the next, so a quantity parsed while one mutant was active would
// be read back while another is: a mutant of quantity.ts could be counted killed or survived by another's
// result. Clearing the cache before each test makes each test parse under the mutant it runs with.
import { beforeEach } from "vitest";
import { clearQuantityCache } from "../../simulator/hpa/quantity.js";

beforeEach(() => {
  clearQuantityCache();
});
