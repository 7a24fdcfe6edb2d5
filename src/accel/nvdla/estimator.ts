/**
 * NVDLA's own performance estimator (perf/NVDLA_OpenSource_Performance.xlsx, AlexNet sheet), as a second,
 * published estimate beside the exact model. Per layer row, the larger of a MAC-bound and a DRAM-bound
 * cycle count; rows run one after another. With R16(x) = x rounded up to a multiple of 16:
 *   input KB  = R16(C*sy*sx) * ceil(H/sy) * ceil(W/sx) / 1024          (strides folded into channels)
 *   output KB = Hp * Hp * R16(K) / 1024     (Hp: the output side after a fused 3x3/2 pooling, if any)
 *   weight KB = R16(C*sy*sx) * ceil(R/sy) * ceil(S/sx) * K / 1024, x 16/9 for Winograd rows
 *   DRAM      = ceil((in + out + weight / b) / GB/s * MHz)                (b = FC batch, FC rows only)
 *   MAC       = R16(C*sy*sx) * points * Kr * R*S / (sy*sx) / MACs, / 2.25 for every 3x3 row,
 *               points = ceil(H/sy)*ceil(W/sx) if padded else ceil((H-R+1)/sy)*ceil((W-S+1)/sx),
 *               Kr = R16(K) (conv) or R16(K*b)/b (FC)
 * Sources: nvdla/hw#202 (the sheet's AlexNet total, 895,443.563 cycles) and the C++ port of the sheet in
 * PrincetonUniversity/MosaicSim; the formulas here reproduce that total exactly (see the tests).
 */
import type { NvdlaConfig } from '../../config/schema.js';
import type { HostLayer, MacLayer, Network } from '../../nets/ir.js';
import { isMacLayer } from '../../nets/ir.js';

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
  padded: boolean;
  /** Fused pooling after the layer: window and stride. */
  pool?: { size: number; stride: number };
  winograd: boolean;
  fc: boolean;
}

export interface EstimatorSettings {
  macs: number;
  clockMhz: number;
  dramGbps: number;
  fcBatch: number;
}

export interface RowEstimate {
  inputKb: number;
  outputKb: number;
  weightKb: number;
  dramCycles: number;
  macCycles: number;
  cycles: number;
}

/** The sheet's defaults: 2048 MACs at 1000 MHz, 10 GB/s DRAM, FC batch 16. */
export const SHEET_DEFAULTS: EstimatorSettings = { macs: 2048, clockMhz: 1000, dramGbps: 10, fcBatch: 16 };

const r16 = (x: number) => Math.ceil(x / 16) * 16;

/** The estimator's cycles of one row. */
export function estimateRow(row: EstimatorRow, s: EstimatorSettings): RowEstimate {
  const { c, h, w, k, r, s: sk, strideH: sy, strideW: sx } = row;
  const b = row.fc ? s.fcBatch : 1;
  const hc = row.padded ? Math.ceil(h / sy) : Math.ceil((h - r) / sy + 1);
  const hp = row.pool ? Math.ceil((hc - row.pool.size) / row.pool.stride) + 1 : hc;
  const cx = r16(c * sy * sx);
  const inputKb = (cx * Math.ceil(h / sy) * Math.ceil(w / sx)) / 1024;
  const outputKb = (hp * hp * r16(k)) / 1024;
  const weightKb = ((cx * Math.ceil(r / sy) * Math.ceil(sk / sx) * k) / 1024) * (row.winograd ? 16 / 9 : 1);
  const dramCycles = Math.ceil(((inputKb + outputKb + weightKb / b) / s.dramGbps) * s.clockMhz);
  const points = row.padded ? Math.ceil(h / sy) * Math.ceil(w / sx) : Math.ceil((h - r + 1) / sy) * Math.ceil((w - sk + 1) / sx);
  const kr = row.fc ? r16(k * b) / b : r16(k);
  let macCycles = (cx * points * kr * r * sk) / sy / sx / s.macs;
  if (r === 3 && sk === 3) macCycles /= 2.25;
  return { inputKb, outputKb, weightKb, dramCycles, macCycles, cycles: Math.max(macCycles, dramCycles) };
}

/** The sheet's own AlexNet rows (two-GPU AlexNet at 224x224, halves as rows, pooling fused). */
export const SHEET_ALEXNET: EstimatorRow[] = (() => {
  const pool = { size: 3, stride: 2 };
  const conv = (name: string, c: number, h: number, k: number, r: number, st: number, padded: boolean, extra: Partial<EstimatorRow> = {}): EstimatorRow => ({
    name, c, h, w: h, k, r, s: r, strideH: st, strideW: st, padded, winograd: false, fc: false, ...extra,
  });
  return [
    conv('conv1', 3, 224, 96, 11, 4, false, { pool }),
    conv('conv2a', 48, 27, 128, 5, 1, true, { pool }),
    conv('conv2b', 48, 27, 128, 5, 1, true, { pool }),
    conv('conv3', 256, 13, 384, 3, 1, true, { winograd: true }),
    conv('conv4a', 192, 13, 192, 3, 1, true, { winograd: true }),
    conv('conv4b', 192, 13, 192, 3, 1, true, { winograd: true }),
    conv('conv5a', 192, 13, 128, 3, 1, true, { winograd: true, pool }),
    conv('conv5b', 192, 13, 128, 3, 1, true, { winograd: true, pool }),
    conv('fc6', 256, 6, 4096, 6, 1, false, { fc: true }),
    conv('fc7', 4096, 1, 4096, 1, 1, false, { fc: true }),
    conv('fc8', 4096, 1, 1000, 1, 1, false, { fc: true }),
  ];
})();

/** The estimator's row for a mactile MAC layer; `pooled` is a pooling layer fused after it, if any. */
function rowOfLayer(l: MacLayer, pooled?: HostLayer): EstimatorRow {
  const padded = l.pad.top + l.pad.bottom + l.pad.left + l.pad.right > 0;
  return {
    name: l.name, c: l.inShape.c / l.groups, h: l.inShape.h, w: l.inShape.w, k: l.outShape.c, r: l.kernel.h, s: l.kernel.w,
    strideH: l.stride.h, strideW: l.stride.w, padded,
    pool: pooled?.kernel && pooled.stride ? { size: pooled.kernel.h, stride: pooled.stride.h } : undefined,
    winograd: l.kernel.h === 3 && l.kernel.w === 3 && l.stride.h === 1 && l.stride.w === 1 && l.groups === 1,
    fc: l.kind === 'fc',
  };
}

/** The estimator's settings for an NVDLA-style config (FC batch 16, as the sheet's default). */
function estimatorSettings(cfg: NvdlaConfig): EstimatorSettings {
  return { macs: cfg.atomic_c * cfg.atomic_k, clockMhz: cfg.clock_mhz, dramGbps: cfg.dram_gbps, fcBatch: 16 };
}

/** The pooling layer that directly consumes a MAC layer's output (NVDLA fuses it), if any. */
function fusedPool(net: Network, l: MacLayer): HostLayer | undefined {
  const consumers = net.layers.filter((x) => (isMacLayer(x) ? x.input === l.output : x.inputs.includes(l.output)));
  const only = consumers.length === 1 ? consumers[0] : undefined;
  return only && !isMacLayer(only) && (only.kind === 'maxpool' || only.kind === 'avgpool') ? only : undefined;
}

/** The estimator's cycles for one layer of a network on an NVDLA-style config. */
export function nvdlaLayerEstimate(l: MacLayer, cfg: NvdlaConfig, net?: Network): RowEstimate {
  return estimateRow(rowOfLayer(l, net ? fusedPool(net, l) : undefined), estimatorSettings(cfg));
}
