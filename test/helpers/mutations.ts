/**
 * Mutations of the emitted RTL text (the production RTL has no test-only knobs): each replaces one exact
 * piece of a file and throws when the piece is gone, so a change of the template cannot make a mutation
 * test pass vacuously.
 */
import type { DesignOptions } from '../../src/accel/accelerator.js';

/** A mutation replacing `from` with `to` in `file`. */
export function mutation(file: string, from: string, to: string): DesignOptions {
  return {
    mutate(text, name) {
      if (name !== file) return text;
      if (!text.includes(from)) throw new Error(`mutation: ${JSON.stringify(from)} no longer appears in ${file}`);
      return text.replace(from, to);
    },
  };
}

/** The fold controller's fold interval changed by `delta` cycles (negative: folds overlap too early). */
export function foldIntervalMutation(delta: number): DesignOptions {
  const expr = '(TIMING == mt_sa_pkg::TIMING_SCALESIM) ? fold_len_in : ((t_in > R32) ? t_in : R32);';
  const to = `((TIMING == mt_sa_pkg::TIMING_SCALESIM) ? fold_len_in : ((t_in > R32) ? t_in : R32)) ${delta < 0 ? '-' : '+'} 32'd${Math.abs(delta)};`;
  return mutation('mt_sa_ctrl.sv', expr, to);
}
