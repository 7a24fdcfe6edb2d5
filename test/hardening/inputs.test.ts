/**
 * Hostile input, as a user can give it: every case is a row of one table, run through the command line, and
 * every row must end with its exit code and one line on stderr that names the thing (field path, layer, tensor,
 * key), never a stack trace, never "internal error" (exit 70, left for real bugs). The table also replays the
 * bad-input rows of the suite's other tests, so that the whole set is shown to stay clear of internal errors.
 * Nothing here builds RTL: every refusal happens before the first Verilator build.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCELERATORS } from '../../src/accel/registry.js';
import { quantizeStudy } from '../../src/cli/quantize.js';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import { scaleSimCfgWarnings } from '../../src/config/scalesim-cfg.js';
import { NetBuilder } from '../../src/nets/builder.js';
import { HELD_OUT_PER_CLASS } from '../../src/quant/mnist.js';
import { readQuantFile, writeQuantFile } from '../../src/quant/store.js';
import { renderCsv } from '../../src/report/table.js';
import { MactileError } from '../../src/util/errors.js';
import { runCli, runCliInProcess } from '../helpers/cli.js';
import { OnnxGraphBuilder, patchFirstInitializer } from '../helpers/onnx-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-inputs-'));
const at = (name: string) => join(dir, name);

// ------------------------------------------------------------------------------------------ fixtures
const HEADER = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,';
const TOPOLOGIES: Record<string, string> = {
  'channels1e8.csv': 'big, 1, 1, 1, 1, 100000000, 1, 1,',
  'dp1e8.csv': 'bigDP, 3, 3, 1, 1, 100000000, 1, 1,',
  'sizes1e12.csv': 'big, 1000000000000, 1000000000000, 1, 1, 1, 1, 1,',
  'input1e6cubed.csv': 'big, 1000000, 1000000, 1, 1, 1000000, 1000000, 1,',
  'macs1e16.csv': 'big, 1, 1, 1, 1, 100000000, 100000000, 1,',
  // 2^52 MACs: the IR holds it; on a 1x1 array its SRAM reads pass 2^53.
  'macs2e52.csv': 'big, 1, 1, 1, 1, 67108864, 67108864, 1,',
  'total.csv':
    'a, 1, 1, 1, 1, 67108864, 67108864, 1,\nb, 1, 1, 1, 1, 67108864, 67108864, 1,\nc, 1, 1, 1, 1, 67108864, 67108864, 1,',
  'formulas.csv': ['=HYPERLINK("http://evil")', '+cmd', '-2+3', '@SUM(A1)', '-2', 'plain']
    .map((n) => `${n.includes(',') ? `"${n}"` : n}, 8, 8, 3, 3, 1, 4, 1,`)
    .join('\n'),
};

const CFGS: Record<string, string> = {
  'clock.yaml': 'kind: systolic\nrows: 8\ncols: 8\ndataflow: os\nclock_mhz: 1.0e-300\n',
  'user-bw10.yaml': 'kind: systolic\nrows: 8\ncols: 8\ndataflow: os\ndram:\n  bandwidth: 10\n',
  'clockhigh.yaml': 'kind: systolic\nrows: 8\ncols: 8\ndataflow: os\nclock_mhz: 1.0e+9\n',
  'bandwidth.yaml': 'kind: systolic\nrows: 8\ncols: 8\ndataflow: os\ndram:\n  bandwidth: 1.0e-300\n',
  'bandwidthinf.yaml': 'kind: systolic\nrows: 8\ncols: 8\ndataflow: os\ndram:\n  bandwidth: .inf\n',
  'gbps.yaml': 'kind: nvdla\natomic_c: 8\natomic_k: 8\ndram_gbps: 1.0e-300\n',
  'nvclock.yaml': 'kind: nvdla\natomic_c: 8\natomic_k: 8\nclock_mhz: 0\n',
  'unmodelled.cfg': [
    '[general]',
    'run_name = unmodelled',
    '[architecture_presets]',
    'ArrayHeight: 8',
    'ArrayWidth: 8',
    'IfmapSramSzkB: 64',
    'FilterSramSzkB: 64',
    'OfmapSramSzkB: 64',
    'Dataflow: ws',
    'WordByte: 2',
    '[sparsity]',
    'SparsitySupport: true',
    'SparseRep: ellpack_block',
    'OptimizedMapping: False',
    'BlockSize: 4',
    '[layout]',
    'IfmapCustomLayout: True',
    'FilterCustomLayout: False',
    '[run_presets]',
    'InterfaceBandwidth: CALC',
    'UseRamulatorTrace: True',
    '[network_presets]',
    'TopologyCsvLoc: "x.csv"',
    '',
  ].join('\n'),
};

/** A one-conv ONNX model (1 x 1 x 8 x 8 input unless given) whose weights tensor is raw bytes with the given dims. */
function onnxRaw(
  wdims: number[],
  opts: { rawBytes?: number; floatData?: number[]; input?: number[]; pads?: number[] } = {},
): Uint8Array {
  const g = new OnnxGraphBuilder(1);
  const w = g.tensor([2, 1, 1, 1], [0.5, -0.5]);
  let x = g.node('Conv', ['input', w], opts.pads ? { pads: opts.pads } : {});
  x = g.node('Flatten', [x], { axis: 1 });
  return patchFirstInitializer(g.build(opts.input ?? [1, 1, 8, 8], x), {
    dims: wdims,
    floatData: opts.floatData,
    rawBytes: opts.rawBytes,
  });
}

function onnxConv(values: number[], extra?: (g: OnnxGraphBuilder, x: string) => string): Uint8Array {
  const g = new OnnxGraphBuilder(1);
  let x = g.node('Conv', ['input', g.tensor([2, 1, 1, 1], values)], {});
  if (extra) x = extra(g, x);
  x = g.node('Flatten', [x], { axis: 1 });
  return g.build([1, 1, 32, 32], x, [1, 2048]);
}

const CONV = 'features_features.0_Conv';
type Stored = {
  models: Record<
    string,
    {
      net: { layers: Record<string, unknown>[]; input: { name: string } };
      layers: Record<string, Record<string, unknown>>;
      tensors: Record<string, Record<string, unknown>>;
      options: Record<string, unknown>;
      fused: string[];
      hostModes: Record<string, string>;
    }
  >;
} & Record<string, unknown>;

/** Mutations of a valid quantized LeNet-5 file: name -> (file object -> nothing). */
const QUANT_MUTATIONS: Record<string, (f: Stored) => void> = {
  halfWeights: (f) => {
    const l = f.models.int8!.layers[CONV]!;
    l.weights = Buffer.from(l.weights as string, 'base64')
      .subarray(0, 150)
      .toString('base64');
  },
  kernel500x5: (f) => {
    f.models.int8!.net.layers[0]!.kernel = { h: 500, w: 5 };
  },
  outShape: (f) => {
    f.models.int8!.net.layers[0]!.outShape = { h: 30, w: 28, c: 6 };
  },
  biasAbc: (f) => {
    (f.models.int8!.layers[CONV]!.bias as string[])[0] = 'abc';
  },
  mult2p33: (f) => {
    (f.models.int8!.layers[CONV]!.mult as number[])[0] = 2 ** 33;
  },
  negativeShift: (f) => {
    (f.models.int8!.layers[CONV]!.shift as number[])[0] = -1;
  },
  weight32767: (f) => {
    const l = f.models.int8!.layers[CONV]!;
    const b = Buffer.from(l.weights as string, 'base64');
    b.writeInt16LE(32767, 6);
    l.weights = b.toString('base64');
  },
  noLayers: (f) => {
    f.models.int8!.layers = {};
  },
  noNetLayers: (f) => {
    f.models.int8!.net.layers = [];
  },
  noModels: (f) => {
    f.models = {};
  },
  int9: (f) => {
    f.models.int9 = f.models.int16!;
    delete f.models.int16;
  },
  bias2p40: (f) => {
    (f.models.int8!.layers[CONV]!.bias as string[])[0] = String(2 ** 40);
  },
  fewerBiases: (f) => {
    (f.models.int8!.layers[CONV]!.bias as string[]).pop();
  },
  zeroPoint300: (f) => {
    f.models.int8!.layers[CONV]!.outZeroPoint = 300;
  },
  badBase64: (f) => {
    f.models.int8!.layers[CONV]!.weights = '!!!!';
  },
  misspelledKey: (f) => {
    f.models.int8!.layers[CONV]!.weigths = 'AAAA';
  },
  noTensorScale: (f) => {
    delete f.models.int8!.tensors[CONV];
  },
  brokenChain: (f) => {
    f.models.int8!.net.layers[3]!.input = 'nope';
  },
  fcOnAFeatureMap: (f) => {
    f.models.int8!.net.layers[0]!.kind = 'fc';
  },
  noHostMode: (f) => {
    delete f.models.int8!.hostModes.flatten_Flatten;
  },
  integerSoftmax: (f) => {
    f.models.int8!.fused.push('flatten_Flatten');
  },
  zeroScale: (f) => {
    f.models.int8!.tensors.input!.scale = 0;
  },
  bitsMismatch: (f) => {
    f.models.int8!.options.bits = 16;
  },
  version2: (f) => {
    f.version = 2;
  },
  extraLayer: (f) => {
    f.models.int8!.layers.ghost = f.models.int8!.layers[CONV]!;
  },
  fcKernel: (f) => {
    f.models.int8!.net.layers.find((l) => l.kind === 'fc')!.kernel = { h: 3, w: 3 };
  },
};

// ------------------------------------------------------------------------------------------ the table
interface Row {
  /** What the row is (the test's name). */
  what: string;
  args: string[];
  code: number;
  /** The message (the first line of stderr, or each warning line for exit 0). */
  message: RegExp;
  /** For exit 0: what stdout must show. */
  stdout?: RegExp;
  /** For exit 0: warning lines on stderr (each must match one). */
  warnings?: RegExp[];
}

const q = (name: string) => at(`q-${name}.json`);
const ROWS: Row[] = [
  // 1. Quantized model files: structure, then the file against its network.
  {
    what: "half of conv1's weights removed",
    args: ['sim', '--quantized', q('halfWeights'), '--config', 'sa-8x8-ws'],
    code: 2,
    message:
      /models\.int8\.layers\.features_features\.0_Conv\.weights: expected 150 INT8 values \(6 x 5 x 5 x 1\), received 75/,
  },
  {
    what: 'a 500x5 kernel on a 32x32 input',
    args: ['sim', '--quantized', q('kernel500x5'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /models\.int8\.net, layer features_features\.0_Conv: filter 500x5 is larger than its padded input 32x32/,
  },
  {
    what: 'an output shape the layer does not compute',
    args: ['sim', '--quantized', q('outShape'), '--config', 'sa-8x8-ws'],
    code: 2,
    message:
      /models\.int8\.net\.layers\[0\] \(features_features\.0_Conv\)\.outShape: expected 28x28x6 .*received 30x28x6/,
  },
  {
    what: 'a bias "abc"',
    args: ['sim', '--quantized', q('biasAbc'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /features_features\.0_Conv\.bias\[0\]: expected a whole number as a decimal string, received "abc"/,
  },
  {
    what: 'a multiplier of 2^33',
    args: ['sim', '--quantized', q('mult2p33'), '--config', 'sa-8x8-ws'],
    code: 2,
    message:
      /features_features\.0_Conv\.mult\[0\]: expected a whole number from 0 to 2,147,483,647, received 8589934592/,
  },
  {
    what: 'a negative shift',
    args: ['sim', '--quantized', q('negativeShift'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /features_features\.0_Conv\.shift\[0\]: expected a whole number from 0 to 63, received -1/,
  },
  {
    what: 'a weight of 32767 in an INT8 model',
    args: ['sim', '--quantized', q('weight32767'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /features_features\.0_Conv\.weights: expected INT8 values from -128 to 127, received 32767 at index 3/,
  },
  {
    what: 'no quantized layers',
    args: ['sim', '--quantized', q('noLayers'), '--config', 'sa-8x8-ws'],
    code: 2,
    message:
      /models\.int8\.layers\.features_features\.0_Conv: expected the quantized parameters of MAC layer features_features\.0_Conv, received nothing/,
  },
  {
    what: 'a network without layers',
    args: ['sim', '--quantized', q('noNetLayers'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /models\.int8\.net\.layers: expected at least one layer, received none/,
  },
  {
    what: 'no models',
    args: ['sim', '--quantized', q('noModels'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /models: expected at least one quantized model \(int8 or int16\), received none/,
  },
  {
    what: 'a model keyed int9',
    args: ['sim', '--quantized', q('int9'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /models\.int9: expected the key int8 or int16 \(a precision\), received the key "int9"/,
  },
  {
    what: 'a bias past the 32-bit accumulator',
    args: ['sim', '--quantized', q('bias2p40'), '--config', 'sa-8x8-ws'],
    code: 2,
    message:
      /features_features\.0_Conv\.bias\[0\]: expected a 32-bit integer \(the INT8 accumulator width\).*received "1099511627776"/,
  },
  {
    what: 'one bias too few',
    args: ['sim', '--quantized', q('fewerBiases'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /features_features\.0_Conv\.bias: expected 6 values \(one per output channel\), received 5/,
  },
  {
    what: 'an output zero point of 300',
    args: ['sim', '--quantized', q('zeroPoint300'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /features_features\.0_Conv\.outZeroPoint: expected an INT8 value from -128 to 127, received 300/,
  },
  {
    what: 'weights that are not base64',
    args: ['sim', '--quantized', q('badBase64'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /features_features\.0_Conv\.weights: expected the weights as base64/,
  },
  {
    what: 'a misspelled key',
    args: ['sim', '--quantized', q('misspelledKey'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /models\.int8\.layers\.features_features\.0_Conv: unknown key "weigths"/,
  },
  {
    what: 'a tensor without a scale',
    args: ['sim', '--quantized', q('noTensorScale'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /models\.int8\.tensors\.features_features\.0_Conv: expected the scale and zero point/,
  },
  {
    what: 'a layer reading a tensor nobody computes',
    args: ['sim', '--quantized', q('brokenChain'), '--config', 'sa-8x8-ws'],
    code: 2,
    message:
      /models\.int8\.net\.layers\[3\] \(features_features\.3_Conv\)\.input: expected the network's input or a tensor an earlier layer computes, received "nope"/,
  },
  {
    what: 'a convolution relabelled fc',
    args: ['sim', '--quantized', q('fcOnAFeatureMap'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /models\.int8\.net, layer features_features\.0_Conv: expected a flattened 1x1xC input, received 32x32x1/,
  },
  {
    what: 'an FC layer with a 3x3 kernel',
    args: ['sim', '--quantized', q('fcKernel'), '--config', 'sa-8x8-ws'],
    code: 2,
    message:
      /models\.int8\.net\.layers\[\d+\] \(classifier_classifier\.0_Gemm\)\.kernel: expected \{"h":1,"w":1\} for this fc layer, received \{"h":3,"w":3\}/,
  },
  {
    what: 'a host op without a mode',
    args: ['sim', '--quantized', q('noHostMode'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /models\.int8\.hostModes\.flatten_Flatten: expected integer or float/,
  },
  {
    what: 'a flatten listed as a fused ReLU',
    args: ['sim', '--quantized', q('integerSoftmax'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /models\.int8\.fused\[4\]: expected a ReLU layer right after a MAC layer/,
  },
  {
    what: 'a scale of 0',
    args: ['sim', '--quantized', q('zeroScale'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /models\.int8\.tensors\.input\.scale: expected a positive number, received 0/,
  },
  {
    what: 'an int8 model of 16 bits',
    args: ['sim', '--quantized', q('bitsMismatch'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /models\.int8\.options\.bits: expected 8 for the int8 model, received 16/,
  },
  {
    what: 'another version',
    args: ['sim', '--quantized', q('version2'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /expected a mactile quantized model \(version 1\), received version 2/,
  },
  {
    what: 'parameters of a layer the network lacks',
    args: ['sim', '--quantized', q('extraLayer'), '--config', 'sa-8x8-ws'],
    code: 2,
    message: /models\.int8\.layers\.ghost: expected only the MAC layers of the network/,
  },

  // 2. Sizes that cannot fit.
  {
    // CALC mode is closed-form (it runs); USER mode still walks the prefetch order of an operand that does not fit.
    what: '10^8 channels in SCALE-Sim compatibility, USER mode',
    args: ['analyze', '--net', at('channels1e8.csv'), '--config', at('user-bw10.yaml'), '--compat', 'scalesim'],
    code: 2,
    message:
      /layer big: the SCALE-Sim-compatible model walks this layer's [\w ()]+ address by address and would hold [\d,]+ entries in memory, past its 134,217,728 \(2\^27\) per array \(os, 8x8\); analyze it without --compat scalesim/,
  },
  {
    what: '10^8 channels through the RTL',
    args: ['sim', '--net', at('channels1e8.csv'), '--config', 'sa-8x8-os'],
    code: 2,
    message:
      /channels1e8\.csv: layer big: its input 1x1x100000000 holds 100,000,000 values, past the 67,108,864 \(2\^26\) that the RTL simulation and golden model hold/,
  },
  {
    what: '10^8 channels in the report',
    args: ['report', '--net', at('channels1e8.csv'), '--configs', 'sa-8x8-os', '--out', at('report'), '--quiet'],
    code: 2,
    message:
      /--net .*channels1e8\.csv: layer big: its input 1x1x100000000 holds 100,000,000 values, past the 67,108,864/,
  },
  {
    what: 'a DP row of 10^8 channels in SCALE-Sim compatibility',
    args: ['analyze', '--net', at('dp1e8.csv'), '--config', 'sa-8x8-os', '--compat', 'scalesim'],
    code: 2,
    message:
      /layer bigDP: SCALE-Sim simulates a DP row as one layer per channel, and its compatible model takes at most 65,536/,
  },
  {
    what: 'sizes of 10^12',
    args: ['analyze', '--net', at('sizes1e12.csv'), '--config', 'sa-8x8-os'],
    code: 2,
    message:
      /sizes1e12\.csv, line 2, layer big: its input: the tensor 1000000000000x1000000000000x1 holds 1\.00e24 values, past 9,007,199,254,740,991 \(2\^53 - 1\)/,
  },
  {
    what: 'an input of 10^18 values',
    args: ['nets', '--net', at('input1e6cubed.csv')],
    code: 2,
    message:
      /input1e6cubed\.csv, line 2, layer big: its input: the tensor 1000000x1000000x1000000 holds 1\.00e18 values, past 9,007,199,254,740,991 \(2\^53 - 1\)/,
  },
  {
    what: '10^16 MACs in one layer',
    args: ['analyze', '--net', at('macs1e16.csv'), '--config', 'sa-8x8-os'],
    code: 2,
    message: /macs1e16\.csv, line 2, layer big: 1\.00e16 MACs, past 9,007,199,254,740,991 \(2\^53 - 1\)/,
  },
  {
    what: 'a network past 2^53 MACs in all',
    args: ['nets', '--net', at('total.csv')],
    code: 2,
    message: /total\.csv: its MAC layers have 1\.35e16 MACs in all, past 9,007,199,254,740,991/,
  },
  {
    what: 'SRAM reads past 2^53 on a 1x1 array',
    args: ['analyze', '--net', at('macs2e52.csv'), '--config', 'sa-8x8-os', '--rows', '1', '--cols', '1'],
    code: 2,
    message: /layer big on sa-8x8-os: its sramReads would be 9\.01e15, past 9,007,199,254,740,991 \(2\^53 - 1\)/,
  },
  {
    what: 'ONNX weights of dims [2^40, 1, 1, 1]',
    args: ['analyze', '--net', at('w2p40.onnx'), '--config', 'sa-8x8-os'],
    code: 2,
    message: /tensor "w0" holds 8 bytes, expected 4,398,046,511,104 for dims \[1099511627776, 1, 1, 1\]/,
  },
  {
    what: 'ONNX weights of dims [-1, 1, 1, 1]',
    args: ['analyze', '--net', at('wneg.onnx'), '--config', 'sa-8x8-os'],
    code: 2,
    message: /tensor "w0" has dims \[-1, 1, 1, 1\]: expected whole sizes of 0 or more, received -1/,
  },
  {
    what: 'ONNX weights of dims [4e9, 1, 1, 1]',
    args: ['analyze', '--net', at('w4e9.onnx'), '--config', 'sa-8x8-os'],
    code: 2,
    message: /tensor "w0" holds 2 values, expected 4,000,000,000 for dims \[4000000000, 1, 1, 1\]/,
  },
  {
    what: 'an ONNX input of height 2^40',
    args: ['analyze', '--net', at('in2p40.onnx'), '--config', 'sa-8x8-os'],
    code: 2,
    message: /in2p40\.onnx: input: expected a positive integer height up to 2,147,483,647, received 1099511627776/,
  },
  {
    what: 'an ONNX input of height 4e9',
    args: ['sim', '--net', at('in4e9.onnx'), '--config', 'sa-8x8-os'],
    code: 2,
    message: /in4e9\.onnx: input: expected a positive integer height up to 2,147,483,647, received 4000000000/,
  },
  {
    what: 'an ONNX input of height -1',
    args: ['analyze', '--net', at('inneg.onnx'), '--config', 'sa-8x8-os'],
    code: 2,
    message: /inneg\.onnx: input input has a dynamic shape \(H=-1\); give its size with --input-shape HxWxC/,
  },
  {
    what: 'ONNX pads of 2^40',
    args: ['analyze', '--net', at('pads2p40.onnx'), '--config', 'sa-8x8-os'],
    code: 2,
    message: /pads2p40\.onnx, layer conv_2: expected a padding from 0 to 2,147,483,647, received 1099511627776/,
  },

  // 3. NaN and Inf weights.
  {
    what: 'NaN weights (quantize)',
    args: ['quantize', '--model', at('nan.onnx'), '--test-images', '10', '--calibration-images', '5'],
    code: 2,
    message: /nan\.onnx, node conv_2 \(Conv\): the weights "w0": expected finite values, received NaN at index 0 of 2/,
  },
  {
    what: 'Inf weights (analyze)',
    args: ['analyze', '--net', at('inf.onnx'), '--config', 'sa-8x8-os'],
    code: 2,
    message:
      /inf\.onnx, node conv_2 \(Conv\): the weights "w0": expected finite values, received Infinity at index 0 of 2/,
  },
  {
    what: "NaN in a batch norm's mean",
    args: ['nets', '--net', at('bnnan.onnx')],
    code: 2,
    message:
      /bnnan\.onnx, node batchnormalization_\d+ \(BatchNormalization\): the mean "w\d+": expected finite values, received NaN/,
  },
  {
    what: 'a negative batch-norm variance',
    args: ['nets', '--net', at('bnvar.onnx')],
    code: 2,
    message:
      /bnvar\.onnx, node batchnormalization_\d+ \(BatchNormalization\): the var "w\d+": expected var \+ epsilon > 0, received -2/,
  },
  {
    what: 'weights that overflow float32 when a batch norm is folded',
    args: ['nets', '--net', at('bnoverflow.onnx')],
    code: 2,
    message:
      /bnoverflow\.onnx, node batchnormalization_\d+ \(BatchNormalization\): folding the batch norm gives layer conv_2 weights that are not finite/,
  },

  // 4. SCALE-Sim keys mactile does not model: warnings, exit 0.
  {
    what: 'SparsitySupport, custom layouts, Ramulator traces and foreign keys in a .cfg',
    args: ['analyze', '--net', 'lenet5', '--config', at('unmodelled.cfg')],
    code: 0,
    message: /^mactile: warning: /,
    stdout: /^total /m,
    warnings: [
      /line 10: key 'WordByte': not a key of \[architecture_presets\] in SCALE-Sim v2 or v3; mactile ignores it/,
      /line 12: key 'SparsitySupport' = true: mactile models dense layers only and runs every layer dense/,
      /line 17: key 'IfmapCustomLayout' = True: mactile reads the IFMAP in SCALE-Sim's default layout/,
      /line 21: key 'UseRamulatorTrace' = True: mactile models DRAM by its bandwidth \(CALC or USER\), not by Ramulator traces/,
      /line 23: key 'TopologyCsvLoc' = "x\.csv": mactile takes the network from --net/,
    ],
  },

  // 5. Smaller ones.
  {
    what: '--test-images -1',
    args: ['quantize', '--model', 'models/lenet5.onnx', '--test-images', '-1'],
    code: 2,
    message: /--test-images <n\|A:B\|set>' argument '-1' is invalid\. expected a whole number, 1 or more, received -1/,
  },
  {
    what: '--test-images 0',
    args: ['quantize', '--model', 'models/lenet5.onnx', '--test-images', '0'],
    code: 2,
    message: /--test-images <n\|A:B\|set>' argument '0' is invalid\. expected a whole number, 1 or more, received 0/,
  },
  {
    what: 'report --symmetric without a model to quantize',
    args: ['report', '--net', 'lenet5', '--configs', 'sa-8x8-os', '--symmetric'],
    code: 2,
    message: /^mactile: --symmetric: expected together with a model to quantize, received it with --net only/,
  },
  {
    what: 'study --asymmetric with --models none',
    args: ['study', '--models', 'none', '--rtl', 'none', '--asymmetric'],
    code: 2,
    message: /^mactile: --asymmetric: expected together with a model to quantize, received it with --models none/,
  },
  {
    what: '--test-images past the held-out set',
    args: ['quantize', '--model', 'models/lenet5.onnx', '--test-images', '2001'],
    code: 2,
    message: /--test-images: expected a whole number from 1 to 2,000 \(the held-out digits\), received 2001/,
  },
  {
    what: 'report --test-images 0',
    args: [
      'report',
      '--net',
      'lenet5',
      '--model',
      'models/lenet5.onnx',
      '--configs',
      'sa-8x8-os',
      '--test-images',
      '0',
      '--quiet',
      '--out',
      at('r2'),
    ],
    code: 2,
    message: /--test-images <n\|A:B\|set>' argument '0' is invalid\. expected a whole number, 1 or more, received 0/,
  },
  {
    what: '--calibration-images past the training digits',
    args: ['quantize', '--model', 'models/lenet5.onnx', '--calibration-images', '9000'],
    code: 2,
    message: /--calibration-images: expected a whole number from 1 to 8,000 \(the training digits\), received 9000/,
  },
  {
    what: '--calibration-images 0',
    args: ['quantize', '--model', 'models/lenet5.onnx', '--calibration-images', '0'],
    code: 2,
    message: /--calibration-images <n\|A:B\|set>' argument '0' is invalid\. expected a whole number, 1 or more/,
  },
  {
    what: 'a layer named twice in --layers',
    args: ['sim', '--net', 'lenet5', '--config', 'sa-8x8-os', '--layers', 'conv1,conv2,conv1'],
    code: 2,
    message:
      /--layers <names>' argument 'conv1,conv2,conv1' is invalid\. layer "conv1" is named twice; name each layer once/,
  },
  {
    what: 'a value listed twice in a sweep list (the points would be counted twice)',
    args: ['sweep', '--db', at('twice.sqlite'), '--net', 'lenet5', '--rows', '4,8,4', '--cols', '4'],
    code: 2,
    message: /^mactile: --rows: 4 is listed twice; list each value once$/,
  },
  {
    what: 'a value listed twice in a sweep --axis (04 is 4)',
    args: [
      'sweep',
      '--db',
      at('twice.sqlite'),
      '--net',
      'lenet5',
      '--rows',
      '4',
      '--cols',
      '4',
      '--axis',
      'batch=04,4',
    ],
    code: 2,
    message: /^mactile: --axis batch: 4 is listed twice; list each value once$/,
  },
  {
    what: 'a sweep --axis clock of 1e-300 MHz',
    args: [
      'sweep',
      '--db',
      at('twice.sqlite'),
      '--net',
      'lenet5',
      '--rows',
      '4',
      '--cols',
      '4',
      '--axis',
      'clock_mhz=1e-300',
    ],
    code: 2,
    message: /key 'clock_mhz': expected a number from 1 to 100,000 \(MHz\), received "1e-300"/,
  },
  {
    what: 'report --net of another network than --model',
    args: [
      'report',
      '--net',
      'alexnet',
      '--model',
      'models/lenet5.onnx',
      '--configs',
      'sa-8x8-os',
      '--out',
      at('r3'),
      '--quiet',
    ],
    code: 2,
    message:
      /^mactile: --net alexnet: is not the network of --model models\/lenet5\.onnx \(MAC layer 1 is conv 224x224x3/,
  },
  {
    what: '--layers of commas only',
    args: ['sim', '--net', 'lenet5', '--config', 'sa-8x8-os', '--layers', ',,'],
    code: 2,
    message: /--layers <names>' argument ',,' is invalid\. expected layer names separated by commas/,
  },
  {
    what: 'a clock of 1e-300 MHz',
    args: ['analyze', '--net', 'lenet5', '--config', at('clock.yaml')],
    code: 2,
    message: /clock\.yaml: key 'clock_mhz': expected a number from 1 to 100,000 \(MHz\), received 1e-300/,
  },
  {
    what: 'a clock of 1e9 MHz',
    args: ['analyze', '--net', 'lenet5', '--config', at('clockhigh.yaml')],
    code: 2,
    message: /key 'clock_mhz': expected a number from 1 to 100,000 \(MHz\), received 1000000000/,
  },
  {
    what: 'a bandwidth of 1e-300 words per cycle',
    args: ['analyze', '--net', 'lenet5', '--config', at('bandwidth.yaml')],
    code: 2,
    message:
      /key 'dram\.bandwidth': expected "calc" or a number from 0\.01 to 1,000,000 \(words per cycle\), received 1e-300/,
  },
  {
    what: 'an infinite bandwidth',
    args: ['analyze', '--net', 'lenet5', '--config', at('bandwidthinf.yaml')],
    code: 2,
    message: /key 'dram\.bandwidth': expected "calc" or a number from 0\.01 to 1,000,000/,
  },
  {
    what: 'a DRAM of 1e-300 GB/s',
    args: ['analyze', '--net', 'lenet5', '--config', at('gbps.yaml')],
    code: 2,
    message: /key 'dram_gbps': expected a number from 0\.1 to 10,000 \(GB\/s\), received 1e-300/,
  },
  {
    what: 'an NVDLA clock of 0',
    args: ['analyze', '--net', 'lenet5', '--config', at('nvclock.yaml')],
    code: 2,
    message: /key 'clock_mhz': expected a number from 1 to 100,000 \(MHz\), received 0/,
  },
  {
    what: 'synth --timeout -5',
    args: ['synth', 'sa-8x8-os', '--timeout', '-5'],
    code: 2,
    message: /--timeout <s>' argument '-5' is invalid\. expected a whole number from 1 to 2,147,483, received -5/,
  },
  {
    what: 'synth --timeout 0 (execa would wait forever)',
    args: ['synth', 'sa-8x8-os', '--timeout', '0'],
    code: 2,
    message: /--timeout <s>' argument '0' is invalid\. expected a whole number from 1 to 2,147,483/,
  },
  {
    what: "synth --timeout past Node's timers",
    args: ['synth', 'sa-8x8-os', '--timeout', '100000000'],
    code: 2,
    message: /--timeout <s>' argument '100000000' is invalid/,
  },
  {
    what: '--seed -1',
    args: ['sim', '--net', 'lenet5', '--config', 'sa-8x8-os', '--seed', '-1'],
    code: 2,
    message: /--seed <n>' argument '-1' is invalid\. expected a whole number, 0 or more, received -1/,
  },
  {
    what: '--image -1',
    args: ['sim', '--quantized', q('valid'), '--config', 'sa-8x8-os', '--image', '-1'],
    code: 2,
    message: /--image <n>' argument '-1' is invalid\. expected a whole number, 0 or more/,
  },
  {
    what: '--rows -3',
    args: ['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--rows', '-3'],
    code: 2,
    message: /--rows <n>' argument '-3' is invalid\. expected a whole number, 0 or more/,
  },
  {
    what: '--input-shape 0x32x1',
    args: ['analyze', '--net', 'models/lenet5.onnx', '--config', 'sa-8x8-os', '--input-shape', '0x32x1'],
    code: 2,
    message:
      /--input-shape <HxWxC>' argument '0x32x1' is invalid\. expected height x width x channels as HxWxC, each from 1 to 2,147,483,647 \(e\.g\. 32x32x1\), received "0x32x1" \(height 0\)/,
  },
  {
    what: '--input-shape of 20 digits',
    args: [
      'analyze',
      '--net',
      'models/lenet5.onnx',
      '--config',
      'sa-8x8-os',
      '--input-shape',
      '99999999999999999999x1x1',
    ],
    code: 2,
    message: /received "99999999999999999999x1x1" \(height 99999999999999999999\)/,
  },
  {
    what: '--input-shape 32x32',
    args: ['analyze', '--net', 'models/lenet5.onnx', '--config', 'sa-8x8-os', '--input-shape', '32x32'],
    code: 2,
    message: /expected height x width x channels as HxWxC.*received "32x32"$/,
  },
  {
    what: '--input-shape against a fixed ONNX input',
    args: ['analyze', '--net', 'models/lenet5.onnx', '--config', 'sa-8x8-os', '--input-shape', '64x64x3'],
    code: 2,
    message: /lenet5\.onnx: --input-shape 64x64x3: input input has a fixed C = 1 \(\[1, 1, 32, 32\]\)/,
  },
  {
    what: '--input-shape for a zoo network',
    args: ['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--input-shape', '64x64x3'],
    code: 2,
    message:
      /--input-shape: sets the input size of an ONNX model whose input is dynamic; network lenet5 has its own sizes/,
  },
  {
    what: 'CSV cells a spreadsheet would run as formulas',
    args: ['analyze', '--net', at('formulas.csv'), '--config', 'sa-8x8-os', '--format', 'csv'],
    code: 0,
    message: /^$/,
    stdout:
      /^"'=HYPERLINK\(""http:\/\/evil""\)",conv,1296,.*\n'\+cmd,conv,1296,.*\n'-2\+3,conv,.*\n'@SUM\(A1\),conv,.*\n-2,conv,.*\nplain,conv,/m,
  },

  // The bad-input rows of the suite's other tests (test/cli/analyze.test.ts, test/quant/models.test.ts,
  // test/sweep/sweep.test.ts, test/nets/nets-cli.test.ts, test/accel/kinds-cli.test.ts), through this table.
  {
    what: 'analyze.test: --dataflow xs',
    args: ['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--dataflow', 'xs'],
    code: 2,
    message: /key 'dataflow' \(from --dataflow\): expected one of os \| ws \| is, received "xs"/,
  },
  {
    what: 'analyze.test: --precision int7',
    args: ['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--precision', 'int7'],
    code: 2,
    message: /key 'precision' \(from --precision\): expected one of int8 \| int16, received "int7"/,
  },
  {
    what: 'analyze.test: --rows 0',
    args: ['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--rows', '0'],
    code: 2,
    message: /key 'rows' \(from --rows\): expected an integer from 1 to 256, received 0/,
  },
  {
    what: 'analyze.test: an unknown network',
    args: ['analyze', '--net', 'resnet', '--config', 'sa-8x8-os'],
    code: 2,
    message: /network "resnet": expected one of lenet5, alexnet, efficientnet_b0/,
  },
  {
    what: 'analyze.test: a missing topology',
    args: ['analyze', '--net', 'missing.csv', '--config', 'sa-8x8-os'],
    code: 2,
    message: /topology missing\.csv: no such file/,
  },
  {
    what: 'analyze.test: a missing config',
    args: ['analyze', '--net', 'lenet5', '--config', 'nope.yaml'],
    code: 2,
    message: /config "nope\.yaml": no such file/,
  },
  {
    what: 'analyze.test: --compat timeloop',
    args: ['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--compat', 'timeloop'],
    code: 2,
    message: /--compat: expected scalesim, received "timeloop"/,
  },
  {
    what: 'analyze.test: --compat scalesim on NVDLA',
    args: ['analyze', '--net', 'lenet5', '--config', 'nv_small', '--compat', 'scalesim'],
    code: 2,
    message: /--compat scalesim and --format scalesim need kind: systolic, received kind: nvdla/,
  },
  {
    what: 'models.test: --precision int4',
    args: ['quantize', '--model', 'models/lenet5.onnx', '--precision', 'int4'],
    code: 2,
    message: /--precision: expected int8 \| int16 .*received "int4"/,
  },
  {
    what: 'models.test: --data cifar10',
    args: ['quantize', '--model', 'models/lenet5.onnx', '--data', 'cifar10'],
    code: 2,
    message: /--data: expected mnist, idx:IMAGES,LABELS, .* or images:FOLDER\[,LABELS\.csv\], received "cifar10"/,
  },
  {
    what: 'models.test: --calibration kl',
    args: ['quantize', '--model', 'models/lenet5.onnx', '--calibration', 'kl'],
    code: 2,
    message: /--calibration: expected minmax \| percentile \| mse .*received "kl"/,
  },
  {
    what: 'models.test: an absent model',
    args: ['quantize', '--model', 'models/absent.onnx'],
    code: 2,
    message: /ONNX model models\/absent\.onnx: cannot read it \(ENOENT\)/,
  },
  {
    what: 'models.test: a float ONNX file as a quantized model',
    args: ['sim', '--quantized', 'models/lenet5.onnx', '--config', 'sa-8x8-os'],
    code: 2,
    message: /--quantized models\/lenet5\.onnx: expected a quantized model .*received a float ONNX model/,
  },
  {
    what: 'models.test: --image 2000',
    args: ['report', '--net', 'lenet5', '--model', 'models/lenet5.onnx', '--configs', 'sa-8x8-os', '--image', '2000'],
    code: 2,
    message: /--image: expected a held-out digit from 0 to 1999, received 2000/,
  },
  {
    what: 'models.test: an int16 config for an int8 file',
    args: ['sim', '--quantized', q('int8only'), '--config', 'sa-8x8-ws', '--precision', 'int16'],
    code: 2,
    message: /expected a int16 model for config sa-8x8-ws, the file holds int8/,
  },
  {
    what: 'sweep.test: an empty --rows',
    args: ['sweep', '--db', at('e.sqlite'), '--net', 'lenet5', '--rows', '', '--cols', '4'],
    code: 2,
    message: /sweep: the grid is empty: --rows lists no values|expected --rows/,
  },
  {
    what: 'sweep.test: --dataflow xs',
    args: ['sweep', '--db', at('e.sqlite'), '--net', 'lenet5', '--rows', '4', '--cols', '4', '--dataflow', 'xs'],
    code: 2,
    message: /key 'dataflow': expected one of os \| ws \| is, received "xs"/,
  },
  {
    what: 'sweep.test: --status of an absent database',
    args: ['sweep', '--status', '--db', at('absent.sqlite')],
    code: 2,
    message: /database .*absent\.sqlite: no such file/,
  },
  {
    what: 'kinds-cli.test: --rows on an NVDLA sweep',
    args: ['sweep', '--db', at('bad.sqlite'), '--net', 'lenet5', '--config', 'nv_small', '--rows', '8'],
    code: 2,
    message: /--rows/,
  },
  {
    what: 'nets-cli.test: a bad zoo parameter',
    args: ['nets', '--net', 'bert_base:seq=x'],
    code: 2,
    message: /network "bert_base:seq=x": parameter seq .*received "x"/,
  },
];

// ------------------------------------------------------------------------------------------ set-up
let validQuant: Stored;

beforeAll(() => {
  mkdirSync(dir, { recursive: true });
  for (const [name, rows] of Object.entries(TOPOLOGIES)) writeFileSync(at(name), `${HEADER}\n${rows}\n`);
  for (const [name, text] of Object.entries(CFGS)) writeFileSync(at(name), text);
  writeFileSync(at('w2p40.onnx'), onnxRaw([2 ** 40, 1, 1, 1]));
  writeFileSync(at('wneg.onnx'), onnxRaw([-1, 1, 1, 1]));
  writeFileSync(at('w4e9.onnx'), onnxRaw([4e9, 1, 1, 1], { floatData: [1, 2] }));
  writeFileSync(at('in2p40.onnx'), onnxRaw([2, 1, 1, 1], { input: [1, 1, 2 ** 40, 1] }));
  writeFileSync(at('in4e9.onnx'), onnxRaw([2, 1, 1, 1], { input: [1, 1, 4e9, 1] }));
  writeFileSync(at('inneg.onnx'), onnxRaw([2, 1, 1, 1], { input: [1, 1, -1, 8] }));
  writeFileSync(at('pads2p40.onnx'), onnxRaw([2, 1, 1, 1], { pads: [2 ** 40, 0, 0, 0] }));
  writeFileSync(at('nan.onnx'), onnxConv([NaN, 1]));
  writeFileSync(at('inf.onnx'), onnxConv([Infinity, 1]));
  const bn = (scale: number[], mean: number[], variance: number[]) => (g: OnnxGraphBuilder, x: string) =>
    g.node(
      'BatchNormalization',
      [x, g.tensor([2], scale), g.tensor([2], [0, 0]), g.tensor([2], mean), g.tensor([2], variance)],
      { epsilon: 1e-5 },
    );
  writeFileSync(at('bnnan.onnx'), onnxConv([1, 1], bn([1, 1], [NaN, 0], [1, 1])));
  writeFileSync(at('bnvar.onnx'), onnxConv([1, 1], bn([1, 1], [0, 0], [-2, 1])));
  writeFileSync(at('bnoverflow.onnx'), onnxConv([3e38, 1], bn([1e10, 1], [0, 0], [1, 1])));
  // A valid quantized LeNet-5 (a few digits: the values do not matter here), and its mutations.
  const study = quantizeStudy({
    model: 'models/lenet5.onnx',
    data: 'mnist',
    precision: 'int8,int16',
    calibration: 'mse',
    granularity: 'channel',
    calibrationImages: 20,
    testImages: 20,
    format: 'table',
  });
  const content = {
    version: 1,
    source: 'models/lenet5.onnx',
    data: 'mnist',
    models: Object.fromEntries(Object.entries(study.best).map(([p, v]) => [p, v.model])),
  };
  writeQuantFile(q('valid'), content);
  writeQuantFile(q('int8only'), { ...content, models: { int8: content.models.int8! } });
  validQuant = JSON.parse(readFileSync(q('valid'), 'utf8')) as Stored;
  for (const [name, mutate] of Object.entries(QUANT_MUTATIONS)) {
    const f = structuredClone(validQuant);
    mutate(f);
    writeFileSync(q(name), JSON.stringify(f));
  }
}, 120_000);

// ------------------------------------------------------------------------------------------ the tests
const USAGE_HINT = '(run with --help for usage)';

describe('hostile input through the command line: exit code, one line naming the thing, no internal error', () => {
  it.concurrent.each(ROWS.map((r) => [r.what, r] as const))('%s', async (_, row) => {
    const r = await runCliInProcess(row.args);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(r.stderr, 'internal error').not.toMatch(/internal error/);
    expect(r.stderr, 'a stack trace').not.toMatch(/^\s+at .+[(:]\d+/m);
    expect(r.code, r.stderr).toBe(row.code);
    if (row.code === 0) {
      if (row.stdout) expect(r.stdout).toMatch(row.stdout);
      expect(
        lines.every((l) => /^mactile: warning: /.test(l)),
        r.stderr,
      ).toBe(true);
      expect(lines).toHaveLength(row.warnings?.length ?? 0);
      row.warnings?.forEach((w, i) => expect(lines[i]).toMatch(w));
      return;
    }
    // One line: `mactile: ...`, or commander's `error: option ... is invalid. ...` and its usage hint.
    expect(lines[0]).toMatch(/^(mactile: |error: )/);
    expect(lines[0]).toMatch(row.message);
    expect(lines.slice(1), r.stderr).toEqual(lines[0]!.startsWith('error: ') ? [USAGE_HINT] : []);
    expect(r.stdout).toBe('');
  });
});

describe('quantized model files', () => {
  it('a file quantize --out writes reads back unchanged', () => {
    const f = readQuantFile(q('valid'));
    expect(Object.keys(f.models).sort()).toEqual(['int16', 'int8']);
    const m = f.models.int8!;
    const stored = validQuant.models.int8!;
    expect(Buffer.from(m.layers[CONV]!.weights.buffer).toString('base64')).toBe(stored.layers[CONV]!.weights);
    expect(m.layers[CONV]!.bias.map(String)).toEqual(stored.layers[CONV]!.bias);
    expect(m.net.layers).toEqual(stored.net.layers);
  });

  it('any field of any kind of layer set to a value of any type: a MactileError naming the field, or a file that still reads', () => {
    const values: unknown[] = [null, 'abc', -1, 0, 1.5, 2 ** 33, 1e300, [], {}, true, undefined];
    const m = validQuant.models.int8!;
    const kinds = new Set<string>();
    const targets: (string | number)[][] = [
      ['version'],
      ['models', 'int8', 'options', 'bits'],
      ['models', 'int8', 'fused'],
      ['models', 'int8', 'hostModes'],
    ];
    m.net.layers.forEach((l, i) => {
      if (kinds.has(String(l.kind))) return;
      kinds.add(String(l.kind));
      for (const key of Object.keys(l)) targets.push(['models', 'int8', 'net', 'layers', i, key]);
    });
    for (const key of Object.keys(m.layers[CONV]!)) targets.push(['models', 'int8', 'layers', CONV, key]);
    for (const key of ['scale', 'zeroPoint']) targets.push(['models', 'int8', 'tensors', 'input', key]);
    let refused = 0;
    for (const path of targets) {
      for (const v of values) {
        const f = structuredClone(validQuant) as unknown as Record<string | number, unknown>;
        let o = f;
        for (const p of path.slice(0, -1)) o = o[p] as Record<string | number, unknown>;
        if (v === undefined) delete o[path.at(-1)!];
        else o[path.at(-1)!] = v;
        const file = at('q-fuzz.json');
        writeFileSync(file, JSON.stringify(f));
        try {
          readQuantFile(file);
        } catch (err) {
          expect(err, `${path.join('.')} = ${JSON.stringify(v)}: ${(err as Error).stack}`).toBeInstanceOf(MactileError);
          expect((err as Error).message.split('\n')).toHaveLength(1);
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(targets.length * 5);
  });
});

describe('sizes and figures', () => {
  it('the largest layers the IR holds: every analytic figure an exact integer, or a refusal naming the layer and the figure', () => {
    const nets = [
      () => {
        const b = new NetBuilder('fc', { h: 1, w: 1, c: 2 ** 21 });
        b.fc('fc', 2 ** 21);
        return b.build();
      },
      () => {
        const b = new NetBuilder('wide', { h: 2 ** 12, w: 2 ** 12, c: 64 });
        b.conv('c', { out: 64, k: 3, pad: 1 });
        return b.build();
      },
      // 2^52 MACs, at the IR's limit: refused on the 1x1 array, whose figures would pass 2^53.
      () => {
        const b = new NetBuilder('edge', { h: 1, w: 1, c: 2 ** 26 });
        b.fc('fc', 2 ** 26);
        return b.build();
      },
    ];
    const configs = [
      {
        kind: 'systolic',
        rows: 1,
        cols: 1,
        dataflow: 'os',
        dram: { bandwidth: 0.01 },
        sram: { ifmap_kb: 1, filter_kb: 1, ofmap_kb: 1 },
        clock_mhz: 1,
      },
      {
        kind: 'systolic',
        rows: 256,
        cols: 256,
        dataflow: 'ws',
        timing: 'pipelined',
        dram: { bandwidth: 0.01 },
        clock_mhz: 100_000,
      },
      { kind: 'systolic', rows: 256, cols: 1, dataflow: 'is' },
      {
        kind: 'nvdla',
        atomic_c: 8,
        atomic_k: 8,
        dram_gbps: 0.1,
        clock_mhz: 100_000,
        feature_buffer_kb: 1 << 16,
        weight_buffer_kb: 1 << 16,
        dma_words_per_cycle: 1,
      },
    ];
    let refused = 0;
    for (const mk of nets) {
      const net = mk();
      // (The NVDLA-style core's planner would list 2^26 one-kernel convolutions for 'edge'; not this test's subject.)
      for (const raw of configs.filter((c) => net.name !== 'edge' || c.kind === 'systolic')) {
        const cfg = validateConfig(raw, `extreme-${raw.kind}`);
        const accel = ACCELERATORS.find((a) => a.kind === cfg.kind)!;
        let doc: unknown;
        try {
          doc = accel.analysisJson(accel.analyzeNetwork(net, cfg as never) as never, cfg as never);
        } catch (err) {
          expect(err, String(err)).toBeInstanceOf(MactileError);
          expect((err as Error).message).toMatch(
            /^layer \S+ on extreme-\w+: its \w+ would be .*, past 9,007,199,254,740,991 \(2\^53 - 1\)|cannot fit/,
          );
          refused++;
          continue;
        }
        const walk = (o: unknown, path: string): void => {
          if (typeof o === 'number')
            expect(
              Math.abs(o) <= Number.MAX_SAFE_INTEGER || Number.isNaN(o),
              `${net.name} on ${JSON.stringify(raw)}: ${path} = ${o}`,
            ).toBe(true);
          else if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
        };
        walk(doc, 'analysis');
      }
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('every zoo network at its largest documented parameters still loads (the limits refuse only what cannot be exact)', async () => {
    const r = await runCli(['nets', '--net', 'bert_base:seq=65536']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/bert_base:seq=65536 .* 7,060,926,234,624 /);
  });
});

describe('SCALE-Sim .cfg keys mactile does not model', () => {
  it('are recorded with the config file, for whatever shows the config', () => {
    const file = at('unmodelled.cfg');
    const cfg = loadConfig(file);
    expect(cfg.kind).toBe('systolic');
    expect(scaleSimCfgWarnings(cfg.source).map((w) => /key '(\w+)'/.exec(w)?.[1])).toEqual([
      'WordByte',
      'SparsitySupport',
      'IfmapCustomLayout',
      'UseRamulatorTrace',
      'TopologyCsvLoc',
    ]);
    expect(scaleSimCfgWarnings(loadConfig('scalesim-32x32-os').source)).toEqual([]);
  });
});

describe('CSV cells', () => {
  it('text a spreadsheet would run is quoted away; numbers, negative ones too, stay numbers', () => {
    const rows = [
      { name: '=1+1', n: -3, s: '-3.5' },
      { name: '@x', n: 2.5, s: '\tx' },
      { name: 'conv1', n: 0, s: '+1' },
    ];
    const csv = renderCsv(
      [
        { header: 'name', value: (r: (typeof rows)[number]) => r.name },
        { header: 'n', value: (r) => r.n },
        { header: 's', value: (r) => r.s },
      ],
      rows,
    );
    expect(csv).toBe("name,n,s\n'=1+1,-3,-3.5\n'@x,2.5,'\tx\nconv1,0,+1\n");
  });
});

describe('held-out digits', () => {
  it('--test-images N scores exactly N evenly spaced digits', () => {
    const s = quantizeStudy({
      model: 'models/lenet5.onnx',
      data: 'mnist',
      precision: 'int8',
      calibration: 'minmax',
      granularity: 'tensor',
      calibrationImages: 10,
      testImages: 1500,
      format: 'table',
    });
    expect(s.test).toBe(1500);
    expect(HELD_OUT_PER_CLASS * 10).toBe(2000);
  }, 120_000);
});
