// Setup file of the mutation runs (vitest.mutation.config.ts): the suite runs without isolation and
// Stryker's worker keeps the loaded modules from one mutant's run to the next, so a value a cache kept
// while one mutant was active would be read back while another is: a mutant could be counted killed or
// survived by another's result. Clearing these caches before each test makes each test compute under
// the mutant it runs with: the HPA port's parsed quantities (simulator/hpa/quantity.ts), the checks'
// credential-key judgements (stacks/checks/credentials.ts) and parsed embedded documents (util.ts).
import { beforeEach } from "vitest";
import { clearQuantityCache } from "../../simulator/hpa/quantity.js";
import { clearCredentialKeyCache } from "../../stacks/checks/credentials.js";
import { clearEmbeddedDocuments } from "../../stacks/checks/util.js";

beforeEach(() => {
  clearQuantityCache();
  clearCredentialKeyCache();
  clearEmbeddedDocuments();
});
