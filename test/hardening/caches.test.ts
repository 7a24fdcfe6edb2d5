/**
 * The caches verify what they reuse: a damaged simulator binary (truncated, random, deleted, or a marker
 * without its checksum), a damaged generated/<name>-<hash>/ folder and a damaged synthesis entry are said on
 * stderr and rebuilt or rewritten; a build whose mactile was SIGKILLed neither leaves its compilers running
 * nor makes the next run wait for its lock; temporary folders of dead processes are removed. Runs Verilator
 * and yosys: run this file under `flock /tmp/mactile-cpu.lock`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accelOf } from '../../src/accel/registry.js';
import { loadConfig } from '../../src/config/load.js';
import { buildFor } from '../../src/sim/run-network.js';
import { ensureBuild } from '../../src/sim/build.js';
import { processAlive, processStart, thisHost } from '../../src/util/cleanup.js';
import { acquireLock } from '../../src/util/lock.js';
import { projectRoot } from '../../src/util/paths.js';
import { ownStderr, runCli } from '../helpers/cli.js';
import { deadPid } from './helpers.js';

let base: string;
let cfgFile: string;

/** The processes of a process group (pid, state, command), from ps. */
function groupMembers(pgid: number): { pid: number; stat: string; comm: string }[] {
  const out = spawnSync('ps', ['-eo', 'pid=,pgid=,stat=,comm='], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => Number(f[1]) === pgid)
    .map((f) => ({ pid: Number(f[0]), stat: f[2]!, comm: f[3]! }));
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeAll(() => {
  // A path with a space, as a checkout may have: GNU Make cannot build there, so the build must work around it.
  base = mkdtempSync(join(tmpdir(), 'mactile caches-'));
  cfgFile = join(base, 'hardening-cache-2x2.yaml');
  writeFileSync(cfgFile, 'kind: systolic\nrows: 2\ncols: 2\ndataflow: os\n');
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

const sim = () => runCli(['sim', '--net', 'lenet5', '--config', cfgFile, '--layers', 'conv1', '--format', 'json']);

describe('the simulator build cache', () => {
  it(
    'rebuilds a truncated, random, deleted or unverifiable binary instead of running it',
    { timeout: 900_000 },
    async () => {
      let r = await sim();
      expect(r.code, r.stderr).toBe(0);
      const build = await buildFor(loadConfig(cfgFile));
      expect(build.cached).toBe(true);
      const damages: [string, () => void][] = [
        ['truncated', () => truncateSync(build.binary, 1000)],
        [
          'random bytes',
          () => writeFileSync(build.binary, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))),
        ],
        ['deleted', () => unlinkSync(build.binary)],
        ['marker without checksum', () => writeFileSync(join(build.dir, 'ok'), 'Verilator 5\n')],
      ];
      for (const [what, damage] of damages) {
        damage();
        r = await sim();
        expect(r.code, `${what}: ${r.stderr}`).toBe(0);
        expect(r.stderr, what).toContain(`the cached simulator ${build.binary} is damaged`);
        expect(r.stderr, what).toContain('building it again');
        expect(r.stderr).not.toMatch(/crashed|SIGSEGV|internal error/);
        expect((JSON.parse(r.stdout) as { ok: boolean }).ok).toBe(true);
        const marker = readFileSync(join(build.dir, 'ok'), 'utf8');
        expect(marker).toContain(`sha256 ${sha256(build.binary)}`);
        // Healed: the next run reuses it silently.
        const again = await sim();
        expect(again.code).toBe(0);
        expect(again.stderr).not.toContain('damaged');
      }
    },
  );
});

describe('the generated design folder', () => {
  it('is checked against the design and written again when damaged', async () => {
    let r = await runCli(['generate', cfgFile]);
    expect(r.code, r.stderr).toBe(0);
    const dir = /wrote (\S+)\/ /.exec(r.stdout)![1]!;
    const files = readdirSync(dir).sort();
    const good = Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    const verilog = files.find((f) => f.endsWith('.v') || f.endsWith('.sv'))!;
    const damages: [string, () => void, string][] = [
      [
        'a Verilog file edited',
        () => writeFileSync(join(dir, verilog), good[verilog]!.slice(0, 100)),
        `${verilog} differs from the design`,
      ],
      ['the header deleted', () => unlinkSync(join(dir, 'mt_params.h')), 'mt_params.h is missing'],
      [
        'the manifest truncated',
        () => writeFileSync(join(dir, 'manifest.json'), good['manifest.json']!.slice(0, 50)),
        'manifest.json is not valid JSON',
      ],
      [
        'the manifest of another design',
        () =>
          writeFileSync(
            join(dir, 'manifest.json'),
            good['manifest.json']!.replace(/"hash": "[0-9a-f]+"/, '"hash": "0000000000000000"'),
          ),
        'manifest.json does not describe the design',
      ],
    ];
    for (const [what, damage, reason] of damages) {
      damage();
      r = await runCli(['generate', cfgFile]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr, what).toContain(`the cached design ${dir} is damaged (${reason}); writing it again`);
      // The design's files byte for byte; the manifest's design part (its config part records where the config was read).
      for (const f of files.filter((x) => x !== 'manifest.json'))
        expect(readFileSync(join(dir, f), 'utf8'), `${what}: ${f}`).toBe(good[f]);
      const { config: _c, ...manifest } = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      const { config: _g, ...expected } = JSON.parse(good['manifest.json']!) as Record<string, unknown>;
      expect(manifest, what).toEqual(expected);
      r = await runCli(['generate', cfgFile]);
      expect(ownStderr(r.stderr)).toBe('');
    }
    expect(
      readdirSync(join(projectRoot(), 'generated')).filter(
        (n) => /\.(tmp|old)-/.test(n) && n.includes(String(process.pid)),
      ),
    ).toEqual([]);
  });
});

describe('the synthesis cache', () => {
  it('a truncated or malformed entry is said, synthesized again and replaced', { timeout: 600_000 }, async () => {
    // A 1x1 array (seconds in yosys) that no other test synthesizes: test/rtl/kinds.test.ts writes the entry of the
    // 1x1 os array and test/cli/progress-pty.test.ts deletes it, which would race with the damage done here.
    const synthFile = join(base, 'hardening-synth-1x1-ws.yaml');
    writeFileSync(synthFile, 'kind: systolic\nrows: 1\ncols: 1\ndataflow: ws\n');
    const run = () => runCli(['synth', synthFile, '--format', 'json']);
    let r = await run();
    expect(r.code, r.stderr).toBe(0);
    const first = JSON.parse(r.stdout) as { cells: number };
    const cfg = loadConfig(synthFile);
    const entry = join(projectRoot(), 'generated', 'synth', `${accelOf(cfg).design(cfg).hash}-generic.json`);
    const good = readFileSync(entry, 'utf8');
    const damages: [string, string, string][] = [
      ['truncated', good.slice(0, good.length / 2), 'not valid JSON'],
      ['another design', JSON.stringify({ ...JSON.parse(good), top: 'other_top' }), 'it is for other_top'],
    ];
    for (const [what, text, reason] of damages) {
      writeFileSync(entry, text);
      r = await run();
      expect(r.code, `${what}: ${r.stderr}`).toBe(0);
      expect(r.stderr, what).toContain(`the synthesis cache entry ${entry} is damaged`);
      expect(r.stderr, what).toContain(reason);
      expect(r.stderr).not.toMatch(/Unterminated|internal error/);
      expect((JSON.parse(r.stdout) as { cells: number }).cells).toBe(first.cells);
      expect(() => JSON.parse(readFileSync(entry, 'utf8'))).not.toThrow();
    }
  });
});

describe('locks', () => {
  it('a live holder makes the next process say it waits, and hands over on release', async () => {
    const path = join(base, 'live.lock');
    const lock = await acquireLock(path, () => 'unused');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { acquireLock } from ${JSON.stringify(join(projectRoot(), 'src/util/lock.ts'))};
       const l = await acquireLock(${JSON.stringify(path)}, (pid) => 'waiting for test holder ' + pid);
       process.stdout.write('got it\\n'); l.release();`,
      ],
      { cwd: projectRoot() },
    );
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((res) => child.on('exit', res));
    await vi.waitFor(() => expect(stderr).toContain(`mactile: waiting for test holder ${process.pid}`), {
      timeout: 20_000,
      interval: 100,
    });
    expect(stdout).toBe('');
    const released = Date.now();
    lock.release();
    expect(await exited).toBe(0);
    expect(stdout).toBe('got it\n');
    expect(Date.now() - released).toBeLessThan(3_000);
  });

  it("a dead holder's lock is taken over at once, and the process group it left running is stopped", async () => {
    const path = join(base, 'dead.lock');
    const orphan = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    const group = orphan.pid!;
    writeFileSync(
      path,
      JSON.stringify({ pid: deadPid(), host: thisHost, group, groupStart: processStart(group) }) + '\n',
    );
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const t0 = Date.now();
    let said: string;
    try {
      const lock = await acquireLock(path, () => 'must not wait');
      expect(Date.now() - t0).toBeLessThan(2_000);
      lock.release();
    } finally {
      said = write.mock.calls.map((c) => String(c[0])).join('');
      write.mockRestore();
    }
    expect(said).not.toContain('must not wait');
    expect(said).toContain('stopped the orphaned work of process');
    await vi.waitFor(() => expect(processAlive(group)).toBe(false), { timeout: 5_000 });
    expect(existsSync(path)).toBe(false);
  });

  it('the Verilator build lock is one per machine: a build in another checkout (another cache root) waits for it', async () => {
    // The machine-wide lock of src/sim/build.ts, held here as another checkout's build would hold it.
    const machine = await acquireLock(join(tmpdir(), 'mactile-verilator.build-lock'), () => 'unused');
    const root = join(base, 'other checkout', 'generated', 'build');
    const cfg = loadConfig(cfgFile);
    const d = accelOf(cfg).design(cfg);
    const script = `import { ensureBuild } from ${JSON.stringify(join(projectRoot(), 'src/sim/build.ts'))};
      await ensureBuild(${JSON.stringify({ files: d.files, top: d.top, header: d.header, driver: d.driver })}, { cacheRoot: ${JSON.stringify(root)} });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: projectRoot(),
    });
    let stderr = '';
    child.stderr.on('data', (x) => (stderr += x));
    const exited = new Promise((res) => child.on('exit', res));
    try {
      await vi.waitFor(
        () =>
          expect(stderr).toContain(`mactile: waiting for another Verilator build on this machine (pid ${process.pid})`),
        { timeout: 30_000, interval: 100 },
      );
      // It waits: nothing was built or published in its cache.
      expect(readdirSync(root).filter((n) => existsSync(join(root, n, 'ok')))).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await exited;
      machine.release();
    }
  });

  it('a lock of an older mactile (no owner recorded) does not block for long', async () => {
    const path = join(base, 'legacy.lock');
    writeFileSync(path, '');
    const old = new Date(Date.now() - 60_000);
    const { utimesSync } = await import('node:fs');
    utimesSync(path, old, old);
    const lock = await acquireLock(path, () => 'waiting');
    lock.release();
  });
});

describe('a build killed with SIGKILL', () => {
  it(
    'leaves no compiler running and no stale lock: the next run builds at once and removes the dead build folder',
    { timeout: 900_000 },
    async () => {
      const root = join(base, 'build cache');
      expect(root).toContain(' '); // builds outside the cache (GNU Make cannot build in it) and publishes there
      mkdirSync(root, { recursive: true });
      const workFolders = () => readdirSync(tmpdir()).filter((n) => n.startsWith('mactile-build.tmp-'));
      const workBefore = workFolders();
      const cfg = loadConfig(cfgFile);
      const d = accelOf(cfg).design(cfg);
      const script = `import { ensureBuild } from ${JSON.stringify(join(projectRoot(), 'src/sim/build.ts'))};
      await ensureBuild(${JSON.stringify({ files: d.files, top: d.top, header: d.header, driver: d.driver })}, { cacheRoot: ${JSON.stringify(root)} });`;
      // Without ccache, so that the compilers are still at work when mactile is killed.
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: projectRoot(),
        stdio: 'ignore',
        env: { ...process.env, CCACHE_DISABLE: '1' },
      });
      // Wait until the build runs (its process group is recorded in the lock), then kill mactile outright.
      let group: number | undefined;
      await vi.waitFor(
        () => {
          const lockFile = readdirSync(root).find((n) => n.endsWith('.build-lock'));
          group = lockFile
            ? (JSON.parse(readFileSync(join(root, lockFile), 'utf8')) as { group?: number }).group
            : undefined;
          expect(group).toBeDefined();
        },
        { timeout: 300_000, interval: 50 },
      );
      await vi.waitFor(
        () => expect(groupMembers(group!).some((p) => p.comm === 'cc1plus' || p.comm === 'make')).toBe(true),
        { timeout: 120_000, interval: 50 },
      );
      child.kill('SIGKILL');
      await new Promise((res) => child.on('exit', res));
      expect(groupMembers(group!).filter((p) => !p.stat.startsWith('Z')).length).toBeGreaterThan(0); // orphans at work
      const staleTmp = readdirSync(root).find((n) => n.includes('.tmp-'));
      expect(staleTmp).toBeDefined();
      // Another dead process's leftover, of a different key.
      const otherStale = `0123456789abcdef0123.tmp-${deadPid()}@${thisHost}`;
      mkdirSync(join(root, otherStale));

      const write = vi.spyOn(process.stderr, 'write');
      let said: string;
      const t0 = Date.now();
      let lockedAt: number | undefined;
      const poll = setInterval(() => {
        for (const n of readdirSync(root).filter((x) => x.endsWith('.build-lock'))) {
          try {
            if ((JSON.parse(readFileSync(join(root, n), 'utf8')) as { pid: number }).pid === process.pid)
              lockedAt ??= Date.now();
          } catch {
            // Being written.
          }
        }
      }, 50);
      try {
        const build = await ensureBuild(
          { files: d.files, top: d.top, header: d.header, driver: d.driver },
          { cacheRoot: root },
        );
        expect(build.cached).toBe(false);
        expect(existsSync(build.binary)).toBe(true);
      } finally {
        clearInterval(poll);
        said = write.mock.calls.map((c) => String(c[0])).join('');
        write.mockRestore();
      }
      // No waiting for the killed build's locks. A live build elsewhere on the machine (another test file,
      // another checkout) may hold the machine-wide lock: that wait is legitimate and not this test's concern.
      const othersBuilds = new RegExp(
        String.raw`^mactile: waiting for another Verilator build on this machine \(pid (?!${child.pid}\))\d+\) to finish\n?`,
        'gm',
      );
      expect(said.replace(othersBuilds, '')).not.toContain('waiting for');
      expect(said).toContain('stopped the orphaned work of process');
      expect(lockedAt! - t0).toBeLessThan(5_000);
      expect(processAlive(group!)).toBe(false);
      const names = readdirSync(root);
      expect(names).not.toContain(staleTmp);
      expect(names).not.toContain(otherStale);
      expect(names.filter((n) => n.endsWith('.build-lock'))).toEqual([]);
      // The killed build's work folder in the temporary directory is gone too, and this build's own.
      expect(workFolders().filter((n) => !workBefore.includes(n))).toEqual([]);
      // Every process of the orphaned build has ended (a zombie not yet reaped by init counts as ended).
      await vi.waitFor(() => expect(groupMembers(group!).filter((p) => !p.stat.startsWith('Z'))).toEqual([]), {
        timeout: 5_000,
      });
    },
  );
});

describe('temporary folders of dead processes', () => {
  it('a sim removes the job folders of dead mactile processes and leaves live ones', { timeout: 600_000 }, async () => {
    const dead = join(tmpdir(), `mactile-job-${deadPid()}-AbC123`);
    const live = join(tmpdir(), `mactile-job-${process.pid}-AbC123`);
    mkdirSync(dead, { recursive: true });
    writeFileSync(join(dead, 'job.bin'), 'x');
    mkdirSync(live, { recursive: true });
    try {
      const r = await sim();
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(dead)).toBe(false);
      expect(existsSync(live)).toBe(true);
      expect(
        readdirSync(tmpdir()).filter(
          (n) =>
            n.startsWith('mactile-job-') &&
            !processAlive(Number(/^mactile-job-(\d+)-/.exec(n)?.[1] ?? 'NaN')) &&
            /^mactile-job-\d+-/.test(n),
        ),
      ).toEqual([]);
    } finally {
      rmSync(live, { recursive: true, force: true });
      rmSync(dead, { recursive: true, force: true });
    }
  });
});
