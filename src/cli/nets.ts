/** `mactile nets`: lists the model zoo with layer and MAC counts. */
import type { Command } from 'commander';
import { macLayers, networkMacs } from '../nets/ir.js';
import { ZOO } from '../nets/zoo.js';
import { renderTable } from '../report/table.js';
import { formatOption } from './options.js';

/** Registers the `nets` command. */
export function registerNets(cmd: Command): void {
  cmd
    .command('nets')
    .description('list the built-in networks with their MAC counts')
    .addOption(formatOption(['table', 'json'], 'table'))
    .action((opts: { format: string }) => {
      const rows = ZOO.map((z) => {
        const net = z.build();
        return { name: z.name, input: net.input.shape, macLayers: macLayers(net).length, macs: networkMacs(net), description: z.description };
      });
      if (opts.format === 'json') {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
        return;
      }
      process.stdout.write(
        renderTable(
          [
            { header: 'network', value: (r) => r.name },
            { header: 'input', value: (r) => `${r.input.h}x${r.input.w}x${r.input.c}` },
            { header: 'MAC layers', value: (r) => r.macLayers },
            { header: 'MACs', value: (r) => r.macs },
            { header: 'description', value: (r) => r.description },
          ],
          rows,
        ) + '\n',
      );
    });
}
