/**
 * Benchmarks of the systolic-array flow: Verilator build times (cold, and an unchanged rebuild),
 * simulation throughput of the whole design against the bare PE array built with the same Verilator,
 * and the pipelined timing against SCALE-Sim on AlexNet.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadConfig, validateConfig } from '../src/config/load.js';
import type { NvdlaConfig, SystolicConfig } from '../src/config/schema.js';
import { simulateNvLayer } from '../src/accel/nvdla/run.js';
import { macLayers } from '../src/nets/ir.js';
import { alexnet } from '../src/nets/zoo/index.js';
import { randomQuantLayer, randomTensor } from '../src/quant/random.js';
import { emitModule } from '../src/rtl/emit.js';
import { systolicDesign } from '../src/accel/systolic/design.js';
import { caccTruncateBits } from '../src/accel/nvdla/cacc.js';
import { systolicParams } from '../src/accel/systolic/generate.js';
import { ensureBuild } from '../src/sim/build.js';
import { buildFor } from '../src/sim/run-network.js';
import { simulateSystolicLayer } from '../src/accel/systolic/run.js';
import { analyzeNetwork } from '../src/accel/systolic/model.js';
import { projectRoot } from '../src/util/paths.js';
import { bareTop } from './bare-top.js';

const cfgOf = (
  rows: number,
  cols: number,
  dataflow: 'os' | 'ws' | 'is',
  timing: 'scalesim' | 'pipelined' = 'scalesim',
) =>
  validateConfig(
    { kind: 'systolic', rows, cols, dataflow, timing },
    `bench-${rows}x${cols}-${dataflow}-${timing}`,
  ) as SystolicConfig;

/** Cold builds (fresh cache folder, ccache off) and the lookup of an unchanged config. */
export async function buildTimes(sizes: number[]): Promise<string[]> {
  const lines = ['| array | dataflow | cold build (s) | unchanged config again (s) |', '|---|---|---|---|'];
  for (const n of sizes) {
    const cache = mkdtempSync(join(tmpdir(), 'mactile-bench-build-'));
    process.env.CCACHE_DISABLE = '1';
    const d = systolicDesign(cfgOf(n, n, 'ws'));
    const src = { files: d.files, top: d.top, header: d.header, driver: 'sa_driver.cpp' };
    const cold = await ensureBuild(src, { cacheRoot: cache });
    delete process.env.CCACHE_DISABLE;
    const t = performance.now();
    const again = await ensureBuild(src, { cacheRoot: cache });
    const seconds = (performance.now() - t) / 1000;
    if (!again.cached) throw new Error('rebuild was not served from the cache');
    lines.push(`| ${n}x${n} | ws | ${cold.seconds.toFixed(1)} | ${seconds.toFixed(3)} |`);
    rmSync(cache, { recursive: true, force: true });
  }
  return lines;
}

/** PE-cycles per second of the full design (one big layer) and of the bare array, same Verilator. */
export async function throughput(sizes: number[], dataflows: ('os' | 'ws')[]): Promise<string[]> {
  const lines = [
    '| array | dataflow | layer | RTL cycles | full design PE-cycles/s | bare array PE-cycles/s | ratio |',
    '|---|---|---|---|---|---|---|',
  ];
  const conv = macLayers(alexnet()).find((l) => l.name === 'conv3')!;
  for (const n of sizes) {
    for (const df of dataflows) {
      const cfg = cfgOf(n, n, df);
      const build = await buildFor(cfg);
      const x = randomTensor(conv.inShape, 8, 1);
      const q = randomQuantLayer(conv, 8, 1);
      const r = await simulateSystolicLayer(build, cfg, conv, x, q);
      // The driver's clocked loops only, like the bare harness (process start and job file I/O excluded).
      const full = (r.rtlCycles * n * n) / r.simSeconds;
      const p = systolicParams(cfg);
      const files: [string, string][] = systolicDesign(cfg).files.filter(([f]) => f.startsWith('mt_array'));
      files.push(['mt_bare_top.sv', emitModule(bareTop(p))]);
      const bare = await ensureBuild({
        files,
        top: 'mt_bare_top',
        header: systolicDesign(cfg).header,
        driver: join(projectRoot(), 'bench', 'bare_array.cpp'),
      });
      const out = await execa(bare.binary, [String(r.rtlCycles)]);
      const { cycles, seconds } = JSON.parse(out.stdout) as { cycles: number; seconds: number };
      const bareRate = (cycles * n * n) / seconds;
      lines.push(
        `| ${n}x${n} | ${df} | AlexNet conv3 | ${r.rtlCycles.toLocaleString('en-US')} | ${(full / 1e6).toFixed(1)} M | ${(bareRate / 1e6).toFixed(1)} M | ${(full / bareRate).toFixed(2)} |`,
      );
    }
  }
  return lines;
}

/** AlexNet at 16x16: pipelined timing against SCALE-Sim's estimate (analytic; the RTL equals it, see tests). */
export function pipelinedVsScaleSim(): string[] {
  const lines = [
    '| dataflow | SCALE-Sim v2 cycles | mactile scalesim timing | mactile pipelined | pipelined vs SCALE-Sim |',
    '|---|---|---|---|---|',
  ];
  for (const df of ['os', 'ws', 'is'] as const) {
    const ss = analyzeNetwork(alexnet(), cfgOf(16, 16, df), 'scalesim').totals.cycles;
    const serial = analyzeNetwork(alexnet(), cfgOf(16, 16, df, 'scalesim')).totals.cycles;
    const pipe = analyzeNetwork(alexnet(), cfgOf(16, 16, df, 'pipelined')).totals.cycles;
    lines.push(
      `| ${df} | ${ss.toLocaleString('en-US')} | ${serial.toLocaleString('en-US')} | ${pipe.toLocaleString('en-US')} | ${(100 * (pipe / ss - 1)).toFixed(1)} % |`,
    );
  }
  return lines;
}

/** Cycles per second of the NVDLA-style cores (the driver's clocked loop), against NVDLA's own RTL at ~200 cycles/s. */
export async function nvdlaThroughput(presets: string[]): Promise<string[]> {
  const lines = [
    '| core | layer | RTL cycles | simulation seconds (driver process) | cycles/s | MAC-cycles/s | vs NVDLA RTL (200 cycles/s) |',
    '|---|---|---|---|---|---|---|',
  ];
  const conv = macLayers(alexnet()).find((l) => l.name === 'conv2')!;
  for (const p of presets) {
    const cfg = loadConfig(p) as NvdlaConfig;
    const build = await buildFor(cfg);
    const bits = cfg.precision === 'int8' ? 8 : 16;
    const r = await simulateNvLayer(
      build,
      cfg,
      conv,
      randomTensor(conv.inShape, bits, 1),
      randomQuantLayer(conv, bits, 1, { caccTruncate: caccTruncateBits(conv, bits) }),
    );
    const rate = r.rtlCycles / r.simSeconds;
    const cells = cfg.atomic_c * cfg.atomic_k;
    lines.push(
      `| ${p} (${cfg.atomic_c}x${cfg.atomic_k}) | AlexNet conv2 | ${r.rtlCycles.toLocaleString('en-US')} | ${r.simSeconds.toFixed(3)} (${r.driverSeconds.toFixed(3)}) | ${Math.round(rate).toLocaleString('en-US')} | ${((rate * cells) / 1e6).toFixed(1)} M | ${Math.round(rate / 200).toLocaleString('en-US')}x |`,
    );
  }
  return lines;
}
