/**
 * The random quantized layers the RTL tests run: most output channels in the normal range (30- or 31-bit
 * shifts, outputs spread over the range), and probe channels with small shifts and multipliers, so that
 * the layer-case table's outputs hold exact .5 ties of both signs, shift-0 results, saturation at both
 * ends and (NVDLA, INT16) ties of CACC's truncation: a rounding or saturation slip in the RTL changes
 * some output of the table, not only a theoretical one.
 */
import { describe, expect, it } from 'vitest';
import { caccTruncateBits } from '../../src/accel/nvdla/cacc.js';
import { NetBuilder } from '../../src/nets/builder.js';
import { macLayers } from '../../src/nets/ir.js';
import { goldenAccumulators } from '../../src/quant/golden.js';
import { randomQuantLayer, randomTensor } from '../../src/quant/random.js';
import { operandRange } from '../../src/quant/requant.js';
import type { QuantLayer } from '../../src/quant/tensor.js';
import { requantizeBig } from '../helpers/golden-reference.js';
import { LAYER_CASES } from '../helpers/layer-cases.js';

/** What the outputs of a layer case exercise, on the golden model (CACC's conversion included). */
function coverage(q: QuantLayer, acc: Float64Array, channels: number) {
  const { min, max } = operandRange(q.bits);
  const t = q.caccTruncate ?? 0;
  const c = { ties: 0, negativeTies: 0, shift0: 0, top: 0, bottom: 0, caccTies: 0, normal: 0 };
  for (let i = 0; i < acc.length; i++) {
    const co = i % channels;
    let a = BigInt(acc[i]!);
    if (t > 0) {
      const mag = a < 0n ? -a : a;
      if (mag % (1n << BigInt(t)) === 1n << BigInt(t - 1)) c.caccTies++;
      const r = (mag + (1n << BigInt(t - 1))) >> BigInt(t);
      a = a < 0n ? -r : r;
    }
    const s = {
      bias: q.bias[co]!,
      mult: q.mult[co]!,
      shift: q.shift[co]!,
      relu: q.relu,
      zeroPoint: q.outZeroPoint,
      bits: q.bits,
    };
    const y = requantizeBig(a, s);
    const inRange = y > min && y < max;
    const p = (a + s.bias) * BigInt(s.mult);
    const mag = p < 0n ? -p : p;
    if (s.shift > 0 && inRange && mag % (1n << BigInt(s.shift)) === 1n << BigInt(s.shift - 1) && !(q.relu && p < 0n)) {
      c.ties++;
      if (p < 0n) c.negativeTies++;
    }
    if (s.shift === 0 && inRange) c.shift0++;
    if (y === max) c.top++;
    if (y === min) c.bottom++;
    if (s.shift >= 30) c.normal++;
  }
  return c;
}

/** The coverage of the whole layer-case table at the seeds the RTL table uses (20 + index). */
function tableCoverage(bits: 8 | 16, nvdla: boolean) {
  const total = { ties: 0, negativeTies: 0, shift0: 0, top: 0, bottom: 0, caccTies: 0, normal: 0, outputs: 0 };
  for (const [i, lc] of LAYER_CASES.entries()) {
    const q = randomQuantLayer(lc.layer, bits, 20 + i, nvdla ? { caccTruncate: caccTruncateBits(lc.layer, bits) } : {});
    const acc = goldenAccumulators(lc.layer, randomTensor(lc.layer.inShape, bits, 20 + i), q);
    const c = coverage(q, acc, lc.layer.outShape.c);
    for (const k of Object.keys(c) as (keyof typeof c)[]) total[k] += c[k];
    total.outputs += acc.length;
  }
  return total;
}

describe('random quantized layers', () => {
  it.each([
    [8, false],
    [16, false],
    [8, true],
    [16, true],
  ] as const)(
    'INT%i (NVDLA: %s): the layer-case table sees ties of both signs, shift 0 and saturation at both ends',
    (bits, nvdla) => {
      const c = tableCoverage(bits, nvdla);
      expect(c.ties).toBeGreaterThanOrEqual(50);
      expect(c.negativeTies).toBeGreaterThanOrEqual(10);
      expect(c.shift0).toBeGreaterThanOrEqual(30);
      expect(c.top).toBeGreaterThanOrEqual(20);
      expect(c.bottom).toBeGreaterThanOrEqual(10);
      if (nvdla && bits === 16) expect(c.caccTies).toBeGreaterThanOrEqual(100);
      // Most outputs still come from channels in the normal range.
      expect(c.normal / c.outputs).toBeGreaterThan(0.6);
    },
  );

  it('keeps most channels normal, makes at least one a probe, and uses shift 0 with multiplier 1', () => {
    let probes = 0;
    let shift0mult1 = 0;
    for (const [i, lc] of LAYER_CASES.entries()) {
      for (const bits of [8, 16] as const) {
        const q = randomQuantLayer(lc.layer, bits, 20 + i);
        const n = lc.layer.outShape.c;
        const small = q.shift.filter((s) => s < 30).length;
        if (n >= 2) expect(small, lc.name).toBeGreaterThanOrEqual(1);
        expect(small, lc.name).toBeLessThanOrEqual(Math.max(1, Math.round(n / 4)));
        probes += small;
        shift0mult1 += q.shift.filter((s, co) => s === 0 && q.mult[co] === 1).length;
        for (const [co, s] of q.shift.entries())
          expect(s < 30 ? q.mult[co]! <= 3 : q.mult[co]! > 3, `${lc.name} channel ${co}`).toBe(true);
      }
    }
    expect(probes).toBeGreaterThan(10);
    expect(shift0mult1).toBeGreaterThan(2);
  });

  it('is a function of the seed', () => {
    const l = LAYER_CASES[0]!.layer;
    expect(randomQuantLayer(l, 8, 5)).toEqual(randomQuantLayer(l, 8, 5));
    expect(randomQuantLayer(l, 8, 5).weights).not.toEqual(randomQuantLayer(l, 8, 6).weights);
  });

  it('keeps weights in range and probe weights in multiples of 2^(t-1) for a deep INT16 layer that CACC truncates', () => {
    const b = new NetBuilder('deep', { h: 1, w: 1, c: 30000 });
    b.fc('fc', 8);
    const l = macLayers(b.build())[0]!;
    const t = caccTruncateBits(l, 16);
    expect(t).toBe(15);
    const q = randomQuantLayer(l, 16, 3, { caccTruncate: t });
    const k = 30000;
    for (const [co, s] of q.shift.entries()) {
      if (s >= 30) continue;
      const w = Array.from(q.weights.subarray(co * k, (co + 1) * k)).filter((v) => v !== 0);
      expect(w.length).toBeGreaterThan(0);
      for (const v of w) expect(Math.abs(v) % 2 ** (t - 1)).toBe(0);
    }
    expect(q.shift.some((s) => s < 30)).toBe(true);
  });
});
