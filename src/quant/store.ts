/**
 * Quantized model files: JSON holding, per precision, the network IR, the quantization options, every
 * tensor's scale and zero point, and each MAC layer's integer weights (base64), bias (decimal strings),
 * multiplier and shift. Everything `mactile sim --quantized` needs, without the ONNX file.
 */
import { readFileSync } from 'node:fs';
import { MactileError } from '../util/errors.js';
import { writeOutputFile } from '../util/output.js';
import type { QuantModel } from './quantize.js';
import { checkStoredModel, parseStoredFile } from './store-schema.js';
import type { QuantLayer } from './tensor.js';

interface StoredLayer extends Omit<QuantLayer, 'weights' | 'bias'> {
  weights: string;
  bias: string[];
}

interface StoredModel extends Omit<QuantModel, 'layers'> {
  layers: Record<string, StoredLayer>;
  accuracy?: Record<string, number>;
}

export interface QuantFile {
  version: number;
  source: string;
  data: string;
  models: Record<string, QuantModel & { accuracy?: Record<string, number> }>;
}

/** Writes quantized models (keyed by precision, e.g. int8, int16) to a file, atomically; `label` prefixes errors. */
export function writeQuantFile(file: string, content: QuantFile, label = file): void {
  const models: Record<string, StoredModel> = {};
  for (const [key, m] of Object.entries(content.models)) {
    const layers: Record<string, StoredLayer> = {};
    for (const [name, l] of Object.entries(m.layers)) {
      layers[name] = {
        ...l,
        weights: Buffer.from(l.weights.buffer, l.weights.byteOffset, l.weights.byteLength).toString('base64'),
        bias: l.bias.map(String),
      };
    }
    models[key] = { ...m, layers };
  }
  writeOutputFile(file, JSON.stringify({ ...content, models }) + '\n', label);
}

/**
 * Reads a quantized model file, checked before anything runs it (src/quant/store-schema.ts): its structure,
 * its network (shapes chain, kernels fit, sizes the simulation holds) and every layer's parameters against
 * that network, each problem one message naming the file and the field.
 */
export function readQuantFile(file: string): QuantFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new MactileError(`quantized model ${file}: ${code ? `cannot read it (${code})` : 'not valid JSON'}`);
  }
  const where = `quantized model ${file}`;
  const stored = parseStoredFile(raw, where);
  const models: QuantFile['models'] = {};
  for (const [key, m] of Object.entries(stored.models)) {
    const checked = checkStoredModel(key, m, where);
    const layers: Record<string, QuantLayer> = {};
    for (const [name, l] of Object.entries(m.layers)) {
      layers[name] = { ...l, weights: checked.weights.get(name)!, bias: l.bias.map((b) => BigInt(b)) };
    }
    models[key] = { ...m, net: checked.net, options: m.options as QuantModel['options'], layers };
  }
  return { version: stored.version, source: stored.source, data: stored.data, models };
}
