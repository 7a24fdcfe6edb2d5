/** One-line descriptions of hardware configs for tables and report headers (each kind describes its own). */
import { accelOf } from '../accel/registry.js';
import type { HardwareConfig } from './schema.js';

/** Cells of the accelerator (PEs or MAC cells). */
export function cellsOf(c: HardwareConfig): number {
  return accelOf(c).cells(c);
}

/** The published estimate mactile's cycles stand beside: SCALE-Sim v2 for arrays, NVDLA's estimator for cores. */
export function referenceName(c: HardwareConfig): string {
  return accelOf(c).referenceName;
}

/** Describes a config in one line, e.g. "systolic 16x16 os int8, scalesim timing, 1000 MHz". */
export function describeConfig(c: HardwareConfig): string {
  return accelOf(c).describe(c);
}
