/** Tiny YOLOv2 for VOC as Darknet defines it (416x416x3). */
import { NetBuilder } from '../builder.js';
import type { Network } from '../ir.js';

/**
 * Tiny YOLOv2 for PASCAL VOC as Darknet's cfg/yolov2-tiny-voc.cfg defines it: 416x416x3, nine 3x3/1x1
 * convolutions (batch norm folded), LeakyReLU (alpha 0.1) as host ops, six max poolings (the last 2x2 with
 * stride 1, which Darknet pads on the bottom and right), ending in 13x13x125 = 5 anchors x (20 classes + 5).
 * The region layer (box decoding) has no MACs and is left out.
 */
export function yoloTiny(): Network {
  const b = new NetBuilder('yolo_tiny', { h: 416, w: 416, c: 3 });
  [16, 32, 64, 128, 256, 512].forEach((out, i) => {
    b.conv(`conv${i + 1}`, { out, k: 3, pad: 1 });
    b.leakyRelu(`leaky${i + 1}`, 0.1);
    if (i < 5) b.pool(`pool${i + 1}`, 'maxpool', 2, 2);
    else b.pool(`pool${i + 1}`, 'maxpool', 2, 1, { top: 0, left: 0, bottom: 1, right: 1 });
  });
  b.conv('conv7', { out: 1024, k: 3, pad: 1 });
  b.leakyRelu('leaky7', 0.1);
  b.conv('conv8', { out: 1024, k: 3, pad: 1 });
  b.leakyRelu('leaky8', 0.1);
  b.conv('conv9', { out: 125, k: 1 });
  return b.build();
}
