/**
 * What a driver run can do besides simulating: write a waveform of chosen cycle windows (a trace build),
 * keep its job for `mactile replay`, or run a kept job's bytes. Cycle windows are in layer cycles: the
 * cycles of a layer's items (GEMMs, convolutions) laid end to end, as the driver counts them (sim/mt_trace.h).
 */
import type { CycleWindow } from '../accel/accelerator.js';

/** Options of one driver run (every field optional: a plain run has none). */
export interface DriverRunOptions {
  /** Writes the waveform of these windows (sorted, disjoint) into `file` (needs a trace build). */
  trace?: { file: string; windows: CycleWindow[] };
  /** Keeps the job and result files, and the replay file, in this folder (default: MACTILE_KEEP_JOBS). */
  keepDir?: string;
  /** Replay: the kept job's bytes (from `file`); the job the layer encodes must equal them. */
  job?: { bytes: Buffer; file: string };
  /** Reads the activity counters the driver of an activity build writes beside its result (RESULT.activity). */
  activity?: boolean;
}

/** The folder jobs are kept in: the run's own, else MACTILE_KEEP_JOBS, else none. */
export function keepFolder(run?: DriverRunOptions): string | undefined {
  return run?.keepDir ?? (process.env.MACTILE_KEEP_JOBS || undefined);
}

/** The file-name tag of a kept job, from what the run names (e.g. "layer conv1" -> "layer_conv1"). */
export function keptTag(what: string): string {
  return what.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

/** Windows as the driver reads them: `START:END[,START:END...]`. */
export function windowsArg(windows: CycleWindow[]): string {
  return windows.map((w) => `${w.start}:${w.end}`).join(',');
}

/** Sorts windows, merges overlapping or touching ones and clips them to `[0, cycles)`; drops empty ones. */
export function normalizeWindows(windows: CycleWindow[], cycles: number): CycleWindow[] {
  const sorted = windows
    .map((w) => ({ start: Math.max(0, w.start), end: Math.min(cycles, w.end) }))
    .filter((w) => w.end > w.start)
    .sort((a, b) => a.start - b.start);
  const out: CycleWindow[] = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w.start <= last.end) last.end = Math.max(last.end, w.end);
    else out.push({ ...w });
  }
  return out;
}
