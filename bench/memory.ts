/**
 * Whole networks through the systolic array with its memory system (docs/MEMORY.md): every MAC layer with
 * seeded random operands at a DRAM bandwidth and latency, all outputs bit-exact and RTL cycles, stall cycles
 * and every memory counter equal to the tile event model, or the run fails; beside them SCALE-Sim v2's
 * USER-mode estimate for the same SRAM sizes and bandwidth (`--compat scalesim`, whole bandwidths only).
 * Usage: node dist/bench/memory.js NETS SIZES DATAFLOWS BANDWIDTHS LATENCY    (comma lists)
 */
import { validateConfig } from '../src/config/load.js';
import type { SystolicConfig } from '../src/config/schema.js';
import { accelOf } from '../src/accel/registry.js';
import { zooNetwork } from '../src/nets/zoo/index.js';
import { simulateNetwork } from '../src/sim/run-network.js';

const [nets = 'lenet5', sizes = '8', dataflows = 'os,ws,is', bandwidths = '1,4,16', latency = '100'] =
  process.argv.slice(2);
const n = (x: number) => x.toLocaleString('en-US');
const lines = [
  '| network | array | bandwidth | latency | RTL cycles | analytic | RTL stalls (IFMAP / FILTER / OFMAP) | analytic stalls | SCALE-Sim USER | diff % | DRAM words | bit-exact | counters exact | wall (s) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
let failed = false;
for (const name of nets.split(',')) {
  for (const size of sizes.split(',').map(Number)) {
    for (const df of dataflows.split(',')) {
      for (const bw of bandwidths.split(',').map(Number)) {
        const cfg = validateConfig(
          { kind: 'systolic', rows: size, cols: size, dataflow: df, dram: { bandwidth: bw, latency: Number(latency) } },
          `bench-mem-${size}x${size}-${df}-bw${bw}`,
        ) as SystolicConfig;
        const net = zooNetwork(name);
        const t = performance.now();
        const sim = await simulateNetwork(net, cfg);
        const wall = (performance.now() - t) / 1000;
        const stall = (k: string) => sim.layers.reduce((s, l) => s + Number(l.extras[k] ?? 0), 0);
        const scalesim = Number.isInteger(bw)
          ? accelOf(cfg).analyzeNetwork(net, cfg, { compat: 'scalesim' }).totals.cycles
          : NaN;
        const rtl = sim.totals.rtlCycles;
        failed ||= !sim.ok;
        lines.push(
          `| ${name} | ${size}x${size} ${df} | ${bw} | ${latency} | ${n(rtl)} | ${n(sim.totals.analyticCycles)} | ${n(stall('stallIfmap'))} / ${n(stall('stallFilter'))} / ${n(stall('stallOfmap'))} | ${n(sim.layers.reduce((s, l) => s + l.analyticStallCycles, 0))} | ${Number.isNaN(scalesim) ? '-' : n(scalesim)} | ${Number.isNaN(scalesim) ? '-' : ((100 * (rtl - scalesim)) / scalesim).toFixed(1)} | ${n(stall('dramWords'))} | ${sim.layers.every((l) => l.bitExact) ? 'yes' : 'NO'} | ${sim.layers.every((l) => l.cycleExact && l.countersOk) ? 'yes' : 'NO'} | ${wall.toFixed(1)} |`,
        );
        process.stderr.write(lines.at(-1) + '\n');
      }
    }
  }
}
process.stdout.write(lines.join('\n') + '\n');
process.exitCode = failed ? 1 : 0;
