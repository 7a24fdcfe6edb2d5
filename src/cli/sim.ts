/** `mactile sim`: runs every MAC layer of a network through the generated RTL and checks it. */
import type { Command } from 'commander';
import { describeConfig } from '../config/describe.js';
import { loadNetwork } from '../nets/load.js';
import { simulateNetwork, type LayerCheck, type NetworkSim } from '../sim/run-network.js';
import { renderTable } from '../report/table.js';
import { configFromOptions, formatOption, requireSystolic, wholeNumber, withConfigOverrides } from './options.js';

interface SimOptions {
  net: string;
  config: string;
  layers?: string;
  seed: number;
  format: string;
  rows?: number;
  cols?: number;
  dataflow?: string;
  precision?: string;
  timing?: string;
}

const yes = (b: boolean) => (b ? 'yes' : 'NO');

function termsText(c: LayerCheck): string {
  const parts = [`+${c.terms.offByOne} off-by-one`, `+${c.terms.pipelineLatency} pipeline`];
  if (c.terms.foldOverlap !== 0) parts.push(`${c.terms.foldOverlap} overlap`);
  return parts.join(' ');
}

/** The per-layer table of a simulation, with totals. */
export function simTable(sim: NetworkSim): string {
  const total = {
    name: 'total', kind: '', macs: sim.totals.macs, rtlCycles: sim.totals.rtlCycles, analyticCycles: sim.totals.analyticCycles,
    scalesimCycles: sim.totals.scalesimCycles, outputsChecked: sim.layers.reduce((s, l) => s + l.outputsChecked, 0),
    overallUtil: (100 * sim.totals.macs) / (sim.totals.rtlCycles * sim.config.rows * sim.config.cols),
    mappingEfficiency: NaN, timeUs: sim.totals.timeUs, bitExact: sim.layers.every((l) => l.bitExact),
    cycleExact: sim.layers.every((l) => l.cycleExact), terms: undefined,
  } as unknown as LayerCheck;
  return renderTable<LayerCheck>(
    [
      { header: 'layer', value: (l) => l.name },
      { header: 'MACs', value: (l) => l.macs },
      { header: 'RTL cycles', value: (l) => l.rtlCycles },
      { header: 'analytic', value: (l) => l.analyticCycles },
      { header: 'diff', value: (l) => l.rtlCycles - l.analyticCycles },
      { header: 'SCALE-Sim', value: (l) => l.scalesimCycles },
      { header: 'RTL - SCALE-Sim', value: (l) => (l.terms ? termsText(l) : `${l.rtlCycles - l.scalesimCycles >= 0 ? '+' : ''}${l.rtlCycles - l.scalesimCycles}`) },
      { header: 'util %', value: (l) => l.overallUtil, digits: 2 },
      { header: 'map eff %', value: (l) => (Number.isNaN(l.mappingEfficiency) ? '' : l.mappingEfficiency.toFixed(2)) },
      { header: 'time us', value: (l) => l.timeUs, digits: 3 },
      { header: 'outputs checked', value: (l) => l.outputsChecked },
      { header: 'bit-exact', value: (l) => yes(l.bitExact) },
      { header: 'cycle-exact', value: (l) => yes(l.cycleExact) },
    ],
    sim.layers,
    total,
  );
}

/** The JSON document of a simulation. */
export function simJson(sim: NetworkSim): object {
  return {
    network: sim.network,
    config: sim.config,
    precision: `int${sim.precision}`,
    build: { key: sim.build.key, cached: sim.build.cached, seconds: sim.build.seconds },
    ok: sim.ok,
    layers: sim.layers,
    totals: sim.totals,
  };
}

/** Registers the `sim` command. */
export function registerSim(cmd: Command): void {
  withConfigOverrides(
    cmd
      .command('sim')
      .description('run every MAC layer of a network through the generated RTL (Verilator), bit-exact against the golden model and cycle-exact against the analytic model')
      .requiredOption('--net <net>', 'zoo name (lenet5, alexnet, efficientnet_b0) or a SCALE-Sim topology .csv')
      .requiredOption('--config <config>', 'hardware config file or preset name')
      .option('--layers <names>', 'comma-separated MAC layer names (default: all)')
      .option('--seed <n>', 'seed of the random INT8/INT16 operands', wholeNumber, 1)
      .addOption(formatOption(['table', 'json'], 'table')),
  ).action(async (opts: SimOptions) => {
    const cfg = requireSystolic(configFromOptions(opts), 'sim');
    const net = loadNetwork(opts.net);
    const tty = process.stderr.isTTY && opts.format === 'table';
    const sim = await simulateNetwork(net, cfg, {
      layers: opts.layers?.split(',').map((s) => s.trim()).filter(Boolean),
      seed: opts.seed,
      onStart: tty ? (l, i, n) => process.stderr.write(`\r\x1b[Ksimulating ${l.name} (${i + 1}/${n})`) : undefined,
    });
    if (tty) process.stderr.write('\r\x1b[K');
    if (opts.format === 'json') process.stdout.write(JSON.stringify(simJson(sim), null, 2) + '\n');
    else {
      process.stdout.write(`${net.name} on ${describeConfig(cfg)}; RTL build ${sim.build.cached ? 'cached' : `${sim.build.seconds.toFixed(1)} s`}\n`);
      process.stdout.write(simTable(sim) + '\n');
      process.stdout.write(sim.ok ? 'all layers bit-exact and cycle-exact\n' : 'MISMATCH: see the rows marked NO\n');
    }
    if (!sim.ok) process.exitCode = 1;
  });
}
