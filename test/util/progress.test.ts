/**
 * The shared progress line: its ETA arithmetic, its durations, the count clamped to its total, nesting,
 * and when it stays quiet (no terminal, CI, --quiet).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  activity,
  counter,
  etaSeconds,
  formatDuration,
  progressShown,
  renderTask,
  setProgressQuiet,
  stopProgress,
} from '../../src/util/progress.js';
import { encodeProgressLine, parseProgressLine } from '../../src/util/progress-lines.js';

describe('etaSeconds', () => {
  it('extrapolates the time taken so far at the same rate', () => {
    expect(etaSeconds(10, 0.25)).toBeCloseTo(30, 9);
    expect(etaSeconds(60, 0.5)).toBeCloseTo(60, 9);
    expect(etaSeconds(3, 1)).toBe(0);
    // All done is exact at once, even before the half second an estimate waits for.
    expect(etaSeconds(0.1, 1)).toBe(0);
  });

  it('gives no estimate before any work is done or too early to tell (never NaN or Infinity)', () => {
    expect(etaSeconds(10, 0)).toBeUndefined();
    expect(etaSeconds(0.2, 0.5)).toBeUndefined();
    expect(etaSeconds(NaN, 0.5)).toBeUndefined();
    expect(etaSeconds(5, NaN)).toBeUndefined();
    expect(etaSeconds(Infinity, 0.5)).toBeUndefined();
    expect(etaSeconds(5, 1e-320)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it('writes seconds, minutes and hours a line can hold', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(44.6)).toBe('45 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(7620)).toBe('2 h 07 min');
    expect(formatDuration(-3)).toBe('0 s');
  });
});

describe('renderTask', () => {
  const start = 1_000_000;
  it('shows a counted task with its bar, count, elapsed time, ETA and step', () => {
    const text = renderTask(
      { title: 'simulating', label: 'conv2', startMs: start, count: { done: 1, total: 4, work: 1, totalWork: 4 } },
      start + 20_000,
    );
    expect(text).toBe('simulating [=====               ] 1/4 | 20 s | ETA 1 min 00 s | conv2');
  });

  it('takes the ETA from the work done (weights), and its clock from the first step', () => {
    const text = renderTask(
      {
        title: 't',
        label: '',
        startMs: start,
        firstStepMs: start + 50_000,
        count: { done: 1, total: 2, work: 90, totalWork: 100 },
      },
      start + 59_000,
    );
    expect(text).toContain('1/2 | 59 s | ETA 1 s');
  });

  it('says ETA -- while nothing is done', () => {
    const text = renderTask(
      { title: 't', label: '', startMs: start, count: { done: 0, total: 35, work: 0, totalWork: 35 } },
      start + 5000,
    );
    expect(text).toContain('0/35 | 5 s | ETA -- |');
    expect(text).not.toMatch(/NaN|Inf/);
  });

  it('shows an activity with its step and elapsed time', () => {
    expect(renderTask({ title: 'building X', label: 'verilating', startMs: start }, start + 12_400)).toBe(
      'building X: verilating (12 s)',
    );
  });
});

describe('progressShown', () => {
  it('is on only on a terminal, outside CI, when not quiet', () => {
    expect(progressShown({}, true, false)).toBe(true);
    expect(progressShown({}, false, false)).toBe(false);
    expect(progressShown({ CI: 'true' }, true, false)).toBe(false);
    expect(progressShown({ CI: '1' }, true, false)).toBe(false);
    expect(progressShown({ CI: 'false' }, true, false)).toBe(true);
    expect(progressShown({}, true, true)).toBe(false);
  });

  it('is on for a child asked for progress lines, terminal or not, CI or not, unless quiet', () => {
    expect(progressShown({ MACTILE_PROGRESS: 'lines', CI: '1' }, false, false)).toBe(true);
    expect(progressShown({ MACTILE_PROGRESS: 'lines' }, false, true)).toBe(false);
    expect(progressShown({ MACTILE_PROGRESS: 'bar', CI: '1' }, false, false)).toBe(false);
  });
});

describe('progress lines for a parent process', () => {
  const saved = process.env.MACTILE_PROGRESS;
  afterEach(() => {
    stopProgress();
    if (saved === undefined) delete process.env.MACTILE_PROGRESS;
    else process.env.MACTILE_PROGRESS = saved;
    vi.restoreAllMocks();
  });

  it('carry the tasks, outermost first, with their counts; ordinary lines are not progress', () => {
    const tasks = [
      { title: 'evaluating', label: 'int8', done: 3, total: 10 },
      { title: 'building', label: '' },
    ];
    expect(parseProgressLine(encodeProgressLine(tasks).trimEnd())).toEqual(tasks);
    expect(parseProgressLine('mactile: layer conv1: expected 3 channels, received 1')).toBeUndefined();
    expect(parseProgressLine('\u001emactile-progress {not json')).toBeUndefined();
  });

  it('are what a child writes on stderr: each task as it starts, counts as they advance, and none at the end', () => {
    process.env.MACTILE_PROGRESS = 'lines';
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const outer = counter('evaluating digits', 4);
    const inner = activity('building');
    inner.done();
    outer.advance(4);
    outer.done();
    const seen = written.map((w) => parseProgressLine(w.trimEnd()));
    expect(seen.every((t) => t !== undefined)).toBe(true);
    expect(seen[0]).toEqual([{ title: 'evaluating digits', label: '', done: 0, total: 4 }]);
    expect(seen[1]).toEqual([
      { title: 'evaluating digits', label: '', done: 0, total: 4 },
      { title: 'building', label: '' },
    ]);
    expect(seen.at(-1)).toEqual([]);
  });
});

describe('the progress line on a terminal', () => {
  const saved = { tty: process.stderr.isTTY, ci: process.env.CI, columns: process.stderr.columns };
  afterEach(() => {
    stopProgress();
    setProgressQuiet(false);
    Object.defineProperty(process.stderr, 'isTTY', { value: saved.tty, configurable: true });
    Object.defineProperty(process.stderr, 'columns', { value: saved.columns, configurable: true });
    if (saved.ci === undefined) delete process.env.CI;
    else process.env.CI = saved.ci;
    vi.restoreAllMocks();
  });

  /** Runs `fn` with stderr a terminal outside CI, returning what was written to it. */
  function onTerminal(fn: () => void): string {
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    Object.defineProperty(process.stderr, 'columns', { value: 200, configurable: true });
    delete process.env.CI;
    let out = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    fn();
    return out;
  }

  it('never counts past the total, however often an item is counted', () => {
    const out = onTerminal(() => {
      const bar = counter('layers', 3);
      for (let i = 0; i < 6; i++) {
        bar.step(`layer ${i}`);
        bar.advance();
      }
      bar.advance(5);
      bar.done(); // draws the final state before it clears the line
    });
    const counts = [...out.matchAll(/(\d+)\/(\d+) \|/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
    expect(counts[0]).toEqual([0, 3]);
    expect(counts.at(-1)).toEqual([3, 3]);
    for (const [n, total] of counts) expect(n).toBeLessThanOrEqual(total);
  });

  it('draws a nested activity after the counted task it runs in', () => {
    const out = onTerminal(() => {
      const bar = counter('simulating', 2);
      bar.step('conv1');
      const build = activity('building the simulator of sa-8x8-os');
      build.step('compiling C++ (object 2 of 9)');
      stopProgress();
    });
    expect(out).toMatch(/simulating \[.*\] 0\/2 \|.* > building the simulator of sa-8x8-os: /);
  });

  it('is silent with --quiet, in CI and without a terminal', () => {
    const quietRun = () =>
      onTerminal(() => {
        const bar = counter('x', 2);
        bar.advance();
        activity('y').done();
        bar.done();
      });
    setProgressQuiet(true);
    expect(quietRun()).toBe('');
    setProgressQuiet(false);
    process.env.CI = 'true';
    const ci = (() => {
      Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
      let out = '';
      vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
        out += String(c);
        return true;
      });
      counter('x', 2).done();
      return out;
    })();
    expect(ci).toBe('');
    vi.restoreAllMocks();
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    delete process.env.CI;
    let out = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      out += String(c);
      return true;
    });
    counter('x', 2).done();
    expect(out).toBe('');
  });
});
