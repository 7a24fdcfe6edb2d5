/**
 * The TypeScript side of the boundary: one encoder and one decoder that walk the job-format table
 * (layout.ts) field by field, for every file it describes. Writers derive lengths from their arrays and
 * check every other count; readers check magic, version, fixed values, counts against the bytes left and
 * trailing bytes. Elements (`elem`) have the job's `dw` bits.
 */
import { FORMAT_VERSION } from './layout.js';
import {
  evalCount,
  isRecord,
  lengthsOf,
  minBytes,
  SCALAR_BYTES,
  type EnumDef,
  type FileDef,
  type RecordDef,
  type ScalarType,
  type Wire,
} from './table.js';

/** A file that does not follow the table (a truncated result, a wrong magic, a bad count). */
export class FormatError extends Error {
  override name = 'FormatError';
}

/** The 8 magic bytes of a file of the current version ("MTJOB02\0"). */
export const magicOf = (file: FileDef): string => `${file.magic}${String(FORMAT_VERSION).padStart(2, '0')}\0`;

export interface CodecOptions {
  /** Operand bits of `elem` values; a decoder of a job reads it from the head's `dw` when not given. */
  dw?: 8 | 16;
  /** The fields of the job item that result item i answers (for `job.` counts). */
  itemJob?: (i: number) => Record<string, number>;
}

type Obj = Record<string, unknown>;

class ByteWriter {
  private chunks: Buffer[] = [];
  private cur = Buffer.alloc(1 << 16);
  private pos = 0;
  private room(n: number): void {
    if (this.pos + n <= this.cur.length) return;
    this.chunks.push(this.cur.subarray(0, this.pos));
    this.cur = Buffer.alloc(Math.max(1 << 16, n));
    this.pos = 0;
  }
  scalar(t: ScalarType, v: unknown): void {
    this.room(8);
    if (t === 'u32') this.cur.writeUInt32LE(v as number, this.pos);
    else if (t === 'i32') this.cur.writeInt32LE(v as number, this.pos);
    else if (t === 'u64') this.cur.writeBigUInt64LE(BigInt(v as number), this.pos);
    else this.cur.writeBigInt64LE(v as bigint, this.pos);
    this.pos += SCALAR_BYTES[t];
  }
  elems(a: Int16Array, dw: 8 | 16): void {
    if (dw === 16) {
      const b = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      this.room(b.length);
      b.copy(this.cur, this.pos);
      this.pos += b.length;
      return;
    }
    this.room(a.length);
    for (let i = 0; i < a.length; i++) this.cur.writeInt8(a[i]!, this.pos + i);
    this.pos += a.length;
  }
  raw(s: string): void {
    this.room(s.length);
    this.pos += this.cur.write(s, this.pos, 'latin1');
  }
  done(): Buffer {
    return Buffer.concat([...this.chunks, this.cur.subarray(0, this.pos)]);
  }
}

class ByteReader {
  pos = 0;
  constructor(readonly b: Buffer) {}
  need(n: number): void {
    if (this.pos + n > this.b.length) throw new FormatError(`truncated at byte ${this.pos}`);
  }
  scalar(t: ScalarType): number | bigint {
    this.need(SCALAR_BYTES[t]);
    const p = this.pos;
    this.pos += SCALAR_BYTES[t];
    if (t === 'u32') return this.b.readUInt32LE(p);
    if (t === 'i32') return this.b.readInt32LE(p);
    if (t === 'u64') return Number(this.b.readBigUInt64LE(p));
    return this.b.readBigInt64LE(p);
  }
  elems(n: number, dw: 8 | 16): Int16Array {
    const size = dw / 8;
    this.need(n * size);
    const out = new Int16Array(n);
    if (dw === 8) for (let i = 0; i < n; i++) out[i] = this.b.readInt8(this.pos + i);
    else for (let i = 0; i < n; i++) out[i] = this.b.readInt16LE(this.pos + 2 * i);
    this.pos += n * size;
    return out;
  }
}

const named = (e: EnumDef | undefined, code: number) => {
  const v = e?.values.find((x) => x.code === code);
  return v ? `${code} (${v.name})` : String(code);
};

function writeRecord(
  w: ByteWriter,
  r: RecordDef,
  value: Obj,
  dw: 8 | 16 | undefined,
  job?: Record<string, number>,
  itemJob?: CodecOptions['itemJob'],
): void {
  const lengths = lengthsOf(r);
  const given = new Set(r.fields.filter((f) => f.value === undefined && !lengths.has(f.name)).map((f) => f.name));
  for (const key of Object.keys(value))
    if (!given.has(key))
      throw new Error(
        `${r.name}: ${key} is no field of the job format to give (lengths and fixed values are written by the codec)`,
      );
  const scope: Record<string, number> = {};
  for (const f of r.fields) {
    const where = `${r.name}.${f.name}`;
    if (f.value !== undefined) {
      w.scalar(f.type as ScalarType, f.value);
      scope[f.name] = f.value;
      continue;
    }
    const counted = lengths.get(f.name);
    if (counted) {
      const arr = value[counted.name] as ArrayLike<unknown> | undefined;
      if (arr === undefined) throw new Error(`${r.name}.${counted.name}: missing`);
      w.scalar(f.type as ScalarType, arr.length);
      scope[f.name] = arr.length;
      continue;
    }
    const v = value[f.name];
    if (v === undefined) throw new Error(`${where}: missing`);
    if (f.count === undefined) {
      if (isRecord(f.type)) writeRecord(w, f.type, v as Obj, dw, job);
      else {
        w.scalar(f.type as ScalarType, v);
        scope[f.name] = Number(v);
      }
      continue;
    }
    const arr = v as ArrayLike<unknown>;
    const n = evalCount(f.count, scope, job);
    if (arr.length !== n) throw new Error(`${where}: ${arr.length} values, expected ${f.count} = ${n}`);
    if (f.type === 'elem') {
      if (dw === undefined) throw new Error(`${where}: the operand width (dw) is not known`);
      w.elems(arr as Int16Array, dw);
    } else if (isRecord(f.type)) {
      for (let i = 0; i < n; i++) writeRecord(w, f.type, arr[i] as Obj, dw, itemJob ? itemJob(i) : job);
    } else {
      for (let i = 0; i < n; i++) w.scalar(f.type, arr[i]);
    }
  }
}

function readRecord(
  rd: ByteReader,
  r: RecordDef,
  dw: { bits?: 8 | 16 },
  top: boolean,
  job?: Record<string, number>,
  itemJob?: CodecOptions['itemJob'],
): Obj {
  const lengths = lengthsOf(r);
  const scope: Record<string, number> = {};
  const out: Obj = {};
  for (const f of r.fields) {
    const where = `${r.name}.${f.name}`;
    if (f.count === undefined) {
      if (isRecord(f.type)) {
        out[f.name] = readRecord(rd, f.type, dw, false, job);
        continue;
      }
      const at = rd.pos;
      const v = rd.scalar(f.type as ScalarType);
      if (f.value !== undefined && v !== f.value)
        throw new FormatError(
          `${where} at byte ${at}: ${named(f.enum, Number(v))}, expected ${named(f.enum, f.value)}`,
        );
      if (f.type === 'u32') scope[f.name] = v as number;
      if (top && f.name === 'dw' && dw.bits === undefined) {
        if (v !== 8 && v !== 16) throw new FormatError(`${where} at byte ${at}: ${v}, expected 8 or 16`);
        dw.bits = v;
      }
      if (f.value === undefined && !lengths.has(f.name)) out[f.name] = v;
      continue;
    }
    let n: number;
    try {
      n = evalCount(f.count, scope, job);
    } catch (e) {
      throw new FormatError(`${where}: ${(e as Error).message} (more items than the job has?)`);
    }
    if (f.type === 'elem') {
      if (dw.bits === undefined) throw new FormatError(`${where}: the operand width (dw) is not known`);
      out[f.name] = rd.elems(n, dw.bits);
      continue;
    }
    rd.need(n * minBytes(f.type));
    const arr: unknown[] = new Array(n);
    for (let i = 0; i < n; i++)
      arr[i] = isRecord(f.type) ? readRecord(rd, f.type, dw, false, itemJob ? itemJob(i) : job) : rd.scalar(f.type);
    out[f.name] = arr;
  }
  return out;
}

/** Serialises a file's value by the table. */
export function encodeFile<F extends FileDef>(file: F, value: Wire<F>, opts: CodecOptions = {}): Buffer {
  const w = new ByteWriter();
  w.raw(magicOf(file));
  writeRecord(w, file, value as Obj, opts.dw, undefined, opts.itemJob);
  return w.done();
}

/** Parses a file by the table; throws FormatError where the bytes do not follow it. */
export function decodeFile<F extends FileDef>(file: F, b: Buffer, opts: CodecOptions = {}): Wire<F> {
  const rd = new ByteReader(b);
  rd.need(8);
  const what = file.writer === 'driver' ? 'result' : 'job';
  if (b.subarray(0, 5).toString('latin1') !== file.magic || b[7] !== 0)
    throw new FormatError(`not a mactile ${what} file`);
  const magic = b.subarray(0, 8).toString('latin1');
  if (magic !== magicOf(file))
    throw new FormatError(
      `a ${what} file of format version ${magic.slice(5, 7)}, expected ${magicOf(file).slice(5, 7)}`,
    );
  rd.pos = 8;
  const value = readRecord(rd, file, { bits: opts.dw }, true, undefined, opts.itemJob);
  if (rd.pos !== b.length) throw new FormatError(`${b.length - rd.pos} unexpected trailing bytes`);
  return value as Wire<F>;
}
