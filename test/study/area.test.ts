/**
 * The study's area: hierarchical yosys synthesis (each distinct module once, `stat -top` totals) gives the
 * cells of a flattened synthesis on a tiny config to within cross-boundary optimisation, is cached apart from
 * it, and a config the budget does not reach is listed as not synthesized, with no number.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accelOf } from '../../src/accel/registry.js';
import { areaStudy } from '../../src/study/area.js';
import { cachedSynthesis, synthesize } from '../../src/synth/yosys.js';
import { projectRoot } from '../../src/util/paths.js';
import { systolic } from '../helpers/configs.js';

// Two columns: two instances of the requantization stage, which the hierarchy counts once and multiplies.
const tiny = systolic(2, 2, 'os');
const design = accelOf(tiny).design(tiny);

describe('hierarchical synthesis', () => {
  it(
    'counts the cells of a flattened synthesis of a 2x2 array to within 1 %, cached apart',
    { timeout: 600_000 },
    async () => {
      const flat = await synthesize(design, 'generic', { timeoutSeconds: 600 });
      const hier = await synthesize(design, 'generic', { timeoutSeconds: 600, flatten: false });
      expect(flat.flatten).toBe(true);
      expect(hier.flatten).toBe(false);
      // The totals are of cells only: the module instances of the hierarchy are not cell types.
      expect(Object.values(hier.cellTypes).reduce((s, v) => s + v, 0)).toBe(hier.cells);
      expect(Object.keys(hier.cellTypes).every((t) => t.startsWith('$_'))).toBe(true);
      expect(Math.abs(hier.cells - flat.cells) / flat.cells).toBeLessThan(0.01);
      const dir = join(projectRoot(), 'generated', 'synth');
      expect(existsSync(join(dir, `${design.hash}-generic.json`))).toBe(true);
      expect(existsSync(join(dir, `${design.hash}-generic-hier.json`))).toBe(true);
      const again = cachedSynthesis(design, 'generic', { flatten: false })!;
      expect(again.cached).toBe(true);
      expect(again.cells).toBe(hier.cells);
    },
  );
});

describe('the area study', () => {
  it('gives the cached config its cells and lists one the spent budget does not reach as not synthesized', async () => {
    await synthesize(design, 'generic', { timeoutSeconds: 600, flatten: false });
    // A config no other test synthesizes: not in the cache, and no yosys seconds left for it.
    const other = systolic(3, 5, 'is', 'pipelined', 'int16');
    expect(cachedSynthesis(accelOf(other).design(other), 'generic', { flatten: false })).toBeUndefined();
    const a = await areaStudy([tiny, other], 0);
    expect(a.budgetSeconds).toBe(0);
    expect(a.yosys).toMatch(/^Yosys /);
    const [done, skipped] = a.runs;
    expect(done!.cells).toBe(cachedSynthesis(design, 'generic', { flatten: false })!.cells);
    expect(done!.cached).toBe(true);
    expect(done!.macCells).toBe(4);
    expect(skipped!.cells).toBeUndefined();
    expect(skipped!.notSynthesized).toBe('not in the synthesis cache and the 0 s budget is spent');
  }, 600_000);
});
