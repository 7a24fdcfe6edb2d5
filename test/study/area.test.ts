/**
 * The study's area: hierarchical yosys synthesis (each distinct module once, `stat -top` totals) gives the
 * cells of a flattened synthesis on a tiny config to within cross-boundary optimisation, is cached apart from
 * it, and a config the budget does not reach is listed as not synthesized, with no number.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accelOf } from '../../src/accel/registry.js';
import { areaStudy } from '../../src/study/area.js';
import { cachedSynthesis, synthesize } from '../../src/synth/yosys.js';
import { projectRoot } from '../../src/util/paths.js';
import { runCli } from '../helpers/cli.js';
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

describe('mactile study --area', () => {
  it('refuses a config that is not one of the study before any work, naming it', async () => {
    const r = await runCli([
      'study',
      '--nets',
      'lenet5',
      '--models',
      'none',
      '--rtl',
      'none',
      '--area',
      'sa-8x8-xs',
      '--out',
      '/tmp/mactile-study-never',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--area: expected configs nv_small, nv_full_int8, nv_full_int16 or sa-RxR-DF[-int16], received "sa-8x8-xs"',
    );
  });

  it('--no-area: no synthesis, no area in study.json, and the report says so', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mactile-study-no-area-'));
    const r = await runCli([
      'study',
      '--nets',
      'lenet5',
      '--models',
      'none',
      '--rtl',
      'none',
      '--sizes',
      '8',
      '--no-area',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(readFileSync(join(out, 'study.json'), 'utf8')) as { area?: unknown; notes: string[] };
    expect(d.area).toBeUndefined();
    expect(d.notes).toContain('Area: not asked for (--no-area or --area none).');
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('No area in this study');
  });
});
