/**
 * SCALE-Sim v2's USER bandwidth mode: the demand rows run in order against the two read buffers (whose miss
 * rows are known beforehand, scalesim-user-read.ts) and the OFMAP write buffer. A missing row waits for its
 * prefetch (half the SRAM at `Bandwidth` words/cycle, one after another); a write stalls when the OFMAP
 * buffer is full while it drains. Per demand row the stall is the largest of the three operands' waits.
 */
import { bandCount, demandLayout, foldOf, ofmapBand, validRowSpan, type ScaleSimLayer } from './scalesim-geometry.js';
import type { OperandTrace, SramWindow } from './scalesim-memory.js';
import { userReadBuffer, type UserReadBuffer } from './scalesim-user-read.js';
import { OfmapStream, OfmapWriteBuffer } from './scalesim-write.js';

/** DRAM reads of a read operand after `prefetches` window moves: slots, padding included. */
function userReadTrace(b: UserReadBuffer, prefetches: number): OperandTrace {
  return {
    words: b.activeLines * b.bw + prefetches * b.prefetchLines * b.bw,
    start: -b.activeLines,
    stop: -1 + prefetches * (b.prefetchLines + 1),
  };
}

/** USER-mode figures of one layer. */
export interface UserModeResult {
  totalCycles: number;
  stallCycles: number;
  ifmap: OperandTrace;
  filter: OperandTrace;
  ofmap: OperandTrace;
  sram: { ifmap: SramWindow; filter: SramWindow; ofmap: SramWindow };
}

/**
 * Runs the demand rows in order with the three buffers. `ofmapStallMinusOne` selects the older stall term
 * `ofmap_out - cycle - 1` (before upstream d78b477); the default is the current `ofmap_out - cycle`.
 */
export function userModeRun(
  L: ScaleSimLayer,
  sramWords: { ifmap: number; filter: number; ofmap: number },
  bw: number,
  ofmapStallMinusOne = false,
): UserModeResult {
  const rb = {
    ifmap: userReadBuffer(L, 'ifmap', sramWords.ifmap, bw),
    filter: userReadBuffer(L, 'filter', sramWords.filter, bw),
  };
  const wb = new OfmapWriteBuffer(sramWords.ofmap, bw);
  const spanI = validRowSpan(L, demandLayout(L, 'ifmap')),
    spanF = validRowSpan(L, demandLayout(L, 'filter'));
  const lastBand = ofmapBand(L, foldOf(L, L.folds - 1));
  const spanO = {
    first: ofmapBand(L, foldOf(L, 0)).lo,
    last: (L.folds - 1) * L.foldLength + lastBand.hi + lastBand.width - 1,
  };
  const sram = { ifmap: { start: 0, stop: 0 }, filter: { start: 0, stop: 0 }, ofmap: { start: 0, stop: 0 } };
  const lastPf = (b: UserReadBuffer, k: number) => -1 + k * (b.prefetchLines + 1);
  const rowsTotal = L.folds * L.foldLength;
  // Nothing can stall: every read fits and the OFMAP never holds more than half its buffer.
  const quiet =
    rb.ifmap.missRows.length === 0 && rb.filter.missRows.length === 0 && new OfmapStream(L).totalWords <= wb.drainSize;
  let S = 0,
    pi = 0,
    pf = 0,
    total = rowsTotal - 1;
  for (let f = 0; f < L.folds && !quiet; f++) {
    const band = ofmapBand(L, foldOf(L, f));
    for (let r = 0; r < L.foldLength; r++) {
      const i = f * L.foldLength + r,
        cycle = i + S;
      let io = cycle + 1,
        fo = cycle + 1;
      if (rb.ifmap.missRows[pi] === i) io = lastPf(rb.ifmap, rb.ifmap.missCount[pi++]!);
      if (rb.filter.missRows[pf] === i) fo = lastPf(rb.filter, rb.filter.missCount[pf++]!);
      const n = bandCount(band, r);
      const oo = n > 0 ? wb.serviceRow(cycle, n) : cycle;
      if (i === spanI.first) sram.ifmap.start = io;
      if (i === spanI.last) sram.ifmap.stop = io;
      if (i === spanF.first) sram.filter.start = fo;
      if (i === spanF.last) sram.filter.stop = fo;
      if (i === spanO.first) sram.ofmap.start = oo;
      if (i === spanO.last) sram.ofmap.stop = oo;
      if (i === rowsTotal - 1) total = oo;
      S += Math.max(io - cycle - 1, fo - cycle - 1, oo - cycle - (ofmapStallMinusOne ? 1 : 0));
    }
  }
  if (quiet) {
    wb.storeUpTo(new OfmapStream(L).totalWords);
    Object.assign(sram, {
      ifmap: { start: spanI.first + 1, stop: spanI.last + 1 },
      filter: { start: spanF.first + 1, stop: spanF.last + 1 },
      ofmap: { start: spanO.first, stop: spanO.last },
    });
  }
  wb.emptyAll(total);
  return {
    totalCycles: total,
    stallCycles: S,
    ifmap: userReadTrace(rb.ifmap, rb.ifmap.missCount.at(-1) ?? 0),
    filter: userReadTrace(rb.filter, rb.filter.missCount.at(-1) ?? 0),
    ofmap: wb.trace(),
    sram,
  };
}
