/**
 * The fast golden kernels (im2col, GEMM in doubles, requantization in Numbers) equal the reference
 * arithmetic (direct loop window sums, BigInt requantization) exactly: on random layers of every kind and
 * both precisions, with probe channels (small shifts, ties, saturation), zero points and operands at the
 * extremes; and on whole models, where every tensor of an inference of a real digit (float host ops
 * through their fast paths included) is identical to the reference executor's.
 */
import { join } from 'node:path';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetBuilder } from '../../src/nets/builder.js';
import { macLayers, type MacLayer } from '../../src/nets/ir.js';
import { loadOnnxModel } from '../../src/nets/onnx-import.js';
import { accumulatorBound, goldenAccumulators, goldenLayer } from '../../src/quant/golden.js';
import { runQuant, runQuantWith } from '../../src/quant/int-exec.js';
import { calibrationDigits, mnistSplit } from '../../src/quant/mnist.js';
import { collectStats, quantizeModel } from '../../src/quant/quantize.js';
import { randomQuantLayer, randomTensor, rng } from '../../src/quant/random.js';
import { operandRange, requantize } from '../../src/quant/requant.js';
import type { IntTensor, QuantLayer } from '../../src/quant/tensor.js';
import { projectRoot } from '../../src/util/paths.js';
import { referenceAccumulators, referenceLayer, requantizeBig } from '../helpers/golden-reference.js';
import { propertySeed } from '../helpers/layer-cases.js';

const spec = fc.record({
  h: fc.integer({ min: 1, max: 9 }),
  w: fc.integer({ min: 1, max: 9 }),
  kh: fc.integer({ min: 1, max: 5 }),
  kw: fc.integer({ min: 1, max: 5 }),
  stride: fc.integer({ min: 1, max: 3 }),
  pads: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }),
  dilation: fc.constantFrom(1, 1, 2),
  // conv, grouped (2 or 3 groups), depthwise (1 in, 1 out per group), depthwise with a multiplier, FC
  kind: fc.constantFrom('conv', 'grouped', 'depthwise', 'multiplier', 'fc'),
  cin: fc.integer({ min: 1, max: 7 }),
  cout: fc.integer({ min: 1, max: 9 }),
  bits: fc.constantFrom(8 as const, 16 as const),
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
  extreme: fc.boolean(),
});
type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

function layerOf(s: Spec): MacLayer {
  if (s.kind === 'fc') {
    const b = new NetBuilder('p', { h: 1, w: 1, c: s.cin * 5 });
    b.fc('fc', s.cout);
    return macLayers(b.build())[0]!;
  }
  const groups = s.kind === 'conv' ? 1 : s.kind === 'grouped' ? 2 + (s.seed % 2) : s.cin;
  const cin = s.kind === 'conv' ? s.cin : s.kind === 'grouped' ? groups * s.cin : s.cin;
  const out =
    s.kind === 'depthwise' ? cin : s.kind === 'multiplier' ? cin * 2 : s.kind === 'grouped' ? groups * s.cout : s.cout;
  const [top, bottom, left, right] = s.pads.map((p, i) => Math.min(p, (i < 2 ? s.kh : s.kw) - 1));
  const h = Math.max(s.h, s.dilation * (s.kh - 1) + 1 - top! - bottom!);
  const w = Math.max(s.w, s.dilation * (s.kw - 1) + 1 - left! - right!);
  const b = new NetBuilder('p', { h, w, c: cin });
  b.conv('conv', {
    out,
    k: [s.kh, s.kw],
    stride: s.stride,
    pad: { top: top!, bottom: bottom!, left: left!, right: right! },
    dilation: s.dilation,
    groups,
  });
  return macLayers(b.build())[0]!;
}

/** A random quantized layer and input; `extreme`: operands at the ends of the range (the largest sums). */
function operands(l: MacLayer, s: Spec): { x: IntTensor; q: QuantLayer } {
  const q = randomQuantLayer(l, s.bits, s.seed);
  const x = randomTensor(l.inShape, s.bits, s.seed + 1);
  const r = rng(s.seed + 2);
  const { min, max } = operandRange(s.bits);
  q.inZeroPoint = Math.round((r() - 0.5) * (s.bits === 8 ? 200 : 50000));
  // Half of the INT16 layers without -32768 weights: those run through the WebAssembly GEMM, the others in doubles.
  if (s.seed % 2 === 0) for (let i = 0; i < q.weights.length; i++) q.weights[i] = Math.max(-max, q.weights[i]!);
  if (s.extreme) {
    for (let i = 0; i < x.data.length; i++) x.data[i] = r() < 0.5 ? min : max;
    for (let i = 0; i < q.weights.length; i++) if (r() < 0.7) q.weights[i] = r() < 0.5 ? -max : max;
  }
  return { x, q };
}

describe('the fast golden kernels equal the reference arithmetic', () => {
  it('on random conv, grouped, depthwise and FC layers, INT8 and INT16 (accumulators and outputs)', () => {
    let outputs = 0;
    fc.assert(
      fc.property(spec, (s) => {
        const l = layerOf(s);
        const { x, q } = operands(l, s);
        const acc = goldenAccumulators(l, x, q);
        expect(Array.from(acc, (v) => BigInt(v))).toEqual(referenceAccumulators(l, x, q));
        expect(goldenLayer(l, x, q).data).toEqual(referenceLayer(l, x, q).data);
        outputs += acc.length;
      }),
      { numRuns: 400, seed: propertySeed(17) },
    );
    expect(outputs).toBeGreaterThan(10_000);
  });

  it('requantizes every accumulator below 2^53 as the BigInt definition does (ties, shift 0..63, saturation)', () => {
    const stage = fc.record({
      mult: fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 16 })),
      shift: fc.integer({ min: 0, max: 63 }),
      relu: fc.boolean(),
      zeroPoint: fc.integer({ min: -300, max: 300 }),
      bits: fc.constantFrom(8 as const, 16 as const),
    });
    const big = 2n ** 52n;
    fc.assert(
      fc.property(
        stage,
        fc.bigInt({ min: -big, max: big }),
        fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }),
        fc.integer({ min: 0, max: 52 }),
        (s, acc, bias, tie) => {
          // Half of the runs: acc + bias an odd multiple of 2^(tie-1) with an odd multiplier, an exact tie at shift = tie.
          const x = acc + bias;
          const cases: [bigint, typeof s][] = [[acc, s]];
          if (tie > 0 && s.mult % 2 === 1) {
            const q = (x >> BigInt(tie)) | 1n;
            const t = (q << BigInt(tie - 1)) - bias;
            if (t + bias >= -big && t + bias <= big) cases.push([t, { ...s, shift: tie }]);
          }
          for (const [a, st] of cases)
            expect(requantize(Number(a), Number(bias), st), `${a} ${bias} ${JSON.stringify(st)}`).toBe(
              requantizeBig(a, { ...st, bias }),
            );
        },
      ),
      { numRuns: 20_000, seed: propertySeed(18) },
    );
  });

  it('names a layer whose accumulators could pass 2^53 instead of computing it inexactly', () => {
    const b = new NetBuilder('huge', { h: 1, w: 1, c: 2 ** 23 + 2 ** 12 });
    b.fc('wide', 1);
    const l = macLayers(b.build())[0]!;
    const q: QuantLayer = {
      bits: 16,
      weights: new Int16Array(l.inShape.c).fill(32767),
      bias: [0n],
      mult: [1],
      shift: [0],
      relu: false,
      inZeroPoint: 0,
      outZeroPoint: 0,
    };
    expect(accumulatorBound(l, q)).toBeGreaterThanOrEqual(2 ** 53);
    expect(() => goldenLayer(l, { shape: l.inShape, data: new Int16Array(l.inShape.c) }, q)).toThrow(
      /layer wide's accumulators can reach .*beyond 2\^53/,
    );
  });
});

describe('whole models on real digits: every tensor identical to the reference executor', () => {
  const models = join(projectRoot(), 'models');
  it.each([
    ['lenet5.onnx', 40],
    ['efficientnet_b0_mnist.onnx', 2],
  ] as const)(
    '%s',
    async (file, digits) => {
      const m = loadOnnxModel(join(models, file));
      const stats = collectStats(
        m,
        calibrationDigits(50).map((d) => d.pixels),
      );
      const test = mnistSplit().test.filter((_, i) => i % Math.floor(2000 / digits) === 0);
      for (const [bits, symmetric, granularity] of [
        [8, true, 'channel'],
        [16, true, 'channel'],
        [8, false, 'tensor'],
        [16, false, 'channel'],
      ] as const) {
        const qm = quantizeModel(m, stats, { bits, calibration: 'mse', granularity, symmetric });
        for (const d of test) {
          const fast = runQuant(qm, d.pixels);
          const ref = await runQuantWith(qm, d.pixels, async (l, x, q) => referenceLayer(l, x, q), {
            referenceHost: true,
          });
          for (const [name, t] of ref.tensors)
            expect(fast.tensors.get(name)!.data, `${file} INT${bits} ${name}, digit ${d.index}`).toEqual(t.data);
        }
      }
    },
    300_000,
  );
});
