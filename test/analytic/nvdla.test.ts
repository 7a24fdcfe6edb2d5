/** The exact cycle model of the NVDLA-style core and NVDLA's own estimator. */
import { describe, expect, it } from 'vitest';
import { planNvdlaLayer } from '../../src/accel/nvdla/layer-plan.js';
import { nvConvCycles, stripeLengths } from '../../src/accel/nvdla/model.js';
import { SHEET_ALEXNET, SHEET_DEFAULTS, estimateRow } from '../../src/accel/nvdla/estimator.js';
import { loadConfig } from '../../src/config/load.js';
import type { NvdlaConfig } from '../../src/config/schema.js';
import { NetBuilder } from '../../src/nets/builder.js';
import { macLayers } from '../../src/nets/ir.js';
import { alexnet } from '../../src/nets/zoo.js';
import { nvdla } from '../helpers/configs.js';

/** NVDLA's Caffe LeNet conv2: 12x12x20 input, 50 kernels 5x5, 8x8 output. */
function caffeLenetConv2() {
  const b = new NetBuilder('caffe-lenet', { h: 12, w: 12, c: 20 });
  b.conv('conv2', { out: 50, k: 5 });
  return macLayers(b.build())[0]!;
}
const preset = (name: string) => loadConfig(name) as NvdlaConfig;

describe('NVDLA sequencer stripes', () => {
  it('v2 (nv_small): upper 2*atomK while two fit, then the remainder once it fits, else atomK', () => {
    expect(stripeLengths(64, 'v2', 8)).toEqual([16, 16, 16, 16]);
    expect(stripeLengths(40, 'v2', 8)).toEqual([16, 8, 16]);
    expect(stripeLengths(5, 'v2', 8)).toEqual([5]);
    expect(stripeLengths(100, 'v2', 8).reduce((a, b) => a + b)).toBe(100);
  });
  it('v1 (nv_full): 16 until the remainder fits 32', () => {
    expect(stripeLengths(64, 'v1', 32)).toEqual([16, 16, 32]);
    expect(stripeLengths(49, 'v1', 32)).toEqual([16, 16, 17]);
    expect(stripeLengths(21, 'v1', 32)).toEqual([21]);
  });
});

describe('NVDLA exact cycle model', () => {
  it('Caffe LeNet conv2 takes 33,600 issue cycles on nv_small, 3,200 on nv_full INT8 and 6,400 on nv_full INT16', () => {
    const l = caffeLenetConv2();
    const issue = (cfg: NvdlaConfig) => planNvdlaLayer(l, cfg).convs.map((c) => nvConvCycles(c, cfg)).reduce((s, m) => s + m.issue, 0);
    expect(issue(preset('nv_small'))).toBe(33_600);
    expect(issue(preset('nv_full_int8'))).toBe(3_200);
    expect(issue(preset('nv_full_int16'))).toBe(6_400);
    const m = nvConvCycles(planNvdlaLayer(l, preset('nv_small')).convs[0]!, preset('nv_small'));
    expect(m).toMatchObject({ groups: 7, channelBlocks: 3, packages: 7 * 4 * 3 * 25, preload: 8, idleTail: 0 });
    // Utilisation = C*K*R*S*P / (atomC*atomK*T_issue) = 74 % on nv_small.
    expect(m.macs / (64 * m.issue)).toBeCloseTo(0.744, 3);
  });

  it('FC layers are weight-reload bound: each package lasts the minimum stripe', () => {
    const b = new NetBuilder('fc', { h: 1, w: 1, c: 400 });
    b.fc('fc1', 120);
    const l = macLayers(b.build())[0]!;
    const cfg = preset('nv_small');
    const m = nvConvCycles(planNvdlaLayer(l, cfg).convs[0]!, cfg);
    // 15 kernel groups x 50 channel blocks, one point per stripe, packages of max(1, 8, 8) = 8 cycles.
    expect(m.issue).toBe(15 * 50 * 8);
    expect(m.idleTail).toBe(7);
  });

  it('with MIN_STRIPE 1 short stripes wait for the weight reload; a DMA term loads the input first', () => {
    const b = new NetBuilder('s', { h: 3, w: 3, c: 8 });
    b.conv('c', { out: 8, k: 1 });
    const l = macLayers(b.build())[0]!;
    const base = nvdla(8, 8, { min_stripe: 1 });
    const m = nvConvCycles(planNvdlaLayer(l, base).convs[0]!, base);
    // 9 points in one stripe, one package; nothing to reload after it: 9 slots.
    expect(m.issue).toBe(9);
    const dma = nvdla(8, 8, { min_stripe: 1, dma_words_per_cycle: 4 });
    const d = nvConvCycles(planNvdlaLayer(l, dma).convs[0]!, dma);
    expect(d.dma).toBe(Math.ceil((3 * 3 * 8) / 4));
    expect(d.total - m.total).toBe(18);
    const fc = new NetBuilder('f', { h: 1, w: 1, c: 16 });
    fc.fc('f', 16);
    const lf = macLayers(fc.build())[0]!;
    // Two channel blocks x two kernel groups, one point: each package lasts the 8-cycle reload of the next;
    // the sequencer stops right after the last operation (7 idle slots not waited for).
    expect(nvConvCycles(planNvdlaLayer(lf, base).convs[0]!, base)).toMatchObject({ issue: 4 * 8, idleTail: 7 });
  });

  it("an SDP narrower than atomic_k makes 1x1 layers with few channels output-bound, as on nv_small", () => {
    const b = new NetBuilder('s', { h: 8, w: 8, c: 8 });
    b.conv('c', { out: 8, k: 1 });
    const l = macLayers(b.build())[0]!;
    const full = nvdla(8, 8);
    const narrow = nvdla(8, 8, { sdp_lanes: 2 });
    const a = nvConvCycles(planNvdlaLayer(l, full).convs[0]!, full);
    const n = nvConvCycles(planNvdlaLayer(l, narrow).convs[0]!, narrow);
    // One channel block, one tap: every package produces results, 8 kernels at 2 per cycle -> 4 cycles per point.
    expect(a.issue).toBe(64);
    expect(n.issue).toBe(4 * 64);
    expect(n.total - a.total).toBe(4 * 64 - 3 - 64);
  });

  it('splits a layer whose input does not fit the feature buffer into bands of output rows', () => {
    const conv1 = macLayers(alexnet())[0]!;
    const plan = planNvdlaLayer(conv1, preset('nv_small'));
    expect(plan.bands).toBeGreaterThan(1);
    expect(plan.notes.join(' ')).toMatch(/split into \d+ bands of output rows/);
    expect(plan.convs.reduce((s, c) => s + c.outH, 0)).toBe(55);
  });

  it('takes kernels in smaller chunks when one kernel group does not fit the weight buffer', () => {
    const fc6 = macLayers(alexnet()).find((l) => l.name === 'fc6')!;
    const plan = planNvdlaLayer(fc6, preset('nv_full_int16'));
    expect(plan.kernelChunk).toBeLessThan(16);
    expect(plan.notes.join(' ')).toMatch(/kernels taken \d+ at a time/);
  });

  it('rejects a layer that cannot fit even when split', () => {
    const b = new NetBuilder('huge', { h: 4, w: 4000, c: 64 });
    b.conv('wide', { out: 8, k: 3 });
    expect(() => planNvdlaLayer(macLayers(b.build())[0]!, nvdla(8, 8, { feature_buffer_kb: 16 }))).toThrow(/layer wide: one output row needs \d+ feature-buffer entries, the core has \d+ .*cannot fit even when split/);
    const fc = new NetBuilder('fc', { h: 1, w: 1, c: 100000 });
    fc.fc('fat', 10);
    expect(() => planNvdlaLayer(macLayers(fc.build())[0]!, nvdla(8, 8, { weight_buffer_kb: 16 }))).toThrow(/layer fat: one kernel needs \d+ weight-buffer entries.*cannot fit even when split/);
  });
});

describe("NVDLA's performance estimator", () => {
  it('reproduces the published AlexNet figure at its defaults: 895,443.5625 cycles, 0.895 ms per frame', () => {
    const total = SHEET_ALEXNET.reduce((s, r) => s + estimateRow(r, SHEET_DEFAULTS).cycles, 0);
    expect(total).toBe(895_443.5625);
    expect((total / SHEET_DEFAULTS.clockMhz / 1000).toFixed(3)).toBe('0.895');
  });
  it('is MAC-bound on conv1/conv2 and DRAM-bound on the rest, as the sheet shows', () => {
    const bound = SHEET_ALEXNET.map((r) => { const e = estimateRow(r, SHEET_DEFAULTS); return e.macCycles >= e.dramCycles ? 'MAC' : 'DRAM'; });
    expect(bound).toEqual(['MAC', 'MAC', 'MAC', 'DRAM', 'DRAM', 'DRAM', 'DRAM', 'DRAM', 'DRAM', 'DRAM', 'DRAM']);
    expect(estimateRow(SHEET_ALEXNET[0]!, SHEET_DEFAULTS).macCycles).toBe(49_617.5625);
    expect(estimateRow(SHEET_ALEXNET[8]!, SHEET_DEFAULTS).dramCycles).toBe(231_700);
  });
});
