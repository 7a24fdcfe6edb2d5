/**
 * The points of a design-space sweep: the cross product of networks and of the axes given (config keys such
 * as rows, cols, dataflow, precision, timing, or NVDLA's atomic_c and atomic_k) over a base config of any
 * kind, each point a validated config plus the level it runs at.
 */
import { extname, resolve } from 'node:path';
import { accelOf, findAccelerator } from '../accel/registry.js';
import { validateConfig } from '../config/load.js';
import type { HardwareConfig } from '../config/schema.js';
import { MactileError } from '../util/errors.js';

export type SweepLevel = 'analytic' | 'rtl';

export interface SweepPoint {
  net: string;
  level: SweepLevel;
  config: HardwareConfig;
  /** Identity of the point: the same point in a rerun has the same key. */
  key: string;
}

/** One swept config key (dotted for a nested one: `sram.ifmap_kb`) and its values (`option` names it in messages). */
export interface GridAxis {
  key: string;
  option: string;
  values: unknown[];
}

export interface GridSpec {
  nets: string[];
  /** The base config every point starts from (raw keys, `kind` included) and where it came from. */
  base: Record<string, unknown>;
  baseSource: string;
  axes: GridAxis[];
  level: SweepLevel;
}

/**
 * A network as a point stores it: a file (a SCALE-Sim CSV or an ONNX model, as loadNetwork tells them
 * apart) as an absolute path, so a worker finds it whatever its working directory (Slurm tasks start in
 * the project root); a zoo name as it is.
 */
function netSpec(net: string): string {
  return ['.csv', '.onnx'].includes(extname(net).toLowerCase()) ? resolve(net) : net;
}

/** A copy of `raw` with the key at a dotted `path` (e.g. `sram.ifmap_kb`) set to `value`. */
function withKey(raw: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) return { ...raw, [head!]: value };
  const inner = raw[head!];
  const base =
    inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {};
  return { ...raw, [head!]: withKey(base, rest.join('.'), value) };
}

/** All combinations of the axes' values, as key -> value records. */
function combinations(axes: GridAxis[]): Record<string, unknown>[] {
  return axes.reduce<Record<string, unknown>[]>(
    (acc, a) => acc.flatMap((c) => a.values.map((v) => ({ ...c, [a.key]: v }))),
    [{}],
  );
}

/** Every point of the grid, each config validated; an empty grid is an error. */
export function gridPoints(g: GridSpec): SweepPoint[] {
  const accel = findAccelerator(g.base.kind);
  if (!accel) throw new MactileError(`sweep: the base config ${g.baseSource} has no known kind`);
  if (g.nets.length === 0) throw new MactileError(`sweep: the grid is empty: --net lists no values`);
  for (const a of g.axes) {
    if (a.values.length === 0) throw new MactileError(`sweep: the grid is empty: ${a.option} lists no values`);
    const twice = a.values.find((v, i) => a.values.indexOf(v) !== i);
    if (twice !== undefined)
      throw new MactileError(`${a.option}: ${JSON.stringify(twice)} is listed twice; list each value once`);
  }
  const points: SweepPoint[] = [];
  const keys = new Set<string>();
  for (const net of [...new Set(g.nets.map(netSpec))]) {
    for (const values of combinations(g.axes)) {
      const raw = Object.entries(values).reduce((r, [k, v]) => withKey(r, k, v), { ...g.base });
      const probe = validateConfig({ ...raw, name: undefined }, `sweep point of ${g.baseSource}`);
      const name = `sweep-${accelOf(probe).sweepName(probe)}`;
      const config = validateConfig({ ...raw, name }, `sweep point ${name}`);
      const key = `${net}|${g.level}|${accelOf(config).sweepKey(config)}`;
      // Values that differ but make the same point (e.g. a key the kind ignores) are one point, run once.
      if (keys.has(key)) continue;
      keys.add(key);
      points.push({ net, level: g.level, config, key });
    }
  }
  return points;
}

/** A config key as `--axis` takes it: names of lower-case letters, digits and `_`, dotted for nested keys. */
const AXIS_KEY = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/;

/**
 * Parses `--axis KEY=V1,V2,...`: any key of the base config (`clock_mhz`, `sram.ifmap_kb`, `dram.bandwidth`,
 * `batch`, ...); values that are numbers become numbers, `true` and `false` booleans, the rest stay words.
 * The config schema checks each point, naming the key.
 */
export function axisOption(text: string): GridAxis {
  const m = /^([^=]+)=(.*)$/.exec(text.trim());
  const key = m?.[1]!.trim() ?? '';
  if (!m || !AXIS_KEY.test(key) || ['kind', 'name'].includes(key))
    throw new MactileError(
      `--axis: expected KEY=V1,V2,... with KEY a config key (e.g. clock_mhz=500,1000 or sram.ifmap_kb=64,256), not kind or name; received ${JSON.stringify(text)}`,
    );
  const values = m[2]!
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .map((v) => (/^[-+]?\d+(?:\.\d+)?$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v));
  return { key, option: `--axis ${key}`, values };
}
