/** EfficientNet-B0 as torchvision defines it (224x224x3). */
import { NetBuilder } from '../builder.js';
import type { Network } from '../ir.js';

/** EfficientNet-B0 stages: expand ratio, kernel, stride, output channels, repeats. */
const EFFICIENTNET_B0_STAGES: readonly [number, number, number, number, number][] = [
  [1, 3, 1, 16, 1],
  [6, 3, 2, 24, 2],
  [6, 5, 2, 40, 2],
  [6, 3, 2, 80, 3],
  [6, 5, 1, 112, 3],
  [6, 5, 2, 192, 4],
  [6, 3, 1, 320, 1],
];

/** One MBConv block: optional 1x1 expand, depthwise kxk, squeeze-excite, 1x1 project, residual add. */
function mbconv(b: NetBuilder, id: string, expand: number, k: number, stride: number, out: number): void {
  const x = b.current;
  const cin = b.shape(x).c;
  const hidden = cin * expand;
  if (expand !== 1) b.conv(`${id}.expand`, { out: hidden, k: 1, activation: 'silu' });
  const dw = b.conv(`${id}.dw`, { out: hidden, k, stride, pad: (k - 1) / 2, groups: hidden, activation: 'silu' });
  // Squeeze-and-excite: squeeze to max(1, cin/4) channels as torchvision does.
  b.globalAvgPool(`${id}.se.pool`);
  b.conv(`${id}.se.reduce`, { out: Math.max(1, Math.floor(cin / 4)), k: 1, activation: 'silu' });
  b.conv(`${id}.se.expand`, { out: hidden, k: 1, activation: 'sigmoid' });
  b.scale(`${id}.se.scale`, dw, b.current);
  const y = b.conv(`${id}.project`, { out, k: 1 });
  if (stride === 1 && cin === out) b.addTensors(`${id}.add`, y, x);
}

/** EfficientNet-B0 as in torchvision: stem, 16 MBConv blocks, 1x1 head, pooling and classifier. */
export function efficientnetB0(): Network {
  const b = new NetBuilder('efficientnet_b0', { h: 224, w: 224, c: 3 });
  b.conv('stem', { out: 32, k: 3, stride: 2, pad: 1, activation: 'silu' });
  let block = 0;
  EFFICIENTNET_B0_STAGES.forEach(([expand, k, stride, out, repeats], stage) => {
    for (let r = 0; r < repeats; r++) {
      mbconv(b, `s${stage + 1}.b${r + 1}`, expand, k, r === 0 ? stride : 1, out);
      block++;
    }
  });
  if (block !== 16) throw new Error(`EfficientNet-B0 has 16 MBConv blocks, built ${block}`);
  b.conv('head', { out: 1280, k: 1, activation: 'silu' });
  b.globalAvgPool('pool');
  b.flatten('flatten');
  b.fc('classifier', 1000);
  return b.build();
}
