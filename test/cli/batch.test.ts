/**
 * `--batch N` and the config key `batch` as a user meets them: batch 1 byte-identical to no batch in every
 * output, per-inference figures beside the totals, one-line errors for bad values, and sim (random and
 * quantized operands) at batch 4, bit-exact and cycle-exact.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-batch-'));

/** A config file of the given keys (YAML). */
function configFile(name: string, keys: Record<string, unknown>): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    Object.entries(keys)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}\n`)
      .join(''),
  );
  return file;
}

const SA = { kind: 'systolic', rows: 8, cols: 8, dataflow: 'os' };

describe('analyze --batch', () => {
  for (const config of ['sa-8x8-os', 'nv_small']) {
    it.each(['table', 'json', 'csv'])(
      `${config}: --batch 1 and batch: 1 print what no batch prints (%s)`,
      async (f) => {
        const plain = await runCliInProcess(['analyze', '--net', 'lenet5', '--config', config, '--format', f]);
        const one = await runCliInProcess([
          'analyze',
          '--net',
          'lenet5',
          '--config',
          config,
          '--format',
          f,
          '--batch',
          '1',
        ]);
        expect(plain.code).toBe(0);
        expect(one).toEqual(plain);
        if (config === 'sa-8x8-os') {
          const file = configFile('sa-8x8-os', { ...SA, batch: 1 });
          const keyed = await runCliInProcess(['analyze', '--net', 'lenet5', '--config', file, '--format', f]);
          expect(keyed.stdout.replaceAll(file, 'SRC')).toEqual(
            plain.stdout.replace(/"source": "[^"]*"/, '"source": "SRC"'),
          );
        }
      },
    );
  }

  it('JSON: the batch, per-layer and total figures per inference; MACs times the batch', async () => {
    const run = (batch: string[]) =>
      runCliInProcess(['analyze', '--net', 'lenet5', '--config', 'nv_small', '--format', 'json', ...batch]);
    const one = JSON.parse((await run([])).stdout);
    const doc = JSON.parse((await run(['--batch', '16'])).stdout);
    expect(doc.batch).toBe(16);
    expect(doc.config.batch).toBe(16);
    expect(doc.totals.macs).toBe(16 * one.totals.macs);
    expect(doc.totals.perInference).toMatchObject({
      batch: 16,
      cycles: doc.totals.cycles / 16,
      timeUs: doc.totals.timeUs / 16,
      dramWords: doc.totals.dramWords / 16,
    });
    const fc1 = doc.layers.find((l: { name: string }) => l.name === 'fc1');
    expect(fc1.perInference.cycles).toBe(fc1.cycles / 16);
    // fc1 on nv_small: the batch shares every weight load, so an inference takes far fewer cycles.
    expect(fc1.perInference.cycles).toBeLessThan(one.layers[2].cycles / 4);
  });

  it('the table: batch in the title, per-inference columns and a closing line', async () => {
    const r = await runCliInProcess(['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--batch', '4']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/, batch 4 — mactile model/);
    expect(r.stdout).toMatch(/cycles\/inference +us\/inference @1000MHz/);
    expect(r.stdout).toMatch(
      /^batch 4: per inference [\d,.]+ cycles, [\d.]+ us, [\d,.]+ DRAM words \([\d,]+ inferences\/s\); utilisation [\d.]+ %/m,
    );
  });

  it('the config key batch gives what --batch gives, and --batch overrides it', async () => {
    const file = configFile('sa-batch', { ...SA, batch: 4 });
    const keyed = await runCliInProcess(['analyze', '--net', 'lenet5', '--config', file, '--format', 'json']);
    const flag = await runCliInProcess([
      'analyze',
      '--net',
      'lenet5',
      '--config',
      'sa-8x8-os',
      '--format',
      'json',
      '--batch',
      '4',
    ]);
    const strip = (t: string) => ({ ...JSON.parse(t), config: undefined });
    expect(strip(keyed.stdout)).toEqual(strip(flag.stdout));
    const over = await runCliInProcess([
      'analyze',
      '--net',
      'lenet5',
      '--config',
      file,
      '--format',
      'json',
      '--batch',
      '2',
    ]);
    expect(JSON.parse(over.stdout).batch).toBe(2);
  });

  it.each([
    ['0', 'received 0'],
    ['-3', 'received -3'],
    ['2.5', 'received "2.5"'],
    ['1025', 'received 1025'],
    ['1e9', 'received "1e9"'],
    ['many', 'received "many"'],
  ])('--batch %s is refused in one line naming the option, the range and the value', async (value, received) => {
    const r = await runCliInProcess(['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--batch', value]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe(
      `error: option '--batch <n>' argument '${value}' is invalid. expected a whole number from 1 to 1,024, ${received}`,
    );
  });

  it.each([
    [0, 'received 0'],
    [2.5, 'received 2.5'],
    [5000, 'received 5000'],
    ['four', 'received "four"'],
  ])('config key batch: %s is refused in one line naming the key, the range and the value', async (value, received) => {
    const file = configFile(`bad-${String(value)}`, { ...SA, batch: value });
    const r = await runCliInProcess(['analyze', '--net', 'lenet5', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `mactile: config ${file}: key 'batch': expected an integer from 1 to 1024, ${received}`,
    ]);
  });

  it('SCALE-Sim compatibility is refused at a batch: SCALE-Sim v2 has none', async () => {
    const r = await runCliInProcess([
      'analyze',
      '--net',
      'lenet5',
      '--config',
      'sa-8x8-os',
      '--compat',
      'scalesim',
      '--batch',
      '2',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mactile: batch 2 \(--batch or config key 'batch'\): --compat scalesim .* has no batch/);
  });
});

describe('sim --batch', () => {
  it('random operands at batch 4 on both kinds: bit-exact, cycle-exact, figures per inference', async () => {
    for (const config of ['sa-8x8-ws', 'nv_small']) {
      const r = await runCliInProcess([
        'sim',
        '--net',
        'lenet5',
        '--config',
        config,
        '--batch',
        '4',
        '--format',
        'json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.ok).toBe(true);
      expect(doc.batch).toBe(4);
      expect(doc.totals.macs).toBe(4 * 416_520);
      expect(doc.perInference.rtlCycles).toBe(doc.totals.rtlCycles / 4);
      expect(doc.totals.rtlCycles).toBe(doc.totals.analyticCycles);
      const table = await runCliInProcess(['sim', '--net', 'lenet5', '--config', config, '--batch', '4']);
      expect(table.stdout).toMatch(/ms per inference \([\d,.]+ RTL cycles\), [\d.]+ ms for the batch of 4/);
    }
  });

  it('--batch 1 prints what no batch prints', async () => {
    const plain = await runCliInProcess(['sim', '--net', 'lenet5', '--config', 'nv_small', '--layers', 'conv2,fc1']);
    const one = await runCliInProcess([
      'sim',
      '--net',
      'lenet5',
      '--config',
      'nv_small',
      '--layers',
      'conv2,fc1',
      '--batch',
      '1',
    ]);
    expect(plain.code).toBe(0);
    expect(one).toEqual(plain);
  });

  it('--quantized at batch 4: four held-out digits through the RTL, each with the logits of its own run', async () => {
    const q = join(dir, 'lenet5-q.json');
    const made = await runCliInProcess([
      'quantize',
      '--model',
      'models/lenet5.onnx',
      '--precision',
      'int8',
      '--calibration',
      'minmax',
      '--granularity',
      'channel',
      '--calibration-images',
      '50',
      '--test-images',
      '20',
      '--out',
      q,
    ]);
    expect(made.code, made.stderr).toBe(0);
    const sim = (extra: string[]) =>
      runCliInProcess(['sim', '--quantized', q, '--config', 'nv_small', '--format', 'json', ...extra]);
    const doc = JSON.parse((await sim(['--image', '10', '--batch', '4'])).stdout);
    expect(doc.ok).toBe(true);
    expect(doc.inferences.map((x: { image: number }) => x.image)).toEqual([10, 11, 12, 13]);
    expect(doc.inferences.every((x: { logitsIdentical: boolean }) => x.logitsIdentical)).toBe(true);
    const single = JSON.parse((await sim(['--image', '12'])).stdout);
    expect(single.inferences).toBeUndefined();
    expect(doc.inferences[2].logits).toEqual(single.logits);
    const past = await sim(['--image', '1998', '--batch', '4']);
    expect(past.code).toBe(2);
    expect(past.stderr.trim()).toBe(
      'mactile: --image 1998 with batch 4: the batch takes digits 1998 to 2001, expected a first digit from 0 to 1996',
    );
  });
});

describe('report --batch', () => {
  it('labels the runs with their batch and adds the per-inference columns to the comparison', async () => {
    const out = join(dir, 'report');
    const r = await runCliInProcess([
      'report',
      '--net',
      'lenet5',
      '--configs',
      'sa-8x8-os,nv_small',
      '--precision',
      'int8',
      '--batch',
      '2',
      '--quiet',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const csv = readFileSync(join(out, 'data', 'comparison.csv'), 'utf8').split('\n');
    expect(csv[0]).toMatch(/,batch,RTL cycles per inference,time per inference \(ms\)$/);
    expect(csv[1]).toMatch(/^sa-8x8-os int8 batch 2,.*,yes,2,/);
    expect(csv[2]).toMatch(/^nv_small int8 batch 2,.*,yes,2,/);
  });
});
