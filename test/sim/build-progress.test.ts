/**
 * The object count a Verilator build's progress line shows ("object n of m"): read from the makefiles
 * Verilator generates, as Verilator 5 writes them (with and without parallel builds).
 */
import { describe, expect, it } from 'vitest';
import { objectCount } from '../../src/sim/build.js';

/** A generated V<top>_classes.mk with these lists (each name on its own continued line). */
function classesMk(parallel: boolean, lists: Record<string, string[]>): string {
  const body = Object.entries(lists)
    .map(([k, names]) => `# ${k}\n${k} += \\\n${names.map((n) => `\t${n} \\\n`).join('')}\n`)
    .join('');
  return `# Verilated -*- Makefile -*-\nVM_PARALLEL_BUILDS = ${parallel ? 1 : 0}\nVM_TRACE = 0\n\n### Object file lists...\n${body}`;
}

const TOP_MK =
  '# Verilated -*- Makefile -*-\nVM_USER_CLASSES = \\\n\tsa_driver \\\n\n# User .cpp directories\nVM_USER_DIR = \\\n\t. \\\n\n';

const LISTS = {
  VM_CLASSES_FAST: ['Vtop', 'Vtop___024root__DepSet_h1__0', 'Vtop___024root__DepSet_h2__0'],
  VM_CLASSES_SLOW: ['Vtop___024root__Slow'],
  VM_SUPPORT_FAST: [],
  VM_SUPPORT_SLOW: ['Vtop__Syms'],
  VM_GLOBAL_FAST: ['verilated', 'verilated_threads'],
  VM_GLOBAL_SLOW: [],
};

describe('objectCount', () => {
  it('counts one object per generated class with parallel builds, plus the runtime and the driver', () => {
    expect(objectCount(classesMk(true, LISTS), TOP_MK, 'OPT_FAST=-O2')).toBe(5 + 2 + 1);
  });

  it("follows a VM_PARALLEL_BUILDS given on make's command line over the makefile's (mactile's builds give 0)", () => {
    expect(objectCount(classesMk(true, LISTS), TOP_MK)).toBe(1 + 2 + 1);
    expect(objectCount(classesMk(false, LISTS), TOP_MK, 'OPT_FAST=-O2 VM_PARALLEL_BUILDS=1')).toBe(5 + 2 + 1);
  });

  it('counts the generated classes as one __ALL object without parallel builds', () => {
    expect(objectCount(classesMk(false, LISTS), TOP_MK, 'OPT_FAST=-O2')).toBe(1 + 2 + 1);
  });

  it('counts what the lists hold, not a fixed number', () => {
    const more = { ...LISTS, VM_CLASSES_FAST: [...LISTS.VM_CLASSES_FAST, 'Vtop___024root__DepSet_h3__0'] };
    expect(objectCount(classesMk(true, more), TOP_MK, '')).toBe(9);
    expect(objectCount(classesMk(true, LISTS), '', '')).toBe(7);
  });
});
