/**
 * SCALE-Sim topology and GEMM CSV files: reading them with SCALE-Sim's own rules (header line, trailing
 * comma dropped, `DP` rows split per channel, ceiling output size) or refusing, with the line and the field,
 * what SCALE-Sim would read differently from what the file says; turning them into the network IR, and
 * exporting any network back to a topology CSV.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { MactileError } from '../util/errors.js';
import { NetBuilder } from './builder.js';
import { IR_LIMITS, isMacLayer, macLayers, shapeSizeProblem, type Network } from './ir.js';

/** One row of a SCALE-Sim topology, in SCALE-Sim's terms (sizes already padded). */
export interface ScaleSimRow {
  name: string;
  ifmapH: number;
  ifmapW: number;
  filterH: number;
  filterW: number;
  channels: number;
  numFilter: number;
  strideH: number;
  strideW: number;
  /** The line of the file the row came from (1-based), when it came from a file. */
  line?: number;
}

export const TOPOLOGY_HEADER =
  'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,';

/** SCALE-Sim's output size along one axis: ceil((H - R + s) / s). */
export function scaleSimOutput(size: number, filter: number, stride: number): number {
  return Math.ceil((size - filter + stride) / stride);
}

/** True when SCALE-Sim treats the row as depthwise (its name holds the case-sensitive substring DP). */
function isDepthwiseRow(row: ScaleSimRow): boolean {
  return row.name.includes('DP');
}

/**
 * The most layers one topology row or network layer becomes: the channels of a DP row (SCALE-Sim simulates one
 * layer per channel) and the groups of a grouped convolution written as topology rows (one per group).
 */
const MAX_SPLIT = 65_536;

/** Splits DP rows into one single-channel layer per channel, as SCALE-Sim does before simulating. */
export function expandDepthwise(rows: ScaleSimRow[]): ScaleSimRow[] {
  return rows.flatMap((r) => {
    if (!isDepthwiseRow(r)) return [r];
    if (r.channels > MAX_SPLIT) {
      throw new MactileError(
        `layer ${r.name}: SCALE-Sim simulates a DP row as one layer per channel, and its compatible model takes at most ${MAX_SPLIT.toLocaleString('en-US')} of them, received ${r.channels.toLocaleString('en-US')} channels (analyze without --compat scalesim)`,
      );
    }
    return Array.from({ length: r.channels }, (_, c) => ({ ...r, name: `${r.name}_${c}`, channels: 1 }));
  });
}

/** A topology's rows as read, whether it is a GEMM file, and what the reading had to decide (for the user). */
export interface ParsedTopology {
  rows: ScaleSimRow[];
  gemm: boolean;
  notes: string[];
}

type Field =
  | 'ifmapH'
  | 'ifmapW'
  | 'filterH'
  | 'filterW'
  | 'channels'
  | 'numFilter'
  | 'strideH'
  | 'm'
  | 'n'
  | 'k'
  | 'strideW'
  | 'sparsity'
  | 'batch';

interface ColumnSpec {
  field: Field;
  /** The header SCALE-Sim's documentation gives the column. */
  label: string;
  /** Header spellings (lower case, letters and digits only) that name the column. */
  names: readonly string[];
}

const col = (field: Field, label: string, ...names: string[]): ColumnSpec => ({ field, label, names });
const CONV_COLUMNS: readonly ColumnSpec[] = [
  col('ifmapH', 'IFMAP Height', 'ifmapheight', 'ifmaph'),
  col('ifmapW', 'IFMAP Width', 'ifmapwidth', 'ifmapw'),
  col('filterH', 'Filter Height', 'filterheight', 'filterh'),
  col('filterW', 'Filter Width', 'filterwidth', 'filterw'),
  col('channels', 'Channels', 'channels', 'channel', 'numchannels'),
  col('numFilter', 'Num Filter', 'numfilter', 'numfilters', 'filters'),
  col('strideH', 'Strides', 'strides', 'stride', 'strideheight', 'strideh'),
];
const GEMM_COLUMNS: readonly ColumnSpec[] = [col('m', 'M', 'm'), col('n', 'N', 'n'), col('k', 'K', 'k')];
const STRIDE_W = col('strideW', 'Stride Width', 'stridewidth', 'stridew', 'horizontalstride');
const SPARSITY = col('sparsity', 'Sparsity', 'sparsity', 'sparsityratio');
const BATCH = col('batch', 'Batch Size', 'batchsize', 'batch');

/** Lower case, letters and digits only: how header cells are compared ("Num Filter" = "num filters" but for the s). */
const normal = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

/** Levenshtein distance (header spellings are short). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

const names = (cols: readonly ColumnSpec[]) => cols.map((c) => c.label).join(', ');
const quoted = (s: string) => JSON.stringify(s);
const isWhole = (t: string) => /^[0-9]+$/.test(t);

/** What each column of the file holds: the fixed columns by position, then the optional ones the header names. */
interface Layout {
  gemm: boolean;
  fixed: readonly ColumnSpec[];
  /** Optional columns after the fixed ones, by position (undefined: no header; a conv file's first is SCALE-Sim v2's horizontal stride). */
  extra: (ColumnSpec | undefined)[];
}

/** Reads the header line: the format (conv or GEMM), the columns in SCALE-Sim's order, and the optional columns. */
function readHeader(line: string, where: string, notes: string[]): Layout {
  if (line.trim() === '')
    throw new MactileError(
      `${where}, line 1: expected a header line (${TOPOLOGY_HEADER} or Layer, M, N, K,), received an empty line`,
    );
  const cells = line.split(',');
  if (cells.length < 4 && line.includes('\t')) {
    throw new MactileError(
      `${where}, line 1: the fields are separated by TABs; SCALE-Sim reads comma-separated values only (replace the TABs by commas)`,
    );
  }
  if (cells.length > 1 && cells.at(-1)!.trim() === '') cells.pop();
  const norm = cells.map(normal);
  if (cells.length >= 2 && isWhole(cells[1]!.trim())) {
    throw new MactileError(
      `${where}, line 1: expected a header line (${TOPOLOGY_HEADER} or Layer, M, N, K,), received a layer row ${quoted(line.trim())} (SCALE-Sim skips the first line, so its first layer would be lost)`,
    );
  }
  const mnk = norm.slice(1, 4);
  const gemm = mnk.length === 3 && [...mnk].sort().join('') === 'kmn';
  const fixed = gemm ? GEMM_COLUMNS : CONV_COLUMNS;
  const expected = `${gemm ? 'Layer, M, N, K' : TOPOLOGY_HEADER.slice(0, -1)}`;
  if (cells.length < fixed.length + 1) {
    throw new MactileError(
      `${where}, line 1: expected the header ${expected}, received ${cells.length} column(s): ${quoted(line.trim())}`,
    );
  }
  const matches = (c: ColumnSpec, n: string) => c.names.includes(n);
  fixed.forEach((c, i) => {
    const cell = cells[i + 1]!.trim();
    const n = norm[i + 1]!;
    if (matches(c, n)) return;
    const other = fixed.findIndex((o) => matches(o, n));
    if (other >= 0) {
      // The same name twice (DeepBench's "IFMAP Width, IFMAP Width") is a typo: SCALE-Sim reads by position.
      if (matches(fixed[other]!, norm[other + 1]!)) {
        notes.push(
          `line 1: column ${i + 2} is headed ${quoted(cell)} like column ${other + 2}; it is read as ${c.label}, by position, as SCALE-Sim reads it`,
        );
        return;
      }
      throw new MactileError(
        `${where}, line 1: column ${i + 2} is ${quoted(cell)}, where SCALE-Sim reads ${c.label}: SCALE-Sim reads the columns by position (${expected}); put them in that order`,
      );
    }
    // A misspelling: within 2 edits of one of this column's full names, and nearer to it than to any other column's.
    const near = (o: ColumnSpec) => Math.min(...o.names.filter((a) => a.length >= 7).map((a) => distance(a, n)));
    if (!gemm && near(c) <= 2 && fixed.every((o) => o === c || near(o) > near(c))) {
      notes.push(`line 1: column ${i + 2} header ${quoted(cell)} is read as ${c.label}`);
      return;
    }
    throw new MactileError(
      `${where}, line 1: column ${i + 2}: expected the header ${quoted(c.label)} (${expected}), received ${quoted(cell)}`,
    );
  });
  const optional = gemm ? [SPARSITY] : [STRIDE_W, SPARSITY, BATCH];
  const extra: (ColumnSpec | undefined)[] = [];
  for (let i = fixed.length + 1; i < cells.length; i++) {
    const cell = cells[i]!.trim();
    if (cell === '') {
      extra.push(undefined);
      continue;
    }
    const spec = optional.find((o) => matches(o, norm[i]!));
    if (!spec) {
      throw new MactileError(
        `${where}, line 1: column ${i + 1}: expected no further columns after ${fixed.at(-1)!.label}, or one of ${names(optional)}, received ${quoted(cell)}`,
      );
    }
    if (extra.includes(spec)) throw new MactileError(`${where}, line 1: column ${i + 1}: ${spec.label} is given twice`);
    extra.push(spec);
  }
  return { gemm, fixed, extra };
}

function wholeNumber(text: string, what: string, where: string): number {
  if (!isWhole(text)) throw new MactileError(`${where}: ${what}: expected a whole number, received ${quoted(text)}`);
  const v = Number(text);
  if (v < 1) throw new MactileError(`${where}: ${what}: expected a positive number, received ${v}`);
  if (!Number.isSafeInteger(v))
    throw new MactileError(`${where}: ${what}: expected a number below 2^53, received ${text}`);
  return v;
}

const listLines = (lines: number[]) => (lines.length > 6 ? `${lines.slice(0, 6).join(', ')}, ...` : lines.join(', '));

/**
 * Parses topology or GEMM CSV text into SCALE-Sim rows. The header decides the format and the columns;
 * every row is read as SCALE-Sim reads it (by position, the field after the last comma dropped) or refused
 * with the line and field when SCALE-Sim would read it differently from what it says. Blank lines, empty
 * rows and section rows (a name and no values) are skipped; a UTF-8 BOM is ignored.
 */
export function parseScaleSimCsv(text: string, file: string): ParsedTopology {
  const where = `topology ${file}`;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const notes: string[] = [];
  const layout = readHeader(lines[0] ?? '', where, notes);
  const { gemm, fixed, extra } = layout;
  const rows: ScaleSimRow[] = [];
  const seen = new Map<string, number[]>();
  const used = new Set<string>();
  const noComma: number[] = [];
  const emptyRows: number[] = [];
  const unnamedStride: number[] = [];
  const optionalSeen = new Set<Field>();
  lines.slice(1).forEach((raw, i) => {
    const lineNo = i + 2;
    const at = `${where}, line ${lineNo}`;
    const cells = raw.split(',');
    const last = cells.at(-1)!.trim();
    // SCALE-Sim drops the last field of every row: a row ends with a comma (or with a "#" comment after it).
    const trailing = cells.length > 1 && (last === '' || last.startsWith('#'));
    if (trailing) cells.pop();
    const v = cells.map((c) => c.trim());
    if (v.every((c) => c === '')) {
      if (cells.length > 1) emptyRows.push(lineNo);
      return;
    }
    const tabs = raw.includes('\t') && v.length < fixed.length + 1;
    if (tabs)
      throw new MactileError(
        `${at}: the fields are separated by TABs; SCALE-Sim reads comma-separated values only (replace the TABs by commas)`,
      );
    const name = v[0]!;
    if (v.slice(1).every((c) => c === '') && name !== '' && !isWhole(name)) {
      notes.push(`line ${lineNo}: section row ${quoted(name)} (a name and no values): skipped`);
      return;
    }
    if (name === '')
      throw new MactileError(`${at}: expected a layer name in the first column, received an empty field`);
    if (v.length < fixed.length + 1) {
      const hint = trailing
        ? 'and a trailing comma'
        : 'and a trailing comma (SCALE-Sim drops the last field of every row)';
      throw new MactileError(
        `${at}: expected ${fixed.length + 1} fields (Layer name, ${names(fixed)}) ${hint}, received ${v.length} field(s)`,
      );
    }
    if (!trailing && v.length > fixed.length + 1) {
      throw new MactileError(
        `${at}: the row does not end with a comma, and SCALE-Sim drops the last field of every row: it would not read ${quoted(v.at(-1)!)} (column ${v.length}); end the row with a comma`,
      );
    }
    if (!trailing) noComma.push(lineNo);
    const num = fixed.map((c, j) => wholeNumber(v[j + 1]!, c.label, at));
    let strideW: number | undefined;
    for (let j = fixed.length + 1; j < v.length; j++) {
      const t = v[j]!;
      if (t === '') continue;
      const spec = extra[j - fixed.length - 1];
      const column = `column ${j + 1}`;
      if (spec === undefined) {
        if (!gemm && j === fixed.length + 1) {
          // No header: SCALE-Sim v2 reads a 9th number as the horizontal stride (v3 as a sparsity ratio).
          if (!isWhole(t)) {
            throw new MactileError(
              `${at}: ${column} (no header; SCALE-Sim v2 reads it as the horizontal stride, v3 as a sparsity ratio): expected a whole number, received ${quoted(t)}; name the column in the header (Stride Width or Sparsity)`,
            );
          }
          strideW = wholeNumber(t, 'horizontal stride', at);
          unnamedStride.push(lineNo);
          continue;
        }
        throw new MactileError(
          `${at}: ${column}: expected no value (the header names ${fixed.length + 1 + extra.filter(Boolean).length} columns), received ${quoted(t)}`,
        );
      }
      optionalSeen.add(spec.field);
      if (spec.field === 'strideW') strideW = wholeNumber(t, spec.label, at);
      else if (spec.field === 'batch') {
        const b = wholeNumber(t, spec.label, at);
        if (b !== 1)
          throw new MactileError(
            `${at}: ${spec.label}: expected 1 (mactile models batch 1; SCALE-Sim reads no batch size: v2 takes a 9th column for the horizontal stride, v3 for a sparsity ratio), received ${b}`,
          );
      } else {
        const m = /^([0-9]+):([0-9]+)$/.exec(t);
        if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))
          throw new MactileError(`${at}: ${spec.label}: expected a ratio N:M with 1 <= N <= M, received ${quoted(t)}`);
        if (m[1] !== m[2]) {
          throw new MactileError(
            `${at}: ${spec.label}: mactile models dense layers only, received ${quoted(t)} (SCALE-Sim v3 applies an N:M ratio only with SparsitySupport in its config); write 1:1 to run the layer dense`,
          );
        }
      }
    }
    let row: ScaleSimRow;
    if (gemm) {
      const [m, n, k] = num as [number, number, number];
      row = {
        name,
        ifmapH: m,
        ifmapW: k,
        filterH: 1,
        filterW: k,
        channels: 1,
        numFilter: n,
        strideH: 1,
        strideW: 1,
        line: lineNo,
      };
    } else {
      const [ifmapH, ifmapW, filterH, filterW, channels, numFilter, strideH] = num as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      row = {
        name,
        ifmapH,
        ifmapW,
        filterH,
        filterW,
        channels,
        numFilter,
        strideH,
        strideW: strideW ?? strideH,
        line: lineNo,
      };
      if (filterH > ifmapH || filterW > ifmapW) {
        throw new MactileError(
          `${at}: layer ${name}: filter ${filterH}x${filterW} is larger than its input ${ifmapH}x${ifmapW}`,
        );
      }
    }
    const lines = seen.get(name) ?? [];
    lines.push(lineNo);
    seen.set(name, lines);
    if (used.has(name)) {
      let k = Math.max(2, lines.length);
      while (used.has(`${name}#${k}`)) k++;
      row.name = `${name}#${k}`;
    }
    used.add(row.name);
    rows.push(row);
  });
  if (rows.length === 0)
    throw new MactileError(`${where}: expected at least one layer row after the header, received none`);
  for (const [name, at] of seen) {
    const renamed = rows.filter((r) => r.name !== name && at.includes(r.line!)).map((r) => quoted(r.name));
    if (renamed.length === 0) continue;
    if (at.length === 1) {
      notes.push(
        `line ${at[0]}: layer name ${quoted(name)} is already the name of a renamed repeat; this layer is called ${renamed[0]}`,
      );
      continue;
    }
    const list = renamed.length > 2 ? `${renamed[0]} to ${renamed.at(-1)}` : renamed.join(' and ');
    notes.push(
      `lines ${listLines(at)}: layer name ${quoted(name)} is used ${at.length} times; the repeats are called ${list}`,
    );
  }
  if (emptyRows.length > 0) {
    notes.push(
      `line${emptyRows.length > 1 ? 's' : ''} ${listLines(emptyRows)}: ${emptyRows.length > 1 ? 'rows' : 'a row'} of commas only: skipped (SCALE-Sim fails on ${emptyRows.length > 1 ? 'them' : 'it'})`,
    );
  }
  if (unnamedStride.length > 0) {
    notes.push(
      `line${unnamedStride.length > 1 ? 's' : ''} ${listLines(unnamedStride)}: the 9th value (no header) is read as the horizontal stride, as SCALE-Sim v2 reads it (v3 reads a sparsity ratio there and fails on a number)`,
    );
  }
  const batchAt = extra.findIndex((e) => e?.field === 'batch');
  if (batchAt >= 0) {
    notes.push(
      `column ${fixed.length + 2 + batchAt} ${BATCH.label}: batch 1 throughout${optionalSeen.has('batch') ? '' : ' (no values)'}; SCALE-Sim v2 reads a 9th column as the horizontal stride and v3 as a sparsity ratio, so neither reads it as a batch size`,
    );
  }
  if (extra.some((e) => e?.field === 'sparsity')) notes.push(`column ${SPARSITY.label}: dense (1:1) throughout`);
  if (noComma.length > 0) {
    notes.push(
      `line${noComma.length > 1 ? 's' : ''} ${listLines(noComma)}: no trailing comma; SCALE-Sim drops the last field of every row and fails on ${noComma.length > 1 ? 'these rows' : 'this row'}, mactile reads all ${fixed.length + 1} fields`,
    );
  }
  return { rows, gemm, notes };
}

/** Builds the network IR of SCALE-Sim rows (each layer reads its own input; the ceiling output becomes padding). */
function rowsToNetwork(rows: ScaleSimRow[], name: string, source: string, gemm = false): Network {
  for (const r of rows) {
    const problem = shapeSizeProblem({ h: r.ifmapH, w: r.ifmapW, c: r.channels }, IR_LIMITS);
    if (problem)
      throw new MactileError(
        `topology ${source}${r.line ? `, line ${r.line}` : ''}, layer ${r.name}: its input: ${problem}`,
      );
  }
  const first = rows[0]!;
  const b = new NetBuilder(name, { h: first.ifmapH, w: first.ifmapW, c: first.channels }, source, `topology ${source}`);
  rows.forEach((r, i) => {
    const input = i === 0 ? 'input' : b.tensor(`${r.name}.in`, { h: r.ifmapH, w: r.ifmapW, c: r.channels });
    const eh = scaleSimOutput(r.ifmapH, r.filterH, r.strideH);
    const ew = scaleSimOutput(r.ifmapW, r.filterW, r.strideW);
    const pad = {
      top: 0,
      left: 0,
      bottom: (eh - 1) * r.strideH + r.filterH - r.ifmapH,
      right: (ew - 1) * r.strideW + r.filterW - r.ifmapW,
    };
    const dp = isDepthwiseRow(r);
    b.conv(
      r.name,
      {
        out: dp ? r.channels * r.numFilter : r.numFilter,
        k: [r.filterH, r.filterW],
        stride: [r.strideH, r.strideW],
        pad,
        groups: dp ? r.channels : 1,
        at: `topology ${source}${r.line ? `, line ${r.line}` : ''}, layer ${r.name}`,
      },
      input,
    );
  });
  const net = b.build();
  // A GEMM file's rows are GEMMs: the convolutions they run as are shown as such.
  return gemm ? { ...net, layers: net.layers.map((l) => (isMacLayer(l) ? { ...l, gemm: true as const } : l)) } : net;
}

/** Loads a SCALE-Sim topology or GEMM CSV as a network, keeping the rows for compatibility mode and the reading's notes. */
export function loadScaleSimCsv(file: string): Network & { scalesimRows: ScaleSimRow[]; scalesimNotes: string[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new MactileError(`topology ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const { rows, gemm, notes } = parseScaleSimCsv(text, file);
  return {
    ...rowsToNetwork(rows, basename(file, extname(file)), file, gemm),
    scalesimRows: rows,
    scalesimNotes: notes,
  };
}

/**
 * Exports the MAC layers of a network as SCALE-Sim rows: padding is applied to the sizes (only the part
 * the windows use, so SCALE-Sim's ceiling rule gives the true output size), depthwise layers become DP rows.
 */
export function exportRows(net: Network): ScaleSimRow[] {
  return macLayers(net).flatMap((l) => {
    if (l.dilation.h !== 1 || l.dilation.w !== 1) {
      throw new MactileError(`layer ${l.name}: a dilated convolution has no SCALE-Sim topology equivalent`);
    }
    const ifmapH = (l.outShape.h - 1) * l.stride.h + l.kernel.h;
    const ifmapW = (l.outShape.w - 1) * l.stride.w + l.kernel.w;
    const base = { ifmapH, ifmapW, filterH: l.kernel.h, filterW: l.kernel.w, strideH: l.stride.h, strideW: l.stride.w };
    const safe = l.name.replace(/,/g, '_');
    if (l.groups === 1) return [{ ...base, name: safe, channels: l.inShape.c, numFilter: l.outShape.c }];
    const perGroupOut = l.outShape.c / l.groups;
    if (l.kind === 'dwconv' || l.groups === l.inShape.c) {
      return [
        { ...base, name: safe.includes('DP') ? safe : `${safe}_DP`, channels: l.inShape.c, numFilter: perGroupOut },
      ];
    }
    if (l.groups > MAX_SPLIT) {
      throw new MactileError(
        `layer ${l.name}: a grouped convolution becomes one topology row per group, at most ${MAX_SPLIT.toLocaleString('en-US')}, received ${l.groups.toLocaleString('en-US')} groups`,
      );
    }
    return Array.from({ length: l.groups }, (_, g) => ({
      ...base,
      name: `${safe}_g${g}`,
      channels: l.inShape.c / l.groups,
      numFilter: perGroupOut,
    }));
  });
}

/** Prints rows as a SCALE-Sim topology CSV (header, trailing commas, 9th column only for unequal strides). */
export function formatTopology(rows: ScaleSimRow[]): string {
  const lines = rows.map((r) => {
    const fields = [r.name, r.ifmapH, r.ifmapW, r.filterH, r.filterW, r.channels, r.numFilter, r.strideH];
    if (r.strideW !== r.strideH) fields.push(r.strideW);
    return `${fields.join(', ')},`;
  });
  return [TOPOLOGY_HEADER, ...lines].join('\n') + '\n';
}
