/** `mactile quantize`: post-training quantization of an ONNX model and its accuracy on held-out MNIST digits. */
import type { Command } from 'commander';
import { CALIBRATION_METHODS, type CalibrationMethod } from '../quant/calibrate.js';
import { evaluateModels } from '../quant/evaluate.js';
import { labelledImages } from '../data/fit.js';
import { HELD_OUT_PER_CLASS } from '../data/mnist.js';
import { loadSplit, type DataOptions, type Selection } from '../data/split.js';
import { collectStats, quantizeModel, type Granularity, type QuantModel } from '../quant/quantize.js';
import { REQUANT_MODES, type RequantMode } from '../quant/requant-modes.js';
import { exportQdqOnnx } from '../quant/onnx-export.js';
import { writeQuantFile } from '../quant/store.js';
import { loadOnnxModel } from '../nets/onnx-import.js';
import { readOnnx } from '../nets/onnx-read.js';
import { importQdqOnnx, isQuantizedOnnx } from '../nets/qdq-import.js';
import { dequantizedModel } from '../nets/qdq-layers.js';
import { renderTable } from '../report/table.js';
import { MactileError } from '../util/errors.js';
import { checkOutputFile, writeOutputFile } from '../util/output.js';
import { counter } from '../util/progress.js';
import { selection, withDataOptions } from './data-options.js';
import { formatOption, symmetricActivations, withActivationScheme, type SchemeOptions } from './options.js';

interface QuantizeOptions extends DataOptions, SchemeOptions {
  model: string;
  precision: string;
  calibration: string;
  granularity: string;
  /** A count, an index range or a second data set (a plain number is a count). */
  calibrationImages?: number | Selection;
  testImages?: number | Selection;
  requant?: string;
  out?: string;
  exportOnnx?: string;
  format: string;
}

function listOption<T extends string>(value: string, allowed: readonly T[], key: string): T[] {
  const items = value === 'all' ? [...allowed] : value.split(',').map((s) => s.trim());
  for (const it of items)
    if (!allowed.includes(it as T))
      throw new MactileError(
        `--${key}: expected ${allowed.join(' | ')} (or a comma list, or all), received ${JSON.stringify(it)}`,
      );
  return items as T[];
}

interface Variant {
  precision: 'int8' | 'int16';
  calibration: CalibrationMethod | 'given';
  granularity: Granularity;
  model: QuantModel;
  accuracy: number;
  layers: { name: string; kind: string; sqnrDb: number }[];
}

/** Runs the study: calibration, quantization variants, accuracy and SQNR; returns everything printed. */
export function quantizeStudy(opts: QuantizeOptions) {
  const precisions = listOption(opts.precision, ['int8', 'int16'] as const, 'precision');
  const calibrations = listOption(opts.calibration, CALIBRATION_METHODS, 'calibration');
  const granularities = listOption(opts.granularity, ['channel', 'tensor'] as const, 'granularity');
  const symmetric = symmetricActivations(opts);
  const requant = (opts.requant ?? 'rhaz') as RequantMode;
  if (!REQUANT_MODES.includes(requant))
    throw new MactileError(
      `--requant: expected ${REQUANT_MODES.join(' | ')}, received ${JSON.stringify(opts.requant)}`,
    );
  // A quantized ONNX model (QDQ, QLinear*) is evaluated as it is: its scales, not recalibrated.
  const given = isQuantizedOnnx(readOnnx(opts.model)) ? importQdqOnnx(opts.model) : undefined;
  if (given && !precisions.includes('int8'))
    throw new MactileError(
      `--precision: ${opts.model} is a quantized INT8 model, expected int8, received ${opts.precision}`,
    );
  const model = given ? dequantizedModel(given) : loadOnnxModel(opts.model);
  const asSelection = (v: number | Selection | undefined) => (typeof v === 'number' ? { count: v } : v);
  const split = loadSplit(
    { ...opts, calibrationImages: asSelection(opts.calibrationImages), testImages: asSelection(opts.testImages) },
    model.net.input.shape,
    opts.model,
  );
  const test = labelledImages(split.test);
  const calibration = labelledImages(split.calibration);
  const variants: Omit<Variant, 'accuracy' | 'layers'>[] = [];
  if (given)
    variants.push({ precision: 'int8', calibration: 'given', granularity: given.options.granularity, model: given });
  const calibrate = () => {
    const calibrating = counter(
      `calibrating on ${opts.data === 'mnist' ? 'training digits' : 'images'}`,
      calibration.length,
    );
    try {
      return collectStats(
        model,
        calibration.map((d) => d.pixels),
        () => calibrating.advance(),
      );
    } finally {
      calibrating.done();
    }
  };
  const stats = given ? new Map() : calibrate();
  const quantizing = counter(
    'quantizing variants',
    given ? 0 : precisions.length * calibrations.length * granularities.length,
  );
  for (const precision of given ? [] : precisions) {
    for (const calibration of calibrations) {
      for (const granularity of granularities) {
        const bits = precision === 'int8' ? 8 : 16;
        quantizing.step(`${precision} ${calibration} per ${granularity}`);
        variants.push({
          precision,
          calibration,
          granularity,
          model: quantizeModel(model, stats, {
            bits,
            calibration,
            granularity,
            symmetric,
            ...(requant === 'rhaz' ? {} : { requant }),
          }),
        });
        quantizing.advance();
      }
    }
  }
  quantizing.done();
  const evaluating = counter(`evaluating FP32 and ${variants.length} variant(s) on held-out digits`, test.length);
  const result = evaluateModels(
    model,
    variants.map((v) => v.model),
    test,
    () => evaluating.advance(),
  );
  evaluating.done();
  const scored: Variant[] = variants.map((v, i) => ({
    ...v,
    accuracy: result.quantized[i]!.accuracy,
    layers: result.quantized[i]!.layers,
  }));
  const best = Object.fromEntries(
    (given ? (['int8'] as const) : precisions).map((p) => [
      p,
      scored.filter((v) => v.precision === p).reduce((a, b) => (b.accuracy > a.accuracy ? b : a)),
    ]),
  ) as Record<string, Variant>;
  return {
    model,
    given: given !== undefined,
    /** The activations' scheme: the one asked for, or a quantized model's own. */
    activations: (given ? given.options.symmetric : symmetric) ? ('symmetric' as const) : ('asymmetric' as const),
    fp32: result.fp32,
    test: test.length,
    train: split.pool,
    split,
    variants: scored,
    best,
  };
}

/** Registers the `quantize` command. */
export function registerQuantize(cmd: Command): void {
  withActivationScheme(
    withDataOptions(
      cmd
        .command('quantize')
        .description(
          'post-training INT8/INT16 quantization of an ONNX model, with FP32/INT16/INT8 accuracy on held-out images and per-layer SQNR',
        )
        .requiredOption('--model <file>', 'ONNX model (images smaller than its input are padded, larger ones refused)'),
    ),
  )
    .option('--precision <list>', 'int8, int16 or both', 'int8,int16')
    .option(
      '--calibration <list>',
      `activation calibration: ${CALIBRATION_METHODS.join(' | ')} | all (comma lists allowed)`,
      'mse',
    )
    .option('--granularity <list>', 'weight scales: channel | tensor | all', 'channel')
    .option(
      '--calibration-images <n|A:B|set>',
      'N evenly spaced images not held out (default 500; MNIST: of the 8,000 training digits), images A to B-1 of --data, or another data set',
      selection('--calibration-images'),
    )
    .option(
      '--requant <mode>',
      'output-stage rounding: rhaz (integer multiplier, half away from zero) | ort (onnxruntime CPU float32 steps) | gemmlowp (TFLite)',
      'rhaz',
    )
    .option(
      '--test-images <n|A:B|set>',
      `N evenly spaced held-out images (default all; MNIST: ${HELD_OUT_PER_CLASS * 10}), images A to B-1 of --data, or another data set`,
      selection('--test-images'),
    )
    .option('--out <file>', 'write the best quantized model of each precision here (for `mactile sim --quantized`)')
    .option(
      '--export-onnx <file>',
      'write the best INT8 model as a quantized ONNX file (QuantizeLinear, QLinearConv) that onnxruntime runs; bit-exact with --requant ort',
    )
    .addOption(formatOption(['table', 'json'], 'table'))
    .action((opts: QuantizeOptions) => {
      if (opts.out) checkOutputFile(opts.out); // before the study, which can take minutes
      if (opts.exportOnnx !== undefined) {
        checkOutputFile(opts.exportOnnx, '--export-onnx');
        if (!listOption(opts.precision, ['int8', 'int16'] as const, 'precision').includes('int8'))
          throw new MactileError(
            `--export-onnx: expected --precision to include int8 (onnxruntime's QLinearConv takes 8-bit operands), received ${JSON.stringify(opts.precision)}`,
          );
      }
      const study = quantizeStudy(opts);
      if (opts.exportOnnx !== undefined) {
        const int8 = study.best.int8!.model;
        writeOutputFile(opts.exportOnnx, exportQdqOnnx(int8), `--export-onnx ${opts.exportOnnx}`);
        if ((int8.options.requant ?? 'rhaz') !== 'ort')
          process.stderr.write(
            `note: --export-onnx ${opts.exportOnnx}: onnxruntime requantizes as --requant ort does (float32, half to even); this ${int8.options.requant ?? 'rhaz'} model's outputs can differ from mactile's by 1 LSB there\n`,
          );
      }
      for (const note of study.split.notes) process.stderr.write(`note: ${note}\n`);
      const mnist = opts.data === 'mnist' && opts.calibrationImages === undefined && opts.testImages === undefined;
      const { calibration, test } = study.split.text;
      const accuracy: Record<string, number> = { fp32: study.fp32 };
      for (const [p, v] of Object.entries(study.best)) accuracy[p] = v.accuracy;
      if (opts.out) {
        writeQuantFile(
          opts.out,
          {
            version: 1,
            source: opts.model,
            data: mnist
              ? `mnist: last ${HELD_OUT_PER_CLASS} digits of each class held out`
              : `${opts.data}: test ${test}; calibration ${calibration}; mean ${study.split.norm.mean.join(',')}, std ${study.split.norm.std.join(',')}`,
            models: Object.fromEntries(
              Object.entries(study.best).map(([p, v]) => [
                p,
                { ...v.model, accuracy: { fp32: study.fp32, [p]: v.accuracy } },
              ]),
            ),
          },
          `--out ${opts.out}`,
        );
      }
      const hostOps = Object.values(study.best)[0]?.model.hostModes ?? {};
      if (opts.format === 'json') {
        process.stdout.write(
          JSON.stringify(
            {
              model: opts.model,
              data: {
                name: opts.data,
                trainDigits: study.train,
                heldOutDigits: study.test,
                calibrationImages: study.split.calibration.count,
                calibration,
                test,
                input: study.model.net.input.shape,
                ...study.split.norm,
              },
              activations: study.activations,
              accuracy,
              best: Object.fromEntries(
                Object.entries(study.best).map(([p, v]) => [
                  p,
                  { calibration: v.calibration, granularity: v.granularity },
                ]),
              ),
              variants: study.variants.map((v) => ({
                precision: v.precision,
                calibration: v.calibration,
                granularity: v.granularity,
                accuracy: v.accuracy,
                layers: v.layers,
              })),
              layers: Object.values(study.best)[0]!.layers.map((l, i) => ({
                ...l,
                sqnrDb: Object.fromEntries(Object.entries(study.best).map(([p, v]) => [p, v.layers[i]!.sqnrDb])),
              })),
              hostOps,
              fused: Object.values(study.best)[0]?.model.fused ?? [],
              out: opts.out,
            },
            null,
            2,
          ) + '\n',
        );
        return;
      }
      const lines = [
        study.given
          ? `${opts.model}: test on ${test}; a quantized model: its own scales and zero points, requantization as onnxruntime's (ort)`
          : mnist
            ? `${opts.model}: ${study.test} held-out MNIST digits, calibration on ${study.split.calibration.count} training digits, ${study.activations} activations`
            : `${opts.model}: test on ${test}, calibration on ${calibration}, ${study.activations} activations; (x - mean) / std with mean ${study.split.norm.mean.join(',')}, std ${study.split.norm.std.join(',')}`,
      ];
      lines.push(`FP32 accuracy ${study.fp32.toFixed(2)} %${study.given ? ' (its weights dequantized)' : ''}`, '');
      lines.push(
        renderTable(
          [
            { header: 'precision', value: (v: Variant) => v.precision },
            { header: 'calibration', value: (v) => v.calibration },
            { header: 'weights', value: (v) => (v.granularity === 'channel' ? 'per channel' : 'per tensor') },
            { header: 'accuracy %', value: (v) => v.accuracy, digits: 2 },
            { header: 'vs FP32 (points)', value: (v) => v.accuracy - study.fp32, digits: 2 },
          ],
          study.variants,
        ),
      );
      const bests = Object.entries(study.best);
      lines.push('', 'per-layer SQNR (dB) of the best variant of each precision:');
      lines.push(
        renderTable(
          [
            { header: 'layer', value: (l: { name: string; i: number }) => l.name },
            ...bests.map(([p, v]) => ({
              header: `${p} (${v.calibration}, ${v.granularity})`,
              value: (l: { name: string; i: number }) => v.layers[l.i]!.sqnrDb,
              digits: 1,
            })),
          ],
          bests[0]![1].layers.map((l, i) => ({ name: l.name, i })),
        ),
      );
      const modes = Object.entries(hostOps);
      lines.push(
        '',
        `host ops on integers: ${
          modes
            .filter(([, m]) => m === 'integer')
            .map(([n]) => n)
            .join(', ') || 'none'
        }`,
      );
      lines.push(
        `host ops in float between requantized tensors: ${
          modes
            .filter(([, m]) => m === 'float')
            .map(([n]) => n)
            .join(', ') || 'none'
        }`,
      );
      lines.push(
        `ReLUs fused into the MAC layer before them: ${(Object.values(study.best)[0]?.model.fused ?? []).join(', ') || 'none'}`,
      );
      if (opts.out) lines.push(`wrote ${opts.out}`);
      if (opts.exportOnnx) lines.push(`wrote ${opts.exportOnnx} (INT8, QLinearConv)`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
