/**
 * The energy table of `analyze --energy` and `sim --energy`: every figure says its tables, the register source
 * is labelled, and misuse of the options is a one-line error.
 */
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli.js';

describe('analyze --energy', () => {
  it('prints per-layer energy from both tables on nv_small, registers estimated', async () => {
    const r = await runCliInProcess(['analyze', '--net', 'lenet5', '--config', 'nv_small', '--energy']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('horowitz-45nm (Horowitz, ISSCC 2014, 45 nm) and eyeriss-65nm');
    expect(r.stdout).toMatch(/conv1 +117,600 +estimate +[\d.,]+-[\d.,]+/);
    expect(r.stdout).toContain('a lower bound');
  });

  it('gives the JSON each layer from each table, named', async () => {
    const r = await runCliInProcess([
      'analyze',
      '--net',
      'lenet5',
      '--config',
      'sa-8x8-os',
      '--energy',
      '--format',
      'json',
    ]);
    const doc = JSON.parse(r.stdout) as { energy: { tables: string; layers: { tables: { table: string }[] }[] } };
    expect(doc.energy.tables).toBe('all');
    expect(doc.energy.layers).toHaveLength(5);
    expect(doc.energy.layers[0]!.tables.map((t) => t.table)).toEqual(['horowitz-45nm', 'eyeriss-65nm']);
  });

  it('refuses an unknown table, a table without --energy, and the SCALE-Sim model', async () => {
    const base = ['analyze', '--net', 'lenet5', '--config', 'sa-8x8-os'];
    const unknown = await runCliInProcess([...base, '--energy', '--energy-table', 'tsmc7']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(
      /--energy-table: expected one of horowitz-45nm, eyeriss-65nm or all, received "tsmc7"/,
    );
    const alone = await runCliInProcess([...base, '--energy-table', 'eyeriss-65nm']);
    expect(alone.stderr).toMatch(/--energy-table: expected together with --energy/);
    const compat = await runCliInProcess([...base, '--energy', '--compat', 'scalesim']);
    expect(compat.stderr).toMatch(/--energy: expected mactile's model/);
  });
});
