/** Options shared by several commands: the network, the config and its command-line overrides. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, type ConfigOverrides } from '../config/load.js';
import type { Shape } from '../nets/ir.js';
import type { HardwareConfig } from '../config/schema.js';

/** Parses a whole-number option value. */
export function wholeNumber(value: string): number {
  if (!/^\s*-?\d+\s*$/.test(value)) throw new InvalidArgumentError(`expected a whole number, received ${JSON.stringify(value)}`);
  return Number(value);
}

/** Adds --rows, --cols, --dataflow, --precision and --timing to a command. */
export function withConfigOverrides(cmd: Command): Command {
  return cmd
    .option('--rows <n>', 'override the config key rows', wholeNumber)
    .option('--cols <n>', 'override the config key cols', wholeNumber)
    .option('--dataflow <df>', 'override the config key dataflow (os | ws | is)')
    .option('--precision <p>', 'override the config key precision (int8 | int16)')
    .option('--timing <t>', 'override the config key timing (scalesim | pipelined)');
}

/** Loads the config named by --config with the overrides given on the command line. */
export function configFromOptions(opts: ConfigOverrides & { config: string }): HardwareConfig {
  const { rows, cols, dataflow, precision, timing } = opts;
  return loadConfig(opts.config, { rows, cols, dataflow, precision, timing });
}

/** A --format option restricted to the given choices. */
export function formatOption(choices: string[], fallback: string): Option {
  return new Option('--format <format>', 'output format').choices(choices).default(fallback);
}

/** Parses `--input-shape HxWxC` (for ONNX models with a dynamic input size). */
export function inputShape(value: string): Shape {
  const m = /^(\d+)x(\d+)x(\d+)$/.exec(value.trim());
  if (!m || m.slice(1).some((v) => Number(v) < 1)) throw new InvalidArgumentError(`expected HxWxC with positive sizes, e.g. 32x32x1, received ${JSON.stringify(value)}`);
  return { h: Number(m[1]), w: Number(m[2]), c: Number(m[3]) };
}
