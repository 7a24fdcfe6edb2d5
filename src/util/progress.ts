/**
 * Progress of long work on a terminal, one line on stderr drawn by cli-progress: a count with a bar and an
 * ETA where the work can be counted (`counter`), the step being done and the elapsed time where it cannot
 * (`activity`, e.g. a Verilator build). Tasks nest: a build inside a study's layer count shows as
 * `simulating [==  ] 3/35 ETA 1 min 05 s > building simulator for X: compiling C++ (2 of 9 objects) 12 s`.
 * Quiet (every task a no-op) when stderr is not a terminal, in CI (the CI environment variable) or after
 * `setProgressQuiet(true)` (the global `--quiet`). The count never exceeds its total and an ETA is shown
 * only once it can be estimated (no NaN, no Infinity). A child process asked for progress lines
 * (progress-lines.ts) writes its tasks as lines for its parent instead.
 */
import cliProgress from 'cli-progress';
import { encodeProgressLine, progressLinesAsked } from './progress-lines.js';

/** One task on the progress line. */
export interface ProgressTask {
  /** Says what is being done now (shown after the count, or after the title of an activity). */
  step(label: string): void;
  /** Counts `items` more items done (clamped to the total); `work`, their share of the total work, drives the ETA. */
  advance(items?: number, work?: number): void;
  /** Ends the task and takes it off the line. */
  done(): void;
}

/** What the line shows of a task (exported for the unit tests of its rendering). */
export interface TaskState {
  title: string;
  label: string;
  startMs: number;
  /** When the first step began (the ETA's clock: set-up before it, e.g. a build, is not the items' rate). */
  firstStepMs?: number;
  /** Counted tasks: items done and their total, work done and the total work (items when no weights are given). */
  count?: { done: number; total: number; work: number; totalWork: number };
}

let quiet = false;

/** Silences (or not) every task started from now on: the global `--quiet`. */
export function setProgressQuiet(value: boolean): void {
  quiet = value;
}

/** Whether progress is drawn: a terminal on stderr, not CI, not quiet. */
export function progressShown(
  env: NodeJS.ProcessEnv = process.env,
  isTTY = Boolean(process.stderr.isTTY),
  beQuiet = quiet,
): boolean {
  if (progressLinesAsked(env)) return !beQuiet;
  const ci = env.CI !== undefined && !['', '0', 'false'].includes(env.CI.toLowerCase());
  return isTTY && !ci && !beQuiet;
}

/** A duration in words a terminal line can hold: `45 s`, `3 min 05 s`, `2 h 07 min`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/**
 * Seconds left when `fraction` (0 to 1) of the work took `elapsedSeconds`, at the same rate; undefined
 * while nothing is done yet or less than half a second has passed (no estimate is better than a wild one); 0 once all
 * is done, however soon.
 */
export function etaSeconds(elapsedSeconds: number, fraction: number): number | undefined {
  if (!Number.isFinite(elapsedSeconds) || !Number.isFinite(fraction) || fraction <= 0) return undefined;
  if (fraction >= 1) return 0;
  if (elapsedSeconds < 0.5) return undefined;
  const eta = (elapsedSeconds * (1 - fraction)) / fraction;
  return Number.isFinite(eta) ? eta : undefined;
}

const BAR_WIDTH = 20;

/** The text of one task at time `nowMs`. */
export function renderTask(t: TaskState, nowMs: number): string {
  const elapsed = (nowMs - t.startMs) / 1000;
  const label = t.label ? ` ${t.label}` : '';
  if (!t.count) return `${t.title}:${label} (${formatDuration(elapsed)})`;
  const { done, total, work, totalWork } = t.count;
  const fraction = totalWork > 0 ? Math.min(1, work / totalWork) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'='.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}]`;
  const eta = etaSeconds((nowMs - (t.firstStepMs ?? t.startMs)) / 1000, fraction);
  const etaText = eta === undefined ? 'ETA --' : `ETA ${formatDuration(eta)}`;
  return `${t.title} ${bar} ${done}/${total} | ${formatDuration(elapsed)} | ${etaText} |${label}`;
}

/** The tasks on the line, outermost first, and the bar that draws them (while any task is live). */
const stack: TaskState[] = [];
let bar: cliProgress.SingleBar | undefined;

function render(): string {
  const width = Math.max(20, (process.stderr.columns || 120) - 1);
  const text = stack.map((t) => renderTask(t, Date.now())).join(' > ');
  return text.length > width ? `${text.slice(0, width - 3)}...` : text;
}

let lastLineMs = 0;

/** Progress lines for a parent process: the stack as one line, at most four a second unless `now`. */
function writeLine(now: boolean): void {
  const t = Date.now();
  if (!now && t - lastLineMs < 250) return;
  lastLineMs = t;
  process.stderr.write(
    encodeProgressLine(
      stack.map((s) => ({
        title: s.title,
        label: s.label,
        ...(s.count ? { done: s.count.done, total: s.count.total } : {}),
      })),
    ),
  );
}

function redraw(now = false): void {
  if (progressLinesAsked()) writeLine(now);
  else bar?.update(0);
}

function push(t: TaskState): ProgressTask {
  stack.push(t);
  if (progressLinesAsked()) redraw(true);
  else if (!bar) {
    bar = new cliProgress.SingleBar({
      format: render,
      stream: process.stderr,
      // No hidden cursor and no signal handler of its own: Ctrl-C stops mactile at once and leaves the terminal as it was.
      hideCursor: false,
      clearOnComplete: true,
      linewrap: true,
      fps: 4,
      gracefulExit: false,
    });
    bar.start(1, 0);
  } else redraw();
  let ended = false;
  return {
    step(label) {
      t.label = label;
      t.firstStepMs ??= Date.now();
      redraw();
    },
    advance(items = 1, work = items) {
      if (!t.count) return;
      const c = t.count;
      c.done = Math.min(c.total, c.done + Math.max(0, items));
      c.work = Math.min(c.totalWork, c.work + Math.max(0, work));
      redraw();
    },
    done() {
      if (ended) return;
      ended = true;
      // The last task's final state is drawn (by stop) before the line is cleared.
      if (stack.length === 1 && stack[0] === t) stopProgress();
      const i = stack.indexOf(t);
      if (i >= 0) stack.splice(i, 1);
      redraw(true);
    },
  };
}

/** Takes every task off the line (after a command, however it ended: no bar outlives it). */
export function stopProgress(): void {
  bar?.stop();
  bar = undefined;
  stack.length = 0;
}

const silent: ProgressTask = { step: () => {}, advance: () => {}, done: () => {} };

/**
 * A counted task: `total` items (e.g. layers, digits, sweep points). `totalWork`, when the items differ in
 * size, is the sum of their weights (e.g. MACs) that `advance(1, weight)` counts down, for a fairer ETA.
 */
export function counter(title: string, total: number, opts: { totalWork?: number } = {}): ProgressTask {
  if (!progressShown()) return silent;
  if (!(total > 0)) return activity(title);
  const totalWork = opts.totalWork !== undefined && opts.totalWork > 0 ? opts.totalWork : total;
  return push({ title, label: '', startMs: Date.now(), count: { done: 0, total, work: 0, totalWork } });
}

/** A task that cannot be counted (a build, a yosys run): its step and the time elapsed. */
export function activity(title: string): ProgressTask {
  if (!progressShown()) return silent;
  return push({ title, label: '', startMs: Date.now() });
}
