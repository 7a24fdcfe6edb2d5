/**
 * The WebAssembly output stage equals the definitions exactly: mode rhaz the BigInt rule of
 * test/helpers/golden-reference.ts, mode ort requantizeOrt, on random channels with every shift 0..63,
 * multipliers up to 2^31 - 1, exact ties, accumulators up to 2^53 and saturation; and whole random layers
 * in mode ort (the fused kernels' output pass) against the direct-loop accumulators. Mode gemmlowp is left
 * to requant.ts.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NetBuilder } from '../../src/nets/builder.js';
import { macLayers } from '../../src/nets/ir.js';
import { goldenLayer } from '../../src/quant/golden.js';
import { requantizeWasm } from '../../src/quant/golden-wasm.js';
import { randomQuantLayer, randomTensor } from '../../src/quant/random.js';
import { channelStages, operandRange } from '../../src/quant/requant.js';
import { ortFactor, requantizeOrt } from '../../src/quant/requant-modes.js';
import { referenceAccumulators, requantizeBig } from '../helpers/golden-reference.js';
import { propertySeed } from '../helpers/layer-cases.js';

const LIMIT = 2n ** 53n - 1n;

/** An accumulator for a channel: random, extreme (|acc + bias| = 2^53 - 1), small, or an exact tie of the shift (and its neighbours). */
const accumulator = (bias: bigint, mult: number, shift: number) =>
  fc
    .tuple(
      fc.constantFrom('random', 'extreme', 'small', 'tie'),
      fc.bigInt({ min: -LIMIT, max: LIMIT }),
      fc.integer({ min: -1, max: 1 }),
      fc.boolean(),
    )
    .map(([kind, v, nudge, negative]) => {
      let x = v;
      if (kind === 'extreme') x = negative ? -LIMIT : LIMIT;
      if (kind === 'small') x = v % 100000n;
      if (kind === 'tie' && shift > 0 && mult % 2 === 1) {
        // An odd multiple of 2^(shift-1) times an odd multiplier: a remainder of exactly half.
        const k = ((v >> BigInt(Math.max(0, shift + 1))) | 1n) << BigInt(shift - 1);
        x = k + BigInt(nudge);
      }
      if (x > LIMIT) x = LIMIT;
      if (x < -LIMIT) x = -LIMIT;
      return x - bias;
    });

const channel = fc
  .record({
    mult: fc.oneof(
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.integer({ min: 2 ** 30, max: 2 ** 31 - 1 }),
      fc.integer({ min: 0, max: 16 }),
    ),
    shift: fc.integer({ min: 0, max: 63 }),
    bias: fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }),
  })
  .chain((ch) =>
    fc.record({
      ch: fc.constant(ch),
      accs: fc.array(accumulator(ch.bias, ch.mult, ch.shift), { minLength: 4, maxLength: 4 }),
    }),
  );

const common = fc.record({
  relu: fc.boolean(),
  zeroPoint: fc.integer({ min: -300, max: 300 }),
  bits: fc.constantFrom(8 as const, 16 as const),
});

describe('the WebAssembly output stage equals the definitions', () => {
  it('mode rhaz: the BigInt rule for every shift 0..63, ties, 2^53 accumulators and saturation (and below 2^31 in one product)', () => {
    let ties = 0;
    let narrowRuns = 0;
    fc.assert(
      fc.property(fc.array(channel, { minLength: 1, maxLength: 5 }), common, fc.boolean(), (wide, s, int32) => {
        // Half of the runs: every acc + bias brought below 2^31 (low bits, so ties, kept).
        const chs = wide.map((x) => ({
          ...x,
          accs: x.accs.map((a) => (int32 ? ((a + x.ch.bias) % 2n ** 31n) - x.ch.bias : a)),
        }));
        const c = chs.length;
        const stages = channelStages({
          bias: chs.map((x) => x.ch.bias),
          mult: chs.map((x) => x.ch.mult),
          shift: chs.map((x) => x.ch.shift),
          relu: s.relu,
          outZeroPoint: s.zeroPoint,
          bits: s.bits,
        });
        const acc = new Float64Array(4 * c);
        for (let r = 0; r < 4; r++) for (let j = 0; j < c; j++) acc[r * c + j] = Number(chs[j]!.accs[r]!);
        const got = requantizeWasm(acc, stages)!;
        // The one-product path where every |acc + bias| < 2^31.
        const narrow = chs.every((x) => x.accs.every((a) => a + x.ch.bias < 2n ** 31n && a + x.ch.bias > -(2n ** 31n)));
        if (narrow) narrowRuns++;
        const got31 = narrow ? requantizeWasm(acc, stages, true)! : got;
        for (let i = 0; i < acc.length; i++) {
          const { ch } = chs[i % c]!;
          const x = (BigInt(acc[i]!) + ch.bias) * BigInt(ch.mult);
          if (ch.shift > 0 && x % (1n << BigInt(ch.shift)) === 1n << BigInt(ch.shift - 1)) ties++;
          const want = requantizeBig(BigInt(acc[i]!), { ...ch, relu: s.relu, zeroPoint: s.zeroPoint, bits: s.bits });
          expect(got[i], `acc ${acc[i]} ${JSON.stringify({ ...ch, bias: String(ch.bias) })}`).toBe(want);
          expect(got31[i], `narrow: acc ${acc[i]}`).toBe(want);
        }
      }),
      { numRuns: 3000, seed: propertySeed(31) },
    );
    expect(ties).toBeGreaterThan(500);
    expect(narrowRuns).toBeGreaterThan(1000);
  });

  it('mode ort: float32 steps and half to even, ties and saturation included', () => {
    const factor = fc.oneof(
      fc.double({ min: 1e-7, max: 4, noNaN: true }).map(Math.fround),
      // Powers of two: x * factor is exact, so exact halves reach the rounding.
      fc.integer({ min: -20, max: 1 }).map((k) => 2 ** k),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            factor,
            fc.array(
              fc.oneof(
                fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
                fc.integer({ min: -64, max: 64 }),
                fc.constantFrom(2 ** 53 - 1, -(2 ** 53 - 1)),
              ),
              { minLength: 3, maxLength: 3 },
            ),
          ),
          { minLength: 1, maxLength: 5 },
        ),
        common,
        fc.integer({ min: -1000, max: 1000 }),
        (chs, s, bias) => {
          const c = chs.length;
          const stages = channelStages({
            bias: chs.map(() => BigInt(bias)),
            mult: chs.map(() => 1),
            shift: chs.map(() => 0),
            relu: s.relu,
            outZeroPoint: s.zeroPoint,
            bits: s.bits,
            requant: 'ort',
            ortFactor: chs.map(([f]) => f),
          });
          const acc = new Float64Array(3 * c);
          for (let r = 0; r < 3; r++)
            for (let j = 0; j < c; j++)
              acc[r * c + j] =
                chs[j]![1][r]! - (Math.abs(chs[j]![1][r]!) > 2 ** 52 ? Math.sign(chs[j]![1][r]!) * Math.abs(bias) : 0);
          const got = requantizeWasm(acc, stages)!;
          const { min, max } = operandRange(s.bits);
          for (let i = 0; i < acc.length; i++)
            expect(got[i], `acc ${acc[i]} factor ${chs[i % c]![0]}`).toBe(
              requantizeOrt(acc[i]! + bias, chs[i % c]![0], s.relu, s.zeroPoint, min, max),
            );
        },
      ),
      { numRuns: 3000, seed: propertySeed(32) },
    );
  });

  it('mode ort through the fused kernels: random conv and depthwise layers against the direct loop', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(8 as const, 16 as const),
        fc.boolean(),
        fc.integer({ min: 0, max: 1e6 }),
        (bits, dw, seed) => {
          const b = new NetBuilder('p', { h: 5, w: 6, c: dw ? 5 : 3 });
          b.conv('conv', { out: dw ? 5 : 6, k: [3, 3], stride: 1 + (seed % 2), pad: 1, groups: dw ? 5 : 1 });
          const l = macLayers(b.build())[0]!;
          const q = randomQuantLayer(l, bits, seed);
          q.requant = 'ort';
          q.ortFactor = Array.from({ length: l.outShape.c }, (_, i) =>
            ortFactor(0.02 + i / 100, 0.003, 0.05 + (seed % 7) / 10),
          );
          if (bits === 16) for (let i = 0; i < q.weights.length; i++) q.weights[i] = Math.max(-32767, q.weights[i]!);
          const x = randomTensor(l.inShape, bits, seed + 1);
          const acc = referenceAccumulators(l, x, q);
          const { min, max } = operandRange(bits);
          const c = l.outShape.c;
          const want = acc.map((a, i) =>
            requantizeOrt(Number(a + q.bias[i % c]!), q.ortFactor![i % c]!, q.relu, q.outZeroPoint, min, max),
          );
          expect(Array.from(goldenLayer(l, x, q).data)).toEqual(want);
        },
      ),
      { numRuns: 100, seed: propertySeed(33) },
    );
  });

  it('leaves mode gemmlowp to requant.ts', () => {
    const stages = channelStages({
      bias: [0n],
      mult: [2 ** 30],
      shift: [31],
      relu: false,
      outZeroPoint: 0,
      bits: 8,
      requant: 'gemmlowp',
    });
    expect(requantizeWasm(new Float64Array(1), stages)).toBeUndefined();
  });
});
