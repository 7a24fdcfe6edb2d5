/**
 * NVDLA's performance workbook (perf/NVDLA_OpenSource_Performance.xlsx) recomputed: its three network sheets
 * (AlexNet, GoogLeNet, ResNet50), every per-layer column of both scenarios (SRAM=4M: a 4 MB on-chip SRAM on the
 * second memory interface; SRAM=0M: DRAM only) and the totals under them, from the sheets' constant cells
 * (sheet-tables.ts) and the `Configuration Input` sheet. Each column lists its formula variants with the rows
 * they cover, exactly as the workbook has them (formula_variants.csv of the extraction): the Winograd 16/9
 * weight expansion (not on AlexNet row 11, ResNet50 row 11 or GoogLeNet from row 21), K rounded up to 128 in
 * ResNet50's SRAM=0M MAC cycles, the hand-set SRAM=4M traffic of GoogLeNet's rows, and so on. The per-layer
 * formulas themselves are estimator.ts's, shared with the estimate of mactile networks.
 */
import {
  convOut,
  inputKb,
  isWinograd,
  macCycles,
  minInputKb,
  minWeightKb,
  onceTrafficKb,
  outputKb,
  pooledOut,
  refetchTrafficKb,
  transferCycles,
  weightKb,
  xlCeil,
  xlFloor,
  type SheetShape,
} from './estimator.js';
import { SHEET_INPUTS, type SheetInput, type SheetName } from './sheet-tables.js';

export type { SheetName } from './sheet-tables.js';

/** The `Configuration Input` sheet and the constants the network sheets keep (compression, SRAM size). */
export interface SheetConfig {
  /** Feature Data Size (Byte). */
  inBytes: number;
  /** Weight Data Size (Byte). */
  wBytes: number;
  /** Convolutional Buffer Size (KB). */
  cbufKb: number;
  /** MAC Number. */
  macs: number;
  clockMhz: number;
  /** Secondary memory interface read and write bandwidth (GB/s): the on-chip SRAM of the SRAM=4M scenario. */
  sramReadGbps: number;
  sramWriteGbps: number;
  /** Primary (DRAM) interface bandwidth, read + write (GB/s). */
  dramGbps: number;
  /** Fully-Connected Layer Batch Size. */
  fcBatch: number;
  /** "Compression rate" of the weights (F2 on each network sheet). */
  compression: number;
  /** SRAM size (KB) of the SRAM=4M scenario (AI9 / AH9). */
  sramKb: number;
}

/** The workbook's defaults (row 3 of `Configuration Input`, F2 and AI9/AH9 of the network sheets). */
export const SHEET_CONFIG: SheetConfig = {
  inBytes: 1,
  wBytes: 1,
  cbufKb: 512,
  macs: 2048,
  clockMhz: 1000,
  sramReadGbps: 25,
  sramWriteGbps: 25,
  dramGbps: 10,
  fcBatch: 16,
  compression: 0,
  sramKb: 4096,
};

/** The column symbols of each sheet and their CSV headers (the sheet's row-10 headers, block label appended). */
const COMMON = {
  net: 'Net',
  layer: 'Layer',
  attr: 'Layer attribute',
  C: '#input feature maps C',
  H: 'Input Height H',
  W: 'Input Width W',
  K: '#output feature maps K',
  R: 'Filter Height R',
  S: 'Filter Width S',
  pad: 'Zero Padding Z',
  sH: 'Vertical Conv Srtide H',
  sW: 'Horizontal Conv Stride V',
  P: 'Height after Conv P',
  Q: 'Width after Conv Q',
  pool: 'Pooling after Conv',
  pH: 'Pooling Height D',
  pW: 'Pooling Width E',
  psH: 'Vertical pooling stride F',
  psW: 'Horizontal pooling stride G',
  A: 'Height after Pooling A',
  B: 'Height after Pooling B',
  MACs: 'Calculation',
  In: 'Input data size',
  Out: 'Output data size',
  Wt: 'Weight data size',
  dram4: 'DRAM Traffic (SRAM=4M)',
  dram4_cyc: 'DRAM Cycles (SRAM=4M)',
  mac4: 'MAC cycles (SRAM=4M)',
  max4: 'MAX Cycles (SRAM=4M)',
  pole4: 'Long Pole (SRAM=4M)',
  dram0: 'DRAM Traffic (SRAM=0M)',
  dram0_cyc: 'DRAM Cycles (SRAM=0M)',
  mac0: 'MAC Cycles (SRAM=0M)',
  max0: 'MAX Cycle (SRAM=0M)',
  pole0: 'Long Pole (SRAM=0M)',
} as const;
export const SHEET_COLUMNS: Record<SheetName, Record<string, string>> = {
  AlexNet: {
    ...COMMON,
    InMin: 'Min input data size',
    WtMin: 'Min weight data size',
    wino: 'Winograd',
    nb: 'SRAM Batching size',
    srd: 'SRAM Read Traffic (SRAM=4M)',
    srd_cyc: 'SRAM Read Cycles (SRAM=4M)',
    swr: 'CRAM Write Traffic (SRAM=4M)',
    swr_cyc: 'SRAM Write Cycles (SRAM=4M)',
    convb: 'Conv Batch (SRAM=0M)',
  },
  GoogLeNet: {
    ...COMMON,
    InMin: 'Min input data',
    WtMin: 'min weight data',
    wino: 'Winograd?',
    nb: 'CVSRAM Batching size',
    srd: 'CVSRAM Read Traffic (SRAM=4M)',
    srd_cyc: 'CVSRAM Read Cycles (SRAM=4M)',
    swr: 'CVSRAM Write Traffic (SRAM=4M)',
    swr_cyc: 'CVSRAM Write Cycles (SRAM=4M)',
    smaller: 'Smaller size',
    factor: 'Factor',
  },
  ResNet50: {
    ...COMMON,
    mark: 'col A (no header)',
    InMin: 'Min input data size',
    WtMin: 'Min weight data size',
    wino: 'Winograd',
    nb: 'CVSRAM Batching size',
    srd: 'CVSRAM Read Traffic (SRAM=4M)',
    srd_cyc: 'CVSRAM Read Cycles (SRAM=4M)',
    swr: 'CVSRAM Write Traffic (SRAM=4M)',
    swr_cyc: 'CVSRAM Write Cycles (SRAM=4M)',
    smaller: 'Smaller sized (SRAM=0M)',
    dram0b: 'DRAM Traffic (SRAM=0M) #2',
  },
};

/** A cell's value: a number, TRUE/FALSE, text, or blank (undefined). */
export type SheetCell = SheetInput | undefined;

/** What a formula reads: cells of its own row (or of row `at`), numeric ranges, the configuration. */
interface Env {
  r: number;
  cfg: SheetConfig;
  /** A number (a blank cell reads as 0, as in Excel). */
  n(sym: string, at?: number): number;
  /** Whether a cell is true (TRUE or a non-zero number). */
  t(sym: string, at?: number): boolean;
  /** Text (a blank cell reads as ""). */
  s(sym: string, at?: number): string;
  /** A cell as it is (for the copies in GoogLeNet's combined rows). */
  raw(sym: string, at?: number): SheetCell;
  /** The numeric cells of rows a..b (blanks, text and booleans skipped, as Excel's MIN/SUM do). */
  range(sym: string, a: number, b: number): number[];
}
type Formula = (e: Env) => SheetCell;

const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
const min = (xs: number[]) => (xs.length ? Math.min(...xs) : 0);

/** The shape columns of the formula's row. */
const shape = (e: Env): SheetShape => ({
  C: e.n('C'),
  H: e.n('H'),
  W: e.n('W'),
  K: e.n('K'),
  R: e.n('R'),
  S: e.n('S'),
  pad: e.t('pad'),
  sH: e.n('sH'),
  sW: e.n('sW'),
});
const isFc = (e: Env) => e.s('attr') === 'fc';
/** The FC batch divisor of a row: the configured batch for fc rows, 1 for the others. */
const fcb = (e: Env) => (isFc(e) ? e.cfg.fcBatch : 1);

// Formulas shared by the sheets.
const P: Formula = (e) => convOut(e.n('H'), e.n('R'), e.n('sH'), e.t('pad'));
const Q: Formula = (e) => convOut(e.n('W'), e.n('S'), e.n('sW'), e.t('pad'));
const A: Formula = (e) => (e.t('pool') ? pooledOut(e.n('P'), e.n('pH'), e.n('psH')) : e.n('P'));
const B: Formula = (e) => (e.t('pool') ? pooledOut(e.n('Q'), e.n('pW'), e.n('psW')) : e.n('Q'));
const MACS: Formula = (e) => e.n('C') * e.n('P') * e.n('Q') * e.n('K') * e.n('R') * e.n('S');
const IN: Formula = (e) => inputKb(shape(e), e.cfg.inBytes);
const IN_MIN_R1: Formula = (e) => minInputKb(shape(e), e.n('R') + 1, e.cfg.inBytes);
const IN_MIN_R: Formula = (e) => minInputKb(shape(e), e.n('R'), e.cfg.inBytes);
const OUT: Formula = (e) => outputKb(e.n('A'), e.n('B'), e.n('K'), e.cfg.inBytes);
const WT: Formula = (e) => weightKb(shape(e), e.n('K'), e.cfg.wBytes, e.cfg.compression, false);
const WT_WINO: Formula = (e) => weightKb(shape(e), e.n('K'), e.cfg.wBytes, e.cfg.compression, e.t('wino'));
const WT_MIN: Formula = (e) => minWeightKb(shape(e), e.cfg.cbufKb, e.cfg.wBytes, e.cfg.compression);
const WINO: Formula = (e) => isWinograd({ R: e.n('R'), S: e.n('S') });
const MAC =
  (kRound: number): Formula =>
  (e) =>
    macCycles(shape(e), isFc(e), e.cfg.macs, e.cfg.fcBatch, kRound);
const cycles =
  (traffic: string, bw: (c: SheetConfig) => number): Formula =>
  (e) =>
    transferCycles(e.n(traffic), bw(e.cfg), e.cfg.clockMhz);
const DRAM4_CYC = cycles('dram4', (c) => c.dramGbps);
const DRAM0_CYC = cycles('dram0', (c) => c.dramGbps);
const SRD_CYC = cycles('srd', (c) => c.sramReadGbps);
const SWR_CYC = cycles('swr', (c) => c.sramWriteGbps);
const MAX4: Formula = (e) => Math.max(e.n('dram4_cyc'), e.n('srd_cyc'), e.n('swr_cyc'), e.n('mac4'));
const POLE4: Formula = (e) => {
  const m = e.n('max4');
  return m === e.n('mac4') ? 'MAC' : m === e.n('swr_cyc') ? 'CVSRAM-W' : m === e.n('dram4_cyc') ? 'DRAM' : 'CVSRAM-R';
};
const MAX0: Formula = (e) => Math.max(e.n('dram0_cyc'), e.n('mac0'));
const POLE0: Formula = (e) => (e.n('max0') === e.n('mac0') ? 'MAC' : 'DRAM');
const refetch = (e: Env, order: 'in-out-wt' | 'in-wt-out') =>
  refetchTrafficKb(
    { In: e.n('In'), InMin: e.n('InMin'), Out: e.n('Out'), Wt: e.n('Wt'), WtMin: e.n('WtMin') },
    e.s('smaller') === 'weight' ? 'weight' : 'feature',
    e.cfg.cbufKb,
    order,
    e.s('attr') === 'conv + elwise',
  );

/** One formula variant: the column it fills, the xlsx rows it covers ("11-19,21"), the formula. */
type Variant = [sym: string, rows: string, f: Formula];

// ---------------------------------------------------------------- AlexNet
const AL = '11-21';
/** Weights over the SRAM batch of the conv rows 11-18 (or the FC batch on fc rows). */
const alexShared = (e: Env, capAtFc = false) =>
  e.n('Wt') /
  (isFc(e) ? e.cfg.fcBatch : min(capAtFc ? [...e.range('nb', 11, 18), e.cfg.fcBatch] : e.range('nb', 11, 18)));
const ALEXNET: Variant[] = [
  ['P', AL, P],
  ['Q', AL, Q],
  ['A', AL, A],
  ['B', AL, B],
  ['MACs', AL, MACS],
  ['In', AL, IN],
  ['InMin', AL, IN_MIN_R1],
  ['Out', AL, OUT],
  ['Wt', '11', WT],
  ['Wt', '12-21', WT_WINO],
  ['WtMin', AL, WT_MIN],
  ['wino', AL, WINO],
  // SRAM=4M: frames whose input and output fit in the SRAM beside the layer's weights share one weight fetch.
  ['nb', '11-18', (e) => xlFloor((e.cfg.sramKb - e.n('Wt')) / (e.n('In') + e.n('Out')))],
  ['dram4', '11,19-21', (e) => e.n('In') + alexShared(e)],
  ['dram4', '12', (e) => alexShared(e, true)],
  ['dram4', '13-16', (e) => alexShared(e)],
  ['dram4', '17-18', (e) => alexShared(e) + e.n('Out')],
  ['dram4_cyc', AL, DRAM4_CYC],
  ['srd', '12-21', (e) => e.n('In')],
  ['srd_cyc', AL, SRD_CYC],
  ['swr', AL, (e) => e.n('Out')],
  ['swr_cyc', AL, SWR_CYC],
  ['mac4', AL, MAC(16)],
  ['max4', AL, MAX4],
  ['pole4', AL, POLE4],
  // SRAM=0M.
  ['convb', '14-16,19-21', (e) => Math.max(xlFloor((e.cfg.cbufKb - e.n('Wt')) / e.n('In')), 1)],
  ['dram0', AL, (e) => onceTrafficKb(e.n('In'), e.n('Out'), e.n('Wt'), fcb(e))],
  ['dram0_cyc', AL, DRAM0_CYC],
  ['mac0', AL, MAC(16)],
  ['max0', AL, MAX0],
  ['pole0', AL, POLE0],
];

// ---------------------------------------------------------------- GoogLeNet
const G_LAYERS = '11-19,21-27,29-35,37-43,45-51,53-59,61-67,69-75,77-84'; // rows with a layer
const G_DRAM = '20,28,36,44,52,60,68'; // "inception .. DRAM" rows (3a..4e)
const G_COMB = '16,24,32,40,48,56,64,72,80'; // "1x1 (combined)" rows: the three 1x1 branches as one convolution
const G_RUN = '11-12,16-19,24-27,32-35,40-43,48-51,56-59,64-67,72-75,80-84'; // rows that are run
const G_PQ = '11-19,21-27,29-31,33-35,37-39,41-43,45-47,49-51,53-55,57-59,61-63,65-67,69-71,73-75,77-79,81-84';
const G_MACS =
  '11-15,17-19,21-23,25-27,29-31,33-35,37-39,41-43,45-47,49-51,53-55,57-59,61-63,65-67,69-71,73-75,77-79,81-84';
const G_BLOCK = '13-19,21-27,29-35,37-43,45-51,53-59,61-67,69-75,77-83';
/** The cell of the same column in the row above (the combined rows copy the 1x1 branch's shape). */
const above = (sym: string): Variant => [sym, G_COMB, (e) => e.raw(sym, e.r - 1)];
/** First row of the inception block holding row r (blocks of 8 rows from row 13). */
const blk = (r: number) => 13 + 8 * Math.floor((r - 13) / 8);
/** Weights over the least batch of all inception rows. */
const gShared = (e: Env) => e.n('Wt') / min(e.range('nb', 13, 83));
const gBatch12 = (e: Env, a: number, b: number) => e.n('Wt') / (isFc(e) ? e.cfg.fcBatch : min(e.range('nb', a, b)));
const GOOGLENET: Variant[] = [
  ...['C', 'H', 'W', 'R', 'S', 'pad', 'sH', 'sW', 'pool'].map(above),
  ['K', G_COMB, (e) => sum(e.range('K', e.r - 3, e.r - 1))],
  ['P', G_PQ, P],
  ['P', '32,40,48,56,64,72,80', (e) => e.n('P', e.r - 1)],
  ['Q', G_PQ, Q],
  ['Q', '32,40,48,56,64,72,80', (e) => e.n('Q', e.r - 1)],
  // Rows 11-12 test the width after conv (never 0) instead of the pooling flag.
  ['A', '11-12', (e) => (e.t('Q') ? pooledOut(e.n('P'), e.n('pH'), e.n('psH')) : e.n('P'))],
  ['A', G_LAYERS.replace('11-19', '13-19'), A],
  ['B', '11-12', (e) => (e.t('Q') ? pooledOut(e.n('Q'), e.n('pW'), e.n('psW')) : e.n('Q'))],
  ['B', G_LAYERS.replace('11-19', '13-19'), B],
  ['MACs', G_MACS, MACS],
  ['In', G_LAYERS, IN],
  ['InMin', G_LAYERS, IN_MIN_R1],
  ['Out', G_LAYERS, OUT],
  ['Wt', '11-19', WT_WINO],
  ['Wt', G_LAYERS.replace('11-19,', ''), WT],
  ['WtMin', G_LAYERS, WT_MIN],
  ['wino', G_LAYERS, WINO],
  // SRAM=4M: conv1+conv2 share the SRAM; an inception block holds all its weights and its three inputs.
  ['nb', '11', (e) => xlFloor((e.cfg.sramKb - e.n('Wt') - e.n('Wt', 12)) / (e.n('In') + e.n('In', 12) + e.n('Out')))],
  [
    'nb',
    '12',
    (e) => xlFloor((e.cfg.sramKb - e.n('Wt', 11) - e.n('Wt')) / (e.n('In', 11) + e.n('In') + e.n('Out', 11))),
  ],
  [
    'nb',
    G_BLOCK,
    (e) => {
      const b = blk(e.r);
      return xlFloor(
        (e.cfg.sramKb - sum(e.range('Wt', b, b + 6))) / (e.n('In', b) + e.n('In', b + 4) + e.n('In', b + 5)),
      );
    },
  ],
  ['nb', '84', (e) => Math.min(xlFloor((e.cfg.sramKb - e.n('Wt')) / e.n('In')), 16)],
  ['dram4', '11', (e) => e.n('In') + gBatch12(e, 11, 12)],
  ['dram4', '12', (e) => e.n('Out') + gBatch12(e, 11, 12)],
  ['dram4', '13-17,21-23,29-35,37-43,45-51,53-59,61-67,70-71,78-79', gShared],
  ['dram4', '18-19,73-75,81-83', (e) => gShared(e) + e.n('Out')],
  ['dram4', '69,77', (e) => gShared(e) + e.n('In')],
  ['dram4', '72,80', (e) => e.n('Wt') / 2 + e.n('In')],
  ['dram4', '24', (e) => e.n('In')],
  ['dram4', '25-27', (e) => e.n('Out')],
  ['dram4', '84', (e) => e.n('Wt') / e.n('nb') + e.n('In')],
  [
    'dram4',
    G_DRAM,
    (e) =>
      e.n('In', e.r - 7) +
      e.n('Out', e.r - 7) +
      e.n('Out', e.r - 3) +
      e.n('Out', e.r - 2) +
      e.n('Out', e.r - 1) +
      sum(e.range('Wt', e.r - 4, e.r - 1)) / min(e.range('nb', 13, 83)),
  ],
  ['dram4_cyc', `${G_LAYERS},${G_DRAM}`, DRAM4_CYC],
  ['srd', '11', (e) => e.n('In') + gBatch12(e, 11, 12)],
  ['srd', '12', (e) => e.n('In') + gBatch12(e, 12, 13)],
  ['srd', '13-16,21-23,29-32,37-40,45-48,53-56,61-64,72,80', (e) => e.n('In')],
  ['srd', '17-19,25-27,33-35,41-43,49-51,57-59,65-67', (e) => e.n('In') + e.n('Wt')],
  ['srd', '24', (e) => e.n('Wt')],
  ['srd', '69-71,73-75,77-79,81-83', (e) => e.n('In') + e.n('Wt') / e.n('nb')],
  ['srd_cyc', G_LAYERS, SRD_CYC],
  ['swr', '11-19,21-24,27,29-35,37-43,45-51,53-59,61-67,69-72,77-80', (e) => e.n('Out')],
  ['swr_cyc', G_LAYERS, SWR_CYC],
  ['mac4', G_RUN, MAC(16)],
  ['max4', G_RUN, MAX4],
  // The block's DRAM cycles not hidden under the four rows run above.
  [
    'max4',
    G_DRAM,
    (e) =>
      Math.max(
        0,
        e.n('dram4_cyc') - e.n('max4', e.r - 4) - e.n('max4', e.r - 3) - e.n('max4', e.r - 2) - e.n('max4', e.r - 1),
      ),
  ],
  ['pole4', G_RUN, POLE4],
  ['pole4', G_DRAM, (e) => (e.n('max4') > 0 ? 'DRAM' : 'NONE')],
  // SRAM=0M: the larger data set in conv-buffer slices, the other fetched once per slice.
  ['smaller', G_LAYERS, (e) => (e.n('In') < e.n('WtMin') ? 'feature' : 'weight')],
  [
    'factor',
    `${G_LAYERS},${G_DRAM}`,
    (e) => {
      const cb = e.cfg.cbufKb;
      if (e.s('smaller') === 'weight')
        return e.n('Wt') > cb - e.n('InMin') ? xlCeil(e.n('Wt') / (cb - e.n('InMin'))) : 1;
      return e.n('In') > cb - e.n('WtMin') ? xlCeil(e.n('In') / (cb - e.n('WtMin'))) : 1;
    },
  ],
  ['dram0', G_LAYERS, (e) => refetch(e, 'in-out-wt')],
  ['dram0_cyc', G_LAYERS, DRAM0_CYC],
  ['mac0', G_RUN, MAC(16)],
  ['max0', G_RUN, MAX0],
  ['pole0', G_RUN, POLE0],
];

// ---------------------------------------------------------------- ResNet50
const RL = '11-64';
const rShared = (e: Env) => e.n('Wt') / (isFc(e) ? e.cfg.fcBatch : min(e.range('nb', 11, 18)));
const RESNET50: Variant[] = [
  ['P', RL, P],
  ['Q', RL, Q],
  ['A', RL, A],
  ['B', RL, B],
  ['MACs', RL, MACS],
  ['In', RL, IN],
  ['InMin', '11', IN_MIN_R1],
  ['InMin', '12-64', IN_MIN_R],
  ['Out', RL, OUT],
  ['WtMin', RL, WT_MIN],
  ['Wt', '11', WT],
  ['Wt', '12-64', WT_WINO],
  // SRAM=4M (batching size: the constant 1).
  ['dram4', '11,64', (e) => e.n('In') + rShared(e)],
  ['dram4', '12-16', rShared],
  ['dram4', '17-63', (e) => rShared(e) + e.n('Out')],
  ['dram4_cyc', RL, DRAM4_CYC],
  ['srd', '12-64', (e) => e.n('In')],
  ['srd_cyc', RL, SRD_CYC],
  ['swr', RL, (e) => e.n('Out')],
  ['swr_cyc', RL, SWR_CYC],
  ['mac4', RL, MAC(16)],
  ['max4', RL, MAX4],
  ['pole4', RL, POLE4],
  ['wino', RL, WINO],
  // SRAM=0M.
  ['smaller', '11', (e) => (e.n('InMin') < e.n('WtMin') ? 'feature' : 'weight')],
  ['smaller', '12-64', (e) => (e.n('In') < e.n('Wt') ? 'feature' : 'weight')],
  ['dram0', RL, (e) => refetch(e, 'in-wt-out')],
  ['dram0b', RL, (e) => e.n('Wt') / fcb(e) + e.n('Out') * (e.s('attr') === 'conv + elwise' ? 2 : 1) + e.n('In')],
  ['dram0_cyc', RL, DRAM0_CYC],
  ['mac0', RL, MAC(128)],
  ['max0', RL, MAX0],
  ['pole0', RL, POLE0],
];

const VARIANTS: Record<SheetName, Variant[]> = { AlexNet: ALEXNET, GoogLeNet: GOOGLENET, ResNet50: RESNET50 };
/** Last row of each layer table. */
export const SHEET_LAST_ROW: Record<SheetName, number> = { AlexNet: 21, GoogLeNet: 84, ResNet50: 64 };

/** Rows of a range text like "11-19,21". */
export function sheetRows(spec: string): number[] {
  return spec.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return Array.from({ length: (b ?? a!) - a! + 1 }, (_, i) => a! + i);
  });
}

/** The totals under a layer table, per scenario ("4M", "0M"): cycles, ms per frame, FPS, MAC utilisations. */
export interface SheetTotals {
  /** Total Cycle: sum of the layer cycles. */
  cycles: number;
  /** Total Time (ms) = cycles / 1000 / MHz. */
  timeMs: number;
  fps: number;
  /** HW MAC Effi: sum of MAC cycles / sum of layer cycles (absent where the sheet has no cell for it). */
  hwMacUtil?: number;
  /** Network MAC Effi: network MACs / MAC number / total cycles. */
  networkMacUtil?: number;
}

/** A recomputed sheet: every formula cell, and the totals. */
export interface SheetResult {
  name: SheetName;
  /** Value of a cell (constants and formulas alike; blank: undefined). */
  value(sym: string, row: number): SheetCell;
  /** The formula cells, column by column: symbol, row, value. */
  formulaCells: { sym: string; row: number; value: SheetCell }[];
  totals: { '4M': SheetTotals; '0M': SheetTotals };
}

/** Recomputes one network sheet from its constant cells and a configuration (the workbook's defaults if none). */
export function evaluateSheet(name: SheetName, cfg: SheetConfig = SHEET_CONFIG): SheetResult {
  const inputs = new Map(SHEET_INPUTS[name].map((r) => [r.row, r]));
  const formulas = new Map<string, Formula>();
  const order: { sym: string; row: number }[] = [];
  for (const [sym, rows, f] of VARIANTS[name]) {
    for (const row of sheetRows(rows)) {
      const key = `${sym}@${row}`;
      if (formulas.has(key)) throw new Error(`sheet ${name}: two formulas for ${key}`);
      formulas.set(key, f);
      order.push({ sym, row });
    }
  }
  const memo = new Map<string, SheetCell>();
  const value = (sym: string, row: number): SheetCell => {
    const key = `${sym}@${row}`;
    const f = formulas.get(key);
    if (!f) return inputs.get(row)?.[sym];
    if (!memo.has(key)) {
      memo.set(key, f(env(row)));
    }
    return memo.get(key);
  };
  const num = (sym: string, row: number): number => {
    const v = value(sym, row);
    if (v === undefined) return 0;
    if (typeof v !== 'number') throw new Error(`sheet ${name}: ${sym}@${row} is ${JSON.stringify(v)}, not a number`);
    return v;
  };
  const env = (r: number): Env => ({
    r,
    cfg,
    n: (sym, at = r) => num(sym, at),
    t: (sym, at = r) => {
      const v = value(sym, at);
      return v === true || (typeof v === 'number' && v !== 0) || (typeof v === 'string' && v !== '');
    },
    s: (sym, at = r) => {
      const v = value(sym, at);
      return typeof v === 'string' ? v : '';
    },
    raw: (sym, at = r) => value(sym, at) ?? 0,
    range: (sym, a, b) => {
      const out: number[] = [];
      for (let i = a; i <= b; i++) {
        const v = value(sym, i);
        if (typeof v === 'number') out.push(v);
      }
      return out;
    },
  });
  const last = SHEET_LAST_ROW[name];
  const col = (sym: string) => {
    const e = env(11);
    return e.range(sym, 11, last);
  };
  const totals = (mac: string, max: string, withUtil: boolean): SheetTotals => {
    const cycles = sum(col(max));
    const timeMs = cycles / 1000 / cfg.clockMhz;
    const t: SheetTotals = { cycles, timeMs, fps: 1000 / timeMs };
    if (withUtil) {
      t.hwMacUtil = sum(col(mac)) / sum(col(max));
      t.networkMacUtil = sum(col('MACs')) / cfg.macs / cycles;
    }
    return t;
  };
  return {
    name,
    value,
    formulaCells: order.map(({ sym, row }) => ({ sym, row, value: value(sym, row) })),
    // GoogLeNet has no MAC-utilisation cells for its SRAM=4M block.
    totals: { '4M': totals('mac4', 'max4', name !== 'GoogLeNet'), '0M': totals('mac0', 'max0', true) },
  };
}
