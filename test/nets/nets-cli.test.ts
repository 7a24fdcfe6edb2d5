/** `mactile nets`: the zoo listing and `--net` for one network (zoo name with parameters, topology CSV). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-nets-'));

describe('mactile nets', () => {
  it('lists every zoo network with its parameters and defaults', async () => {
    const r = await runCliInProcess(['nets']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^bert_base +128x1x768 +8 +931,135,488 +seq=128 /m);
    expect(r.stdout).toMatch(/^googlenet +224x224x3 +58 +1,498,376,192 +k5=3 /m);
    expect(r.stdout).toMatch(/^yolo_tiny +416x416x3 +9 +3,485,520,896 /m);
    const json = JSON.parse((await runCliInProcess(['nets', '--format', 'json'])).stdout);
    expect(json.find((n: { name: string }) => n.name === 'vit_b16')).toMatchObject({
      params: 'seq=197',
      macs: 1_453_954_560,
      input: { h: 197, w: 1, c: 768 },
    });
  });

  it('--net shows one network: a zoo name with parameters, with --layers every MAC layer', async () => {
    const r = await runCliInProcess(['nets', '--net', 'bert_base:seq=384', '--format', 'json', '--layers']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      name: 'bert_base:seq=384',
      macLayers: 8,
      macs: 2_944_401_408,
      hostOps: 3,
      source: 'zoo',
    });
    expect(doc.layers.find((l: { name: string }) => l.name === 'attn.qk')).toMatchObject({
      input: '384x1x768',
      output: '384x1x4608',
      groups: 12,
    });
    const t = await runCliInProcess(['nets', '--net', 'googlenet:k5=5']);
    expect(t.stdout).toMatch(/^googlenet:k5=5 +224x224x3 +58 +1,582,671,872 +zoo$/m);
  });

  it('--net FILE prints the MAC total of a topology CSV and the notes of its import', async () => {
    const file = join(dir, 'two.csv');
    writeFileSync(
      file,
      'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n\nNet A,\nc1, 32, 32, 5, 5, 1, 6, 1,\nc1, 14, 14, 5, 5, 6, 16, 1,\n',
    );
    const r = await runCliInProcess(['nets', '--net', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^two +32x32x1 +2 +357,600 /m);
    expect(r.stdout).toMatch(/note: line 3: section row "Net A" \(a name and no values\): skipped/);
    expect(r.stdout).toMatch(/note: lines 4, 5: layer name "c1" is used 2 times; the repeats are called "c1#2"/);
  });

  it('--net names a bad file, line and field, and a bad zoo parameter', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(
      file,
      'Layer name\\tIFMAP Height\\tIFMAP Width\\tFilter Height\\tFilter Width\\tChannels\\tNum Filter\\tStrides\\t\nc1\\t32\\t32\\t5\\t5\\t1\\t6\\t1\\t\n'.replace(
        /\\t/g,
        '\t',
      ),
    );
    const r = await runCliInProcess(['nets', '--net', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /bad\.csv, line 1: the fields are separated by TABs; SCALE-Sim reads comma-separated values only/,
    );
    const z = await runCliInProcess(['nets', '--net', 'bert_base:seq=x']);
    expect(z.code).toBe(2);
    expect(z.stderr).toMatch(/network "bert_base:seq=x": parameter seq .*received "x"/);
  });
});
