/**
 * The points of a design-space sweep: the cross product of networks, array sizes, dataflows, precisions
 * and timing modes, each point a validated systolic config plus the level it runs at.
 */
import { validateConfig } from '../config/load.js';
import type { SystolicConfig } from '../config/schema.js';
import { MactileError } from '../util/errors.js';

export type SweepLevel = 'analytic' | 'rtl';

export interface SweepPoint {
  net: string;
  level: SweepLevel;
  config: SystolicConfig;
  /** Identity of the point: the same point in a rerun has the same key. */
  key: string;
}

export interface GridSpec {
  nets: string[];
  rows: number[];
  cols: number[];
  dataflows: string[];
  precisions: string[];
  timings: string[];
  level: SweepLevel;
}

/** Parses a comma list of whole numbers (`--rows 8,16,32`), naming the option in errors. */
export function numberList(text: string, option: string): number[] {
  return wordList(text).map((s) => {
    if (!/^\d+$/.test(s)) throw new MactileError(`${option}: expected whole numbers separated by commas, received ${JSON.stringify(s)}`);
    return Number(s);
  });
}

/** A comma list of words. */
export function wordList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

/** Every point of the grid, each config validated; an empty grid is an error. */
export function gridPoints(g: GridSpec): SweepPoint[] {
  const dims: [string, unknown[]][] = [['--net', g.nets], ['--rows', g.rows], ['--cols', g.cols], ['--dataflow', g.dataflows], ['--precision', g.precisions], ['--timing', g.timings]];
  for (const [name, values] of dims) if (values.length === 0) throw new MactileError(`sweep: the grid is empty: ${name} lists no values`);
  const points: SweepPoint[] = [];
  for (const net of g.nets) {
    for (const rows of g.rows) {
      for (const cols of g.cols) {
        for (const dataflow of g.dataflows) {
          for (const precision of g.precisions) {
            for (const timing of g.timings) {
              const name = `sweep-${rows}x${cols}-${dataflow}-${precision}-${timing}`;
              const config = validateConfig({ kind: 'systolic', name, rows, cols, dataflow, precision, timing }, `sweep point ${name}`) as SystolicConfig;
              points.push({ net, level: g.level, config, key: `${net}|${g.level}|${rows}x${cols}|${dataflow}|${precision}|${timing}` });
            }
          }
        }
      }
    }
  }
  return points;
}
