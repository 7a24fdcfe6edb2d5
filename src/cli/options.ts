/** Options shared by several commands: the network, the config and its command-line overrides. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, type ConfigOverrides } from '../config/load.js';
import { MAX_BATCH } from '../nets/batch.js';
import type { Shape } from '../nets/ir.js';
import type { HardwareConfig } from '../config/schema.js';
import { fitTable, renderTable, type Column } from '../report/table.js';
import { MactileError } from '../util/errors.js';

/** Parses a whole-number option value: 0 or more (no option of mactile takes a negative number), exact. */
export function wholeNumber(value: string): number {
  return wholeNumberFrom(0, Number.MAX_SAFE_INTEGER)(value);
}

/** A parser of whole numbers from min to max (`--timeout` from 1 s, counts of digits up to the data set). */
export function wholeNumberFrom(min: number, max: number): (value: string) => number {
  const range =
    max === Number.MAX_SAFE_INTEGER
      ? `a whole number, ${min} or more`
      : `a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
  return (value: string) => {
    if (!/^\s*[-+]?\d+\s*$/.test(value))
      throw new InvalidArgumentError(`expected ${range}, received ${JSON.stringify(value)}`);
    const n = Number(value);
    if (!(n >= min && n <= max)) throw new InvalidArgumentError(`expected ${range}, received ${value.trim()}`);
    return n;
  };
}

/** Parses `--layers a,b,c`: names separated by commas, each once (a name twice would count its layer twice). */
export function layerNames(value: string): string {
  const names = value.split(',').map((s) => s.trim());
  if (names.every((n) => n === ''))
    throw new InvalidArgumentError(`expected layer names separated by commas, received ${JSON.stringify(value)}`);
  const seen = new Set<string>();
  for (const n of names) {
    if (n === '') continue;
    if (seen.has(n)) throw new InvalidArgumentError(`layer ${JSON.stringify(n)} is named twice; name each layer once`);
    seen.add(n);
  }
  return value;
}

/** The largest cycle `--window` takes (15 digits, as the drivers read it). */
const MAX_CYCLE = 999_999_999_999_999;

/** Parses `--window START:END`: layer cycles from START up to, not including, END (START < END). */
export function cycleWindow(value: string): { start: number; end: number } {
  const m = /^(\d{1,15}):(\d{1,15})$/.exec(value.trim());
  const expected = `expected START:END, whole numbers of layer cycles from 0 to ${MAX_CYCLE.toLocaleString('en-US')} with START below END (e.g. 0:500)`;
  if (!m) throw new InvalidArgumentError(`${expected}, received ${JSON.stringify(value)}`);
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (start >= end) throw new InvalidArgumentError(`${expected}, received ${JSON.stringify(value)}`);
  return { start, end };
}

/** Adds --rows, --cols, --dataflow, --precision and --timing (arrays) and --atomic-c, --atomic-k (NVDLA-style cores) to a command. */
export function withConfigOverrides(cmd: Command): Command {
  return cmd
    .option('--rows <n>', 'override the config key rows', wholeNumber)
    .option('--cols <n>', 'override the config key cols', wholeNumber)
    .option('--dataflow <df>', 'override the config key dataflow (os | ws | is)')
    .option('--precision <p>', 'override the config key precision (int8 | int16)')
    .option('--timing <t>', 'override the config key timing (scalesim | pipelined)')
    .option('--atomic-c <n>', 'override the config key atomic_c (NVDLA-style cores)', wholeNumber)
    .option('--atomic-k <n>', 'override the config key atomic_k (NVDLA-style cores)', wholeNumber);
}

/** The --batch option (the config key batch), for `.addOption`. */
export function batchOption(): Option {
  return new Option(
    '--batch <n>',
    `inputs each MAC layer processes at once, 1 to ${MAX_BATCH.toLocaleString('en-US')} (overrides the config key batch; default 1)`,
  ).argParser(wholeNumberFrom(1, MAX_BATCH));
}

/** Loads the config named by --config with the overrides given on the command line. */
export function configFromOptions(
  opts: ConfigOverrides & { config: string; atomicC?: number; atomicK?: number },
): HardwareConfig {
  const { rows, cols, dataflow, precision, timing, batch, atomicC, atomicK } = opts;
  return loadConfig(opts.config, {
    rows,
    cols,
    dataflow,
    precision,
    timing,
    batch,
    atomic_c: atomicC,
    atomic_k: atomicK,
  });
}

/** The activation scheme options of `quantize`, `report --model` and `study`. */
export interface SchemeOptions {
  symmetric?: boolean;
  asymmetric?: boolean;
}

/**
 * Adds --symmetric and --asymmetric to a command: activations per tensor with a zero point (asymmetric, the
 * default: a tensor after ReLU or SiLU then uses all its levels), or symmetric around zero (zero point 0).
 */
export function withActivationScheme(cmd: Command): Command {
  return cmd
    .option('--symmetric', 'symmetric activations (zero point 0) instead of the default asymmetric ones')
    .option('--asymmetric', 'asymmetric activations, zero point folded into the bias (the default)');
}

/** Whether the activations are symmetric: only with --symmetric; both options at once are refused. */
export function symmetricActivations(opts: SchemeOptions, withoutModel?: string): boolean {
  if (opts.symmetric && opts.asymmetric)
    throw new MactileError('--symmetric, --asymmetric: expected at most one of them, received both');
  const given = opts.symmetric ? '--symmetric' : opts.asymmetric ? '--asymmetric' : undefined;
  if (given && withoutModel)
    throw new MactileError(`${given}: expected together with a model to quantize, received it ${withoutModel}`);
  return opts.symmetric === true;
}

/** A --format option restricted to the given choices. */
export function formatOption(choices: string[], fallback: string): Option {
  return new Option('--format <format>', 'output format').choices(choices).default(fallback);
}

/** The largest size `--input-shape` takes on each axis (the IR's largest dimension). */
const MAX_INPUT_SIZE = 2 ** 31 - 1;

/** Parses `--input-shape HxWxC` (for ONNX models with a dynamic input size). */
export function inputShape(value: string): Shape {
  const m = /^(\d+)\s*[xX]\s*(\d+)\s*[xX]\s*(\d+)$/.exec(value.trim());
  const expected = `expected height x width x channels as HxWxC, each from 1 to ${MAX_INPUT_SIZE.toLocaleString('en-US')} (e.g. 32x32x1)`;
  if (!m) throw new InvalidArgumentError(`${expected}, received ${JSON.stringify(value)}`);
  const [h, w, c] = m.slice(1).map(Number) as [number, number, number];
  for (const [axis, v, text] of [
    ['height', h, m[1]],
    ['width', w, m[2]],
    ['channels', c, m[3]],
  ] as const) {
    if (v < 1 || v > MAX_INPUT_SIZE)
      throw new InvalidArgumentError(`${expected}, received ${JSON.stringify(value)} (${axis} ${text})`);
  }
  return { h, w, c };
}

/** Adds --summary and --full (the table cut to the terminal, or every column and row) to a command. */
export function withTableSize(cmd: Command): Command {
  return cmd
    .option('--summary', 'table: the main columns and the largest layers, to fit 120 columns (or the terminal)')
    .option('--full', 'table: every column and layer, even when wider than the terminal');
}

/** Layers a summary table shows at most (the network's largest by cycles). */
const SUMMARY_ROWS = 30;

/**
 * A table as the terminal should see it: in full, or its summary (fitTable) with --summary, or without
 * --full when stdout is a terminal it would not fit (too wide, or more than SUMMARY_ROWS layers); `width`
 * is set when it was cut down (the caller wraps its other lines to it).
 */
export function sizedTable<T>(
  columns: Column<T>[],
  rows: T[],
  totals: T | undefined,
  opts: { summary?: boolean; full?: boolean },
  fit: { keep: (header: string) => boolean; rank: (row: T) => number },
): { table: string; width?: number } {
  const full = renderTable(columns, rows, totals);
  const tty = Boolean(process.stdout.isTTY);
  const width = tty && process.stdout.columns ? process.stdout.columns : 120;
  const tooBig = Math.max(...full.split('\n').map((l) => l.length)) > width || rows.length > SUMMARY_ROWS;
  if (opts.full || !(opts.summary || (tty && tooBig))) return { table: full };
  return { table: fitTable(columns, rows, totals, { width, maxRows: SUMMARY_ROWS, ...fit }), width };
}
