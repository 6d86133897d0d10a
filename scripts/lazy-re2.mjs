/**
 * What the bundles load in place of @kubernetes-models/validate's `runtime/re2` (scripts/build.mjs):
 * the schemas build their RE2 patterns when their module loads (the prometheus-operator
 * PrometheusRule schema: `partial_response_strategy`), and the first RE2 loads re2-wasm and
 * compiles its WebAssembly, about 40 ms of every CLI's start, for a field our objects never set.
 * Here a pattern loads and compiles them at its first test instead; the validators only call `test`.
 */
import { createRequire } from "node:module";

/** re2-wasm's RE2 class, once a pattern is first tested. */
let RE2;

export default class LazyRE2 {
  #source;
  #flags;
  #re;

  constructor(source, flags) {
    this.#source = source;
    this.#flags = flags;
  }

  test(s) {
    if (this.#re === undefined) {
      RE2 ??= createRequire(import.meta.url)("re2-wasm").RE2;
      this.#re = new RE2(this.#source, this.#flags);
    }
    return this.#re.test(s);
  }
}
