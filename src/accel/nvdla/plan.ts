/**
 * Layer planning for the NVDLA-style core: lays out each convolution of the layer's NVDLA plan (channel
 * groups, kernel chunks, output-row bands) as the core's buffers hold it: the feature buffer in atom
 * order (channel block > row > column, atomic_c channels per entry) and the weight buffer in sequencer
 * order (kernel group > channel block > R > S > kernels, weight_kernels_per_cycle kernels per entry; a
 * convolution of fewer than atomic_k kernels keeps only the entries its kernels fill).
 */
import { planNvdlaLayer, type NvLayerPlan } from './layer-plan.js';
import type { NvConv } from './model.js';
import { chunkConv, nvChunking } from './memory.js';
import type { NvdlaConfig } from '../../config/schema.js';
import { batchOutShape, imageValues } from '../../nets/batch.js';
import type { MacLayer } from '../../nets/ir.js';
import { nhwc, zeros, type IntTensor, type QuantLayer } from '../../quant/tensor.js';
import { MactileError } from '../../util/errors.js';
import type { IntMatrix } from '../../sim/job.js';
import type { NvJobConv } from './job.js';
import type { NvMemJobConv } from './mem-job.js';

export interface PlannedNvLayer {
  plan: NvLayerPlan;
  jobs: Omit<NvJobConv, 'maxCycles'>[];
}

/** The 14 geometry numbers the core's cfg ports take, in port order. */
function convDims(c: NvConv): number[] {
  return [
    c.h,
    c.w,
    c.c,
    c.k,
    c.r,
    c.s,
    c.strideH,
    c.strideW,
    c.dilationH,
    c.dilationW,
    c.padTop,
    c.padLeft,
    c.outH,
    c.outW,
  ];
}

function featureBuffer(l: MacLayer, x: IntTensor, c: NvConv, cfg: NvdlaConfig): IntMatrix {
  const ac = cfg.atomic_c;
  const cb = Math.ceil(c.c / ac);
  const cols = cb * c.h * c.w;
  const data = new Int16Array(ac * cols);
  const cin = l.inShape.c / l.groups;
  const image = c.image * imageValues(l.inShape);
  for (let b = 0; b < cb; b++) {
    for (let y = 0; y < c.h; y++) {
      for (let xx = 0; xx < c.w; xx++) {
        const entry = (b * c.h + y) * c.w + xx;
        for (let lane = 0; lane < ac && b * ac + lane < c.c; lane++) {
          // FC layers read the 1x1xC input of each image of the run (its points); convolutions the band's rows.
          const ch = c.group * cin + b * ac + lane;
          data[lane * cols + entry] =
            l.kind === 'fc'
              ? x.data[(c.image + xx) * l.inShape.c + ch]!
              : x.data[image + nhwc(l.inShape, c.inRow0 + y, xx, ch)]!;
        }
      }
    }
  }
  return { rows: ac, cols, data };
}

function weightBuffer(l: MacLayer, q: QuantLayer, c: NvConv, cfg: NvdlaConfig): IntMatrix {
  const ac = cfg.atomic_c;
  const ak = cfg.atomic_k;
  const wk = cfg.weight_kernels_per_cycle;
  const cb = Math.ceil(c.c / ac);
  const groups = Math.ceil(c.k / ak);
  // Entries per tap: the sequencer's u, ceil(min(k, atomic_k) / weight_kernels_per_cycle).
  const u = Math.ceil(Math.min(c.k, ak) / wk);
  const cols = groups * cb * c.r * c.s * u;
  const rows = wk * ac;
  const data = new Int16Array(rows * cols);
  const cin = l.inShape.c / l.groups;
  const kout = l.outShape.c / l.groups;
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < cb; b++) {
      for (let r = 0; r < c.r; r++) {
        for (let s = 0; s < c.s; s++) {
          for (let e = 0; e < u; e++) {
            const entry = (((g * cb + b) * c.r + r) * c.s + s) * u + e;
            for (let v = 0; v < wk; v++) {
              const n = g * ak + e * wk + v;
              if (e * wk + v >= ak || n >= c.k) continue;
              const co = c.group * kout + c.kernel0 + n;
              for (let ch = 0; ch < ac && b * ac + ch < c.c; ch++) {
                data[(v * ac + ch) * cols + entry] =
                  q.weights[((co * l.kernel.h + r) * l.kernel.w + s) * cin + b * ac + ch]!;
              }
            }
          }
        }
      }
    }
  }
  return { rows, cols, data };
}

/** Plans a layer for the NVDLA-style core: its convolutions with buffers and SDP parameters. */
export function planNvLayer(l: MacLayer, x: IntTensor, q: QuantLayer, cfg: NvdlaConfig): PlannedNvLayer {
  const plan = planNvdlaLayer(l, cfg);
  const kout = l.outShape.c / l.groups;
  const over = q.bias.find((b) => b > 2147483647n || b < -2147483648n);
  if (over !== undefined)
    throw new MactileError(
      `layer ${l.name}: the NVDLA-style SDP takes a 32-bit bias, received ${over}; raise caccTruncate`,
    );
  const jobs = plan.convs.map((c) => {
    const channels = Array.from({ length: c.k }, (_, n) => c.group * kout + c.kernel0 + n);
    return {
      dims: convDims(c),
      relu: q.relu,
      zeroPoint: q.outZeroPoint,
      padValue: q.inZeroPoint,
      truncate: q.caccTruncate ?? 0,
      feature: featureBuffer(l, x, c, cfg),
      weight: weightBuffer(l, q, c, cfg),
      q: {
        bias: channels.map((n) => q.bias[n]!),
        mult: channels.map((n) => q.mult[n]!),
        shift: channels.map((n) => q.shift[n]!),
      },
      out: { rows: c.k, cols: c.outH * c.outW },
    };
  });
  return { plan, jobs };
}

/**
 * Plans a layer for the memory system: each convolution's chunking, and its weight chunks' images laid end to
 * end as one row (the DRAM the driver holds after the feature image).
 */
export function planNvMemLayer(
  l: MacLayer,
  x: IntTensor,
  q: QuantLayer,
  cfg: NvdlaConfig,
): { plan: NvLayerPlan; jobs: Omit<NvMemJobConv, 'maxCycles'>[] } {
  const { plan, jobs } = planNvLayer(l, x, q, cfg);
  const memJobs = jobs.map((j, i) => {
    const c = plan.convs[i]!;
    const ch = nvChunking(c, cfg, l.name);
    const images = ch.chunkKernels.map((_, n) => weightBuffer(l, q, chunkConv(c, ch, n), cfg).data);
    const data = new Int16Array(images.reduce((t, d) => t + d.length, 0));
    let at = 0;
    for (const d of images) {
      data.set(d, at);
      at += d.length;
    }
    return {
      ...j,
      weight: { rows: 1, cols: data.length, data },
      chunking: { kc: ch.kc, chunks: ch.chunks, single: ch.slots === 1, taps: ch.taps },
    };
  });
  return { plan, jobs: memJobs };
}

/** Scatters the results of the layer's convolutions (O[kernel][point]) into its output tensor. */
export function gatherNvOutputs(l: MacLayer, plan: NvLayerPlan, outs: IntMatrix[]): IntTensor {
  const y = zeros(batchOutShape(l));
  const kout = l.outShape.c / l.groups;
  const fc = l.kind === 'fc';
  plan.convs.forEach((c, i) => {
    const o = outs[i]!;
    for (let n = 0; n < c.k; n++) {
      for (let p = 0; p < c.outH * c.outW; p++) {
        const ch = c.group * kout + c.kernel0 + n;
        // An FC run's points are images; a convolution's are the output pixels of its image.
        const at = fc
          ? (c.image + p) * l.outShape.c + ch
          : c.image * imageValues(l.outShape) + nhwc(l.outShape, c.outRow0 + Math.floor(p / c.outW), p % c.outW, ch);
        y.data[at] = o.data[n * o.cols + p]!;
      }
    }
  });
  return y;
}
