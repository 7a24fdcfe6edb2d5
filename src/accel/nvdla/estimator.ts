/**
 * NVDLA's own performance estimator (perf/NVDLA_OpenSource_Performance.xlsx in nvdla/hw), as a second,
 * published estimate beside the exact model. The formulas below are the workbook's own, in its order of
 * operations and with Excel's CEILING/FLOOR, so that they reproduce its cached values bit for bit; sheet.ts
 * assembles them into the workbook's three network sheets (every per-layer cell and total, both scenarios)
 * and the tests check them against the extracted workbook (test/analytic/nvdla-perf/).
 *
 * For a mactile network the estimator is the sheet's "SRAM=0M" scenario as the AlexNet sheet computes it
 * (the one behind its published 0.895 ms): per layer, with R16(x) = x rounded up to a multiple of 16,
 *   input KB  = R16(C*sy*sx) * ceil(H/sy) * ceil(W/sx) * bytes / 1024     (strides folded into channels)
 *   output KB = A * B * R16(K) * bytes / 1024         (A x B: the output after a fused pooling, if any)
 *   weight KB = R16(C*sy*sx) * ceil(R/sy) * ceil(S/sx) * K * bytes / 1024, x 16/9 for 3x3 (Winograd) rows
 *   DRAM      = ceil((weight / b + output + input) / GB/s * MHz)            (b = FC batch, FC rows only)
 *   MAC       = R16(C*sy*sx) * rows * cols * R16(K*b) * R*S / (sy*sx) / MACs / 2.25 (3x3 rows) / b,
 *               rows x cols = ceil(H/sy) x ceil(W/sx) if padded, else ceil((H-R+1)/sy) x ceil((W-S+1)/sx)
 *   cycles    = max(MAC, DRAM); layers run one after another.
 * What that assumes is listed by `estimatorAssumptions` (printed under `analyze`'s table and in its JSON).
 */
import type { NvdlaConfig } from './config.js';
import type { HostLayer, MacLayer, Network } from '../../nets/ir.js';
import { isMacLayer } from '../../nets/ir.js';

// ---------------------------------------------------------------- Excel arithmetic

/** A quotient at 15 significant digits, as Excel's CEILING and FLOOR see it. */
const snap = (q: number) => Number(q.toPrecision(15));
/** Excel CEILING(x, 1). */
export const xlCeil = (x: number) => (x === 0 ? 0 : Math.ceil(snap(x)));
/** Excel CEILING(x, m). */
const xlCeilTo = (x: number, m: number) => (x === 0 ? 0 : Math.ceil(snap(x / m)) * m);
/** Excel FLOOR(x, 1). */
export const xlFloor = (x: number) => (x === 0 ? 0 : Math.floor(snap(x)));

// ---------------------------------------------------------------- the workbook's per-layer formulas

/** The shape columns of a sheet row (E..M): channels, input size, kernels, filter, "Zero Padding", strides. */
export interface SheetShape {
  C: number;
  H: number;
  W: number;
  K: number;
  R: number;
  S: number;
  pad: boolean;
  sH: number;
  sW: number;
}

/** Height (or width) after the convolution: ceil(H/stride) padded, ceil((H-R)/stride)+1 unpadded. */
export const convOut = (h: number, r: number, stride: number, pad: boolean) =>
  pad ? xlCeil(h / stride) : xlCeil((h - r) / stride) + 1;
/** Height (or width) after a fused pooling window of `size` and `stride` (Caffe's ceiling rule). */
export const pooledOut = (p: number, size: number, stride: number) => xlCeil((p - size) / stride) + 1;
/** Channels times the stride area, rounded up to 16 (strided convolutions are folded into channels). */
const foldedChannels = (x: SheetShape) => xlCeilTo(x.C * x.sH * x.sW, 16);
/** "Input data size" (KB). */
export const inputKb = (x: SheetShape, inBytes: number) =>
  (foldedChannels(x) * xlCeil(x.H / x.sH) * xlCeil(x.W / x.sW) * inBytes) / 1024;
/** "Min input data size" (KB): `rows` stride-folded rows (the sheets take R+1, ResNet50 from row 12 R). */
export const minInputKb = (x: SheetShape, rows: number, inBytes: number) =>
  (foldedChannels(x) * Math.min(rows, xlCeil(x.H / x.sH)) * xlCeil(x.W / x.sW) * inBytes) / 1024;
/** "Output data size" (KB) of an A x B output. */
export const outputKb = (a: number, b: number, k: number, inBytes: number) =>
  (a * b * xlCeilTo(k, 16) * inBytes) / 1024;
/** Weight KB of `kernels` kernels, less compression, x 16/9 when `winograd` (a Winograd tile's weights). */
export const weightKb = (x: SheetShape, kernels: number, wBytes: number, compression: number, winograd: boolean) =>
  ((foldedChannels(x) * xlCeil(x.R / x.sH) * xlCeil(x.S / x.sW) * kernels * wBytes * (1 - compression)) / 1024) *
  (winograd ? 16 / 9 : 1);
/** "Min weight data size" (KB): one group of 32 kernels, or half the conv buffer if that group does not fit. */
export function minWeightKb(x: SheetShape, cbufKb: number, wBytes: number, compression: number): number {
  const group = weightKb(x, 32, wBytes, compression, false);
  return group >= cbufKb ? cbufKb / 2 : group;
}
/** "Winograd": every 3x3 filter, whatever the stride. */
export const isWinograd = (x: { R: number; S: number }) => x.R === 3 && x.S === 3;
/** "MAC cycles": FC layers computed for `fcBatch` frames (K*batch rounded up to `kRound`) and divided by it. */
export function macCycles(x: SheetShape, fc: boolean, macs: number, fcBatch: number, kRound = 16): number {
  const b = fc ? fcBatch : 1;
  const rows = xlCeil((x.pad ? x.H : x.H - x.R + 1) / x.sH);
  const cols = xlCeil((x.pad ? x.W : x.W - x.S + 1) / x.sW);
  return (
    (foldedChannels(x) * rows * cols * xlCeilTo(x.K * b, kRound) * x.R * x.S) /
    x.sH /
    x.sW /
    macs /
    (isWinograd(x) ? 2.25 : 1) /
    b
  );
}
/** Cycles of a transfer: KB / (GB/s) * MHz, rounded up (1 KB at 1 GB/s counted as 1 us). */
export const transferCycles = (kb: number, gbps: number, clockMhz: number) => xlCeil((kb / gbps) * clockMhz);
/** The AlexNet sheet's SRAM=0M DRAM traffic: weights (shared by the FC batch), output and input, once each. */
export const onceTrafficKb = (inKb: number, outKb: number, wtKb: number, fcBatchDivisor: number) =>
  wtKb / fcBatchDivisor + outKb + inKb;
/**
 * The GoogLeNet and ResNet50 sheets' SRAM=0M DRAM traffic: the larger data set is cut into conv-buffer-sized
 * slices and the other is fetched once per slice; "conv + elwise" layers read the shortcut operand too. The
 * sheets add the three terms in different orders (GoogLeNet In+Out+Wt, ResNet50 In+Wt+Out).
 */
export function refetchTrafficKb(
  t: { In: number; InMin: number; Out: number; Wt: number; WtMin: number },
  smaller: 'feature' | 'weight',
  cbufKb: number,
  order: 'in-out-wt' | 'in-wt-out',
  elwise: boolean,
): number {
  const once = order === 'in-out-wt' ? t.In + t.Out + t.Wt : t.In + t.Wt + t.Out;
  let kb = once;
  if (smaller === 'weight' && t.Wt > cbufKb - t.InMin) {
    const inputs = xlCeil(t.Wt / (cbufKb - t.InMin)) * t.In;
    kb = order === 'in-out-wt' ? inputs + t.Out + t.Wt : inputs + t.Wt + t.Out;
  } else if (smaller === 'feature' && t.In > cbufKb - t.WtMin) {
    kb = xlCeil(t.In / (cbufKb - t.WtMin)) * t.Wt + t.In + t.Out;
  }
  return kb + (elwise ? t.Out : 0);
}

// ---------------------------------------------------------------- the estimator for mactile layers

/** One row of the estimator's sheet. */
export interface EstimatorRow {
  name: string;
  c: number;
  h: number;
  w: number;
  k: number;
  r: number;
  s: number;
  strideH: number;
  strideW: number;
  /** The sheet's "Zero Padding" flag: output ceil(H/stride) when set, ceil((H-R)/stride)+1 when not. */
  padded: boolean;
  /** Fused pooling after the layer: window and stride. */
  pool?: { size: number; stride: number };
  /** The Winograd weight expansion (16/9); the MAC speed-up applies to every 3x3 row regardless. */
  winograd: boolean;
  fc: boolean;
}

export interface EstimatorSettings {
  macs: number;
  clockMhz: number;
  dramGbps: number;
  fcBatch: number;
  /** Feature and weight data size (bytes): the sheet's "Feature/Weight Data Size". */
  dataBytes: number;
}

export interface RowEstimate {
  inputKb: number;
  outputKb: number;
  weightKb: number;
  /** KB through DRAM (the SRAM=0M "DRAM Traffic"). */
  dramKb: number;
  dramCycles: number;
  macCycles: number;
  cycles: number;
  bound: 'MAC' | 'DRAM';
}

/** The sheet's defaults: 2048 MACs at 1000 MHz, 10 GB/s DRAM, FC batch 16, 1-byte data. */
export const SHEET_DEFAULTS: EstimatorSettings = {
  macs: 2048,
  clockMhz: 1000,
  dramGbps: 10,
  fcBatch: 16,
  dataBytes: 1,
};

/** The estimator's cycles of one row (the AlexNet sheet's SRAM=0M columns). */
export function estimateRow(row: EstimatorRow, st: EstimatorSettings): RowEstimate {
  const x: SheetShape = {
    C: row.c,
    H: row.h,
    W: row.w,
    K: row.k,
    R: row.r,
    S: row.s,
    pad: row.padded,
    sH: row.strideH,
    sW: row.strideW,
  };
  const p = convOut(x.H, x.R, x.sH, x.pad);
  const q = convOut(x.W, x.S, x.sW, x.pad);
  const a = row.pool ? pooledOut(p, row.pool.size, row.pool.stride) : p;
  const b = row.pool ? pooledOut(q, row.pool.size, row.pool.stride) : q;
  const inKb = inputKb(x, st.dataBytes);
  const outKb = outputKb(a, b, x.K, st.dataBytes);
  const wtKb = weightKb(x, x.K, st.dataBytes, 0, row.winograd);
  const dramKb = onceTrafficKb(inKb, outKb, wtKb, row.fc ? st.fcBatch : 1);
  const dramCycles = transferCycles(dramKb, st.dramGbps, st.clockMhz);
  const mac = macCycles(x, row.fc, st.macs, st.fcBatch);
  const cycles = Math.max(dramCycles, mac);
  return {
    inputKb: inKb,
    outputKb: outKb,
    weightKb: wtKb,
    dramKb,
    dramCycles,
    macCycles: mac,
    cycles,
    bound: cycles === mac ? 'MAC' : 'DRAM',
  };
}

/**
 * The sheet row of one group of a mactile MAC layer (`pooled`: a pooling layer fused after it). The sheet
 * has no padding amounts, only its flag: it is set when ceil(H/stride) is the layer's output size; otherwise
 * the rows are ceil((H-R)/stride)+1, with H the input or, if that does not give the output size either, the
 * rows the windows read, (out-1)*stride+R. Grouped convolutions are one row per group (as the sheet's AlexNet).
 */
export function rowOfLayer(l: MacLayer, pooled?: HostLayer): EstimatorRow {
  const g = l.groups;
  const { h, w } = l.inShape;
  const [sy, sx, r, s] = [l.stride.h, l.stride.w, l.kernel.h, l.kernel.w];
  const [oh, ow] = [l.outShape.h, l.outShape.w];
  const padded = xlCeil(h / sy) === oh && xlCeil(w / sx) === ow;
  const plain = convOut(h, r, sy, false) === oh && convOut(w, s, sx, false) === ow;
  return {
    name: l.name,
    c: l.inShape.c / g,
    h: padded || plain ? h : (oh - 1) * sy + r,
    w: padded || plain ? w : (ow - 1) * sx + s,
    k: l.outShape.c / g,
    r,
    s,
    strideH: sy,
    strideW: sx,
    padded,
    pool: pooled?.kernel && pooled.stride ? { size: pooled.kernel.h, stride: pooled.stride.h } : undefined,
    winograd: isWinograd({ R: r, S: s }),
    fc: l.kind === 'fc',
  };
}

/** The estimator's settings for an NVDLA-style config: its MACs, clock and DRAM, FC batch 16 (the sheet's default). */
export function estimatorSettings(cfg: NvdlaConfig): EstimatorSettings {
  return {
    macs: cfg.atomic_c * cfg.atomic_k,
    clockMhz: cfg.clock_mhz,
    dramGbps: cfg.dram_gbps,
    fcBatch: SHEET_DEFAULTS.fcBatch,
    dataBytes: cfg.precision === 'int16' ? 2 : 1,
  };
}

/** What the estimator assumes that mactile's core does not do or that the config does not say. */
export function estimatorAssumptions(st: EstimatorSettings): string[] {
  return [
    'Winograd on every 3x3 layer (MAC cycles / 2.25, weights x 16/9), though this core has none',
    `FC layers batched by ${st.fcBatch}`,
    `DRAM ${st.dramGbps} GB/s at full efficiency, overlapped with compute`,
    'no on-chip SRAM, each tensor through DRAM once per layer',
    `C and K padded to 16, ${st.macs} MACs, ${st.dataBytes}-byte data`,
    'no buffer load or pipeline fill',
  ];
}

/** The pooling layer that directly consumes a MAC layer's output (NVDLA fuses it), if any. */
export function fusedPool(net: Network, l: MacLayer): HostLayer | undefined {
  const consumers = net.layers.filter((x) => (isMacLayer(x) ? x.input === l.output : x.inputs.includes(l.output)));
  const only = consumers.length === 1 ? consumers[0] : undefined;
  return only && !isMacLayer(only) && (only.kind === 'maxpool' || only.kind === 'avgpool') ? only : undefined;
}

/**
 * The estimator's figures for one layer of a network on an NVDLA-style config (a grouped layer: its groups'
 * sum; a batched layer: its frames' sum, the sheet being per frame with its own FC batch).
 */
export function nvdlaLayerEstimate(l: MacLayer, cfg: NvdlaConfig, net?: Network): RowEstimate {
  const one = estimateRow(rowOfLayer(l, net ? fusedPool(net, l) : undefined), estimatorSettings(cfg));
  const copies = l.groups * (l.batch ?? 1);
  if (copies === 1) return one;
  const sum = { ...one, inputKb: 0, outputKb: 0, weightKb: 0, dramKb: 0, dramCycles: 0, macCycles: 0, cycles: 0 };
  for (let i = 0; i < copies; i++) {
    for (const k of ['inputKb', 'outputKb', 'weightKb', 'dramKb', 'dramCycles', 'macCycles', 'cycles'] as const)
      sum[k] += one[k];
  }
  return sum;
}
