/**
 * The float executor's WebAssembly MAC kernels equal the JavaScript reference loops bit for bit: on random
 * conv, grouped, depthwise (with and without a channel multiplier) and FC layers with padding, stride and
 * dilation, values including signed zeros and magnitudes far apart; and on every tensor of whole-model runs
 * of real digits of the three shipped models.
 */
import { join } from 'node:path';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetBuilder } from '../../src/nets/builder.js';
import { macLayers, type MacLayer } from '../../src/nets/ir.js';
import { loadOnnxModel } from '../../src/nets/onnx-import.js';
import { runFloat } from '../../src/quant/float-exec.js';
import { floatMacWasm } from '../../src/quant/float-wasm.js';
import { mnistSplit } from '../../src/quant/mnist.js';
import { rng } from '../../src/quant/random.js';
import { projectRoot } from '../../src/util/paths.js';
import { referenceFloatMac, referenceRunFloat } from '../helpers/float-reference.js';
import { propertySeed } from '../helpers/layer-cases.js';

const spec = fc.record({
  h: fc.integer({ min: 1, max: 9 }),
  w: fc.integer({ min: 1, max: 9 }),
  kh: fc.integer({ min: 1, max: 5 }),
  kw: fc.integer({ min: 1, max: 5 }),
  stride: fc.integer({ min: 1, max: 3 }),
  pads: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }),
  dilation: fc.constantFrom(1, 1, 2),
  kind: fc.constantFrom('conv', 'grouped', 'depthwise', 'multiplier', 'fc'),
  cin: fc.integer({ min: 1, max: 11 }),
  cout: fc.integer({ min: 1, max: 19 }),
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
});
type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

function layerOf(s: Spec): MacLayer {
  if (s.kind === 'fc') {
    const b = new NetBuilder('p', { h: 1, w: 1, c: s.cin * 5 });
    b.fc('fc', s.cout);
    return macLayers(b.build())[0]!;
  }
  const groups = s.kind === 'conv' ? 1 : s.kind === 'grouped' ? 2 + (s.seed % 2) : s.cin;
  const cin = s.kind === 'grouped' ? groups * s.cin : s.cin;
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

/** Values over many magnitudes and both signed zeros, as float32. */
function values(n: number, r: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => {
    const u = r();
    if (u < 0.05) return 0;
    if (u < 0.1) return -0;
    return (r() - 0.5) * 2 ** Math.floor(r() * 40 - 20);
  });
}

const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

describe('the float WebAssembly MAC kernels equal the reference loops bit for bit', () => {
  it('on random conv, grouped, depthwise, multiplier and FC layers', () => {
    let outputs = 0;
    fc.assert(
      fc.property(spec, (s) => {
        const l = layerOf(s);
        const r = rng(s.seed);
        const k = l.kernel.h * l.kernel.w * (l.inShape.c / l.groups);
        const x = values(l.inShape.h * l.inShape.w * l.inShape.c, r);
        const w = values(k * l.outShape.c, r);
        const b = values(l.outShape.c, r);
        const got = floatMacWasm(l, x, w, b);
        expect(bits(got)).toEqual(bits(referenceFloatMac(l, x, w, b)));
        outputs += got.length;
      }),
      { numRuns: 400, seed: propertySeed(31) },
    );
    expect(outputs).toBeGreaterThan(10_000);
  });

  it.each([
    ['lenet5.onnx', 20],
    ['alexnet_mnist.onnx', 3],
    ['efficientnet_b0_mnist.onnx', 3],
  ] as const)(
    'every tensor of %s on real digits',
    (file, digits) => {
      const m = loadOnnxModel(join(projectRoot(), 'models', file));
      const test = mnistSplit().test.filter((_, i) => i % Math.floor(2000 / digits) === 0);
      let compared = 0;
      for (const d of test) {
        const ref = referenceRunFloat(m, d.pixels);
        const fast = runFloat(m, d.pixels);
        for (const [name, t] of ref) {
          expect(bits(fast.get(name)!), `${file} ${name}, digit ${d.index}`).toEqual(bits(t));
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(digits * 5);
    },
    120_000,
  );
});
