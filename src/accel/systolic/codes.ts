/**
 * The RTL codes of the systolic array's dataflows and fold timing modes: the `DF` and `TIMING` parameters,
 * MT_DATAFLOW / MT_TIMING in the C++ header, the enums of mt_sa_pkg (rtl-package.ts) and the job files.
 * Kept apart from the package emitter so the analytic side (the dataflow strategies) can name them.
 */
import type { Dataflow, Timing } from '../../config/schema.js';

/** RTL codes of the dataflows. */
export const DATAFLOW_CODES = { os: 0, ws: 1, is: 2 } as const satisfies Record<Dataflow, number>;
/** RTL codes of the fold timing modes. */
export const TIMING_CODES = { scalesim: 0, pipelined: 1 } as const satisfies Record<Timing, number>;

export type DataflowCode = (typeof DATAFLOW_CODES)[Dataflow];
export type TimingCode = (typeof TIMING_CODES)[Timing];
