/**
 * The registered accelerator kinds. Adding a kind means adding its folder and one line here; commands, the
 * report and sweeps find it through `accelOf` and `ACCELERATORS`.
 */
import type { HardwareConfig } from '../config/schema.js';
import { MactileError } from '../util/errors.js';
import type { Accelerator, BaseConfig, LayerPrediction } from './accelerator.js';
import { nvdla } from './nvdla/index.js';
import { systolic } from './systolic/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind is typed over its own config
type AnyAccelerator = Accelerator<any, any>;

/** Every kind, in the order help texts list them. */
export const ACCELERATORS: AnyAccelerator[] = [systolic, nvdla];

/** The kind named `kind`, or undefined. */
export function findAccelerator(kind: unknown): AnyAccelerator | undefined {
  return ACCELERATORS.find((a) => a.kind === kind);
}

/** The kind of a validated config. */
export function accelOf(cfg: HardwareConfig | BaseConfig): Accelerator<BaseConfig, LayerPrediction> {
  const a = findAccelerator(cfg.kind);
  if (!a) throw new MactileError(`config ${cfg.source}: key 'kind': expected one of ${kindNames()}, received ${JSON.stringify(cfg.kind)}`);
  return a;
}

/** "systolic | nvdla". */
function kindNames(): string {
  return ACCELERATORS.map((a) => a.kind).join(' | ');
}
