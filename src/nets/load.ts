/** Resolves a `--net` argument: a zoo name, a SCALE-Sim topology/GEMM CSV or an ONNX model. */
import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { MactileError } from '../util/errors.js';
import type { Network } from './ir.js';
import { loadScaleSimCsv, type ScaleSimRow } from './scalesim-csv.js';
import { ZOO, zooNetwork } from './zoo.js';

export type LoadedNetwork = Network & { scalesimRows?: ScaleSimRow[] };

/** Loads the network named by a zoo name or a file path. */
export function loadNetwork(spec: string): LoadedNetwork {
  const ext = extname(spec).toLowerCase();
  if (ext === '.csv') {
    if (!existsSync(spec)) throw new MactileError(`topology ${spec}: no such file`);
    return loadScaleSimCsv(spec);
  }
  if (ext === '.onnx') {
    throw new MactileError(`network ${spec}: ONNX models are not supported by this version yet; use a zoo name (${ZOO.map((z) => z.name).join(', ')}) or a SCALE-Sim .csv topology`);
  }
  return zooNetwork(spec);
}
