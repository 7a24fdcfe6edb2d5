/**
 * The published energy tables mactile ships (data/energy/*.yaml, each with its citation), read and validated,
 * and turned into one set of coefficients: pJ per MAC, per register bit toggle, per SRAM and DRAM access, each
 * scaled to the hardware's bit widths as docs/ENERGY.md says. DRAM (and any figure published as a range) has
 * a low and a high end.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { MactileError } from '../../util/errors.js';
import { projectRoot } from '../../util/paths.js';

/** The tables shipped in data/energy/, by name. */
export const ENERGY_TABLES = ['horowitz-45nm', 'eyeriss-65nm'] as const;
export type EnergyTableName = (typeof ENERGY_TABLES)[number];

const bitsPoint = z.object({ bits: z.number().positive(), pj: z.number().positive() }).strict();
const sizePoint = z.object({ kb: z.number().positive(), pj: z.number().positive() }).strict();
const derived = z.object({ pj: z.number().positive(), derived: z.string() }).strict();
const common = { name: z.string(), title: z.string(), citation: z.string(), node_nm: z.number() };
const horowitzSchema = z
  .object({
    ...common,
    mult: z.array(bitsPoint).length(2),
    add: z.array(bitsPoint).length(2),
    sram_64bit: z.array(sizePoint).min(2),
    dram_64bit: z.object({ low_pj: z.number().positive(), high_pj: z.number().positive() }).strict(),
    register_bit_toggle: derived,
  })
  .strict();
const normalizedSchema = z
  .object({
    ...common,
    word_bits: z.number().positive(),
    unit_pj: derived,
    mac: z.number().positive(),
    rf: z.number().positive(),
    array: z.number().positive(),
    buffer: z.number().positive(),
    dram: z.number().positive(),
  })
  .strict();

/** A figure with its low and high end (equal where the table gives one number). */
export interface Range {
  low: number;
  high: number;
}

/** A table's coefficients at given widths. */
export interface EnergyCoefficients {
  name: EnergyTableName;
  title: string;
  citation: string;
  /** One MAC of `operandBits` operands into an `accBits` accumulator. */
  macPj(operandBits: number, accBits: number): number;
  /** One register bit that toggles. */
  registerBitPj: number;
  /** One access of `wordBits` bits to an SRAM of `kb` kB. */
  sramPj(kb: number, wordBits: number): number;
  /** One DRAM word of `wordBits` bits. */
  dramPj(wordBits: number): Range;
}

/** y at x on the line through two points (log-log when `logLog`): the scaling between published widths. */
function between(x: number, a: { x: number; y: number }, b: { x: number; y: number }, logLog: boolean): number {
  if (!logLog) return a.y + ((x - a.x) * (b.y - a.y)) / (b.x - a.x);
  const slope = Math.log(b.y / a.y) / Math.log(b.x / a.x);
  return a.y * (x / a.x) ** slope;
}

function horowitz(t: z.infer<typeof horowitzSchema>, name: EnergyTableName): EnergyCoefficients {
  const [m0, m1] = t.mult.map((p) => ({ x: p.bits, y: p.pj }));
  const [a0, a1] = t.add.map((p) => ({ x: p.bits, y: p.pj }));
  const sram = t.sram_64bit.map((p) => ({ x: p.kb, y: p.pj })).sort((p, q) => p.x - q.x);
  return {
    name,
    title: t.title,
    citation: t.citation,
    // Multipliers scale as a power of the width through the two published points (8 -> 32 bits: about 2),
    // adders linearly.
    macPj: (ob, ab) => between(ob, m0!, m1!, true) + between(ab, a0!, a1!, false),
    registerBitPj: t.register_bit_toggle.pj,
    sramPj(kb, wordBits) {
      // Log-linear in the size between published sizes, clamped outside them; linear in the access width.
      const x = Math.min(Math.max(kb, sram[0]!.x), sram[sram.length - 1]!.x);
      const i = Math.max(0, sram.findIndex((p) => p.x >= x) - 1);
      const a = sram[i]!;
      const b = sram[Math.min(i + 1, sram.length - 1)]!;
      const pj64 =
        a.x === b.x ? a.y : a.y + ((Math.log(x) - Math.log(a.x)) * (b.y - a.y)) / (Math.log(b.x) - Math.log(a.x));
      return (pj64 * wordBits) / 64;
    },
    dramPj: (wordBits) => ({
      low: (t.dram_64bit.low_pj * wordBits) / 64,
      high: (t.dram_64bit.high_pj * wordBits) / 64,
    }),
  };
}

function normalized(t: z.infer<typeof normalizedSchema>, name: EnergyTableName): EnergyCoefficients {
  const unit = t.unit_pj.pj;
  const w = t.word_bits;
  return {
    name,
    title: t.title,
    citation: t.citation,
    // A MAC of the table's word width is `mac` units; other widths scale with the multiplier, as the square.
    macPj: (ob) => t.mac * unit * (ob / w) ** 2,
    // One register bit: an RF access of one word per `word_bits` bits.
    registerBitPj: (t.rf * unit) / w,
    // Every scratchpad is the table's global buffer, whatever its size; accesses scale with their width.
    sramPj: (_kb, wordBits) => (t.buffer * unit * wordBits) / w,
    dramPj: (wordBits) => {
      const pj = (t.dram * unit * wordBits) / w;
      return { low: pj, high: pj };
    },
  };
}

const cache = new Map<EnergyTableName, EnergyCoefficients>();

/** The coefficients of a shipped table (read once), or a clear error for a name that is not one. */
export function energyTable(name: string): EnergyCoefficients {
  if (!(ENERGY_TABLES as readonly string[]).includes(name))
    throw new MactileError(
      `--energy-table: expected one of ${ENERGY_TABLES.join(', ')} or all, received ${JSON.stringify(name)}`,
    );
  const n = name as EnergyTableName;
  const hit = cache.get(n);
  if (hit) return hit;
  const file = join(projectRoot(), 'data', 'energy', `${n}.yaml`);
  const doc: unknown = YAML.parse(readFileSync(file, 'utf8'));
  const parsed = n === 'horowitz-45nm' ? horowitzSchema.safeParse(doc) : normalizedSchema.safeParse(doc);
  if (!parsed.success)
    throw new MactileError(
      `${file}: not a valid energy table: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`,
    );
  const c =
    n === 'horowitz-45nm'
      ? horowitz(parsed.data as z.infer<typeof horowitzSchema>, n)
      : normalized(parsed.data as z.infer<typeof normalizedSchema>, n);
  cache.set(n, c);
  return c;
}
