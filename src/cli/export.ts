/** `mactile export`: writes any network as a SCALE-Sim topology CSV. */
import type { Command } from 'commander';
import { exportRows, formatTopology } from '../nets/scalesim-csv.js';
import { loadNetwork } from '../nets/load.js';
import { checkOutputFile, writeOutputFile } from '../util/output.js';

/** Registers the `export` command. */
export function registerExport(cmd: Command): void {
  cmd
    .command('export')
    .description(
      'write a network as a SCALE-Sim topology CSV (padding applied to the sizes, depthwise layers as DP rows)',
    )
    .requiredOption('--net <net>', 'zoo name or network file')
    .option('--out <file>', 'write the CSV here instead of printing it')
    .action((opts: { net: string; out?: string }) => {
      if (opts.out) checkOutputFile(opts.out);
      const text = formatTopology(exportRows(loadNetwork(opts.net)));
      if (opts.out) {
        writeOutputFile(opts.out, text, `--out ${opts.out}`);
        process.stdout.write(`wrote ${opts.out}\n`);
      } else process.stdout.write(text);
    });
}
