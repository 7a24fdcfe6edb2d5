/**
 * What a quantized model file must hold, checked before anything runs it: the JSON's structure (a zod schema:
 * every key, type and range), then its meaning against the network it carries (the network replayed through the
 * IR builder, so every layer's shapes chain and every kernel fits its padded input; the parameters of every MAC
 * layer sized for its shapes, within the precision's ranges and the hardware's widths; a scale for every
 * tensor the executor reads). Each message names the file and the field path, as
 * `models.int8.layers.conv1.weights: expected 150 INT8 values (6 x 5 x 5 x 1), received 75`.
 */
import { z, type ZodIssue } from 'zod';
import { NetBuilder } from '../nets/builder.js';
import {
  isMacLayer,
  layerSizes,
  networkSizeProblem,
  shapeText,
  SIM_LIMITS,
  type HostKind,
  type HostLayer,
  type Layer,
  type MacLayer,
  type Network,
} from '../nets/ir.js';
import { describeValue, MactileError } from '../util/errors.js';
import { CALIBRATION_METHODS } from './calibrate.js';
import { accumulatorBits, operandRange } from './requant.js';
import { REQUANT_MODES } from './requant-modes.js';

const QUANT_FILE_VERSION = 1;

const HOST_KINDS = [
  'maxpool',
  'avgpool',
  'globalavgpool',
  'add',
  'mul',
  'scale',
  'relu',
  'relu6',
  'leakyrelu',
  'sigmoid',
  'silu',
  'hardswish',
  'flatten',
  'concat',
  'softmax',
  'identity',
] as const satisfies readonly HostKind[];
/** Host ops the golden executor runs on integers (every other one runs in float between requantized tensors). */
const INTEGER_HOST_OPS: ReadonlySet<string> = new Set(['maxpool', 'flatten', 'identity', 'relu']);

const MAX_DIM = 2 ** 31 - 1;
const whole = (min: number, max: number) => {
  const expected = `expected a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
  return z
    .number({ invalid_type_error: expected, required_error: expected })
    .int(expected)
    .min(min, expected)
    .max(max, expected);
};
const dim = whole(1, MAX_DIM);
const text = z.string({ invalid_type_error: 'expected a string', required_error: 'expected a string' });
const name = text.min(1, 'expected a non-empty name');
const flag = z.boolean({ invalid_type_error: 'expected true or false', required_error: 'expected true or false' });

const shape = z.object({ h: dim, w: dim, c: dim }).strict();
const pair = z.object({ h: dim, w: dim }).strict();
const padding = z
  .object({ top: whole(0, MAX_DIM), bottom: whole(0, MAX_DIM), left: whole(0, MAX_DIM), right: whole(0, MAX_DIM) })
  .strict();

const macLayer = z
  .object({
    kind: z.enum(['conv', 'dwconv', 'fc']),
    name,
    input: name,
    output: name,
    inShape: shape,
    outShape: shape,
    kernel: pair,
    stride: pair,
    dilation: pair,
    pad: padding,
    groups: dim,
    activation: z.enum(['relu', 'relu6', 'silu', 'sigmoid', 'hardswish', 'none']).optional(),
  })
  .strict();

const hostLayer = z
  .object({
    kind: z.enum(HOST_KINDS),
    name,
    inputs: z.array(name).min(1, 'expected at least one input tensor'),
    output: name,
    inShapes: z.array(shape),
    outShape: shape,
    kernel: pair.optional(),
    stride: pair.optional(),
    pad: padding.optional(),
    countIncludePad: flag.optional(),
    alpha: z.number({ invalid_type_error: 'expected a number' }).finite('expected a finite number').optional(),
  })
  .strict();

const network = z
  .object({
    name: text,
    input: z.object({ name, shape }).strict(),
    layers: z
      .array(z.discriminatedUnion('kind', [macLayer, hostLayer]))
      .min(1, 'expected at least one layer, received none'),
    source: text,
    output: name.optional(),
  })
  .strict();

const positive = z
  .number({ invalid_type_error: 'expected a positive number', required_error: 'expected a positive number' })
  .positive('expected a positive number')
  .finite('expected a finite number');

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const storedLayer = z
  .object({
    bits: z.union([z.literal(8), z.literal(16)], { errorMap: () => ({ message: 'expected 8 or 16' }) }),
    weights: text.regex(BASE64, 'expected the weights as base64 of 16-bit little-endian integers'),
    bias: z.array(text.regex(/^-?[0-9]{1,20}$/, 'expected a whole number as a decimal string')),
    mult: z.array(whole(0, 2 ** 31 - 1)),
    shift: z.array(whole(0, 63)),
    relu: flag,
    inZeroPoint: whole(-32768, 32767),
    outZeroPoint: whole(-32768, 32767),
    caccTruncate: whole(0, 32).optional(),
    requant: z.enum(REQUANT_MODES).optional(),
    ortFactor: z.array(positive).optional(),
    weightScale: z.array(positive).optional(),
  })
  .strict();

const storedModel = z
  .object({
    net: network,
    options: z
      .object({
        bits: z.union([z.literal(8), z.literal(16)], { errorMap: () => ({ message: 'expected 8 or 16' }) }),
        calibration: z.enum(['given', ...CALIBRATION_METHODS] as [string, ...string[]]),
        granularity: z.enum(['channel', 'tensor']),
        symmetric: flag,
        requant: z.enum(REQUANT_MODES).optional(),
      })
      .strict(),
    tensors: z.record(
      z
        .object({
          scale: z
            .number({ invalid_type_error: 'expected a positive number' })
            .positive('expected a positive number')
            .finite('expected a finite number'),
          zeroPoint: whole(-32768, 32767),
        })
        .strict(),
    ),
    layers: z.record(storedLayer),
    fused: z.array(name),
    hostModes: z.record(z.enum(['integer', 'float'])),
    accuracy: z.record(z.number({ invalid_type_error: 'expected a number' })).optional(),
  })
  .strict();

/** The structure of a quantized model file (version 1) as JSON. */
export const quantFileSchema = z
  .object({
    version: z.literal(QUANT_FILE_VERSION),
    source: text.default(''),
    data: text.default(''),
    models: z
      .record(
        z.enum(['int8', 'int16'], { errorMap: () => ({ message: 'expected the key int8 or int16 (a precision)' }) }),
        storedModel,
      )
      .refine((m) => Object.keys(m).length > 0, 'expected at least one quantized model (int8 or int16), received none'),
  })
  .strict();

export type StoredFile = z.infer<typeof quantFileSchema>;
export type StoredModel = z.infer<typeof storedModel>;
export type StoredLayer = z.infer<typeof storedLayer>;

/** A path as users read it: `models.int8.layers.conv1.bias[3]`. */
function fieldPath(path: (string | number)[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');
}

function valueAt(raw: unknown, path: (string | number)[]): unknown {
  let v: unknown = raw;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** One zod issue as "path: expected ..., received ...". */
function describeIssue(issue: ZodIssue, raw: unknown): string {
  const path = fieldPath(issue.path) || '(the file)';
  const got = valueAt(raw, issue.path);
  const received = got === undefined ? 'nothing' : describeValue(got);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `${path}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_enum_value':
      // A record's key (models.int9): the key is what was received.
      if (issue.message.startsWith('expected the key'))
        return `${path}: ${issue.message}, received the key ${JSON.stringify(issue.path.at(-1))}`;
      return `${path}: expected one of ${issue.options.join(' | ')}, received ${received}`;
    case 'invalid_literal':
      return `${path}: expected ${describeValue(issue.expected)}, received ${received}`;
    case 'invalid_union_discriminator':
      return `${path}: expected a layer kind (${issue.options.map(String).join(' | ')}), received ${received}`;
    case 'invalid_type':
      if (issue.message.startsWith('expected')) return `${path}: ${issue.message}, received ${received}`;
      return `${path}: expected ${issue.expected}, received ${got === undefined ? 'nothing' : issue.received === 'array' || issue.received === 'object' ? `an ${issue.received}` : received}`;
    default:
      if (issue.message.includes(', received ')) return `${path}: ${issue.message}`;
      return `${path}: ${issue.message.startsWith('expected') ? issue.message : `expected ${issue.message}`}, received ${received}`;
  }
}

/** Parses the structure of a quantized model file, with the first problem as a message naming the field. */
export function parseStoredFile(raw: unknown, where: string): StoredFile {
  if (
    raw === null ||
    typeof raw !== 'object' ||
    Array.isArray(raw) ||
    (raw as { version?: unknown }).version !== QUANT_FILE_VERSION
  ) {
    const version = raw && typeof raw === 'object' ? (raw as { version?: unknown }).version : undefined;
    throw new MactileError(
      `${where}: expected a mactile quantized model (version ${QUANT_FILE_VERSION}), received ${version === undefined ? 'another file' : `version ${describeValue(version)}`}`,
    );
  }
  const r = quantFileSchema.safeParse(raw);
  if (!r.success) throw new MactileError(`${where}: ${describeIssue(r.error.issues[0]!, raw)}`);
  return r.data;
}

/** Replays a stored network through the IR builder: the same checks as any network, and the shapes it states must be the shapes it computes. */
function replayNetwork(net: Network, where: string): Network {
  const at = `${where}.net`;
  const b = new NetBuilder(net.name, net.input.shape, net.source, at);
  if (net.input.name !== 'input') b.tensor(net.input.name, net.input.shape);
  const known = new Set([net.input.name]);
  net.layers.forEach((l, i) => {
    const path = `${at}.layers[${i}] (${l.name})`;
    (isMacLayer(l) ? [l.input] : l.inputs).forEach((t, j) => {
      if (!known.has(t)) {
        throw new MactileError(
          `${path}.${isMacLayer(l) ? 'input' : `inputs[${j}]`}: expected the network's input or a tensor an earlier layer computes, received ${JSON.stringify(t)}`,
        );
      }
    });
    known.add(l.output);
    if (l.output !== l.name) {
      throw new MactileError(
        `${path}.output: expected ${JSON.stringify(l.name)} (each tensor is named after the layer that computes it), received ${JSON.stringify(l.output)}`,
      );
    }
    const stated = isMacLayer(l) ? [l.inShape] : l.inShapes;
    const inputs = isMacLayer(l) ? [l.input] : l.inputs;
    if (stated.length !== inputs.length)
      throw new MactileError(
        `${path}.inShapes: expected ${inputs.length} shapes (one per input), received ${stated.length}`,
      );
    inputs.forEach((t, j) => {
      const s = b.shape(t);
      if (shapeText(s) !== shapeText(stated[j]!)) {
        throw new MactileError(
          `${path}.${isMacLayer(l) ? 'inShape' : `inShapes[${j}]`}: expected ${shapeText(s)} (the shape of tensor ${t}), received ${shapeText(stated[j]!)}`,
        );
      }
    });
    if (isMacLayer(l)) {
      if (l.kind === 'fc') b.fc(l.name, l.outShape.c, l.activation, l.input);
      else
        b.conv(
          l.name,
          {
            out: l.outShape.c,
            k: [l.kernel.h, l.kernel.w],
            stride: [l.stride.h, l.stride.w],
            dilation: [l.dilation.h, l.dilation.w],
            pad: l.pad,
            groups: l.groups,
            activation: l.activation,
          },
          l.input,
        );
    } else {
      replayHost(b, l, path);
    }
    const s = b.shape(l.name);
    if (shapeText(s) !== shapeText(l.outShape))
      throw new MactileError(
        `${path}.outShape: expected ${shapeText(s)} (what the layer computes from its input), received ${shapeText(l.outShape)}`,
      );
  });
  if (net.output !== undefined && !net.layers.some((l) => l.output === net.output)) {
    throw new MactileError(
      `${at}.output: expected the name of a layer's output, received ${JSON.stringify(net.output)}`,
    );
  }
  // Every other field must be what the layer's definition makes it (an FC's 1x1 kernel, a depthwise kind, ...).
  const built = b.build();
  built.layers.forEach((c, i) => {
    const stored = net.layers[i]! as unknown as Record<string, unknown>;
    const canonical = c as unknown as Record<string, unknown>;
    for (const key of new Set([...Object.keys(canonical), ...Object.keys(stored)])) {
      const want = canonical[key];
      const got = key === 'activation' ? (stored[key] ?? 'none') : stored[key];
      if (JSON.stringify(want) !== JSON.stringify(got)) {
        throw new MactileError(
          `${at}.layers[${i}] (${c.name}).${key}: expected ${want === undefined ? 'no such key' : describeValue(want)} for this ${c.kind} layer, received ${describeValue(got)}`,
        );
      }
    }
  });
  return { ...built, input: net.input, output: net.output };
}

function replayHost(b: NetBuilder, l: HostLayer, path: string): void {
  const [x, y] = l.inputs as [string, string | undefined];
  const need = <F extends 'kernel' | 'stride' | 'pad'>(field: F): NonNullable<HostLayer[F]> => {
    const v = l[field];
    if (!v) throw new MactileError(`${path}.${field}: expected the ${l.kind} window's ${field}, received nothing`);
    return v;
  };
  const two = () => {
    if (y === undefined || l.inputs.length !== 2)
      throw new MactileError(`${path}.inputs: expected 2 input tensors, received ${l.inputs.length}`);
    return y;
  };
  switch (l.kind) {
    case 'maxpool':
    case 'avgpool': {
      const k = need('kernel');
      const s = need('stride');
      b.pool(l.name, l.kind, [k.h, k.w], [s.h, s.w], need('pad'), x, l.countIncludePad ?? false);
      return;
    }
    case 'globalavgpool':
      b.globalAvgPool(l.name, x);
      return;
    case 'flatten':
      b.flatten(l.name, x);
      return;
    case 'concat':
      b.concat(l.name, l.inputs);
      return;
    case 'add':
      b.addTensors(l.name, x, two());
      return;
    case 'scale':
      b.scale(l.name, x, two());
      return;
    case 'leakyrelu':
      b.leakyRelu(l.name, l.alpha ?? NaN, x);
      return;
    case 'mul': {
      const s = two();
      if (shapeText(b.shape(x)) !== shapeText(b.shape(s)))
        throw new MactileError(
          `${path}.inputs: expected two tensors of one shape, received ${shapeText(b.shape(x))} and ${shapeText(b.shape(s))}`,
        );
      b.host(l.name, 'mul', [x, s]);
      return;
    }
    default:
      if (l.inputs.length !== 1)
        throw new MactileError(`${path}.inputs: expected 1 input tensor, received ${l.inputs.length}`);
      b.host(l.name, l.kind, [x]);
  }
}

/** Decodes stored weights (base64 of 16-bit little-endian integers). */
function decodeWeights(base64: string): Int16Array {
  const bytes = Buffer.from(base64, 'base64');
  const weights = new Int16Array(bytes.byteLength >> 1);
  for (let i = 0; i < weights.length; i++) weights[i] = bytes.readInt16LE(2 * i);
  return weights;
}

const precisionName = (bits: number) => `INT${bits}`;

/** Checks one MAC layer's stored parameters against its shapes, the precision and the hardware's widths. */
function checkLayer(l: MacLayer, s: StoredLayer, bits: 8 | 16, modelMode: string, at: string): void {
  const cout = l.outShape.c;
  const cinG = l.inShape.c / l.groups;
  const P = precisionName(bits);
  if (s.bits !== bits)
    throw new MactileError(`${at}.bits: expected ${bits} (the model's precision), received ${s.bits}`);
  const expected = layerSizes(l).weights;
  const bytes = (s.weights.length / 4) * 3 - (s.weights.endsWith('==') ? 2 : s.weights.endsWith('=') ? 1 : 0);
  if (bytes !== 2 * expected) {
    const received =
      bytes % 2 === 0
        ? `${(bytes / 2).toLocaleString('en-US')}`
        : `${bytes.toLocaleString('en-US')} bytes (not whole 16-bit values)`;
    throw new MactileError(
      `${at}.weights: expected ${expected.toLocaleString('en-US')} ${P} values (${cout} x ${l.kernel.h} x ${l.kernel.w} x ${cinG}), received ${received}`,
    );
  }
  const { min, max } = operandRange(bits);
  const w = decodeWeights(s.weights);
  const i = w.findIndex((v) => v < min || v > max);
  if (i >= 0)
    throw new MactileError(`${at}.weights: expected ${P} values from ${min} to ${max}, received ${w[i]} at index ${i}`);
  for (const key of ['bias', 'mult', 'shift', 'ortFactor', 'weightScale'] as const) {
    const v = s[key];
    if (v !== undefined && v.length !== cout)
      throw new MactileError(`${at}.${key}: expected ${cout} values (one per output channel), received ${v.length}`);
  }
  const mode = s.requant ?? 'rhaz';
  if (mode !== modelMode)
    throw new MactileError(`${at}.requant: expected ${modelMode} (the model's options.requant), received ${mode}`);
  if (mode === 'ort' && !s.ortFactor)
    throw new MactileError(
      `${at}.ortFactor: expected ${cout} float32 factors (one per output channel) for requant mode ort, received nothing`,
    );
  const f = s.ortFactor?.findIndex((v) => Math.fround(v) !== v) ?? -1;
  if (f >= 0)
    throw new MactileError(
      `${at}.ortFactor[${f}]: expected a float32 value (onnxruntime's factor is one), received ${s.ortFactor![f]}`,
    );
  const acc = accumulatorBits(bits);
  const limit = 1n << BigInt(acc - 1);
  s.bias.forEach((b, j) => {
    const v = BigInt(b);
    if (v < -limit || v >= limit)
      throw new MactileError(
        `${at}.bias[${j}]: expected a ${acc}-bit integer (the ${P} accumulator width), from ${-limit} to ${limit - 1n}, received ${JSON.stringify(b)}`,
      );
  });
  for (const key of ['inZeroPoint', 'outZeroPoint'] as const) {
    if (s[key] < min || s[key] > max)
      throw new MactileError(`${at}.${key}: expected an ${P} value from ${min} to ${max}, received ${s[key]}`);
  }
}

/** The tensors the golden executor reads a scale and zero point of (the input and every layer's output). */
function checkTensors(m: StoredModel, where: string): void {
  const { min, max } = operandRange(m.options.bits);
  for (const t of [m.net.input.name, ...m.net.layers.map((l) => l.output)]) {
    const q = m.tensors[t];
    if (!q)
      throw new MactileError(
        `${where}.tensors.${t}: expected the scale and zero point of tensor ${t}, received nothing`,
      );
    if (q.zeroPoint < min || q.zeroPoint > max)
      throw new MactileError(
        `${where}.tensors.${t}.zeroPoint: expected an ${precisionName(m.options.bits)} value from ${min} to ${max}, received ${q.zeroPoint}`,
      );
  }
}

/** How each host op runs: fused ReLUs must follow a MAC layer that applies them, every other op needs a mode. */
function checkHostOps(m: StoredModel, where: string): void {
  const layers = new Map<string, Layer>(m.net.layers.map((l) => [l.name, l]));
  m.fused.forEach((f, i) => {
    const l = layers.get(f);
    const before = l && !isMacLayer(l) ? layers.get(l.inputs[0]!) : undefined;
    if (!l || l.kind !== 'relu' || !before || !isMacLayer(before) || !m.layers[before.name]?.relu) {
      throw new MactileError(
        `${where}.fused[${i}]: expected a ReLU layer right after a MAC layer whose output stage applies it (relu: true), received ${JSON.stringify(f)}`,
      );
    }
  });
  for (const l of m.net.layers) {
    if (isMacLayer(l) || m.fused.includes(l.name)) continue;
    const mode = m.hostModes[l.name];
    if (!mode)
      throw new MactileError(
        `${where}.hostModes.${l.name}: expected integer or float (how host op ${l.name} runs), received nothing`,
      );
    if (mode === 'integer' && !INTEGER_HOST_OPS.has(l.kind)) {
      throw new MactileError(
        `${where}.hostModes.${l.name}: expected float (only ${[...INTEGER_HOST_OPS].join(', ')} run on integers), received "integer" for a ${l.kind}`,
      );
    }
  }
}

/** A checked model: its network replayed, every MAC layer's parameters decoded. */
export interface CheckedModel {
  net: Network;
  stored: StoredModel;
  weights: Map<string, Int16Array>;
}

/** Checks one stored model (key int8 or int16) against the network it carries; `where` names the file. */
export function checkStoredModel(key: string, m: StoredModel, where: string): CheckedModel {
  const at = `models.${key}`;
  const bits = key === 'int8' ? 8 : 16;
  if (m.options.bits !== bits)
    throw new MactileError(
      `${where}: ${at}.options.bits: expected ${bits} for the ${key} model, received ${m.options.bits}`,
    );
  let net: Network;
  try {
    net = replayNetwork(m.net as Network, at);
  } catch (err) {
    if (err instanceof MactileError) throw new MactileError(`${where}: ${err.message}`, err.exitCode);
    throw err;
  }
  const macs = net.layers.filter(isMacLayer);
  if (macs.length === 0)
    throw new MactileError(
      `${where}: ${at}.net.layers: expected at least one MAC layer (conv, dwconv, fc), received none`,
    );
  const size = networkSizeProblem(net, SIM_LIMITS);
  if (size) throw new MactileError(`${where}: ${at}.net, ${size}`);
  const wrap = (f: () => void) => {
    try {
      f();
    } catch (err) {
      if (err instanceof MactileError) throw new MactileError(`${where}: ${err.message}`, err.exitCode);
      throw err;
    }
  };
  const weights = new Map<string, Int16Array>();
  wrap(() => {
    const names = new Set(macs.map((l) => l.name));
    const extra = Object.keys(m.layers).find((n) => !names.has(n));
    if (extra !== undefined)
      throw new MactileError(
        `${at}.layers.${extra}: expected only the MAC layers of the network (${[...names].slice(0, 8).join(', ')}${names.size > 8 ? ', ...' : ''}), received a layer it does not have`,
      );
    for (const l of macs) {
      const s = m.layers[l.name];
      if (!s)
        throw new MactileError(
          `${at}.layers.${l.name}: expected the quantized parameters of MAC layer ${l.name}, received nothing`,
        );
      checkLayer(l, s, bits, m.options.requant ?? 'rhaz', `${at}.layers.${l.name}`);
      weights.set(l.name, decodeWeights(s.weights));
    }
    checkTensors(m, at);
    checkHostOps(m, at);
  });
  return { net, stored: m, weights };
}
