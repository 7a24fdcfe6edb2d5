/**
 * How a MAC layer maps onto the NVDLA-style core: one convolution per channel group (depthwise: one
 * single-channel convolution per channel, NVDLA has no native depthwise mode), FC as a 1x1 convolution
 * of a 1x1 input, and, when the input does not fit the feature buffer, bands of output rows as NVDLA's
 * compiler splits them. Weights are streamed per kernel group when they do not all fit; when even one
 * group of atomic_k kernels does not fit, the kernels are taken in smaller chunks (fewer MAC cells busy).
 */
import type { NvdlaConfig } from '../../config/schema.js';
import { batchOf } from '../../nets/batch.js';
import type { MacLayer } from '../../nets/ir.js';
import { DoesNotFitError } from '../../util/errors.js';
import type { NvConv } from './model.js';

export interface NvLayerPlan {
  convs: NvConv[];
  /** Output-row bands per channel group (1 when the input fits the feature buffer). */
  bands: number;
  /** Kernels per chunk (atomic_k, or fewer when one kernel group does not fit the weight buffer). */
  kernelChunk: number;
  weightsStreamed: boolean;
  notes: string[];
}

const bytesOf = (cfg: NvdlaConfig) => (cfg.precision === 'int8' ? 1 : 2);

/** Feature-buffer entries (atoms of atomic_c elements) of a config. */
function featureEntries(cfg: NvdlaConfig): number {
  return Math.floor((cfg.feature_buffer_kb * 1024) / (cfg.atomic_c * bytesOf(cfg)));
}

/** Weight-buffer entries (atomic_c elements each) of a config. */
function weightEntries(cfg: NvdlaConfig): number {
  return Math.floor((cfg.weight_buffer_kb * 1024) / (cfg.atomic_c * bytesOf(cfg)));
}

/** Input rows a band of output rows [oh0, oh1) reads, with the padding that band sees. */
function bandInput(
  l: MacLayer,
  oh0: number,
  oh1: number,
): { row0: number; rows: number; padTop: number; padBottom: number } {
  const first = oh0 * l.stride.h - l.pad.top;
  const last = (oh1 - 1) * l.stride.h - l.pad.top + (l.kernel.h - 1) * l.dilation.h;
  const row0 = Math.max(0, first);
  const end = Math.min(l.inShape.h, last + 1);
  return { row0, rows: end - row0, padTop: Math.max(0, -first), padBottom: Math.max(0, last + 1 - end) };
}

/** The convolutions the core runs for a layer, split to fit the buffers. */
export function planNvdlaLayer(l: MacLayer, cfg: NvdlaConfig): NvLayerPlan {
  const fc = l.kind === 'fc';
  const cin = l.inShape.c / l.groups;
  const kout = l.outShape.c / l.groups;
  const cb = Math.ceil(cin / cfg.atomic_c);
  const where = `layer ${l.name}`;
  const notes: string[] = [];
  // Weights: one kernel group (atomic_k kernels, all channel blocks and taps) must be resident, or a
  // smaller chunk of kernels.
  const perKernel = cb * l.kernel.h * l.kernel.w;
  const kernelChunk = Math.min(cfg.atomic_k, kout, Math.floor(weightEntries(cfg) / perKernel));
  if (kernelChunk < 1) {
    throw new DoesNotFitError(
      `${where}: one kernel needs ${perKernel} weight-buffer entries of ${cfg.atomic_c} elements, the core has ${weightEntries(cfg)} (weight_buffer_kb: ${cfg.weight_buffer_kb}); the layer cannot fit even when split`,
    );
  }
  const allEntries = perKernel * kout;
  const weightsStreamed = allEntries > weightEntries(cfg);
  if (kernelChunk < Math.min(cfg.atomic_k, kout))
    notes.push(`a kernel group does not fit the weight buffer: kernels taken ${kernelChunk} at a time`);
  else if (weightsStreamed)
    notes.push(`weights streamed per kernel group (${allEntries} entries > ${weightEntries(cfg)})`);
  // Features: bands of output rows whose input rows fit.
  const rowAtoms = l.inShape.w * cb;
  const capacity = featureEntries(cfg);
  const outH = l.outShape.h;
  const bands: [number, number][] = [];
  if (fc || l.inShape.h * rowAtoms <= capacity) bands.push([0, outH]);
  else {
    let oh0 = 0;
    while (oh0 < outH) {
      let oh1 = oh0 + 1;
      if (bandInput(l, oh0, oh1).rows * rowAtoms > capacity) {
        throw new DoesNotFitError(
          `${where}: one output row needs ${bandInput(l, oh0, oh1).rows * rowAtoms} feature-buffer entries, the core has ${capacity} (feature_buffer_kb: ${cfg.feature_buffer_kb}); the layer cannot fit even when split`,
        );
      }
      while (oh1 < outH && bandInput(l, oh0, oh1 + 1).rows * rowAtoms <= capacity) oh1++;
      bands.push([oh0, oh1]);
      oh0 = oh1;
    }
    notes.push(
      `split into ${bands.length} bands of output rows (input ${l.inShape.h * rowAtoms} entries > ${capacity})`,
    );
  }
  if (l.kind === 'dwconv') notes.push(`depthwise: one single-channel convolution per channel (${l.groups})`);
  const runs = batchRuns(l, cb, capacity);
  const n = batchOf(l);
  if (n > 1 && fc) {
    const parts = runs.length > 1 ? ` (${runs.length} parts of up to ${runs[0]![1]}, as the feature buffer holds)` : '';
    notes.push(`batch of ${n}: the inputs are the points of each stripe, sharing its weight loads${parts}`);
  } else if (n > 1) notes.push(`batch of ${n}: image after image (NVDLA batches FC layers only)`);
  const convs: NvConv[] = [];
  for (const [image, points] of runs) convs.push(...imageConvs(l, cfg, { image, points, kernelChunk, bands }));
  for (const c of convs) {
    const h = c.h + c.padTop + c.padBottom;
    if (Math.floor((h - (c.dilationH * (c.r - 1) + 1)) / c.strideH) + 1 !== c.outH)
      throw new Error(`nvdla plan: band of ${l.name} has a wrong height`);
  }
  return { convs, bands: bands.length, kernelChunk, weightsStreamed, notes };
}

/**
 * How the core takes a batch, as [first image, inputs] runs: an FC layer's batch shares one weight fetch,
 * its inputs being the points of one 1 x N convolution (as many as the feature buffer holds at once);
 * a convolution runs image after image.
 */
function batchRuns(l: MacLayer, channelBlocks: number, capacity: number): [number, number][] {
  const n = batchOf(l);
  const per = l.kind === 'fc' ? Math.max(1, Math.min(n, Math.floor(capacity / channelBlocks))) : 1;
  const runs: [number, number][] = [];
  for (let b = 0; b < n; b += per) runs.push([b, Math.min(per, n - b)]);
  return runs;
}

/** The convolutions of one run of a layer's batch (an image, or an FC layer's inputs as points). */
function imageConvs(
  l: MacLayer,
  cfg: NvdlaConfig,
  run: { image: number; points: number; kernelChunk: number; bands: [number, number][] },
): NvConv[] {
  const fc = l.kind === 'fc';
  const cin = l.inShape.c / l.groups;
  const kout = l.outShape.c / l.groups;
  const { kernelChunk, bands } = run;
  const convs: NvConv[] = [];
  const chunked = kernelChunk < Math.min(cfg.atomic_k, kout);
  for (let g = 0; g < l.groups; g++) {
    for (let k0 = 0; k0 < kout; k0 += chunked ? kernelChunk : kout) {
      for (const [oh0, oh1] of bands) {
        const band = bandInput(l, oh0, oh1);
        convs.push({
          h: fc ? 1 : band.rows,
          w: fc ? run.points : l.inShape.w,
          c: cin,
          k: chunked ? Math.min(kernelChunk, kout - k0) : kout,
          r: l.kernel.h,
          s: l.kernel.w,
          strideH: l.stride.h,
          strideW: l.stride.w,
          dilationH: l.dilation.h,
          dilationW: l.dilation.w,
          padTop: fc ? 0 : band.padTop,
          padBottom: fc ? 0 : band.padBottom,
          padLeft: l.pad.left,
          padRight: l.pad.right,
          outH: oh1 - oh0,
          outW: fc ? run.points : l.outShape.w,
          image: run.image,
          group: g,
          kernel0: k0,
          outRow0: oh0,
          inRow0: fc ? 0 : band.row0,
        });
      }
    }
  }
  return convs;
}
