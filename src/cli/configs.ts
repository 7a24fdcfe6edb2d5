/** `mactile configs`: lists the hardware presets in configs/. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { describeConfig } from '../config/describe.js';
import { renderTable } from '../report/table.js';
import { projectRoot } from '../util/paths.js';

/** Registers the `configs` command. */
export function registerConfigs(cmd: Command): void {
  cmd
    .command('configs')
    .description('list the hardware presets in configs/')
    .action(() => {
      const dir = join(projectRoot(), 'configs');
      const files = readdirSync(dir)
        .filter((f) => /\.(ya?ml|toml|cfg)$/.test(f))
        .sort();
      const rows = files.map((f) => ({ file: f, cfg: loadConfig(join(dir, f)) }));
      process.stdout.write(
        renderTable(
          [
            { header: 'preset', value: (r) => r.file.replace(/\.[^.]+$/, '') },
            { header: 'file', value: (r) => `configs/${r.file}` },
            { header: 'hardware', value: (r) => describeConfig(r.cfg) },
          ],
          rows,
        ) + '\n',
      );
    });
}
