import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../../src/config/load.js';
import { MactileError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'mactile-config-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
const base = { kind: 'systolic', rows: 16, cols: 16, dataflow: 'os' };
const errorOf = (raw: unknown) => {
  try {
    validateConfig(raw, 'test.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(MactileError);
    return (e as Error).message;
  }
  throw new Error('expected the config to be rejected');
};

describe('hardware configs', () => {
  it('loads a YAML preset and fills in defaults', () => {
    const cfg = loadConfig('sa-16x16-os');
    expect(cfg).toMatchObject({
      kind: 'systolic',
      rows: 16,
      cols: 16,
      dataflow: 'os',
      precision: 'int8',
      timing: 'scalesim',
      name: 'sa-16x16-os',
    });
    expect(cfg.kind === 'systolic' && cfg.sram).toEqual({ ifmap_kb: 64, filter_kb: 64, ofmap_kb: 64 });
  });

  it('loads TOML with the same schema', () => {
    const cfg = loadConfig('sa-32x32-ws');
    expect(cfg).toMatchObject({
      rows: 32,
      cols: 32,
      dataflow: 'ws',
      precision: 'int16',
      timing: 'pipelined',
      clock_mhz: 800,
      dram: { bandwidth: 16 },
    });
  });

  it('loads a SCALE-Sim .cfg unchanged', () => {
    const cfg = loadConfig('scalesim-32x32-os');
    expect(cfg).toMatchObject({
      kind: 'systolic',
      rows: 32,
      cols: 32,
      dataflow: 'os',
      name: 'scalesim_32x32_os',
      dram: { bandwidth: 'calc' },
    });
    const user = file(
      'user.cfg',
      '[architecture_presets]\nArrayHeight: 8\nArrayWidth: 4\nDataflow = ws\nBandwidth : 2\nIfmapSramSzkB: 6\n[run_presets]\nInterfaceBandwidth: USER\n',
    );
    expect(loadConfig(user)).toMatchObject({
      rows: 8,
      cols: 4,
      dataflow: 'ws',
      dram: { bandwidth: 2 },
      sram: { ifmap_kb: 6, filter_kb: 64 },
    });
  });

  it('applies command-line overrides before validation', () => {
    expect(loadConfig('sa-16x16-os', { rows: 4, dataflow: 'is', precision: 'int16' })).toMatchObject({
      rows: 4,
      cols: 16,
      dataflow: 'is',
      precision: 'int16',
    });
    expect(() => loadConfig('sa-16x16-os', { rows: 0 })).toThrow(
      /key 'rows' \(from --rows\): expected an integer from 1 to 256, received 0/,
    );
  });

  it.each([
    [{ ...base, color: 'red' }, /unknown key 'color': expected one of kind, name, rows, cols/],
    [{ ...base, rows: 0 }, /key 'rows': expected an integer from 1 to 256, received 0/],
    [{ ...base, cols: -3 }, /key 'cols': expected an integer from 1 to 256, received -3/],
    [{ ...base, rows: 300 }, /key 'rows': expected an integer from 1 to 256, received 300/],
    [{ ...base, rows: 2.5 }, /key 'rows': expected an integer from 1 to 256, received 2.5/],
    [{ ...base, rows: 'eight' }, /key 'rows': expected an integer from 1 to 256, received "eight"/],
    [{ ...base, dataflow: 'xs' }, /key 'dataflow': expected one of os \| ws \| is, received "xs"/],
    [{ ...base, precision: 'int7' }, /key 'precision': expected one of int8 \| int16, received "int7"/],
    [{ ...base, timing: 'fast' }, /key 'timing': expected one of scalesim \| pipelined/],
    [{ ...base, sram: { ifmap_kb: 0 } }, /key 'sram.ifmap_kb': expected an integer from 1 to/],
    [{ ...base, sram: { l2_kb: 4 } }, /unknown key 'l2_kb' in 'sram'/],
    [{ ...base, dram: { bandwidth: 'fast' } }, /key 'dram.bandwidth': expected "calc" or a positive number/],
    [{ ...base, kind: 'gpu' }, /key 'kind': expected one of systolic \| nvdla, received "gpu"/],
    [{ kind: 'systolic', cols: 4, dataflow: 'os' }, /missing key 'rows'/],
    [{ ...base, name: '../../etc' }, /key 'name'/],
  ])('rejects %j with a message naming the key', (raw, message) => {
    expect(errorOf(raw)).toMatch(message);
    expect(errorOf(raw)).toMatch(/^config test\.yaml: /);
  });

  it('names the file for unreadable, malformed or missing configs', () => {
    expect(() => loadConfig(join(dir, 'absent.yaml'))).toThrow(/no such file/);
    expect(() => loadConfig(file('bad.yaml', 'rows: [1,\n'))).toThrow(/bad\.yaml: not valid YAML/);
    expect(() => loadConfig(file('bad.toml', 'rows = = 3\n'))).toThrow(/bad\.toml: not valid TOML/);
    expect(() => loadConfig(file('empty.yaml', ''))).toThrow(/empty\.yaml: expected a mapping/);
    expect(() => loadConfig(file('x.json', '{}'))).toThrow(/expected a \.yaml, \.yml, \.toml or \.cfg file/);
    expect(() =>
      loadConfig(file('bad.cfg', '[architecture_presets]\nArrayHeight: eight\nArrayWidth: 8\nDataflow: os\n')),
    ).toThrow(/key 'ArrayHeight': expected a number, received "eight"/);
    expect(() => loadConfig(file('nohead.cfg', 'ArrayHeight: 8\n'))).toThrow(/nohead\.cfg, line 1/);
  });
});
