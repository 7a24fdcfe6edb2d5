/**
 * The memory-system design's activity variant (docs/ENERGY.md): beside the PE array's counters (the compute-only
 * activity array inside `u_core`), one `mt_act_bus` counter per scratchpad read and write bus and per DRAM
 * data channel, instantiated in the top only in this variant, so the plain design is what it was.
 */
import type { ActivityRegisters } from '../accelerator.js';
import { instance, type VItem, type VPort } from '../../rtl/netlist.js';
import type { SystolicConfig } from './config.js';
import { systolicParams, type SystolicRtlParams } from './generate.js';
import { memParams, type MemRtlParams } from './mem-ports.js';

/** The memory buses whose bit toggles the memory-system activity variant counts (`ToggleCounts.memory`). */
export const MEMORY_BUSES = [
  'ifmapRead',
  'ifmapWrite',
  'filterRead',
  'filterWrite',
  'ofmapRead',
  'ofmapWrite',
  'dramRead',
  'dramWrite',
] as const;

/** One of `MEMORY_BUSES`. */
export type MemoryBus = (typeof MEMORY_BUSES)[number];

/** A counted bus: its lanes, the net carrying it, when (and which lanes) it carries words, what it is. */
interface CountedBus {
  lanes: number;
  /** A register: every lane, every clock (mt_act_bus EVERY). */
  every?: true;
  data: string;
  en: string;
  mask: string;
  cnt: string;
  what: string;
}

/** The counted buses of a design, each named by the RTL signals it counts (dataflow is: IFMAP serves P2). */
function countedBuses(
  p: SystolicRtlParams,
  m: MemRtlParams,
  dfName: 'os' | 'ws' | 'is',
): Record<MemoryBus, CountedBus> {
  const ones = (n: number) => `{${n}{1'b1}}`;
  const reg = (buf: string, port: string, lanes: number): CountedBus => ({
    lanes,
    every: true,
    data: `${port}_rd_data`,
    en: "1'b1",
    mask: ones(lanes),
    cnt: `32'd${lanes}`,
    what: `u_${buf}.rd_data (${port}_rd_data): the registered read data, ${lanes} x ${p.DW} bits, every clock`,
  });
  const beat = (data: string, en: string, cnt: string, what: string): CountedBus => ({
    lanes: m.BEAT,
    data,
    en,
    mask: ones(m.BEAT),
    cnt,
    what: `${what}, the ${cnt} words of each beat (${m.BEAT} x ${p.DW}-bit lanes)`,
  });
  const is = dfName === 'is';
  return {
    ifmapRead: reg('ifmap', is ? 'p2' : 'p1', is ? p.C : p.R),
    ifmapWrite: beat(
      'fill_data',
      'fill_en && !ld_buf',
      'fill_cnt',
      'u_ifmap.wr_data (fill_data) when fill_en && !ld_buf',
    ),
    filterRead: reg('filter', is ? 'p1' : 'p2', is ? p.R : p.C),
    filterWrite: beat(
      'fill_data',
      'fill_en && ld_buf',
      'fill_cnt',
      'u_filter.wr_data (fill_data) when fill_en && ld_buf',
    ),
    ofmapRead: beat('o_rd_data', 'wvalid && wready', 'wcount', 'u_ofmap.rd_data (o_rd_data) when wvalid && wready'),
    ofmapWrite: {
      lanes: p.C,
      data: 'o_wr_data',
      en: 'o_wr_en',
      mask: 'o_wr_mask',
      cnt: `32'd${p.C}`,
      what: `u_ofmap.wr_data (o_wr_data) when o_wr_en, the lanes of o_wr_mask (${p.C} x ${p.DW} bits)`,
    },
    dramRead: beat('rdata', 'rvalid && rready', 'rcount', 'rdata when rvalid && rready'),
    dramWrite: beat('wdata', 'wvalid && wready', 'wcount', 'wdata when wvalid && wready'),
  };
}

/** The top-level port of a bus's counter, e.g. `act_ifmap_rd_toggles`. */
const memActivityPort = (b: MemoryBus): string => `act_${b.replace(/Read$/, '_rd').replace(/Write$/, '_wr')}_toggles`;

/** The PE array's counter ports (the compute-only activity top's, passed through). */
const ARRAY_PORTS = ['act_a_toggles', 'act_b_toggles', 'act_psum_toggles'];

/** The variant's extra top-level ports: the array's three counters, then one per memory bus. */
export function memActivityPorts(): VPort[] {
  return [...ARRAY_PORTS, ...MEMORY_BUSES.map(memActivityPort)].map((name, i) => ({
    dir: 'output',
    name,
    width: 64,
    ...(i === 0 ? { comment: 'activity counters: bit toggles since reset (docs/ENERGY.md)' } : {}),
  }));
}

/** The core instance's extra connections: its counters drive the top's ports of the same names. */
export const memActivityCoreConnections = (): [string, string][] => ARRAY_PORTS.map((n) => [n, n]);

/** The counter instances, one per memory bus. */
export function memActivityItems(p: SystolicRtlParams, m: MemRtlParams, dfName: 'os' | 'ws' | 'is'): VItem[] {
  const buses = countedBuses(p, m, dfName);
  return MEMORY_BUSES.map((b) => {
    const c = buses[b];
    return instance(
      'mt_act_bus',
      `u_act_${memActivityPort(b).slice(4, -8)}`,
      [['LANES', c.lanes], ['DW', p.DW], ...(c.every ? [['EVERY', "1'b1"] as [string, string]] : [])],
      [
        ['clk', 'clk'],
        ['rst', 'rst'],
        ['en', c.en],
        ['mask', c.mask],
        ['cnt', c.cnt],
        ['data', c.data],
        ['tog', memActivityPort(b)],
      ],
    );
  });
}

/**
 * The counted registers of a config (`systolicActivityRegisters`) with, on the memory system (a numeric
 * `dram.bandwidth`), what each memory counter counts, by its RTL signals (for the activity table and JSON).
 */
export function memActivityRegisters(cfg: SystolicConfig, regs: ActivityRegisters): ActivityRegisters {
  if (cfg.dram.bandwidth === 'calc') return regs;
  const buses = countedBuses(systolicParams(cfg), memParams(cfg), cfg.dataflow);
  return { ...regs, memory: Object.fromEntries(MEMORY_BUSES.map((b) => [b, buses[b].what])) };
}
