/**
 * Progress of long work on a terminal: a bar with the step being done and an ETA (cli-progress). Quiet
 * when stderr is not a terminal, in CI (the CI environment variable) or when asked.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Announces the step about to run (e.g. the layer being simulated). */
  step(label: string): void;
  done(): void;
}

const quietProgress: Progress = { step: () => {}, done: () => {} };

/** A progress bar over `total` steps, or a silent one. */
export function progress(total: number, opts: { quiet?: boolean; title?: string } = {}): Progress {
  if (opts.quiet || !process.stderr.isTTY || process.env.CI || total <= 0) return quietProgress;
  const bar = new cliProgress.SingleBar(
    {
      format: `${opts.title ?? 'progress'} [{bar}] {value}/{total} | ETA {eta_formatted} | {step}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { step: '' });
  let started = false;
  return {
    step(label: string) {
      if (started) bar.increment(1, { step: label });
      else bar.update(0, { step: label });
      started = true;
    },
    done() {
      bar.update(total, { step: 'done' });
      bar.stop();
    },
  };
}
