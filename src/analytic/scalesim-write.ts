/**
 * SCALE-Sim v2's OFMAP write buffer (write_buffer.py as of 51074edc, write-port latency 0): a double buffer
 * whose writes are grouped in lines of `bw` words. When more than half the buffer is held, the open line is
 * closed (padded) and a drain of up to ceil(half/bw) lines starts, one line per cycle; the rest drains after
 * the last demand row. A drained chunk counts (n-1)*bw words plus the words of its last line, so a padded
 * line inside a chunk counts in full (an upstream over-count, kept).
 */
import { bandCum, foldOf, ofmapBand, type ScaleSimLayer } from './scalesim-geometry.js';
import type { OperandTrace } from './scalesim-memory.js';

/** The OFMAP write buffer's state; stores are counted, never addressed. */
export class OfmapWriteBuffer {
  readonly total: number;
  readonly drainSize: number;
  private readonly perDrain: number;
  /** Closed lines holding fewer than bw words (line index -> words); every other closed line is full. */
  private readonly partial = new Map<number, number>();
  private lines = 0;
  private open = 0;
  stored = 0;
  private drainedLines = 0;
  drainedWords = 0;
  drainEnd = 0;
  /** DRAM words written so far. */
  words = 0;
  firstDrainStart = -1;
  lastDrainEnd = -1;

  constructor(
    sramWords: number,
    readonly bw: number,
  ) {
    this.total = sramWords;
    this.drainSize = sramWords - Math.ceil(sramWords * 0.5);
    this.perDrain = Math.ceil(this.drainSize / bw);
  }

  /** Free words: a drain credits its words when it starts. */
  get free(): number {
    return this.total - this.stored + this.drainedWords;
  }

  /** Stores words until `stored` reaches w (full lines close on the way). */
  storeUpTo(w: number): void {
    const t = this.open + (w - this.stored);
    this.lines += Math.floor(t / this.bw);
    this.open = t % this.bw;
    this.stored = w;
  }

  /** Closes the open line, padded. */
  closeOpenLine(): void {
    if (this.open === 0) return;
    this.partial.set(this.lines, this.open);
    this.lines++;
    this.open = 0;
  }

  /** Starts a drain at cycle `start`; returns its last cycle. */
  drain(start: number): number {
    const end = Math.min(this.drainedLines + this.perDrain, this.lines);
    const n = end - this.drainedLines;
    const words = (n - 1) * this.bw + (this.partial.get(end - 1) ?? this.bw);
    this.words += words;
    this.drainedWords += words;
    this.drainedLines = end;
    if (this.firstDrainStart < 0) this.firstDrainStart = start;
    this.lastDrainEnd = start + n - 1;
    this.drainEnd = this.lastDrainEnd;
    return this.drainEnd;
  }

  /** One demand row's `n` writes, word by word; returns the row's out cycle (later than `cycle` on a write stall). */
  serviceRowWords(cycle: number, n: number): number {
    let cur = cycle;
    for (let i = 0; i < n; i++) {
      this.storeUpTo(this.stored + 1);
      if (cur < this.drainEnd) {
        if (this.free <= 0) cur = this.drainEnd;
      } else if (this.free < this.total - this.drainSize) {
        this.closeOpenLine();
        this.drain(cur);
      }
    }
    return cur;
  }

  /** One demand row's `n` writes: in bulk when no word of the row can stall or start a drain. */
  serviceRow(cycle: number, n: number): number {
    const held = this.stored + n - this.drainedWords;
    const quiet = cycle < this.drainEnd ? held < this.total : held <= this.drainSize;
    if (quiet) {
      this.storeUpTo(this.stored + n);
      return cycle;
    }
    return this.serviceRowWords(cycle, n);
  }

  /** Drains everything left, chunk after chunk, from cycle `cycle` on. */
  emptyAll(cycle: number): void {
    this.closeOpenLine();
    let c = cycle;
    while (this.drainedLines < this.lines) c = this.drain(c) + 1;
  }

  /** The DRAM figures once emptied. */
  trace(): OperandTrace {
    return { words: this.words, start: this.firstDrainStart, stop: this.lastDrainEnd };
  }
}

/** Cumulative OFMAP writes over the demand rows (before stalls), and its inverse. */
export class OfmapStream {
  private readonly cumFold: Float64Array;
  readonly totalWords: number;

  constructor(private readonly L: ScaleSimLayer) {
    this.cumFold = new Float64Array(L.folds + 1);
    for (let f = 0; f < L.folds; f++) {
      const b = ofmapBand(L, foldOf(L, f));
      this.cumFold[f + 1] = this.cumFold[f]! + (b.hi - b.lo + 1) * b.width;
    }
    this.totalWords = this.cumFold[L.folds]!;
  }

  /** Words written in demand rows 0..row. */
  cum(row: number): number {
    if (row < 0) return 0;
    const f = Math.floor(row / this.L.foldLength);
    if (f >= this.L.folds) return this.totalWords;
    return this.cumFold[f]! + bandCum(ofmapBand(this.L, foldOf(this.L, f)), row - f * this.L.foldLength);
  }

  /** The demand row holding the w-th (1-based) word. */
  rowOfWord(w: number): number {
    let a = 0,
      z = this.L.folds - 1;
    while (a < z) {
      const mid = Math.floor((a + z) / 2);
      if (this.cumFold[mid + 1]! >= w) z = mid;
      else a = mid + 1;
    }
    const band = ofmapBand(this.L, foldOf(this.L, a));
    const need = w - this.cumFold[a]!;
    let r0 = 0,
      r1 = this.L.foldLength - 1;
    while (r0 < r1) {
      const mid = Math.floor((r0 + r1) / 2);
      if (bandCum(band, mid) >= need) r1 = mid;
      else r0 = mid + 1;
    }
    return a * this.L.foldLength + r0;
  }
}

/**
 * OFMAP DRAM figures when no demand row stalls (CALC mode): a drain starts at the first word that leaves
 * more than half the buffer held in a row at or after the end of the previous drain. O(drains * log).
 */
export function ofmapDramNoStalls(L: ScaleSimLayer, sramWords: number, bw: number, lastCycle: number): OperandTrace {
  const stream = new OfmapStream(L);
  const wb = new OfmapWriteBuffer(sramWords, bw);
  const totalWords = stream.totalWords;
  for (;;) {
    let w = wb.drainedWords + wb.drainSize + 1;
    if (w > totalWords) break;
    let row = stream.rowOfWord(w);
    if (row < wb.drainEnd) {
      w = stream.cum(wb.drainEnd - 1) + 1;
      if (w > totalWords) break;
      row = stream.rowOfWord(w);
    }
    wb.storeUpTo(w);
    wb.closeOpenLine();
    wb.drain(row);
  }
  wb.storeUpTo(totalWords);
  wb.emptyAll(lastCycle);
  return wb.trace();
}
