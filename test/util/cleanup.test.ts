/**
 * The signal handlers of `onCleanup`: a signal that arrives while a clean-up is registered is acted on even
 * when the clean-up is disposed of before the event loop dispatches it (the moment a simulator run ends).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/util/paths.js';

/** Runs `body` as an ES module in a fresh Node (with tsx), importing onCleanup and signalsSettled. */
function runScript(body: string) {
  const script = `import { onCleanup, signalsSettled } from './src/util/cleanup.ts';\n${body}`;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: projectRoot(),
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('onCleanup', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`a ${signal} received just before the clean-up is disposed of still ends the process, by the signal`, () => {
      const r = runScript(`
        let cleaned = false;
        const dispose = onCleanup(() => { cleaned = true; });
        process.kill(process.pid, '${signal}'); // caught by the handler, dispatched at the next poll
        dispose();
        await signalsSettled();
        const t = Date.now(); while (Date.now() - t < 300); // long synchronous work
        console.log('went on as if never signalled');
      `);
      expect(r.stdout).not.toContain('went on');
      expect(r.signal, r.stderr).toBe(signal);
    });
  }

  it('after a disposed clean-up has settled, a signal takes its default action during synchronous work', () => {
    const r = runScript(`
      const dispose = onCleanup(() => {});
      dispose();
      await signalsSettled();
      setTimeout(() => {}, 0);
      process.kill(process.pid, 'SIGTERM');
      console.log('still running after the signal');
    `);
    expect(r.stdout).not.toContain('still running');
    expect(r.signal, r.stderr).toBe('SIGTERM');
  });

  it('a registered clean-up runs when the signal comes during the wait', () => {
    const r = runScript(`
      onCleanup(() => console.log('cleaned'));
      setTimeout(() => process.kill(process.pid, 'SIGINT'), 10);
      await new Promise((res) => setTimeout(res, 5_000));
    `);
    expect(r.stdout).toContain('cleaned');
    expect(r.signal, r.stderr).toBe('SIGINT');
  });
});
