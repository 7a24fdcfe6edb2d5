import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerGemm } from '../../src/accel/systolic/gemm.js';
import {
  isMacLayer,
  layerMacs,
  macLayers,
  networkMacs,
  shapeText,
  type HostLayer,
  type MacLayer,
  type Network,
} from '../../src/nets/ir.js';
import {
  ZOO,
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
  zooNetwork,
} from '../../src/nets/zoo/index.js';
import { projectRoot } from '../../src/util/paths.js';

/** Every layer reads tensors that exist, with exactly the shapes their producers made. */
function expectShapeChain(net: Network): void {
  const shapes = new Map([[net.input.name, shapeText(net.input.shape)]]);
  for (const layer of net.layers) {
    const inputs = isMacLayer(layer) ? [layer.input] : layer.inputs;
    const inShapes = isMacLayer(layer) ? [layer.inShape] : layer.inShapes;
    inputs.forEach((t, i) => {
      expect(shapes.has(t), `${layer.name} reads unknown tensor ${t}`).toBe(true);
      expect(shapeText(inShapes[i]!), `${layer.name} input ${t}`).toBe(shapes.get(t));
    });
    shapes.set(layer.output, shapeText(layer.outShape));
  }
}

const layer = (net: Network, name: string) => {
  const l = net.layers.find((x) => x.name === name);
  if (!l) throw new Error(`${net.name} has no layer ${name}`);
  return l;
};
const mac = (net: Network, name: string) => layer(net, name) as MacLayer;
const count = (net: Network, kind: string) => net.layers.filter((l) => l.kind === kind).length;

/** A table of NVDLA's performance spreadsheet (shared reference data next to the repository). */
function nvdlaSheet(file: string): Record<string, string>[] {
  const dir = join(projectRoot(), '..', 'shared', 'reference', 'nvdla-perf');
  const path = join(dir, file);
  if (!existsSync(path))
    throw new Error(`${path} is missing: the zoo tests compare with NVDLA's spreadsheet tables in ${dir}`);
  const [head, ...lines] = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const cols = head!.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    expect(cells.length, `${file}: ${line}`).toBe(cols.length);
    return Object.fromEntries(cols.map((c, i) => [c, cells[i]!]));
  });
}

/** The fields of a MAC layer NVDLA's sheet lists: C, H, W, K, R, S, stride and MACs. */
const nvdlaView = (l: MacLayer) => ({
  c: l.inShape.c,
  h: l.inShape.h,
  w: l.inShape.w,
  k: l.outShape.c,
  r: l.kernel.h,
  s: l.kernel.w,
  stride: l.stride.h,
  macs: layerMacs(l),
});
const sheetView = (r: Record<string, string>) => ({
  c: Number(r['#input feature maps C']),
  h: Number(r['Input Height H']),
  w: Number(r['Input Width W']),
  k: Number(r['#output feature maps K']),
  r: Number(r['Filter Height R']),
  s: Number(r['Filter Width S']),
  stride: Number(r['Vertical Conv Srtide H']),
  macs: Number(r['Calculation']),
});

describe('model zoo', () => {
  it('LeNet-5 has the classic shapes and 416,520 MACs', () => {
    const net = lenet5();
    expect(macLayers(net).map((l) => [l.name, shapeText(l.outShape), layerMacs(l)])).toEqual([
      ['conv1', '28x28x6', 117_600],
      ['conv2', '10x10x16', 240_000],
      ['fc1', '1x1x120', 48_000],
      ['fc2', '1x1x84', 10_080],
      ['fc3', '1x1x10', 840],
    ]);
    expect(networkMacs(net)).toBe(416_520);
  });

  it('AlexNet (torchvision) has the published shapes and 714,188,480 MACs', () => {
    const net = alexnet();
    expect(macLayers(net).map((l) => shapeText(l.outShape))).toEqual([
      '55x55x64',
      '27x27x192',
      '13x13x384',
      '13x13x256',
      '13x13x256',
      '1x1x4096',
      '1x1x4096',
      '1x1x1000',
    ]);
    expect(net.layers.find((l) => l.name === 'flatten')!.outShape).toEqual({ h: 1, w: 1, c: 9216 });
    expect(networkMacs(net)).toBe(714_188_480);
  });

  it('EfficientNet-B0 has 16 MBConv blocks, the torchvision widths and 385,814,752 MACs', () => {
    const net = efficientnetB0();
    const projects = macLayers(net).filter((l) => l.name.endsWith('.project'));
    expect(projects).toHaveLength(16);
    expect(projects.map((l) => l.outShape.c)).toEqual([
      16, 24, 24, 40, 40, 80, 80, 80, 112, 112, 112, 192, 192, 192, 192, 320,
    ]);
    expect(projects.map((l) => l.outShape.h)).toEqual([112, 56, 56, 28, 28, 14, 14, 14, 14, 14, 14, 7, 7, 7, 7, 7]);
    const dws = macLayers(net).filter((l) => l.kind === 'dwconv');
    expect(dws).toHaveLength(16);
    expect(dws.every((l) => l.groups === l.inShape.c && l.outShape.c === l.inShape.c)).toBe(true);
    // Squeeze-excite reduces to max(1, block input channels / 4), as torchvision does.
    expect(net.layers.find((l) => l.name === 's2.b1.se.reduce')!.outShape.c).toBe(4);
    expect(net.layers.filter((l) => l.kind === 'add')).toHaveLength(9);
    expect(net.layers.at(-1)!.outShape).toEqual({ h: 1, w: 1, c: 1000 });
    expect(networkMacs(net)).toBe(385_814_752);
  });

  it('ResNet-18 (torchvision) has 20 convolutions, 3 projections, 8 residual adds and 1,814,073,344 MACs', () => {
    const net = resnet18();
    expect(macLayers(net)).toHaveLength(21);
    expect(shapeText(layer(net, 'maxpool').outShape)).toBe('56x56x64');
    expect(
      macLayers(net)
        .filter((l) => l.name.endsWith('.downsample'))
        .map((l) => l.name),
    ).toEqual(['layer2.0.downsample', 'layer3.0.downsample', 'layer4.0.downsample']);
    expect(count(net, 'add')).toBe(8);
    expect(
      ['layer1.1.conv2', 'layer2.1.conv2', 'layer3.1.conv2', 'layer4.1.conv2'].map((n) =>
        shapeText(layer(net, n).outShape),
      ),
    ).toEqual(['56x56x64', '28x28x128', '14x14x256', '7x7x512']);
    expect(net.layers.at(-1)!.outShape).toEqual({ h: 1, w: 1, c: 1000 });
    // torchvision's ResNet18_Weights `_ops`: 1.814 (G multiply-accumulates).
    expect(networkMacs(net)).toBe(1_814_073_344);
  });

  it('ResNet-50 (torchvision v1.5) has 53 convolutions, 16 bottlenecks and 4,089,184,256 MACs', () => {
    const net = resnet50();
    expect(macLayers(net)).toHaveLength(54);
    expect(count(net, 'add')).toBe(16);
    expect(macLayers(net).filter((l) => l.name.endsWith('.downsample'))).toHaveLength(4);
    // v1.5: the stride sits on the 3x3 convolution, not on the first 1x1.
    for (const s of [2, 3, 4]) {
      expect(mac(net, `layer${s}.0.conv1`).stride.h).toBe(1);
      expect(mac(net, `layer${s}.0.conv2`).stride.h).toBe(2);
    }
    expect(shapeText(layer(net, 'layer4.2.conv3').outShape)).toBe('7x7x2048');
    expect(layer(net, 'flatten').outShape.c).toBe(2048);
    expect(net.layers.at(-1)!.outShape).toEqual({ h: 1, w: 1, c: 1000 });
    // torchvision's ResNet50_Weights `_ops`: 4.089.
    expect(networkMacs(net)).toBe(4_089_184_256);
  });

  it("ResNet-50 matches NVDLA's spreadsheet layer for layer but for v1's strides and the sheet's res2a_branch2a", () => {
    const sheet = nvdlaSheet('ResNet50.csv');
    const net = resnet50();
    // Caffe names: Res{stage}{block letter}_branch1 (projection), _branch2a/b/c (the three convolutions).
    const nameOf = (l: MacLayer) => {
      if (l.name === 'conv1') return 'Conv1';
      if (l.name === 'fc') return 'fc1000';
      const [, s, b, part] = /^layer(\d)\.(\d)\.(conv1|conv2|conv3|downsample)$/.exec(l.name)!;
      const tail = { conv1: 'branch2a', conv2: 'branch2b', conv3: 'branch2c', downsample: 'branch1' }[part as 'conv1'];
      return `Res${Number(s) + 1}${'abcdef'[Number(b)]}_${tail}`;
    };
    const ours = new Map(macLayers(net).map((l) => [nameOf(l), nvdlaView(l)]));
    expect(sheet).toHaveLength(54);
    const differences: string[] = [];
    for (const row of sheet) {
      const name = row['Layer']!.split(' ')[0]!;
      const mine = ours.get(name);
      expect(mine, `${name} of NVDLA's sheet`).toBeDefined();
      const theirs = sheetView(row);
      for (const key of Object.keys(theirs) as (keyof typeof theirs)[]) {
        if (mine![key] !== theirs[key]) differences.push(`${name} ${key}: NVDLA ${theirs[key]}, mactile ${mine![key]}`);
      }
    }
    expect(differences).toEqual([
      // The sheet's error: res2a_branch2a reads the 64 channels of pool1, not 256.
      'Res2a_branch2a c: NVDLA 256, mactile 64',
      'Res2a_branch2a macs: NVDLA 51380224, mactile 12845056',
      // Caffe's ResNet-50 (v1) strides the first 1x1 of a stage; torchvision (v1.5) the 3x3 after it.
      ...['Res3a', 'Res4a', 'Res5a'].flatMap((b, i) => {
        const h = [56, 28, 14][i]!;
        return [
          `${b}_branch2a stride: NVDLA 2, mactile 1`,
          `${b}_branch2a macs: NVDLA ${25_690_112}, mactile ${102_760_448}`,
          `${b}_branch2b h: NVDLA ${h / 2}, mactile ${h}`,
          `${b}_branch2b w: NVDLA ${h / 2}, mactile ${h}`,
          `${b}_branch2b stride: NVDLA 1, mactile 2`,
        ];
      }),
    ]);
    const sheetMacs = sheet.reduce((s, r) => s + Number(r['Calculation']), 0);
    expect(sheetMacs).toBe(3_896_508_416);
    expect(networkMacs(net)).toBe(sheetMacs + 3 * (102_760_448 - 25_690_112) - (51_380_224 - 12_845_056));
  });

  it('MobileNetV2 (torchvision) has 17 inverted residuals, 10 residual adds and 300,774,272 MACs', () => {
    const net = mobilenetV2();
    const projects = macLayers(net).filter((l) => l.name.endsWith('.project'));
    expect(projects.map((l) => l.outShape.c)).toEqual([
      16, 24, 24, 32, 32, 32, 64, 64, 64, 64, 96, 96, 96, 160, 160, 160, 320,
    ]);
    expect(projects.map((l) => l.outShape.h)).toEqual([
      112, 56, 56, 28, 28, 28, 14, 14, 14, 14, 14, 14, 14, 7, 7, 7, 7,
    ]);
    const dws = macLayers(net).filter((l) => l.kind === 'dwconv');
    expect(dws).toHaveLength(17);
    expect(dws.every((l) => l.groups === l.inShape.c && l.kernel.h === 3 && l.activation === 'relu6')).toBe(true);
    // The first block has no expansion (t = 1): 32 channels straight into the depthwise convolution.
    expect(net.layers.some((l) => l.name === 's1.b1.expand')).toBe(false);
    expect(mac(net, 's2.b1.expand').outShape.c).toBe(96);
    expect(count(net, 'add')).toBe(10);
    expect(shapeText(layer(net, 'head').outShape)).toBe('7x7x1280');
    expect(net.layers.at(-1)!.outShape).toEqual({ h: 1, w: 1, c: 1000 });
    // torchvision's MobileNet_V2_Weights `_ops`: 0.301.
    expect(networkMacs(net)).toBe(300_774_272);
  });

  it('VGG-16 (torchvision, configuration D) has 13 convolutions, 3 FC layers and 15,470,264,320 MACs', () => {
    const net = vgg16();
    expect(macLayers(net).map((l) => l.outShape.c)).toEqual([
      64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512, 4096, 4096, 1000,
    ]);
    expect(shapeText(layer(net, 'pool5').outShape)).toBe('7x7x512');
    expect(layer(net, 'flatten').outShape.c).toBe(25_088);
    expect(net.layers.at(-1)!.outShape).toEqual({ h: 1, w: 1, c: 1000 });
    // torchvision's VGG16_Weights `_ops`: 15.47.
    expect(networkMacs(net)).toBe(15_470_264_320);
  });

  it('GoogLeNet (torchvision) has 9 inception modules, ceil-mode pooling and 1,498,376,192 MACs', () => {
    const net = googlenet();
    expect(macLayers(net)).toHaveLength(58);
    expect(['maxpool1', 'maxpool2', 'maxpool3', 'maxpool4'].map((n) => shapeText(layer(net, n).outShape))).toEqual([
      '56x56x64',
      '28x28x192',
      '14x14x480',
      '7x7x832',
    ]);
    expect(net.layers.filter((l) => l.kind === 'concat').map((l) => l.outShape.c)).toEqual([
      256, 480, 512, 512, 512, 528, 832, 832, 1024,
    ]);
    // torchvision's "5x5" branch is a 3x3 convolution (pytorch/vision#906).
    expect(
      macLayers(net)
        .filter((l) => l.name.endsWith('.5x5'))
        .every((l) => l.kernel.h === 3 && l.pad.top === 1),
    ).toBe(true);
    expect(net.layers.at(-1)!.outShape).toEqual({ h: 1, w: 1, c: 1000 });
    // torchvision's GoogLeNet_Weights `_ops`: 1.498.
    expect(networkMacs(net)).toBe(1_498_376_192);
    const paper = googlenet({ k5: 5 });
    expect(paper.name).toBe('googlenet:k5=5');
    expect(
      macLayers(paper)
        .filter((l) => l.name.endsWith('.5x5'))
        .every((l) => l.kernel.h === 5 && l.pad.top === 2),
    ).toBe(true);
    expect(networkMacs(paper)).toBe(1_582_671_872);
  });

  it("GoogLeNet with the 5x5 branch (googlenet:k5=5) is NVDLA's spreadsheet layer for layer, plus the conv2 reduction the sheet leaves out", () => {
    const sheet = nvdlaSheet('GoogLeNet.csv').filter(
      (r) => r['Layer attribute'] !== '' && !r['Layer']!.includes('(combined)'),
    );
    const net = zooNetwork('googlenet:k5=5');
    const sheetName = (l: MacLayer) => {
      if (l.name === 'conv1' || l.name === 'fc') return l.name;
      if (l.name === 'conv3') return 'conv2';
      const [, id, part] = /^inception(\w\w)\.(.*)$/.exec(l.name)!;
      return `inception ${id} ${part!.replace('_reduce', ' red').replace('_', ' ')}`;
    };
    // The sheet lists each module's reductions before the 3x3 and 5x5 (Caffe's order); compare by name.
    const ours = Object.fromEntries(
      macLayers(net)
        .filter((l) => l.name !== 'conv2')
        .map((l) => [sheetName(l), nvdlaView(l)]),
    );
    expect(Object.fromEntries(sheet.map((r) => [r['Layer'], sheetView(r)]))).toEqual(ours);
    expect(sheet).toHaveLength(57);
    // The sheet's conv2 is Caffe's conv2/3x3; its conv2/3x3_reduce (1x1, 64 -> 64 at 56x56) is missing.
    expect(nvdlaView(mac(net, 'conv2'))).toEqual({
      c: 64,
      h: 56,
      w: 56,
      k: 64,
      r: 1,
      s: 1,
      stride: 1,
      macs: 12_845_056,
    });
    expect(networkMacs(net)).toBe(sheet.reduce((s, r) => s + Number(r['Calculation']), 0) + 12_845_056);
  });

  it('Tiny YOLOv2 VOC (Darknet) ends in 13x13x125 with LeakyReLU 0.1 and has 3,485,520,896 MACs', () => {
    const net = yoloTiny();
    expect(net.input.shape).toEqual({ h: 416, w: 416, c: 3 });
    expect(macLayers(net).map((l) => [l.name, shapeText(l.outShape), l.kernel.h])).toEqual([
      ['conv1', '416x416x16', 3],
      ['conv2', '208x208x32', 3],
      ['conv3', '104x104x64', 3],
      ['conv4', '52x52x128', 3],
      ['conv5', '26x26x256', 3],
      ['conv6', '13x13x512', 3],
      ['conv7', '13x13x1024', 3],
      ['conv8', '13x13x1024', 3],
      ['conv9', '13x13x125', 1],
    ]);
    const leaky = net.layers.filter((l) => l.kind === 'leakyrelu') as HostLayer[];
    expect(leaky).toHaveLength(8);
    expect(leaky.every((l) => l.alpha === 0.1)).toBe(true);
    // Darknet's 2x2 max pool with stride 1 pads one row and column at the bottom and right: 13x13 stays 13x13.
    expect(layer(net, 'pool6')).toMatchObject({
      stride: { h: 1, w: 1 },
      pad: { top: 0, left: 0, bottom: 1, right: 1 },
      outShape: { h: 13, w: 13, c: 512 },
    });
    // 5 anchors x (20 VOC classes + 4 box coordinates + 1 objectness).
    expect(net.layers.at(-1)!.outShape).toEqual({ h: 13, w: 13, c: 5 * (20 + 5) });
    // Darknet prints 6.97 BFLOPs for yolov2-tiny-voc.cfg: 2 x 3,485,520,896.
    expect(networkMacs(net)).toBe(3_485_520_896);
  });

  it.each([
    ['bert_base', bertBase, 128],
    ['vit_b16', vitB16, 197],
  ] as const)(
    '%s: one encoder layer of GEMMs, M = sequence length, per-head products as 12 grouped GEMMs',
    (name, build, seq) => {
      const net = build();
      expect(net.name).toBe(name);
      expect(net.input.shape).toEqual({ h: seq, w: 1, c: 768 });
      const gemms = macLayers(net).map((l) => [l.name, layerGemm(l)]);
      expect(gemms).toEqual([
        ['attn.q', { m: seq, k: 768, n: 768, count: 1 }],
        ['attn.k', { m: seq, k: 768, n: 768, count: 1 }],
        ['attn.v', { m: seq, k: 768, n: 768, count: 1 }],
        ['attn.qk', { m: seq, k: 64, n: seq, count: 12 }],
        ['attn.av', { m: seq, k: seq, n: 64, count: 12 }],
        ['attn.out', { m: seq, k: 768, n: 768, count: 1 }],
        ['ffn.up', { m: seq, k: 768, n: 3072, count: 1 }],
        ['ffn.down', { m: seq, k: 3072, n: 768, count: 1 }],
      ]);
      expect(macLayers(net).every((l) => l.kind === 'conv' && l.kernel.h === 1 && l.kernel.w === 1)).toBe(true);
      expect(net.layers.filter((l) => !isMacLayer(l)).map((l) => l.kind)).toEqual(['softmax', 'add', 'add']);
      expect(net.layers.at(-1)!.outShape).toEqual({ h: seq, w: 1, c: 768 });
      // Per token 4 * 768^2 + 2 * 768 * 3072 MACs (one per weight of the layer), plus 2 * seq * 768 for the attention products.
      expect(networkMacs(net)).toBe(seq * 7_077_888 + 2 * seq * seq * 768);
    },
  );

  it("BERT-base at 128 tokens is 931,135,488 MACs per layer; ViT-B/16 at 197 tokens 1,453,954,560, torchvision's 17.564 G over the model", () => {
    expect(networkMacs(bertBase())).toBe(931_135_488);
    expect(networkMacs(zooNetwork('bert_base:seq=384'))).toBe(2_944_401_408);
    expect(networkMacs(vitB16())).toBe(1_453_954_560);
    // ViT-B/16 = patch embedding (16x16/16 conv, 3 -> 768, 196 patches) + 12 encoder layers + the 768 -> 1000 head.
    const patchEmbedding = 196 * 768 * 16 * 16 * 3;
    expect(patchEmbedding + 12 * networkMacs(vitB16()) + 768 * 1000).toBe(17_563_828_224);
  });

  it('takes parameters as name:key=value and names the network by them', () => {
    expect(zooNetwork('bert_base').name).toBe('bert_base');
    expect(zooNetwork('bert_base:seq=128').name).toBe('bert_base');
    const b = zooNetwork('bert_base:seq=384');
    expect(b.name).toBe('bert_base:seq=384');
    expect(b.input.shape).toEqual({ h: 384, w: 1, c: 768 });
    expect(zooNetwork('vit_b16:seq=577').input.shape.h).toBe(577);
    expect(zooNetwork('googlenet:k5=3').name).toBe('googlenet');
  });

  it.each([
    [
      'bert_base:seq=0',
      /network "bert_base:seq=0": parameter seq \(sequence length \(tokens\)\): expected a whole number from 1 to 65536, received "0"/,
    ],
    ['bert_base:seq=12.5', /parameter seq .*received "12\.5"/],
    ['bert_base:seq=', /parameter seq .*received ""/],
    ['bert_base:len=384', /network "bert_base:len=384": expected one of the parameters seq, received "len"/],
    ['bert_base:seq=64:seq=32', /parameter seq is given twice/],
    ['bert_base:384', /expected parameters as bert_base:key=value \(keys: seq\), received "384"/],
    ['resnet50:seq=4', /network "resnet50:seq=4": resnet50 takes no parameters, received "seq"/],
    ['googlenet:k5=7', /parameter k5 .*expected one of 3, 5, received "7"/],
  ])('rejects %s naming the parameter', (spec, message) => {
    expect(() => zooNetwork(spec)).toThrow(message);
  });

  it.each(ZOO.map((z) => z.name))("%s: every layer input equals its producer's output", (name) => {
    expectShapeChain(zooNetwork(name));
  });

  it.each(['googlenet:k5=5', 'bert_base:seq=1', 'bert_base:seq=512', 'vit_b16:seq=50'])(
    "%s: every layer input equals its producer's output",
    (spec) => {
      expectShapeChain(zooNetwork(spec));
    },
  );

  it('rejects an unknown network name, listing the zoo', () => {
    expect(() => zooNetwork('resnet101')).toThrow(
      /network "resnet101": expected one of lenet5, alexnet, efficientnet_b0, resnet18, resnet50, mobilenet_v2, vgg16, googlenet, yolo_tiny, bert_base, vit_b16/,
    );
  });
});
