/** The NVDLA-style convolution core as an accelerator kind: atomic-C x atomic-K MAC cells, CDMA/CSC/CMAC/CACC/SDP. */
import { configFingerprint, type Accelerator } from '../accelerator.js';
import { numberList } from '../../util/lists.js';
import { caccTruncateBits, goldenNvdlaLayer, nvdlaQuantLayer } from './cacc.js';
import { nvdlaAnalysisColumns, nvdlaSimColumns } from './columns.js';
import { nvdlaSchema, type NvdlaConfig } from './config.js';
import { nvdlaDesign } from './design.js';
import { estimatorAssumptions, estimatorSettings } from './estimator.js';
import {
  analyzeNvdlaLayer,
  analyzeNvdlaNetwork,
  NVDLA_STALL_CAUSES,
  type NvLayerPerf,
  type NvNetworkAnalysis,
} from './network.js';
import { nvdlaJob } from './job.js';
import { nvdlaMemJob } from './mem-job.js';
import { nvdlaEnergyActions } from './energy.js';
import { simulateNvLayer } from './run.js';
import { nvdlaTraceSignals } from './trace.js';

/** The memory system's DRAM port and output buffer, for the one-line description (nothing with `calc`). */
function dramText(c: NvdlaConfig): string {
  if (c.dram.bandwidth === 'calc') return '';
  return `output buffer ${c.output_buffer_kb} kB, DRAM ${c.dram.bandwidth} words/cycle, latency ${c.dram.latency}, ${c.dram.beat_words}-word beats (memory system), `;
}

export const nvdla: Accelerator<NvdlaConfig, NvLayerPerf> = {
  kind: 'nvdla',
  title: 'NVDLA-style core',
  schema: nvdlaSchema,
  configProblem(cfg, overridden) {
    if (cfg.dram.bandwidth !== 'calc' && cfg.dma_words_per_cycle !== undefined)
      return `key 'dma_words_per_cycle': the compute-only core's DMA term; with a numeric dram.bandwidth (${cfg.dram.bandwidth}) the memory system loads the buffers, remove the key`;
    if (cfg.supported_precisions.includes(cfg.precision)) return undefined;
    const via = overridden.includes('precision') ? ' (from --precision)' : '';
    return (
      `key 'precision'${via}: this core supports ${cfg.supported_precisions.join(' | ')}, received ${JSON.stringify(cfg.precision)}` +
      (cfg.precision === 'int16' ? '; use the nv_full_int16 preset for INT16' : '')
    );
  },
  precisions: (c) => c.supported_precisions,
  describe: (c) =>
    `nvdla atomic-C ${c.atomic_c} x atomic-K ${c.atomic_k} ${c.precision}, buffers ${c.feature_buffer_kb}/${c.weight_buffer_kb} kB, ${dramText(c)}${c.clock_mhz} MHz`,
  cells: (c) => c.atomic_c * c.atomic_k,
  computeRoof: (c) => c.atomic_c * c.atomic_k,
  dram: (c) => c.dram,
  withBandwidth: (c, bandwidth) => ({ ...c, dram: { ...c.dram, bandwidth } }),
  stallCauses: NVDLA_STALL_CAUSES,
  referenceName: 'NVDLA estimator',
  referenceAssumptions: (cfg) => estimatorAssumptions(estimatorSettings(cfg)),
  compat: [],
  predictLayer(l, cfg, net) {
    const p = analyzeNvdlaLayer(l, cfg, net);
    return { ...p, referenceCycles: p.estimatorCycles };
  },
  analyzeNetwork(net, cfg, opts = {}) {
    if (opts.compat) throw new Error('unreachable: compat is refused for kinds without it');
    return analyzeNvdlaNetwork(net, cfg);
  },
  analysisColumns: nvdlaAnalysisColumns,
  analysisJson: (a, cfg) => ({
    network: a.network,
    model: a.model,
    config: cfg,
    layers: a.layers,
    totals: a.totals,
    estimator: (a as NvNetworkAnalysis).estimator,
  }),
  analysisHeader: () => "exact cycle model and NVDLA's estimator",
  analysisNotes: (a) => [
    ...a.layers.filter((l) => l.notes.length).map((l) => `  ${l.name}: ${l.notes.join('; ')}`),
    `  NVDLA estimator assumes: ${(a as NvNetworkAnalysis).estimator.assumptions.join('; ')}`,
  ],
  simColumns: nvdlaSimColumns,
  design: nvdlaDesign,
  hardwareQuant: nvdlaQuantLayer,
  randomQuantOptions: (l, bits) => ({ caccTruncate: caccTruncateBits(l, bits) }),
  golden: goldenNvdlaLayer,
  job: nvdlaJob,
  otherJobs: [nvdlaMemJob],
  energyActions: nvdlaEnergyActions,
  simulateLayer: simulateNvLayer,
  traceSignals: nvdlaTraceSignals,
  sweepAxes: [
    { key: 'atomic_c', option: '--atomic-c', parse: (t) => numberList(t, '--atomic-c') },
    { key: 'atomic_k', option: '--atomic-k', parse: (t) => numberList(t, '--atomic-k') },
  ],
  sweepName: (c) => `nvdla-${c.atomic_c}x${c.atomic_k}-${c.precision}`,
  sweepKey: (c) =>
    `nvdla|${c.atomic_c}x${c.atomic_k}|${c.precision}|${configFingerprint(c, ['atomic_c', 'atomic_k', 'precision'])}`,
  sweepCoordinates: (c) => ({
    rows: c.atomic_c,
    cols: c.atomic_k,
    dataflow: 'nvdla',
    precision: c.precision,
    timing: c.stripe_rule,
  }),
};
