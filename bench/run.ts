/**
 * Benchmark entry: `node dist/bench/run.js [build|throughput|pipelined|analytic|quant|golden|qdq|nvdla|sweep|activity|activity-compute|activity-memory|activity-counts|jobs|all]`
 * prints markdown tables for docs/BENCHMARKS.md, with the machine they ran on (activity, activity-compute,
 * activity-memory: an optional number of rounds; activity-counts: the activity build's toggle counts as JSON).
 */
import { cpus, totalmem } from 'node:os';
import { execa } from 'execa';
import { buildTimes, nvdlaThroughput, pipelinedVsScaleSim, throughput } from './systolic.js';
import { analyticSpeed } from './analytic.js';
import { goldenSpeed } from './golden.js';
import { qdqAgreement } from './qdq.js';
import { quantSpeed } from './quant.js';
import { sweepBench } from './sweep.js';
import { activityCost, activityCounts } from './activity.js';
import { jobsSpeedup } from './jobs.js';

async function machine(): Promise<string> {
  const v = await execa('verilator', ['--version'], { reject: false });
  return `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${v.stdout.trim()}`;
}

const what = process.argv[2] ?? 'all';
/** Rounds of the activity benchmark (its argument, default 5) and the DRAM port of its memory-system configs. */
const rounds = what.startsWith('activity') ? Number(process.argv[3] ?? 5) : 5;
const DRAM = { bandwidth: 16, latency: 20, beat_words: 8 };
if (what === 'activity-counts') {
  process.stdout.write((await activityCounts([8, 16], ['os', 'ws'], DRAM)) + '\n');
  process.exit(0);
}
const out: string[] = [`Machine: ${await machine()}`, ''];
if (what === 'analytic' || what === 'all') out.push('### Analytic model speed', ...analyticSpeed(), '');
if (what === 'pipelined' || what === 'all')
  out.push('### AlexNet on 16x16: pipelined timing vs SCALE-Sim', ...pipelinedVsScaleSim(), '');
if (what === 'build' || what === 'all')
  out.push('### Verilator build time', ...(await buildTimes([8, 16, 32, 64, 128])), '');
if (what === 'throughput' || what === 'all')
  out.push('### Simulation throughput', ...(await throughput([8, 16, 32, 64], ['os', 'ws'])), '');
if (what === 'quant' || what === 'all') out.push('### Golden integer executor speed', ...quantSpeed(), '');
if (what === 'golden' || what === 'all')
  out.push(
    '### Golden integer executor against onnxruntime-node (CPU ms per image)',
    ...(await goldenSpeed(Number(process.argv[3] ?? 5))),
    '',
  );
if (what === 'qdq' || what === 'all')
  out.push(
    '### onnxruntime-node against the golden executor in mode ort (exported QDQ models, 2,000 digits)',
    ...(await qdqAgreement()),
    '',
  );
if (what === 'nvdla' || what === 'all')
  out.push(
    '### NVDLA-style core simulation speed',
    ...(await nvdlaThroughput(['nv_small', 'nv_full_int8', 'nv_full_int16'])),
    '',
  );
if (what === 'sweep' || what === 'all') out.push('### Sweeps', ...(await sweepBench()), '');
if (what === 'activity' || what === 'all')
  out.push(
    '### Activity build against the plain build (AlexNet conv1-conv5, CPU s per run, median)',
    ...(await activityCost([8, 16], ['os', 'ws'], { rounds })),
    '',
    '### Activity build against the plain build, memory system (AlexNet conv1-conv5, CPU s per run, median)',
    ...(await activityCost([8, 16], ['os', 'ws'], { rounds, memory: DRAM })),
    '',
  );
if (what === 'activity-compute')
  out.push(
    '### Activity build against the plain build (AlexNet conv1-conv5, CPU s per run, median)',
    ...(await activityCost([8, 16], ['os', 'ws'], { rounds })),
    '',
  );
if (what === 'activity-memory')
  out.push(
    '### Activity build against the plain build, memory system (AlexNet conv1-conv5, CPU s per run, median)',
    ...(await activityCost([8, 16], ['os', 'ws'], { rounds, memory: DRAM })),
    '',
  );
if (what === 'jobs' || what === 'all')
  out.push(
    '### sim --jobs 2 against --jobs 1',
    ...(await jobsSpeedup(['alexnet', 'resnet50'], process.argv[3] ?? 'sa-16x16-os', Number(process.argv[4] ?? 3))),
    '',
  );
process.stdout.write(out.join('\n') + '\n');
