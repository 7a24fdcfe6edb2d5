/**
 * The accuracy part of the study: `mactile quantize --format json` of each trained model in child processes
 * (so the models' studies share the cores), every calibration and granularity, merged per model. Each child
 * computes exactly what `mactile quantize` prints for its precisions.
 */
import { statSync } from 'node:fs';
import { execa } from 'execa';
import { selfCommand } from '../sweep/local.js';
import { MactileError } from '../util/errors.js';
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
  // Longest first (INT16 costs more than INT8): the pool then ends together.
  const cost = (j: Job) => size(j.model) * j.precisions.reduce((s, p) => s + (p === 'int16' ? 2 : 1), 0);
  return jobs.sort((a, b) => cost(b) - cost(a));
}

async function runJob(
  job: Job,
  testImages: number | undefined,
  symmetric: boolean,
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
  const r = await execa(cmd.file, cmd.args, { reject: false, env: { CI: '1' } });
  if (r.exitCode !== 0)
    throw new MactileError(
      `study: the quantization study of ${job.model.model} (${job.precisions.join(', ')}) failed: ${String(r.stderr).trim().split('\n').pop() ?? `exit ${r.exitCode}`}`,
    );
  return { json: JSON.parse(String(r.stdout)) as QuantizeJson, seconds: (performance.now() - t0) / 1000 };
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
  const results = await Promise.all(
    jobs.map((j) =>
      opts.slots.run(async () => {
        const r = await runJob(j, opts.testImages, opts.symmetric === true);
        opts.onJob?.(`${j.model.net} ${j.precisions.join(', ')}`);
        return { job: j, ...r };
      }),
    ),
  );
  return models.map((m) => {
    const parts = results.filter((r) => r.job.model === m);
    // Variants in the order of the precisions asked for.
    parts.sort((a, b) => precisions.indexOf(a.job.precisions[0]!) - precisions.indexOf(b.job.precisions[0]!));
    return merge(m, parts);
  });
}
