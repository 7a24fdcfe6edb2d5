import { describe, expect, it } from 'vitest';
import { isMacLayer, layerMacs, macLayers, networkMacs, shapeText, type Network } from '../../src/nets/ir.js';
import { ZOO, alexnet, efficientnetB0, lenet5, zooNetwork } from '../../src/nets/zoo.js';

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
      '55x55x64', '27x27x192', '13x13x384', '13x13x256', '13x13x256', '1x1x4096', '1x1x4096', '1x1x1000',
    ]);
    expect(net.layers.find((l) => l.name === 'flatten')!.outShape).toEqual({ h: 1, w: 1, c: 9216 });
    expect(networkMacs(net)).toBe(714_188_480);
  });

  it('EfficientNet-B0 has 16 MBConv blocks, the torchvision widths and 385,814,752 MACs', () => {
    const net = efficientnetB0();
    const projects = macLayers(net).filter((l) => l.name.endsWith('.project'));
    expect(projects).toHaveLength(16);
    expect(projects.map((l) => l.outShape.c)).toEqual([16, 24, 24, 40, 40, 80, 80, 80, 112, 112, 112, 192, 192, 192, 192, 320]);
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

  it.each(ZOO.map((z) => z.name))('%s: every layer input equals its producer\'s output', (name) => {
    expectShapeChain(zooNetwork(name));
  });

  it('rejects an unknown network name, listing the zoo', () => {
    expect(() => zooNetwork('resnet50')).toThrow(/network "resnet50": expected one of lenet5, alexnet, efficientnet_b0/);
  });
});
