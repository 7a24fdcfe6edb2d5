/**
 * The area part of the study: yosys generic synthesis of each config asked for, hierarchical (each distinct
 * module once, the hierarchy's totals from `stat -top`; docs/BENCHMARKS.md compares it with flattening),
 * from the synthesis cache where it holds the design. Synthesis not in the cache shares one budget of yosys
 * seconds; a config the budget does not reach, or yosys does not finish in what is left of it, is listed as
 * not synthesized, never given a number.
 */
import { accelOf } from '../accel/registry.js';
import { cellsOf, describeConfig } from '../config/describe.js';
import type { HardwareConfig } from '../config/schema.js';
import { cachedSynthesis, synthesize } from '../synth/yosys.js';
import { MactileError } from '../util/errors.js';
import type { AreaRun, AreaStudy } from './data.js';

/** The flow the study's area figures come from, in words. */
const AREA_FLOW = 'yosys generic synth, hierarchical (each distinct module once; totals by stat -top)';

/** The area of each config, in order, within `budgetSeconds` of yosys time for what the cache does not hold. */
export async function areaStudy(configs: HardwareConfig[], budgetSeconds: number): Promise<AreaStudy> {
  let left = budgetSeconds;
  let yosys = '';
  const runs: AreaRun[] = [];
  for (const cfg of configs) {
    const base = { config: cfg.name, describe: describeConfig(cfg), macCells: cellsOf(cfg) };
    const design = accelOf(cfg).design(cfg);
    const hit = cachedSynthesis(design, 'generic', { flatten: false });
    if (!hit && left < 1) {
      runs.push({ ...base, notSynthesized: `not in the synthesis cache and the ${budgetSeconds} s budget is spent` });
      continue;
    }
    try {
      const r = hit ?? (await synthesize(design, 'generic', { flatten: false, timeoutSeconds: Math.floor(left) }));
      if (!r.cached) left -= r.seconds;
      yosys = r.yosys;
      runs.push({ ...base, cells: r.cells, seconds: r.seconds, cached: r.cached });
    } catch (e) {
      if (!(e instanceof MactileError)) throw e;
      // A timeout spends what was left; a failure (no yosys, an error) says why.
      if (/did not finish within/.test(e.message)) left = 0;
      runs.push({ ...base, notSynthesized: e.message.split('\n')[0]! });
    }
  }
  return { flow: AREA_FLOW, yosys, budgetSeconds, runs };
}
