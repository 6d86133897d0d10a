import { describe, expect, it } from "vitest";
import { DNS_LABEL, DNS_SUBDOMAIN } from "../../kube/names.js";

describe("Kubernetes name syntax", () => {
  it("DNS_LABEL: lower-case alphanumerics and '-', starting and ending alphanumeric, no dots", () => {
    for (const ok of ["a", "0", "ml-serving-prod", "a1-b2", "9lives"]) expect(DNS_LABEL.test(ok), ok).toBe(true);
    for (const bad of ["", "-a", "a-", "A", "a_b", "a.b", "a b", "ä"]) expect(DNS_LABEL.test(bad), bad).toBe(false);
  });

  it("DNS_SUBDOMAIN: dot-separated DNS labels", () => {
    for (const ok of ["a", "example.com", "nvidia.com", "a-1.b-2.c"]) expect(DNS_SUBDOMAIN.test(ok), ok).toBe(true);
    for (const bad of ["", ".a", "a.", "a..b", "a.-b", "A.b", "a_b.c"]) expect(DNS_SUBDOMAIN.test(bad), bad).toBe(false);
  });
});
