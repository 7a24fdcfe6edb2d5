/**
 * The activity build variant (docs/ENERGY.md): its toggle counters count popcount(old XOR new) of each PE's
 * operand and accumulator registers, per layer. Pinned on a layer whose toggles are counted by hand, and on
 * layers whose register sequences an independent model rebuilds from the operands (1x1 os array, SCALE-Sim
 * timing: each PE register takes the fold streams' values in fold order, columns outermost). The plain
 * design stays byte for byte what it was. One activity build (1x1 os) serves the RTL tests here. The memory
 * system's variant: test/accel/systolic/memory-activity.test.ts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systolic as systolicKind } from '../../src/accel/systolic/index.js';
import { checkLayer } from '../../src/accel/check.js';
import { buildKey } from '../../src/sim/build.js';
import { buildFor } from '../../src/sim/run-network.js';
import { randomQuantLayer, randomTensor } from '../../src/quant/random.js';
import type { IntTensor, QuantLayer } from '../../src/quant/tensor.js';
import type { MacLayer } from '../../src/nets/ir.js';
import { projectRoot } from '../../src/util/paths.js';
import { runCliInProcess } from '../helpers/cli.js';
import { systolic } from '../helpers/configs.js';
import { layerOf } from '../helpers/layer-cases.js';

/** Bit toggles of a register of `bits` bits that takes the values `seq` in turn, from zero. */
function toggles(seq: number[], bits: number): number {
  const mask = (1n << BigInt(bits)) - 1n;
  let prev = 0n;
  let n = 0;
  for (const v of seq) {
    const cur = BigInt(v) & mask;
    for (let d = prev ^ cur; d; d >>= 1n) n += Number(d & 1n);
    prev = cur;
  }
  return n;
}

/**
 * The toggles a 1x1 output-stationary PE sees on a layer with a 1x1 kernel (A[m][k] = input pixel m, channel
 * k; B[k][n] = weight n, k): one fold per output, columns (n) outermost; a_q and b_q take A[m][k] and B[k][n]
 * for k = 0..K-1, acc the running sums.
 */
function pe1x1Model(l: MacLayer, x: IntTensor, q: QuantLayer): { a: number; b: number; psum: number } {
  const acc = q.bits === 8 ? 32 : 48;
  const K = l.inShape.c;
  const M = l.outShape.h * l.outShape.w;
  const a: number[] = [];
  const b: number[] = [];
  const sums: number[] = [];
  for (let n = 0; n < l.outShape.c; n++)
    for (let m = 0; m < M; m++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        a.push(x.data[m * K + k]!);
        b.push(q.weights[n * K + k]!);
        sums.push((s += x.data[m * K + k]! * q.weights[n * K + k]!));
      }
    }
  return { a: toggles(a, q.bits), b: toggles(b, q.bits), psum: toggles(sums, acc) };
}

const CFG = systolic(1, 1, 'os');

describe('activity variant: the plain build untouched', () => {
  it('the plain templates are the activity templates without their "// activity" lines', () => {
    for (const df of ['os', 'ws']) {
      const read = (f: string) => readFileSync(join(projectRoot(), 'hw-templates', f), 'utf8');
      const act = read(`mt_array_${df}_act.sv`);
      const stripped = act
        .split('\n')
        .filter((line) => !line.includes('// activity'))
        .join('\n')
        .replace(`mt_array_${df}_act`, `mt_array_${df}`);
      expect(stripped).toBe(read(`mt_array_${df}.sv`));
      expect(act).toMatch(/\$countones/);
    }
  });

  it('activity off gives the plain design and key; on, another design and key', () => {
    const plain = systolicKind.design(CFG);
    expect(systolicKind.design(CFG, { activity: false })).toEqual(plain);
    const act = systolicKind.design(CFG, { activity: true });
    expect(act.hash).not.toBe(plain.hash);
    expect(act.files.map(([f]) => f)).toContain('mt_array_os_act.sv');
    expect(plain.files.map(([f]) => f)).not.toContain('mt_array_os_act.sv');
    expect(plain.header).not.toContain('MT_ACTIVITY');
    const key = buildKey(plain, 'Verilator 5.006');
    expect(buildKey(plain, 'Verilator 5.006', { activity: false })).toBe(key);
    expect(buildKey(plain, 'Verilator 5.006', { activity: true })).not.toBe(key);
  });
});

describe('activity counters on a 1x1 os array', () => {
  it('count the toggles worked out by hand on x = [1, 3], w = [2, -1]', async () => {
    const build = await buildFor(CFG, {}, { activity: true });
    const { layer } = layerOf({ kind: 'fc', k: 2, n: 1 });
    const q = { ...randomQuantLayer(layer, 8, 1), weights: Int16Array.from([2, -1]) };
    const x = { shape: layer.inShape, data: Int16Array.from([1, 3]) };
    const { check } = await checkLayer(systolicKind, build, CFG, layer, x, q);
    expect(check.bitExact).toBe(true);
    // a_q: 0 -> 1 -> 3 (1 + 1); b_q: 0 -> 0x02 -> 0xff (1 + 7); acc: 0 -> 2 -> -1 = 0xffffffff (1 + 31).
    expect(check.activity).toEqual({ a: 2, b: 8, psum: 32 });
  });

  for (const [spec, bits] of [
    [{ kind: 'fc', k: 5, n: 3 }, 8],
    [{ kind: 'conv', h: 3, w: 2, c: 4, out: 3, k: 1, stride: 1, pad: 0, dilation: 1, relu: false }, 8],
    [{ kind: 'fc', k: 4, n: 2 }, 16],
  ] as const)
    it(`count what an independent model of the PE registers counts: ${spec.kind}, random INT${bits} operands`, async () => {
      const cfg = bits === 8 ? CFG : systolic(1, 1, 'os', 'scalesim', 'int16');
      const build = await buildFor(cfg, {}, { activity: true });
      const { layer } = layerOf(spec);
      const x = randomTensor(layer.inShape, bits, 7);
      const q = randomQuantLayer(layer, bits, 7);
      const { check } = await checkLayer(systolicKind, build, cfg, layer, x, q);
      expect([check.bitExact, check.cycleExact]).toEqual([true, true]);
      expect(check.activity).toEqual(pe1x1Model(layer, x, q));
      // Deterministic: the same layer again counts the same.
      const again = await checkLayer(systolicKind, build, cfg, layer, x, q);
      expect(again.check.activity).toEqual(check.activity);
    });

  it("sim --activity prints the table and names the registers; JSON carries each layer's toggles", async () => {
    const args = ['sim', '--net', 'lenet5', '--config', 'sa-8x8-os', '--rows', '1', '--cols', '1', '--layers', 'fc3'];
    const table = await runCliInProcess([...args, '--activity']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/a toggles\s+b toggles\s+psum toggles/);
    expect(table.stdout).toContain('u_array.a_q[i][j]');
    const energy = await runCliInProcess([...args, '--activity', '--energy', '--energy-table', 'horowitz-45nm']);
    // The register energy comes from this run's counters, and the figures name their table.
    expect(energy.stdout).toMatch(/fc3 +840 +activity /);
    expect(energy.stdout).toContain('from horowitz-45nm (Horowitz, ISSCC 2014, 45 nm)');
    const json = await runCliInProcess([...args, '--activity', '--format', 'json']);
    const doc = JSON.parse(json.stdout) as {
      layers: { activity: { a: number } }[];
      activityRegisters: { psum: string };
    };
    expect(doc.layers[0]!.activity.a).toBeGreaterThan(0);
    expect(doc.activityRegisters.psum).toContain('acc');
    const plain = JSON.parse((await runCliInProcess([...args, '--format', 'json'])).stdout) as { layers: object[] };
    expect(plain.layers[0]).not.toHaveProperty('activity');
  });

  it('replay --activity of a kept job counts the same toggles as the run that kept it', async () => {
    const keep = mkdtempSync(join(tmpdir(), 'mactile-act-keep-'));
    const args = ['sim', '--net', 'lenet5', '--config', 'sa-8x8-os', '--rows', '1', '--cols', '1', '--layers', 'fc3'];
    const run = await runCliInProcess([...args, '--activity', '--keep-jobs', keep, '--format', 'json']);
    expect(run.code).toBe(0);
    const kept = (JSON.parse(run.stdout) as { layers: { activity: object }[] }).layers[0]!.activity;
    const file = join(keep, 'layer_fc3.replay.json');
    const json = await runCliInProcess(['replay', file, '--activity', '--format', 'json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { reproduced: boolean; check: { activity: object } };
    expect(doc.reproduced).toBe(true);
    expect(doc.check.activity).toEqual(kept);
    const table = await runCliInProcess(['replay', file, '--activity']);
    expect(table.stdout).toMatch(/a toggles\s+b toggles\s+psum toggles/);
    const plain = JSON.parse((await runCliInProcess(['replay', file, '--format', 'json'])).stdout) as {
      check: object;
    };
    expect(plain.check).not.toHaveProperty('activity');
  });

  // The memory system's activity variant: test/accel/systolic/memory-activity.test.ts.
  it('refuses --activity on a kind without an activity variant', async () => {
    const nv = await runCliInProcess(['sim', '--net', 'lenet5', '--config', 'nv_small', '--activity']);
    expect(nv.code).not.toBe(0);
    expect(nv.stderr).toMatch(/--activity: .*has no activity variant; expected a systolic config/);
  });
});
