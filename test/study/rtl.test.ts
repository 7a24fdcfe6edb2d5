/**
 * The RTL subset of a study is named NET@CONFIG, its models must exist and --from needs a study.json; anything
 * else is refused before any work, naming what was expected.
 */
import { describe, expect, it } from 'vitest';
import { loadNetwork } from '../../src/nets/load.js';
import { presetConfig } from '../../src/study/analytic.js';
import { parseRtlPairs } from '../../src/study/rtl.js';
import { MactileError } from '../../src/util/errors.js';
import { runCli } from '../helpers/cli.js';

const nets = [loadNetwork('lenet5')];
const configs = (name: string) => (name === 'nv_small' ? presetConfig('nv_small', 'nv_small') : undefined);

describe('the RTL subset of a study', () => {
  it('pairs a network of the study with a config of the study', () => {
    const pairs = parseRtlPairs('lenet5@nv_small', nets, configs);
    expect(pairs.map((p) => `${p.net.name}@${p.cfg.name}`)).toEqual(['lenet5@nv_small']);
    expect(parseRtlPairs('none', nets, configs)).toEqual([]);
  });

  it.each(['alexnet@nv_small', 'lenet5@nv_big', 'lenet5', 'lenet5@nv_small@x'])('refuses %s', (text) => {
    expect(() => parseRtlPairs(text, nets, configs)).toThrow(MactileError);
    expect(() => parseRtlPairs(text, nets, configs)).toThrow(`received ${JSON.stringify(text)}`);
  });

  it.each([
    [['--rtl', 'lenet5@sa-16x16-os-dram0'], '--rtl: expected NET@CONFIG', 'received "lenet5@sa-16x16-os-dram0"'],
    [['--rtl', 'lenet5@sa-16x16-os-dram2000'], '--rtl: expected NET@CONFIG', 'received "lenet5@sa-16x16-os-dram2000"'],
    [['--sizes', '8,1'], '--sizes: expected a whole number from 2 to 512', 'received 1'],
  ])('refuses %j with a message naming the option', async (args, expected, received) => {
    const r = await runCli([
      'study',
      '--nets',
      'lenet5',
      '--models',
      'none',
      '--no-area',
      ...args,
      '--out',
      '/tmp/mactile-study-never',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(expected);
    expect(r.stderr).toContain(received);
  });

  it('refuses a --models file that does not exist before any work', async () => {
    const r = await runCli([
      'study',
      '--nets',
      'lenet5',
      '--models',
      'models/none.onnx',
      '--out',
      '/tmp/mactile-study-never',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--models: expected ONNX model files, received "models/none.onnx", which is not a file');
  });

  it('refuses --from a folder without study.json, naming the file', async () => {
    const r = await runCli(['study', '--from', '/nonexistent-study', '--out', '/tmp/mactile-study-never']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--from /nonexistent-study: expected /nonexistent-study/study.json written by mactile study',
    );
  });
});
