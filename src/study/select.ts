/** Which runs of the study a finding or a section speaks of: by network, size, dataflow, precision and memory. */
import type { AnalyticRun, StudyData } from './data.js';

/** The anchor of a network's part of a section. */
export const anchorOf = (section: string, net?: string) => (net ? `${section}-${net}` : section);

/** The systolic run of a network at a size, dataflow, precision and DRAM ("calc": ideal memory). */
export function systolicRun(
  d: StudyData,
  net: string,
  size: number,
  dataflow: string,
  precision: 'int8' | 'int16',
  dram: number | 'calc',
): AnalyticRun | undefined {
  return d.systolic.find(
    (r) => r.net === net && r.size === size && r.dataflow === dataflow && r.precision === precision && r.dram === dram,
  );
}

/** The size the dataflow findings compare at: 32x32 when studied, else the largest size studied. */
export function comparisonSize(d: StudyData): number | undefined {
  const sizes = [...new Set(d.systolic.map((r) => r.size!))];
  return sizes.includes(32) ? 32 : sizes.sort((a, b) => b - a)[0];
}

/** The dataflows at a size for a network (INT8, ideal memory), fastest first. */
export function dataflowRanking(d: StudyData, net: string, size: number): AnalyticRun[] {
  return d.systolic
    .filter((r) => r.net === net && r.size === size && r.precision === 'int8' && r.dram === 'calc')
    .sort((a, b) => a.totals.cycles - b.totals.cycles);
}
