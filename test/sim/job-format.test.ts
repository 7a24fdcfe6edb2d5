/**
 * The job-format table is the one description of the driver boundary: the TypeScript codec, the generated
 * C++ header and docs/JOB-FORMAT.md all come from it and must agree with each other. The drivers themselves
 * (with the RTL) are covered by the RTL tests and test/sim/failures.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataflowOf } from '../../src/accel/systolic/dataflows/index.js';
import { systolicParams } from '../../src/accel/systolic/generate.js';
import { systolicDesign } from '../../src/accel/systolic/design.js';
import { nvdlaDesign } from '../../src/accel/nvdla/design.js';
import { NVDLA_JOB, nvdlaJob, type NvJobConv, type NvJobHeader } from '../../src/accel/nvdla/job.js';
import { ACCELERATORS, JOB_FORMAT } from '../../src/accel/registry.js';
import { SYSTOLIC_JOB, systolicJob, type JobGemm, type SystolicJobHeader } from '../../src/accel/systolic/job.js';
import { buildKey, generatedHeaders } from '../../src/sim/build.js';
import { decodeResult, readResult, type IntMatrix } from '../../src/sim/job.js';
import { decodeFile, encodeFile, FormatError, magicOf } from '../../src/sim/job/codec.js';
import { JOB_LAYOUT_HEADER, jobLayoutHeader } from '../../src/sim/job/cpp.js';
import { DOC_BEGIN, DOC_END, generatedPart, jobFormatMarkdown, withGeneratedPart } from '../../src/sim/job/doc.js';
import { codeOf, jobFormat, RESULT } from '../../src/sim/job/layout.js';
import { fixedOffsets, tableProblems, type EnumDef, type FileDef } from '../../src/sim/job/table.js';
import { MactileError } from '../../src/util/errors.js';
import { projectRoot } from '../../src/util/paths.js';
import { nvdla, systolic } from '../helpers/configs.js';

/** A file or an enum of the registered kinds' table, by name. */
const fileOf = (name: string): FileDef => JOB_FORMAT.files.find((f) => f.name === name)!;
const enumOf = (name: string): EnumDef => JOB_FORMAT.enums.find((e) => e.name === name)!;

const mat = (rows: number, cols: number, f: (i: number) => number): IntMatrix => ({
  rows,
  cols,
  data: Int16Array.from({ length: rows * cols }, (_, i) => f(i)),
});

function systolicCase(dw: 8 | 16): { h: SystolicJobHeader; gemms: JobGemm[] } {
  const big = dw === 8 ? 127 : 32767;
  const h: SystolicJobHeader = { rows: 4, cols: 3, dw, accW: dw === 8 ? 32 : 48, dataflow: 1, timing: 1 };
  const gemms: JobGemm[] = [
    {
      m: 5,
      k: 7,
      n: 3,
      relu: true,
      zeroPoint: -3,
      maxCycles: 123_456_789_012,
      p1: mat(2, 3, (i) => (i % 2 ? -big - 1 : big - i)),
      p2: mat(3, 2, (i) => i - 3),
      q: { bias: [-(1n << 39n), 5n, 0n], mult: [-(2 ** 31), 2 ** 31 - 1, 7], shift: [0, 63, 31] },
      out: { rows: 3, cols: 4 },
      acc: { rows: 3, cols: 5 },
    },
    {
      m: 1,
      k: 1,
      n: 1,
      relu: false,
      zeroPoint: 0,
      maxCycles: 1000,
      p1: mat(1, 1, () => -1),
      p2: mat(0, 0, () => 0),
      q: { bias: [], mult: [], shift: [] },
      out: { rows: 1, cols: 1 },
      acc: { rows: 0, cols: 0 },
    },
  ];
  return { h, gemms };
}

function nvCase(dw: 8 | 16): { h: NvJobHeader; convs: NvJobConv[] } {
  return {
    h: { atomicC: 8, atomicK: 4, dw, weightKernels: 2 },
    convs: [
      {
        dims: [6, 5, 3, 4, 3, 2, 1, 2, 1, 1, 1, 0, 4, 2],
        relu: false,
        zeroPoint: 12,
        padValue: -7,
        truncate: 5,
        maxCycles: 77,
        feature: mat(2, 4, (i) => -i),
        weight: mat(1, 4, (i) => i * 9),
        q: { bias: [-12n], mult: [99], shift: [8] },
        out: { rows: 3, cols: 4 },
      },
    ],
  };
}

describe('the job-format table', () => {
  it('is well formed: counts refer to earlier u32 fields, every length counts one array, items come last', () => {
    for (const f of JOB_FORMAT.files) expect(tableProblems(f), f.name).toEqual([]);
  });

  it('is assembled from the registered kinds: the job-kind enum from their codes, their job files, the result', () => {
    // Each kind's job file, then the job files of its other drivers (the systolic memory system's).
    const jobs = ACCELERATORS.flatMap((a) => [a.job, ...(a.otherJobs ?? [])]);
    expect(enumOf('job_kind').values.map((v) => v.name)).toEqual(['systolic', 'systolic_mem', 'nvdla', 'nvdla_mem']);
    expect(enumOf('job_kind').values).toEqual(jobs.map((j) => j.kind));
    expect(JOB_FORMAT.files.map((f) => f.name)).toEqual([...jobs.map((j) => j.file.name), 'result', 'mem_result']);
    expect(JOB_FORMAT.enums.map((e) => e.name)).toEqual(['job_kind', 'status', 'dataflow', 'timing']);
    expect(() => jobFormat([systolicJob, systolicJob])).toThrow(/two kinds with the job-kind code 1/);
    const other = { kind: { name: 'other', code: 9, meaning: '' }, file: SYSTOLIC_JOB };
    expect(() => jobFormat([other])).toThrow(/systolic_job: the first field must be jobKindField\(9\)/);
  });

  it('gives the dataflow and timing codes the generators give the RTL (MT_DATAFLOW, MT_TIMING)', () => {
    for (const df of ['os', 'ws', 'is'] as const) expect(dataflowOf(df).code, df).toBe(codeOf(enumOf('dataflow'), df));
    for (const t of ['scalesim', 'pipelined'] as const)
      expect(systolicParams(systolic(2, 2, 'os', t)).TIMING, t).toBe(codeOf(enumOf('timing'), t));
  });

  it("gives each design's mt_params.h the job kind its driver checks at compile time", () => {
    expect(systolicDesign(systolic(2, 2, 'ws', 'pipelined')).header).toContain(
      `#define MT_JOB_KIND ${systolicJob.kind.code} `,
    );
    expect(systolicDesign(systolic(2, 2, 'ws', 'pipelined')).header).toContain(
      '#define MT_TIMING 1  // 0 scalesim, 1 pipelined',
    );
    expect(nvdlaDesign(nvdla(8, 8)).header).toContain(`#define MT_JOB_KIND ${nvdlaJob.kind.code} `);
    for (const [driver, kind] of [
      ['sa_driver.cpp', 'SYSTOLIC'],
      ['nv_driver.cpp', 'NVDLA'],
    ]) {
      expect(readFileSync(join(projectRoot(), 'sim', driver!), 'utf8')).toContain(
        `static_assert(MT_JOB_KIND == mt::layout::JOB_KIND_${kind}`,
      );
    }
  });

  it('puts the head fields of a job at the offsets it documents', () => {
    const { h, gemms } = systolicCase(8);
    const b = systolicJob.encode(h, gemms);
    expect(b.subarray(0, 8).toString('latin1')).toBe('MTJOB02\0');
    const offsets = fixedOffsets(SYSTOLIC_JOB, 8);
    const at = (name: string) => b.readUInt32LE(offsets[SYSTOLIC_JOB.fields.findIndex((f) => f.name === name)]!);
    expect([
      at('kind'),
      at('rows'),
      at('cols'),
      at('dw'),
      at('acc_w'),
      at('dataflow'),
      at('timing'),
      at('n_items'),
    ]).toEqual([1, 4, 3, 8, 32, 1, 1, 2]);
  });
});

describe('the TypeScript codec', () => {
  it.each([8, 16] as const)('round-trips a systolic job (INT%i) through the table', (dw) => {
    const { h, gemms } = systolicCase(dw);
    const back = decodeFile(SYSTOLIC_JOB, systolicJob.encode(h, gemms));
    expect(back).toMatchObject({ rows: 4, cols: 3, dw, acc_w: h.accW, dataflow: 1, timing: 1 });
    expect(back.items).toHaveLength(2);
    gemms.forEach((g, i) => {
      const w = back.items[i]!;
      expect(w).toMatchObject({
        m: g.m,
        k: g.k,
        n: g.n,
        relu: g.relu ? 1 : 0,
        zero_point: g.zeroPoint,
        max_cycles: g.maxCycles,
        o_rows: g.out.rows,
        o_cols: g.out.cols,
        acc_rows: g.acc.rows,
        acc_cols: g.acc.cols,
      });
      expect(w.p1).toEqual(g.p1);
      expect(w.p2).toEqual(g.p2);
      expect(w.q).toEqual(g.q.bias.map((bias, j) => ({ bias, mult: g.q.mult[j], shift: g.q.shift[j] })));
    });
  });

  it.each([8, 16] as const)('round-trips an NVDLA job (INT%i) through the table', (dw) => {
    const { h, convs } = nvCase(dw);
    const back = decodeFile(NVDLA_JOB, nvdlaJob.encode(h, convs));
    expect(back).toMatchObject({ atomic_c: 8, atomic_k: 4, dw, weight_kernels: 2 });
    const c = back.items[0]!;
    expect([
      c.h,
      c.w,
      c.c,
      c.k,
      c.r,
      c.s,
      c.stride_h,
      c.stride_w,
      c.dilation_h,
      c.dilation_w,
      c.pad_top,
      c.pad_left,
      c.out_h,
      c.out_w,
    ]).toEqual(convs[0]!.dims);
    expect(c).toMatchObject({
      relu: 0,
      zero_point: 12,
      pad_value: -7,
      truncate: 5,
      max_cycles: 77,
      o_rows: 3,
      o_cols: 4,
      q: [{ bias: -12n, mult: 99, shift: 8 }],
    });
    expect(c.feature).toEqual(convs[0]!.feature);
    expect(c.weight).toEqual(convs[0]!.weight);
  });

  it.each([8, 16] as const)('round-trips a result (INT%i) through the table', (dw) => {
    const shapes = [
      { rows: 2, cols: 3 },
      { rows: 1, cols: 2 },
    ];
    const items = [
      {
        cycles: 2 ** 40,
        macs: 30,
        outputs: 6,
        folds: 2,
        lane_writes: 6,
        repeated_writes: 0,
        outside_writes: 1,
        sim_ns: 1_500_000_000,
        fold_starts: [1, 17],
        out: Int16Array.from([-128, 127, 0, 1, -1, 5]),
      },
      {
        cycles: 9,
        macs: 0,
        outputs: 0,
        folds: 0,
        lane_writes: 0,
        repeated_writes: 3,
        outside_writes: 0,
        sim_ns: 0,
        fold_starts: [],
        out: Int16Array.from([dw === 8 ? -100 : -30000, 2]),
      },
    ];
    const itemJob = (i: number) => ({ o_rows: shapes[i]!.rows, o_cols: shapes[i]!.cols });
    const bytes = encodeFile(RESULT, { status: 1, items }, { dw, itemJob });
    expect(decodeFile(RESULT, bytes, { dw, itemJob })).toEqual({ status: 1, items });
    const r = decodeResult(bytes, dw, shapes);
    expect(r.status).toBe('watchdog');
    expect(r.gemms[0]).toEqual({
      cycles: 2 ** 40,
      macs: 30,
      outputs: 6,
      folds: 2,
      laneWrites: 6,
      repeatedWrites: 0,
      outsideWrites: 1,
      simSeconds: 1.5,
      foldStarts: [1, 17],
      out: { rows: 2, cols: 3, data: items[0]!.out },
    });
    expect(r.gemms[1]!.out.data).toEqual(items[1]!.out);
  });

  it('derives lengths, checks every other count and rejects fields the table does not have', () => {
    const { h, gemms } = systolicCase(8);
    const bad = { ...gemms[0]!, p1: { rows: 2, cols: 3, data: new Int16Array(5) } };
    expect(() => systolicJob.encode(h, [bad])).toThrow(/operand_matrix\.data: 5 values, expected rows\*cols = 6/);
    expect(() => encodeFile(RESULT, { status: 0, items: [], extra: 1 } as never)).toThrow(
      /result: extra is no field of the job format to give/,
    );
    expect(() => encodeFile(RESULT, { status: 0, n_items: 0, items: [] } as never)).toThrow(
      /result: n_items is no field of the job format to give/,
    );
    expect(() => encodeFile(SYSTOLIC_JOB, { kind: 2 } as never)).toThrow(
      /systolic_job: kind is no field of the job format to give/,
    );
  });

  it('refuses files that do not follow the table, naming what is wrong', () => {
    const { h, gemms } = systolicCase(8);
    const job = systolicJob.encode(h, gemms);
    const { h: nh, convs } = nvCase(8);
    expect(() => decodeFile(fileOf('nvdla_job'), job)).toThrow(
      /nvdla_job\.kind at byte 8: 1 \(systolic\), expected 2 \(nvdla\)/,
    );
    expect(() => decodeFile(SYSTOLIC_JOB, nvdlaJob.encode(nh, convs))).toThrow(FormatError);
    expect(() => decodeFile(SYSTOLIC_JOB, job.subarray(0, job.length - 1))).toThrow(/truncated at byte/);
    expect(() => decodeFile(SYSTOLIC_JOB, Buffer.concat([job, Buffer.alloc(3)]))).toThrow(
      /3 unexpected trailing bytes/,
    );
    expect(() => decodeFile(SYSTOLIC_JOB, Buffer.from('MTRES02\0'))).toThrow(/not a mactile job file/);
    const v1 = Buffer.from(job);
    v1.write('MTJOB01\0', 0, 'latin1');
    expect(() => decodeFile(SYSTOLIC_JOB, v1)).toThrow(/a job file of format version 01, expected 02/);
  });

  it('reads a result file with the errors of the driver runner', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mactile-result-'));
    const f = join(dir, 'result.bin');
    const bytes = encodeFile(
      RESULT,
      {
        status: 0,
        items: [
          {
            cycles: 1,
            macs: 1,
            outputs: 1,
            folds: 0,
            lane_writes: 1,
            repeated_writes: 0,
            outside_writes: 0,
            sim_ns: 1,
            fold_starts: [],
            out: Int16Array.from([3]),
          },
        ],
      },
      { dw: 8, itemJob: () => ({ o_rows: 1, o_cols: 1 }) },
    );
    writeFileSync(f, bytes);
    expect(readResult(f, 8, [{ rows: 1, cols: 1 }]).gemms[0]!.out.data).toEqual(Int16Array.from([3]));
    const fail = (shapes: { rows: number; cols: number }[]) => {
      try {
        readResult(f, 8, shapes);
      } catch (e) {
        expect(e).toBeInstanceOf(MactileError);
        return (e as Error).message;
      }
      return '';
    };
    expect(fail([{ rows: 1, cols: 2 }])).toMatch(/^simulation result .*: truncated at byte \d+$/);
    expect(fail([])).toMatch(/more items than the job's 0/);
    writeFileSync(f, bytes.subarray(0, 4));
    expect(fail([{ rows: 1, cols: 1 }])).toMatch(/truncated at byte 0/);
    expect(() => readResult(join(dir, 'none.bin'), 8, [])).toThrow(/missing \(the driver did not finish\)/);
  });
});

describe('the generated C++ header', () => {
  it('is written into every build and hashed into its key', () => {
    const src = {
      files: [['a.v', 'module a; endmodule\n']] as [string, string][],
      top: 'a',
      header: '#pragma once\n',
      driver: 'sa_driver.cpp',
    };
    expect(generatedHeaders(src)).toEqual([
      ['mt_params.h', src.header],
      [JOB_LAYOUT_HEADER, jobLayoutHeader(JOB_FORMAT)],
    ]);
    expect(buildKey(src, 'v')).toBe(buildKey(src, 'v'));
    expect(buildKey({ ...src, header: '#pragma once\n#define X 1\n' }, 'v')).not.toBe(buildKey(src, 'v'));
  });

  it('has the magics, codes and offsets of the table', () => {
    const h = jobLayoutHeader(JOB_FORMAT);
    expect(h).toContain(`constexpr char SYSTOLIC_JOB_MAGIC[] = "${magicOf(SYSTOLIC_JOB).slice(0, 7)}";`);
    expect(h).toContain('constexpr uint32_t JOB_KIND_SYSTOLIC = 1;');
    expect(h).toContain('constexpr uint32_t JOB_KIND_NVDLA = 2;');
    expect(h).toContain('constexpr uint32_t TIMING_PIPELINED = 1;');
    expect(h).toContain('constexpr size_t SYSTOLIC_JOB_OFFSET_TIMING = 32;');
  });

  // The drivers with the RTL are covered by the RTL tests; here a small program reads jobs through the header
  // and echoes every field into a result, compiled warning-free.
  describe('read and written by a C++ program', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mactile-layout-'));
    const echo = join(dir, 'job_echo');
    let compiled: { exitCode?: number; all?: string };
    beforeAll(async () => {
      writeFileSync(join(dir, JOB_LAYOUT_HEADER), jobLayoutHeader(JOB_FORMAT));
      const src = join(projectRoot(), 'test', 'fixtures', 'cpp', 'job_echo.cpp');
      compiled = await execa(
        'g++',
        [
          '-std=c++14',
          '-O1',
          '-Wall',
          '-Wextra',
          '-Werror',
          '-pedantic',
          `-I${dir}`,
          `-I${join(projectRoot(), 'sim')}`,
          '-o',
          echo,
          src,
        ],
        { reject: false, all: true },
      );
    });
    const run = async (kind: string, job: Buffer) => {
      const jf = join(dir, `${kind}-job.bin`);
      const rf = join(dir, `${kind}-result.bin`);
      writeFileSync(jf, job);
      const r = await execa(echo, [kind, jf, rf], { reject: false, all: true });
      return { ...r, result: r.exitCode === 0 ? readFileSync(rf) : undefined };
    };
    const shift = (v: number | bigint) => Number(BigInt(v) + (1n << 40n));

    it('compiles with -Wall -Wextra -Werror -pedantic', () => {
      expect(compiled.all).toBe('');
      expect(compiled.exitCode).toBe(0);
    });

    it.each([8, 16] as const)(
      'reads every field of a systolic job (INT%i) and writes a result TypeScript reads',
      async (dw) => {
        const { h, gemms } = systolicCase(dw);
        const r = await run('systolic', systolicJob.encode(h, gemms));
        expect(r.all).toBe('');
        const res = decodeResult(
          r.result!,
          dw,
          gemms.map((g) => g.out),
        );
        expect(res.status).toBe('ok');
        gemms.forEach((g, i) => {
          const e = res.gemms[i]!;
          expect([
            e.cycles,
            e.macs,
            e.outputs,
            e.folds,
            e.laneWrites,
            e.repeatedWrites,
            e.outsideWrites,
            Math.round(e.simSeconds * 1e9),
          ]).toEqual([
            g.m,
            g.k,
            g.n,
            g.relu ? 1 : 0,
            shift(g.zeroPoint),
            g.maxCycles,
            g.acc.rows * 1000 + g.acc.cols,
            g.out.rows * 1000 + g.out.cols,
          ]);
          expect(e.foldStarts).toEqual([
            h.rows,
            h.cols,
            h.dw,
            h.accW,
            h.dataflow,
            h.timing,
            g.p1.rows,
            g.p1.cols,
            g.p2.rows,
            g.p2.cols,
            ...g.q.bias.flatMap((b, j) => [shift(b), shift(g.q.mult[j]!), g.q.shift[j]]),
          ]);
          expect(Array.from(e.out.data)).toEqual([...g.p1.data, ...g.p2.data].slice(0, g.out.rows * g.out.cols));
        });
      },
    );

    it.each([8, 16] as const)('reads every field of an NVDLA job (INT%i)', async (dw) => {
      const { h, convs } = nvCase(dw);
      const c = convs[0]!;
      const r = await run('nvdla', nvdlaJob.encode(h, convs));
      expect(r.all).toBe('');
      const e = decodeResult(r.result!, dw, [c.out]).gemms[0]!;
      expect([
        e.cycles,
        e.macs,
        e.outputs,
        e.folds,
        e.laneWrites,
        e.repeatedWrites,
        e.outsideWrites,
        Math.round(e.simSeconds * 1e9),
      ]).toEqual([
        c.maxCycles,
        0,
        shift(c.zeroPoint),
        shift(c.padValue),
        c.truncate,
        h.atomicC * 1000 + h.atomicK,
        dw * 1000 + h.weightKernels,
        c.out.rows * 1000 + c.out.cols,
      ]);
      expect(e.foldStarts).toEqual([...c.dims, shift(c.q.bias[0]!), shift(c.q.mult[0]!), c.q.shift[0]]);
      expect(Array.from(e.out.data)).toEqual([...c.feature.data, ...c.weight.data]);
    });

    it('refuses a job of another kind, another format version or cut short, in one line', async () => {
      const { h, convs } = nvCase(8);
      expect((await run('systolic', nvdlaJob.encode(h, convs))).all).toBe(
        'driver: job file: kind is 2 (nvdla), this driver reads 1 (systolic)',
      );
      const { h: sh, gemms } = systolicCase(8);
      const job = systolicJob.encode(sh, gemms);
      const v1 = Buffer.from(job);
      v1.write('MTJOB01\0', 0, 'latin1');
      expect((await run('systolic', v1)).all).toBe(
        'driver: job file of format version 01, this driver reads version 02',
      );
      expect((await run('systolic', Buffer.from('not a job at all'))).all).toBe('driver: not a mactile job file');
      const cut = await run('systolic', job.subarray(0, 60));
      expect(cut.exitCode).toBe(2);
      expect(cut.all).toBe('driver: job file truncated');
    });
  });
});

describe('docs/JOB-FORMAT.md', () => {
  it('shows the tables rendered from the job-format table (UPDATE_DOCS=1 rewrites them)', () => {
    const path = join(projectRoot(), 'docs', 'JOB-FORMAT.md');
    const doc = readFileSync(path, 'utf8');
    if (process.env.UPDATE_DOCS === '1') writeFileSync(path, withGeneratedPart(doc, JOB_FORMAT));
    const now = readFileSync(path, 'utf8');
    expect(now).toContain(DOC_BEGIN);
    expect(now).toContain(DOC_END);
    expect(
      generatedPart(now),
      'docs/JOB-FORMAT.md is out of date: run UPDATE_DOCS=1 node_modules/.bin/vitest run test/sim/job-format.test.ts',
    ).toBe(jobFormatMarkdown(JOB_FORMAT));
  });
});
