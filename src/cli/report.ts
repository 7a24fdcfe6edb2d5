/** `mactile report`: the whole study for a network, written as one self-contained HTML page with charts. */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { projectRoot } from '../util/paths.js';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { isMacLayer, type Network } from '../nets/ir.js';
import { loadNetwork } from '../nets/load.js';
import { writeReport, type HostOp, type ReportData } from '../report/html.js';
import { hardwareStudy } from '../report/study.js';
import { heldOutDigit } from '../quant/mnist.js';
import { verilatorVersionLine } from '../sim/build.js';
import { MactileError } from '../util/errors.js';
import { checkOutputFolder } from '../util/output.js';
import { quantizeStudy } from './quantize.js';
import { wholeNumber } from './options.js';

interface ReportOptions {
  net: string;
  model?: string;
  configs: string;
  precision: string;
  out: string;
  quiet?: boolean;
  image: number;
  calibration: string;
  granularity: string;
  testImages?: number;
  seed: number;
}

const require = createRequire(import.meta.url);
const version = (pkg: string) => {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

function mactileVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function hostOps(net: Network, modes?: Record<string, 'integer' | 'float'>, fused: string[] = []): HostOp[] {
  return net.layers.filter((l) => !isMacLayer(l)).map((l) => ({
    name: l.name,
    kind: l.kind,
    runs: fused.includes(l.name) ? 'fused into the MAC layer before it (output stage)' : modes?.[l.name] === 'integer' ? 'on integers, same scale in and out'
      : modes?.[l.name] === 'float' ? 'in float between requantized tensors' : 'on the host (not simulated)',
  }));
}

/** Registers the `report` command. */
export function registerReport(cmd: Command): void {
  cmd
    .command('report')
    .description('run the study (quantization accuracy, analytic model, RTL simulation on every config) and write an HTML report with charts')
    .requiredOption('--net <net>', 'zoo name, SCALE-Sim topology .csv or ONNX model')
    .option('--model <file>', 'trained ONNX model: adds the quantization study and runs its real weights through the RTL')
    .requiredOption('--configs <list>', 'comma-separated config files or presets (systolic and nvdla)')
    .option('--precision <list>', 'int8, int16 or both', 'int8,int16')
    .option('--out <dir>', 'output folder', 'reports/latest')
    .option('--quiet', 'no progress bar')
    .option('--image <n>', 'held-out digit run through the RTL with --model', wholeNumber, 0)
    .option('--calibration <list>', 'calibration methods of the quantization study', 'all')
    .option('--granularity <list>', 'weight scales of the quantization study', 'all')
    .option('--test-images <n>', 'evaluate accuracy on a subset of the held-out digits', wholeNumber)
    .option('--seed <n>', 'seed of the random operands without --model', wholeNumber, 1)
    .action(async (opts: ReportOptions) => {
      const t0 = performance.now();
      checkOutputFolder(opts.out); // before the study, not after it
      const precisions = opts.precision.split(',').map((p) => p.trim());
      for (const p of precisions) if (p !== 'int8' && p !== 'int16') throw new MactileError(`--precision: expected int8 | int16, received ${JSON.stringify(p)}`);
      const configs = opts.configs.split(',').map((c) => c.trim()).filter(Boolean).map((c) => loadConfig(c));
      if (configs.length === 0) throw new MactileError('--configs: expected at least one config, received none');
      let net: Network = loadNetwork(opts.net);
      let accuracy: ReportData['accuracy'];
      let quantized: Parameters<typeof hardwareStudy>[3]['quantized'];
      let ops = hostOps(net);
      if (opts.model) {
        heldOutDigit(opts.image ?? 0); // a bad --image fails now, not after the quantization study
        if (!opts.quiet) process.stderr.write(`quantizing ${opts.model} (${precisions.join(', ')})...\n`);
        const study = quantizeStudy({
          model: opts.model, data: 'mnist', precision: precisions.join(','), calibration: opts.calibration, granularity: opts.granularity,
          calibrationImages: 500, testImages: opts.testImages, format: 'table',
        });
        net = study.model.net;
        quantized = Object.fromEntries(Object.entries(study.best).map(([p, v]) => [p, v.model]));
        const first = Object.values(study.best)[0]!;
        accuracy = {
          fp32: study.fp32,
          heldOut: study.test,
          variants: study.variants.map((v) => ({ precision: v.precision, calibration: v.calibration, granularity: v.granularity, accuracy: v.accuracy })),
          sqnr: first.layers.map((l, i) => ({ layer: l.name, ...Object.fromEntries(Object.entries(study.best).map(([p, v]) => [p, v.layers[i]!.sqnrDb])) })),
        };
        ops = hostOps(net, first.model.hostModes, first.model.fused);
      }
      const hw = await hardwareStudy(net, configs, precisions as ('int8' | 'int16')[], { quantized, image: opts.image, quiet: opts.quiet, seed: opts.seed });
      const out = resolve(opts.out);
      const files = await writeReport(out, {
        title: `mactile study: ${opts.net}`,
        network: opts.net,
        model: opts.model,
        command: `mactile ${process.argv.slice(2).join(' ')}`,
        date: new Date().toISOString(),
        tools: { mactile: mactileVersion(), node: process.version, verilator: await verilatorVersionLine(), vega: version('vega'), 'vega-lite': version('vega-lite') },
        accuracy,
        runs: hw.runs,
        skipped: hw.skipped,
        hostOps: ops,
      }, `--out ${opts.out}`);
      const ok = hw.runs.every((r) => r.ok && r.logitsIdentical !== false);
      process.stdout.write(`wrote ${files[0]} (${files.length - 1} data files) in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
      process.stdout.write(ok ? 'every layer bit-exact and cycle-exact\n' : 'MISMATCH: see the report\n');
      if (!ok) process.exitCode = 1;
    });
}
