/** GoogLeNet (Inception v1) as torchvision defines it, or with the paper's 5x5 branch. */
import { NetBuilder } from '../builder.js';
import type { Network, Padding } from '../ir.js';

/**
 * Max pooling with PyTorch's ceil_mode=True: the extra bottom/right row and column that ceil mode adds is
 * written as padding (a max pool never picks it).
 */
function ceilPool(b: NetBuilder, name: string, k: number, stride: number): string {
  const s = b.shape();
  const extra = (size: number) => {
    const floorOut = Math.floor((size - k) / stride) + 1;
    let ceilOut = Math.ceil((size - k) / stride) + 1;
    // PyTorch drops a last window that would start outside the input.
    if ((ceilOut - 1) * stride >= size) ceilOut--;
    return ceilOut > floorOut ? (ceilOut - 1) * stride + k - size : 0;
  };
  const p: Padding = { top: 0, left: 0, bottom: extra(s.h), right: extra(s.w) };
  return b.pool(name, 'maxpool', k, stride, p);
}

/** GoogLeNet inception modules (torchvision): in, 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection. */
const GOOGLENET_INCEPTIONS: readonly [string, number, number, number, number, number, number][] = [
  ['3a', 64, 96, 128, 16, 32, 32],
  ['3b', 128, 128, 192, 32, 96, 64],
  ['4a', 192, 96, 208, 16, 48, 64],
  ['4b', 160, 112, 224, 24, 64, 64],
  ['4c', 128, 128, 256, 24, 64, 64],
  ['4d', 112, 144, 288, 32, 64, 64],
  ['4e', 256, 160, 320, 32, 128, 128],
  ['5a', 256, 160, 320, 32, 128, 128],
  ['5b', 384, 192, 384, 48, 128, 128],
];

/**
 * GoogLeNet (Inception v1) as in torchvision, without the auxiliary classifiers (inference). torchvision's
 * "5x5" branch is a 3x3 convolution (its known bug, pytorch/vision#906); `k5: 5` builds the paper's (and
 * Caffe's, and NVDLA's spreadsheet's) 5x5 branch instead.
 */
export function googlenet(opts: { k5?: number } = {}): Network {
  const k5 = opts.k5 ?? 3;
  const b = new NetBuilder(k5 === 3 ? 'googlenet' : `googlenet:k5=${k5}`, { h: 224, w: 224, c: 3 });
  b.conv('conv1', { out: 64, k: 7, stride: 2, pad: 3, activation: 'relu' });
  ceilPool(b, 'maxpool1', 3, 2);
  b.conv('conv2', { out: 64, k: 1, activation: 'relu' });
  b.conv('conv3', { out: 192, k: 3, pad: 1, activation: 'relu' });
  ceilPool(b, 'maxpool2', 3, 2);
  for (const [id, c1, c3r, c3, c5r, c5, pp] of GOOGLENET_INCEPTIONS) {
    if (id === '4a') ceilPool(b, 'maxpool3', 3, 2);
    if (id === '5a') ceilPool(b, 'maxpool4', 2, 2);
    const x = b.current;
    const p = `inception${id}`;
    const b1 = b.conv(`${p}.1x1`, { out: c1, k: 1, activation: 'relu' }, x);
    b.conv(`${p}.3x3_reduce`, { out: c3r, k: 1, activation: 'relu' }, x);
    const b2 = b.conv(`${p}.3x3`, { out: c3, k: 3, pad: 1, activation: 'relu' });
    b.conv(`${p}.5x5_reduce`, { out: c5r, k: 1, activation: 'relu' }, x);
    const b3 = b.conv(`${p}.5x5`, { out: c5, k: k5, pad: (k5 - 1) / 2, activation: 'relu' });
    b.pool(`${p}.pool`, 'maxpool', 3, 1, 1, x);
    const b4 = b.conv(`${p}.pool_proj`, { out: pp, k: 1, activation: 'relu' });
    b.concat(`${p}.concat`, [b1, b2, b3, b4]);
  }
  b.globalAvgPool('avgpool');
  b.flatten('flatten');
  b.fc('fc', 1000);
  return b.build();
}
