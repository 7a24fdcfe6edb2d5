/**
 * Batching: N inputs per MAC layer. A batched layer carries `batch` (absent = 1); its input and output
 * tensors hold the N images one after the other (NHWC with the image outermost), which is an NHWC tensor
 * of N times the height. The golden model, the analytic models and the RTL runners read `batch` from the
 * layer; the commands apply the config's `batch` key (or `--batch`) to a network with `batchNetwork`.
 */
import { isMacLayer, type MacLayer, type Network, type Shape } from './ir.js';

/** The largest batch mactile takes (`--batch`, config key `batch`). */
export const MAX_BATCH = 1024;

/** The inputs a layer processes at once (1 unless batched). */
export function batchOf(l: MacLayer): number {
  return l.batch ?? 1;
}

/** The network a config runs: its MAC layers batched by the config's `batch` key (absent: 1). */
export function workloadOf(net: Network, cfg: { batch?: number }): Network {
  return batchNetwork(net, cfg.batch ?? 1);
}

/** A network whose MAC layers each process `batch` inputs (the network itself when batch is 1). */
export function batchNetwork(net: Network, batch: number): Network {
  if (batch === 1) return net;
  return { ...net, layers: net.layers.map((l) => (isMacLayer(l) ? { ...l, batch } : l)) };
}

/** The shape of `batch` images of shape `s` held one after the other (N x H stacked as the height). */
function stackedShape(s: Shape, batch: number): Shape {
  return batch === 1 ? s : { ...s, h: s.h * batch };
}

/** A layer's input tensor shape over its whole batch. */
export function batchInShape(l: MacLayer): Shape {
  return stackedShape(l.inShape, batchOf(l));
}

/** A layer's output tensor shape over its whole batch. */
export function batchOutShape(l: MacLayer): Shape {
  return stackedShape(l.outShape, batchOf(l));
}

/** The single-image view of a batched layer (the layer itself when unbatched). */
export function imageLayer(l: MacLayer): MacLayer {
  if (l.batch === undefined) return l;
  const { batch: _batch, ...one } = l;
  return one;
}

/** Values of one image of a shape. */
export function imageValues(s: Shape): number {
  return s.h * s.w * s.c;
}
