/** ResNet-18 and ResNet-50 as torchvision defines them (v1.5, 224x224x3). */
import { NetBuilder } from '../builder.js';
import type { Network } from '../ir.js';

/** torchvision's ResNet stem: 7x7/2 convolution to 64 channels, then 3x3/2 max pooling (56x56x64 at 224). */
function resnetStem(b: NetBuilder): void {
  b.conv('conv1', { out: 64, k: 7, stride: 2, pad: 3, activation: 'relu' });
  b.pool('maxpool', 'maxpool', 3, 2, 1);
}

/** torchvision's BasicBlock: 3x3 (stride s), 3x3, a 1x1/s projection where the shape changes, add, ReLU. */
function basicBlock(b: NetBuilder, id: string, planes: number, stride: number): void {
  const x = b.current;
  const cin = b.shape(x).c;
  b.conv(`${id}.conv1`, { out: planes, k: 3, stride, pad: 1, activation: 'relu' });
  const y = b.conv(`${id}.conv2`, { out: planes, k: 3, pad: 1 });
  const skip = stride !== 1 || cin !== planes ? b.conv(`${id}.downsample`, { out: planes, k: 1, stride }, x) : x;
  b.addTensors(`${id}.add`, y, skip);
  b.host(`${id}.relu`, 'relu');
}

/** torchvision's Bottleneck (ResNet v1.5: the stride is on the 3x3): 1x1, 3x3/s, 1x1 to 4x, projection, add, ReLU. */
function bottleneck(b: NetBuilder, id: string, planes: number, stride: number): void {
  const x = b.current;
  const cin = b.shape(x).c;
  b.conv(`${id}.conv1`, { out: planes, k: 1, activation: 'relu' });
  b.conv(`${id}.conv2`, { out: planes, k: 3, stride, pad: 1, activation: 'relu' });
  const y = b.conv(`${id}.conv3`, { out: planes * 4, k: 1 });
  const skip =
    stride !== 1 || cin !== planes * 4 ? b.conv(`${id}.downsample`, { out: planes * 4, k: 1, stride }, x) : x;
  b.addTensors(`${id}.add`, y, skip);
  b.host(`${id}.relu`, 'relu');
}

function resnet(name: string, block: typeof basicBlock, blocks: readonly number[]): Network {
  const b = new NetBuilder(name, { h: 224, w: 224, c: 3 });
  resnetStem(b);
  [64, 128, 256, 512].forEach((planes, stage) => {
    for (let i = 0; i < blocks[stage]!; i++) block(b, `layer${stage + 1}.${i}`, planes, i === 0 && stage > 0 ? 2 : 1);
  });
  b.globalAvgPool('avgpool');
  b.flatten('flatten');
  b.fc('fc', 1000);
  return b.build();
}

/** ResNet-18 as in torchvision: BasicBlocks [2, 2, 2, 2]. */
export function resnet18(): Network {
  return resnet('resnet18', basicBlock, [2, 2, 2, 2]);
}

/** ResNet-50 as in torchvision (v1.5, stride on the 3x3 convolution): Bottlenecks [3, 4, 6, 3]. */
export function resnet50(): Network {
  return resnet('resnet50', bottleneck, [3, 4, 6, 3]);
}
