/**
 * Reads SCALE-Sim `.cfg` files (Python configparser syntax) into mactile's config keys, so that
 * SCALE-Sim users' configs load unchanged.
 */
import { MactileError } from '../util/errors.js';

/** Parses configparser text into section -> (lower-cased key -> value). */
function parseIni(text: string, file: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(trimmed);
    if (header) {
      current = new Map();
      sections.set(header[1]!.trim().toLowerCase(), current);
      return;
    }
    const kv = /^([^:=]+?)\s*[:=]\s*(.*)$/.exec(trimmed);
    if (!kv || !current) {
      throw new MactileError(`config ${file}, line ${i + 1}: expected "[section]" or "Key: value", received ${JSON.stringify(trimmed)}`);
    }
    current.set(kv[1]!.toLowerCase(), kv[2]!.trim());
  });
  return sections;
}

function numberKey(arch: Map<string, string>, key: string, file: string, required: boolean): number | undefined {
  const text = arch.get(key.toLowerCase());
  if (text === undefined) {
    if (required) throw new MactileError(`config ${file}: missing key '${key}' in [architecture_presets]`);
    return undefined;
  }
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) {
    throw new MactileError(`config ${file}: key '${key}': expected a number, received ${JSON.stringify(text)}`);
  }
  return value;
}

/** Converts a SCALE-Sim .cfg into a raw mactile systolic config (validated later like any other). */
export function parseScaleSimCfg(text: string, file: string): Record<string, unknown> {
  const ini = parseIni(text, file);
  const arch = ini.get('architecture_presets');
  if (!arch) throw new MactileError(`config ${file}: expected an [architecture_presets] section (SCALE-Sim .cfg), found none`);
  const run = ini.get('run_presets') ?? new Map<string, string>();
  const iface = (run.get('interfacebandwidth') ?? arch.get('interfacebandwidth') ?? 'CALC').toUpperCase();
  if (iface !== 'CALC' && iface !== 'USER') {
    throw new MactileError(`config ${file}: key 'InterfaceBandwidth': expected CALC or USER, received ${JSON.stringify(iface)}`);
  }
  const bandwidth = numberKey(arch, 'Bandwidth', file, iface === 'USER');
  const raw: Record<string, unknown> = {
    kind: 'systolic',
    rows: numberKey(arch, 'ArrayHeight', file, true),
    cols: numberKey(arch, 'ArrayWidth', file, true),
    dataflow: (arch.get('dataflow') ?? '').toLowerCase() || undefined,
    sram: {
      ifmap_kb: numberKey(arch, 'IfmapSramSzkB', file, false) ?? 64,
      filter_kb: numberKey(arch, 'FilterSramSzkB', file, false) ?? 64,
      ofmap_kb: numberKey(arch, 'OfmapSramSzkB', file, false) ?? 64,
    },
    dram: { bandwidth: iface === 'USER' ? bandwidth : 'calc' },
  };
  const runName = ini.get('general')?.get('run_name');
  if (runName && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(runName)) raw.name = runName;
  return raw;
}
