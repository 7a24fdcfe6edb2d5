/**
 * The built-in model zoo with the published layer shapes: LeNet-5 (32x32x1); AlexNet, ResNet-18,
 * ResNet-50, MobileNetV2, VGG-16, GoogLeNet and EfficientNet-B0 as torchvision defines them (224x224x3);
 * Tiny YOLOv2 for VOC as Darknet defines it (416x416x3); and the GEMMs of one encoder layer of BERT-base
 * and of ViT-B/16 at a chosen sequence length. A zoo name may carry parameters: `bert_base:seq=384`.
 */
import { MactileError } from '../../util/errors.js';
import type { Network } from '../ir.js';
import { alexnet, lenet5, vgg16 } from './classic.js';
import { efficientnetB0 } from './efficientnet.js';
import { googlenet } from './googlenet.js';
import { mobilenetV2 } from './mobilenet.js';
import { resnet18, resnet50 } from './resnet.js';
import { bertBase, vitB16 } from './transformer.js';
import { yoloTiny } from './yolo.js';

export {
  alexnet,
  bertBase,
  efficientnetB0,
  googlenet,
  lenet5,
  mobilenetV2,
  resnet18,
  resnet50,
  vgg16,
  vitB16,
  yoloTiny,
};

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
  {
    name: 'efficientnet_b0',
    description: 'EfficientNet-B0, torchvision, 224x224x3 input, 16 MBConv blocks',
    build: efficientnetB0,
  },
  { name: 'resnet18', description: 'ResNet-18, torchvision, 224x224x3 input', build: resnet18 },
  {
    name: 'resnet50',
    description: 'ResNet-50, torchvision (v1.5: stride on the 3x3), 224x224x3 input',
    build: resnet50,
  },
  {
    name: 'mobilenet_v2',
    description: 'MobileNetV2, torchvision (width 1.0), 224x224x3 input, 17 inverted residuals',
    build: mobilenetV2,
  },
  { name: 'vgg16', description: 'VGG-16, torchvision (configuration D, no batch norm), 224x224x3 input', build: vgg16 },
  {
    name: 'googlenet',
    description: 'GoogLeNet (Inception v1), torchvision, 224x224x3 input, no auxiliary classifiers',
    params: [
      {
        key: 'k5',
        default: 3,
        values: [3, 5],
        description: "kernel of the 5x5 branch: 3 as torchvision builds it, 5 as the paper and NVDLA's spreadsheet",
      },
    ],
    build: (p) => googlenet({ k5: p.k5 }),
  },
  {
    name: 'yolo_tiny',
    description: 'Tiny YOLOv2 VOC (Darknet yolov2-tiny-voc.cfg), 416x416x3 input, LeakyReLU 0.1',
    build: yoloTiny,
  },
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
  if (!entry)
    throw new MactileError(
      `network ${JSON.stringify(spec)}: expected one of ${ZOO.map((e) => e.name).join(', ')}, a .csv topology or an .onnx file`,
    );
  const params: Record<string, number> = {};
  for (const p of entry.params ?? []) params[p.key] = p.default;
  const keys = (entry.params ?? []).map((p) => p.key);
  const seen = new Set<string>();
  for (const part of parts) {
    const m = /^([A-Za-z0-9_]+)=(.*)$/.exec(part);
    const where = `network ${JSON.stringify(spec)}`;
    if (!m)
      throw new MactileError(
        `${where}: expected parameters as ${entry.name}:key=value${keys.length ? ` (keys: ${keys.join(', ')})` : ''}, received ${JSON.stringify(part)}`,
      );
    const [, key, text] = m as unknown as [string, string, string];
    const param = entry.params?.find((p) => p.key === key);
    if (!param) {
      throw new MactileError(
        `${where}: ${keys.length ? `expected one of the parameters ${keys.join(', ')}` : `${entry.name} takes no parameters`}, received ${JSON.stringify(key)}`,
      );
    }
    if (seen.has(key)) throw new MactileError(`${where}: parameter ${key} is given twice`);
    seen.add(key);
    const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
    const ok =
      Number.isSafeInteger(value) &&
      value >= 1 &&
      (param.values ? param.values.includes(value) : value <= (param.max ?? Number.MAX_SAFE_INTEGER));
    if (!ok) {
      const expected = param.values ? `one of ${param.values.join(', ')}` : `a whole number from 1 to ${param.max}`;
      throw new MactileError(
        `${where}: parameter ${key} (${param.description}): expected ${expected}, received ${JSON.stringify(text)}`,
      );
    }
    params[key] = value;
  }
  return entry.build(params);
}
