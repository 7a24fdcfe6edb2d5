/**
 * Area of a generated design with yosys: generic synthesis (`synth`, cell counts by type) or an FPGA flow
 * (`synth_xilinx`: LUTs, flip-flops, DSPs). Results are cached under generated/synth/ by design hash and
 * flow, like Verilator builds.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { errorExcerpt, MactileError } from '../util/errors.js';
import { projectRoot } from '../util/paths.js';

export type SynthFlow = 'generic' | 'xilinx';

export interface SynthResult {
  flow: SynthFlow;
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

/** Parses the cell counts of `stat` output (the last, whole-design section). */
function parseStat(text: string): { cells: number; cellTypes: Record<string, number> } {
  const sections = text.split(/^=== /m);
  const last = sections[sections.length - 1] ?? text;
  const m = /Number of cells:\s+(\d+)/g;
  let cells = 0;
  for (let r = m.exec(last); r; r = m.exec(last)) cells = Number(r[1]);
  const cellTypes: Record<string, number> = {};
  for (const line of last.split('\n')) {
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

/** Synthesizes a design (cached); `timeoutSeconds` bounds yosys. */
export async function synthesize(
  design: Design,
  flow: SynthFlow,
  opts: { timeoutSeconds?: number } = {},
): Promise<SynthResult> {
  const version = await yosysVersion();
  const dir = join(projectRoot(), 'generated', 'synth');
  const cacheFile = join(dir, `${design.hash}-${flow}.json`);
  if (existsSync(cacheFile)) return { ...(JSON.parse(readFileSync(cacheFile, 'utf8')) as SynthResult), cached: true };
  const work = mkdtempSync(join(tmpdir(), 'mactile-synth-'));
  try {
    for (const [name, text] of design.files) writeFileSync(join(work, name), text);
    const read = `read_verilog -sv ${design.files.map(([n]) => n).join(' ')}`;
    const script = `${read}; ${flow === 'generic' ? 'synth' : 'synth_xilinx'} -top ${design.top} -flatten; tee -o stat.txt stat`;
    const timeout = opts.timeoutSeconds ?? 1800;
    const t0 = performance.now();
    const r = await execa('yosys', ['-q', '-p', script], {
      cwd: work,
      reject: false,
      all: true,
      timeout: timeout * 1000,
    });
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
      top: design.top,
      ...stat,
      seconds: (performance.now() - t0) / 1000,
      cached: false,
      yosys: version,
      ...(flow === 'xilinx' ? { luts: sum(/^LUT\d$/), flipFlops: sum(/^FD[A-Z]*$/), dsps: sum(/^DSP/) } : {}),
    };
    mkdirSync(dir, { recursive: true });
    const tmp = `${cacheFile}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(result, null, 2));
    renameSync(tmp, cacheFile);
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
