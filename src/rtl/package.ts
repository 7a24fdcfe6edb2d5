/**
 * SystemVerilog packages described in TypeScript: enums and packed structs whose values and layout the
 * generators also compute with, so that the RTL and the generator cannot disagree. `emitPackage` prints a
 * package; `structLayout` gives each field's bit range exactly as SystemVerilog packs it (first field in the
 * most significant bits).
 */

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** SystemVerilog keywords a field or constant could plausibly be named after (e.g. a struct field `end`). */
const KEYWORDS = new Set([
  'begin',
  'end',
  'case',
  'default',
  'do',
  'else',
  'enum',
  'for',
  'function',
  'if',
  'input',
  'int',
  'logic',
  'module',
  'output',
  'package',
  'parameter',
  'reg',
  'struct',
  'type',
  'typedef',
  'union',
  'wire',
  'first_match',
  'packed',
  'bit',
]);

function ident(name: string, what: string): string {
  if (!IDENT.test(name) || KEYWORDS.has(name))
    throw new Error(`package: ${what} ${JSON.stringify(name)} is not a usable SystemVerilog identifier`);
  return name;
}

/** An enum of named integer constants (`typedef enum logic [W-1:0] { A = 0, ... } name;`). */
export interface SvEnum {
  name: string;
  values: [string, number][];
  comment?: string;
}

/** A packed struct; fields are listed most significant first, as SystemVerilog packs them. */
export interface SvStruct {
  name: string;
  fields: { name: string; width: number; comment?: string }[];
  comment?: string;
}

export interface SvPackage {
  name: string;
  header: string[];
  enums: SvEnum[];
  structs: SvStruct[];
}

/** Bits an enum's base type needs (at least 1). */
function enumWidth(e: SvEnum): number {
  const max = Math.max(...e.values.map(([, v]) => v));
  return Math.max(1, Math.ceil(Math.log2(max + 1)));
}

/** The name of the constant of enum `e` with value `value`. */
export function enumConstant(e: SvEnum, value: number): string {
  const v = e.values.find(([, x]) => x === value);
  if (!v) throw new Error(`package: enum ${e.name} has no constant of value ${value}`);
  return v[0];
}

/** A field's place in a packed struct: bits [msb:lsb]. */
export interface FieldRange {
  lsb: number;
  msb: number;
  width: number;
}

/** The layout of a packed struct: its width and each field's bit range. */
export interface StructLayout {
  width: number;
  fields: Record<string, FieldRange>;
}

/** Bit ranges of a packed struct's fields (the last field at bit 0). */
export function structLayout(s: SvStruct): StructLayout {
  const fields: Record<string, FieldRange> = {};
  let lsb = 0;
  for (const f of [...s.fields].reverse()) {
    if (!Number.isInteger(f.width) || f.width < 1)
      throw new Error(`package: field ${s.name}.${f.name} has width ${f.width}`);
    fields[f.name] = { lsb, msb: lsb + f.width - 1, width: f.width };
    lsb += f.width;
  }
  return { width: lsb, fields };
}

/** A part-select of field `field` of a struct held in the plain vector `net` (`net[7]`, `net[63:32]`). */
export function fieldSlice(layout: StructLayout, net: string, field: string): string {
  const f = layout.fields[field];
  if (!f) throw new Error(`package: no field ${field} in the struct of ${net}`);
  return f.width === 1 ? `${net}[${f.lsb}]` : `${net}[${f.msb}:${f.lsb}]`;
}

/** Prints a package as a complete SystemVerilog file. */
export function emitPackage(p: SvPackage): string {
  const lines: string[] = ['`default_nettype none'];
  for (const h of p.header) lines.push(`// ${h}`);
  lines.push(`package ${ident(p.name, 'package')};`);
  for (const e of p.enums) {
    const seen = new Set<number>();
    for (const [n, v] of e.values) {
      ident(n, 'enum constant');
      if (!Number.isInteger(v) || v < 0 || seen.has(v))
        throw new Error(`package: enum ${e.name} value ${n} = ${v} is not a new non-negative integer`);
      seen.add(v);
    }
    const w = enumWidth(e);
    if (e.comment) lines.push(`  // ${e.comment}`);
    lines.push(`  typedef enum logic [${w - 1}:0] {`);
    lines.push(e.values.map(([n, v]) => `    ${n} = ${w}'d${v}`).join(',\n'));
    lines.push(`  } ${ident(e.name, 'enum')};`);
  }
  for (const s of p.structs) {
    const layout = structLayout(s);
    if (s.comment) lines.push(`  // ${s.comment}`);
    lines.push('  typedef struct packed {');
    const decls = s.fields.map(
      (f) => `${f.width === 1 ? 'logic' : `logic [${f.width - 1}:0]`} ${ident(f.name, 'field')};`,
    );
    const pad = Math.max(...decls.map((d) => d.length));
    s.fields.forEach((f, i) => {
      const r = layout.fields[f.name]!;
      const bits = r.width === 1 ? `bit ${r.lsb}` : `bits ${r.msb}:${r.lsb}`;
      lines.push(`    ${decls[i]!.padEnd(pad)}  // ${bits}${f.comment ? `: ${f.comment}` : ''}`);
    });
    lines.push(`  } ${ident(s.name, 'struct')};  // ${layout.width} bits`);
  }
  lines.push(`endpackage`, '`default_nettype wire', '');
  return lines.join('\n');
}
