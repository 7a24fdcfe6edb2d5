/**
 * Reads an ONNX file with the onnx-proto package into a plain graph: nodes with decoded attributes,
 * constant tensors (initializers and Constant nodes) as Float64Arrays, and the graph inputs/outputs with
 * their shapes. Initializers may keep their data in an external file (ONNX's external data: a location
 * relative to the model's folder, an offset and a length). Malformed files give an error naming the file.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { createRequire } from 'node:module';
import { MactileError } from '../util/errors.js';
import { sizeText } from './ir.js';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as { onnx: any };

export type AttrValue = number | number[] | string | ConstTensor | undefined;

export interface OnnxNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, AttrValue>;
}

export interface ConstTensor {
  dims: number[];
  data: Float64Array;
  /** ONNX data type (1 float, 2 uint8, 3 int8, 6 int32, 7 int64, 11 double). */
  type?: number;
}

export interface OnnxValue {
  name: string;
  /** Dimensions: numbers, or the symbolic name / undefined for a dynamic dimension. */
  dims: (number | string | undefined)[];
}

export interface OnnxGraph {
  file: string;
  opset: number;
  nodes: OnnxNode[];
  consts: Map<string, ConstTensor>;
  inputs: OnnxValue[];
  outputs: OnnxValue[];
}

const num = (v: unknown): number =>
  typeof v === 'number'
    ? v
    : v && typeof (v as { toNumber?: () => number }).toNumber === 'function'
      ? (v as { toNumber: () => number }).toNumber()
      : Number(v);

/**
 * The bytes of a tensor stored as external data (`location`, `offset`, `length`), read from the model's folder:
 * a location outside that folder, or a range the file does not hold, is refused before anything is allocated.
 */
function externalBytes(t: any, at: string, dir: string): Uint8Array {
  const entry = (key: string): string | undefined =>
    (t.externalData ?? []).find((e: any) => e.key === key)?.value as string | undefined;
  const location = entry('location');
  if (!location) throw new MactileError(`${at}: its data is external, but no location is given`);
  if (isAbsolute(location) || normalize(location).split(/[\\/]/).includes('..'))
    throw new MactileError(
      `${at}: external data location ${JSON.stringify(location)}: expected a file inside the model's folder ${dir}`,
    );
  const file = join(dir, location);
  const whole = (key: string, v: string | undefined) => {
    const n = v === undefined ? undefined : Number(v);
    if (n !== undefined && !(Number.isSafeInteger(n) && n >= 0))
      throw new MactileError(`${at}: external data ${key} ${JSON.stringify(v)}: expected a whole number of bytes`);
    return n;
  };
  const offset = whole('offset', entry('offset')) ?? 0;
  const length = whole('length', entry('length'));
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new MactileError(
      `${at}: cannot read its external data file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    const size = fstatSync(fd).size;
    const want = length ?? Math.max(0, size - offset);
    if (offset + want > size)
      throw new MactileError(
        `${at}: external data file ${file} holds ${size} bytes, expected ${want} bytes at offset ${offset}`,
      );
    const bytes = new Uint8Array(want);
    readSync(fd, bytes, 0, want, offset);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/** Decodes a TensorProto's data (float, double, int32/64, int8/uint8; raw, typed or external fields). */
function tensorData(t: any, where: string, dir = '.'): ConstTensor {
  const dims: number[] = (t.dims ?? []).map(num);
  const at = `${where}: tensor ${JSON.stringify(t.name ?? '')}`;
  const bad = dims.find((d) => !Number.isSafeInteger(d) || d < 0);
  if (bad !== undefined)
    throw new MactileError(`${at} has dims [${dims.join(', ')}]: expected whole sizes of 0 or more, received ${bad}`);
  const count = dims.reduce((a, b) => a * b, 1);
  const type: number = t.dataType;
  const stored: Uint8Array | undefined = t.dataLocation === 1 ? externalBytes(t, at, dir) : t.rawData;
  const raw = stored && stored.length ? stored : undefined;
  // The data must be in the file: compare its length with the dims before allocating anything of their size.
  if (raw) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const size = { 1: 4, 11: 8, 6: 4, 7: 8, 3: 1, 2: 1, 9: 1 }[type];
    if (!size) throw new MactileError(`${at} has data type ${type}, which mactile does not read`);
    if (raw.byteLength !== count * size)
      throw new MactileError(
        `${at} holds ${raw.byteLength} bytes, expected ${sizeText(count * size)} for dims [${dims.join(', ')}]`,
      );
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      out[i] =
        type === 1
          ? view.getFloat32(i * 4, true)
          : type === 11
            ? view.getFloat64(i * 8, true)
            : type === 6
              ? view.getInt32(i * 4, true)
              : type === 7
                ? Number(view.getBigInt64(i * 8, true))
                : type === 3
                  ? view.getInt8(i)
                  : view.getUint8(i);
    }
    return { dims, data: out, type };
  }
  const src: unknown[] = type === 1 ? t.floatData : type === 11 ? t.doubleData : type === 7 ? t.int64Data : t.int32Data;
  if (!src || src.length !== count)
    throw new MactileError(
      `${at} holds ${src?.length ?? 0} values, expected ${sizeText(count)} for dims [${dims.join(', ')}]`,
    );
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = num(src[i]);
  return { dims, data: out, type };
}

function attrValue(a: any, where: string): AttrValue {
  switch (a.type) {
    case 1:
      return a.f;
    case 2:
      return num(a.i);
    case 3:
      return Buffer.from(a.s ?? []).toString('utf8');
    case 4:
      return tensorData(a.t, where);
    case 6:
      return (a.floats ?? []).map(Number);
    case 7:
      return (a.ints ?? []).map(num);
    default:
      return undefined;
  }
}

/** A graph input's or output's dims: whole positive sizes as numbers; symbolic, missing or other values (0, -1) dynamic. */
function valueInfo(v: any): OnnxValue {
  const dims = (v.type?.tensorType?.shape?.dim ?? []).map((d: any) => {
    if (d.dimParam) return d.dimParam;
    if (d.dimValue === undefined || d.dimValue === null) return undefined;
    const n = num(d.dimValue);
    return Number.isSafeInteger(n) && n > 0 ? n : String(n);
  });
  return { name: v.name, dims };
}

/** Parses ONNX bytes into a graph. */
function parseOnnx(bytes: Uint8Array, file: string): OnnxGraph {
  let model: any;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new MactileError(
      `ONNX model ${file}: not a valid ONNX file (${String((err as Error).message).split('\n')[0]})`,
    );
  }
  const g = model.graph;
  if (!g || !g.node || g.node.length === 0)
    throw new MactileError(`ONNX model ${file}: expected a graph with nodes, found none`);
  const opset = Math.max(
    0,
    ...(model.opsetImport ?? [])
      .filter((o: any) => !o.domain || o.domain === 'ai.onnx')
      .map((o: any) => num(o.version)),
  );
  const consts = new Map<string, ConstTensor>();
  for (const t of g.initializer ?? []) consts.set(t.name, tensorData(t, `ONNX model ${file}`, dirname(file)));
  const nodes: OnnxNode[] = g.node.map((n: any, i: number) => ({
    name: n.name || `${n.opType}_${i}`,
    opType: n.opType,
    inputs: [...(n.input ?? [])],
    outputs: [...(n.output ?? [])],
    attrs: new Map(
      (n.attribute ?? []).map((a: any) => [a.name, attrValue(a, `ONNX model ${file}, node ${n.name || i}`)]),
    ),
  }));
  const initNames = new Set(consts.keys());
  return {
    file,
    opset,
    nodes,
    consts,
    inputs: (g.input ?? []).filter((v: any) => !initNames.has(v.name)).map(valueInfo),
    outputs: (g.output ?? []).map(valueInfo),
  };
}

/** Reads and parses an ONNX file. */
export function readOnnx(file: string): OnnxGraph {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new MactileError(`ONNX model ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseOnnx(bytes, file);
}
