import { MactileError } from './errors.js';

/** A counting semaphore: at most `slots` tasks hold a slot at once (a CPU budget: the study's children, sim --jobs). */
export class Slots {
  private free: number;
  private waiting: (() => void)[] = [];

  constructor(slots: number) {
    if (!Number.isSafeInteger(slots) || slots < 1)
      throw new MactileError(`Slots: expected a whole number of slots, 1 or more, received ${slots}`);
    this.free = slots;
  }

  /** Runs `task` once a slot is free, and frees the slot when it settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
