/**
 * torchvision's AlexNet, ResNet-18, MobileNetV2 and EfficientNet-B0 as torch.onnx exports them (opset 13,
 * test/fixtures/torchvision/, written by models/pytorch.py): graphs committed without their weights, which ONNX
 * keeps in an external data file; the test recreates that file as zeros of the size the export had (a sparse
 * file), so `mactile nets` reads the real exported graph. Every MAC layer's shapes and the MAC total equal the
 * zoo's network and what PyTorch itself ran (forward hooks, recorded in models/pytorch/summary.json).
 */
import { closeSync, copyFileSync, ftruncateSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/util/paths.js';
import { runCliInProcess } from '../helpers/cli.js';

interface Layer {
  input: string;
  output: string;
  kernel: string;
  stride: string;
  groups: number;
  macs: number;
}
interface Export {
  file: string;
  weights_file: string;
  weights_bytes: number;
  opset: number;
  macs: number;
  layers: Layer[];
}

const root = projectRoot();
const exports = (
  JSON.parse(readFileSync(join(root, 'models', 'pytorch', 'summary.json'), 'utf8')) as {
    torchvision: Record<string, Export>;
  }
).torchvision;
const dir = mkdtempSync(join(tmpdir(), 'mactile-torchvision-'));

/** The export in a scratch folder beside a zero-filled weights file of its size. */
function withZeroWeights(e: Export): string {
  const f = join(dir, e.file.replace(/^.*\//, ''));
  copyFileSync(join(root, e.file), f);
  const fd = openSync(join(dir, e.weights_file), 'w');
  ftruncateSync(fd, e.weights_bytes);
  closeSync(fd);
  return f;
}

async function nets(net: string): Promise<{ macLayers: number; macs: number; layers: (Layer & { name: string })[] }> {
  const r = await runCliInProcess(['nets', '--net', net, '--layers', '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const shapes = (ls: Layer[]) =>
  ls.map(({ input, output, kernel, stride, groups, macs }) => ({ input, output, kernel, stride, groups, macs }));

describe('torchvision models exported to ONNX', () => {
  it('are the four networks, exported at an opset from 13 to 17', () => {
    expect(Object.keys(exports)).toEqual(['alexnet', 'resnet18', 'mobilenet_v2', 'efficientnet_b0']);
    for (const e of Object.values(exports)) expect(e.opset).toBeGreaterThanOrEqual(13);
  });

  it.each(Object.keys(exports))(
    '%s: nets --net reads the export; its MAC layers and total equal the zoo network and PyTorch',
    async (name) => {
      const e = exports[name]!;
      const imported = await nets(withZeroWeights(e));
      const zoo = await nets(name);
      expect(imported.macs).toBe(zoo.macs);
      expect(imported.macLayers).toBe(zoo.macLayers);
      expect(shapes(imported.layers)).toEqual(shapes(zoo.layers));
      expect(shapes(imported.layers)).toEqual(e.layers);
      expect(imported.macs).toBe(e.macs);
    },
    120_000,
  );

  it('without its external data file an export is refused naming the tensor and the file', async () => {
    const e = exports.resnet18!;
    const f = join(mkdtempSync(join(tmpdir(), 'mactile-tv-missing-')), 'resnet18.onnx');
    copyFileSync(join(root, e.file), f);
    const r = await runCliInProcess(['nets', '--net', f]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/tensor "[^"]+": cannot read its external data file .*resnet18\.weights \(ENOENT\)/);
  });

  it('an external data location outside the model folder, or a weights file too short, is refused before reading', async () => {
    const e = exports.resnet18!;
    const at = mkdtempSync(join(tmpdir(), 'mactile-tv-hostile-'));
    // The same length as "resnet18.weights", so the protobuf stays well formed.
    const bytes = readFileSync(join(root, e.file));
    const hostile = Buffer.from(bytes.toString('latin1').replaceAll('resnet18.weights', '../../etc/passwd'), 'latin1');
    expect(hostile.length).toBe(bytes.length);
    writeFileSync(join(at, 'outside.onnx'), hostile);
    const out = await runCliInProcess(['nets', '--net', join(at, 'outside.onnx')]);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(
      /external data location "\.\.\/\.\.\/etc\/passwd": expected a file inside the model's folder/,
    );
    copyFileSync(join(root, e.file), join(at, 'resnet18.onnx'));
    const fd = openSync(join(at, e.weights_file), 'w');
    ftruncateSync(fd, 1000);
    closeSync(fd);
    const short = await runCliInProcess(['nets', '--net', join(at, 'resnet18.onnx')]);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toMatch(
      /external data file .*resnet18\.weights holds 1000 bytes, expected \d+ bytes at offset \d+/,
    );
    expect(short.stderr).not.toMatch(/internal error/);
  });
});
