/**
 * Output locations of every command that writes files (`--out` of export, analyze, generate, quantize,
 * report, study; `sweep --report`): checked before any work, refused with one line naming the path and what was
 * expected (exit 2; 3 for a full disk), never an internal error, never a loop (/proc), never a truncated or
 * clobbered earlier file. The commands run in process (main(argv)), one at a time. The report case runs a
 * one-layer RTL simulation: run this file under `flock /tmp/mactile-cpu.lock`.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thisHost } from '../../src/util/cleanup.js';
import { writeOutputFile, writeOutputFiles, writeOutputFolder } from '../../src/util/output.js';
import { runCli, runCliInProcess } from '../helpers/cli.js';
import {
  canMount,
  deadPid,
  expectUserError,
  fillDisk,
  leftovers,
  MOUNT_SKIP,
  mountTmpfs,
  remountReadOnly,
} from './helpers.js';

let base: string;
let db: string;

/** Commands writing a folder: their arguments with the folder, and a file they write into it. */
const FOLDER_COMMANDS: { name: string; args: (out: string) => string[]; file: string }[] = [
  {
    name: 'analyze',
    args: (o) => ['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--format', 'json', '--out', o],
    file: 'analysis.json',
  },
  {
    name: 'analyze --format scalesim',
    args: (o) => ['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os', '--format', 'scalesim', '--out', o],
    file: 'COMPUTE_REPORT.csv',
  },
  { name: 'generate', args: (o) => ['generate', 'sa-8x8-os', '--out', o], file: 'manifest.json' },
  { name: 'sweep --report', args: (o) => ['sweep', '--db', db, '--report', o], file: 'index.html' },
  {
    name: 'study',
    args: (o) => [
      'study',
      '--nets',
      'lenet5',
      '--models',
      'none',
      '--rtl',
      'none',
      '--sizes',
      '8',
      '--no-area',
      '--quiet',
      '--out',
      o,
    ],
    file: 'study.json',
  },
];
/** `report` runs the whole study before writing: only the up-front checks are exercised here. */
const REPORT = (o: string) => [
  'report',
  '--net',
  'lenet5',
  '--configs',
  'sa-8x8-os',
  '--precision',
  'int8',
  '--quiet',
  '--out',
  o,
];

/** Commands writing one file. */
const FILE_COMMANDS: { name: string; args: (out: string) => string[] }[] = [
  { name: 'export', args: (o) => ['export', '--net', 'lenet5', '--out', o] },
  {
    name: 'quantize',
    args: (o) => [
      'quantize',
      '--model',
      'models/lenet5.onnx',
      '--precision',
      'int8',
      '--calibration-images',
      '20',
      '--test-images',
      '20',
      '--out',
      o,
    ],
  },
];

const label = (args: string[]) => (args.includes('--report') ? '--report' : '--out');

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'mactile-outputs-'));
  db = join(base, 'sweep.sqlite');
  // In a process of its own: a sweep starts worker processes of the command that runs it.
  const r = await runCli([
    'sweep',
    '--db',
    db,
    '--net',
    'lenet5',
    '--rows',
    '4',
    '--cols',
    '4',
    '--dataflow',
    'os',
    '--jobs',
    '1',
  ]);
  expect(r.code, r.stderr).toBe(0);
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('kernel file systems are refused at once, not looped on', () => {
  for (const c of FOLDER_COMMANDS) {
    it(`${c.name} --out /proc/...`, async () => {
      const args = c.args('/proc/mactile-hardening');
      const r = await runCliInProcess(args);
      expectUserError(r, 2, `${label(args)} /proc/mactile-hardening`, 'kernel file system');
    });
  }
  it('report --out /proc/... before the study', async () => {
    const t0 = Date.now();
    const r = await runCliInProcess(REPORT('/proc/mactile-hardening'));
    expectUserError(r, 2, '--out /proc/mactile-hardening', 'kernel file system');
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
  for (const c of FILE_COMMANDS) {
    it(`${c.name} --out /proc/... and /sys/...`, async () => {
      for (const out of ['/proc/mactile-hardening.out', '/sys/mactile-hardening.out']) {
        const r = await runCliInProcess(c.args(out));
        expectUserError(r, 2, `--out ${out}`, 'kernel file system');
      }
    });
  }
});

describe('a file where a folder is expected, and a folder where a file is expected', () => {
  it('folder outputs refuse an existing file and a path below a file', async () => {
    const file = join(base, 'a-file.txt');
    writeFileSync(file, 'keep me\n');
    for (const args of [...FOLDER_COMMANDS.map((c) => c.args(file)), REPORT(file)]) {
      const r = await runCliInProcess(args);
      expectUserError(r, 2, `${label(args)} ${file}`, 'is a file, expected a folder');
    }
    for (const args of [...FOLDER_COMMANDS.map((c) => c.args(join(file, 'sub'))), REPORT(join(file, 'sub'))]) {
      const r = await runCliInProcess(args);
      expectUserError(r, 2, `${file} is a file, expected a folder`);
    }
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
  });

  it('file outputs refuse an existing folder and a path below a file', async () => {
    const folder = join(base, 'a-folder');
    mkdirSync(folder, { recursive: true });
    const file = join(base, 'b-file.txt');
    writeFileSync(file, 'keep me\n');
    for (const c of FILE_COMMANDS) {
      let r = await runCliInProcess(c.args(folder));
      expectUserError(r, 2, `--out ${folder}`, 'is a folder, expected a file');
      r = await runCliInProcess(c.args(join(file, 'x.out')));
      expectUserError(r, 2, `${file} is a file, expected a folder`);
    }
    expect(readdirSync(folder)).toEqual([]);
  });

  it('a folder in the way of a file the command writes into its folder', async () => {
    const out = join(base, 'analysis-in-the-way');
    mkdirSync(join(out, 'analysis.json'), { recursive: true });
    const r = await runCliInProcess(FOLDER_COMMANDS[0]!.args(out));
    expectUserError(r, 2, 'analysis.json', 'is a folder, expected a file');
  });
});

describe('missing parent folders are created', () => {
  it('for every file and folder output', async () => {
    for (const c of FILE_COMMANDS) {
      const out = join(base, 'new', c.name, 'deeper', 'out.file');
      const r = await runCliInProcess(c.args(out));
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(out)).toBe(true);
    }
    for (const c of FOLDER_COMMANDS) {
      const out = join(base, 'new', c.name.replace(/\W+/g, '-'), 'deeper');
      const r = await runCliInProcess(c.args(out));
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(join(out, c.file))).toBe(true);
      expect(leftovers(out)).toEqual([]);
    }
  });
});

describe('checks come before the work', () => {
  it('quantize checks --out before loading the model or running the study', async () => {
    const r = await runCliInProcess(['quantize', '--model', join(base, 'no-such-model.onnx'), '--out', base]);
    expectUserError(r, 2, `--out ${base}`, 'is a folder, expected a file');
  });
  it('report checks --out before loading configs or running the study', async () => {
    const file = join(base, 'c-file.txt');
    writeFileSync(file, 'x');
    const r = await runCliInProcess(['report', '--net', 'lenet5', '--configs', 'no-such-preset', '--out', file]);
    expectUserError(r, 2, `--out ${file}`, 'is a file, expected a folder');
  });
});

describe('a read-only file system', () => {
  it('every output is refused with EROFS, naming the path, and the earlier files stay', async (ctx) => {
    ctx.skip(!canMount(), MOUNT_SKIP);
    const m = mountTmpfs(base, '1m');
    try {
      writeFileSync(join(m.dir, 'earlier.csv'), 'earlier\n');
      mkdirSync(join(m.dir, 'earlier-folder'));
      remountReadOnly(m.dir);
      for (const c of FILE_COMMANDS) {
        for (const out of [join(m.dir, 'earlier.csv'), join(m.dir, 'new.csv'), join(m.dir, 'missing', 'new.csv')]) {
          const r = await runCliInProcess(c.args(out));
          expectUserError(r, 2, `--out ${out}`, 'read-only', 'EROFS');
        }
      }
      for (const args of [
        ...FOLDER_COMMANDS.map((c) => c.args(join(m.dir, 'earlier-folder'))),
        ...FOLDER_COMMANDS.map((c) => c.args(join(m.dir, 'new'))),
        REPORT(join(m.dir, 'new')),
      ]) {
        const r = await runCliInProcess(args);
        expectUserError(r, 2, `${label(args)} ${m.dir}`, 'read-only', 'EROFS');
      }
      expect(readFileSync(join(m.dir, 'earlier.csv'), 'utf8')).toBe('earlier\n');
    } finally {
      m.unmount();
    }
  });
});

describe('/dev/full (a full disk, without root)', () => {
  it('file outputs fail with ENOSPC naming the path (exit 3)', async () => {
    for (const c of FILE_COMMANDS) {
      const r = await runCliInProcess(c.args('/dev/full'));
      expectUserError(r, 3, '--out /dev/full', 'the disk is full (ENOSPC)');
    }
  });
});

describe('a full disk', () => {
  it('file outputs fail with ENOSPC and leave the earlier file whole', async (ctx) => {
    ctx.skip(!canMount(), MOUNT_SKIP);
    const m = mountTmpfs(base);
    try {
      for (const c of FILE_COMMANDS) writeFileSync(join(m.dir, `${c.name}.out`), `earlier ${c.name}\n`);
      fillDisk(m.dir);
      for (const c of FILE_COMMANDS) {
        const out = join(m.dir, `${c.name}.out`);
        const r = await runCliInProcess(c.args(out));
        expectUserError(r, 3, `--out ${out}`, 'the disk is full (ENOSPC)', 'unchanged');
        expect(readFileSync(out, 'utf8')).toBe(`earlier ${c.name}\n`);
      }
      expect(leftovers(m.dir)).toEqual([]);
    } finally {
      m.unmount();
    }
  });

  it('folder outputs fail with ENOSPC and leave the earlier files whole (a good analysis.json is not truncated)', async (ctx) => {
    ctx.skip(!canMount(), MOUNT_SKIP);
    const m = mountTmpfs(base);
    try {
      const outs = FOLDER_COMMANDS.map((c, i) => ({ c, out: join(m.dir, `out${i}`) }));
      for (const { c, out } of outs) {
        mkdirSync(out);
        writeFileSync(join(out, c.file), `earlier ${c.name}\n`);
      }
      fillDisk(m.dir);
      for (const { c, out } of outs) {
        const args = c.args(out);
        const r = await runCliInProcess(args);
        expectUserError(r, 3, `${label(args)} ${out}`, 'the disk is full (ENOSPC)');
        expect(readFileSync(join(out, c.file), 'utf8')).toBe(`earlier ${c.name}\n`);
        // A folder that did not exist is not left behind, empty, by the failed write.
        const fresh = join(m.dir, 'fresh', 'folder');
        const again = await runCliInProcess(c.args(fresh));
        expectUserError(again, 3, 'the disk is full (ENOSPC)');
        expect(existsSync(join(m.dir, 'fresh'))).toBe(false);
      }
      expect(leftovers(m.dir)).toEqual([]);
    } finally {
      m.unmount();
    }
  });

  // report runs its whole (here one-layer) study before writing: the write itself meets the full disk.
  it('report fails with ENOSPC after its study and leaves the earlier report whole; a missing folder is created', async (ctx) => {
    const topo = join(base, 'tiny.csv');
    writeFileSync(
      topo,
      'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nconv1,6,6,3,3,2,3,1,\n',
    );
    const report = (o: string) => [
      'report',
      '--net',
      topo,
      '--configs',
      'sa-8x8-os',
      '--precision',
      'int8',
      '--quiet',
      '--out',
      o,
    ];
    const fresh = join(base, 'new-report', 'deeper');
    const ok = await runCliInProcess(report(fresh));
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(join(fresh, 'index.html'))).toBe(true);
    ctx.skip(!canMount(), MOUNT_SKIP);
    const m = mountTmpfs(base);
    try {
      const out = join(m.dir, 'report');
      mkdirSync(out);
      writeFileSync(join(out, 'index.html'), 'earlier report\n');
      fillDisk(m.dir);
      const r = await runCliInProcess(report(out));
      expectUserError(r, 3, `--out ${out}`, 'the disk is full (ENOSPC)');
      expect(readFileSync(join(out, 'index.html'), 'utf8')).toBe('earlier report\n');
      expect(leftovers(m.dir)).toEqual([]);
    } finally {
      m.unmount();
    }
  });

  it('the writers keep every earlier file when one of several cannot be written', async (ctx) => {
    ctx.skip(!canMount(), MOUNT_SKIP);
    const m = mountTmpfs(base, '16k');
    try {
      writeFileSync(join(m.dir, 'a.txt'), 'A');
      writeFileSync(join(m.dir, 'b.txt'), 'B');
      expect(() =>
        writeOutputFiles(
          m.dir,
          [
            ['a.txt', 'new A'],
            ['b.txt', 'x'.repeat(64 << 10)],
          ],
          `--out ${m.dir}`,
        ),
      ).toThrow(/cannot write .*b\.txt: the disk is full \(ENOSPC\); the earlier files are unchanged/);
      expect(readFileSync(join(m.dir, 'a.txt'), 'utf8')).toBe('A');
      expect(readFileSync(join(m.dir, 'b.txt'), 'utf8')).toBe('B');
      await expect(
        writeOutputFolder(m.dir, (stage) => {
          writeFileSync(join(stage, 'a.txt'), 'x'.repeat(64 << 10));
          return join(stage, 'a.txt');
        }),
      ).rejects.toThrow(/cannot write into .*: the disk is full \(ENOSPC\); the earlier files are unchanged/);
      expect(readFileSync(join(m.dir, 'a.txt'), 'utf8')).toBe('A');
      expect(leftovers(m.dir)).toEqual([]);
    } finally {
      m.unmount();
    }
  });
});

describe('temporary names', () => {
  it('a write removes the temporary files a dead writer left in the folder, and never touches a live one', () => {
    const dir = join(base, 'stale-temps');
    mkdirSync(dir, { recursive: true });
    const dead = `.analysis.json.tmp-${deadPid()}@${thisHost}`;
    const live = `.analysis.json.tmp-${process.ppid}@${thisHost}`;
    const other = `.analysis.json.tmp-${deadPid()}@another-machine`;
    for (const f of [dead, live, other]) writeFileSync(join(dir, f), 'partial');
    writeOutputFile(join(dir, 'analysis.json'), '{}\n');
    const names = readdirSync(dir).sort();
    expect(names).toContain('analysis.json');
    expect(names).not.toContain(dead);
    expect(names).toContain(live);
    expect(names).toContain(other);
    expect(readFileSync(join(dir, 'analysis.json'), 'utf8')).toBe('{}\n');
  });

  it('writes through a symbolic link to an existing file and keeps its mode', async () => {
    const { symlinkSync, chmodSync, statSync } = await import('node:fs');
    const dir = join(base, 'links');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'real.csv'), 'old');
    chmodSync(join(dir, 'real.csv'), 0o640);
    symlinkSync('real.csv', join(dir, 'link.csv'));
    writeOutputFile(join(dir, 'link.csv'), 'new');
    expect(readFileSync(join(dir, 'real.csv'), 'utf8')).toBe('new');
    expect(statSync(join(dir, 'real.csv')).mode & 0o777).toBe(0o640);
  });
});
