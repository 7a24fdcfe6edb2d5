/**
 * Per-inference figures of a batched run beside its totals: a batch of N divides cycles, time and DRAM
 * words by N (utilisation is the same for the batch and for one inference). Nothing here is shown at
 * batch 1, so that an unbatched run's outputs stay as they were.
 */
import type { Column } from './table.js';

/** The figures of a layer or network that a batch divides. */
interface Batchable {
  cycles: number;
  timeUs: number;
  dramWords: number;
}

/** Per-inference figures of a batch's totals. */
export interface PerInference {
  batch: number;
  cycles: number;
  timeUs: number;
  dramWords: number;
  /** Inferences per second at the configured clock. */
  inferencesPerSecond: number;
}

/** The per-inference figures of a batch of `batch` inputs. */
export function perInference(t: Batchable, batch: number): PerInference {
  return {
    batch,
    cycles: t.cycles / batch,
    timeUs: t.timeUs / batch,
    dramWords: t.dramWords / batch,
    inferencesPerSecond: t.timeUs > 0 ? (1e6 * batch) / t.timeUs : 0,
  };
}

/** A layer's JSON with its per-inference figures (unchanged at batch 1). */
export function withPerInference<T extends Batchable>(l: T, batch: number): T | (T & { perInference: PerInference }) {
  return batch === 1 ? l : { ...l, perInference: perInference(l, batch) };
}

/** Table columns of the per-inference cycles and time (none at batch 1). */
export function perInferenceColumns<T>(
  batch: number,
  get: (row: T) => Pick<Batchable, 'cycles' | 'timeUs'>,
  clockMhz: number,
): Column<T>[] {
  if (batch === 1) return [];
  return [
    { header: 'cycles/inference', value: (r) => get(r).cycles / batch, digits: 1 },
    { header: `us/inference @${clockMhz}MHz`, value: (r) => get(r).timeUs / batch, digits: 3 },
  ];
}

/** The closing line of a batched run ("batch 16: per inference ..."), or undefined at batch 1. */
export function perInferenceLine(t: Batchable, batch: number, utilPct: number): string | undefined {
  if (batch === 1) return undefined;
  const p = perInference(t, batch);
  const n = (v: number, d = 0) => v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  return (
    `batch ${batch}: per inference ${n(p.cycles, 1)} cycles, ${n(p.timeUs, 3)} us, ${n(p.dramWords, 1)} DRAM words` +
    ` (${n(p.inferencesPerSecond)} inferences/s); utilisation ${n(utilPct, 2)} %, the same for the batch and per inference`
  );
}
