/** The systolic MAC array as an accelerator kind: rows x cols PEs, dataflow os/ws/is, SCALE-Sim or pipelined timing. */
import { configFingerprint, type Accelerator } from '../accelerator.js';
import { goldenLayer } from '../../quant/golden.js';
import { systolicSchema, type SystolicConfig } from './config.js';
import { layerColumns, perfJson, systolicSimColumns } from './columns.js';
import { systolicDesign } from './design.js';
import { analyzeLayer, analyzeNetwork, scaleSimComparison, SYSTOLIC_STALL_CAUSES, type LayerPerf } from './model.js';
import { systolicMemJob } from './mem-job.js';
import { systolicJob } from './job.js';
import { simulateSystolicLayer } from './run.js';
import { systolicTraceSignals, systolicTraceWindows } from './trace.js';
import { systolicActivityRegisters } from './activity.js';
import { memActivityRegisters } from './mem-activity.js';
import { systolicEnergyActions } from './energy.js';
import { numberList, wordList } from '../../util/lists.js';

/** Describes a config in one line, e.g. "systolic 16x16 os int8, scalesim timing, ...". */
function describe(c: SystolicConfig): string {
  const bw =
    c.dram.bandwidth === 'calc'
      ? 'DRAM calc'
      : `DRAM ${c.dram.bandwidth} words/cycle, latency ${c.dram.latency}, ${c.dram.beat_words}-word beats (memory system)`;
  return `systolic ${c.rows}x${c.cols} ${c.dataflow} ${c.precision}, ${c.timing} timing, SRAM ${c.sram.ifmap_kb}/${c.sram.filter_kb}/${c.sram.ofmap_kb} kB, ${bw}, ${c.clock_mhz} MHz`;
}

export const systolic: Accelerator<SystolicConfig, LayerPerf> = {
  kind: 'systolic',
  title: 'systolic array',
  schema: systolicSchema,
  precisions: () => ['int8', 'int16'],
  describe,
  cells: (c) => c.rows * c.cols,
  computeRoof: (c) => c.rows * c.cols,
  dram: (c) => c.dram,
  withBandwidth: (c, bandwidth) => ({ ...c, dram: { ...c.dram, bandwidth } }),
  stallCauses: SYSTOLIC_STALL_CAUSES,
  referenceName: 'SCALE-Sim v2',
  referenceAssumptions: () => [
    "SCALE-Sim v2.0.2's compute cycles (no DRAM stalls), reported as the index of its last cycle",
  ],
  compat: ['scalesim'],
  predictLayer(l, cfg) {
    const { scalesimCycles, terms } = scaleSimComparison(l, cfg);
    return { ...analyzeLayer(l, cfg), referenceCycles: scalesimCycles, extras: { ...terms } };
  },
  analyzeNetwork: (net, cfg, opts = {}) =>
    analyzeNetwork(net, cfg, opts.compat === 'scalesim' ? 'scalesim' : 'mactile', opts.onLayer),
  analysisColumns: layerColumns,
  analysisJson: (a) => perfJson(a as Parameters<typeof perfJson>[0]),
  analysisHeader: (a) => (a.model === 'scalesim' ? 'SCALE-Sim v2 compatible model' : 'mactile model'),
  simColumns: systolicSimColumns,
  design: systolicDesign,
  hardwareQuant: (_l, q) => q,
  randomQuantOptions: () => ({}),
  golden: goldenLayer,
  job: systolicJob,
  otherJobs: [systolicMemJob],
  simulateLayer: simulateSystolicLayer,
  traceWindows: systolicTraceWindows,
  traceSignals: systolicTraceSignals,
  activityRegisters: (cfg) => memActivityRegisters(cfg, systolicActivityRegisters(cfg)),
  energyActions: systolicEnergyActions,
  sweepAxes: [
    { key: 'rows', option: '--rows', parse: (t) => numberList(t, '--rows') },
    { key: 'cols', option: '--cols', parse: (t) => numberList(t, '--cols') },
    { key: 'dataflow', option: '--dataflow', parse: wordList },
    { key: 'timing', option: '--timing', parse: wordList },
  ],
  sweepName: (c) => `${c.rows}x${c.cols}-${c.dataflow}-${c.precision}-${c.timing}`,
  sweepKey(c) {
    // The key of a point on default SRAM, DRAM and clock keeps the form of earlier databases, so reruns skip it.
    const grid = ['kind', 'rows', 'cols', 'dataflow', 'precision', 'timing'];
    const rest = configFingerprint(c, grid);
    const defaults = configFingerprint(
      systolicSchema.parse({ kind: 'systolic', rows: 1, cols: 1, dataflow: 'os' }),
      grid,
    );
    return `${c.rows}x${c.cols}|${c.dataflow}|${c.precision}|${c.timing}${rest === defaults ? '' : `|${rest}`}`;
  },
  sweepCoordinates: (c) => ({
    rows: c.rows,
    cols: c.cols,
    dataflow: c.dataflow,
    precision: c.precision,
    timing: c.timing,
  }),
};
