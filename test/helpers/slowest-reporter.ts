/**
 * A vitest reporter that prints, when the run ends, the ten slowest tests and the ten slowest test
 * files (npm test's budget is 90 s wall warm on 2 cores; `npm run bench` lists the tests too, from
 * .tmp/vitest.json). A file's time is the import of its modules (collect) plus its tests and hooks,
 * `beforeAll` included, as its worker measured them: children it waits on count, a busy machine
 * shows in it.
 */
import type { Reporter, TestModule, Vitest } from "vitest/node";

const seconds = (ms: number) => `${(ms / 1000).toFixed(2).padStart(6)} s`;

export default class SlowestReporter implements Reporter {
  private root = process.cwd();

  onInit(vitest: Vitest): void {
    this.root = vitest.config.root;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const name = (m: TestModule) => m.moduleId.replace(`${this.root}/`, "");
    const tests = modules.flatMap((m) =>
      [...m.children.allTests()].map((t) => ({ ms: t.diagnostic()?.duration ?? 0, name: `${name(m)} > ${t.fullName}` })),
    );
    const files = modules.map((m) => {
      const d = m.diagnostic();
      return { ms: d.collectDuration + d.duration, name: name(m) };
    });
    const top = (rows: { ms: number; name: string }[]) =>
      rows
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 10)
        .map((r) => `  ${seconds(r.ms)}  ${r.name}`);
    console.log(["", "slowest ten tests:", ...top(tests), "slowest ten files (import + tests + hooks):", ...top(files)].join("\n"));
  }
}
