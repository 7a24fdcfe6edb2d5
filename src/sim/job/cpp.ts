/**
 * The C++ side of the boundary, generated from the job-format table: mt_job_layout.h, which every Verilator
 * build gets next to mt_params.h (src/sim/build.ts writes it and hashes its text into the cache key). The
 * table comes in as a parameter (the registered kinds' JOB_FORMAT), so this module knows no kind. It
 * holds the format version and magics, the codes of every enum, one struct per record, the byte offsets of
 * each file's head, and the functions that read a job (head, then one item at a time) and write a result.
 * The drivers use these instead of constants and field orders of their own.
 */
import { FORMAT_VERSION, type JobFormat } from './layout.js';
import { magicOf } from './codec.js';
import {
  fixedOffsets,
  isRecord,
  lengthsOf,
  minBytes,
  parseCount,
  recordsOf,
  type EnumDef,
  type FieldDef,
  type FileDef,
  type RecordDef,
} from './table.js';

/** The file name the drivers include. */
export const JOB_LAYOUT_HEADER = 'mt_job_layout.h';

const CPP: Record<string, string> = { u32: 'uint32_t', i32: 'int32_t', u64: 'uint64_t', i64: 'int64_t' };
const camel = (name: string) => name.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
const upper = (name: string) => name.toUpperCase();
const quote = (s: string) => JSON.stringify(s);
const oneLine = (s: string) => s.replace(/\s+/g, ' ');

/** Whether values of a record need the operand width (it has elements somewhere). */
const hasElems = (t: FieldDef['type']): boolean =>
  t === 'elem' || (isRecord(t) && t.fields.some((f) => hasElems(f.type)));

function memberType(f: FieldDef): string {
  if (f.type === 'elem') return 'std::vector<int16_t>';
  const one = isRecord(f.type) ? camel(f.type.name) : CPP[f.type]!;
  if (f.count === undefined) return one;
  if (/^\d+$/.test(f.count)) return `std::array<${one}, ${f.count}>`;
  return `std::vector<${one}>`;
}

/** The C++ expression of a count, with lengths as locals `len_<name>` and other fields as members of `x`. */
function countExpr(expr: string, lengths: Map<string, FieldDef>, where: string): string {
  const terms = parseCount(expr).map((t) => {
    if ('literal' in t) return String(t.literal);
    if ('job' in t) throw new Error(`${where}: a count over the job (${expr}) cannot be read by a driver`);
    return lengths.has(t.field) ? `len_${t.field}` : `x.${t.field}`;
  });
  return terms.length === 1
    ? `static_cast<size_t>(${terms[0]})`
    : `static_cast<size_t>(${terms[0]}) * ${terms.slice(1).join(' * ')}`;
}

function enumBlock(e: EnumDef): string[] {
  const lines = [`// ${e.name}: ${e.meaning}.`];
  for (const v of e.values)
    lines.push(`constexpr uint32_t ${upper(e.name)}_${upper(v.name)} = ${v.code};  // ${v.meaning}`);
  lines.push(`inline const char* ${e.name}_name(uint32_t code) {`, '  switch (code) {');
  for (const v of e.values) lines.push(`    case ${v.code}: return ${quote(v.name)};`);
  lines.push('    default: return "unknown";', '  }', '}', '');
  return lines;
}

/** A struct with the members of `fields` (lengths and fixed values are no members, except `keep`). */
function structBlock(
  name: string,
  comment: string,
  r: RecordDef,
  fields: readonly FieldDef[],
  keep: Set<string>,
): string[] {
  const lengths = lengthsOf(r);
  const lines = [`// ${oneLine(comment)}.`, `struct ${name} {`];
  for (const f of fields) {
    if (f.value !== undefined || (lengths.has(f.name) && !keep.has(f.name))) continue;
    const count = f.count === undefined ? '' : ` [${f.count}]`;
    const init = f.count === undefined && !isRecord(f.type) ? ' = 0' : '';
    lines.push(`  ${memberType(f)} ${f.name}${init};  // ${oneLine(f.meaning)}${count}`);
  }
  lines.push('};', '');
  return lines;
}

function readStatements(r: RecordDef, fields: readonly FieldDef[], keep: Set<string>, file?: FileDef): string[] {
  const lengths = lengthsOf(r);
  const lines: string[] = [];
  for (const f of fields) {
    const where = `${r.name}.${f.name}`;
    const t = isRecord(f.type) ? undefined : f.type === 'elem' ? undefined : CPP[f.type];
    if (f.value !== undefined) {
      const expected = f.enum
        ? `${f.value} (${f.enum.values.find((v) => v.code === f.value)?.name ?? '?'})`
        : String(f.value);
      const got = f.enum ? `std::to_string(v) + " (" + ${f.enum.name}_name(v) + ")"` : 'std::to_string(v)';
      const what = file ? `${file.writer === 'typescript' ? 'job' : 'result'} file` : r.name;
      lines.push(
        '  {',
        `    const ${t} v = in.get<${t}>();`,
        `    if (v != ${f.value}) fail(${quote(`${what}: ${f.name} is `)} + ${got} + ${quote(`, this driver reads ${expected}`)});`,
        '  }',
      );
      continue;
    }
    if (lengths.has(f.name) && !keep.has(f.name)) {
      lines.push(`  const ${t} len_${f.name} = in.get<${t}>();`);
      continue;
    }
    if (f.count === undefined) {
      if (isRecord(f.type)) lines.push(`  x.${f.name} = read_${f.type.name}(in${hasElems(f.type) ? ', dw' : ''});`);
      else lines.push(`  x.${f.name} = in.get<${t}>();`);
      continue;
    }
    const n = countExpr(f.count, lengths, where);
    if (f.type === 'elem') {
      lines.push(`  read_elems(in, x.${f.name}, ${n}, dw);`);
      continue;
    }
    const element = isRecord(f.type) ? `read_${f.type.name}(in${hasElems(f.type) ? ', dw' : ''})` : `in.get<${t}>()`;
    if (!/^\d+$/.test(f.count))
      lines.push(`  in.need_items(${n}, ${minBytes(f.type)});`, `  x.${f.name}.resize(${n});`);
    lines.push(`  for (auto& e : x.${f.name}) e = ${element};`);
  }
  return lines;
}

function writeStatements(r: RecordDef, fields: readonly FieldDef[], keep: Set<string>): string[] {
  const lengths = lengthsOf(r);
  const lines: string[] = [];
  for (const f of fields) {
    const t = isRecord(f.type) || f.type === 'elem' ? undefined : CPP[f.type];
    if (f.value !== undefined) {
      lines.push(`  w.put<${t}>(${f.value});`);
      continue;
    }
    const counted = lengths.get(f.name);
    if (counted && !keep.has(f.name)) {
      lines.push(`  w.put<${t}>(static_cast<${t}>(x.${counted.name}.size()));`);
      continue;
    }
    const put = (v: string) =>
      isRecord(f.type) ? `put_${f.type.name}(w, ${v}${hasElems(f.type) ? ', dw' : ''})` : `w.put<${t}>(${v})`;
    if (f.count === undefined) lines.push(`  ${put(`x.${f.name}`)};`);
    else if (f.type === 'elem') lines.push(`  put_elems(w, x.${f.name}, dw);`);
    else lines.push(`  for (const auto& e : x.${f.name}) ${put('e')};`);
  }
  return lines;
}

function recordBlock(r: RecordDef, dirs: Set<'read' | 'write'>): string[] {
  const name = camel(r.name);
  const lines = structBlock(name, `${r.name}: ${r.meaning}`, r, r.fields, new Set());
  const dw = hasElems(r) ? ', unsigned dw' : '';
  if (dirs.has('read')) {
    lines.push(
      `inline ${name} read_${r.name}(Reader& in${dw}) {`,
      `  ${name} x{};`,
      ...readStatements(r, r.fields, new Set()),
      '  return x;',
      '}',
      '',
    );
  }
  if (dirs.has('write')) {
    lines.push(
      `inline void put_${r.name}(Writer& w, const ${name}& x${dw}) {`,
      ...writeStatements(r, r.fields, new Set()),
      '}',
      '',
    );
  }
  return lines;
}

function fileBlock(file: FileDef): string[] {
  const items = file.fields[file.fields.length - 1]!;
  const head = file.fields.slice(0, -1);
  const keep = new Set([items.count!]);
  const name = `${camel(file.name)}Head`;
  const magic = magicOf(file);
  const what = file.writer === 'typescript' ? 'job' : 'result';
  const lines = [
    `// ${file.name}: ${oneLine(file.meaning)}.`,
    `constexpr char ${upper(file.name)}_MAGIC[] = ${quote(magic.slice(0, 7))};  // 8 bytes with the NUL`,
  ];
  const offsets = fixedOffsets(file, 8);
  file.fields.forEach((f, i) => {
    if (offsets[i] !== undefined)
      lines.push(`constexpr size_t ${upper(file.name)}_OFFSET_${upper(f.name)} = ${offsets[i]};`);
  });
  lines.push('');
  lines.push(...structBlock(name, `The head of ${file.name} (the fields before the items)`, file, head, keep));
  if (file.writer === 'typescript') {
    lines.push(
      `inline ${name} read_${file.name}_head(Reader& in) {`,
      '  char magic[8];',
      '  in.bytes(magic, 8);',
      `  if (std::memcmp(magic, ${quote(file.magic)}, ${file.magic.length}) != 0 || magic[7] != 0) fail(${quote(`not a mactile ${what} file`)});`,
      `  if (std::memcmp(magic, ${upper(file.name)}_MAGIC, 8) != 0) fail(std::string(${quote(`${what} file of format version `)}) + std::string(magic + 5, 2) + ${quote(`, this driver reads version ${magic.slice(5, 7)}`)});`,
      `  ${name} x{};`,
      ...readStatements(file, head, keep, file),
      '  return x;',
      '}',
      '',
    );
  } else {
    lines.push(
      `inline void put_${file.name}_head(Writer& w, const ${name}& x) {`,
      `  w.bytes(${upper(file.name)}_MAGIC, 8);`,
      ...writeStatements(file, head, keep),
      '}',
      '',
    );
  }
  return lines;
}

/** The text of mt_job_layout.h for a job-format table (the registered kinds': JOB_FORMAT in src/accel/registry.ts). */
export function jobLayoutHeader(format: JobFormat): string {
  const lines = [
    '// Generated by mactile from the job-format table (src/sim/job/layout.ts); do not edit. docs/JOB-FORMAT.md',
    '// renders the same table. The drivers read jobs and write results only through the structs and functions',
    '// below; the primitives they use (Reader, Writer, fail, elements of dw bits) are in mt_job.h.',
    '#pragma once',
    '#include <array>',
    '#include <cstddef>',
    '#include <cstdint>',
    '#include <cstring>',
    '#include <string>',
    '#include <vector>',
    '',
    '#include "mt_job.h"',
    '',
    'namespace mt {',
    'namespace layout {',
    '',
    `constexpr uint32_t FORMAT_VERSION = ${FORMAT_VERSION};`,
    '',
  ];
  for (const e of format.enums) lines.push(...enumBlock(e));
  // What the drivers do with each record: read it (jobs) or write it (results).
  const dirs = new Map<RecordDef, Set<'read' | 'write'>>();
  for (const file of format.files) {
    for (const r of recordsOf(file)) {
      if (!dirs.has(r)) dirs.set(r, new Set());
      dirs.get(r)!.add(file.writer === 'typescript' ? 'read' : 'write');
    }
  }
  const done = new Set<RecordDef>();
  for (const file of format.files) {
    for (const r of recordsOf(file)) {
      if (r === file || done.has(r)) continue;
      done.add(r);
      lines.push(...recordBlock(r, dirs.get(r)!));
    }
    lines.push(...fileBlock(file));
  }
  lines.push('}  // namespace layout', '}  // namespace mt', '');
  return lines.join('\n');
}
