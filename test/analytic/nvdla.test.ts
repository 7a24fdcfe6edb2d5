/** The exact cycle model of the NVDLA-style core and NVDLA's own estimator. */
import { describe, expect, it } from 'vitest';
import { planNvdlaLayer } from '../../src/accel/nvdla/layer-plan.js';
import { nvConvCycles, stripeLengths } from '../../src/accel/nvdla/model.js';
import {
  SHEET_DEFAULTS,
  estimatorAssumptions,
  estimatorSettings,
  fusedPool,
  nvdlaLayerEstimate,
  rowOfLayer,
} from '../../src/accel/nvdla/estimator.js';
import { nvdla as nvdlaKind } from '../../src/accel/nvdla/index.js';
import { analyzeNvdlaNetwork } from '../../src/accel/nvdla/network.js';
import { evaluateSheet } from '../../src/accel/nvdla/sheet.js';
import { loadConfig } from '../../src/config/load.js';
import type { NvdlaConfig } from '../../src/config/schema.js';
import { NetBuilder } from '../../src/nets/builder.js';
import { macLayers } from '../../src/nets/ir.js';
import { alexnet, lenet5 } from '../../src/nets/zoo/index.js';
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
    const issue = (cfg: NvdlaConfig) =>
      planNvdlaLayer(l, cfg)
        .convs.map((c) => nvConvCycles(c, cfg))
        .reduce((s, m) => s + m.issue, 0);
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

  it('an SDP narrower than atomic_k makes 1x1 layers with few channels output-bound, as on nv_small', () => {
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
    expect(() => planNvdlaLayer(macLayers(b.build())[0]!, nvdla(8, 8, { feature_buffer_kb: 16 }))).toThrow(
      /layer wide: one output row needs \d+ feature-buffer entries, the core has \d+ .*cannot fit even when split/,
    );
    const fc = new NetBuilder('fc', { h: 1, w: 1, c: 100000 });
    fc.fc('fat', 10);
    expect(() => planNvdlaLayer(macLayers(fc.build())[0]!, nvdla(8, 8, { weight_buffer_kb: 16 }))).toThrow(
      /layer fat: one kernel needs \d+ weight-buffer entries.*cannot fit even when split/,
    );
  });
});

describe("NVDLA's performance estimator on mactile networks", () => {
  it("enters torchvision AlexNet's conv1 (pad 2, 55x55 out) as the sheet's own conv1: unpadded at 224, pooling fused", () => {
    const net = alexnet();
    const conv1 = macLayers(net)[0]!;
    expect(rowOfLayer(conv1, fusedPool(net, conv1))).toEqual({
      name: 'conv1',
      c: 3,
      h: 224,
      w: 224,
      k: 64,
      r: 11,
      s: 11,
      strideH: 4,
      strideW: 4,
      padded: false,
      pool: { size: 3, stride: 2 },
      winograd: false,
      fc: false,
    });
    // A 3x3 'same' layer keeps its size: the sheet's "Zero Padding" flag; a window the input does not fit uses the rows read.
    expect(rowOfLayer(macLayers(net)[2]!)).toMatchObject({ h: 13, padded: true, winograd: true });
    const b = new NetBuilder('odd', { h: 10, w: 10, c: 8 });
    b.conv('c', { out: 8, k: 3, stride: 2 });
    expect(rowOfLayer(macLayers(b.build())[0]!)).toMatchObject({ h: 9, w: 9, padded: false });
  });

  it("splits a grouped convolution into one row per group, as the sheet's AlexNet conv2 (rows 12 and 13)", () => {
    const b = new NetBuilder('grouped', { h: 27, w: 27, c: 96 });
    b.conv('conv2', { out: 256, k: 5, pad: 2, groups: 2 });
    b.pool('pool2', 'maxpool', 3, 2);
    const net = b.build();
    const e = nvdlaLayerEstimate(macLayers(net)[0]!, preset('nv_full_int8'), net);
    const row12 = evaluateSheet('AlexNet');
    expect(e.cycles).toBe(2 * (row12.value('max0', 12) as number));
    expect(e.inputKb).toBe(2 * (row12.value('In', 12) as number));
  });

  it('takes its MACs, clock and DRAM from the config, 2-byte data for INT16, FC batch 16', () => {
    expect(estimatorSettings(preset('nv_full_int8'))).toEqual(SHEET_DEFAULTS);
    expect(estimatorSettings(preset('nv_full_int16'))).toEqual({ ...SHEET_DEFAULTS, macs: 1024, dataBytes: 2 });
    expect(estimatorSettings(preset('nv_small'))).toEqual({ ...SHEET_DEFAULTS, macs: 64 });
  });

  it('is pessimistic against the RTL on LeNet-5 on nv_small and optimistic on AlexNet on nv_full INT8', () => {
    const lenet = analyzeNvdlaNetwork(lenet5(), preset('nv_small'));
    expect(lenet.totals).toMatchObject({ cycles: 32_153, estimatorCycles: 89_335 });
    // conv1 has one input channel and six kernels, counted as 16 x 16 by the sheet on 64 MACs.
    expect(lenet.layers.map((l) => l.estimatorCycles)).toEqual([78_400, 10_000, 750, 168, 17]);
    const alex = analyzeNvdlaNetwork(alexnet(), preset('nv_full_int8'));
    expect(alex.totals).toMatchObject({ cycles: 1_477_806, estimatorCycles: 899_222.375 });
    expect(alex.layers.map((l) => l.estimatorCycles)).toEqual([
      33_078.375, 109_350, 124_707, 164_163, 107_525, 231_700, 103_200, 25_499,
    ]);
  });

  it('lists what it assumes, under the analyze table and in its JSON', () => {
    const cfg = preset('nv_small');
    const a = nvdlaKind.analyzeNetwork(lenet5(), cfg);
    expect(nvdlaKind.analysisNotes!(a)).toEqual([
      `  NVDLA estimator assumes: ${estimatorAssumptions(estimatorSettings(cfg)).join('; ')}`,
    ]);
    expect(nvdlaKind.analysisJson(a, cfg)).toMatchObject({
      estimator: { settings: estimatorSettings(cfg), assumptions: estimatorAssumptions(estimatorSettings(cfg)) },
    });
    expect(estimatorAssumptions(estimatorSettings(preset('nv_small')))).toEqual([
      'Winograd on every 3x3 layer (MAC cycles / 2.25, weights x 16/9), though this core has none',
      'FC layers batched by 16',
      'DRAM 10 GB/s at full efficiency, overlapped with compute',
      'no on-chip SRAM, each tensor through DRAM once per layer',
      'C and K padded to 16, 64 MACs, 1-byte data',
      'no buffer load or pipeline fill',
    ]);
  });
});
