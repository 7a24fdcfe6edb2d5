/**
 * Reads SCALE-Sim `.cfg` files (Python configparser syntax) into mactile's config keys, so that
 * SCALE-Sim users' configs load unchanged.
 */
import { MactileError } from '../util/errors.js';

/** One key of a .cfg as written (configparser compares keys case-insensitively). */
interface IniKey {
  name: string;
  value: string;
  line: number;
}

/** Parses configparser text into section -> (lower-cased key -> value), and the keys as written. */
function parseIni(
  text: string,
  file: string,
): Map<string, Map<string, string>> & { keys: Map<string, Map<string, IniKey>> } {
  // The values by section, with the keys as written (for messages) beside them.
  const sections = Object.assign(new Map<string, Map<string, string>>(), {
    keys: new Map<string, Map<string, IniKey>>(),
  });
  let current: Map<string, string> | undefined;
  let keys: Map<string, IniKey> | undefined;
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(trimmed);
    if (header) {
      const name = header[1]!.trim().toLowerCase();
      current = sections.get(name) ?? new Map();
      keys = sections.keys.get(name) ?? new Map();
      sections.set(name, current);
      sections.keys.set(name, keys);
      return;
    }
    const kv = /^([^:=]+?)\s*[:=]\s*(.*)$/.exec(trimmed);
    if (!kv || !current || !keys) {
      throw new MactileError(
        `config ${file}, line ${i + 1}: expected "[section]" or "Key: value", received ${JSON.stringify(trimmed)}`,
      );
    }
    current.set(kv[1]!.toLowerCase(), kv[2]!.trim());
    keys.set(kv[1]!.toLowerCase(), { name: kv[1]!, value: kv[2]!.trim(), line: i + 1 });
  });
  return sections;
}

/** configparser's booleans. */
const isTrue = (v: string) => ['1', 'yes', 'true', 'on'].includes(v.trim().toLowerCase());

/**
 * Every key SCALE-Sim v2 and v3 read, by section (lower case), and for those mactile does not model, when the
 * key changes SCALE-Sim's numbers and what mactile does instead. Keys subordinate to a feature (the sparsity
 * block size, the SRAM banks of a custom layout, the request buffers of Ramulator traces) change nothing while
 * the feature is off, and are covered by the feature's warning while it is on.
 */
const KNOWN_KEYS: Record<string, Record<string, { unmodelled?: (v: string) => boolean; instead?: string }>> = {
  general: { run_name: {} },
  architecture_presets: {
    arrayheight: {},
    arraywidth: {},
    ifmapsramszkb: {},
    filtersramszkb: {},
    ofmapsramszkb: {},
    // Address bases change no count; MemoryBanks is read by neither v2 nor v3.
    ifmapoffset: {},
    filteroffset: {},
    ofmapoffset: {},
    dataflow: {},
    bandwidth: {},
    memorybanks: {},
    interfacebandwidth: {},
    readrequestbuffer: {},
    writerequestbuffer: {},
  },
  run_presets: {
    interfacebandwidth: {},
    useramulatortrace: {
      unmodelled: isTrue,
      instead:
        'mactile models DRAM by its bandwidth (CALC or USER), not by Ramulator traces; the request buffers are not modelled either',
    },
  },
  network_presets: {
    topologycsvloc: { unmodelled: () => true, instead: 'mactile takes the network from --net, not from the config' },
  },
  sparsity: {
    sparsitysupport: {
      unmodelled: isTrue,
      instead:
        'mactile models dense layers only and runs every layer dense (SparseRep, OptimizedMapping and BlockSize are not modelled)',
    },
    sparserep: {},
    optimizedmapping: {},
    blocksize: {},
    randomnumbergeneratorseed: {},
    nonzeroelems: {},
  },
  layout: {
    ifmapcustomlayout: {
      unmodelled: isTrue,
      instead:
        "mactile reads the IFMAP in SCALE-Sim's default layout, one SRAM without banks (the IfmapSRAMBank* keys are not modelled)",
    },
    filtercustomlayout: {
      unmodelled: isTrue,
      instead:
        "mactile reads the FILTER in SCALE-Sim's default layout, one SRAM without banks (the FilterSRAMBank* keys are not modelled)",
    },
    ifmapsrambankbandwidth: {},
    ifmapsrambanknum: {},
    ifmapsrambankport: {},
    filtersrambankbandwidth: {},
    filtersrambanknum: {},
    filtersrambankport: {},
  },
};

/** What a .cfg asks for that mactile does not model, one line per key (the config still loads). */
function unmodelledKeys(ini: ReturnType<typeof parseIni>, file: string): string[] {
  const out: string[] = [];
  for (const [section, keys] of ini.keys) {
    const known = KNOWN_KEYS[section];
    for (const [lower, k] of keys) {
      const at = `config ${file}, line ${k.line}: key '${k.name}'${known ? '' : ` in [${section}]`}`;
      if (!known) {
        out.push(`${at}: SCALE-Sim has no section [${section}]; mactile ignores it`);
        continue;
      }
      const spec = known[lower];
      if (!spec) out.push(`${at}: not a key of [${section}] in SCALE-Sim v2 or v3; mactile ignores it`);
      else if (spec.unmodelled?.(k.value)) out.push(`${at} = ${k.value}: ${spec.instead}`);
    }
  }
  return out;
}

const warningsOf = new Map<string, string[]>();

/**
 * What loading a SCALE-Sim .cfg noted that mactile does not model (printed on stderr when it was read), for
 * whatever shows the config (a report). Empty for any other config.
 */
export function scaleSimCfgWarnings(file: string): readonly string[] {
  return warningsOf.get(file) ?? [];
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
  if (!arch)
    throw new MactileError(`config ${file}: expected an [architecture_presets] section (SCALE-Sim .cfg), found none`);
  const run = ini.get('run_presets') ?? new Map<string, string>();
  const iface = (run.get('interfacebandwidth') ?? arch.get('interfacebandwidth') ?? 'CALC').toUpperCase();
  if (iface !== 'CALC' && iface !== 'USER') {
    throw new MactileError(
      `config ${file}: key 'InterfaceBandwidth': expected CALC or USER, received ${JSON.stringify(iface)}`,
    );
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
  const warnings = unmodelledKeys(ini, file);
  // Each warning once per process, however often the config is loaded (a report loads it per precision).
  if (warnings.join('\n') !== (warningsOf.get(file) ?? []).join('\n')) {
    for (const w of warnings) process.stderr.write(`mactile: warning: ${w}\n`);
  }
  warningsOf.set(file, warnings);
  return raw;
}
