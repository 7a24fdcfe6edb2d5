/**
 * A whole inference of a real image through the RTL: the quantized model's MAC layers run on the
 * generated hardware (each checked bit for bit against the golden kernel on the same input, and cycle for
 * cycle against the analytic model), host ops run as the golden executor runs them, and the final logits
 * must equal the golden integer executor's.
 */
import type { LayerCheck } from '../accel/accelerator.js';
import { checkLayer } from '../accel/check.js';
import { accelOf } from '../accel/registry.js';
import type { HardwareConfig } from '../config/schema.js';
import { argmax } from '../quant/evaluate.js';
import { runQuantWith } from '../quant/int-exec.js';
import type { QuantModel } from '../quant/quantize.js';
import { allChecksPass, buildFor } from './run-network.js';
import type { Build } from './build.js';

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
  const accel = accelOf(cfg);
  const build = await buildFor(cfg);
  const layers: LayerCheck[] = [];
  const rtl = await runQuantWith(qm, image.pixels, async (l, x, q) => {
    const { check, output } = await checkLayer(accel, build, cfg, l, x, accel.hardwareQuant(l, q), qm.net);
    layers.push(check);
    opts.onLayer?.(check);
    return output;
  });
  // The golden executor of the same hardware (e.g. NVDLA's CACC truncation on the NVDLA-style core).
  const golden = await runQuantWith(qm, image.pixels, async (l, x, q) => accel.golden(l, x, accel.hardwareQuant(l, q)));
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
    ok: logitsIdentical && allChecksPass(layers),
  };
}
