/**
 * Every registered accelerator kind's generator, driven by the registry: deterministic output (same config,
 * same bytes and hash), Verilog clean under `verilator --lint-only -Wall`, and a yosys smoke synthesis of a
 * tiny config. The configs come from KIND_TEST_CONFIGS; a registered kind without an entry there fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ACCELERATORS, accelOf } from '../../src/accel/registry.js';
import type { DesignSources } from '../../src/rtl/design.js';
import { synthesize } from '../../src/synth/yosys.js';
import { KIND_TEST_CONFIGS } from '../helpers/configs.js';

/** verilator --lint-only -Wall over a design's files: '' when clean, else the messages. */
async function lint(d: DesignSources): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'mactile-lint-'));
  try {
    for (const [name, text] of d.files) writeFileSync(join(dir, name), text);
    const r = await execa('verilator', ['--lint-only', '-Wall', '--top-module', d.top, ...d.files.map(([n]) => n)], {
      cwd: dir,
      reject: false,
      all: true,
    });
    return r.exitCode === 0 && r.all === '' ? '' : r.all || `verilator exited with ${r.exitCode}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the test config table', () => {
  it('has small and synthesis configs for every registered kind, of that kind', () => {
    for (const a of ACCELERATORS) {
      const t = KIND_TEST_CONFIGS[a.kind];
      expect(t, `test/helpers/configs.ts KIND_TEST_CONFIGS has no entry for kind ${a.kind}`).toBeDefined();
      expect(t!.small.length, a.kind).toBeGreaterThan(0);
      for (const cfg of [...t!.small, t!.synth]) expect(cfg.kind).toBe(a.kind);
    }
  });
});

for (const kind of ACCELERATORS) {
  const table = KIND_TEST_CONFIGS[kind.kind];
  if (!table) continue; // reported by the table test above
  describe(`${kind.kind} generator`, () => {
    it('emits the same bytes and hash for the same config, and a different hash for a different one', () => {
      const hashes = new Set<string>();
      for (const cfg of table.small) {
        const a = accelOf(cfg).design(cfg);
        const b = accelOf(cfg).design(cfg);
        expect(b.files, cfg.name).toEqual(a.files);
        expect(b.header, cfg.name).toBe(a.header);
        expect(b.hash, cfg.name).toBe(a.hash);
        hashes.add(a.hash);
      }
      expect(hashes.size).toBe(table.small.length);
    });

    it.each(table.small.map((cfg) => [accelOf(cfg).describe(cfg), cfg] as const))(
      '%s is clean under verilator --lint-only -Wall',
      async (_, cfg) => {
        expect(await lint(accelOf(cfg).design(cfg))).toBe('');
      },
    );

    it(`synthesizes with yosys (generic flow): ${accelOf(table.synth).describe(table.synth)}`, async () => {
      const r = await synthesize(accelOf(table.synth).design(table.synth), 'generic', { timeoutSeconds: 600 });
      expect(r.top).toBe(accelOf(table.synth).design(table.synth).top);
      expect(r.cells).toBeGreaterThan(0);
      expect(Object.values(r.cellTypes).reduce((s, n) => s + n, 0)).toBe(r.cells);
    }, 600_000);
  });
}
