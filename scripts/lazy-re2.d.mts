/** scripts/lazy-re2.mjs: an RE2 pattern compiled at its first test. */
export default class LazyRE2 {
  constructor(source: string, flags: string);
  test(s: string): boolean;
}
