/** `mactile sim`: runs every MAC layer of a network through the generated RTL and checks it. */
import type { Command } from 'commander';
import { accelOf } from '../accel/registry.js';
import { describeConfig, referenceName } from '../config/describe.js';
import { loadNetwork } from '../nets/load.js';
import { simTotals, simulateNetwork, type LayerCheck, type NetworkSim } from '../sim/run-network.js';
import type { Column } from '../report/table.js';
import { simMemoryColumns } from '../report/memory-columns.js';
import {
  batchOption,
  configFromOptions,
  cycleWindow,
  formatOption,
  inputShape,
  layerNames,
  wholeNumber,
  wholeNumberFrom,
  sizedTable,
  withConfigOverrides,
  withTableSize,
} from './options.js';
import { workloadOf } from '../nets/batch.js';
import { perInferenceColumns } from '../report/per-inference.js';
import { layerMacs, macLayers, networkSizeProblem, SIM_LIMITS, type MacLayer, type Shape } from '../nets/ir.js';
import { counter, type ProgressTask } from '../util/progress.js';
import type { ConfigOverrides } from '../config/load.js';
import type { HardwareConfig } from '../config/schema.js';
import { heldOutImages } from '../data/held-out.js';
import type { DataOptions, Selection } from '../data/split.js';
import type { QuantModel } from '../quant/quantize.js';
import { readQuantFile } from '../quant/store.js';
import { asRhaz, simulateQuantized } from '../sim/run-quantized.js';
import { importQdqOnnx, isQuantizedOnnx } from '../nets/qdq-import.js';
import { readOnnx } from '../nets/onnx-read.js';
import { MactileError } from '../util/errors.js';
import { checkOutputFolder } from '../util/output.js';
import { dataOption, selection } from './data-options.js';
import { activityTable } from '../report/activity.js';
import { energyRows, energyTableText } from '../report/energy.js';
import { selectedTables } from '../analytic/energy/model.js';
import type { Network } from '../nets/ir.js';

/** `--energy`: the per-layer energy rows of a run (undefined without the option). */
function energyOf(opts: SimOptions, net: Network, sim: NetworkSim) {
  return opts.energy ? energyRows(net, sim.config, sim.layers, opts.energyTable) : undefined;
}

/** The registers `--activity` counts on a config's kind, or a clear error for a kind without an activity variant. */
export function activityRegistersOf(cfg: HardwareConfig) {
  const accel = accelOf(cfg);
  if (!accel.activityRegisters)
    throw new MactileError(
      `--activity: the ${accel.title} (config ${cfg.name}, kind ${cfg.kind}) has no activity variant; expected a systolic config`,
    );
  return accel.activityRegisters(cfg as never);
}

interface SimOptions extends ConfigOverrides, DataOptions {
  testImages?: Selection;
  net?: string;
  quantized?: string;
  requant?: string;
  image?: number;
  config: string;
  layers?: string;
  seed: number;
  jobs: number;
  format: string;
  inputShape?: Shape;
  trace?: string;
  window?: { start: number; end: number };
  keepJobs?: string;
  summary?: boolean;
  full?: boolean;
  activity?: boolean;
  energy?: boolean;
  energyTable: string;
}

const yes = (b: boolean) => (b ? 'yes' : 'NO');

/** The per-layer table of a simulation, with totals: shared columns around the kind's own. */
export function simTable(sim: NetworkSim, size: { summary?: boolean; full?: boolean } = { full: true }): string {
  const accel = accelOf(sim.config);
  const total: LayerCheck = {
    ...sim.layers[0]!,
    name: 'total',
    kind: '',
    macs: sim.totals.macs,
    rtlCycles: sim.totals.rtlCycles,
    analyticCycles: sim.totals.analyticCycles,
    analyticComputeCycles: sim.totals.analyticComputeCycles,
    analyticStallCycles: sim.totals.analyticStallCycles,
    referenceCycles: sim.totals.referenceCycles,
    outputsChecked: sim.layers.reduce((s, l) => s + l.outputsChecked, 0),
    overallUtil: (100 * sim.totals.macs) / (sim.totals.rtlCycles * accel.cells(sim.config)),
    mappingEfficiency: NaN,
    timeUs: sim.totals.timeUs,
    bitExact: sim.layers.every((l) => l.bitExact),
    cycleExact: sim.layers.every((l) => l.cycleExact),
    extras: sumExtras(sim.layers),
    ...(sim.totals.memory ? { memory: sim.totals.memory } : {}),
  };
  // Where the RTL does not model the predicted stalls, the compared figure is the compute cycles.
  const compared = (l: LayerCheck) => (l.stallsModelled ? l.analyticCycles : l.analyticComputeCycles);
  const columns: Column<LayerCheck>[] = [
    { header: 'layer', value: (l) => l.name },
    { header: 'MACs', value: (l) => l.macs },
    { header: 'RTL cycles', value: (l) => l.rtlCycles },
    { header: sim.stallsModelled ? 'analytic' : 'analytic compute', value: compared },
    { header: 'diff', value: (l) => l.rtlCycles - compared(l) },
  ];
  if (!sim.stallsModelled)
    columns.push({ header: 'predicted stalls (not in RTL)', value: (l) => l.analyticStallCycles });
  if (sim.layers.some((l) => l.memory)) columns.push(...simMemoryColumns(accel.stallCauses));
  columns.push(
    ...accel.simColumns,
    { header: 'util %', value: (l) => l.overallUtil, digits: 2 },
    { header: 'map eff %', value: (l) => (Number.isNaN(l.mappingEfficiency) ? '' : l.mappingEfficiency.toFixed(2)) },
    // One unit for every kind (analyze's tables and the report's per-layer columns are in µs too).
    { header: `time us @${sim.config.clock_mhz}MHz`, value: (l) => l.timeUs, digits: 3 },
    ...perInferenceColumns<LayerCheck>(
      sim.config.batch ?? 1,
      (l) => ({ cycles: l.rtlCycles, timeUs: l.timeUs }),
      sim.config.clock_mhz,
    ),
    { header: 'outputs checked', value: (l) => l.outputsChecked },
    { header: 'bit-exact', value: (l) => yes(l.bitExact) },
    { header: 'cycle-exact', value: (l) => yes(l.cycleExact) },
  );
  const { table } = sizedTable<LayerCheck>(columns, sim.layers, total, size, {
    keep: (h) => /^(layer|MACs|RTL cycles|analytic|diff|util %|bit-exact|cycle-exact)/.test(h),
    rank: (l) => l.rtlCycles,
  });
  const notes = sim.layers.filter((l) => l.notes.length).map((l) => `  ${l.name}: ${l.notes.join('; ')}`);
  const mapping = notes.length ? `\nmapping notes:\n${notes.join('\n')}` : '';
  return `${table}${mapping}\n${sim.reference} assumes: ${accel.referenceAssumptions(sim.config).join('; ')}`;
}

/** Numeric extras summed over layers (for the totals row). */
function sumExtras(layers: LayerCheck[]): Record<string, number | string> {
  const out: Record<string, number> = {};
  for (const l of layers)
    for (const [k, v] of Object.entries(l.extras)) if (typeof v === 'number') out[k] = (out[k] ?? 0) + v;
  return out;
}

/** The closing line of a run: what matched, and what the RTL does not model. */
export function verdict(sim: NetworkSim): string {
  if (!sim.ok) return 'MISMATCH: see the rows marked NO';
  if (!sim.stallsModelled) {
    return `all layers bit-exact and compute-cycle-exact; the ${sim.totals.analyticStallCycles.toLocaleString('en-US')} DRAM stall cycles the analytic model predicts are not modelled by the RTL (a prediction, not checked)`;
  }
  return 'all layers bit-exact and cycle-exact';
}

/** The execution-time line: per inference, and for the whole batch when batched. */
function executionTime(sim: NetworkSim): string {
  const batch = sim.config.batch ?? 1;
  const t = sim.totals;
  const cycles = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
  if (batch === 1)
    return `execution time at ${sim.config.clock_mhz} MHz: ${(t.timeUs / 1000).toFixed(4)} ms per inference (${cycles(t.rtlCycles)} cycles)\n`;
  const util = (100 * t.macs) / (t.rtlCycles * accelOf(sim.config).cells(sim.config));
  return (
    `execution time at ${sim.config.clock_mhz} MHz: ${(t.timeUs / 1000 / batch).toFixed(4)} ms per inference (${cycles(t.rtlCycles / batch)} RTL cycles), ` +
    `${(t.timeUs / 1000).toFixed(4)} ms for the batch of ${batch} (${cycles(t.rtlCycles)} cycles); RTL utilisation ${util.toFixed(2)} %\n`
  );
}

/** The JSON document of a simulation. */
export function simJson(sim: NetworkSim): object {
  return {
    network: sim.network,
    config: sim.config,
    precision: `int${sim.precision}`,
    reference: sim.reference,
    referenceAssumptions: accelOf(sim.config).referenceAssumptions(sim.config),
    build: { key: sim.build.key, cached: sim.build.cached, seconds: sim.build.seconds },
    ...(sim.build.variant?.activity ? { activityRegisters: activityRegistersOf(sim.config) } : {}),
    ...(sim.traces ? { traces: sim.traces } : {}),
    ok: sim.ok,
    stallsModelled: sim.stallsModelled,
    layers: sim.layers,
    totals: { ...sim.totals, timeMs: sim.totals.timeUs / 1000 },
    ...batchedTotals(sim),
  };
}

/** A batched simulation's batch and per-inference figures (nothing at batch 1). */
function batchedTotals(sim: NetworkSim): object {
  const batch = sim.config.batch ?? 1;
  if (batch === 1) return {};
  const t = sim.totals;
  return {
    batch,
    perInference: {
      rtlCycles: t.rtlCycles / batch,
      analyticCycles: t.analyticCycles / batch,
      timeMs: t.timeUs / 1000 / batch,
      macs: t.macs / batch,
    },
  };
}

/** `sim --quantized Q --image N`: one real inference through the RTL, checked against the golden executor. */
async function simQuantized(opts: SimOptions, cfg: HardwareConfig): Promise<void> {
  const onnx = opts.quantized!.toLowerCase().endsWith('.onnx');
  if (onnx && !isQuantizedOnnx(readOnnx(opts.quantized!)))
    throw new MactileError(
      `--quantized ${opts.quantized}: expected a quantized model (a file of mactile quantize --out, or an ONNX model with QuantizeLinear/DequantizeLinear or QLinearConv), received a float ONNX model; quantize it first: mactile quantize --model ${opts.quantized} --out q.json`,
    );
  const file = onnx ? { models: { int8: importQdqOnnx(opts.quantized!) } } : readQuantFile(opts.quantized!);
  if (opts.requant !== undefined && opts.requant !== 'rhaz')
    throw new MactileError(
      `--requant: expected rhaz (the RTL output stage's mode), received ${JSON.stringify(opts.requant)}`,
    );
  const stored = (file.models as Record<string, QuantModel | undefined>)[cfg.precision];
  const qm = stored && opts.requant === 'rhaz' ? asRhaz(stored) : stored;
  if (!qm) {
    throw new MactileError(
      `--quantized ${opts.quantized}: expected a ${cfg.precision} model for config ${cfg.name}, the file holds ${Object.keys(file.models).join(', ')} (use --precision or another config)`,
    );
  }
  const n = opts.image ?? 0;
  const images = heldOutImages(opts, qm.net.input.shape, opts.quantized!, n, cfg.batch ?? 1);
  const layers = macLayers(workloadOf(qm.net, cfg));
  const bar = layerCounter(qm.net.name, cfg, layers);
  let done = 0;
  bar.step(layers[0]?.name ?? '');
  const r = await simulateQuantized(qm, cfg, images, {
    activity: opts.activity,
    where: `--quantized ${opts.quantized}`,
    onLayer: (c) => {
      bar.advance(1, c.macs);
      bar.step(layers[++done]?.name ?? 'golden executor');
    },
  }).finally(() => bar.done());
  const sim: NetworkSim = {
    network: qm.net.name,
    config: cfg,
    precision: cfg.precision === 'int8' ? 8 : 16,
    reference: referenceName(cfg),
    build: r.build,
    layers: r.layers,
    ok: r.ok,
    stallsModelled: r.layers.every((c) => c.stallsModelled),
    totals: simTotals(r.layers),
  };
  const energy = energyOf(opts, qm.net, sim);
  if (opts.format === 'json') {
    process.stdout.write(
      JSON.stringify(
        {
          ...simJson(sim),
          ...(energy ? { energy: { tables: opts.energyTable, layers: energy } } : {}),
          quantized: opts.quantized,
          image: n,
          label: r.label,
          predicted: r.predicted,
          goldenPredicted: r.goldenPredicted,
          logits: r.logits,
          goldenLogits: r.goldenLogits,
          logitsIdentical: r.logitsIdentical,
          ...(r.inferences.length > 1 ? { inferences: r.inferences.map((x, i) => ({ image: n + i, ...x })) } : {}),
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    const batch = r.inferences.length;
    const what = opts.data === 'mnist' && !opts.testImages ? 'digit' : 'image';
    const digits =
      batch > 1
        ? `held-out ${what}s ${n} to ${n + batch - 1} (batch ${batch})`
        : `held-out ${what} ${n}, label ${r.label}`;
    process.stdout.write(`${opts.quantized} (${cfg.precision}) on ${describeConfig(cfg)}: ${digits}\n`);
    process.stdout.write(simTable(sim, opts) + '\n');
    if (opts.activity) process.stdout.write(activityTable(sim.layers, activityRegistersOf(cfg)) + '\n');
    if (energy) process.stdout.write(energyTableText(energy, opts.energyTable) + '\n');
    if (batch > 1) process.stdout.write(executionTime(sim));
    for (const [i, x] of r.inferences.entries()) {
      const who = batch > 1 ? `${what} ${n + i} (label ${x.label}): ` : '';
      process.stdout.write(`${who}RTL logits    ${x.logits.join(' ')} -> class ${x.predicted}\n`);
      process.stdout.write(`${who}golden logits ${x.goldenLogits.join(' ')} -> class ${x.goldenPredicted}\n`);
    }
    process.stdout.write(
      r.ok
        ? `logits identical; ${verdict(sim).replace('all layers', 'every layer')}\n`
        : 'MISMATCH between the RTL and the golden executor\n',
    );
  }
  if (!r.ok) process.exitCode = 1;
}

/** The progress line of a simulation: its MAC layers, the ETA weighted by their MACs. */
function layerCounter(network: string, cfg: HardwareConfig, layers: MacLayer[]): ProgressTask {
  return counter(`simulating ${network} on ${cfg.name}`, layers.length, {
    totalWork: layers.reduce((s, l) => s + layerMacs(l), 0),
  });
}

/** Registers the `sim` command. */
export function registerSim(cmd: Command): void {
  withConfigOverrides(
    withTableSize(cmd.command('sim'))
      .description(
        'run every MAC layer of a network through the generated RTL (Verilator), bit-exact against the golden model and cycle-exact against the analytic model',
      )
      .option('--net <net>', 'zoo name (lenet5, alexnet, efficientnet_b0), a SCALE-Sim topology .csv or an ONNX model')
      .option(
        '--quantized <file>',
        'a quantized model from `mactile quantize --out`, or a quantized ONNX model (QDQ, QLinearConv): run its real weights instead of random ones',
      )
      .option(
        '--requant <mode>',
        'with --quantized: rhaz, to run a model quantized in mode ort or gemmlowp with the RTL output stage (rhaz)',
      )
      .option('--image <n>', 'with --quantized: the held-out image to infer (MNIST: digit 0-1999)', wholeNumber, 0)
      .addOption(dataOption('data'))
      .addOption(dataOption('mean'))
      .addOption(dataOption('std'))
      .addOption(dataOption('layout'))
      .option(
        '--test-images <A:B|set>',
        'with --quantized: the held-out images --image counts in, as in quantize (default: the last fifth of --data)',
        selection('--test-images'),
      )
      .requiredOption('--config <config>', 'hardware config file or preset name (systolic or nvdla)')
      .option('--layers <names>', 'comma-separated MAC layer names, each once (default: all)', layerNames)
      .option('--seed <n>', 'seed of the random INT8/INT16 operands', wholeNumber, 1)
      .option('--input-shape <HxWxC>', 'input size of an ONNX model whose input is dynamic', inputShape)
      .option(
        '--trace <dir>',
        'write an FST waveform (gtkwave) and a signal map of each simulated layer into DIR (a tracing build)',
      )
      .option(
        '--window <START:END>',
        'with --trace: the layer cycles to trace, END not included (default: the first fold and the last)',
        cycleWindow,
      )
      .option('--keep-jobs <dir>', "keep each layer's job in DIR for `mactile replay` (as MACTILE_KEEP_JOBS=DIR)")
      .option(
        '--jobs <n>',
        'with --net: layers simulated at once, each in its own driver process (1 to 64; results as with 1)',
        wholeNumberFrom(1, 64),
        1,
      )
      .option(
        '--activity',
        "count the bit toggles of the PE array's registers per layer (an activity build; systolic; docs/ENERGY.md)",
      )
      .option('--energy', 'energy per layer from published tables (register energy from --activity counts when given)')
      .option('--energy-table <name>', 'with --energy: horowitz-45nm, eyeriss-65nm or all (the range over both)', 'all')
      .addOption(formatOption(['table', 'json'], 'table'))
      .addOption(batchOption()),
  ).action(async (opts: SimOptions) => {
    if (opts.window && !opts.trace)
      throw new MactileError(`--window: expected together with --trace DIR, received --window alone`);
    if (opts.trace) checkOutputFolder(opts.trace, '--trace');
    if (opts.keepJobs) checkOutputFolder(opts.keepJobs, '--keep-jobs');
    else if (process.env.MACTILE_KEEP_JOBS) checkOutputFolder(process.env.MACTILE_KEEP_JOBS, 'MACTILE_KEEP_JOBS');
    const cfg = configFromOptions(opts);
    if (opts.activity) activityRegistersOf(cfg);
    if (opts.energyTable !== 'all' && !opts.energy)
      throw new MactileError(`--energy-table: expected together with --energy, received --energy-table alone`);
    if (opts.energy) selectedTables(opts.energyTable);
    if (opts.quantized) {
      if (opts.trace || opts.keepJobs)
        throw new MactileError(`--trace, --keep-jobs: expected with --net NET, received with --quantized`);
      if (opts.jobs !== 1)
        throw new MactileError(
          `--jobs: expected with --net NET, received with --quantized (an inference runs its layers in order, each on the last one's output)`,
        );
      await simQuantized(opts, cfg);
      return;
    }
    if (opts.requant !== undefined)
      throw new MactileError(`--requant: expected together with --quantized FILE, received it with --net`);
    if (!opts.net) throw new MactileError(`sim: expected --net NET (or --quantized FILE), received neither`);
    const net = workloadOf(loadNetwork(opts.net, { inputShape: opts.inputShape }), cfg);
    const names = opts.layers
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    // Sizes the simulation cannot hold are refused now, before the RTL build and the operands.
    const simulated = macLayers(net).filter((l) => !names?.length || names.includes(l.name));
    const size = networkSizeProblem({ ...net, layers: simulated }, SIM_LIMITS);
    if (size) throw new MactileError(`--net ${opts.net}: ${size}; analyze can still evaluate it`);
    const bar = layerCounter(net.name, cfg, simulated);
    const running = new Set<string>(); // the layers being simulated (several with --jobs)
    const sim = await simulateNetwork(net, cfg, {
      layers: names,
      seed: opts.seed,
      ...(opts.trace ? { trace: { dir: opts.trace, window: opts.window } } : {}),
      ...(opts.keepJobs ? { keepDir: opts.keepJobs } : {}),
      ...(opts.activity ? { activity: true } : {}),
      jobs: opts.jobs,
      onStart: (l) => bar.step([...running.add(l.name)].join(', ')),
      onLayer: (c) => {
        running.delete(c.name);
        bar.advance(1, c.macs);
        if (running.size) bar.step([...running].join(', '));
      },
    }).finally(() => bar.done());
    const energy = energyOf(opts, net, sim);
    if (opts.format === 'json')
      process.stdout.write(
        JSON.stringify(
          { ...simJson(sim), ...(energy ? { energy: { tables: opts.energyTable, layers: energy } } : {}) },
          null,
          2,
        ) + '\n',
      );
    else {
      process.stdout.write(
        `${net.name} on ${describeConfig(cfg)}${cfg.batch ? `, batch ${cfg.batch}` : ''}; RTL build ${sim.build.cached ? 'cached' : `${sim.build.seconds.toFixed(1)} s`}\n`,
      );
      process.stdout.write(simTable(sim, opts) + '\n');
      if (opts.activity) process.stdout.write(activityTable(sim.layers, activityRegistersOf(cfg)) + '\n');
      if (energy) process.stdout.write(energyTableText(energy, opts.energyTable) + '\n');
      process.stdout.write(executionTime(sim));
      process.stdout.write(`${verdict(sim)}\n`);
      for (const t of sim.traces ?? [])
        process.stdout.write(`waveform of ${t.layer}: ${t.fst} (signal map ${t.map})\n`);
    }
    if (!sim.ok) process.exitCode = 1;
  });
}
