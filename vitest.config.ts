import { statSync } from 'node:fs';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest test files (about 70 to 10 s each on a 2-core machine with a warm ccache), in the order they start.
 * Longest first, so that the two workers end together, but for three pairs that share a cache entry: progress-pty
 * synthesizes the 1x1 array that rtl/kinds then finds in the synthesis cache (and must not find it there itself),
 * and report's study synthesizes the 2x2 array (hierarchically) that study/area then finds.
 */
const RUN_FIRST = [
  'test/cli/progress-pty.test.ts',
  'test/hardening/caches.test.ts',
  'test/sweep/hardening.test.ts',
  'test/report/report.test.ts',
  'test/study/area.test.ts',
  'test/rtl/kinds.test.ts',
  'test/analytic/scalesim-segments.test.ts',
  'test/hardening/signals.test.ts',
  'test/quant/golden-fast.test.ts',
  'test/quant/onnx-export.test.ts',
  'test/nets/scalesim-workloads.test.ts',
  'test/hardening/inputs.test.ts',
  'test/accel/batch.test.ts',
  'test/report/memory.test.ts',
];

/**
 * Starts the files of RUN_FIRST in its order, then the others largest first (vitest's order on a clean clone,
 * which has no durations of an earlier run). By file size alone a short file of long yosys runs (rtl/kinds,
 * study/area) started last and ran with the other worker idle.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = RUN_FIRST.indexOf(relative(f.project.config.root, f.moduleId));
      return i < 0 ? RUN_FIRST.length : i;
    };
    const size = (f: TestSpecification) => statSync(f.moduleId).size;
    return [...files].sort((a, b) => rank(a) - rank(b) || size(b) - size(a));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
  },
});
