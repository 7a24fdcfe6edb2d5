/** Resolves a `--net` argument: a zoo name, a SCALE-Sim topology/GEMM CSV or an ONNX model. */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { MactileError } from '../util/errors.js';
import type { Network, Shape } from './ir.js';
import { loadOnnxModel } from './onnx-import.js';
import { loadScaleSimCsv, type ScaleSimRow } from './scalesim-csv.js';
import { zooNetwork } from './zoo/index.js';

export type LoadedNetwork = Network & { scalesimRows?: ScaleSimRow[]; scalesimNotes?: string[] };

/** Loads the network named by a zoo name or a file path (an ONNX model's input size can be given). */
export function loadNetwork(spec: string, opts: { inputShape?: Shape } = {}): LoadedNetwork {
  const ext = extname(spec).toLowerCase();
  if (opts.inputShape && ext !== '.onnx') {
    throw new MactileError(
      `--input-shape: sets the input size of an ONNX model whose input is dynamic; ${ext === '.csv' ? 'topology' : 'network'} ${spec} has its own sizes`,
    );
  }
  if (ext === '.csv') {
    if (!existsSync(spec)) throw new MactileError(`topology ${spec}: no such file`);
    return loadScaleSimCsv(spec);
  }
  if (ext === '.onnx') return loadOnnxModel(spec, opts).net;
  return zooNetwork(spec);
}
