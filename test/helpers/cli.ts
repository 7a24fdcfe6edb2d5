import { join } from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../../src/util/paths.js';

/** Runs the mactile CLI from source, returning exit code, stdout and stderr (never throws). */
export async function runCli(args: string[], opts: { env?: Record<string, string>; extendEnv?: boolean; timeout?: number } = {}) {
  const r = await execa(process.execPath, ['--import', 'tsx', join(projectRoot(), 'src/cli/main.ts'), ...args], {
    reject: false,
    cwd: projectRoot(),
    env: opts.env,
    extendEnv: opts.extendEnv ?? true,
    timeout: opts.timeout ?? 600_000,
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}
