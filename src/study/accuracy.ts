/**
 * The accuracy part of the study: `mactile quantize --format json` of each trained model in child processes
 * (so the models' studies share the cores), every calibration and granularity, merged per model. Each child
 * computes exactly what `mactile quantize` prints for its precisions.
 */
import { statSync } from 'node:fs';
import { execa } from 'execa';
import { selfCommand } from '../sweep/local.js';
import { MactileError } from '../util/errors.js';
import { lineSplitter } from '../util/lines.js';
import { counter } from '../util/progress.js';
import { PROGRESS_LINES_ENV, PROGRESS_LINES_VALUE, parseProgressLine, type TaskLine } from '../util/progress-lines.js';
import type { AccuracyVariant, ModelAccuracy } from './data.js';
import type { Slots } from '../util/slots.js';

/** A trained model of the study and the network it is. */
export interface StudiedModel {
  net: string;
  model: string;
}

interface QuantizeJson {
  data: { heldOutDigits: number; calibrationImages: number };
  activations: 'symmetric' | 'asymmetric';
  accuracy: Record<string, number>;
  best: Record<string, { calibration: string; granularity: string }>;
  variants: (AccuracyVariant & { layers: { name: string; kind: string; sqnrDb: number }[] })[];
  layers: { name: string; kind: string; sqnrDb: Record<string, number> }[];
}

/** One child: a model at some precisions. */
interface Job {
  model: StudiedModel;
  precisions: ('int8' | 'int16')[];
}

/**
 * The jobs: one per model, the largest model (by file size) split into one job per precision so that no
 * single job holds most of the work.
 */
function jobsOf(models: StudiedModel[], precisions: ('int8' | 'int16')[], slots: number): Job[] {
  const size = (m: StudiedModel) => statSync(m.model).size;
  const largest = [...models].sort((a, b) => size(b) - size(a))[0];
  const jobs = models.flatMap((m) =>
    m === largest && slots > 1 && precisions.length > 1
      ? precisions.map((p) => ({ model: m, precisions: [p] }))
      : [{ model: m, precisions }],
  );
  // Longest first: the pool then ends together.
  return jobs.sort((a, b) => jobCost(b) - jobCost(a));
}

/** A job's expected cost: its model's size, INT16 counted twice INT8. */
function jobCost(j: Job): number {
  return statSync(j.model.model).size * j.precisions.reduce((s, p) => s + (p === 'int16' ? 2 : 1), 0);
}

async function runJob(
  job: Job,
  testImages: number | undefined,
  symmetric: boolean,
  onProgress: (tasks: TaskLine[]) => void,
): Promise<{ json: QuantizeJson; seconds: number }> {
  const t0 = performance.now();
  const args = [
    'quantize',
    '--model',
    job.model.model,
    '--precision',
    job.precisions.join(','),
    '--calibration',
    'all',
    '--granularity',
    'all',
    '--format',
    'json',
    ...(testImages === undefined ? [] : ['--test-images', String(testImages)]),
    ...(symmetric ? ['--symmetric'] : []),
  ];
  const cmd = selfCommand(args);
  // The child's progress comes back as lines on its stderr (progress-lines.ts), for the study's own line.
  const child = execa(cmd.file, cmd.args, {
    reject: false,
    env: { CI: '1', [PROGRESS_LINES_ENV]: PROGRESS_LINES_VALUE },
  });
  child.stderr?.on(
    'data',
    lineSplitter((line) => {
      const tasks = parseProgressLine(line);
      if (tasks) onProgress(tasks);
    }),
  );
  const r = await child;
  if (r.exitCode !== 0) {
    const said = String(r.stderr)
      .split('\n')
      .filter((l) => l.trim() !== '' && parseProgressLine(l) === undefined)
      .pop();
    throw new MactileError(
      `study: the quantization study of ${job.model.model} (${job.precisions.join(', ')}) failed: ${said ?? `exit ${r.exitCode}`}`,
    );
  }
  return { json: JSON.parse(String(r.stdout)) as QuantizeJson, seconds: (performance.now() - t0) / 1000 };
}

/**
 * The quantization studies on the progress line: jobs done of all, and for the ETA the held-out digits each
 * child has evaluated, weighted by its job's cost (evaluation is most of a child's time); the label names what
 * each running child is doing.
 */
function jobsProgress(jobs: Job[]): {
  update(i: number, tasks: TaskLine[]): void;
  finish(i: number): void;
  done(): void;
} {
  const costs = jobs.map(jobCost);
  const bar = counter('quantization studies', jobs.length, { totalWork: costs.reduce((a, b) => a + b, 0) });
  const work = jobs.map(() => 0);
  const doing = new Map<number, string>();
  const show = () => bar.step([...doing.values()].join('; '));
  const credit = (i: number, w: number) => {
    bar.advance(0, Math.max(0, w - work[i]!));
    work[i] = Math.max(work[i]!, w);
  };
  return {
    update(i, tasks) {
      const t = tasks.at(-1);
      const what = `${jobs[i]!.model.net} ${jobs[i]!.precisions.join(',')}`;
      if (!t) doing.delete(i);
      else doing.set(i, `${what}: ${t.title.split(' ')[0]}${t.total ? ` ${t.done ?? 0}/${t.total}` : ''}`);
      const evaluating = tasks.find((x) => x.title.startsWith('evaluating') && x.total);
      if (evaluating) credit(i, (costs[i]! * (evaluating.done ?? 0)) / evaluating.total!);
      show();
    },
    finish(i) {
      credit(i, costs[i]!);
      bar.advance(1, 0);
      doing.delete(i);
      show();
    },
    done: () => bar.done(),
  };
}

/** Merges the children of one model into its accuracy record. */
function merge(model: StudiedModel, parts: { json: QuantizeJson; seconds: number }[]): ModelAccuracy {
  const first = parts[0]!.json;
  const variants = parts.flatMap((p) =>
    p.json.variants.map(({ precision, calibration, granularity, accuracy }) => ({
      precision,
      calibration,
      granularity,
      accuracy,
    })),
  );
  const best: ModelAccuracy['best'] = {};
  for (const p of parts)
    for (const [precision, b] of Object.entries(p.json.best))
      best[precision] = { ...b, accuracy: p.json.accuracy[precision]! };
  const sqnr = first.layers.map((l, i) => {
    const row: ModelAccuracy['sqnr'][number] = { layer: l.name, kind: l.kind };
    for (const p of parts)
      for (const [precision, db] of Object.entries(p.json.layers[i]!.sqnrDb)) row[precision as 'int8' | 'int16'] = db;
    return row;
  });
  return {
    net: model.net,
    model: model.model,
    fp32: first.accuracy.fp32!,
    heldOut: first.data.heldOutDigits,
    calibrationImages: first.data.calibrationImages,
    activations: first.activations,
    variants,
    best,
    sqnr,
    jobSeconds: parts.reduce((s, p) => s + p.seconds, 0),
  };
}

/** The quantization study of every model, its jobs run in the slots given; models in the order given. */
export async function accuracyStudy(
  models: StudiedModel[],
  precisions: ('int8' | 'int16')[],
  opts: { slots: Slots; slotCount: number; testImages?: number; symmetric?: boolean; onJob?: (what: string) => void },
): Promise<ModelAccuracy[]> {
  const jobs = jobsOf(models, precisions, opts.slotCount);
  const line = jobsProgress(jobs);
  const results = await Promise.all(
    jobs.map((j, i) =>
      opts.slots.run(async () => {
        const r = await runJob(j, opts.testImages, opts.symmetric === true, (tasks) => line.update(i, tasks));
        line.finish(i);
        opts.onJob?.(`${j.model.net} ${j.precisions.join(', ')}`);
        return { job: j, ...r };
      }),
    ),
  ).finally(() => line.done());
  return models.map((m) => {
    const parts = results.filter((r) => r.job.model === m);
    // Variants in the order of the precisions asked for.
    parts.sort((a, b) => precisions.indexOf(a.job.precisions[0]!) - precisions.indexOf(b.job.precisions[0]!));
    return merge(m, parts);
  });
}
