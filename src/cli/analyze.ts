/** `mactile analyze`: the analytic model of a network on a systolic array, per layer with totals. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { analyzeNetwork, type NetworkPerf } from '../analytic/network.js';
import { cellsOf, describeConfig } from '../config/describe.js';
import { loadNetwork } from '../nets/load.js';
import { layerColumns, perfJson } from '../report/analytic-tables.js';
import { writeScaleSimReports } from '../report/scalesim-reports.js';
import { renderCsv, renderTable, type Column } from '../report/table.js';
import { analyzeNvdlaNetwork } from '../analytic/nvdla-network.js';
import type { NvdlaConfig } from '../config/schema.js';
import { MactileError } from '../util/errors.js';
import { configFromOptions, formatOption, inputShape, requireSystolic, withConfigOverrides } from './options.js';
import type { Shape } from '../nets/ir.js';
import type { ConfigOverrides } from '../config/load.js';

interface AnalyzeOptions extends ConfigOverrides {
  net: string;
  config: string;
  compat?: string;
  format: string;
  out?: string;
  inputShape?: Shape;
}

/** Prints the analysis text, or writes it to --out DIR/analysis.<format>. */
function writeAnalysis(text: string, opts: AnalyzeOptions): void {
  if (!opts.out) {
    process.stdout.write(text);
    return;
  }
  mkdirSync(opts.out, { recursive: true });
  const file = join(opts.out, `analysis.${opts.format === 'table' ? 'txt' : opts.format}`);
  writeFileSync(file, text);
  process.stdout.write(`wrote ${file}\n`);
}

/** Prints or writes the analysis in the requested format. */
function emit(perf: NetworkPerf, opts: AnalyzeOptions): void {
  if (opts.format === 'scalesim') {
    if (!opts.out) throw new MactileError(`--format scalesim: expected --out DIR for COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv, received no --out`);
    const files = writeScaleSimReports(perf, opts.out);
    process.stdout.write(files.map((f) => `wrote ${f}`).join('\n') + '\n');
    return;
  }
  let text: string;
  if (opts.format === 'json') text = JSON.stringify(perfJson(perf), null, 2) + '\n';
  else if (opts.format === 'csv') text = renderCsv(layerColumns(perf, 'csv'), perf.layers);
  else {
    const header = `${perf.network} on ${describeConfig(perf.config)} — ${perf.model === 'scalesim' ? 'SCALE-Sim v2 compatible model' : 'mactile model'}`;
    const total = { ...perf.layers[0]!, name: 'total', kind: '', ...totalsRow(perf) };
    text = `${header}\n${renderTable(layerColumns(perf, 'table'), perf.layers, total)}\n`;
  }
  writeAnalysis(text, opts);
}

function totalsRow(perf: NetworkPerf) {
  const sum = (f: (l: NetworkPerf['layers'][number]) => number) => perf.layers.reduce((s, l) => s + f(l), 0);
  return {
    macs: perf.totals.macs,
    m: NaN, k: NaN, n: NaN,
    folds: sum((l) => l.folds),
    cycles: perf.totals.cycles,
    stallCycles: perf.totals.stallCycles,
    overallUtil: perf.totals.overallUtil,
    mappingEfficiency: perf.totals.mappingEfficiency,
    computeUtil: NaN,
    dramIfmapWords: sum((l) => l.dramIfmapWords),
    dramFilterWords: sum((l) => l.dramFilterWords),
    dramOfmapWords: sum((l) => l.dramOfmapWords),
    timeUs: perf.totals.timeUs,
  };
}

/** Prints the NVDLA-style analysis (exact model and NVDLA's estimator). */
function emitNvdla(perf: ReturnType<typeof analyzeNvdlaNetwork>, cfg: NvdlaConfig, network: string, opts: AnalyzeOptions): void {
  type Row = (typeof perf.layers)[number];
  const columns: Column<Row>[] = [
    { header: 'layer', value: (l) => l.name }, { header: 'kind', value: (l) => l.kind }, { header: 'MACs', value: (l) => l.macs },
    { header: 'convs', value: (l) => l.convs }, { header: 'issue cycles', value: (l) => l.issueCycles }, { header: 'cycles', value: (l) => l.cycles },
    { header: 'NVDLA estimator', value: (l) => Math.round(l.estimatorCycles) }, { header: 'util %', value: (l) => l.overallUtil, digits: 2 },
    { header: 'map eff %', value: (l) => l.mappingEfficiency, digits: 2 }, { header: 'DRAM words', value: (l) => l.dramWords },
    { header: `time us @${cfg.clock_mhz}MHz`, value: (l) => l.timeUs, digits: 3 },
  ];
  let text: string;
  if (opts.format === 'json') text = JSON.stringify({ network, model: 'nvdla-exact', config: cfg, ...perf }, null, 2) + '\n';
  else if (opts.format === 'csv') text = renderCsv(columns, perf.layers);
  else {
    const total = { ...perf.layers[0]!, name: 'total', kind: '', macs: perf.totals.macs, convs: perf.layers.reduce((s, l) => s + l.convs, 0), issueCycles: perf.layers.reduce((s, l) => s + l.issueCycles, 0), cycles: perf.totals.cycles, estimatorCycles: perf.totals.estimatorCycles, overallUtil: (100 * perf.totals.macs) / (perf.totals.cycles * cellsOf(cfg)), mappingEfficiency: NaN, dramWords: perf.layers.reduce((s, l) => s + l.dramWords, 0), timeUs: perf.totals.timeUs };
    const notes = perf.layers.filter((l) => l.notes.length).map((l) => `  ${l.name}: ${l.notes.join('; ')}`);
    text = `${network} on ${describeConfig(cfg)} — exact cycle model and NVDLA's estimator\n${renderTable(columns, perf.layers, total)}\n${notes.length ? `mapping notes:\n${notes.join('\n')}\n` : ''}`;
  }
  writeAnalysis(text, opts);
}

/** Registers the `analyze` command. */
export function registerAnalyze(cmd: Command): void {
  withConfigOverrides(
    cmd
      .command('analyze')
      .description('analytic cycles, utilisation and traffic of every MAC layer of a network on a systolic array or an NVDLA-style core')
      .requiredOption('--net <net>', 'zoo name (lenet5, alexnet, efficientnet_b0), a SCALE-Sim topology/GEMM .csv or an ONNX model')
      .requiredOption('--config <config>', 'hardware config file (.yaml, .yml, .toml, SCALE-Sim .cfg) or preset name')
      .option('--compat <tool>', 'reproduce another tool\'s numbers exactly (scalesim)')
      .addOption(formatOption(['table', 'json', 'csv', 'scalesim'], 'table'))
      .option('--out <dir>', 'write the output into this folder')
      .option('--input-shape <HxWxC>', 'input size of an ONNX model whose input is dynamic', inputShape),
  ).action((opts: AnalyzeOptions) => {
    if (opts.compat !== undefined && opts.compat !== 'scalesim') {
      throw new MactileError(`--compat: expected scalesim, received ${JSON.stringify(opts.compat)}`);
    }
    const anyCfg = configFromOptions(opts);
    const net = loadNetwork(opts.net, { inputShape: opts.inputShape });
    if (anyCfg.kind === 'nvdla') {
      if (opts.compat !== undefined || opts.format === 'scalesim') throw new MactileError(`config ${anyCfg.source}: --compat scalesim and --format scalesim need kind: systolic, received kind: nvdla`);
      emitNvdla(analyzeNvdlaNetwork(net, anyCfg), anyCfg, net.name, opts);
      return;
    }
    const cfg = requireSystolic(anyCfg, 'analyze');
    const compat = opts.compat === 'scalesim' || opts.format === 'scalesim';
    emit(analyzeNetwork(net, cfg, compat ? 'scalesim' : 'mactile'), opts);
  });
}
