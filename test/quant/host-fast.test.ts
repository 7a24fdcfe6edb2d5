/**
 * The golden executor's fast host ops equal the float-tensor path they replace (dequantize to float32, the
 * float op, quantize): elementwise ops through tables, add / mul / per-channel scale in WebAssembly (ties
 * of the rounding and saturation included), global average
 * pooling through the dequantization table, and max pooling on
 * integers, on random shapes, scales and zero points in both precisions.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetBuilder } from '../../src/nets/builder.js';
import type { HostLayer } from '../../src/nets/ir.js';
import { floatHost } from '../../src/quant/float-exec.js';
import { fastFloatHost, maxPoolInt } from '../../src/quant/host-fast.js';
import { dequantize } from '../../src/quant/int-exec.js';
import type { QuantModel, TensorQuant } from '../../src/quant/quantize.js';
import { randomTensor } from '../../src/quant/random.js';
import { operandRange } from '../../src/quant/requant.js';
import { propertySeed } from '../helpers/layer-cases.js';

/** The float-tensor path: dequantize the inputs, run the float op, quantize (round half up, saturate). */
function reference(l: HostLayer, xs: Int16Array[], qs: TensorQuant[], yq: TensorQuant, bits: 8 | 16): Int16Array {
  const { min, max } = operandRange(bits);
  const f = floatHost(
    l,
    xs.map((x, i) => dequantize({ shape: l.inShapes[i]!, data: x }, qs[i]!)),
  );
  return Int16Array.from(f, (v) => Math.max(min, Math.min(max, Math.round(v / yq.scale) + yq.zeroPoint)));
}

const quant = fc.oneof(
  fc.record({
    scale: fc.double({ min: 1e-4, max: 0.5, noNaN: true }),
    zeroPoint: fc.integer({ min: -20, max: 20 }),
  }),
  // Powers of two: exact dequantized values, sums and products, so exact halves (Math.round's ties) and saturation.
  fc.record({
    scale: fc.integer({ min: -3, max: 3 }).map((k) => 2 ** k),
    zeroPoint: fc.integer({ min: -128, max: 127 }),
  }),
);

describe('fast host ops equal the float-tensor path', () => {
  it('elementwise, add, mul, scale and global average pooling', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('silu', 'sigmoid', 'relu6', 'hardswish', 'leakyrelu', 'add', 'mul', 'scale', 'globalavgpool'),
        fc.constantFrom(8 as const, 16 as const),
        fc.record({
          h: fc.integer({ min: 1, max: 5 }),
          w: fc.integer({ min: 1, max: 5 }),
          c: fc.integer({ min: 1, max: 6 }),
        }),
        fc.array(quant, { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 0, max: 1e6 }),
        (kind, bits, shape, [a, b, y], seed) => {
          const gate = { h: 1, w: 1, c: shape.c };
          const two = kind === 'add' || kind === 'mul' || kind === 'scale';
          const l: HostLayer = {
            kind: kind as HostLayer['kind'],
            name: 'op',
            inputs: two ? ['a', 'b'] : ['a'],
            output: 'y',
            inShapes: two ? [shape, kind === 'scale' ? gate : shape] : [shape],
            outShape: kind === 'globalavgpool' ? gate : shape,
            ...(kind === 'leakyrelu' ? { alpha: 0.1 } : {}),
          };
          const xs = l.inShapes.map((s, i) => randomTensor(s, bits, seed + i).data);
          const qm = {
            options: { bits },
            tensors: { a: a!, b: b!, y: y! },
          } as unknown as QuantModel;
          const got = fastFloatHost(
            qm,
            l,
            xs.map((data, i) => ({ shape: l.inShapes[i]!, data })),
          )!;
          expect(got.data).toEqual(reference(l, xs, [a!, b!], y!, bits));
        },
      ),
      { numRuns: 300, seed: propertySeed(19) },
    );
  });

  it('max pooling on integers, padding included', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(8 as const, 16 as const),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 }),
        fc.record({
          h: fc.integer({ min: 4, max: 8 }),
          w: fc.integer({ min: 4, max: 8 }),
          c: fc.integer({ min: 1, max: 5 }),
        }),
        fc.integer({ min: 0, max: 1e6 }),
        (bits, k, stride, pad, shape, seed) => {
          const b = new NetBuilder('p', shape);
          b.pool('pool', 'maxpool', k + 1, stride, Math.min(pad, k));
          const l = b.build().layers[0] as HostLayer;
          const x = randomTensor(shape, bits, seed).data;
          const { min } = operandRange(bits);
          const want = Int16Array.from(floatHost(l, [Float32Array.from(x)]), (v) => (v === -Infinity ? min : v));
          expect(maxPoolInt(l, x, bits).data).toEqual(want);
        },
      ),
      { numRuns: 200, seed: propertySeed(20) },
    );
  });
});
