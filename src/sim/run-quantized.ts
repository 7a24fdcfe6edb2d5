/**
 * A whole inference of a real image through the RTL: the quantized model's MAC layers run on the
 * generated hardware (each checked bit for bit against the golden kernel on the same input, and cycle for
 * cycle against the analytic model), host ops run as the golden executor runs them, and the final logits
 * must equal the golden integer executor's.
 */
import type { HardwareConfig } from '../config/schema.js';
import type { MacLayer } from '../nets/ir.js';
import { argmax } from '../quant/evaluate.js';
import { caccTruncateBits, goldenNvdlaLayer } from '../quant/golden.js';
import { runQuant, runQuantWith } from '../quant/int-exec.js';
import type { QuantModel } from '../quant/quantize.js';
import { roundShift } from '../quant/requant.js';
import type { QuantLayer } from '../quant/tensor.js';
import { MactileError } from '../util/errors.js';
import { checkLayer, type LayerCheck } from './check-layer.js';
import { buildFor } from './run-network.js';
import type { Build } from './build.js';

/**
 * The layer as the NVDLA-style core runs it: CACC truncates accumulators that could exceed 32 bits, and
 * the bias and shift of the SDP move to the truncated scale.
 */
export function nvdlaQuantLayer(l: MacLayer, q: QuantLayer): QuantLayer {
  const t = caccTruncateBits(l, q.bits);
  if (t === 0) return { ...q, caccTruncate: 0 };
  const shift = q.shift.map((s) => s - t);
  if (shift.some((s) => s < 0)) throw new MactileError(`layer ${l.name}: the NVDLA-style core would need a negative SDP shift after truncating ${t} bits`);
  return { ...q, caccTruncate: t, bias: q.bias.map((b) => roundShift(b, t)), shift };
}

export interface QuantizedSim {
  layers: LayerCheck[];
  build: Build;
  label: number;
  predicted: number;
  goldenPredicted: number;
  logits: number[];
  goldenLogits: number[];
  logitsIdentical: boolean;
  ok: boolean;
}

/** Runs one image through the RTL and through the golden executor of the same hardware. */
export async function simulateQuantized(
  qm: QuantModel,
  cfg: HardwareConfig,
  image: { pixels: Float32Array; label: number },
  opts: { onLayer?: (c: LayerCheck) => void } = {},
): Promise<QuantizedSim> {
  const build = await buildFor(cfg);
  const layerFor = (l: MacLayer, q: QuantLayer) => (cfg.kind === 'nvdla' ? nvdlaQuantLayer(l, q) : q);
  const layers: LayerCheck[] = [];
  const rtl = await runQuantWith(qm, image.pixels, async (l, x, q) => {
    const { check, output } = await checkLayer(build, cfg, l, x, layerFor(l, q), qm.net);
    layers.push(check);
    opts.onLayer?.(check);
    return output;
  });
  // The golden executor of the same hardware: NVDLA's CACC truncation on the NVDLA-style core.
  const golden = cfg.kind === 'nvdla'
    ? await runQuantWith(qm, image.pixels, async (l, x, q) => goldenNvdlaLayer(l, x, nvdlaQuantLayer(l, q)))
    : runQuant(qm, image.pixels);
  const a = rtl.tensors.get(rtl.outputName)!.data;
  const b = golden.tensors.get(golden.outputName)!.data;
  const logitsIdentical = a.length === b.length && a.every((v, i) => v === b[i]);
  return {
    layers,
    build,
    label: image.label,
    predicted: argmax(rtl.output),
    goldenPredicted: argmax(golden.output),
    logits: Array.from(a),
    goldenLogits: Array.from(b),
    logitsIdentical,
    ok: logitsIdentical && layers.every((c) => c.bitExact && c.cycleExact && c.countersOk),
  };
}
