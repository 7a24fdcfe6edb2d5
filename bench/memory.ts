/**
 * Whole networks through the systolic array with its memory system (docs/MEMORY.md): every MAC layer with
 * seeded random operands at a DRAM bandwidth and latency, all outputs bit-exact and RTL cycles, stall cycles
 * and every memory counter equal to the tile event model, or the run fails; beside them SCALE-Sim v2's
 * USER-mode estimate for the same SRAM sizes and bandwidth (`--compat scalesim`, whole bandwidths only).
 * Usage: node dist/bench/memory.js NETS SIZES DATAFLOWS BANDWIDTHS LATENCY    (comma lists)
 *        node dist/bench/memory.js speed NET SIZES DATAFLOW ROUNDS  (simulated cycles per CPU second, memory system
 *        at 64 words per cycle against the compute-only design, alternated)
 */
import { validateConfig } from '../src/config/load.js';
import type { SystolicConfig } from '../src/config/schema.js';
import { accelOf } from '../src/accel/registry.js';
import { zooNetwork } from '../src/nets/zoo/index.js';
import { buildFor, simulateNetwork } from '../src/sim/run-network.js';
import { macLayers } from '../src/nets/ir.js';
import { randomQuantLayer, randomTensor } from '../src/quant/random.js';
import { simulateSystolicLayer } from '../src/accel/systolic/run.js';

/** Simulated cycles per second of the driver's clocked loop, compute-only against the memory system, alternated. */
async function speed(net: string, sizes: string, df: string, rounds: number): Promise<string[]> {
  const out = [
    '| array | design | simulated cycles | clocked-loop CPU (s) | cycles per s | ratio |',
    '|---|---|---|---|---|---|',
  ];
  for (const size of sizes.split(',').map(Number)) {
    const cfgs = [{ bandwidth: 'calc' }, { bandwidth: 64, latency: 0 }].map(
      (dram) =>
        validateConfig(
          { kind: 'systolic', rows: size, cols: size, dataflow: df, dram },
          `speed-${size}-${dram.bandwidth}`,
        ) as SystolicConfig,
    );
    const builds = await Promise.all(cfgs.map((c) => buildFor(c)));
    const totals = cfgs.map(() => ({ cycles: 0, seconds: 0 }));
    for (let r = 0; r < rounds; r++) {
      for (const [i, cfg] of cfgs.entries()) {
        for (const l of macLayers(zooNetwork(net))) {
          const m = await simulateSystolicLayer(
            builds[i]!,
            cfg,
            l,
            randomTensor(l.inShape, 8, r),
            randomQuantLayer(l, 8, r),
          );
          totals[i]!.cycles += m.rtlCycles;
          totals[i]!.seconds += m.simSeconds;
        }
      }
    }
    const rate = totals.map((t) => t.cycles / t.seconds);
    totals.forEach((t, i) =>
      out.push(
        `| ${size}x${size} ${df} | ${i === 0 ? 'compute only (calc)' : 'memory system (64 words/cycle)'} | ${n(t.cycles)} | ${t.seconds.toFixed(2)} | ${n(Math.round(rate[i]!))} | ${(rate[i]! / rate[0]!).toFixed(2)} |`,
      ),
    );
  }
  return out;
}

const n = (x: number) => x.toLocaleString('en-US');
if (process.argv[2] === 'speed') {
  const [, net = 'alexnet', sizes = '16,32', df = 'os', rounds = '2'] = process.argv.slice(2);
  process.stdout.write((await speed(net, sizes, df, Number(rounds))).join('\n') + '\n');
  process.exit(0);
}
const [nets = 'lenet5', sizes = '8', dataflows = 'os,ws,is', bandwidths = '1,4,16', latency = '100'] =
  process.argv.slice(2);
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
