/**
 * SCALE-Sim topology and GEMM CSV files: reading them with SCALE-Sim's own rules (header line, trailing
 * comma dropped, `DP` rows split per channel, ceiling output size), turning them into the network IR,
 * and exporting any network back to a topology CSV.
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { MactileError } from '../util/errors.js';
import { NetBuilder } from './builder.js';
import { macLayers, type Network } from './ir.js';

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
}

export const TOPOLOGY_HEADER = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,';

/** SCALE-Sim's output size along one axis: ceil((H - R + s) / s). */
export function scaleSimOutput(size: number, filter: number, stride: number): number {
  return Math.ceil((size - filter + stride) / stride);
}

/** True when SCALE-Sim treats the row as depthwise (its name holds the case-sensitive substring DP). */
function isDepthwiseRow(row: ScaleSimRow): boolean {
  return row.name.includes('DP');
}

/** Splits DP rows into one single-channel layer per channel, as SCALE-Sim does before simulating. */
export function expandDepthwise(rows: ScaleSimRow[]): ScaleSimRow[] {
  return rows.flatMap((r) =>
    isDepthwiseRow(r) ? Array.from({ length: r.channels }, (_, c) => ({ ...r, name: `${r.name}_${c}`, channels: 1 })) : [r],
  );
}

function positiveInt(text: string, what: string, where: string): number {
  const t = text.trim();
  const v = Number(t);
  if (t === '' || !Number.isInteger(v)) throw new MactileError(`${where}: ${what}: expected a whole number, received ${JSON.stringify(t)}`);
  if (v < 1) throw new MactileError(`${where}: ${what}: expected a positive number, received ${v}`);
  return v;
}

const TOPO_FIELDS = ['IFMAP Height', 'IFMAP Width', 'Filter Height', 'Filter Width', 'Channels', 'Num Filter', 'Strides'];

/** Parses topology or GEMM CSV text (detected from the header) into SCALE-Sim rows. */
export function parseScaleSimCsv(text: string, file: string): { rows: ScaleSimRow[]; gemm: boolean } {
  const lines = text.split(/\r?\n/);
  const headerFields = (lines[0] ?? '').split(',').map((f) => f.trim().toLowerCase());
  const gemm = headerFields.length >= 4 && headerFields[1] === 'm' && headerFields[2] === 'n' && headerFields[3] === 'k';
  const rows: ScaleSimRow[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `topology ${file}, line ${i + 2}`;
    // SCALE-Sim drops the last comma-separated field of every row: rows end with a trailing comma.
    const fields = line.split(',').slice(0, -1);
    const name = (fields[0] ?? '').trim();
    if (name === '') throw new MactileError(`${where}: expected a layer name in the first column, received an empty field`);
    if (gemm) {
      if (fields.length < 4) throw new MactileError(`${where}: expected "name, M, N, K," (4 fields and a trailing comma), received ${fields.length} field(s)`);
      const [m, n, k] = ['M', 'N', 'K'].map((f, j) => positiveInt(fields[j + 1]!, f, where)) as [number, number, number];
      rows.push({ name, ifmapH: m, ifmapW: k, filterH: 1, filterW: k, channels: 1, numFilter: n, strideH: 1, strideW: 1 });
      return;
    }
    if (fields.length < 8) {
      throw new MactileError(`${where}: expected 8 fields (${['Layer name', ...TOPO_FIELDS].join(', ')}) and a trailing comma, received ${fields.length} field(s)`);
    }
    const v = TOPO_FIELDS.map((f, j) => positiveInt(fields[j + 1]!, f, where));
    const strideW = fields.length >= 9 && fields[8]!.trim() !== '' ? positiveInt(fields[8]!, 'horizontal stride', where) : v[6]!;
    const row: ScaleSimRow = {
      name, ifmapH: v[0]!, ifmapW: v[1]!, filterH: v[2]!, filterW: v[3]!, channels: v[4]!, numFilter: v[5]!, strideH: v[6]!, strideW,
    };
    if (row.filterH > row.ifmapH || row.filterW > row.ifmapW) {
      throw new MactileError(`${where}: layer ${name}: filter ${row.filterH}x${row.filterW} is larger than its input ${row.ifmapH}x${row.ifmapW}`);
    }
    rows.push(row);
  });
  if (rows.length === 0) throw new MactileError(`topology ${file}: expected at least one layer row after the header, received none`);
  return { rows, gemm };
}

/** Builds the network IR of SCALE-Sim rows (each layer reads its own input; the ceiling output becomes padding). */
function rowsToNetwork(rows: ScaleSimRow[], name: string, source: string): Network {
  const first = rows[0]!;
  const b = new NetBuilder(name, { h: first.ifmapH, w: first.ifmapW, c: first.channels }, source, `topology ${source}`);
  rows.forEach((r, i) => {
    const input = i === 0 ? 'input' : b.tensor(`${r.name}.in`, { h: r.ifmapH, w: r.ifmapW, c: r.channels });
    const eh = scaleSimOutput(r.ifmapH, r.filterH, r.strideH);
    const ew = scaleSimOutput(r.ifmapW, r.filterW, r.strideW);
    const pad = { top: 0, left: 0, bottom: (eh - 1) * r.strideH + r.filterH - r.ifmapH, right: (ew - 1) * r.strideW + r.filterW - r.ifmapW };
    const dp = isDepthwiseRow(r);
    b.conv(r.name, {
      out: dp ? r.channels * r.numFilter : r.numFilter,
      k: [r.filterH, r.filterW],
      stride: [r.strideH, r.strideW],
      pad,
      groups: dp ? r.channels : 1,
    }, input);
  });
  return b.build();
}

/** Loads a SCALE-Sim topology or GEMM CSV as a network, keeping the original rows for compatibility mode. */
export function loadScaleSimCsv(file: string): Network & { scalesimRows: ScaleSimRow[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new MactileError(`topology ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const { rows } = parseScaleSimCsv(text, file);
  return { ...rowsToNetwork(rows, basename(file, extname(file)), file), scalesimRows: rows };
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
      return [{ ...base, name: safe.includes('DP') ? safe : `${safe}_DP`, channels: l.inShape.c, numFilter: perGroupOut }];
    }
    return Array.from({ length: l.groups }, (_, g) => ({ ...base, name: `${safe}_g${g}`, channels: l.inShape.c / l.groups, numFilter: perGroupOut }));
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
