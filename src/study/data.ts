/**
 * The data of the three-network study (`mactile study`): what `study.json` holds and the report is rendered
 * from (`mactile study --from DIR` renders it again without running anything).
 */

import type { LayerEnergy } from '../analytic/energy/model.js';
import type { Range } from '../analytic/energy/tables.js';

/** Energy of one table split by component (pJ; DRAM, and so the total, a range in Horowitz's table). */
export type TableEnergy = Pick<LayerEnergy, 'table' | 'mac' | 'register' | 'sram' | 'dram' | 'total'>;

/** A run's energy: per layer and per inference from each table, and the range over the tables. */
export interface RunEnergy {
  registers: 'estimate';
  /** The tables, by name, with their titles. */
  tables: { name: string; title: string }[];
  layers: { name: string; tables: TableEnergy[] }[];
  /** Per inference (the layers summed), from each table. */
  perInference: TableEnergy[];
  /** Over both tables: pJ per inference, pJ per MAC, TOPS/W and mW at the configured clock. */
  range: { total: Range; pjPerMac: Range; topsPerWatt: Range; milliwatts: Range };
}

/** One quantization variant of one model and its accuracy on the held-out digits. */
export interface AccuracyVariant {
  precision: 'int8' | 'int16';
  calibration: string;
  granularity: string;
  accuracy: number;
}

/** The quantization study of one trained model (the output of `mactile quantize --format json`, merged). */
export interface ModelAccuracy {
  net: string;
  model: string;
  fp32: number;
  heldOut: number;
  calibrationImages: number;
  /** The activations' scheme (absent in a study.json written before it was recorded). */
  activations?: 'symmetric' | 'asymmetric';
  variants: AccuracyVariant[];
  /** The best variant of each precision (highest accuracy; the first listed on a tie). */
  best: Record<string, { calibration: string; granularity: string; accuracy: number }>;
  /** Per-layer SQNR (dB) of the best variant of each precision. */
  sqnr: { layer: string; kind: string; int8?: number; int16?: number }[];
  /** Wall seconds of the child processes that computed it, summed. */
  jobSeconds: number;
}

/** One MAC layer of a network on one config, as the analytic model predicts it. */
export interface LayerFigures {
  name: string;
  kind: string;
  macs: number;
  /** GEMM dimensions (systolic runs). */
  m?: number;
  k?: number;
  n?: number;
  computeCycles: number;
  stallCycles: number;
  cycles: number;
  overallUtil: number;
  mappingEfficiency: number;
  sramReads: number;
  sramWrites: number;
  dramWords: number;
  dramBytes: number;
  /** Average DRAM bandwidth over the layer (GB/s at the config's clock). */
  dramGBps: number;
  timeUs: number;
  /** The reference tool's estimate: SCALE-Sim v2 (systolic) or NVDLA's performance spreadsheet (nvdla). */
  referenceCycles: number;
}

/** A network on one config and precision, through the analytic model. */
export interface AnalyticRun {
  net: string;
  /** The config's name, e.g. "nv_small" or "sa-32x32-ws". */
  config: string;
  kind: string;
  describe: string;
  precision: 'int8' | 'int16';
  /** Systolic runs: array rows (= columns) and dataflow. */
  size?: number;
  dataflow?: string;
  /** DRAM words per cycle of the memory system, or "calc" (ideal memory, SCALE-Sim's assumption). */
  dram?: number | 'calc';
  clockMhz: number;
  cells: number;
  layers: LayerFigures[];
  /** Energy estimated from the analytic access counts (absent in study.json files written before energy). */
  energy?: RunEnergy;
  totals: {
    macs: number;
    cycles: number;
    computeCycles: number;
    stallCycles: number;
    referenceCycles: number;
    dramBytes: number;
    timeUs: number;
    overallUtil: number;
    inferencesPerSecond: number;
  };
}

/** One MAC layer measured in the RTL beside the analytic model's cycles. */
export interface RtlLayer {
  name: string;
  rtlCycles: number;
  analyticCycles: number;
  /** RTL minus the analytic model's cycles of what the RTL models. */
  difference: number;
  bitExact: boolean;
  cycleExact: boolean;
  outputsChecked: number;
}

/** A network on one config through the generated RTL (random operands). */
export interface RtlRun {
  net: string;
  config: string;
  kind: string;
  precision: 'int8' | 'int16';
  operands: string;
  layers: RtlLayer[];
  rtlCycles: number;
  analyticCycles: number;
  ok: boolean;
  wallSeconds: number;
}

/** One finding: a sentence with its number, generated from the data, and the anchor of its evidence. */
export interface Finding {
  id: string;
  /** The question it answers, e.g. "Which dataflow wins at 32x32". */
  topic: string;
  text: string;
  /** The number the sentence states (as shown). */
  value: string;
  anchor: string;
}

/** The yosys area of one studied config, or why it has none. */
export interface AreaRun {
  config: string;
  describe: string;
  /** MAC cells of the config. */
  macCells: number;
  /** Generic yosys cells (absent when not synthesized). */
  cells?: number;
  /** yosys seconds of the synthesis (when served from the cache, the seconds it took when it ran). */
  seconds?: number;
  cached?: boolean;
  /** Why there is no count: the budget was spent, yosys timed out or failed. */
  notSynthesized?: string;
}

/** The area part of the study: the configs asked for, each synthesized or said not to be. */
export interface AreaStudy {
  /** e.g. "yosys generic synth, hierarchical (stat -top)". */
  flow: string;
  yosys: string;
  /** The yosys seconds the study allowed for synthesis not in the cache. */
  budgetSeconds: number;
  runs: AreaRun[];
}

/** Everything the study report shows. */
export interface StudyData {
  version: 1;
  title: string;
  command: string;
  date: string;
  tools: Record<string, string>;
  nets: { name: string; input: string; macLayers: number; macs: number; model?: string }[];
  accuracy: ModelAccuracy[];
  nvdla: AnalyticRun[];
  systolic: AnalyticRun[];
  rtl: RtlRun[];
  /** The DRAM bandwidth (words per cycle) of the systolic memory-system runs. */
  systolicDram: number;
  /** What each reference estimate assumes, by config name. */
  referenceAssumptions: Record<string, string[]>;
  /** What the study left out or ran on a subset, in words. */
  notes: string[];
  /** Absent in study.json files written before area, and with --no-area. */
  area?: AreaStudy;
  seconds: { accuracy: number; analytic: number; rtl: number; total: number; area?: number };
}
