/**
 * A whole inference of a real image through the RTL: the quantized model's MAC layers run on the
 * generated hardware (each checked bit for bit against the golden kernel on the same input, and cycle for
 * cycle against the analytic model), host ops run as the golden executor runs them, and the final logits
 * must equal the golden integer executor's. With the config's `batch` of N, N images run together: their
 * executors meet at every MAC layer, which runs once on the N stacked inputs.
 */
import type { LayerCheck } from '../accel/accelerator.js';
import { checkLayer } from '../accel/check.js';
import { accelOf } from '../accel/registry.js';
import type { HardwareConfig } from '../config/schema.js';
import { imageValues } from '../nets/batch.js';
import { argmax } from '../quant/evaluate.js';
import { runQuantWith } from '../quant/int-exec.js';
import type { QuantModel } from '../quant/quantize.js';
import { MactileError } from '../util/errors.js';
import { allChecksPass, buildFor } from './run-network.js';
import type { Build } from './build.js';
import type { MacLayer } from '../nets/ir.js';
import type { IntTensor, QuantLayer } from '../quant/tensor.js';

/** One image's inference: its label, the RTL's and the golden executor's logits and classes. */
export interface Inference {
  label: number;
  predicted: number;
  goldenPredicted: number;
  logits: number[];
  goldenLogits: number[];
  logitsIdentical: boolean;
}

/** The run of a batch (the first image's figures at the top level, every image's in `inferences`). */
export interface QuantizedSim extends Inference {
  layers: LayerCheck[];
  build: Build;
  inferences: Inference[];
  ok: boolean;
}

type MacStep = (l: MacLayer, x: IntTensor, q: QuantLayer) => Promise<IntTensor>;

/**
 * The model with every output stage in mode rhaz, the RTL's: each layer's integer multiplier and shift (the
 * nearest to its factor) instead of the ort or gemmlowp rounding; input and float host ops quantize as rhaz.
 */
export function asRhaz(qm: QuantModel): QuantModel {
  const layers: QuantModel['layers'] = {};
  for (const [name, l] of Object.entries(qm.layers)) {
    const { requant: _mode, ortFactor: _factor, ...rest } = l;
    layers[name] = rest;
  }
  const { requant: _requant, ...options } = qm.options;
  return { ...qm, options, layers };
}

/** Refuses a model whose output stages round in a mode the hardware's output stage does not compute. */
function requireMode(qm: QuantModel, cfg: HardwareConfig, where: string): void {
  // Only the systolic array has the config key requant (rhaz or ort); every other output stage computes rhaz.
  const hw = (cfg as { requant?: string }).requant ?? 'rhaz';
  const mode = qm.options.requant ?? 'rhaz';
  const layer = Object.entries(qm.layers).find(([, l]) => (l.requant ?? 'rhaz') !== hw);
  if (mode !== hw || layer)
    throw new MactileError(
      `${where}: the model requantizes in mode ${layer?.[1].requant ?? mode}${layer ? ` (layer ${layer[0]})` : ''}, but the RTL output stage of ${cfg.name} computes mode ${hw}${hw === 'rhaz' ? ' (integer multiplier, shift, half away from zero)' : ''}; ${mode === 'ort' ? 'use a systolic config with requant: ort, or ' : ''}pass --requant rhaz to run it with the multiplier nearest each layer's factor (its outputs then can differ from onnxruntime's by 1 LSB)`,
    );
}

/**
 * MAC steps for `n` executors run side by side: each waits until all have reached the layer, the layer
 * runs once with the n inputs stacked (`run` gets the layer with its batch), and each gets its own output.
 */
function batchedSteps(n: number, run: MacStep): MacStep[] {
  let waiting: { x: IntTensor; done: (y: IntTensor) => void; fail: (e: unknown) => void }[] = [];
  const step =
    (i: number): MacStep =>
    (l, x, q) =>
      new Promise<IntTensor>((done, fail) => {
        waiting[i] = { x, done, fail };
        if (waiting.filter(Boolean).length < n) return;
        const all = waiting;
        waiting = [];
        const size = imageValues(l.inShape);
        const data = new Int16Array(n * size);
        all.forEach((w, b) => data.set(w.x.data, b * size));
        const layer = n === 1 ? l : { ...l, batch: n };
        run(layer, { shape: { ...l.inShape, h: l.inShape.h * n }, data }, q).then(
          (y) => {
            const out = imageValues(l.outShape);
            all.forEach((w, b) => w.done({ shape: l.outShape, data: y.data.slice(b * out, (b + 1) * out) }));
          },
          (e) => all.forEach((w) => w.fail(e)),
        );
      });
  return Array.from({ length: n }, (_, i) => step(i));
}

/** Runs images (as many as the config's batch) through the RTL and through the golden executor of the same hardware. */
export async function simulateQuantized(
  qm: QuantModel,
  cfg: HardwareConfig,
  images: { pixels: Float32Array; label: number }[],
  opts: { onLayer?: (c: LayerCheck) => void; activity?: boolean; where?: string } = {},
): Promise<QuantizedSim> {
  requireMode(qm, cfg, opts.where ?? `quantized model ${qm.net.name}`);
  const batch = cfg.batch ?? 1;
  if (images.length !== batch) throw new Error(`simulateQuantized: ${images.length} images for a batch of ${batch}`);
  const accel = accelOf(cfg);
  const build = await buildFor(cfg, {}, opts.activity ? { activity: true } : undefined);
  const layers: LayerCheck[] = [];
  const steps = batchedSteps(batch, async (l, x, q) => {
    const { check, output } = await checkLayer(accel, build, cfg, l, x, accel.hardwareQuant(l, q), qm.net);
    layers.push(check);
    opts.onLayer?.(check);
    return output;
  });
  const rtl = await Promise.all(images.map((image, i) => runQuantWith(qm, image.pixels, steps[i]!)));
  const inferences: Inference[] = [];
  for (const [i, image] of images.entries()) {
    // The golden executor of the same hardware (e.g. NVDLA's CACC truncation on the NVDLA-style core).
    const golden = await runQuantWith(qm, image.pixels, async (l, x, q) =>
      accel.golden(l, x, accel.hardwareQuant(l, q)),
    );
    const r = rtl[i]!;
    const a = r.tensors.get(r.outputName)!.data;
    const b = golden.tensors.get(golden.outputName)!.data;
    inferences.push({
      label: image.label,
      predicted: argmax(r.output),
      goldenPredicted: argmax(golden.output),
      logits: Array.from(a),
      goldenLogits: Array.from(b),
      logitsIdentical: a.length === b.length && a.every((v, k) => v === b[k]),
    });
  }
  return {
    ...inferences[0]!,
    layers,
    build,
    inferences,
    ok: inferences.every((x) => x.logitsIdentical) && allChecksPass(layers),
  };
}
