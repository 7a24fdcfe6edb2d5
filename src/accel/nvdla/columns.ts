/** The NVDLA-style core's columns: `analyze` (table and CSV) and `sim`'s issue-slot and estimator columns. */
import type { LayerCheck } from '../accelerator.js';
import type { Column } from '../../report/table.js';
import type { NvdlaConfig } from './config.js';
import { NVDLA_STALL_CAUSES, type NvLayerPerf } from './network.js';

/** The per-layer columns of the exact model beside NVDLA's estimator (with the memory system: stalls by cause). */
export function nvdlaAnalysisColumns(cfg: NvdlaConfig): Column<NvLayerPerf>[] {
  const stalls: Column<NvLayerPerf>[] =
    cfg.dram.bandwidth === 'calc'
      ? []
      : NVDLA_STALL_CAUSES.map((c) => ({ header: `stall ${c}`, value: (l) => l.stallsByCause?.[c] ?? '' }));
  return [
    { header: 'layer', value: (l) => l.name },
    { header: 'kind', value: (l) => l.kind },
    { header: 'MACs', value: (l) => l.macs },
    { header: 'convs', value: (l) => l.convs },
    { header: 'issue cycles', value: (l) => l.issueCycles },
    { header: 'cycles', value: (l) => l.cycles },
    { header: 'compute', value: (l) => l.computeCycles },
    { header: 'stalls', value: (l) => l.stallCycles },
    ...stalls,
    { header: 'NVDLA estimator', value: (l) => Math.round(l.estimatorCycles) },
    { header: 'util %', value: (l) => l.overallUtil, digits: 2 },
    { header: 'map eff %', value: (l) => l.mappingEfficiency, digits: 2 },
    { header: 'DRAM read', value: (l) => l.dramReadWords },
    { header: 'DRAM written', value: (l) => l.dramWrittenWords },
    { header: 'DRAM words', value: (l) => l.dramWords },
    { header: `time us @${cfg.clock_mhz}MHz`, value: (l) => l.timeUs, digits: 3 },
  ];
}

/** `sim`'s columns for the core: issue slots counted by the RTL and NVDLA's estimate. */
export const nvdlaSimColumns: Column<LayerCheck>[] = [
  { header: 'issue slots', value: (l) => Number(l.extras.issueSlots ?? 0) },
  { header: 'NVDLA estimator', value: (l) => Math.round(l.referenceCycles) },
];
