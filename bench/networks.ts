/**
 * Whole networks through the systolic RTL: every MAC layer of LeNet-5, AlexNet and EfficientNet-B0 on
 * 8x8 and 16x16 arrays in os, ws and is, with seeded random operands; all outputs bit-exact and RTL
 * cycles equal to the analytic model, or the run fails. Prints a markdown table for docs/BENCHMARKS.md.
 * Usage: node dist/bench/networks.js [nets] [sizes] [dataflows] [precisions]   (comma lists)
 */
import { validateConfig } from '../src/config/load.js';
import type { SystolicConfig } from '../src/config/schema.js';
import { zooNetwork } from '../src/nets/zoo.js';
import { simulateNetwork } from '../src/sim/run-network.js';

const [nets = 'lenet5,alexnet,efficientnet_b0', sizes = '8,16', dataflows = 'os,ws,is', precisions = 'int8', timing = 'scalesim'] = process.argv.slice(2);
const lines = [
  '| network | array | dataflow | precision | timing | MAC layers | GEMMs | RTL cycles | analytic | SCALE-Sim | outputs checked | bit-exact | cycle-exact | wall (s) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
let failed = false;
for (const name of nets.split(',')) {
  for (const n of sizes.split(',').map(Number)) {
    for (const df of dataflows.split(',')) {
      for (const precision of precisions.split(',')) {
        const cfg = validateConfig({ kind: 'systolic', rows: n, cols: n, dataflow: df, precision, timing }, `bench-${n}x${n}-${df}-${precision}-${timing}`) as SystolicConfig;
        const t = performance.now();
        const sim = await simulateNetwork(zooNetwork(name), cfg);
        const wall = (performance.now() - t) / 1000;
        const outputs = sim.layers.reduce((s, l) => s + l.outputsChecked, 0);
        const gemms = sim.layers.reduce((s, l) => s + l.gemms, 0);
        const bit = sim.layers.every((l) => l.bitExact);
        const cyc = sim.layers.every((l) => l.cycleExact);
        failed ||= !sim.ok;
        lines.push(`| ${name} | ${n}x${n} | ${df} | ${precision} | ${timing} | ${sim.layers.length} | ${gemms.toLocaleString('en-US')} | ${sim.totals.rtlCycles.toLocaleString('en-US')} | ${sim.totals.analyticCycles.toLocaleString('en-US')} | ${sim.totals.scalesimCycles.toLocaleString('en-US')} | ${outputs.toLocaleString('en-US')} | ${bit ? 'yes' : 'NO'} | ${cyc ? 'yes' : 'NO'} | ${wall.toFixed(1)} |`);
        process.stderr.write(lines.at(-1) + '\n');
      }
    }
  }
}
process.stdout.write(lines.join('\n') + '\n');
process.exitCode = failed ? 1 : 0;
