/**
 * The findings the study report opens with: sentences generated from the study's data, each with its number
 * and the anchor of the section that holds the evidence. Nothing here is written by hand but the wording.
 */
import type { AnalyticRun, Finding, StudyData } from './data.js';
import { energyFindings } from './findings-energy.js';
import { anchorOf, comparisonSize, dataflowRanking, systolicRun } from './select.js';
import { verdicts } from './verdict.js';

export { anchorOf, comparisonSize, dataflowRanking, systolicRun };

const n = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
const mega = (v: number) =>
  v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} k` : v.toFixed(0);
const pts = (v: number) => v.toFixed(2);

function dataflowFindings(d: StudyData): Finding[] {
  const size = comparisonSize(d);
  if (size === undefined) return [];
  return d.nets.flatMap((net) => {
    const [best, next] = dataflowRanking(d, net.name, size);
    if (!best || !next) return [];
    const ratio = next.totals.cycles / best.totals.cycles;
    return [
      {
        id: `dataflow-${net.name}`,
        topic: 'Which dataflow wins',
        value: `${ratio.toFixed(2)}x`,
        text: `On a ${size}x${size} array, ${best.dataflow} is the fastest dataflow for ${net.name}: ${mega(best.totals.cycles)} cycles, ${ratio.toFixed(2)}x fewer than ${next.dataflow} (${mega(next.totals.cycles)}), at ${pts(best.totals.overallUtil)} % utilisation.`,
        anchor: anchorOf('systolic', net.name),
      },
    ];
  });
}

function nvdlaFindings(d: StudyData): Finding[] {
  return d.nets.flatMap((net) => {
    const run = d.nvdla.find((r) => r.net === net.name && r.config === 'nv_small');
    if (!run) return [];
    const top = [...run.layers].sort((a, b) => b.cycles - a.cycles).slice(0, 3);
    const share = (c: number) => `${((100 * c) / run.totals.cycles).toFixed(1)} %`;
    const v = new Map(verdicts(run).map((x) => [x.layer, x]));
    const first = top[0]!;
    const why = v.get(first.name)!;
    const reason =
      why.bound === 'mapping'
        ? `its ${first.kind} fills ${first.mappingEfficiency.toFixed(2)} % of the MAC cells`
        : why.bound === 'memory'
          ? `${share(first.stallCycles)} of the network's cycles are its DRAM stalls`
          : `it has ${mega(first.macs)} MACs`;
    return [
      {
        id: `nvdla-${net.name}`,
        topic: 'What bounds the time on nv_small',
        value: share(top.reduce((s, l) => s + l.cycles, 0)),
        text: `On nv_small, ${top.map((l) => `${l.name} (${share(l.cycles)})`).join(', ')} take ${share(top.reduce((s, l) => s + l.cycles, 0))} of ${net.name}'s ${mega(run.totals.cycles)} cycles; ${first.name} leads because ${reason} (${pts(first.overallUtil)} % utilisation).`,
        anchor: anchorOf('nvdla', net.name),
      },
    ];
  });
}

function accuracyFindings(d: StudyData): Finding[] {
  return d.accuracy.flatMap((a) => {
    const b8 = a.best.int8;
    if (!b8) return [];
    const worst = a.variants.filter((v) => v.precision === 'int8').sort((x, y) => x.accuracy - y.accuracy)[0]!;
    const cost = a.fp32 - b8.accuracy;
    const what =
      Math.abs(cost) < 0.005 ? 'costs nothing' : cost > 0 ? `costs ${pts(cost)} points` : `gains ${pts(-cost)} points`;
    return [
      {
        id: `int8-${a.net}`,
        topic: 'What INT8 costs in accuracy',
        value: `${pts(cost)} points`,
        text: `At best, INT8 ${what} of ${a.net}'s accuracy (FP32 ${pts(a.fp32)} %, INT8 ${pts(b8.accuracy)} % with ${b8.calibration} calibration and per-${b8.granularity} weights, ${n(a.heldOut)} held-out digits); the worst INT8 variant (${worst.calibration}, per-${worst.granularity}) costs ${pts(a.fp32 - worst.accuracy)} points.`,
        anchor: anchorOf('accuracy', a.net),
      },
    ];
  });
}

function int16Findings(d: StudyData): Finding[] {
  const size = comparisonSize(d);
  if (size === undefined) return [];
  return d.nets.flatMap((net) => {
    const best = dataflowRanking(d, net.name, size)[0];
    if (!best) return [];
    const wide = systolicRun(d, net.name, size, best.dataflow!, 'int16', 'calc');
    if (!wide) return [];
    const ratio = wide.totals.dramBytes / best.totals.dramBytes;
    const gbps = (r: AnalyticRun) => (r.totals.dramBytes * r.clockMhz * 1e6) / r.totals.cycles / 1e9;
    const same = wide.totals.cycles === best.totals.cycles ? 'the same' : 'different';
    return [
      {
        id: `int16-${net.name}`,
        topic: 'What INT16 costs in bytes and bandwidth',
        value: `${ratio.toFixed(2)}x`,
        text: `INT16 moves ${ratio.toFixed(2)}x the DRAM bytes of INT8 for ${net.name} on ${size}x${size} ${best.dataflow} (${mega(wide.totals.dramBytes)}B against ${mega(best.totals.dramBytes)}B per inference, ${gbps(wide).toFixed(2)} against ${gbps(best).toFixed(2)} GB/s) in ${same} ${mega(wide.totals.cycles)} cycles.`,
        anchor: 'int16',
      },
    ];
  });
}

function nvdlaInt16Findings(d: StudyData): Finding[] {
  return d.nets.flatMap((net) => {
    const a = d.nvdla.find((r) => r.net === net.name && r.config === 'nv_full_int8');
    const b = d.nvdla.find((r) => r.net === net.name && r.config === 'nv_full_int16');
    if (!a || !b) return [];
    const ratio = b.totals.cycles / a.totals.cycles;
    return [
      {
        id: `nvdla-int16-${net.name}`,
        topic: 'What INT16 costs in bytes and bandwidth',
        value: `${ratio.toFixed(2)}x`,
        text: `On the nv_full core, INT16 (${b.cells.toLocaleString('en-US')} MAC cells) takes ${ratio.toFixed(2)}x the cycles of INT8 (${a.cells.toLocaleString('en-US')} cells) for ${net.name}: ${mega(b.totals.cycles)} against ${mega(a.totals.cycles)}, moving ${(b.totals.dramBytes / a.totals.dramBytes).toFixed(2)}x the DRAM bytes.`,
        anchor: anchorOf('nvdla', net.name),
      },
    ];
  });
}

function verdictFindings(d: StudyData): Finding[] {
  const size = comparisonSize(d);
  if (size === undefined) return [];
  return d.nets.flatMap((net) => {
    const best = dataflowRanking(d, net.name, size)[0];
    if (!best) return [];
    const mem = systolicRun(d, net.name, size, best.dataflow!, 'int8', d.systolicDram);
    const all = verdicts(best, mem);
    const worst = best.layers.map((l, i) => ({ l, v: all[i]! })).sort((a, b) => a.l.overallUtil - b.l.overallUtil)[0]!;
    const counts = (['compute', 'mapping', 'memory'] as const)
      .map((b) => `${all.filter((v) => v.bound === b).length} ${b}-bound`)
      .join(', ');
    return [
      {
        id: `verdict-${net.name}`,
        topic: 'Per-layer bottlenecks',
        value: `${pts(worst.l.overallUtil)} %`,
        text: `${net.name} on ${size}x${size} ${best.dataflow} (DRAM ${d.systolicDram} words/cycle): ${counts} layers; the least used is ${worst.v.text}.`,
        anchor: anchorOf('verdicts', net.name),
      },
    ];
  });
}

function rtlFindings(d: StudyData): Finding[] {
  if (d.rtl.length === 0) return [];
  const layers = d.rtl.reduce((s, r) => s + r.layers.length, 0);
  const off = d.rtl.flatMap((r) => r.layers.filter((l) => l.difference !== 0 || !l.bitExact));
  const text =
    off.length === 0
      ? `All ${d.rtl.length} RTL runs (${n(layers)} layers) match the analytic model to the cycle and the golden model bit for bit.`
      : `${off.length} of ${n(layers)} RTL layers differ from the analytic model or the golden model (first: ${off[0]!.name}, ${off[0]!.difference} cycles).`;
  return [{ id: 'rtl', topic: 'The RTL against the models', value: String(off.length), text, anchor: 'rtl' }];
}

function referenceFindings(d: StudyData): Finding[] {
  return d.nets.flatMap((net) => {
    const run = d.nvdla.find((r) => r.net === net.name && r.config === 'nv_small');
    if (!run || run.totals.referenceCycles <= 0) return [];
    const more = run.totals.cycles >= run.totals.referenceCycles;
    const ratio = more
      ? run.totals.cycles / run.totals.referenceCycles
      : run.totals.referenceCycles / run.totals.cycles;
    return [
      {
        id: `reference-${net.name}`,
        topic: "Against NVDLA's spreadsheet",
        value: `${ratio.toFixed(2)}x`,
        text: `NVDLA's performance spreadsheet estimates ${mega(run.totals.referenceCycles)} cycles for ${net.name} on nv_small; mactile's model of the core gives ${mega(run.totals.cycles)}, ${ratio.toFixed(2)}x ${more ? 'more' : 'fewer'} (the spreadsheet's assumptions are listed beside it).`,
        anchor: anchorOf('nvdla', net.name),
      },
    ];
  });
}

function throughputFindings(d: StudyData): Finding[] {
  return d.nets.flatMap((net) => {
    // Like with like: the systolic runs with the memory the NVDLA runs have (a DRAM port, or ideal memory in a
    // study.json written before the NVDLA runs had their memory system).
    const nvDram = d.nvdla.find((r) => r.net === net.name)?.dram ?? 'calc';
    const saDram = nvDram === 'calc' ? 'calc' : d.systolicDram;
    const runs = [...d.nvdla, ...d.systolic.filter((r) => r.dram === saDram)].filter(
      (r) => r.net === net.name && r.precision === 'int8',
    );
    const best = runs.sort((a, b) => b.totals.inferencesPerSecond - a.totals.inferencesPerSecond)[0];
    const small = d.nvdla.find((r) => r.net === net.name && r.config === 'nv_small');
    if (!best) return [];
    const ips = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: v < 10 ? 1 : 0 });
    return [
      {
        id: `throughput-${net.name}`,
        topic: 'Inferences per second',
        value: ips(best.totals.inferencesPerSecond),
        text: `The most INT8 inferences per second of ${net.name} come from ${best.config}: ${ips(best.totals.inferencesPerSecond)} at ${best.clockMhz} MHz on ${best.cells.toLocaleString('en-US')} MAC cells${small ? `, against ${ips(small.totals.inferencesPerSecond)} on nv_small` : ''}${saDram === 'calc' ? ' (ideal memory)' : ` (every core with a DRAM port of ${saDram} words/cycle)`}.`,
        anchor: anchorOf(best.kind === 'nvdla' ? 'nvdla' : 'systolic', net.name),
      },
    ];
  });
}

/** Every finding of the study, in the order the report shows them. */
export function studyFindings(d: StudyData): Finding[] {
  return [
    ...dataflowFindings(d),
    ...nvdlaFindings(d),
    ...accuracyFindings(d),
    ...int16Findings(d),
    ...nvdlaInt16Findings(d),
    ...energyFindings(d),
    ...verdictFindings(d),
    ...referenceFindings(d),
    ...throughputFindings(d),
    ...rtlFindings(d),
  ];
}
