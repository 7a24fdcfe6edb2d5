/** A counting semaphore: at most `slots` tasks hold a slot at once (a CPU budget: the study's children, sim --jobs). */
export class Slots {
  private free: number;
  private waiting: (() => void)[] = [];

  constructor(slots: number) {
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
