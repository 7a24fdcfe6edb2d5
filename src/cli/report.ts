/** `mactile report`: the whole study for a network, written as one self-contained HTML page with charts. */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { projectRoot } from '../util/paths.js';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { isMacLayer, macLayers, networkSizeProblem, SIM_LIMITS, type MacLayer, type Network } from '../nets/ir.js';
import { loadNetwork } from '../nets/load.js';
import { writeReport, type HostOp, type ReportData } from '../report/html.js';
import { hardwareStudy, runNames } from '../report/study.js';
import { heldOutImages } from '../data/held-out.js';
import type { LabelledImage } from '../data/fit.js';
import type { DataOptions, Selection } from '../data/split.js';
import { workloadOf } from '../nets/batch.js';
import { verilatorVersionLine } from '../sim/build.js';
import { MactileError } from '../util/errors.js';
import { checkOutputFolder } from '../util/output.js';
import { quantizeStudy } from './quantize.js';
import { batchOption, symmetricActivations, wholeNumber, withActivationScheme, type SchemeOptions } from './options.js';
import { dataOption, selection } from './data-options.js';

interface ReportOptions extends DataOptions, SchemeOptions {
  net?: string;
  model?: string;
  configs: string;
  precision: string;
  out: string;
  image: number;
  calibration: string;
  granularity: string;
  testImages?: Selection;
  seed: number;
  batch?: number;
}

const require = createRequire(import.meta.url);
/** The version of an installed package, or "unknown". */
export const version = (pkg: string) => {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

/** mactile's version (package.json). */
export function mactileVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function hostOps(net: Network, modes?: Record<string, 'integer' | 'float'>, fused: string[] = []): HostOp[] {
  return net.layers
    .filter((l) => !isMacLayer(l))
    .map((l) => ({
      name: l.name,
      kind: l.kind,
      runs: fused.includes(l.name)
        ? 'fused into the MAC layer before it (output stage)'
        : modes?.[l.name] === 'integer'
          ? 'on integers, same scale in and out'
          : modes?.[l.name] === 'float'
            ? 'in float between requantized tensors'
            : 'on the host (not simulated)',
    }));
}

/** A MAC layer's geometry (everything but its names), to compare two descriptions of one network. */
function geometry(l: MacLayer): string {
  const { kind, inShape: i, outShape: o, kernel: k, stride: s, dilation: d, pad: p, groups } = l;
  return `${kind} ${i.h}x${i.w}x${i.c} -> ${o.h}x${o.w}x${o.c}, kernel ${k.h}x${k.w}, stride ${s.h}x${s.w}, dilation ${d.h}x${d.w}, pad ${p.top},${p.bottom},${p.left},${p.right}, groups ${groups}`;
}

/**
 * With --model the model's network is studied; a --net beside it must be the same network (the same MAC
 * layers, shape for shape; names may differ, as between a zoo network and its ONNX export), or the
 * report would be titled after one network and hold another's data. Throws naming the first difference.
 */
function checkNetMatchesModel(netSpec: string, net: Network, modelSpec: string, model: Network): void {
  const a = macLayers(net).map(geometry);
  const b = macLayers(model).map(geometry);
  if (a.length === b.length && a.every((g, i) => g === b[i])) return;
  const i = a.findIndex((g, k) => g !== b[k]);
  const where =
    i >= 0 && i < Math.min(a.length, b.length)
      ? `MAC layer ${i + 1} is ${a[i]} against the model's ${b[i]}`
      : `${a.length} MAC layers against the model's ${b.length}`;
  throw new MactileError(
    `--net ${netSpec}: is not the network of --model ${modelSpec} (${where}); with --model the model's network is studied: leave out --net, or give the model's network`,
  );
}

/** Registers the `report` command. */
export function registerReport(cmd: Command): void {
  withActivationScheme(
    cmd
      .command('report')
      .description(
        'run the study (quantization accuracy, analytic model, RTL simulation on every config) and write an HTML report with charts',
      ),
  )
    .option(
      '--net <net>',
      "zoo name, SCALE-Sim topology .csv or ONNX model (with --model: optional, and must be the model's network)",
    )
    .option(
      '--model <file>',
      'trained ONNX model: adds the quantization study and runs its real weights through the RTL; its network is the one studied',
    )
    .requiredOption('--configs <list>', 'comma-separated config files or presets (systolic and nvdla)')
    .option('--precision <list>', 'int8, int16 or both', 'int8,int16')
    .option('--out <dir>', 'output folder', 'reports/latest')
    .option('--image <n>', 'held-out image run through the RTL with --model (MNIST: digit 0-1999)', wholeNumber, 0)
    .addOption(dataOption('data'))
    .addOption(dataOption('mean'))
    .addOption(dataOption('std'))
    .addOption(dataOption('layout'))
    .option('--calibration <list>', 'calibration methods of the quantization study', 'all')
    .option('--granularity <list>', 'weight scales of the quantization study', 'all')
    .option(
      '--test-images <n|A:B|set>',
      'evaluate accuracy on N evenly spaced held-out images, images A to B-1 of --data, or another data set',
      selection('--test-images'),
    )
    .option('--seed <n>', 'seed of the random operands without --model', wholeNumber, 1)
    .addOption(batchOption())
    .action(async (opts: ReportOptions, command: Command) => {
      const quiet = Boolean(command.optsWithGlobals().quiet);
      const t0 = performance.now();
      checkOutputFolder(opts.out); // before the study, not after it
      const precisions = opts.precision.split(',').map((p) => p.trim());
      for (const p of precisions)
        if (p !== 'int8' && p !== 'int16')
          throw new MactileError(`--precision: expected int8 | int16, received ${JSON.stringify(p)}`);
      const configs = opts.configs
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean)
        .map((c) => loadConfig(c, { batch: opts.batch }));
      const batch = Math.max(...configs.map((c) => c.batch ?? 1));
      if (configs.length === 0) throw new MactileError('--configs: expected at least one config, received none');
      // A config listed twice fails now, not after the study; configs sharing a name are labelled apart.
      const { notes } = runNames(configs);
      if (!quiet) for (const n of notes) process.stderr.write(`note: ${n}\n`);
      if (!opts.net && !opts.model)
        throw new MactileError('report: expected --net NET or --model M.onnx (or both), received neither');
      symmetricActivations(opts, opts.model ? undefined : 'with --net only (no --model M.onnx)');
      let net: Network = loadNetwork(opts.net ?? opts.model!);
      if (opts.model && opts.net) checkNetMatchesModel(opts.net, net, opts.model, loadNetwork(opts.model));
      const network = opts.net ?? net.name;
      // Sizes the simulation cannot hold are refused now, before the quantization study and the RTL builds.
      const fits = (n: Network, what: string) => {
        const size = networkSizeProblem({ ...n, layers: macLayers(workloadOf(n, { batch })) }, SIM_LIMITS);
        if (size) throw new MactileError(`${what}: ${size}; analyze can still evaluate it`);
      };
      fits(net, `--net ${network}`);
      let accuracy: ReportData['accuracy'];
      let quantized: Parameters<typeof hardwareStudy>[3]['quantized'];
      let ops = hostOps(net);
      let heldOut: ((first: number, count: number) => LabelledImage[]) | undefined;
      if (opts.model) {
        const input = net.input.shape;
        heldOut = (first, count) => heldOutImages(opts, input, opts.model!, first, count);
        heldOut(opts.image ?? 0, batch); // a bad --image fails now, not after the quantization study
        if (!quiet) process.stderr.write(`quantizing ${opts.model} (${precisions.join(', ')})...\n`);
        const study = quantizeStudy({
          model: opts.model,
          data: opts.data,
          mean: opts.mean,
          std: opts.std,
          layout: opts.layout,
          precision: precisions.join(','),
          calibration: opts.calibration,
          granularity: opts.granularity,
          symmetric: opts.symmetric,
          asymmetric: opts.asymmetric,
          calibrationImages: 500,
          testImages: opts.testImages,
          format: 'table',
        });
        net = study.model.net;
        fits(net, `--model ${opts.model}`);
        quantized = Object.fromEntries(Object.entries(study.best).map(([p, v]) => [p, v.model]));
        const first = Object.values(study.best)[0]!;
        accuracy = {
          fp32: study.fp32,
          heldOut: study.test,
          activations: study.activations,
          ...(opts.data === 'mnist' && !opts.testImages ? {} : { testImages: study.split.text.test }),
          variants: study.variants.map((v) => ({
            precision: v.precision,
            calibration: v.calibration,
            granularity: v.granularity,
            accuracy: v.accuracy,
          })),
          sqnr: first.layers.map((l, i) => ({
            layer: l.name,
            ...Object.fromEntries(Object.entries(study.best).map(([p, v]) => [p, v.layers[i]!.sqnrDb])),
          })),
        };
        ops = hostOps(net, first.model.hostModes, first.model.fused);
      }
      const hw = await hardwareStudy(net, configs, precisions as ('int8' | 'int16')[], {
        quantized,
        image: opts.image,
        heldOut,
        seed: opts.seed,
      });
      const out = resolve(opts.out);
      const files = await writeReport(
        out,
        {
          title: `mactile study: ${network}`,
          network,
          model: opts.model,
          command: `mactile ${process.argv.slice(2).join(' ')}`,
          date: new Date().toISOString(),
          tools: {
            mactile: mactileVersion(),
            node: process.version,
            verilator: await verilatorVersionLine(),
            vega: version('vega'),
            'vega-lite': version('vega-lite'),
          },
          accuracy,
          runs: hw.runs,
          skipped: hw.skipped,
          notes: hw.notes,
          hostOps: ops,
        },
        `--out ${opts.out}`,
      );
      const ok = hw.runs.every((r) => r.ok && r.logitsIdentical !== false);
      process.stdout.write(
        `wrote ${files[0]} (${files.length - 1} data files) in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
      );
      process.stdout.write(ok ? 'every layer bit-exact and cycle-exact\n' : 'MISMATCH: see the report\n');
      if (!ok) process.exitCode = 1;
    });
}
