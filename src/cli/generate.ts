/** `mactile generate`: writes the Verilog, C++ header and manifest of a hardware config. */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { describeConfig } from '../config/describe.js';
import type { ConfigOverrides } from '../config/load.js';
import { accelOf } from '../accel/registry.js';
import { writeDesign } from '../rtl/design.js';
import { checkOutputFolder } from '../util/output.js';
import { configFromOptions, withConfigOverrides } from './options.js';

/** Registers the `generate` command. */
export function registerGenerate(cmd: Command): void {
  withConfigOverrides(
    cmd
      .command('generate')
      .description(
        'generate the Verilog of an accelerator config (deterministic, lint-clean) into ./generated/<name>-<hash>/ (under the working directory) or --out',
      )
      .argument('<config>', 'hardware config file or preset name')
      .option('--out <dir>', 'write into this folder instead of ./generated/<name>-<hash>/'),
  ).action((config: string, opts: ConfigOverrides & { out?: string }) => {
    if (opts.out !== undefined) checkOutputFolder(opts.out);
    const cfg = configFromOptions({ ...opts, config });
    // Output goes under the working directory (./generated/), not the installation.
    const design = writeDesign(accelOf(cfg).design(cfg), cfg.name, cfg, opts.out, resolve('generated'));
    process.stdout.write(`${describeConfig(cfg)}\n`);
    process.stdout.write(
      `wrote ${design.dir}/ (top module ${design.top}): ${readdirSync(design.dir).sort().join(', ')}\n`,
    );
  });
}
