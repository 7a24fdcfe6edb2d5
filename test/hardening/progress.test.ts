/**
 * An error ends on a line of its own: a progress line that a failed task left drawn on the terminal is cleared
 * before the message (issue 14, defect 12), whatever the command and however its task ended.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/program.js';
import { counter, stopProgress } from '../../src/util/progress.js';

describe('the progress line and an error', () => {
  const saved = { tty: Object.getOwnPropertyDescriptor(process.stderr, 'isTTY'), ci: process.env.CI };
  afterEach(() => {
    stopProgress();
    if (saved.tty) Object.defineProperty(process.stderr, 'isTTY', saved.tty);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
    if (saved.ci === undefined) delete process.env.CI;
    else process.env.CI = saved.ci;
    vi.restoreAllMocks();
  });

  it.each([
    ['a user error', ['analyze', '--net', 'resnet', '--config', 'sa-8x8-os'], /^mactile: network "resnet": /],
    [
      'a sweep refusal',
      ['sweep', '--db', '/tmp/x.sqlite', '--net', 'lenet5', '--rows', '4,4', '--cols', '4'],
      /^mactile: --rows: /,
    ],
  ])('is cleared before %s is printed, which is the last thing on stderr', async (_, args, message) => {
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    delete process.env.CI;
    let out = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    // A task whose command failed without ending it: its line is still drawn when main reports the error.
    const task = counter('simulating lenet5 on sa-8x8-os', 5);
    task.step('conv2');
    expect(out).toContain('simulating lenet5 on sa-8x8-os [');
    const code = await main(args);
    expect(code).toBe(2);
    const cleared = out.lastIndexOf('\x1b[2K');
    const at = out.indexOf('mactile: ');
    expect(cleared, JSON.stringify(out)).toBeGreaterThanOrEqual(0);
    expect(at, JSON.stringify(out)).toBeGreaterThan(cleared);
    const after = out.slice(at);
    expect(after).toMatch(message);
    expect(after.trimEnd().split('\n')).toHaveLength(1);
    expect(after).not.toContain('simulating lenet5');
  });
});
