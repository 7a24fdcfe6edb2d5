/** The systolic array's columns: `analyze` (compact and CSV), its JSON document, and `sim`'s SCALE-Sim columns. */
import type { LayerCheck } from '../accelerator.js';
import type { SystolicConfig } from './config.js';
import type { LayerPerf, NetworkPerf } from './model.js';
import type { Column } from '../../report/table.js';

const dash = (v: number, digits?: number) =>
  Number.isNaN(v) ? '' : digits === undefined ? v : Number(v.toFixed(digits));

/** The per-layer columns: a compact set for the terminal, every figure for CSV. */
export function layerColumns(cfg: SystolicConfig, style: 'table' | 'csv'): Column<LayerPerf>[] {
  const compact: Column<LayerPerf>[] = [
    { header: 'layer', value: (l) => l.name },
    { header: 'kind', value: (l) => l.kind },
    { header: 'M', value: (l) => dash(l.m) },
    { header: 'K', value: (l) => dash(l.k) },
    { header: 'N', value: (l) => dash(l.n) },
    { header: 'MACs', value: (l) => l.macs },
    { header: 'folds', value: (l) => l.folds },
    { header: 'cycles', value: (l) => l.cycles },
    { header: 'compute', value: (l) => l.computeCycles },
    { header: 'stalls', value: (l) => l.stallCycles },
    { header: 'util %', value: (l) => l.overallUtil, digits: 2 },
    { header: 'map eff %', value: (l) => l.mappingEfficiency, digits: 2 },
    { header: 'DRAM read', value: (l) => l.dramReadWords },
    { header: 'DRAM written', value: (l) => l.dramWrittenWords },
    { header: 'DRAM words', value: (l) => l.dramWords },
    { header: `time us @${cfg.clock_mhz}MHz`, value: (l) => l.timeUs, digits: 3 },
  ];
  // With the memory system (numeric DRAM bandwidth): tiles and the stall cycles by cause (docs/MEMORY.md).
  const memory = cfg.dram.bandwidth !== 'calc';
  const opt = (v: number | undefined) => v ?? '';
  const memCompact: Column<LayerPerf>[] = [
    { header: 'tiles', value: (l) => opt(l.tiles) },
    { header: 'stall IFMAP', value: (l) => opt(l.stallIfmapCycles) },
    { header: 'stall FILTER', value: (l) => opt(l.stallFilterCycles) },
    { header: 'stall OFMAP', value: (l) => opt(l.stallOfmapCycles) },
  ];
  const afterStalls = compact.findIndex((c) => c.header === 'stalls') + 1;
  if (style === 'table')
    return memory ? [...compact.slice(0, afterStalls), ...memCompact, ...compact.slice(afterStalls)] : compact;
  const memCsv: Column<LayerPerf>[] = [
    { header: 'tiles', value: (l) => opt(l.tiles) },
    { header: 'stall_ifmap_cycles', value: (l) => opt(l.stallIfmapCycles) },
    { header: 'stall_filter_cycles', value: (l) => opt(l.stallFilterCycles) },
    { header: 'stall_ofmap_cycles', value: (l) => opt(l.stallOfmapCycles) },
  ];
  return [
    { header: 'layer', value: (l) => l.name },
    { header: 'kind', value: (l) => l.kind },
    { header: 'macs', value: (l) => l.macs },
    { header: 'M', value: (l) => l.m },
    { header: 'K', value: (l) => l.k },
    { header: 'N', value: (l) => l.n },
    { header: 'gemms', value: (l) => l.gemms },
    { header: 'row_folds', value: (l) => l.rowFolds },
    { header: 'col_folds', value: (l) => l.colFolds },
    { header: 'folds', value: (l) => l.folds },
    { header: 'cycles', value: (l) => l.cycles },
    { header: 'stall_cycles', value: (l) => l.stallCycles },
    { header: 'overall_util_pct', value: (l) => l.overallUtil },
    { header: 'mapping_efficiency_pct', value: (l) => l.mappingEfficiency },
    { header: 'compute_util_pct', value: (l) => l.computeUtil },
    { header: 'sram_ifmap_reads', value: (l) => l.sramIfmapReads },
    { header: 'sram_filter_reads', value: (l) => l.sramFilterReads },
    { header: 'sram_ofmap_writes', value: (l) => l.sramOfmapWrites },
    { header: 'sram_ofmap_reads', value: (l) => l.sramOfmapReads },
    { header: 'dram_ifmap_words', value: (l) => l.dramIfmapWords },
    { header: 'dram_filter_words', value: (l) => l.dramFilterWords },
    { header: 'dram_ofmap_words', value: (l) => l.dramOfmapWords },
    { header: 'dram_ifmap_bw', value: (l) => l.dramIfmapBw },
    { header: 'dram_filter_bw', value: (l) => l.dramFilterBw },
    { header: 'dram_ofmap_bw', value: (l) => l.dramOfmapBw },
    { header: 'time_us', value: (l) => l.timeUs },
    ...(memory ? memCsv : []),
    // Added later, so at the end: scripts that read the columns by position keep working.
    { header: 'compute_cycles', value: (l) => l.computeCycles },
    { header: 'dram_read_words', value: (l) => l.dramReadWords },
    { header: 'dram_written_words', value: (l) => l.dramWrittenWords },
  ];
}

/** The JSON document of an analysis: config, per-layer figures and totals. */
export function perfJson(perf: NetworkPerf): object {
  return {
    network: perf.network,
    model: perf.model,
    config: perf.config,
    layers: perf.layers.map(({ scalesimParts, ...l }) => ({
      ...l,
      ...(scalesimParts ? { scalesimLayers: scalesimParts.length } : {}),
    })),
    totals: perf.totals,
  };
}

/** The named terms from SCALE-Sim's cycles to the RTL's, as text ("+1 off-by-one +4 pipeline"). */
function termsText(c: LayerCheck): string {
  const e = c.extras;
  // The memory system's stalls and tiling are no term of SCALE-Sim's compute cycles: the difference only.
  if (typeof e.offByOne !== 'number' || typeof e.tiles === 'number')
    return `${c.rtlCycles - c.referenceCycles >= 0 ? '+' : ''}${c.rtlCycles - c.referenceCycles}`;
  const parts = [`+${e.offByOne} off-by-one`, `+${e.pipelineLatency} pipeline`];
  if (e.foldOverlap !== 0) parts.push(`${e.foldOverlap} overlap`);
  return parts.join(' ');
}

/** `sim`'s columns for an array: SCALE-Sim's cycles and the terms between them and the RTL's. */
export const systolicSimColumns: Column<LayerCheck>[] = [
  { header: 'SCALE-Sim', value: (l) => l.referenceCycles },
  { header: 'RTL - SCALE-Sim', value: termsText },
];
