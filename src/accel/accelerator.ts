/**
 * The one interface every accelerator kind implements (systolic array, NVDLA-style core, ...). A kind lives in
 * one folder under src/accel/<kind>/ and is registered once in registry.ts; commands, the report and sweeps
 * iterate the registry instead of switching on `kind`.
 *
 * The analytic model (`predictLayer`, `analyzeNetwork`) is the only code that predicts a number; the
 * simulation (`simulateLayer`) measures and the shared checker compares the two.
 */
import type { z } from 'zod';
import type { Precision } from '../config/schema.js';
import type { MacLayer, Network } from '../nets/ir.js';
import type { IntTensor, QuantLayer } from '../quant/tensor.js';
import type { Column } from '../report/table.js';
import type { DesignSources } from '../rtl/design.js';
import type { Build } from '../sim/build.js';
import type { JobEncoding } from '../sim/job.js';
import type { DriverRunOptions } from '../sim/run-options.js';
import type { EnergyActions } from '../analytic/energy/model.js';
import type { DramConfig } from './dram.js';

/** Layer cycles from `start` up to, not including, `end` (the items of a layer laid end to end). */
export interface CycleWindow {
  start: number;
  end: number;
}

/** The keys every kind's config has. */
export interface BaseConfig {
  kind: string;
  name: string;
  source: string;
  precision: Precision;
  clock_mhz: number;
  /** Inputs per MAC layer (absent: 1), applied to a network with `workloadOf`. */
  batch?: number;
}

/** What the analytic model predicts for one MAC layer, in the same terms for every kind. */
export interface LayerPrediction {
  name: string;
  kind: string;
  macs: number;
  /** Cycles with an ideal memory system; `stallCycles` the memory adds; `cycles` their sum. */
  computeCycles: number;
  stallCycles: number;
  cycles: number;
  /** Whether the RTL models the stalls predicted here (false: `stallCycles` is a prediction only). */
  stallsModelled: boolean;
  overallUtil: number;
  mappingEfficiency: number;
  sramReads: number;
  sramWrites: number;
  dramWords: number;
  /** `dramWords` split into the words read from DRAM and the words written to it. */
  dramReadWords: number;
  dramWrittenWords: number;
  /** The memory system only (numeric DRAM bandwidth): `stallCycles` by cause, keyed by the kind's `stallCauses`. */
  stallsByCause?: Record<string, number>;
  timeUs: number;
}

/** What a memory-system run's RTL counters measured over a layer, in the terms of `LayerPrediction`. */
export interface MemoryCounts {
  computeCycles: number;
  stallCycles: number;
  stallsByCause: Record<string, number>;
  dramReadWords: number;
  dramWrittenWords: number;
}

/** A figure the RTL reports beside the value the analytic model predicts for it (fold starts, issue slots). */
export interface CountedFigure {
  name: string;
  measured: number;
  predicted: number;
}

/** Bit toggles (popcount of old XOR new) the activity variant's RTL counters measured over a layer. */
export interface ToggleCounts {
  /** The streamed operand's registers, the second operand's registers, the partial-sum registers. */
  a: number;
  b: number;
  psum: number;
  /** The memory-system design's buses (scratchpad read/write data, DRAM read/write beats), by bus name. */
  memory?: Record<string, number>;
}

/** What the activity counters of a kind count: the registers behind each of `ToggleCounts` (docs/ENERGY.md). */
export interface ActivityRegisters {
  a: string;
  b: string;
  psum: string;
  /** Bits per register of a and b (the operand width) and of psum (the accumulator width). */
  operandBits: number;
  psumBits: number;
  /** Registers of each kind in the design (PE count times registers per PE). */
  count: { a: number; b: number; psum: number };
  /** The memory-system design's counted buses: per bus name the signals it counts and when. */
  memory?: Record<string, string>;
}

/** What one layer's run through the RTL measured. */
export interface LayerMeasurement {
  output: IntTensor;
  rtlCycles: number;
  /** Items the layer ran as (GEMMs or convolutions). */
  items: number;
  macsCounted: number;
  outputsCounted: number;
  /** Outputs the driver saw written exactly once, and anomalies. */
  outputsWritten: number;
  repeatedWrites: number;
  outsideWrites: number;
  /** Kind-specific counters checked against the model (each must match). */
  figures: CountedFigure[];
  /** Kind-specific values shown by the kind's own columns (not checked). */
  extras: Record<string, number | string>;
  notes: string[];
  wallSeconds: number;
  driverSeconds: number;
  simSeconds: number;
  /** The activity counters (an activity build only). */
  activity?: ToggleCounts;
  /** The memory system's counters (a numeric DRAM bandwidth only). */
  memory?: MemoryCounts;
}

/** One layer checked: measured beside predicted, outputs against the golden model. */
export interface LayerCheck {
  name: string;
  kind: string;
  macs: number;
  /** GEMMs (systolic) or convolutions (NVDLA-style) the layer ran as. */
  gemms: number;
  rtlCycles: number;
  /** The analytic model's cycles (= compute + stall cycles, as `analyze` reports them). */
  analyticCycles: number;
  analyticComputeCycles: number;
  analyticStallCycles: number;
  /** Whether the RTL models the predicted stalls; when not, only the compute cycles are compared. */
  stallsModelled: boolean;
  /** The reference tool's estimate: SCALE-Sim v2 (systolic) or NVDLA's performance estimator. */
  referenceCycles: number;
  overallUtil: number;
  mappingEfficiency: number;
  /** Utilisation measured from the RTL's MAC counter. */
  rtlUtil: number;
  outputsExpected: number;
  outputsChecked: number;
  mismatches: number;
  firstMismatches: string[];
  bitExact: boolean;
  /** RTL cycles equal the model's cycles of what the RTL models (all of them when `stallsModelled`). */
  cycleExact: boolean;
  countersOk: boolean;
  figures: CountedFigure[];
  extras: Record<string, number | string>;
  notes: string[];
  timeUs: number;
  wallSeconds: number;
  /** Bit toggles of the PE registers (a run on the activity build only). */
  activity?: ToggleCounts;
  /** The memory system's counters as the RTL measured them (a numeric DRAM bandwidth only; each is checked
   * against the model among `figures`). */
  memory?: MemoryCounts;
}

/** A network analysed by a kind's analytic model: per-layer figures (the kind's own, over the common ones). */
export interface NetworkAnalysis<L extends LayerPrediction = LayerPrediction> {
  network: string;
  /** Which model produced the figures (e.g. "mactile", "scalesim", "nvdla-exact"). */
  model: string;
  layers: L[];
  totals: {
    macs: number;
    cycles: number;
    computeCycles: number;
    stallCycles: number;
    dramWords: number;
    timeUs: number;
  };
}

/** Other tools' models a kind can reproduce exactly (`analyze --compat`). */
export type CompatModel = 'scalesim';

/** Options of `analyze` that only some kinds take. */
export interface AnalyzeOptions {
  compat?: CompatModel;
  /** Called before each layer is analysed (its index among `total`), for progress on big networks. */
  onLayer?: (index: number, total: number, name: string) => void;
}

/** A sweep axis a kind offers: a config key and how to parse its values from the command line. */
export interface SweepAxis {
  key: string;
  option: string;
  parse: (text: string) => unknown[];
}

/** Where a point sits in the sweep database's grid. */
export interface SweepCoordinates {
  rows: number;
  cols: number;
  dataflow: string;
  precision: string;
  timing: string;
}

/** The keys of a config other than `skip` (and name/source), as stable JSON: what tells two configs apart. */
export function configFingerprint(cfg: object, skip: string[]): string {
  const rest = Object.entries(cfg).filter(([k]) => !skip.includes(k) && k !== 'name' && k !== 'source');
  rest.sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify(Object.fromEntries(rest));
}

/** One accelerator kind. */
export interface Accelerator<C extends BaseConfig = BaseConfig, L extends LayerPrediction = LayerPrediction> {
  kind: C['kind'];
  /** e.g. "systolic array". */
  title: string;
  /** The kind's config schema (strict, with its `kind` literal). */
  schema: z.ZodTypeAny;
  /** Checks across keys the schema cannot express; returns an error text naming the key, or undefined. */
  configProblem?(cfg: C, overridden: string[]): string | undefined;
  /** Precisions the hardware supports (a study skips the others). */
  precisions(cfg: C): Precision[];
  describe(cfg: C): string;
  /** MAC cells (PEs). */
  cells(cfg: C): number;
  /** The roofline's compute roof: the MACs per cycle the hardware does at its peak. */
  computeRoof(cfg: C): number;
  /** The config's DRAM port (`bandwidth: 'calc'`: an ideal memory, no memory system). */
  dram(cfg: C): DramConfig;
  /** The config with another DRAM bandwidth, all else kept (the report's cycles against bandwidth). */
  withBandwidth(cfg: C, bandwidth: number | 'calc'): C;
  /** The memory system's stall causes, in the order tables show them: the keys of `stallsByCause`. */
  stallCauses: readonly string[];
  /** The published estimate mactile's cycles stand beside, and what it assumes (shown wherever it appears). */
  referenceName: string;
  referenceAssumptions(cfg: C): string[];
  /** The other tools' models `analyzeNetwork` can reproduce (`--compat`). */
  compat: CompatModel[];
  /** Prediction of one layer (`net` gives context some models use, e.g. a fused pooling). */
  predictLayer(l: MacLayer, cfg: C, net?: Network): L & { referenceCycles: number };
  analyzeNetwork(net: Network, cfg: C, opts?: AnalyzeOptions): NetworkAnalysis<L>;
  /** Columns of `analyze` (table: compact; csv: every figure) and its JSON document. */
  analysisColumns(cfg: C, style: 'table' | 'csv'): Column<L>[];
  analysisJson(a: NetworkAnalysis<L>, cfg: C): object;
  /** Which model an analysis is, for the table's title (e.g. "mactile model"). */
  analysisHeader(a: NetworkAnalysis<L>): string;
  /** Extra text under the analysis table (e.g. mapping notes). */
  analysisNotes?(a: NetworkAnalysis<L>): string[];
  /** Columns of `sim` specific to the kind (placed after the analytic columns). */
  simColumns: Column<LayerCheck>[];
  /** The generated sources of a config (generator: description, then emitter). */
  design(cfg: C, opts?: DesignOptions): DesignSources;
  /** The layer's quantization as this hardware computes it (NVDLA: CACC truncation). */
  hardwareQuant(l: MacLayer, q: QuantLayer): QuantLayer;
  /** Options for random quantized parameters that suit the hardware (NVDLA: CACC's truncation). */
  randomQuantOptions(l: MacLayer, bits: 8 | 16): { caccTruncate?: number };
  /** The golden integer model of a layer on this hardware. */
  golden(l: MacLayer, x: IntTensor, q: QuantLayer): IntTensor;
  /** Its job file in the job-format table (with its job-kind code) and the encoder `simulateLayer` writes it with. */
  job: JobEncoding;
  /** The job files of the kind's other drivers, if any (the systolic array's memory system, sa_mem_driver). */
  otherJobs?: readonly JobEncoding[];
  /** Runs one layer through the RTL (the prediction gives watchdog limits and the schedule to check);
   * `opts.run` traces, keeps or replays the job (src/sim/run-options.ts). */
  simulateLayer(
    build: Build,
    cfg: C,
    l: MacLayer,
    x: IntTensor,
    q: QuantLayer,
    opts?: { run?: DriverRunOptions },
  ): Promise<LayerMeasurement>;
  /** The default cycle windows of a traced layer (systolic: its first and last fold, from the fold schedule);
   * kinds without one get the first and last cycles of the layer (src/sim/trace.ts). */
  traceWindows?(l: MacLayer, cfg: C): CycleWindow[];
  /** Lines of the signal map written beside a layer's waveform: what the design's internal signals hold. */
  traceSignals?(cfg: C): string[];
  /** A layer's actions for the energy model (src/analytic/energy), with the activity counters when measured. */
  energyActions(p: L, cfg: C, toggles?: ToggleCounts): EnergyActions;
  /** The registers the activity variant's toggle counters count (kinds without an activity variant: absent). */
  activityRegisters?(cfg: C): ActivityRegisters;
  /** Sweep axes the kind offers beyond the shared ones (precision, clock). */
  sweepAxes: SweepAxis[];
  /** A sweep point's name part (e.g. "16x16-os-int8-scalesim"), its identity in the sweep database, and its
   * coordinates there (NVDLA: atomic-C x atomic-K as rows x cols, "nvdla" as dataflow, the stripe rule as timing). */
  sweepName(cfg: C): string;
  sweepKey(cfg: C): string;
  sweepCoordinates(cfg: C): SweepCoordinates;
}

/** Generator options (the mutation tests use `mutate` to alter the emitted description). */
export interface DesignOptions {
  mutate?: (text: string, file: string) => string;
  /** The activity variant: the design with the kind's toggle counters (kinds with `activityRegisters` only). */
  activity?: boolean;
}
