/**
 * Loads hardware configs from YAML, TOML or SCALE-Sim .cfg files (or a preset name from configs/),
 * applies command-line overrides and validates the result against the one schema.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import TOML from '@iarna/toml';
import YAML from 'yaml';
import { MactileError } from '../util/errors.js';
import { projectRoot } from '../util/paths.js';
import { z } from 'zod';
import { ACCELERATORS, findAccelerator } from '../accel/registry.js';
import type { HardwareConfig } from './schema.js';
import { parseScaleSimCfg } from './scalesim-cfg.js';
import { validateWith } from './validate.js';

/** Command-line overrides of config keys (`--rows`, `--cols`, `--dataflow`, `--precision`, `--timing`, `--batch`). */
export interface ConfigOverrides {
  rows?: number;
  cols?: number;
  dataflow?: string;
  precision?: string;
  timing?: string;
  batch?: number;
  /** NVDLA-style core keys. */
  atomic_c?: number;
  atomic_k?: number;
}

const EXTENSIONS = ['.yaml', '.yml', '.toml', '.cfg'];

/** Finds a config file: an existing path, or a preset name looked up in configs/. */
function resolveConfigPath(spec: string): string {
  if (existsSync(spec)) return spec;
  if (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(spec)) {
    for (const ext of ['', ...EXTENSIONS]) {
      const candidate = join(projectRoot(), 'configs', spec + ext);
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new MactileError(
    `config ${JSON.stringify(spec)}: no such file, and no preset of that name in configs/ (run 'mactile configs' to list them)`,
  );
}

/** Parses a config file's text into a plain object according to its extension. */
function parseConfigText(text: string, file: string): unknown {
  const ext = extname(file).toLowerCase();
  try {
    if (ext === '.yaml' || ext === '.yml') return YAML.parse(text);
    if (ext === '.toml') return TOML.parse(text);
    if (ext === '.cfg') return parseScaleSimCfg(text, file);
  } catch (err) {
    if (err instanceof MactileError) throw err;
    const first = String((err as Error).message).split('\n')[0];
    throw new MactileError(`config ${file}: not valid ${ext.slice(1).toUpperCase()}: ${first}`);
  }
  throw new MactileError(
    `config ${file}: expected a .yaml, .yml, .toml or .cfg file, received ${JSON.stringify(ext || 'no extension')}`,
  );
}

/** Validates a raw config object (with overrides applied) and fills in defaults and the name. */
export function validateConfig(raw: unknown, source: string, overrides: ConfigOverrides = {}): HardwareConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new MactileError(
      `config ${source}: expected a mapping of keys (kind, rows, cols, ...), received ${raw === null ? 'an empty file' : typeof raw}`,
    );
  }
  const merged: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) merged[key] = value;
  // Validate against the kind's own schema so that messages can list that kind's keys.
  const accel = findAccelerator(merged.kind);
  const schema = accel?.schema ?? z.discriminatedUnion('kind', ACCELERATORS.map((a) => a.schema) as [never, never]);
  const overridden = Object.keys(overrides).filter((k) => overrides[k as keyof ConfigOverrides] !== undefined);
  let parsed;
  try {
    parsed = validateWith(schema, merged, `config ${source}`);
  } catch (err) {
    const key = overridden.find((k) => (err as Error).message.includes(`key '${k}'`));
    if (err instanceof MactileError && key)
      throw new MactileError(err.message.replace(`key '${key}'`, `key '${key}' (from --${key.replace(/_/g, '-')})`));
    throw err;
  }
  const problem = findAccelerator(parsed.kind)?.configProblem?.(parsed, overridden);
  if (problem) throw new MactileError(`config ${source}: ${problem}`);
  const name = parsed.name ?? (basename(source, extname(source)).replace(/[^A-Za-z0-9_.-]/g, '_') || 'config');
  // Batch 1 is the default: left out, so that an unbatched run's outputs stay the same.
  if (parsed.batch === 1) delete parsed.batch;
  return { ...parsed, name, source } as HardwareConfig;
}

/** Loads, overrides and validates a config given as a path or preset name. */
export function loadConfig(spec: string, overrides: ConfigOverrides = {}): HardwareConfig {
  const file = resolveConfigPath(spec);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new MactileError(`config ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return validateConfig(parseConfigText(text, file), file, overrides);
}
