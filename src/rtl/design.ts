/**
 * The generated sources of a design, as every kind's generator returns them, and `writeDesign`, which puts
 * them into generated/<name>-<hash>/ (or a folder of the user's) with the C++ parameter header and a manifest.
 * Same config, same bytes.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** Writes a design into generated/<name>-<hash>/ (or `outDir`), atomically; returns where. */
export function writeDesign(design: DesignSources, name: string, cfg: unknown, outDir?: string): GeneratedDesign {
  const dir = outDir ?? join(projectRoot(), 'generated', `${name}-${design.hash}`);
  if (!outDir && existsSync(join(dir, 'manifest.json'))) return { ...design, dir };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const [file, text] of design.files) writeFileSync(join(tmp, file), text);
  writeFileSync(join(tmp, 'mt_params.h'), design.header);
  const manifest = {
    top: design.top,
    hash: design.hash,
    files: design.files.map(([f]) => f),
    driver: design.driver,
    ports: design.portGroups,
    params: design.params,
    config: cfg,
  };
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  if (outDir) {
    mkdirSync(dir, { recursive: true });
    for (const f of [...design.files.map(([f]) => f), 'mt_params.h', 'manifest.json'])
      renameSync(join(tmp, f), join(dir, f));
    rmSync(tmp, { recursive: true, force: true });
  } else {
    mkdirSync(join(projectRoot(), 'generated'), { recursive: true });
    try {
      renameSync(tmp, dir);
    } catch {
      // Another process wrote the same design first: identical bytes, keep theirs.
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return { ...design, dir };
}
