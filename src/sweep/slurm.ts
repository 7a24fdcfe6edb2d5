/**
 * The Slurm backend: the sweep becomes a job array (sbatch); every array task is a sweep worker that
 * claims points from the shared database until none is left. Expects a shared file system holding the
 * project and the database, and mactile installed on the nodes (docs/SWEEPS.md).
 */
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { MactileError } from '../util/errors.js';
import { projectRoot } from '../util/paths.js';
import { SweepDb } from './db.js';
import { selfCommand } from './local.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const TOKEN = /^[A-Za-z0-9_.,:=@%+/-]+$/;

/** The job-array script: each task runs `mactile sweep-worker` on the shared database. */
function jobScript(db: string, tasks: number, logDir: string, extra: string[]): string {
  const cmd = selfCommand(['sweep-worker', '--db', db, '--worker', 'slurm-${SLURM_ARRAY_JOB_ID}-${SLURM_ARRAY_TASK_ID}']);
  const args = cmd.args.map((a) => (a.includes('${SLURM_') ? `"${a}"` : quote(a))).join(' ');
  return [
    '#!/bin/bash',
    '#SBATCH --job-name=mactile-sweep',
    `#SBATCH --array=0-${tasks - 1}`,
    '#SBATCH --cpus-per-task=1',
    `#SBATCH --output=${logDir}/task-%A_%a.out`,
    ...extra.map((e) => `#SBATCH ${e}`),
    'set -eu',
    `cd ${quote(projectRoot())}`,
    `exec ${quote(cmd.file)} ${args}`,
    '',
  ].join('\n');
}

/** Submits the pending points of a database as a Slurm job array; returns the job id. */
export async function submitSlurm(file: string, tasks: number, extra: string[]): Promise<{ jobId: string; script: string }> {
  for (const e of extra) if (!TOKEN.test(e)) throw new MactileError(`--slurm-option: expected an sbatch option such as --partition=debug, received ${JSON.stringify(e)}`);
  const db = resolve(file);
  const logDir = join(dirname(db), `${db.split('/').pop()}.slurm`);
  mkdirSync(logDir, { recursive: true });
  const script = join(logDir, 'sweep-job.sh');
  writeFileSync(script, jobScript(db, tasks, logDir, extra));
  chmodSync(script, 0o755);
  // With reject: false, execa reports a missing command (ENOENT) in the result instead of throwing.
  const r = await execa('sbatch', ['--parsable', script], { reject: false, all: true });
  if ((r.exitCode as number | undefined) === undefined || r.exitCode === 127 || (r as { code?: string }).code === 'ENOENT') {
    throw new MactileError('sbatch: expected the Slurm `sbatch` command on PATH, found none; the points stay pending in the database (use --backend local, or install Slurm)', 3);
  }
  if (r.exitCode !== 0) throw new MactileError(`sbatch refused the job (exit ${r.exitCode}): ${String(r.all ?? '').trim().split('\n').slice(-3).join(' ')}; the points stay pending in the database`, 3);
  const jobId = String(r.stdout).trim().split(';')[0]!;
  const d = SweepDb.open(file, { create: false });
  try {
    d.setMeta('slurm_job', jobId);
  } finally {
    d.close();
  }
  return { jobId, script };
}
