/**
 * "internal error" (exit 70) is the CLI's answer to a real bug only: an exception that is not a MactileError.
 * The tables of test/hardening/ (inputs, outputs, caches, signals) and test/sweep/hardening.test.ts show that no
 * user-reachable condition of issue 14 reaches it; this file shows the path itself still works for a bug.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/program.js';

describe('internal error', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.MACTILE_DEBUG;
  });

  /** Runs `nets` with stdout throwing a TypeError (a stand-in for a bug in a command); returns stderr and the code. */
  async function buggyRun(): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      stderr += String(c);
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'macs')");
    });
    const code = await main(['nets']);
    vi.restoreAllMocks();
    return { code, stderr };
  }

  it('is what an exception other than a MactileError gives: exit 70, one line, no stack trace', async () => {
    const { code, stderr } = await buggyRun();
    expect(code).toBe(70);
    expect(stderr).toBe("mactile: internal error: Cannot read properties of undefined (reading 'macs')\n");
  });

  it('shows the stack trace with MACTILE_DEBUG set', async () => {
    process.env.MACTILE_DEBUG = '1';
    const { code, stderr } = await buggyRun();
    expect(code).toBe(70);
    expect(stderr).toMatch(/^mactile: internal error: .*\nTypeError: .*\n\s+at /);
  });

  it('is never what a user error gives (a MactileError: its own exit code and message)', async () => {
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
      stderr += String(c);
      return true;
    });
    const code = await main(['nets', '--net', 'resnet']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^mactile: network "resnet": /);
    expect(stderr).not.toContain('internal error');
  });
});
