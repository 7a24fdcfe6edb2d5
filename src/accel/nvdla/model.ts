/**
 * The exact cycle model of the NVDLA-style convolution core (written before its RTL, which must equal
 * it): NVDLA's sequencer loop nest (kernel group > stripe > channel block > R > S > stripe points), its
 * stripe rule, packages of max(stripe, MIN_STRIPE, weight reload) cycles, the first weight preload and
 * the fixed pipeline of feature read, MAC cells with adder trees, accumulator, CACC, SDP and write.
 */
import type { NvdlaConfig } from '../../config/schema.js';

/** One convolution the core runs: a channel group of a layer, or a band of its output rows. */
export interface NvConv {
  /** Input rows/columns/channels the core reads (a band of the layer's input when split). */
  h: number;
  w: number;
  c: number;
  /** Kernels (output channels) of this convolution. */
  k: number;
  r: number;
  s: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  outH: number;
  outW: number;
  /**
   * Which part of the layer: the image of a batch (FC: the first image, the batch's images being the points),
   * channel group, first kernel of the chunk, first output and input rows of the band.
   */
  image: number;
  group: number;
  kernel0: number;
  outRow0: number;
  inRow0: number;
}

/**
 * Cycles from the last operation's issue to `done`, minus one: feature read (1), products (1), adder
 * tree (ceil(log2 atomic_c) levels), CACC conversion (1), SDP (2), write (1).
 */
function nvdlaPipelineLatency(atomicC: number): number {
  return 5 + Math.ceil(Math.log2(atomicC));
}

/** The shortest package of a config (MIN_STRIPE). */
export function minStripe(cfg: NvdlaConfig): number {
  return cfg.min_stripe ?? (cfg.stripe_rule === 'v2' ? cfg.atomic_k : 10);
}

/** Stripe lengths over P output points: NVDLA v2 (atomK..2*atomK) or v1 (16..32). */
export function stripeLengths(points: number, rule: 'v1' | 'v2', atomicK: number): number[] {
  const out: number[] = [];
  let cnt = 0;
  if (rule === 'v2') {
    const lower = atomicK;
    const upper = 2 * atomicK;
    while (cnt < points) {
      const len = cnt + 2 * upper <= points ? upper : cnt + upper >= points ? points - cnt : lower;
      out.push(len);
      cnt += len;
    }
  } else {
    while (cnt < points) {
      const len = cnt + 32 >= points ? points - cnt : 16;
      out.push(len);
      cnt += len;
    }
  }
  return out;
}

/** Cycles to load `kernels` kernels into the shadow weight registers. */
function weightLoadCycles(kernels: number, cfg: NvdlaConfig): number {
  return Math.ceil(kernels / cfg.weight_kernels_per_cycle);
}

export interface NvConvCycles {
  /** Operation slots of all packages (the sequencer's issue cycles). */
  issue: number;
  /** Optional DMA term: cycles loading the input before anything starts. */
  dma: number;
  /** First weight preload before the first operation. */
  preload: number;
  /** Idle slots at the end of the last package (not waited for). */
  idleTail: number;
  pipeline: number;
  total: number;
  packages: number;
  stripes: number[];
  groups: number;
  channelBlocks: number;
  macs: number;
}

/** The exact cycles of one convolution on the core. */
export function nvConvCycles(conv: NvConv, cfg: NvdlaConfig): NvConvCycles {
  const points = conv.outH * conv.outW;
  const stripes = stripeLengths(points, cfg.stripe_rule, cfg.atomic_k);
  const groups = Math.ceil(conv.k / cfg.atomic_k);
  const cb = Math.ceil(conv.c / cfg.atomic_c);
  const kernelsOf = (g: number) => Math.min(cfg.atomic_k, conv.k - g * cfg.atomic_k);
  const perStripe = cb * conv.r * conv.s;
  const minLen = minStripe(cfg);
  // With an SDP narrower than atomic_k, the package that produces results spaces its operations by the
  // SDP's cycles per point.
  const spacing = (g: number) =>
    cfg.sdp_lanes && cfg.sdp_lanes < kernelsOf(g) ? Math.ceil(kernelsOf(g) / cfg.sdp_lanes) : 1;
  let issue = 0;
  let packages = 0;
  for (let g = 0; g < groups; g++) {
    stripes.forEach((len, i) => {
      const lastStripeOfGroup = i === stripes.length - 1;
      // Weights of the next package load during this one: the next group's after the last package of a group.
      // (Every package reloads: stripes x channel blocks x taps packages per group, k_g kernels each.)
      const nextKernels = lastStripeOfGroup && g + 1 < groups ? kernelsOf(g + 1) : kernelsOf(g);
      const inner = Math.max(len, minLen, weightLoadCycles(kernelsOf(g), cfg));
      const lastPkg = Math.max(len * spacing(g), minLen, weightLoadCycles(nextKernels, cfg));
      issue += (perStripe - 1) * inner + lastPkg;
      packages += perStripe;
    });
  }
  const lastLen = stripes[stripes.length - 1]!;
  const d = spacing(groups - 1);
  const lastPackage = Math.max(lastLen * d, minLen, weightLoadCycles(kernelsOf(groups - 1), cfg));
  const idleTail = lastPackage - ((lastLen - 1) * d + 1);
  const preload = weightLoadCycles(kernelsOf(0), cfg);
  const pipeline = nvdlaPipelineLatency(cfg.atomic_c);
  const dma = cfg.dma_words_per_cycle ? Math.ceil((conv.h * conv.w * conv.c) / cfg.dma_words_per_cycle) : 0;
  return {
    issue,
    dma,
    preload,
    idleTail,
    pipeline,
    total: dma + preload + issue - idleTail + pipeline,
    packages,
    stripes,
    groups,
    channelBlocks: cb,
    macs: points * conv.k * conv.c * conv.r * conv.s,
  };
}

/** On-chip and DRAM traffic of one convolution on the core, in elements (words). */
export interface NvConvTraffic {
  /** Feature-buffer reads: one atom of atomic_c elements per operation (padding positions included). */
  featureReads: number;
  /** Weight-buffer reads: every package loads its kernels' atoms. */
  weightReads: number;
  outputWrites: number;
  /** DRAM words with no DMA model: the input band, the weights and the outputs, once each. */
  dramWords: number;
  /** `dramWords` read (the input band and the weights) and written (the outputs). */
  dramRead: number;
  dramWritten: number;
}

/** Buffer and DRAM traffic of a convolution; `m` is its cycle model (computed here when not given). */
export function nvConvTraffic(
  conv: NvConv,
  cfg: NvdlaConfig,
  m: NvConvCycles = nvConvCycles(conv, cfg),
): NvConvTraffic {
  const points = conv.outH * conv.outW;
  const ops = m.groups * m.channelBlocks * conv.r * conv.s * points;
  const dramRead = conv.h * conv.w * conv.c + conv.k * conv.c * conv.r * conv.s;
  return {
    featureReads: ops * cfg.atomic_c,
    weightReads: m.stripes.length * conv.k * m.channelBlocks * conv.r * conv.s * cfg.atomic_c,
    outputWrites: points * conv.k,
    dramWords: dramRead + points * conv.k,
    dramRead,
    dramWritten: points * conv.k,
  };
}
