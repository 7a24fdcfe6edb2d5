/**
 * Layer-to-tile planning for the systolic array: each channel group of a MAC layer becomes one GEMM
 * (im2col of the input with stride, dilation and padding; weights as K x N), laid out as the array's
 * memory ports read it for the dataflow, and the results are scattered back into the output tensor.
 */
import type { DataflowStrategy } from './dataflows/index.js';
import { batchOf, batchOutShape } from '../../nets/batch.js';
import type { MacLayer } from '../../nets/ir.js';
import { nhwc, zeros, type IntTensor, type QuantLayer } from '../../quant/tensor.js';
import type { IntMatrix } from '../../sim/job.js';
import type { JobGemm } from './job.js';

export interface PlannedGemm {
  group: number;
  m: number;
  k: number;
  n: number;
  job: Omit<JobGemm, 'maxCycles'>;
}

/**
 * im2col of one channel group: A[m][k], m = output pixel (row-major; a batch's images one after the other),
 * k = (kh, kw, ci) with ci fastest.
 */
function im2col(l: MacLayer, x: IntTensor, group: number, padValue: number): IntMatrix {
  const { inShape: is, outShape: os, kernel } = l;
  const cinG = is.c / l.groups;
  const k = kernel.h * kernel.w * cinG;
  const pixels = os.h * os.w;
  const images = batchOf(l);
  const m = images * pixels;
  const data = new Int16Array(m * k);
  for (let b = 0; b < images; b++) imageIm2col(l, x, group, padValue, b, data);
  return { rows: m, cols: k, data };
}

/** The rows of image `b` of a batch in the im2col matrix `data`. */
function imageIm2col(l: MacLayer, x: IntTensor, group: number, padValue: number, b: number, data: Int16Array): void {
  const { inShape: is, outShape: os, kernel, stride, dilation, pad } = l;
  const cinG = is.c / l.groups;
  const k = kernel.h * kernel.w * cinG;
  const inBase = b * is.h * is.w * is.c;
  for (let oh = 0; oh < os.h; oh++) {
    for (let ow = 0; ow < os.w; ow++) {
      const row = ((b * os.h + oh) * os.w + ow) * k;
      for (let kh = 0; kh < kernel.h; kh++) {
        const ih = oh * stride.h - pad.top + kh * dilation.h;
        for (let kw = 0; kw < kernel.w; kw++) {
          const iw = ow * stride.w - pad.left + kw * dilation.w;
          const inside = ih >= 0 && ih < is.h && iw >= 0 && iw < is.w;
          const col = row + (kh * kernel.w + kw) * cinG;
          for (let ci = 0; ci < cinG; ci++)
            data[col + ci] = inside ? x.data[inBase + nhwc(is, ih, iw, group * cinG + ci)]! : padValue;
        }
      }
    }
  }
}

/**
 * Channel group `group` of a layer's input as the IFMAP layout nhwc holds it in DRAM: rows = images x ih x iw
 * pixels (NHWC order), columns = the group's channels (docs/MEMORY.md, stage 2).
 */
export function groupFmap(l: MacLayer, x: IntTensor, group: number): IntMatrix {
  const is = l.inShape;
  const cinG = is.c / l.groups;
  const rows = batchOf(l) * is.h * is.w;
  const data = new Int16Array(rows * cinG);
  for (let p = 0; p < rows; p++) {
    for (let ci = 0; ci < cinG; ci++) data[p * cinG + ci] = x.data[p * is.c + group * cinG + ci]!;
  }
  return { rows, cols: cinG, data };
}

/** The bits of a float32 value as a signed 32-bit integer. */
function float32Bits(f: number): number {
  return new Int32Array(Float32Array.of(f).buffer)[0]!;
}

/** Why a layer's requantization mode does not fit the array's output stage (config key requant), if it does not. */
export function requantProblem(cfg: { requant?: 'rhaz' | 'ort' }, l: MacLayer, q: QuantLayer): string | undefined {
  const hw = cfg.requant ?? 'rhaz';
  const mode = q.requant ?? 'rhaz';
  if (hw === mode) return undefined;
  return `layer ${l.name} requantizes in mode ${mode}, but the array's output stage computes mode ${hw} (config key requant)`;
}

/** Plans every channel group of a layer as a GEMM laid out for the dataflow's ports. */
export function planLayer(l: MacLayer, x: IntTensor, q: QuantLayer, df: DataflowStrategy): PlannedGemm[] {
  const coutG = l.outShape.c / l.groups;
  const plans: PlannedGemm[] = [];
  for (let g = 0; g < l.groups; g++) {
    const a = im2col(l, x, g, q.inZeroPoint);
    const m = a.rows;
    const k = a.cols;
    const n = coutG;
    // Weights of output channel g*coutG + j are contiguous in OHWI: B[kk][j] = w[(g*coutG + j) * k + kk].
    const w = (kk: number, j: number) => q.weights[(g * coutG + j) * k + kk]!;
    const { p1, p2, out, acc } = df.layout(a, w, n);
    const channels = Array.from({ length: n }, (_, j) => g * coutG + j);
    plans.push({
      group: g,
      m,
      k,
      n,
      job: {
        m,
        k,
        n,
        relu: q.relu,
        zeroPoint: q.outZeroPoint,
        p1,
        p2,
        out,
        acc,
        q: {
          bias: channels.map((c) => q.bias[c]!),
          // Mode ort: the float32 factor's bits travel in the multiplier field (mt_requant_ort reads them).
          mult: channels.map((c) => (q.requant === 'ort' ? float32Bits(q.ortFactor![c]!) : q.mult[c]!)),
          shift: channels.map((c) => q.shift[c]!),
        },
      },
    });
  }
  return plans;
}

/** Scatters the GEMM results (O matrices as the array wrote them) back into the layer's output tensor. */
export function gatherOutputs(l: MacLayer, plans: PlannedGemm[], outs: IntMatrix[], df: DataflowStrategy): IntTensor {
  const y = zeros(batchOutShape(l));
  const c = l.outShape.c;
  const coutG = c / l.groups;
  plans.forEach((p, i) => {
    const o = outs[i]!;
    for (let m = 0; m < p.m; m++) {
      for (let j = 0; j < p.n; j++) {
        y.data[m * c + p.group * coutG + j] = df.resultAt(o, m, j, p);
      }
    }
  });
  return y;
}
