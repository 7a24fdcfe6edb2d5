/**
 * Area of a generated design with yosys: generic synthesis (`synth`, cell counts by type) or an FPGA flow
 * (`synth_xilinx`: LUTs, flip-flops, DSPs). Flattened (`-flatten`, the default) or hierarchical: each
 * distinct module synthesized once and the totals of the hierarchy counted by `stat -top` from the per-module
 * counts (much faster where a module is instantiated many times; docs/BENCHMARKS.md compares the two).
 * Results are cached under generated/synth/ by design hash, flow and hierarchy, like Verilator builds.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { lineSplitter } from '../util/lines.js';
import { activity } from '../util/progress.js';
import { onCleanup, ownedName, removeStale } from '../util/cleanup.js';
import { errorExcerpt, MactileError } from '../util/errors.js';
import { projectRoot } from '../util/paths.js';

export type SynthFlow = 'generic' | 'xilinx';

export interface SynthResult {
  flow: SynthFlow;
  /** Flattened before counting (`-flatten`), or each module once and the hierarchy's totals (`stat -top`). */
  flatten: boolean;
  top: string;
  cells: number;
  cellTypes: Record<string, number>;
  /** FPGA flow only. */
  luts?: number;
  flipFlops?: number;
  dsps?: number;
  seconds: number;
  cached: boolean;
  yosys: string;
}

interface Design {
  files: [string, string][];
  top: string;
  hash: string;
}

/** Parses the cell counts of `stat` output (the last, whole-design section: the hierarchy's totals with `-top`). */
function parseStat(text: string): { cells: number; cellTypes: Record<string, number> } {
  const sections = text.split(/^=== /m);
  const last = sections[sections.length - 1] ?? text;
  const m = /Number of cells:\s+(\d+)/g;
  let cells = 0;
  let at = 0;
  for (let r = m.exec(last); r; r = m.exec(last)) {
    cells = Number(r[1]);
    at = r.index;
  }
  // The cell types follow the count (the hierarchy section lists its modules' instance counts before it).
  const cellTypes: Record<string, number> = {};
  for (const line of last.slice(at).split('\n')) {
    const t = /^\s+(\$?[A-Za-z0-9_$]+)\s+(\d+)\s*$/.exec(line);
    if (t && !line.includes('Number of')) cellTypes[t[1]!] = Number(t[2]);
  }
  return { cells, cellTypes };
}

let version: Promise<string> | undefined;
/** yosys's version line, asked once per process. */
function yosysVersion(): Promise<string> {
  version ??= execa('yosys', ['-V']).then(
    (r) => r.stdout.trim(),
    () => {
      version = undefined;
      throw new MactileError(
        'yosys: expected the `yosys` command on PATH, found none. Install it with `sudo apt-get install -y yosys` (or run `make setup` as root)',
        3,
      );
    },
  );
  return version;
}

/** A cache entry read back: the result, or what is wrong with the file (truncated, not JSON, wrong fields). */
function readCached(file: string, design: Design, flow: SynthFlow, flatten: boolean): SynthResult | string {
  let r: Partial<SynthResult>;
  try {
    r = JSON.parse(readFileSync(file, 'utf8')) as Partial<SynthResult>;
  } catch {
    return 'not valid JSON';
  }
  const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (typeof r !== 'object' || r === null) return 'not a synthesis result';
  if (r.flow !== flow || r.top !== design.top)
    return `it is for ${String(r.top)} (${String(r.flow)}), expected ${design.top} (${flow})`;
  if (
    !count(r.cells) ||
    typeof r.cellTypes !== 'object' ||
    r.cellTypes === null ||
    !Object.values(r.cellTypes).every(count)
  )
    return 'its cell counts are missing or not counts';
  if (flow === 'xilinx' && !(count(r.luts) && count(r.flipFlops) && count(r.dsps)))
    return 'its LUT, flip-flop or DSP counts are missing';
  if (typeof r.yosys !== 'string' || typeof r.seconds !== 'number') return 'its yosys version or time is missing';
  // Entries written before hierarchical synthesis were all flattened.
  if ((r.flatten ?? true) !== flatten)
    return `it is ${flatten ? 'hierarchical' : 'flattened'}, expected ${flatten ? 'flattened' : 'hierarchical'}`;
  return { ...r, flatten } as SynthResult;
}

/** yosys work folders in the temporary folder: `mactile-synth-<pid>-XXXXXX`. */
const WORK_DIR = /^mactile-synth-(\d+)-[A-Za-z0-9]{6}$/;
/** Cache entries being written by a process that died: `<entry>.json.tmp-<pid>[@host]`. */
const STALE_ENTRY = /\.json\.tmp-(\d+)(?:@([^@]+))?$/;
let swept = false;

/** How a synthesis is asked for: flattened unless `flatten` is false; `timeoutSeconds` bounds yosys. */
interface SynthOptions {
  timeoutSeconds?: number;
  flatten?: boolean;
}

const cacheName = (design: Design, flow: SynthFlow, flatten: boolean) =>
  `${design.hash}-${flow}${flatten ? '' : '-hier'}.json`;

/** The cached synthesis of a design, if there is a sound entry (a damaged one is said on stderr). */
export function cachedSynthesis(design: Design, flow: SynthFlow, opts: SynthOptions = {}): SynthResult | undefined {
  const flatten = opts.flatten ?? true;
  const cacheFile = join(projectRoot(), 'generated', 'synth', cacheName(design, flow, flatten));
  if (!existsSync(cacheFile)) return undefined;
  const entry = readCached(cacheFile, design, flow, flatten);
  if (typeof entry !== 'string') return { ...entry, cached: true };
  process.stderr.write(`mactile: the synthesis cache entry ${cacheFile} is damaged (${entry}); synthesizing again\n`);
  return undefined;
}

/** Synthesizes a design (cached; a damaged cache entry is said on stderr and replaced). */
export async function synthesize(design: Design, flow: SynthFlow, opts: SynthOptions = {}): Promise<SynthResult> {
  const version = await yosysVersion();
  const flatten = opts.flatten ?? true;
  const dir = join(projectRoot(), 'generated', 'synth');
  const cacheFile = join(dir, cacheName(design, flow, flatten));
  const hit = cachedSynthesis(design, flow, opts);
  if (hit) return hit;
  if (!swept) {
    swept = true;
    removeStale(tmpdir(), WORK_DIR);
    removeStale(dir, STALE_ENTRY);
  }
  const work = mkdtempSync(join(tmpdir(), `mactile-synth-${process.pid}-`));
  const disposeCleanup = onCleanup(() => rmSync(work, { recursive: true, force: true }));
  try {
    for (const [name, text] of design.files) writeFileSync(join(work, name), text);
    const read = `read_verilog -sv ${design.files.map(([n]) => n).join(' ')}`;
    const pass = `${flow === 'generic' ? 'synth' : 'synth_xilinx'} -top ${design.top}`;
    const script = flatten
      ? `${read}; ${pass} -flatten; tee -o stat.txt stat`
      : `${read}; ${pass}; tee -o stat.txt stat -top ${design.top}`;
    const timeout = opts.timeoutSeconds ?? 1800;
    const t0 = performance.now();
    // -v 2: quiet but for the pass headers ("2.3. Executing PROC pass."), which the progress line shows.
    const task = activity(`synthesizing ${design.top} (yosys ${flow}${flatten ? '' : ', hierarchical'})`);
    const child = execa('yosys', ['-v', '2', '-p', script], {
      cwd: work,
      reject: false,
      all: true,
      timeout: timeout * 1000,
    });
    child.all?.on(
      'data',
      lineSplitter((line) => {
        const pass = /^\d+(?:\.\d+)*\. Executing (.+?)\.?$/.exec(line);
        if (pass) task.step(pass[1]!);
      }),
    );
    const r = await child.finally(() => task.done());
    if (r.timedOut)
      throw new MactileError(`yosys ${flow} synthesis of ${design.top} did not finish within ${timeout} s`, 3);
    if (r.exitCode !== 0 || !existsSync(join(work, 'stat.txt'))) {
      throw new MactileError(
        `yosys ${flow} synthesis of ${design.top} failed:\n${errorExcerpt(r.all ?? '', /ERROR|Error/, 5, 5)}`,
        3,
      );
    }
    const stat = parseStat(readFileSync(join(work, 'stat.txt'), 'utf8'));
    const ct = stat.cellTypes;
    const sum = (re: RegExp) =>
      Object.entries(ct)
        .filter(([k]) => re.test(k))
        .reduce((s, [, v]) => s + v, 0);
    const result: SynthResult = {
      flow,
      flatten,
      top: design.top,
      ...stat,
      seconds: (performance.now() - t0) / 1000,
      cached: false,
      yosys: version,
      ...(flow === 'xilinx' ? { luts: sum(/^LUT\d$/), flipFlops: sum(/^FD[A-Z]*$/), dsps: sum(/^DSP/) } : {}),
    };
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, ownedName(cacheName(design, flow, flatten)));
    writeFileSync(tmp, JSON.stringify(result, null, 2));
    renameSync(tmp, cacheFile);
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
    disposeCleanup();
  }
}
