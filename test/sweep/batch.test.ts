/** A sweep point of a base config with the key `batch`: the point's network runs batched, as analyze runs it. */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import type { PointRow } from '../../src/sweep/db.js';
import { runPoint } from '../../src/sweep/run-point.js';

describe('sweep points at a batch', () => {
  it('the analytic level counts the batch: 16 times the MACs, less time per inference', async () => {
    const point = (batch?: number) => {
      const cfg = validateConfig({ kind: 'nvdla', atomic_c: 8, atomic_k: 8, ...(batch ? { batch } : {}) }, 'nv-8x8');
      return { key: `nv-${batch ?? 1}`, config: JSON.stringify(cfg), net: 'lenet5', level: 'analytic' } as PointRow;
    };
    const one = await runPoint(point(), { area: false });
    const sixteen = await runPoint(point(16), { area: false });
    expect(sixteen.macs).toBe(16 * one.macs);
    expect(sixteen.cycles / 16).toBeLessThan(one.cycles);
    expect(sixteen.layers.find((l) => l.name === 'fc1')!.util).toBeGreaterThan(one.layers[2]!.util);
  });
});
