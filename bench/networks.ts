/**
 * Whole networks through the RTL: every MAC layer of LeNet-5, AlexNet and EfficientNet-B0 on systolic
 * arrays (sizes x dataflows x precisions x timing) or on NVDLA-style presets, with seeded random operands;
 * all outputs bit-exact and RTL cycles equal to the analytic model, or the run fails. Prints a markdown
 * table for docs/BENCHMARKS.md.
 * Usage: node dist/bench/networks.js NETS SIZES DATAFLOWS PRECISIONS [TIMING]    (comma lists; systolic)
 *        node dist/bench/networks.js NETS nvdla PRESETS                          (NVDLA-style presets)
 * MACTILE_BENCH_JOBS=N simulates N layers at once (`sim --jobs N`; default 1).
 */
import { loadConfig, validateConfig } from '../src/config/load.js';
import type { HardwareConfig } from '../src/config/schema.js';
import { describeConfig } from '../src/config/describe.js';
import { zooNetwork } from '../src/nets/zoo/index.js';
import { simulateNetwork } from '../src/sim/run-network.js';

const [
  nets = 'lenet5,alexnet,efficientnet_b0',
  sizes = '8,16',
  dataflows = 'os,ws,is',
  precisions = 'int8',
  timing = 'scalesim',
] = process.argv.slice(2);
const jobs = Number(process.env.MACTILE_BENCH_JOBS ?? 1);
const configs: HardwareConfig[] = [];
if (sizes === 'nvdla') for (const p of dataflows.split(',')) configs.push(loadConfig(p));
else {
  for (const n of sizes.split(',').map(Number)) {
    for (const df of dataflows.split(',')) {
      for (const precision of precisions.split(',')) {
        configs.push(
          validateConfig(
            { kind: 'systolic', rows: n, cols: n, dataflow: df, precision, timing },
            `bench-${n}x${n}-${df}-${precision}-${timing}`,
          ),
        );
      }
    }
  }
}
const lines = [
  '| network | hardware | MAC layers | GEMMs / convs | RTL cycles | analytic | reference (SCALE-Sim / NVDLA estimator) | time at clock (ms) | outputs checked | bit-exact | cycle-exact | wall (s) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
];
let failed = false;
for (const name of nets.split(',')) {
  for (const cfg of configs) {
    {
      {
        const t = performance.now();
        const sim = await simulateNetwork(zooNetwork(name), cfg, { jobs });
        const wall = (performance.now() - t) / 1000;
        const outputs = sim.layers.reduce((s, l) => s + l.outputsChecked, 0);
        const gemms = sim.layers.reduce((s, l) => s + l.gemms, 0);
        const bit = sim.layers.every((l) => l.bitExact);
        const cyc = sim.layers.every((l) => l.cycleExact);
        failed ||= !sim.ok;
        const ref = Math.round(sim.totals.referenceCycles).toLocaleString('en-US');
        lines.push(
          `| ${name} | ${describeConfig(cfg).split(',').slice(0, 2).join(',')} | ${sim.layers.length} | ${gemms.toLocaleString('en-US')} | ${sim.totals.rtlCycles.toLocaleString('en-US')} | ${sim.totals.analyticCycles.toLocaleString('en-US')} | ${ref} | ${(sim.totals.timeUs / 1000).toFixed(4)} | ${outputs.toLocaleString('en-US')} | ${bit ? 'yes' : 'NO'} | ${cyc ? 'yes' : 'NO'} | ${wall.toFixed(1)} |`,
        );
        process.stderr.write(lines.at(-1) + '\n');
      }
    }
  }
}
process.stdout.write(lines.join('\n') + '\n');
process.exitCode = failed ? 1 : 0;
