/** MobileNetV2 as torchvision defines it (width 1.0, 224x224x3). */
import { NetBuilder } from '../builder.js';
import type { Network } from '../ir.js';

/** MobileNetV2 inverted-residual settings (torchvision): expand ratio t, channels c, repeats n, stride s. */
const MOBILENET_V2_SETTINGS: readonly [number, number, number, number][] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/** MobileNetV2 as in torchvision (width 1.0): 3x3/2 stem, 17 inverted residuals, 1x1 head to 1280, classifier. */
export function mobilenetV2(): Network {
  const b = new NetBuilder('mobilenet_v2', { h: 224, w: 224, c: 3 });
  b.conv('stem', { out: 32, k: 3, stride: 2, pad: 1, activation: 'relu6' });
  MOBILENET_V2_SETTINGS.forEach(([t, c, n, s], stage) => {
    for (let i = 0; i < n; i++) {
      const id = `s${stage + 1}.b${i + 1}`;
      const x = b.current;
      const cin = b.shape(x).c;
      const stride = i === 0 ? s : 1;
      const hidden = cin * t;
      if (t !== 1) b.conv(`${id}.expand`, { out: hidden, k: 1, activation: 'relu6' });
      b.conv(`${id}.dw`, { out: hidden, k: 3, stride, pad: 1, groups: hidden, activation: 'relu6' });
      const y = b.conv(`${id}.project`, { out: c, k: 1 });
      if (stride === 1 && cin === c) b.addTensors(`${id}.add`, y, x);
    }
  });
  b.conv('head', { out: 1280, k: 1, activation: 'relu6' });
  b.globalAvgPool('pool');
  b.flatten('flatten');
  b.fc('classifier', 1000);
  return b.build();
}
