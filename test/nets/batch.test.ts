/**
 * Batching in the IR and the golden model: a batched layer's MACs and sizes, the stacked tensors, and the
 * golden model of a batch equal to the golden model of each image on its own.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchInShape, batchNetwork, batchOutShape, imageLayer, workloadOf } from '../../src/nets/batch.js';
import { layerMacs, layerSizeProblem, layerSizes, macLayers, SIM_LIMITS } from '../../src/nets/ir.js';
import { alexnet, lenet5 } from '../../src/nets/zoo/index.js';
import { goldenLayer } from '../../src/quant/golden.js';
import { goldenNvdlaLayer } from '../../src/accel/nvdla/cacc.js';
import { randomQuantLayer, randomTensor } from '../../src/quant/random.js';
import type { IntTensor } from '../../src/quant/tensor.js';
import { LAYER_CASES } from '../helpers/layer-cases.js';

/** Image `b` of a stacked tensor. */
function image(t: IntTensor, shape: { h: number; w: number; c: number }, b: number): IntTensor {
  const size = shape.h * shape.w * shape.c;
  return { shape, data: t.data.slice(b * size, (b + 1) * size) };
}

describe('batched layers in the IR', () => {
  it('batch 1 is the network itself, unchanged', () => {
    const net = lenet5();
    expect(batchNetwork(net, 1)).toBe(net);
    expect(workloadOf(net, {})).toBe(net);
    expect(macLayers(net).every((l) => l.batch === undefined)).toBe(true);
  });

  it.each([4, 16])('batch %i multiplies MACs, input, output and window, not weights', (n) => {
    for (const l of macLayers(batchNetwork(alexnet(), n))) {
      const one = imageLayer(l);
      expect(one.batch).toBeUndefined();
      expect(layerMacs(l)).toBe(n * layerMacs(one));
      const [s, s1] = [layerSizes(l), layerSizes(one)];
      expect(s).toEqual({
        macs: n * s1.macs,
        input: n * s1.input,
        output: n * s1.output,
        weights: s1.weights,
        window: n * s1.window,
      });
      expect(batchInShape(l)).toEqual({ ...l.inShape, h: n * l.inShape.h });
      expect(batchOutShape(l)).toEqual({ ...l.outShape, h: n * l.outShape.h });
    }
  });

  it('the size limits count the whole batch, and say so', () => {
    const fc1 = macLayers(batchNetwork(lenet5(), 2 ** 18))[2]!;
    expect(layerSizeProblem(fc1, SIM_LIMITS)).toMatch(/^its input 1x1x400 x batch 262144 holds 104,857,600 values/);
  });
});

describe('golden level: a batch is its images, each through the batch-1 golden model', () => {
  const cases = [...LAYER_CASES, ...macLayers(lenet5()).map((layer) => ({ name: `lenet5 ${layer.name}`, layer }))];
  for (const bits of [8, 16] as const) {
    it.each(cases.map((c) => [c.name, c] as const))(`INT${bits} %s, batch 4`, (_name, c) => {
      const l = { ...c.layer, batch: 4 };
      const x = randomTensor(batchInShape(l), bits, 11);
      const q = randomQuantLayer(c.layer, bits, 11);
      const y = goldenLayer(l, x, q);
      const yNv = goldenNvdlaLayer(l, x, { ...q, caccTruncate: 0 });
      expect(y.shape).toEqual(batchOutShape(l));
      for (let b = 0; b < 4; b++) {
        const want = goldenLayer(c.layer, image(x, c.layer.inShape, b), q);
        expect(image(y, c.layer.outShape, b).data, `image ${b}`).toEqual(want.data);
        expect(image(yNv, c.layer.outShape, b).data, `image ${b} (NVDLA)`).toEqual(
          goldenNvdlaLayer(c.layer, image(x, c.layer.inShape, b), { ...q, caccTruncate: 0 }).data,
        );
      }
    });
  }

  it('property: any batch of any layer case, image by image', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: LAYER_CASES.length - 1 }), fc.integer({ min: 1, max: 6 }), (i, n) => {
        const one = LAYER_CASES[i]!.layer;
        const l = { ...one, batch: n };
        const x = randomTensor(batchInShape(l), 8, i + n);
        const q = randomQuantLayer(one, 8, i);
        const y = goldenLayer(l, x, q);
        for (let b = 0; b < n; b++)
          expect(image(y, one.outShape, b).data).toEqual(goldenLayer(one, image(x, one.inShape, b), q).data);
      }),
      { numRuns: 40, seed: 15 },
    );
  });
});
