/**
 * The table of layer cases against every registered kind at every level: the golden model's accumulators
 * against a naive reference written here, each kind's analytic model for consistency, and each kind's RTL,
 * bit-exact against its golden model and cycle-exact (with its own counters) against its analytic model.
 */
import { describe, expect, it } from 'vitest';
import { checkLayer } from '../../src/accel/check.js';
import { ACCELERATORS, accelOf } from '../../src/accel/registry.js';
import { layerMacs, type MacLayer } from '../../src/nets/ir.js';
import { goldenAccumulators } from '../../src/quant/golden.js';
import { randomQuantLayer, randomTensor } from '../../src/quant/random.js';
import { operandRange } from '../../src/quant/requant.js';
import type { IntTensor, QuantLayer } from '../../src/quant/tensor.js';
import { buildFor } from '../../src/sim/run-network.js';
import { KIND_TEST_CONFIGS } from '../helpers/configs.js';
import { LAYER_CASES } from '../helpers/layer-cases.js';

/** The accumulators of a layer by the definition: for each output, a sum over its window, padding = zero point. */
function naiveAccumulators(l: MacLayer, x: IntTensor, q: QuantLayer): bigint[] {
  const { inShape: is, outShape: os, kernel, stride, dilation, pad } = l;
  const cinG = is.c / l.groups;
  const coutG = os.c / l.groups;
  const out: bigint[] = [];
  for (let oh = 0; oh < os.h; oh++) {
    for (let ow = 0; ow < os.w; ow++) {
      for (let co = 0; co < os.c; co++) {
        let acc = 0n;
        const g = Math.floor(co / coutG);
        for (let kh = 0; kh < kernel.h; kh++) {
          for (let kw = 0; kw < kernel.w; kw++) {
            for (let ci = 0; ci < cinG; ci++) {
              const ih = oh * stride.h - pad.top + kh * dilation.h;
              const iw = ow * stride.w - pad.left + kw * dilation.w;
              const inside = ih >= 0 && ih < is.h && iw >= 0 && iw < is.w;
              const v = inside ? x.data[(ih * is.w + iw) * is.c + g * cinG + ci]! : q.inZeroPoint;
              acc += BigInt(v) * BigInt(q.weights[((co * kernel.h + kh) * kernel.w + kw) * cinG + ci]!);
            }
          }
        }
        out.push(acc);
      }
    }
  }
  return out;
}

describe('golden level: the golden accumulators are the definition of the layer', () => {
  for (const bits of [8, 16] as const) {
    it.each(LAYER_CASES.map((c) => [c.name, c] as const))(`INT${bits} %s`, (_name, c) => {
      const x = randomTensor(c.layer.inShape, bits, 7);
      const q = randomQuantLayer(c.layer, bits, 7);
      expect(Array.from(goldenAccumulators(c.layer, x, q), (v) => BigInt(v))).toEqual(naiveAccumulators(c.layer, x, q));
    });
  }
});

describe('every registered kind has layer-case configs', () => {
  it.each(ACCELERATORS.map((a) => a.kind))('%s', (kind) => {
    expect(KIND_TEST_CONFIGS[kind]?.layerCases.length ?? 0).toBeGreaterThan(0);
  });
});

for (const accel of ACCELERATORS) {
  const configs = KIND_TEST_CONFIGS[accel.kind]?.layerCases ?? [];
  describe(`${accel.kind}: analytic level`, () => {
    it.each(configs.map((c) => [c.name, c] as const))('%s: every case consistent', (_name, cfg) => {
      for (const c of LAYER_CASES) {
        const p = accelOf(cfg).predictLayer(c.layer, cfg);
        const where = `${c.name} on ${cfg.name}`;
        expect(p.macs, where).toBe(layerMacs(c.layer));
        expect(p.cycles, where).toBe(p.computeCycles + p.stallCycles);
        // No layer runs faster than all MAC cells busy every cycle.
        expect(p.computeCycles, where).toBeGreaterThanOrEqual(Math.ceil(p.macs / accelOf(cfg).cells(cfg)));
        expect(p.overallUtil, where).toBeGreaterThan(0);
        expect(p.overallUtil, where).toBeLessThanOrEqual(100);
        expect(p.mappingEfficiency, where).toBeGreaterThan(0);
        expect(p.mappingEfficiency, where).toBeLessThanOrEqual(100);
        expect(p.timeUs, where).toBeCloseTo(p.cycles / cfg.clock_mhz, 9);
      }
    });
  });

  describe(`${accel.kind}: RTL level`, () => {
    it.each(configs.map((c) => [c.name, c] as const))(
      '%s: every case bit-exact, cycle-exact, counters as predicted',
      async (_name, cfg) => {
        const a = accelOf(cfg);
        const build = await buildFor(cfg);
        const bits = cfg.precision === 'int8' ? 8 : 16;
        for (const [i, c] of LAYER_CASES.entries()) {
          const seed = 20 + i;
          const q = randomQuantLayer(c.layer, bits, seed, a.randomQuantOptions(c.layer, bits));
          const { check, output } = await checkLayer(
            a,
            build,
            cfg,
            c.layer,
            randomTensor(c.layer.inShape, bits, seed),
            q,
          );
          const where = `${c.name} on ${cfg.name}`;
          expect(check.outputsChecked, `${where}: outputs written exactly once`).toBe(check.outputsExpected);
          expect(check.mismatches, `${where}: ${check.firstMismatches.join('; ')}`).toBe(0);
          expect(check.bitExact, where).toBe(true);
          expect(check.rtlCycles, `${where}: RTL cycles vs analytic`).toBe(check.analyticCycles);
          for (const f of check.figures) expect(f.measured, `${where}: ${f.name}`).toBe(f.predicted);
          expect(check.countersOk, `${where}: MAC and output counters`).toBe(true);
          const { min, max } = operandRange(bits);
          expect(
            output.data.every((v) => v >= min && v <= max),
            `${where}: outputs in the INT${bits} range`,
          ).toBe(true);
        }
      },
    );
  });
}
