/**
 * The vocabulary of the job-format table (assembled in src/sim/job/layout.ts from the envelope and every
 * registered kind's job records, which live in the kind's folder): records of fields, each with a name, a
 * type, an optional count expression and a meaning. Everything on both sides of the driver boundary is
 * derived from the table: the TypeScript encoder and decoder (codec.ts), the C++ header the drivers
 * include (cpp.ts) and docs/JOB-FORMAT.md (doc.ts). `Wire<R>` is the TypeScript value of a record, so that
 * the compiler checks every mapping onto the table.
 */

/** Little-endian integers on the wire. */
export type ScalarType = 'u32' | 'i32' | 'u64' | 'i64';

/** Bytes of a scalar. */
export const SCALAR_BYTES: Record<ScalarType, number> = { u32: 4, i32: 4, u64: 8, i64: 8 };

/** One named code of an enum. */
export interface EnumValue {
  readonly name: string;
  readonly code: number;
  readonly meaning: string;
}

/** A named set of codes a u32 field takes. */
export interface EnumDef {
  readonly name: string;
  readonly meaning: string;
  readonly values: readonly EnumValue[];
}

/** An enum whose codes (and their order) come from a record of codes kept elsewhere, with a meaning per name. */
export function enumFromCodes<K extends string>(
  name: string,
  meaning: string,
  codes: Readonly<Record<K, number>>,
  meanings: Readonly<Record<K, string>>,
): EnumDef {
  const values = (Object.entries(codes) as [K, number][]).map(([k, code]) => ({ name: k, code, meaning: meanings[k] }));
  return { name, meaning, values };
}

/**
 * One field of a record. `type` is a scalar, `elem` (a signed operand of the job's `dw` bits: 1 byte for
 * INT8, 2 for INT16) or another record. `count` makes the field an array: an integer, the name of an
 * earlier scalar field of the same record, `job.<field>` (the field of the job item a result item answers),
 * or a product of these with `*`. A field that is the whole count of a later array (`q_rows` of `q`) is a
 * length: writers derive it from the array, so it is no member of the record's value. A field with a
 * `value` always holds it (the job kind): writers write it, readers check it.
 */
export interface FieldDef {
  readonly name: string;
  readonly type: ScalarType | 'elem' | RecordDef;
  readonly count?: string;
  readonly value?: number;
  /** The enum whose codes a u32 field holds. */
  readonly enum?: EnumDef;
  readonly meaning: string;
}

/** A record: fields in file order. */
export interface RecordDef {
  readonly name: string;
  readonly meaning: string;
  readonly fields: readonly FieldDef[];
}

/**
 * A whole file: an 8-byte magic ("MTJOB" or "MTRES", the two-digit format version, a NUL), then the fields.
 * The last field is the array of items (one per GEMM or convolution); the fields before it are the head,
 * which the C++ drivers read (or write) apart from the items.
 */
export interface FileDef extends RecordDef {
  readonly magic: string;
  /** Who writes the file: TypeScript writes jobs, the drivers write results. */
  readonly writer: 'typescript' | 'driver';
}

// ---- The TypeScript value of a record ----

type CountOf<F> = F extends { count: infer C extends string } ? C : never;
type CountsOf<R extends RecordDef> = CountOf<R['fields'][number]>;
type One<T> = T extends RecordDef ? Wire<T> : T extends 'i64' ? bigint : number;
type ValueOf<F extends FieldDef> = F extends { count: string }
  ? F['type'] extends 'elem'
    ? Int16Array
    : One<F['type']>[]
  : One<F['type']>;

/** The value of a record as the codec takes and gives it: every field but lengths and fixed values. */
export type Wire<R extends RecordDef> = {
  [
    F in R['fields'][number] as F extends { value: number } ? never : F['name'] extends CountsOf<R> ? never : F['name']
  ]: ValueOf<F>;
};

// ---- Reading the table ----

export const isRecord = (t: FieldDef['type']): t is RecordDef => typeof t === 'object';

/** The lengths of a record: length field name -> the array it counts. */
export function lengthsOf(r: RecordDef): Map<string, FieldDef> {
  const m = new Map<string, FieldDef>();
  for (const f of r.fields) if (f.count !== undefined && /^[a-z_][a-z0-9_]*$/.test(f.count)) m.set(f.count, f);
  return m;
}

/** One factor of a count expression. */
export type CountTerm = { literal: number } | { field: string } | { job: string };

/** Parses a count expression (`14`, `q_rows`, `rows*cols`, `job.o_rows*job.o_cols`). */
export function parseCount(expr: string): CountTerm[] {
  return expr.split('*').map((t) => {
    const s = t.trim();
    if (/^\d+$/.test(s)) return { literal: Number(s) };
    const job = /^job\.([a-z_][a-z0-9_]*)$/.exec(s);
    if (job) return { job: job[1]! };
    if (/^[a-z_][a-z0-9_]*$/.test(s)) return { field: s };
    throw new Error(`job format: bad count expression ${JSON.stringify(expr)}`);
  });
}

/** A count given the values of the record's earlier scalars and of the job item (`job.`). */
export function evalCount(expr: string, scope: Record<string, number>, job?: Record<string, number>): number {
  let n = 1;
  for (const t of parseCount(expr)) {
    let v: number | undefined;
    if ('literal' in t) v = t.literal;
    else if ('field' in t) v = scope[t.field];
    else v = job?.[t.job];
    if (v === undefined)
      throw new Error(
        `job format: count ${expr}: ${'field' in t ? t.field : 'job' in t ? `job.${t.job}` : ''} is not known here`,
      );
    n *= v;
  }
  return n;
}

/** The records a record uses, itself last, each once (dependency order). */
export function recordsOf(r: RecordDef, out: RecordDef[] = []): RecordDef[] {
  for (const f of r.fields) if (isRecord(f.type)) recordsOf(f.type, out);
  if (!out.includes(r)) out.push(r);
  return out;
}

/** Byte offsets of the fields while the layout is fixed (undefined from the first variable-length field on). */
export function fixedOffsets(r: RecordDef, start = 0): (number | undefined)[] {
  let at: number | undefined = start;
  return r.fields.map((f) => {
    const here = at;
    if (at !== undefined) {
      const size = fixedSize(f);
      at = size === undefined ? undefined : at + size;
    }
    return here;
  });
}

/** Bytes of a field when they do not depend on the data. */
function fixedSize(f: FieldDef): number | undefined {
  let one: number | undefined;
  if (f.type === 'elem') one = undefined;
  else if (isRecord(f.type)) {
    const sizes = f.type.fields.map(fixedSize);
    one = sizes.some((s) => s === undefined) ? undefined : sizes.reduce((a, b) => a! + b!, 0);
  } else one = SCALAR_BYTES[f.type];
  if (one === undefined) return undefined;
  if (f.count === undefined) return one;
  return /^\d+$/.test(f.count) ? one * Number(f.count) : undefined;
}

/** The fewest bytes one value of a field's type can take (for sanity checks before allocating). */
export function minBytes(t: FieldDef['type']): number {
  if (t === 'elem') return 1;
  if (!isRecord(t)) return SCALAR_BYTES[t];
  return t.fields.reduce(
    (s, f) =>
      s + (f.count === undefined ? minBytes(f.type) : /^\d+$/.test(f.count) ? Number(f.count) * minBytes(f.type) : 0),
    0,
  );
}

/** C++ keywords and names the generated C++ uses, which no field may take. */
const RESERVED = new Set([
  'auto',
  'bool',
  'break',
  'case',
  'char',
  'class',
  'const',
  'default',
  'delete',
  'do',
  'double',
  'else',
  'enum',
  'float',
  'for',
  'if',
  'int',
  'long',
  'new',
  'operator',
  'private',
  'public',
  'return',
  'short',
  'signed',
  'sizeof',
  'static',
  'struct',
  'switch',
  'template',
  'this',
  'union',
  'unsigned',
  'void',
  'while',
]);

/**
 * Checks that a file's table is well formed: names unique, lower_snake_case and no C++ keyword; counts that
 * refer to earlier u32 fields; a length that counts one array; fixed values and enums only on u32 fields;
 * the items array last. Returns the problems (none when well formed).
 */
export function tableProblems(file: FileDef): string[] {
  const problems: string[] = [];
  const last = file.fields[file.fields.length - 1];
  if (!last || last.count === undefined || !isRecord(last.type))
    problems.push(`${file.name}: the last field must be the array of items`);
  for (const r of recordsOf(file)) {
    const seen = new Map<string, FieldDef>();
    const lengths = new Map<string, number>();
    for (const f of r.fields) {
      const where = `${r.name}.${f.name}`;
      if (!/^[a-z][a-z0-9_]*$/.test(f.name) || RESERVED.has(f.name))
        problems.push(`${where}: names are lower_snake_case and no C++ keyword`);
      if (seen.has(f.name)) problems.push(`${where}: the name is used twice`);
      if (f.value !== undefined && (f.type !== 'u32' || f.count !== undefined))
        problems.push(`${where}: only single u32 fields have fixed values`);
      if (f.enum && (f.type !== 'u32' || f.count !== undefined))
        problems.push(`${where}: enum fields are single u32 fields`);
      if (f.type === 'elem' && f.count === undefined) problems.push(`${where}: elem fields are arrays`);
      if (f.count !== undefined) {
        let terms: CountTerm[] = [];
        try {
          terms = parseCount(f.count);
        } catch (e) {
          problems.push(`${where}: ${(e as Error).message}`);
        }
        for (const t of terms) {
          if ('field' in t) {
            const g = seen.get(t.field);
            if (!g) problems.push(`${where}: count ${f.count} refers to ${t.field}, which is no earlier field`);
            else if (g.type !== 'u32' || g.count !== undefined || g.value !== undefined)
              problems.push(`${where}: count ${f.count} refers to ${t.field}, which is no u32 scalar`);
          }
          if ('job' in t && file.writer !== 'driver')
            problems.push(`${where}: only result records refer to job fields`);
        }
        if (terms.length === 1 && 'field' in terms[0]!)
          lengths.set(terms[0].field, (lengths.get(terms[0].field) ?? 0) + 1);
      }
      seen.set(f.name, f);
    }
    for (const [name, n] of lengths)
      if (n > 1) problems.push(`${r.name}.${name}: the length of ${n} arrays (a length counts one)`);
  }
  return problems;
}
