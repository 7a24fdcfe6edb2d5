/**
 * The built-in model zoo with the published layer shapes: LeNet-5 (32x32x1); AlexNet, ResNet-18,
 * ResNet-50, MobileNetV2, VGG-16, GoogLeNet and EfficientNet-B0 as torchvision defines them (224x224x3);
 * Tiny YOLOv2 for VOC as Darknet defines it (416x416x3); and the GEMMs of one encoder layer of BERT-base
 * and of ViT-B/16 at a chosen sequence length. A zoo name may carry parameters: `bert_base:seq=384`.
 */
import { MactileError } from '../util/errors.js';
import { NetBuilder } from './builder.js';
import type { Network, Padding } from './ir.js';

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
  const skip = stride !== 1 || cin !== planes * 4 ? b.conv(`${id}.downsample`, { out: planes * 4, k: 1, stride }, x) : x;
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

/** VGG-16 as in torchvision (configuration D, no batch norm): 13 3x3 convolutions, 5 poolings, 3 FC layers. */
export function vgg16(): Network {
  const b = new NetBuilder('vgg16', { h: 224, w: 224, c: 3 });
  [[64, 2], [128, 2], [256, 3], [512, 3], [512, 3]].forEach(([out, n], stage) => {
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

/** Dimensions of a transformer encoder layer. */
export interface EncoderDims {
  /** Tokens (sequence length). */
  seq: number;
  /** Model width (hidden size). */
  d: number;
  heads: number;
  /** Feed-forward width. */
  ff: number;
}

/**
 * The GEMMs of one transformer encoder layer as MAC layers. The tokens are an input of h = seq, w = 1,
 * c = d, so every projection is a 1x1 convolution with M = seq (Q, K, V, output projection, FFN up and down).
 * The per-head products are grouped 1x1 convolutions with one group per head, whose weights are the other
 * operand: QK^T reads Q (seq x d) with K^T as weights (per head M = seq, K = d/heads, N = seq) and gives the
 * scores (seq x heads*seq); attention x V reads the softmaxed scores with V as weights (per head M = seq,
 * K = seq, N = d/heads). Softmax and the two residual adds are host ops; LayerNorm and GELU have no MACs
 * and are not in the IR. The K and V projections' outputs are therefore read by no layer.
 */
function encoderLayer(name: string, dims: EncoderDims): Network {
  const { seq, d, heads, ff } = dims;
  if (d % heads !== 0) throw new MactileError(`network ${name}: expected a width divisible by the ${heads} heads, received ${d}`);
  const b = new NetBuilder(name, { h: seq, w: 1, c: d });
  const x = b.current;
  const q = b.conv('attn.q', { out: d, k: 1 }, x);
  b.conv('attn.k', { out: d, k: 1 }, x);
  b.conv('attn.v', { out: d, k: 1 }, x);
  b.conv('attn.qk', { out: heads * seq, k: 1, groups: heads }, q);
  b.host('attn.softmax', 'softmax');
  b.conv('attn.av', { out: d, k: 1, groups: heads });
  const o = b.conv('attn.out', { out: d, k: 1 });
  const h = b.addTensors('attn.add', o, x);
  b.conv('ffn.up', { out: ff, k: 1 }, h);
  const f = b.conv('ffn.down', { out: d, k: 1 });
  b.addTensors('ffn.add', f, h);
  return b.build();
}

/** One encoder layer of BERT-base (Devlin et al. 2019: hidden 768, 12 heads, feed-forward 3072), seq tokens. */
export function bertBase(opts: { seq?: number } = {}): Network {
  const seq = opts.seq ?? 128;
  return encoderLayer(seq === 128 ? 'bert_base' : `bert_base:seq=${seq}`, { seq, d: 768, heads: 12, ff: 3072 });
}

/**
 * One encoder layer of ViT-B/16 (Dosovitskiy et al. 2021: hidden 768, 12 heads, MLP 3072); 224x224 in 16x16
 * patches is 196 patches plus the class token: 197 tokens.
 */
export function vitB16(opts: { seq?: number } = {}): Network {
  const seq = opts.seq ?? 197;
  return encoderLayer(seq === 197 ? 'vit_b16' : `vit_b16:seq=${seq}`, { seq, d: 768, heads: 12, ff: 3072 });
}

/** A parameter a zoo network takes (`name:key=value`). */
export interface ZooParam {
  key: string;
  default: number;
  description: string;
  /** Allowed values; any positive integer up to `max` when absent. */
  values?: readonly number[];
  max?: number;
}

export interface ZooEntry {
  name: string;
  description: string;
  params?: readonly ZooParam[];
  build: (params: Record<string, number>) => Network;
}

const SEQ_MAX = 65_536;

export const ZOO: readonly ZooEntry[] = [
  { name: 'lenet5', description: 'LeNet-5, 32x32x1 input (LeCun et al. 1998)', build: lenet5 },
  { name: 'alexnet', description: 'AlexNet, torchvision variant, 224x224x3 input', build: alexnet },
  { name: 'efficientnet_b0', description: 'EfficientNet-B0, torchvision, 224x224x3 input, 16 MBConv blocks', build: efficientnetB0 },
  { name: 'resnet18', description: 'ResNet-18, torchvision, 224x224x3 input', build: resnet18 },
  { name: 'resnet50', description: 'ResNet-50, torchvision (v1.5: stride on the 3x3), 224x224x3 input', build: resnet50 },
  { name: 'mobilenet_v2', description: 'MobileNetV2, torchvision (width 1.0), 224x224x3 input, 17 inverted residuals', build: mobilenetV2 },
  { name: 'vgg16', description: 'VGG-16, torchvision (configuration D, no batch norm), 224x224x3 input', build: vgg16 },
  {
    name: 'googlenet',
    description: 'GoogLeNet (Inception v1), torchvision, 224x224x3 input, no auxiliary classifiers',
    params: [{ key: 'k5', default: 3, values: [3, 5], description: "kernel of the 5x5 branch: 3 as torchvision builds it, 5 as the paper and NVDLA's spreadsheet" }],
    build: (p) => googlenet({ k5: p.k5 }),
  },
  { name: 'yolo_tiny', description: 'Tiny YOLOv2 VOC (Darknet yolov2-tiny-voc.cfg), 416x416x3 input, LeakyReLU 0.1', build: yoloTiny },
  {
    name: 'bert_base',
    description: 'BERT-base, the GEMMs of one encoder layer (hidden 768, 12 heads, FFN 3072)',
    params: [{ key: 'seq', default: 128, max: SEQ_MAX, description: 'sequence length (tokens)' }],
    build: (p) => bertBase({ seq: p.seq }),
  },
  {
    name: 'vit_b16',
    description: 'ViT-B/16, the GEMMs of one encoder layer (hidden 768, 12 heads, MLP 3072; 197 tokens at 224x224)',
    params: [{ key: 'seq', default: 197, max: SEQ_MAX, description: 'sequence length (tokens)' }],
    build: (p) => vitB16({ seq: p.seq }),
  },
];

/** The parameter text of an entry's defaults, e.g. "seq=128" (empty for networks without parameters). */
export function zooDefaults(entry: ZooEntry): string {
  return (entry.params ?? []).map((p) => `${p.key}=${p.default}`).join(':');
}

/**
 * Looks up a zoo network by name. Parameters follow the name, each as `:key=value`, e.g. `bert_base:seq=384`
 * or `googlenet:k5=5` (a colon, not a comma, so that a list of networks stays comma-separated).
 */
export function zooNetwork(spec: string): Network {
  const [name, ...parts] = spec.split(':');
  const entry = ZOO.find((e) => e.name === name);
  if (!entry) throw new MactileError(`network ${JSON.stringify(spec)}: expected one of ${ZOO.map((e) => e.name).join(', ')}, a .csv topology or an .onnx file`);
  const params: Record<string, number> = {};
  for (const p of entry.params ?? []) params[p.key] = p.default;
  const keys = (entry.params ?? []).map((p) => p.key);
  const seen = new Set<string>();
  for (const part of parts) {
    const m = /^([A-Za-z0-9_]+)=(.*)$/.exec(part);
    const where = `network ${JSON.stringify(spec)}`;
    if (!m) throw new MactileError(`${where}: expected parameters as ${entry.name}:key=value${keys.length ? ` (keys: ${keys.join(', ')})` : ''}, received ${JSON.stringify(part)}`);
    const [, key, text] = m as unknown as [string, string, string];
    const param = entry.params?.find((p) => p.key === key);
    if (!param) {
      throw new MactileError(`${where}: ${keys.length ? `expected one of the parameters ${keys.join(', ')}` : `${entry.name} takes no parameters`}, received ${JSON.stringify(key)}`);
    }
    if (seen.has(key)) throw new MactileError(`${where}: parameter ${key} is given twice`);
    seen.add(key);
    const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
    const ok = Number.isSafeInteger(value) && value >= 1 && (param.values ? param.values.includes(value) : value <= (param.max ?? Number.MAX_SAFE_INTEGER));
    if (!ok) {
      const expected = param.values ? `one of ${param.values.join(', ')}` : `a whole number from 1 to ${param.max}`;
      throw new MactileError(`${where}: parameter ${key} (${param.description}): expected ${expected}, received ${JSON.stringify(text)}`);
    }
    params[key] = value;
  }
  return entry.build(params);
}
