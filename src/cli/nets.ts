/** `mactile nets`: lists the model zoo with layer and MAC counts, or shows one network (zoo name, CSV or ONNX). */
import type { Command } from 'commander';
import { isMacLayer, layerMacs, macLayers, networkMacs, shapeText, shownKind, type Network } from '../nets/ir.js';
import { loadNetwork } from '../nets/load.js';
import { ZOO, zooDefaults } from '../nets/zoo/index.js';
import { renderTable } from '../report/table.js';
import { formatOption } from './options.js';

interface NetRow {
  name: string;
  input: { h: number; w: number; c: number };
  macLayers: number;
  macs: number;
  params?: string;
  description: string;
}

function summary(net: Network, description: string): NetRow {
  return {
    name: net.name,
    input: net.input.shape,
    macLayers: macLayers(net).length,
    macs: networkMacs(net),
    description,
  };
}

const inputText = (r: NetRow) => `${r.input.h}x${r.input.w}x${r.input.c}`;

/** Shows one network: its totals, the notes of its import (CSV) and, with `layers`, every MAC layer. */
function showNetwork(spec: string, opts: { format: string; layers?: boolean }): void {
  const net = loadNetwork(spec);
  const notes = net.scalesimNotes ?? [];
  const row = summary(net, net.source);
  const layers = macLayers(net).map((l) => ({
    name: l.name,
    kind: shownKind(l),
    input: shapeText(l.inShape),
    output: shapeText(l.outShape),
    kernel: `${l.kernel.h}x${l.kernel.w}`,
    stride: `${l.stride.h}x${l.stride.w}`,
    groups: l.groups,
    macs: layerMacs(l),
  }));
  if (opts.format === 'json') {
    const hostOps = net.layers.filter((l) => !isMacLayer(l)).length;
    const { description: _, ...totals } = row;
    const doc = { ...totals, source: net.source, hostOps, notes, ...(opts.layers ? { layers } : {}) };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    return;
  }
  const out = [
    renderTable(
      [
        { header: 'network', value: (r: NetRow) => r.name },
        { header: 'input', value: inputText },
        { header: 'MAC layers', value: (r) => r.macLayers },
        { header: 'MACs', value: (r) => r.macs },
        { header: 'source', value: (r) => r.description },
      ],
      [row],
    ),
  ];
  if (opts.layers) {
    out.push(
      '',
      renderTable(
        [
          { header: 'layer', value: (l: (typeof layers)[number]) => l.name },
          { header: 'kind', value: (l) => l.kind },
          { header: 'input', value: (l) => l.input },
          { header: 'output', value: (l) => l.output },
          { header: 'kernel', value: (l) => l.kernel },
          { header: 'stride', value: (l) => l.stride },
          { header: 'groups', value: (l) => l.groups },
          { header: 'MACs', value: (l) => l.macs },
        ],
        layers,
      ),
    );
  }
  if (notes.length > 0) out.push('', ...notes.map((n) => `note: ${n}`));
  process.stdout.write(out.join('\n') + '\n');
}

/** Registers the `nets` command. */
export function registerNets(cmd: Command): void {
  cmd
    .command('nets')
    .description('list the built-in networks with their MAC counts, or show one network (--net)')
    .option(
      '--net <net>',
      'show one network: a zoo name (with parameters, e.g. bert_base:seq=384), a SCALE-Sim .csv or an .onnx model',
    )
    .option('--layers', 'with --net: list every MAC layer')
    .addOption(formatOption(['table', 'json'], 'table'))
    .action((opts: { format: string; net?: string; layers?: boolean }) => {
      if (opts.net !== undefined) {
        showNetwork(opts.net, opts);
        return;
      }
      const rows = ZOO.map((z) => ({
        ...summary(z.build(Object.fromEntries((z.params ?? []).map((p) => [p.key, p.default]))), z.description),
        name: z.name,
        params: zooDefaults(z),
      }));
      if (opts.format === 'json') {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      process.stdout.write(
        renderTable(
          [
            { header: 'network', value: (r: NetRow) => r.name },
            { header: 'input', value: inputText },
            { header: 'MAC layers', value: (r) => r.macLayers },
            { header: 'MACs', value: (r) => r.macs },
            { header: 'parameters', value: (r) => r.params ?? '' },
            { header: 'description', value: (r) => r.description },
          ],
          rows,
        ) + '\n',
      );
    });
}
