/** SystemVerilog packages from TypeScript definitions, and the systolic array's package mt_sa_pkg. */
import { describe, expect, it } from 'vitest';
import { DATAFLOWS, TIMINGS } from '../../src/config/schema.js';
import { dataflowOf } from '../../src/accel/systolic/dataflows/index.js';
import { systolicDesign } from '../../src/accel/systolic/design.js';
import { systolicParams } from '../../src/accel/systolic/generate.js';
import { DATAFLOW_CODES, TIMING_CODES } from '../../src/accel/systolic/codes.js';
import {
  dataflowConstant,
  foldMetadata,
  foldMetadataLayout,
  SA_PACKAGE_FILE,
  timingConstant,
} from '../../src/accel/systolic/rtl-package.js';
import { emitPackage, fieldSlice, structLayout } from '../../src/rtl/package.js';
import { systolic } from '../helpers/configs.js';

describe('packages', () => {
  it('lays a packed struct out as SystemVerilog does: first field in the top bits', () => {
    const l = structLayout({
      name: 's_t',
      fields: [
        { name: 'a', width: 1 },
        { name: 'b', width: 3 },
        { name: 'c', width: 8 },
      ],
    });
    expect(l.width).toBe(12);
    expect(l.fields).toEqual({
      a: { lsb: 11, msb: 11, width: 1 },
      b: { lsb: 8, msb: 10, width: 3 },
      c: { lsb: 0, msb: 7, width: 8 },
    });
    expect(fieldSlice(l, 'x', 'a')).toBe('x[11]');
    expect(fieldSlice(l, 'x', 'b')).toBe('x[10:8]');
    expect(() => fieldSlice(l, 'x', 'd')).toThrow(/no field d/);
  });

  it('refuses keywords, repeated enum values and empty fields', () => {
    const pkg =
      (fields: { name: string; width: number }[], values: [string, number][] = [['A', 0]]) =>
      () =>
        emitPackage({
          name: 'p_pkg',
          header: [],
          enums: [{ name: 'e_t', values }],
          structs: [{ name: 's_t', fields }],
        });
    expect(pkg([{ name: 'end', width: 1 }])).toThrow(/"end" is not a usable SystemVerilog identifier/);
    expect(pkg([{ name: 'a', width: 0 }])).toThrow(/width 0/);
    expect(
      pkg(
        [{ name: 'a', width: 1 }],
        [
          ['A', 0],
          ['B', 0],
        ],
      ),
    ).toThrow(/B = 0/);
    expect(pkg([{ name: 'a', width: 1 }])()).toContain('package p_pkg;');
  });
});

describe('mt_sa_pkg', () => {
  it('holds the dataflow and timing codes the strategies, the RTL parameters and the C++ header use', () => {
    for (const d of DATAFLOWS) expect(dataflowOf(d).code).toBe(DATAFLOW_CODES[d]);
    expect(DATAFLOW_CODES).toEqual({ os: 0, ws: 1, is: 2 });
    expect(TIMING_CODES).toEqual({ scalesim: 0, pipelined: 1 });
    const d = systolicDesign(systolic(3, 5, 'is', 'pipelined'));
    const [name, pkg] = d.files[0]!;
    expect(name).toBe(SA_PACKAGE_FILE);
    for (const df of DATAFLOWS)
      expect(pkg).toContain(`${dataflowConstant(df).split('::')[1]} = 2'd${DATAFLOW_CODES[df]}`);
    for (const t of TIMINGS) expect(pkg).toContain(`${timingConstant(t).split('::')[1]} = 1'd${TIMING_CODES[t]}`);
    const top = d.files.find(([n]) => n === 'mt_sa_top.sv')![1];
    expect(top).toContain('.DF(mt_sa_pkg::DF_IS)');
    expect(top).toContain('.TIMING(mt_sa_pkg::TIMING_PIPELINED)');
    expect(d.header).toContain('#define MT_DATAFLOW 2  // 0 os, 1 ws, 2 is');
    expect(d.header).toContain('#define MT_TIMING 1  // 0 scalesim, 1 pipelined');
  });

  it('packs the fold metadata as valid, first, last, end, used, row, col, and the top reads it at those bits', () => {
    for (const cols of [1, 3, 8, 16, 255]) {
      const cfg = systolic(4, cols, 'ws');
      const { UW } = systolicParams(cfg);
      expect(foldMetadata(UW).fields.map((f) => f.name)).toEqual([
        'valid',
        'first',
        'last',
        'gemm_end',
        'used',
        'row',
        'col',
      ]);
      const l = foldMetadataLayout(UW);
      expect(l.width).toBe(64 + UW + 4);
      expect(l.fields.valid!.lsb).toBe(64 + UW + 3);
      expect(l.fields.used).toEqual({ lsb: 64, msb: 64 + UW - 1, width: UW });
      const d = systolicDesign(cfg);
      expect(d.files[0]![1]).toContain(`} fold_md_t;  // ${l.width} bits`);
      const top = d.files.find(([n]) => n === 'mt_sa_top.sv')![1];
      expect(top).toContain(`assign y_valid = md_out[${64 + UW + 3}];`);
      expect(top).toContain(`assign t_first = md_tap[${64 + UW + 2}];`);
      expect(top).toContain(`assign y_end = md_out[${64 + UW}];`);
      expect(top).toContain(`assign y_row = md_out[63:32];`);
    }
  });
});
