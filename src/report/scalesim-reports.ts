/**
 * SCALE-Sim v2.0.2's three report files, byte for byte: COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and
 * DETAILED_ACCESS_REPORT.csv (19 columns), one row per simulated layer (DP rows split per channel), LayerID
 * from 0, `", "` separators, a trailing comma on every line and Python's float text.
 */
import type { NetworkPerf, ScaleSimPart } from '../accel/systolic/model.js';
import type { OperandTrace } from '../analytic/scalesim-memory.js';
import { MactileError } from '../util/errors.js';
import { writeOutputFiles } from '../util/output.js';

export const COMPUTE_REPORT_HEADER =
  'LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,';
export const BANDWIDTH_REPORT_HEADER =
  'LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, Avg FILTER DRAM BW, Avg OFMAP DRAM BW,';
export const DETAILED_ACCESS_REPORT_HEADER =
  'LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, SRAM Filter Start Cycle, SRAM Filter Stop Cycle, ' +
  'SRAM Filter Reads, SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, ' +
  'DRAM IFMAP Reads, DRAM Filter Start Cycle, DRAM Filter Stop Cycle, DRAM Filter Reads, DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, ' +
  'DRAM OFMAP Writes,';

/**
 * A float as Python's repr prints it: the shortest round-trip digits, positional when 1e-4 <= |x| < 1e16
 * (always with a fractional part, `75.0`), otherwise `d.ddde±XX` with at least two exponent digits (`1e-05`).
 */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const e = String(Math.abs(exp)).padStart(2, '0');
    return `${sign}${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${int}.${frac === '' ? '0' : frac}`;
}

/** A value as SCALE-Sim prints it: ints plainly, floats as Python does. */
type Cell = { int: number } | { float: number };
const cellText = (c: Cell) => ('int' in c ? String(c.int) : pythonFloat(c.float));
const int = (v: number): Cell => ({ int: v });
const float = (v: number): Cell => ({ float: v });

function line(id: number, cells: Cell[]): string {
  return `${[String(id), ...cells.map(cellText)].join(', ')},`;
}

/** Avg DRAM BW: words over the activity window (numpy float64 division in SCALE-Sim). */
const dramBw = (t: OperandTrace) => t.words / (t.stop - t.start + 1);

function computeRow(id: number, p: ScaleSimPart): string {
  return line(id, [
    int(p.cycles),
    int(p.stallCycles),
    float(p.figures.overallUtil),
    float(p.figures.mappingEfficiency),
    float(p.figures.computeUtil),
  ]);
}

function bandwidthRow(id: number, p: ScaleSimPart): string {
  const s = p.perf.sram;
  return line(id, [
    float(s.ifmapReads / p.cycles),
    float(s.filterReads / p.cycles),
    float(s.ofmapWrites / p.cycles),
    float(dramBw(p.dram.ifmap)),
    float(dramBw(p.dram.filter)),
    float(dramBw(p.dram.ofmap)),
  ]);
}

function detailedRow(id: number, p: ScaleSimPart): string {
  const s = p.perf.sram;
  const sram = (w: { start: number; stop: number }, count: number) => [float(w.start), float(w.stop), int(count)];
  const dram = (t: OperandTrace) => [float(t.start), float(t.stop), int(t.words)];
  return line(id, [
    ...sram(p.sram.ifmap, s.ifmapReads),
    ...sram(p.sram.filter, s.filterReads),
    ...sram(p.sram.ofmap, s.ofmapWrites),
    ...dram(p.dram.ifmap),
    ...dram(p.dram.filter),
    ...dram(p.dram.ofmap),
  ]);
}

/** The three report texts of a SCALE-Sim-mode analysis (file name -> contents). */
export function scaleSimReportTexts(perf: NetworkPerf): Record<string, string> {
  if (perf.model !== 'scalesim') {
    throw new MactileError(
      `SCALE-Sim reports: expected an analysis in SCALE-Sim compatibility mode, received the ${perf.model} model`,
    );
  }
  const parts = perf.layers.flatMap((l) => l.scalesimParts ?? []);
  const file = (header: string, row: (id: number, p: ScaleSimPart) => string) =>
    [header, ...parts.map((p, i) => row(i, p))].join('\n') + '\n';
  return {
    'COMPUTE_REPORT.csv': file(COMPUTE_REPORT_HEADER, computeRow),
    'BANDWIDTH_REPORT.csv': file(BANDWIDTH_REPORT_HEADER, bandwidthRow),
    'DETAILED_ACCESS_REPORT.csv': file(DETAILED_ACCESS_REPORT_HEADER, detailedRow),
  };
}

/** Writes COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv into `dir`; returns their paths. */
export function writeScaleSimReports(perf: NetworkPerf, dir: string, label = `SCALE-Sim reports in ${dir}`): string[] {
  return writeOutputFiles(dir, Object.entries(scaleSimReportTexts(perf)), label);
}
