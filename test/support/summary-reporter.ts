import type { Reporter, TestModule } from "vitest/node";

/**
 * Prints the plain closing line `N passed, N failed` that CI reads.
 * A file whose hooks or import failed counts as failed even when vitest reports its tests as skipped/pending,
 * so the line can never look clean when tests did not run.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of modules) {
      const tests = [...mod.children.allTests()];
      const moduleFailed = mod.state() === "failed";
      if (moduleFailed && tests.length === 0) failed++;
      for (const t of tests) {
        const state = t.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else if (moduleFailed) failed++;
        else skipped++;
      }
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
  }
}
