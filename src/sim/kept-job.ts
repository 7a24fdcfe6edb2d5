/**
 * Kept jobs: what `sim --keep-jobs DIR` (or MACTILE_KEEP_JOBS=DIR) writes beside each layer's job and result
 * files, `<tag>.replay.json`, one self-contained file from which `mactile replay` reruns the layer through
 * the same build: the config, the layer, its operands and quantization, the analytic prediction, the
 * expected (golden) outputs, the job's bytes and what the original run gave.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { BaseConfig, LayerCheck, LayerPrediction } from '../accel/accelerator.js';
import type { MacLayer } from '../nets/ir.js';
import type { IntTensor, QuantLayer } from '../quant/tensor.js';
import { MactileError } from '../util/errors.js';
import { writeOutputFile } from '../util/output.js';
import { keptTag } from './run-options.js';

const FORMAT = 'mactile-kept-job';
const VERSION = 1;
const REPLAY_SUFFIX = '.replay.json';

/** What the original run of a kept job gave: its check and outputs, or the error it failed with. */
export type KeptOriginal = { check: LayerCheck; output: IntTensor } | { error: string };

/** A kept job as `writeKeptJob` takes it and `readKeptJob` returns it. */
export interface KeptJob {
  cfg: BaseConfig;
  layer: MacLayer;
  network?: string;
  x: IntTensor;
  q: QuantLayer;
  prediction: LayerPrediction & { referenceCycles: number };
  expected: IntTensor;
  buildKey: string;
  /** Whether that build was the tracing variant. */
  buildTrace: boolean;
  original: KeptOriginal;
}

/** The SHA-256 of bytes, in hex. */
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The little-endian bytes of 16-bit data, in base64. */
const int16Base64 = (d: Int16Array) => Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('base64');

/** The SHA-256 of a tensor's data (what the replay compares outputs by). */
export const tensorDigest = (t: IntTensor) =>
  sha256(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));

/** JSON with non-finite numbers kept (as {"$number": "NaN"}) and bigints as strings. */
function encodeJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
      if (typeof v === 'bigint') return v.toString();
      return v;
    },
    1,
  );
}

function decodeJson(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$number') return Number((v as { $number: string }).$number);
    }
    return v;
  });
}

/** Writes `<tag>.replay.json` into the keep folder, embedding the job file the driver run kept there. */
export function writeKeptJob(dir: string, k: KeptJob): string {
  const tag = keptTag(`layer ${k.layer.name}`);
  const jobFile = join(dir, `${tag}.job.bin`);
  const job = existsSync(jobFile) ? readFileSync(jobFile) : undefined;
  const tensor = (t: IntTensor) => ({ shape: t.shape, data: int16Base64(t.data) });
  const original =
    'error' in k.original
      ? { error: k.original.error }
      : { check: k.original.check, outputSha256: tensorDigest(k.original.output) };
  const doc = {
    format: FORMAT,
    version: VERSION,
    layer: k.layer,
    network: k.network,
    config: k.cfg,
    buildKey: k.buildKey,
    buildTrace: k.buildTrace,
    input: tensor(k.x),
    quant: { ...k.q, weights: int16Base64(k.q.weights), bias: k.q.bias.map(String) },
    prediction: k.prediction,
    expected: tensor(k.expected),
    job: job ? { file: basename(jobFile), sha256: sha256(job), data: job.toString('base64') } : null,
    original,
  };
  const file = join(dir, `${tag}${REPLAY_SUFFIX}`);
  writeOutputFile(file, encodeJson(doc) + '\n', `kept job ${file}`);
  return file;
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 text');
const shape = z.object({ h: z.number().int().min(1), w: z.number().int().min(1), c: z.number().int().min(1) });
const tensorDoc = z.object({ shape, data: base64 });
const finite = z.number();
const pair = z.object({ h: z.number().int().min(1), w: z.number().int().min(1) });
const side = z.number().int().min(0);
const keptDoc = z.object({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  layer: z.object({
    kind: z.enum(['conv', 'dwconv', 'fc']),
    name: z.string(),
    input: z.string(),
    output: z.string(),
    inShape: shape,
    outShape: shape,
    kernel: pair,
    stride: pair,
    dilation: pair,
    pad: z.object({ top: side, bottom: side, left: side, right: side }),
    groups: z.number().int().min(1),
    activation: z.enum(['relu', 'relu6', 'silu', 'sigmoid', 'hardswish', 'none']).optional(),
  }),
  network: z.string().optional(),
  config: z.object({ kind: z.string(), name: z.string(), source: z.string() }).passthrough(),
  buildKey: z.string(),
  buildTrace: z.boolean(),
  input: tensorDoc,
  quant: z
    .object({
      bits: z.union([z.literal(8), z.literal(16)]),
      weights: base64,
      bias: z.array(z.string().regex(/^-?\d+$/, 'an integer')),
      mult: z.array(finite),
      shift: z.array(finite),
      relu: z.boolean(),
      inZeroPoint: finite,
      outZeroPoint: finite,
      caccTruncate: finite.optional(),
    })
    .passthrough(),
  prediction: z
    .object({ cycles: finite, computeCycles: finite, stallsModelled: z.boolean(), referenceCycles: finite })
    .passthrough(),
  expected: tensorDoc,
  job: z.object({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), data: base64 }).nullable(),
  original: z.union([
    z.object({ check: z.object({ rtlCycles: finite, bitExact: z.boolean() }).passthrough(), outputSha256: z.string() }),
    z.object({ error: z.string() }),
  ]),
});

/** A kept job read back: the run's inputs, what it expects, and the original run (check and output digest). */
export interface ReadKeptJob extends Omit<KeptJob, 'original'> {
  file: string;
  job: { bytes: Buffer; file: string };
  original: { check: LayerCheck; outputSha256: string } | { error: string };
}

/** The 16-bit data of a base64 field, checked against the element count its shape gives. */
function int16Data(text: string, count: number, what: string, fail: (m: string) => never): Int16Array {
  const b = Buffer.from(text, 'base64');
  if (b.length !== 2 * count)
    fail(`found a damaged one: ${what} holds ${b.length} bytes, expected ${count} 16-bit values (${2 * count} bytes)`);
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = b.readInt16LE(2 * i);
  return out;
}

/**
 * Where a kept job's replay file is: the file itself, the `.replay.json` beside a kept `.job.bin`, or the one
 * replay file of a folder (a folder of several names them in the error).
 */
function replayFileOf(path: string): string {
  if (path.endsWith('.job.bin')) return join(dirname(path), `${basename(path, '.job.bin')}${REPLAY_SUFFIX}`);
  let files: string[];
  try {
    files = readdirSync(path).filter((f) => f.endsWith(REPLAY_SUFFIX));
  } catch {
    return path;
  }
  if (files.length === 1) return join(path, files[0]!);
  const list = files.length ? `: ${files.slice(0, 6).join(', ')}${files.length > 6 ? ', ...' : ''}` : '';
  throw new MactileError(
    `replay ${path}: expected one kept job (a ${REPLAY_SUFFIX} file, or a folder holding one), found a folder of ${files.length}${list}`,
  );
}

/**
 * Reads and checks a kept job (its `.replay.json`, or the `.job.bin` beside it); a damaged or foreign file
 * is a one-line error naming the file and what was expected.
 */
export function readKeptJob(path: string): ReadKeptJob {
  const file = replayFileOf(path);
  const expected = `expected a kept job of mactile (a ${REPLAY_SUFFIX} file written by sim --keep-jobs DIR or MACTILE_KEEP_JOBS=DIR)`;
  const fail = (found: string): never => {
    throw new MactileError(`replay ${file}: ${expected}, ${found}`);
  };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const found: Record<string, string> = { ENOENT: 'found no such file', EISDIR: 'found a folder' };
    return fail(`${found[code] ?? 'cannot read it'} (${code})`);
  }
  let raw: unknown;
  try {
    raw = decodeJson(text);
  } catch {
    return fail('found text that is not JSON');
  }
  if (!raw || typeof raw !== 'object' || (raw as { format?: unknown }).format !== FORMAT)
    return fail(`found no "format": "${FORMAT}" field`);
  const parsed = keptDoc.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail(`found a damaged one: field ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  const d = parsed.data;
  if (!d.job) return fail('found one whose run failed before its job was written (nothing to replay)');
  const bytes = Buffer.from(d.job.data, 'base64');
  if (sha256(bytes) !== d.job.sha256) fail(`found a damaged one: the job's bytes do not match their SHA-256`);
  const count = (s: z.infer<typeof shape>) => s.h * s.w * s.c;
  const layer = d.layer as unknown as MacLayer;
  const q = d.quant;
  const x = { shape: d.input.shape, data: int16Data(d.input.data, count(d.input.shape), 'field input.data', fail) };
  const out = {
    shape: d.expected.shape,
    data: int16Data(d.expected.data, count(d.expected.shape), 'field expected.data', fail),
  };
  const sameShape = (a: z.infer<typeof shape>, b: z.infer<typeof shape>) => a.h === b.h && a.w === b.w && a.c === b.c;
  if (!sameShape(d.input.shape, d.layer.inShape) || !sameShape(d.expected.shape, d.layer.outShape))
    fail("found a damaged one: the shapes of fields input and expected are not the layer's input and output shapes");
  const outC = d.layer.outShape.c;
  if (d.layer.inShape.c % d.layer.groups !== 0 || outC % d.layer.groups !== 0)
    fail(`found a damaged one: field layer.groups ${d.layer.groups} does not divide the layer's channels`);
  if ([q.bias, q.mult, q.shift].some((a) => a.length !== outC))
    fail(
      `found a damaged one: fields quant.bias, quant.mult and quant.shift need ${outC} values each (one per output channel)`,
    );
  const weights = outC * d.layer.kernel.h * d.layer.kernel.w * (d.layer.inShape.c / d.layer.groups);
  const quant: QuantLayer = {
    ...(q as unknown as QuantLayer),
    weights: int16Data(q.weights, weights, 'field quant.weights', fail),
    bias: q.bias.map((b) => BigInt(b)),
  };
  return {
    file,
    cfg: d.config as unknown as BaseConfig,
    layer,
    network: d.network,
    x,
    q: quant,
    prediction: d.prediction as unknown as LayerPrediction & { referenceCycles: number },
    expected: out,
    buildKey: d.buildKey,
    buildTrace: d.buildTrace,
    job: { bytes, file: `${file} (job ${d.job.file})` },
    original: d.original as ReadKeptJob['original'],
  };
}
