/**
 * The registered accelerator kinds. Adding a kind means adding its folder and one line here; commands, the
 * report and sweeps find it through `accelOf` and `ACCELERATORS`.
 */
import { jobFormat } from '../sim/job/layout.js';
import { MactileError } from '../util/errors.js';
import type { Accelerator, BaseConfig, LayerPrediction } from './accelerator.js';
import { nvdla } from './nvdla/index.js';
import { systolic } from './systolic/index.js';

/** Every kind, in the order help texts list them. */
export const ACCELERATORS = [systolic, nvdla] as const;

/** The job-format table of the registered kinds (their job files and job-kind codes, with the shared envelope). */
export const JOB_FORMAT = jobFormat(ACCELERATORS.flatMap((a) => [a.job, ...(a.otherJobs ?? [])]));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind is typed over its own config
type AnyAccelerator = Accelerator<any, any>;
type ConfigOf<A> = A extends Accelerator<infer C, infer _L> ? C : never;

/** Any registered kind's validated config. */
export type HardwareConfig = ConfigOf<(typeof ACCELERATORS)[number]>;

/** The kind named `kind`, or undefined. */
export function findAccelerator(kind: unknown): AnyAccelerator | undefined {
  return (ACCELERATORS as readonly AnyAccelerator[]).find((a) => a.kind === kind);
}

/** The kind of a validated config. */
export function accelOf(cfg: HardwareConfig | BaseConfig): Accelerator<BaseConfig, LayerPrediction> {
  const a = findAccelerator(cfg.kind);
  if (!a)
    throw new MactileError(
      `config ${cfg.source}: key 'kind': expected one of ${kindNames()}, received ${JSON.stringify(cfg.kind)}`,
    );
  return a;
}

/** "systolic | nvdla". */
function kindNames(): string {
  return ACCELERATORS.map((a) => a.kind).join(' | ');
}
