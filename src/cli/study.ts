/**
 * `mactile study`: the three questions of the study asked of several networks at once (accuracy of INT8
 * and INT16, time on NVDLA-style cores, a systolic array's figures), written as one report that opens with
 * its findings. `--from DIR` renders the report again from DIR/study.json.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DATAFLOWS, type Dataflow, type HardwareConfig } from '../config/schema.js';
import { loadNetwork } from '../nets/load.js';
import { layerMacs, macLayers, type Network } from '../nets/ir.js';
import { writeStudyReport } from '../report/study-html.js';
import { accuracyStudy, type StudiedModel } from '../study/accuracy.js';
import { NVDLA_RUNS, nvdlaConfig, nvdlaRuns, systolicConfig, systolicGrid } from '../study/analytic.js';
import type { StudyData } from '../study/data.js';
import { Slots } from '../util/slots.js';
import { progressShown } from '../util/progress.js';
import { parseRtlPairs, rtlRuns } from '../study/rtl.js';
import { areaStudy } from '../study/area.js';
import { verilatorVersionLine } from '../sim/build.js';
import { MactileError } from '../util/errors.js';
import { checkOutputFolder } from '../util/output.js';
import { symmetricActivations, wholeNumberFrom, withActivationScheme, type SchemeOptions } from './options.js';
import { mactileVersion, version } from './report.js';

interface StudyOptions extends SchemeOptions {
  nets: string;
  models: string;
  precision: string;
  sizes: string;
  dataflows: string;
  dram: number;
  rtl: string;
  /** A list of configs, or false (--no-area). */
  area: string | false;
  areaBudget: number;
  testImages?: number;
  jobs: number;
  seed: number;
  out: string;
  from?: string;
}

const DEFAULT_MODELS = 'models/lenet5.onnx,models/alexnet_mnist.onnx,models/efficientnet_b0_mnist.onnx';
const DEFAULT_RTL =
  'lenet5@nv_small,lenet5@nv_full_int8,lenet5@nv_full_int16,alexnet@nv_small,efficientnet_b0@nv_small,lenet5@sa-16x16-os,lenet5@sa-16x16-ws,lenet5@sa-16x16-is,lenet5@sa-32x32-ws,lenet5@sa-16x16-os-dram16';

const DEFAULT_AREA =
  'sa-8x8-os,nv_small,sa-8x8-ws,sa-8x8-is,sa-16x16-os,sa-16x16-ws,sa-16x16-is,sa-16x16-os-int16,sa-32x32-ws,nv_full_int8,nv_full_int16';

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * A config of the study by its name: an NVDLA preset (with its memory system at `nvDram` words per cycle), or
 * sa-RxR-DF[-int16][-dramN] of the systolic grid (ideal memory, or the memory system at N words per cycle).
 */
function configNamed(name: string, nvDram: number | 'calc'): HardwareConfig | undefined {
  const nv = NVDLA_RUNS.find((r) => r.preset === name);
  if (nv) return nvdlaConfig(nv.preset, nv.precision, nvDram);
  const m = /^sa-(\d+)x(\d+)-(os|ws|is)(-int16)?(?:-dram(\d+))?$/.exec(name);
  if (!m || m[1] !== m[2]) return undefined;
  const dram = m[5] === undefined ? 'calc' : Number(m[5]);
  if (dram !== 'calc' && !(dram >= 1 && dram <= 1024)) return undefined;
  return systolicConfig(Number(m[1]), m[3] as Dataflow, m[4] ? 'int16' : 'int8', dram);
}

function parsePrecisions(text: string): ('int8' | 'int16')[] {
  const ps = list(text);
  for (const p of ps)
    if (p !== 'int8' && p !== 'int16')
      throw new MactileError(`--precision: expected int8 | int16 (or both), received ${JSON.stringify(p)}`);
  return ps as ('int8' | 'int16')[];
}

/** The configs whose area the study gives (--area), by name. */
function areaConfigs(text: string | false): HardwareConfig[] {
  if (text === false || text === 'none') return [];
  return list(text).map((name) => {
    // Area is of the compute core: the memory system's buffers would be synthesized as flip-flops.
    const cfg = /-dram\d+$/.test(name) ? undefined : configNamed(name, 'calc');
    if (!cfg)
      throw new MactileError(
        `--area: expected configs nv_small, nv_full_int8, nv_full_int16 or sa-RxR-DF[-int16], received ${JSON.stringify(name)}`,
      );
    return cfg;
  });
}

/** The models of the study, paired with the networks in order ("none": no accuracy study). */
function studiedModels(nets: Network[], models: string): StudiedModel[] {
  if (models === 'none') return [];
  const files = list(models);
  if (files.length > nets.length)
    throw new MactileError(
      `--models: expected at most one model per network (${nets.length}), received ${files.length}`,
    );
  for (const f of files)
    if (!existsSync(f) || !statSync(f).isFile())
      throw new MactileError(`--models: expected ONNX model files, received ${JSON.stringify(f)}, which is not a file`);
  return files.map((model, i) => ({ net: nets[i]!.name, model }));
}

async function runStudy(opts: StudyOptions, quiet: boolean): Promise<StudyData> {
  const t0 = performance.now();
  const nets = list(opts.nets).map((n) => loadNetwork(n));
  const precisions = parsePrecisions(opts.precision);
  const sizes = list(opts.sizes).map((s) => {
    try {
      return wholeNumberFrom(2, 512)(s);
    } catch (err) {
      throw new MactileError(`--sizes: ${(err as Error).message}`);
    }
  });
  const dataflows = list(opts.dataflows).map((d) => {
    if (!(DATAFLOWS as readonly string[]).includes(d))
      throw new MactileError(`--dataflows: expected ${DATAFLOWS.join(' | ')}, received ${JSON.stringify(d)}`);
    return d as Dataflow;
  });
  const models = studiedModels(nets, opts.models);
  const symmetric = symmetricActivations(opts, models.length ? undefined : 'with --models none');
  const pairs = parseRtlPairs(opts.rtl, nets, (name) => configNamed(name, opts.dram));
  const areaCfgs = areaConfigs(opts.area);
  const slots = new Slots(opts.jobs);
  const seconds = { accuracy: 0, analytic: 0, rtl: 0, area: 0, total: 0 };
  // The hardware part holds one slot in this process while the quantization children hold the others.
  const hardware = slots.run(async () => {
    const ta = performance.now();
    const nv = nvdlaRuns(nets, opts.dram);
    const sa = systolicGrid(nets, sizes, dataflows, opts.dram);
    seconds.analytic = (performance.now() - ta) / 1000;
    const tr = performance.now();
    const rtl = await rtlRuns(pairs, { seed: opts.seed });
    seconds.rtl = (performance.now() - tr) / 1000;
    const tz = performance.now();
    const area = areaCfgs.length ? await areaStudy(areaCfgs, opts.areaBudget) : undefined;
    seconds.area = (performance.now() - tz) / 1000;
    return { nv, sa, rtl, area };
  });
  const tq = performance.now();
  const accuracy = accuracyStudy(models, precisions, {
    slots,
    slotCount: opts.jobs,
    testImages: opts.testImages,
    symmetric,
    onJob: (what) => {
      // On a terminal the progress line shows the jobs; elsewhere (a log) one line per job says it is done.
      if (!quiet && !progressShown())
        process.stderr.write(`quantization study done: ${what} (${((performance.now() - tq) / 1000).toFixed(0)} s)\n`);
    },
  }).then((a) => {
    seconds.accuracy = (performance.now() - tq) / 1000;
    return a;
  });
  const [hw, acc] = await Promise.all([hardware, accuracy]);
  seconds.total = (performance.now() - t0) / 1000;
  const notes = [
    'The NVDLA and systolic figures are of the zoo networks at their published input sizes (lenet5 32x32x1, alexnet and efficientnet_b0 224x224x3) with seeded random operands; the accuracy figures are of the trained MNIST models in models/ (32x32x1).',
    `RTL runs (the stated subset): ${pairs.length ? pairs.map((p) => `${p.net.name}@${p.cfg.name}`).join(', ') : 'none'}; every other figure is the analytic model's.`,
    'Energy: estimates from the analytic access counts (register toggles estimated, no activity counts) priced by both shipped tables with the energy model of sim --energy (docs/ENERGY.md).',
  ];
  notes.push(
    `Memory: the NVDLA-style cores run with their memory system (convolution buffer filled by DMA from a DRAM port of ${opts.dram} words per cycle each way, latency ${nvdlaConfig('nv_small', 'int8', opts.dram).dram.latency} cycles), in the analytic model and in the RTL; the systolic grid with ideal memory (SCALE-Sim's assumption) and with its memory system at ${opts.dram} words per cycle.`,
  );
  for (const u of hw.nv.unfit) notes.push(`Not run (does not fit the core's memory system): ${u}.`);
  if (!areaCfgs.length) notes.push('Area: not asked for (--no-area or --area none).');
  else
    notes.push(
      "Area: of the compute cores (ideal memory); the memory systems' buffers are SRAM macros, not synthesized.",
    );
  if (opts.testImages !== undefined)
    notes.push(`Accuracy on ${opts.testImages} evenly spaced held-out digits of the 2,000 (--test-images).`);
  return {
    version: 1,
    title: `mactile study: ${nets.map((n) => n.name).join(', ')}`,
    command: `mactile ${process.argv.slice(2).join(' ')}`,
    date: new Date().toISOString(),
    tools: {
      mactile: mactileVersion(),
      node: process.version,
      verilator: await verilatorVersionLine(),
      vega: version('vega'),
      'vega-lite': version('vega-lite'),
    },
    nets: nets.map((n, i) => ({
      name: n.name,
      input: `${n.input.shape.h}x${n.input.shape.w}x${n.input.shape.c}`,
      macLayers: macLayers(n).length,
      macs: macLayers(n).reduce((s, l) => s + layerMacs(l), 0),
      ...(models[i] ? { model: models[i]!.model } : {}),
    })),
    accuracy: acc,
    nvdla: hw.nv.runs,
    systolic: hw.sa.runs,
    rtl: hw.rtl,
    ...(hw.area ? { area: hw.area } : {}),
    systolicDram: opts.dram,
    referenceAssumptions: { ...hw.nv.assumptions, ...hw.sa.assumptions },
    notes,
    seconds,
  };
}

/** Registers the `study` command. */
export function registerStudy(cmd: Command): void {
  withActivationScheme(
    cmd
      .command('study')
      .description(
        'the whole study of several networks (accuracy of INT8/INT16, NVDLA-style cores, systolic arrays) as one report that opens with its findings',
      ),
  )
    .option('--nets <list>', 'zoo networks', 'lenet5,alexnet,efficientnet_b0')
    .option('--models <list>', 'trained ONNX models, one per network in order, or none', DEFAULT_MODELS)
    .option('--precision <list>', 'int8, int16 or both', 'int8,int16')
    .option('--sizes <list>', 'systolic array sizes (rows = columns)', '8,16,32,64,128')
    .option('--dataflows <list>', 'systolic dataflows', 'os,ws,is')
    .option(
      '--dram <words>',
      'DRAM words per cycle of the memory systems: the NVDLA-style cores (analytic and RTL) and the systolic grid beside its ideal-memory runs',
      wholeNumberFrom(1, 1024),
      16,
    )
    .option(
      '--rtl <list>',
      'NET@CONFIG pairs run through the RTL (configs: nv_small, nv_full_int8, nv_full_int16 with their memory system at --dram; sa-RxR-DF[-int16] with ideal memory, sa-RxR-DF[-int16]-dramN with the memory system at N words per cycle), or none',
      DEFAULT_RTL,
    )
    .option(
      '--area <list>',
      'configs to synthesize with yosys for their area (hierarchical, cached; same names as --rtl), or none',
      DEFAULT_AREA,
    )
    .option('--no-area', 'no synthesis and no area in the report')
    .option(
      '--area-budget <s>',
      'yosys seconds for the configs the synthesis cache does not hold; the rest are listed as not synthesized',
      wholeNumberFrom(0, 86_400),
      300,
    )
    .option('--test-images <n>', 'evaluate accuracy on N evenly spaced held-out digits', wholeNumberFrom(1, 2000))
    .option('--jobs <n>', 'processes at once (the quantization studies run as children)', wholeNumberFrom(1, 64), 2)
    .option('--seed <n>', 'seed of the random operands', wholeNumberFrom(0, 2 ** 31), 1)
    .option('--out <dir>', 'output folder', 'reports/study')
    .option('--from <dir>', 'render the report again from DIR/study.json (runs nothing)')
    .action(async (opts: StudyOptions, command: Command) => {
      const quiet = Boolean(command.optsWithGlobals().quiet);
      checkOutputFolder(opts.out);
      const t0 = performance.now();
      let data: StudyData;
      if (opts.from) {
        const file = join(opts.from, 'study.json');
        try {
          data = JSON.parse(readFileSync(file, 'utf8')) as StudyData;
        } catch (e) {
          throw new MactileError(
            `--from ${opts.from}: expected ${file} written by mactile study, could not read it (${(e as Error).message})`,
          );
        }
        if (data.version !== 1)
          throw new MactileError(
            `--from ${opts.from}: expected study.json version 1, received ${JSON.stringify(data.version)}`,
          );
      } else data = await runStudy(opts, quiet);
      const files = await writeStudyReport(resolve(opts.out), data, `--out ${opts.out}`);
      process.stdout.write(
        `wrote ${files[0]} (${files.length - 1} data files) in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
      );
      const bad = data.rtl.filter((r) => !r.ok);
      if (bad.length) {
        process.stdout.write(
          `MISMATCH in the RTL runs ${bad.map((r) => `${r.net}@${r.config}`).join(', ')}: see the report\n`,
        );
        process.exitCode = 1;
      }
    });
}
