/** The classic networks: LeNet-5 (32x32x1) and AlexNet and VGG-16 as torchvision defines them (224x224x3). */
import { NetBuilder } from '../builder.js';
import type { Network } from '../ir.js';

/** Classic LeNet-5: two 5x5 convolutions with 2x2 pooling, then 400-120-84-10 fully connected. */
export function lenet5(): Network {
  const b = new NetBuilder('lenet5', { h: 32, w: 32, c: 1 });
  b.conv('conv1', { out: 6, k: 5, activation: 'relu' });
  b.pool('pool1', 'maxpool', 2, 2);
  b.conv('conv2', { out: 16, k: 5, activation: 'relu' });
  b.pool('pool2', 'maxpool', 2, 2);
  b.flatten('flatten');
  b.fc('fc1', 120, 'relu');
  b.fc('fc2', 84, 'relu');
  b.fc('fc3', 10);
  return b.build();
}

/** AlexNet as in torchvision (single tower, 64-192-384-256-256 filters, padding as published). */
export function alexnet(): Network {
  const b = new NetBuilder('alexnet', { h: 224, w: 224, c: 3 });
  b.conv('conv1', { out: 64, k: 11, stride: 4, pad: 2, activation: 'relu' });
  b.pool('pool1', 'maxpool', 3, 2);
  b.conv('conv2', { out: 192, k: 5, pad: 2, activation: 'relu' });
  b.pool('pool2', 'maxpool', 3, 2);
  b.conv('conv3', { out: 384, k: 3, pad: 1, activation: 'relu' });
  b.conv('conv4', { out: 256, k: 3, pad: 1, activation: 'relu' });
  b.conv('conv5', { out: 256, k: 3, pad: 1, activation: 'relu' });
  b.pool('pool5', 'maxpool', 3, 2);
  b.flatten('flatten');
  b.fc('fc6', 4096, 'relu');
  b.fc('fc7', 4096, 'relu');
  b.fc('fc8', 1000);
  return b.build();
}

/** VGG-16 as in torchvision (configuration D, no batch norm): 13 3x3 convolutions, 5 poolings, 3 FC layers. */
export function vgg16(): Network {
  const b = new NetBuilder('vgg16', { h: 224, w: 224, c: 3 });
  [
    [64, 2],
    [128, 2],
    [256, 3],
    [512, 3],
    [512, 3],
  ].forEach(([out, n], stage) => {
    for (let i = 0; i < n!; i++) b.conv(`conv${stage + 1}_${i + 1}`, { out: out!, k: 3, pad: 1, activation: 'relu' });
    b.pool(`pool${stage + 1}`, 'maxpool', 2, 2);
  });
  // torchvision's AdaptiveAvgPool2d((7, 7)) is the identity at 224x224 and is left out, as in alexnet.
  b.flatten('flatten');
  b.fc('fc6', 4096, 'relu');
  b.fc('fc7', 4096, 'relu');
  b.fc('fc8', 1000);
  return b.build();
}
