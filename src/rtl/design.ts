/**
 * The generated sources of a design, as every kind's generator returns them, and `writeDesign`, which puts
 * them into generated/<name>-<hash>/ (or a folder of the user's) with the C++ parameter header and a manifest.
 * Same config, same bytes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ownedName, removeStale } from '../util/cleanup.js';
import { writeOutputFiles } from '../util/output.js';
import { projectRoot } from '../util/paths.js';

/** A design in memory: Verilog files, top module, C++ header, the RTL parameters and the driver that runs it. */
export interface DesignSources {
  top: string;
  /** Verilog files in compile order (file name -> text). */
  files: [string, string][];
  header: string;
  params: object;
  /** The C++ driver in sim/ that runs this design. */
  driver: string;
  /** The top-level port groups (what each group of ports is for), for the manifest. */
  portGroups: { group: string; ports: string[]; purpose: string }[];
  hash: string;
}

/** A design written to disk. */
export interface GeneratedDesign extends DesignSources {
  dir: string;
}

/** Reads hand-written leaf cells from hw-templates/. */
export function templateFiles(names: string[]): [string, string][] {
  const dir = join(projectRoot(), 'hw-templates');
  return names.map((f) => [f, readFileSync(join(dir, f), 'utf8')]);
}

/** Completes a design: applies an optional mutation (tests only) to the emitted text and hashes it. */
export function finishDesign(
  d: Omit<DesignSources, 'hash'>,
  mutate?: (text: string, file: string) => string,
): DesignSources {
  const files: [string, string][] = mutate ? d.files.map(([f, t]) => [f, mutate(t, f)]) : d.files;
  const hash = createHash('sha256');
  for (const [name, text] of files) hash.update(`${name}\0${text}\0`);
  hash.update(d.header);
  return { ...d, files, hash: hash.digest('hex').slice(0, 16) };
}

/** The files of a written design: the Verilog, the C++ parameter header and the manifest. */
function designFiles(design: DesignSources, cfg: unknown): [string, string][] {
  const manifest = {
    top: design.top,
    hash: design.hash,
    files: design.files.map(([f]) => f),
    driver: design.driver,
    ports: design.portGroups,
    params: design.params,
    config: cfg,
  };
  return [...design.files, ['mt_params.h', design.header], ['manifest.json', JSON.stringify(manifest, null, 2) + '\n']];
}

/** What is wrong with a cached generated/<name>-<hash>/ folder of `design`, or undefined if it is intact. */
function designProblem(dir: string, design: DesignSources): string | undefined {
  for (const [file, text] of [...design.files, ['mt_params.h', design.header]]) {
    let found: string;
    try {
      found = readFileSync(join(dir, file!), 'utf8');
    } catch {
      return `${file} is missing`;
    }
    if (found !== text) return `${file} differs from the design`;
  }
  try {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      hash?: unknown;
      top?: unknown;
      files?: unknown;
    };
    if (
      m.hash !== design.hash ||
      m.top !== design.top ||
      JSON.stringify(m.files) !== JSON.stringify(design.files.map(([f]) => f))
    ) {
      return 'manifest.json does not describe the design';
    }
  } catch {
    return 'manifest.json is not valid JSON';
  }
  return undefined;
}

/**
 * Writes a design into `generated`/<name>-<hash>/ (or `outDir`), atomically; returns where. A cached folder
 * is checked against the design (every file's bytes, the manifest's hash and file list) and written again
 * when damaged.
 */
export function writeDesign(
  design: DesignSources,
  name: string,
  cfg: unknown,
  outDir?: string,
  generated = join(projectRoot(), 'generated'),
): GeneratedDesign {
  const files = designFiles(design, cfg);
  if (outDir) {
    writeOutputFiles(outDir, files, `--out ${outDir}`);
    return { ...design, dir: outDir };
  }
  const dir = join(generated, `${name}-${design.hash}`);
  const damaged = existsSync(dir) && designProblem(dir, design);
  if (existsSync(dir) && !damaged) return { ...design, dir };
  if (damaged) process.stderr.write(`mactile: the cached design ${dir} is damaged (${damaged}); writing it again\n`);
  removeStale(generated, /^.+-[0-9a-f]{16}\.(?:tmp|old)-(\d+)@([^@]+)$/);
  const tmp = `${dir}${ownedName('', '.tmp-')}`;
  rmSync(tmp, { recursive: true, force: true });
  writeOutputFiles(tmp, files, `generated design ${dir}`);
  const aside = `${dir}${ownedName('', '.old-')}`;
  if (damaged) {
    try {
      renameSync(dir, aside);
    } catch {
      // Another process moved it first.
    }
  }
  try {
    renameSync(tmp, dir);
  } catch {
    // Another process wrote the same design first: identical bytes, keep theirs.
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(aside, { recursive: true, force: true });
  return { ...design, dir };
}
