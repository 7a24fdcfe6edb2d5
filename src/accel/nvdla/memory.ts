/**
 * The exact model of the NVDLA-style core's memory system (docs/MEMORY.md, "NVDLA-style core"): how a
 * convolution's weights are cut into chunks of kernels that fit the convolution buffer's weight region (all
 * at once, or streamed chunk by chunk, double-buffered when a chunk fits half the region), the DRAM words of
 * each CBUF image, and an event model at chunk granularity that predicts the cycles of the generated
 * `mt_nv_mem_top`: compute, stalls by cause (feature, weight, output drain), DRAM words read and written and
 * the buffer accesses. Part of the analytic model: it imports nothing from the generator, planner or runner.
 */
import type { NvdlaConfig } from './config.js';
import { burstCycles, dramPort } from '../dram.js';
import { DoesNotFitError } from '../../util/errors.js';
import { nvConvCycles, stripeLengths, type NvConv } from './model.js';

const ceilDiv = (a: number, b: number) => Math.floor((a + b - 1) / b);
const bytesOf = (cfg: NvdlaConfig) => (cfg.precision === 'int8' ? 1 : 2);
const kbWords = (kb: number, cfg: NvdlaConfig) => Math.floor((kb * 1024) / bytesOf(cfg));

/** How a convolution's kernels are loaded: chunks of `kc` kernels, weight slots, CBUF image sizes in words. */
export interface NvChunking {
  /** Kernels per chunk (the last chunk takes the rest). */
  kc: number;
  chunks: number;
  /** 1: each chunk uses the whole weight region (one chunk, or single-buffered); 2: halves, double-buffered. */
  slots: 1 | 2;
  /** Taps of one kernel: channel blocks x R x S (the weight image holds u entries per tap and group). */
  taps: number;
  /** Weight-region entries (weight_kernels_per_cycle x atomic_c words) of one group of min(k, atomic_k) kernels. */
  groupEntries: number;
  /** Words of the feature image (atomic_c x channel blocks x h x w), of each chunk's weight image, of its outputs. */
  featureWords: number;
  chunkWeightWords: number[];
  chunkKernels: number[];
  points: number;
}

/**
 * Weight-image words of `n` kernels with `taps` taps each: u = ceil(atomic_k / weight_kernels_per_cycle)
 * entries per tap and kernel group, or only ceil(n / weight_kernels_per_cycle) when n < atomic_k (one partial
 * group: the sequencer strides by ceil(min(k, atomic_k) / weight_kernels_per_cycle) entries).
 */
export function nvWeightWords(n: number, taps: number, cfg: NvdlaConfig): number {
  const ak = cfg.atomic_k;
  const wk = cfg.weight_kernels_per_cycle;
  const entries = n >= ak ? ceilDiv(n, ak) * ceilDiv(ak, wk) : ceilDiv(n, wk);
  return taps * entries * wk * cfg.atomic_c;
}

/**
 * The chunking of a convolution that fits the weight region and the output buffer, or an error naming the key.
 * Chunks are whole kernel groups (of min(k, atomic_k) kernels) when one fits the region; otherwise chunks of
 * fewer kernels, single-buffered, each stored as one partial group.
 */
export function nvChunking(conv: NvConv, cfg: NvdlaConfig, layer: string): NvChunking {
  const ac = cfg.atomic_c;
  const ak = cfg.atomic_k;
  const cb = ceilDiv(conv.c, ac);
  const taps = cb * conv.r * conv.s;
  const weightWordsOf = (n: number) => nvWeightWords(n, taps, cfg);
  const unit = Math.min(conv.k, ak);
  const gw = weightWordsOf(unit);
  const points = conv.outH * conv.outW;
  const W = kbWords(cfg.weight_buffer_kb, cfg);
  const O = kbWords(cfg.output_buffer_kb, cfg);
  const F = kbWords(cfg.feature_buffer_kb, cfg);
  const featureWords = ac * cb * conv.h * conv.w;
  const tooSmall = (key: string, words: number, kb: number, what: string) =>
    new DoesNotFitError(
      `layer ${layer} on ${cfg.name} cannot fit its memory system: key '${key}' needs at least ${Math.ceil((words * bytesOf(cfg)) / 1024)} kB (${what}), received ${kb}`,
    );
  if (featureWords > F)
    throw tooSmall('feature_buffer_kb', featureWords, cfg.feature_buffer_kb, `${featureWords} words of features`);
  let kc = conv.k;
  let slots: 1 | 2 = 1;
  if (weightWordsOf(conv.k) > W || conv.k * points > O) {
    if (points > Math.floor(O / 2))
      throw tooSmall('output_buffer_kb', 2 * points, cfg.output_buffer_kb, `${points} words in each half`);
    const outKernels = Math.floor(Math.floor(O / 2) / points);
    if (gw <= W) {
      slots = 2 * gw <= W ? 2 : 1;
      kc = Math.min(ak * Math.floor(Math.floor(W / slots) / gw), outKernels);
    } else {
      // Not even one group of min(k, atomic_k) kernels fits: the most kernels whose partial group does.
      let n = unit - 1;
      while (n > 0 && weightWordsOf(n) > W) n--;
      if (n === 0)
        throw tooSmall(
          'weight_buffer_kb',
          weightWordsOf(1),
          cfg.weight_buffer_kb,
          `${weightWordsOf(1)} words of one kernel`,
        );
      kc = Math.min(n, outKernels);
    }
  }
  const chunks = ceilDiv(conv.k, kc);
  const chunkKernels = Array.from({ length: chunks }, (_, i) => Math.min(kc, conv.k - i * kc));
  return {
    kc,
    chunks,
    slots,
    taps,
    groupEntries: gw / (cfg.weight_kernels_per_cycle * ac),
    featureWords,
    chunkWeightWords: chunkKernels.map(weightWordsOf),
    chunkKernels,
    points,
  };
}

/** Input positions of a convolution's windows that lie inside the input (the feature reads not padded). */
function windowHits(conv: NvConv): number {
  const along = (out: number, stride: number, pad: number, dil: number, taps: number, size: number) => {
    let n = 0;
    for (let t = 0; t < taps; t++) {
      for (let o = 0; o < out; o++) {
        const i = o * stride - pad + t * dil;
        if (i >= 0 && i < size) n++;
      }
    }
    return n;
  };
  return (
    along(conv.outH, conv.strideH, conv.padTop, conv.dilationH, conv.r, conv.h) *
    along(conv.outW, conv.strideW, conv.padLeft, conv.dilationW, conv.s, conv.w)
  );
}

/** What the model predicts for one convolution on the memory system. */
export interface NvMemSchedule {
  cycles: number;
  compute: number;
  stallFeature: number;
  stallWeight: number;
  stallOutput: number;
  dramFeature: number;
  dramWeight: number;
  dramOutput: number;
  /** Words the core read from the feature and weight regions, results written to the output buffer. */
  sramFeatureReads: number;
  sramWeightReads: number;
  sramOutputWrites: number;
  macs: number;
  /** The core's operation slots, summed over chunks. */
  slots: number;
  chunks: number;
}

/** The sub-convolution the core runs for one chunk (its kernels only). */
export function chunkConv(conv: NvConv, ch: NvChunking, i: number): NvConv {
  return { ...conv, k: ch.chunkKernels[i]!, kernel0: conv.kernel0 + i * ch.kc };
}

/** The event model of one convolution on the memory system (docs/MEMORY.md, "NVDLA-style core"). */
export function nvMemSchedule(conv: NvConv, cfg: NvdlaConfig, layer: string): NvMemSchedule {
  const port = dramPort(cfg.dram);
  const lat = port.latency;
  const ch = nvChunking(conv, cfg, layer);
  const s: NvMemSchedule = {
    cycles: 0,
    compute: 0,
    stallFeature: 0,
    stallWeight: 0,
    stallOutput: 0,
    dramFeature: ch.featureWords,
    dramWeight: 0,
    dramOutput: conv.k * ch.points,
    sramFeatureReads: 0,
    sramWeightReads: 0,
    sramOutputWrites: conv.k * ch.points,
    macs: 0,
    slots: 0,
    chunks: ch.chunks,
  };
  let rdFree = 1;
  let wrFree = 1;
  // A load starts once the read engine is free and its slot is: returns the cycle from which it is usable.
  const load = (free: number, words: number) => {
    const a = Math.max(rdFree, free);
    const e = a + lat + burstCycles(words, port);
    rdFree = e + 1;
    return e + 1;
  };
  const featReady = load(1, ch.featureWords);
  const compEnd: number[] = [];
  const drainEnd: number[] = [];
  const hits = windowHits(conv);
  const cb = ceilDiv(conv.c, cfg.atomic_c);
  const stripes = stripeLengths(ch.points, cfg.stripe_rule, cfg.atomic_k).length;
  for (let i = 0; i < ch.chunks; i++) {
    const back = compEnd[i - ch.slots];
    const wReady = load(back === undefined ? 1 : back + 1, ch.chunkWeightWords[i]!);
    s.dramWeight += ch.chunkWeightWords[i]!;
    const gapStart = i === 0 ? 1 : compEnd[i - 1]! + 1;
    const oFree = i >= 2 ? drainEnd[i - 2]! + 1 : 1;
    const start = Math.max(gapStart, featReady, wReady, oFree);
    s.stallFeature += Math.max(0, Math.min(featReady, start) - gapStart);
    s.stallWeight += Math.max(0, Math.min(wReady, start) - Math.max(featReady, gapStart));
    s.stallOutput += start - Math.max(gapStart, featReady, wReady);
    const sub = chunkConv(conv, ch, i);
    const m = nvConvCycles(sub, cfg);
    compEnd.push(start + m.total);
    s.compute += m.total + 1;
    s.macs += m.macs;
    s.slots += m.issue - m.idleTail;
    s.sramFeatureReads += m.groups * cb * cfg.atomic_c * hits;
    // Every package loads its group's kernels (weight_kernels_per_cycle per entry of atomic_c channels each).
    for (let g = 0; g < m.groups; g++) {
      const kg = Math.min(cfg.atomic_k, sub.k - g * cfg.atomic_k);
      s.sramWeightReads +=
        stripes *
        cb *
        conv.r *
        conv.s *
        ceilDiv(kg, cfg.weight_kernels_per_cycle) *
        cfg.weight_kernels_per_cycle *
        cfg.atomic_c;
    }
    const d = Math.max(start + m.total + 1, wrFree);
    drainEnd.push(d + burstCycles(sub.k * ch.points, port));
    wrFree = drainEnd[i]! + 1;
  }
  s.cycles = drainEnd[ch.chunks - 1]! + 1 + lat;
  s.stallOutput += s.cycles - compEnd[ch.chunks - 1]!;
  return s;
}
