/** `mactile synth`: area of a hardware config with yosys (cell counts; LUT/FF/DSP with the Xilinx flow). */
import type { Command } from 'commander';
import { Option } from 'commander';
import { describeConfig } from '../config/describe.js';
import type { ConfigOverrides } from '../config/load.js';
import { accelOf } from '../accel/registry.js';
import { synthesize, type SynthFlow } from '../synth/yosys.js';
import { renderTable } from '../report/table.js';
import { configFromOptions, formatOption, wholeNumberFrom, withConfigOverrides } from './options.js';

/** The longest --timeout: Node's timers take at most 2^31 - 1 ms (24.8 days). */
const MAX_TIMEOUT_S = Math.floor((2 ** 31 - 1) / 1000);

/** Registers the `synth` command. */
export function registerSynth(cmd: Command): void {
  withConfigOverrides(
    cmd
      .command('synth')
      .description('synthesize the generated RTL of a config with yosys and report its area (cached)')
      .argument('<config>', 'hardware config file or preset name')
      .addOption(
        new Option('--flow <flow>', 'generic (yosys synth: cells) or xilinx (synth_xilinx: LUT/FF/DSP)')
          .choices(['generic', 'xilinx'])
          .default('generic'),
      )
      .option(
        '--no-flatten',
        'synthesize each distinct module once and count the hierarchy (stat -top) instead of flattening (faster)',
      )
      .option(
        '--timeout <s>',
        `give up after this many seconds (1 to ${MAX_TIMEOUT_S.toLocaleString('en-US')})`,
        wholeNumberFrom(1, MAX_TIMEOUT_S),
        1800,
      )
      .addOption(formatOption(['table', 'json'], 'table')),
  ).action(
    async (
      config: string,
      opts: ConfigOverrides & { flow: SynthFlow; flatten: boolean; timeout: number; format: string },
    ) => {
      const cfg = configFromOptions({ ...opts, config });
      const r = await synthesize(accelOf(cfg).design(cfg), opts.flow, {
        timeoutSeconds: opts.timeout,
        flatten: opts.flatten,
      });
      if (opts.format === 'json') {
        process.stdout.write(JSON.stringify({ config: cfg, ...r }, null, 2) + '\n');
        return;
      }
      const rows = Object.entries(r.cellTypes)
        .sort((a, b) => b[1] - a[1])
        .map(([type, count]) => ({ type, count }));
      process.stdout.write(
        `${describeConfig(cfg)}\n${r.yosys}, flow ${r.flow}${r.flatten ? '' : ' (hierarchical, stat -top)'}: ${r.cells.toLocaleString('en-US')} cells${r.luts !== undefined ? `, ${r.luts} LUTs, ${r.flipFlops} FFs, ${r.dsps} DSPs` : ''} (${r.cached ? 'cached' : `${r.seconds.toFixed(1)} s`})\n`,
      );
      process.stdout.write(
        renderTable(
          [
            { header: 'cell type', value: (x: { type: string }) => x.type },
            { header: 'count', value: (x: { count: number }) => x.count },
          ],
          rows.slice(0, 25),
        ) + '\n',
      );
    },
  );
}
