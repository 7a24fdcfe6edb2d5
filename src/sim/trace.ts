/**
 * Waveforms of `sim --trace DIR` and `replay --trace DIR`: for each traced layer, the FST file the trace
 * build's driver writes (limited to cycle windows: the user's `--window`, else the kind's default, e.g. the
 * systolic array's first and last fold) and a text signal map beside it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Accelerator, BaseConfig, CycleWindow, LayerPrediction } from '../accel/accelerator.js';
import type { MacLayer } from '../nets/ir.js';
import type { DesignSources } from '../rtl/design.js';
import { checkOutputFolder, writeOutputFile } from '../util/output.js';
import { normalizeWindows, windowsArg, type DriverRunOptions } from './run-options.js';

/** Cycles at each end of a layer a kind without a fold schedule traces by default. */
const DEFAULT_EDGE = 1000;

/** What `--trace` asks for: the folder, and the window (absent: the kind's default). */
export interface TraceRequest {
  dir: string;
  window?: CycleWindow;
}

/** One traced layer: its files, its windows and the driver options that write it. */
export interface LayerTrace {
  fst: string;
  map: string;
  windows: CycleWindow[];
  /** Where the windows came from ("--window", or the default's description). */
  origin: string;
  /** The layer's cycles as the analytic model predicts them. */
  predictedCycles: number;
  run: NonNullable<DriverRunOptions['trace']>;
}

/** The base name of a layer's files: its index among the network's MAC layers (when known) and its name, made safe. */
function traceBaseName(index: number | undefined, name: string): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]+/g, '_');
  return index === undefined ? safe : `${String(index).padStart(2, '0')}-${safe}`;
}

/** Checks that the trace folder can be written (naming `option` in errors) and creates it. */
export function prepareTraceFolder(dir: string, option = '--trace'): void {
  checkOutputFolder(dir, option);
  mkdirSync(dir, { recursive: true });
}

/** Plans the trace of one layer: its files in the folder and its windows, clipped to the predicted cycles. */
export function planLayerTrace<C extends BaseConfig, L extends LayerPrediction>(
  accel: Accelerator<C, L>,
  cfg: C,
  l: MacLayer,
  index: number | undefined,
  req: TraceRequest,
): LayerTrace {
  const p = accel.predictLayer(l, cfg);
  const cycles = p.stallsModelled ? p.cycles : p.computeCycles;
  const base = join(req.dir, traceBaseName(index, l.name));
  let windows: CycleWindow[];
  let origin: string;
  if (req.window) {
    windows = [req.window];
    origin = '--window';
  } else if (accel.traceWindows) {
    windows = normalizeWindows(accel.traceWindows(l, cfg), cycles);
    origin = 'default: the first fold and the last fold of the layer, from the analytic model';
  } else {
    windows = normalizeWindows(
      [
        { start: 0, end: DEFAULT_EDGE },
        { start: cycles - DEFAULT_EDGE, end: cycles },
      ],
      cycles,
    );
    origin = `default: the first and the last ${DEFAULT_EDGE} cycles of the layer`;
  }
  const fst = `${base}.fst`;
  return { fst, map: `${base}.signals.txt`, windows, origin, predictedCycles: cycles, run: { file: fst, windows } };
}

/** Writes the signal map of a traced layer beside its FST file (before the run, so that a failed run has one too). */
export function writeSignalMap<C extends BaseConfig, L extends LayerPrediction>(
  accel: Accelerator<C, L>,
  cfg: C,
  design: Pick<DesignSources, 'top' | 'portGroups'>,
  l: MacLayer,
  t: LayerTrace,
  buildKey: string,
): void {
  const lines = [
    `# mactile signal map of ${t.fst}: layer ${l.name} on ${accel.describe(cfg)} (trace build ${buildKey})`,
    '# open it with: gtkwave FILE.fst (Debian package gtkwave; fst2vcd FILE.fst prints it as VCD)',
    '# time 2c = layer cycle c before its rising clock edge (the state the driver samples), 2c+1 = just after it;',
    "# layer cycles: the cycles of the layer's items (GEMMs, convolutions) laid end to end",
    `# windows traced (START:END, END not included): ${windowsArg(t.windows) || 'none'} (${t.origin}); the analytic model predicts ${t.predictedCycles} cycles for the layer`,
    `## top-level ports (TOP.${design.top}.<port>), by group`,
    ...design.portGroups.map((g) => `${g.ports.join(', ')}  ${g.group}${g.purpose ? `: ${g.purpose}` : ''}`),
    ...(accel.traceSignals?.(cfg) ?? []),
    '',
  ];
  writeOutputFile(t.map, lines.join('\n'), `--trace ${t.map}`);
}
