/** `mactile analyze`: the analytic model of a network on a systolic array, per layer with totals. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { energyRows, energyTableText, type LayerEnergyRow } from '../report/energy.js';
import type { Accelerator, BaseConfig, LayerPrediction, NetworkAnalysis } from '../accel/accelerator.js';
import { ACCELERATORS, accelOf } from '../accel/registry.js';
import type { NetworkPerf } from '../accel/systolic/model.js';
import { loadNetwork } from '../nets/load.js';
import { writeScaleSimReports } from '../report/scalesim-reports.js';
import { renderCsv, renderTable, wrapText } from '../report/table.js';
import { MactileError } from '../util/errors.js';
import { counter, type ProgressTask } from '../util/progress.js';
import { checkOutputFile, checkOutputFolder, writeOutputFile } from '../util/output.js';
import {
  batchOption,
  configFromOptions,
  formatOption,
  inputShape,
  sizedTable,
  withConfigOverrides,
  withTableSize,
} from './options.js';
import { workloadOf } from '../nets/batch.js';
import { perInference, perInferenceColumns, perInferenceLine, withPerInference } from '../report/per-inference.js';
import type { Shape } from '../nets/ir.js';
import type { ConfigOverrides } from '../config/load.js';

interface AnalyzeOptions extends ConfigOverrides {
  net: string;
  config: string;
  compat?: string;
  format: string;
  out?: string;
  inputShape?: Shape;
  summary?: boolean;
  full?: boolean;
  runFolder?: boolean;
  energy?: boolean;
  energyTable: string;
}

/** The file --out DIR/analysis.<format> names. */
const analysisFile = (out: string, format: string) => join(out, `analysis.${format === 'table' ? 'txt' : format}`);

/** Prints the analysis text, or writes it to --out DIR/analysis.<format>. */
function writeAnalysis(text: string, opts: AnalyzeOptions): void {
  if (!opts.out) {
    process.stdout.write(text);
    return;
  }
  const file = analysisFile(opts.out, opts.format);
  writeOutputFile(file, text, `--out ${opts.out}`);
  process.stdout.write(`wrote ${file}\n`);
}

/** The folder SCALE-Sim names a run's reports by: its run_name (the config's name), checked to be one plain folder name. */
function runFolderName(cfg: BaseConfig): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(cfg.name))
    throw new MactileError(
      `--run-folder: the config's name (run_name) ${JSON.stringify(cfg.name)} is not a plain folder name; expected letters, digits, '_', '-' and '.', at most 64`,
    );
  return cfg.name;
}

/** The columns an analysis summary keeps (by header). */
const ANALYZE_SUMMARY = (h: string) => /^(layer|kind|MACs|cycles|stalls|util %|map eff %|time)/.test(h);

/** Prints or writes the analysis in the requested format, with the kind's own columns and JSON. */
function emit(
  accel: Accelerator,
  cfg: BaseConfig,
  a: NetworkAnalysis,
  opts: AnalyzeOptions,
  energy?: LayerEnergyRow[],
): void {
  if (opts.format === 'scalesim') {
    if (!opts.out)
      throw new MactileError(
        `--format scalesim: expected --out DIR for COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv, received no --out`,
      );
    const dir = opts.runFolder ? join(opts.out, runFolderName(cfg)) : opts.out;
    const files = writeScaleSimReports(a as NetworkPerf, dir, `--out ${opts.out}`);
    process.stdout.write(files.map((f) => `wrote ${f}`).join('\n') + '\n');
    return;
  }
  const batch = cfg.batch ?? 1;
  const extra = perInferenceColumns<LayerPrediction>(batch, (l) => l, cfg.clock_mhz);
  let text: string;
  if (opts.format === 'json') {
    const doc = batchedJson(accel.analysisJson(a, cfg), a, batch);
    text =
      JSON.stringify(energy ? { ...doc, energy: { tables: opts.energyTable, layers: energy } } : doc, null, 2) + '\n';
  } else if (opts.format === 'csv') text = renderCsv([...accel.analysisColumns(cfg, 'csv'), ...extra], a.layers);
  else {
    const header = `${a.network} on ${accel.describe(cfg)}${batch > 1 ? `, batch ${batch}` : ''} — ${accel.analysisHeader(a)}`;
    const notes = accel.analysisNotes?.(a) ?? [];
    const total = totalsRow(accel, cfg, a);
    const columns = [...accel.analysisColumns(cfg, 'table'), ...extra];
    // On stdout the table fits the terminal (--summary, --full); a file gets every column.
    const { table, width } = opts.out
      ? { table: renderTable(columns, a.layers, total), width: undefined }
      : sizedTable(columns, a.layers, total, opts, { keep: ANALYZE_SUMMARY, rank: (l) => l.cycles });
    const line = perInferenceLine(a.totals, batch, total.overallUtil);
    text = `${width ? wrapText(header, width) : header}\n${table}\n${line ? `${line}\n` : ''}${notes.length ? `mapping notes:\n${notes.map((n) => (width ? wrapText(n, width) : n)).join('\n')}\n` : ''}`;
    if (energy) text += `${energyTableText(energy, opts.energyTable)}\n`;
  }
  writeAnalysis(text, opts);
}

/** The analysis JSON with the batch and per-inference figures of each layer and of the totals (batch > 1). */
function batchedJson(doc: object, a: NetworkAnalysis, batch: number): object {
  if (batch === 1) return doc;
  const d = doc as { layers: LayerPrediction[]; totals: NetworkAnalysis['totals'] };
  return {
    ...d,
    batch,
    layers: d.layers.map((l) => withPerInference(l, batch)),
    totals: { ...d.totals, perInference: perInference(a.totals, batch) },
  };
}

/** The totals row: sums where a sum means something, blank (NaN) where it does not. */
function totalsRow(accel: Accelerator, cfg: BaseConfig, a: NetworkAnalysis): LayerPrediction {
  const first = a.layers[0]!;
  const row: Record<string, unknown> = { ...first, name: 'total', kind: '', notes: [] };
  for (const [key, value] of Object.entries(first)) {
    if (typeof value !== 'number') continue;
    row[key] = SUMMED.has(key)
      ? a.layers.reduce((s, l) => s + ((l as unknown as Record<string, number>)[key] ?? 0), 0)
      : NaN;
  }
  if (first.stallsByCause) {
    const causes = Object.keys(first.stallsByCause);
    row.stallsByCause = Object.fromEntries(
      causes.map((c) => [c, a.layers.reduce((s, l) => s + (l.stallsByCause?.[c] ?? 0), 0)]),
    );
  }
  row.overallUtil = (100 * a.totals.macs) / (a.totals.cycles * accel.cells(cfg));
  const mapping = (a.totals as { mappingEfficiency?: number }).mappingEfficiency;
  if (mapping !== undefined) row.mappingEfficiency = mapping;
  return row as unknown as LayerPrediction;
}

/** Per-layer figures whose sum over layers is the network's figure. */
const SUMMED = new Set([
  'macs',
  'folds',
  'convs',
  'issueCycles',
  'cycles',
  'computeCycles',
  'stallCycles',
  'estimatorCycles',
  'dramWords',
  'dramIfmapWords',
  'dramFilterWords',
  'dramOfmapWords',
  'dramReadWords',
  'dramWrittenWords',
  'stallIfmapCycles',
  'stallFilterCycles',
  'stallOfmapCycles',
  'sramReads',
  'sramWrites',
  'timeUs',
]);

/** Registers the `analyze` command. */
export function registerAnalyze(cmd: Command): void {
  withConfigOverrides(
    withTableSize(
      cmd
        .command('analyze')
        .description(
          'analytic cycles, utilisation and traffic of every MAC layer of a network on a systolic array or an NVDLA-style core',
        )
        .requiredOption(
          '--net <net>',
          'zoo name (lenet5, alexnet, efficientnet_b0), a SCALE-Sim topology/GEMM .csv or an ONNX model',
        )
        .requiredOption('--config <config>', 'hardware config file (.yaml, .yml, .toml, SCALE-Sim .cfg) or preset name')
        .option('--compat <tool>', "reproduce another tool's numbers exactly (scalesim)")
        .addOption(formatOption(['table', 'json', 'csv', 'scalesim'], 'table'))
        .option('--out <dir>', 'write the output into this folder')
        .option(
          '--run-folder',
          "with --format scalesim: write into OUT/<run_name>/ as SCALE-Sim does (run_name: the config's name, a .cfg's run_name)",
        )
        .option('--input-shape <HxWxC>', 'input size of an ONNX model whose input is dynamic', inputShape)
        .option('--energy', 'energy per layer from published tables, register toggles estimated (docs/ENERGY.md)')
        .option(
          '--energy-table <name>',
          'with --energy: horowitz-45nm, eyeriss-65nm or all (the range over both)',
          'all',
        )
        .addOption(batchOption()),
    ),
  ).action((opts: AnalyzeOptions) => {
    if (opts.runFolder && opts.format !== 'scalesim')
      throw new MactileError(`--run-folder: expected with --format scalesim, received --format ${opts.format}`);
    if (opts.compat !== undefined && opts.compat !== 'scalesim') {
      throw new MactileError(`--compat: expected scalesim, received ${JSON.stringify(opts.compat)}`);
    }
    if (opts.out !== undefined) {
      checkOutputFolder(opts.out);
      if (opts.format !== 'scalesim') checkOutputFile(analysisFile(opts.out, opts.format));
    }
    const cfg = configFromOptions(opts);
    const accel = accelOf(cfg);
    const net = workloadOf(loadNetwork(opts.net, { inputShape: opts.inputShape }), cfg);
    const compat = opts.compat === 'scalesim' || opts.format === 'scalesim';
    if (compat && cfg.batch !== undefined) {
      throw new MactileError(
        `batch ${cfg.batch} (--batch or config key 'batch'): --compat scalesim and --format scalesim reproduce SCALE-Sim v2, which has no batch (ARM-software/SCALE-Sim#34); use mactile's model, or batch 1`,
      );
    }
    if (compat && !accel.compat.includes('scalesim')) {
      const kinds = ACCELERATORS.filter((a) => a.compat.includes('scalesim')).map((a) => a.kind);
      throw new MactileError(
        `config ${cfg.source}: --compat scalesim and --format scalesim need kind: ${kinds.join(' or ')}, received kind: ${cfg.kind}`,
      );
    }
    if (opts.energy && (compat || opts.format === 'csv'))
      throw new MactileError(
        `--energy: expected mactile's model in a table or JSON, received ${compat ? '--compat scalesim' : '--format csv'}`,
      );
    if (opts.energyTable !== 'all' && !opts.energy)
      throw new MactileError(`--energy-table: expected together with --energy, received --energy-table alone`);
    let bar: ProgressTask | undefined;
    const onLayer = (i: number, total: number, name: string) => {
      bar ??= counter(`analyzing ${net.name} on ${cfg.name}`, total);
      if (i > 0) bar.advance();
      bar.step(name);
    };
    let analysis: NetworkAnalysis;
    try {
      analysis = accel.analyzeNetwork(net, cfg, { ...(compat ? { compat: 'scalesim' } : {}), onLayer });
    } finally {
      bar?.done();
    }
    const energy = opts.energy ? energyRows(net, cfg, analysis.layers, opts.energyTable) : undefined;
    emit(accel, cfg, analysis, opts, energy);
  });
}
